/*
 * report_writers.h - the three writers of
 * the handoff report (report.h's report_write() picks one).  Each prints
 * the whole night into out and returns 0, or -1 when out failed.
 */
#ifndef BT_REPORT_WRITERS_H
#define BT_REPORT_WRITERS_H

#include <stdio.h>

#include "core/night.h"

int report_write_md(const struct night *n, FILE *out);
int report_write_html(const struct night *n, FILE *out);
int report_write_json(const struct night *n, FILE *out);

#endif
