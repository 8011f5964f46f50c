/*
 * screen.h - what every screen in screens/ offers the UI loop.
 *
 * A screen is a file and a const table: the loop calls these, on the UI
 * thread only, and every screen draws the whole terminal (stdscr) with the
 * helpers of draw.h.  Unset members are skipped.
 */
#ifndef BT_SCREEN_H
#define BT_SCREEN_H

#include <stdbool.h>

#include "actions.h"
#include "app.h"
#include "ui.h"

struct screen {
	const char *name;			/* its name in keymap files */
	void (*enter)(struct app *app);
	void (*leave)(struct app *app);
	/* New data arrived, or the clock ticked: the view has been rebuilt. */
	void (*update)(struct app *app);
	void (*draw)(struct app *app);
	/* A key: its bound action (ACT_NONE if unbound) and the raw key.
	 * Returns true when the screen handled it. */
	bool (*key)(struct app *app, enum action act, int key);
	void (*resize)(struct app *app);
};

extern const struct screen screen_grid;
extern const struct screen screen_help;
extern const struct screen screen_wallboard;	/* --wallboard */
extern const struct screen screen_biller;	/* Enter on the grid */
extern const struct screen screen_logs;		/* l */
extern const struct screen screen_missed;	/* m */
extern const struct screen screen_autopay;	/* a: failed autopay invoices */
extern const struct screen screen_confirm;	/* confirmations (confirm.h) */
/* Later screens (issues 3 to 5) declare themselves here as they land. */

/* The screen stack and the status-bar message are ui.c's: see ui.h. */

#endif
