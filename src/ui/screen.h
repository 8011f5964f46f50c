/*
 * screen.h - what every screen in screens/ offers the UI loop, and the
 * stack they sit on (screen.c).
 *
 * A screen is a file and a const table: the loop calls these, on the UI
 * thread only, and every screen draws the whole terminal (stdscr) with the
 * helpers of draw.h.  Unset members are skipped.
 */
#ifndef BT_SCREEN_H
#define BT_SCREEN_H

#include <stdbool.h>

#include "ui/actions.h"
#include "app/app.h"

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

/* The confirmation (confirm.h) is the UI's own; the other screens are
 * declared in screens/screens.h, and the loop is given the ones it needs
 * (ui_run), so nothing here depends on screens/. */
extern const struct screen screen_confirm;

/* The screen stack: push enters s on top, pop leaves the top one (never
 * the bottom one). */
void screen_push(struct app *app, const struct screen *s);
void screen_pop(struct app *app);
const struct screen *screen_top(const struct app *app);	/* NULL if none */
const struct screen *screen_below(const struct app *app);	/* under the top, or NULL */
/* A message in the status bar for a few seconds. */
void screen_message(struct app *app, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
