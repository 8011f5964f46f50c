/*
 * ui_report.h - the status bar as an action_report (UI thread): what the
 * screens and the loop pass to the actions.
 */
#ifndef BT_UI_REPORT_H
#define BT_UI_REPORT_H

#include "write/action_report.h"

/* REPORT_INFO stays the usual few seconds; REPORT_OUTCOME twelve. */
extern const struct action_report ui_report;

#endif
