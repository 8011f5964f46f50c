/*
 * screens.h - the screens of screens/, one file and one const table each
 * (struct screen, ui/screen.h).
 */
#ifndef BT_SCREENS_H
#define BT_SCREENS_H

#include "ui/screen.h"
#include "ui/ui.h"

extern const struct screen screen_grid;
extern const struct screen screen_help;
extern const struct screen screen_wallboard;	/* --wallboard */
extern const struct screen screen_biller;	/* Enter on the grid */
extern const struct screen screen_logs;		/* l */
extern const struct screen screen_missed;	/* m */
extern const struct screen screen_autopay;	/* a: failed autopay invoices */
extern const struct screen screen_hold_dialog;	/* h: place a hold */
extern const struct screen screen_holds;	/* H: every hold of every shard */
extern const struct screen screen_release_dialog;	/* u on the holds */
extern const struct screen screen_forecast;	/* f: the night ahead */


#endif
