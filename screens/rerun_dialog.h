/*
 * rerun_dialog.h - the confirmation of batch reruns (screens/
 * rerun_dialog.c), from the grid (every failed batch of the selected
 * biller) and from the biller detail (the batch under its cursor).
 */
#ifndef BT_RERUN_DIALOG_H
#define BT_RERUN_DIALOG_H

#include "app/app.h"
#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"

/* Open the confirmation of a rerun of b's failed batches (all of them, or
 * only `only` when it is not NULL).  What it shows and the ids it would
 * send are frozen when it opens; `y` sends them through rerun_order.h.
 * Says in the status bar why not when nothing can be rerun. */
void rerun_confirm_batches(struct app *app, const char *screen,
			   const struct biller *b, const struct batch *only);

#endif
