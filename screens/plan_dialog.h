/*
 * plan_dialog.h - the confirmation of a bulk rerun plan (screens/
 * plan_dialog.c): R on the grid.
 */
#ifndef BT_PLAN_DIALOG_H
#define BT_PLAN_DIALOG_H

struct app;

/* Build the plan of the marked billers (plan_build) and ask for it: the
 * operator types the count of batches and Enter.  Says in the status bar
 * why not when there is nothing to ask. */
void plan_dialog_open(struct app *app);

#endif
