/*
 * hold_dialog.h - `h` on the grid or the biller detail: the form that
 * places a hold on the selected (or marked) billers (screens/
 * hold_dialog.c).
 */
#ifndef BT_HOLD_DIALOG_H
#define BT_HOLD_DIALOG_H

#include <stdbool.h>

#include "app/app.h"
#include "core/snapshot.h"

/* Open the form for the marked billers (marks: the grid's), or for b
 * when none is marked or marks is false (b may be NULL then: it says
 * there is nothing to hold).  screen is
 * where it was asked ("grid", "biller"), for the audit log.  Refused,
 * with a message, in read-only mode and on the wallboard. */
void hold_dialog_open(struct app *app, const char *screen,
		      const struct biller *b, bool marks);

#endif
