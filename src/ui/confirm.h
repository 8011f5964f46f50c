/*
 * confirm.h - the confirmation dialog (src/ui/confirm.c).
 *
 * A modal box drawn over the screen underneath.  Its text comes from the
 * opener through line(), so the opener keeps the frozen copy of what is
 * being confirmed and may fill in late facts (an estimate fetched from the
 * shard) while the box is up.  Lines wrap to the box, which is as wide as
 * they need up to the terminal's width; none is ever cut.  By default `y` confirms and every other key
 * cancels; with `expect` set the user must type that text and Enter.
 * answer() is called exactly once, after the box is closed: yes or no
 * (cancelled, a wrong count, or batchtop quitting).
 */
#ifndef BT_CONFIRM_H
#define BT_CONFIRM_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/draw.h"

struct app;

struct confirm {
	const char *title;		/* copied */
	const char *expect;		/* copied; NULL: 'y' confirms */
	const char *prompt;		/* copied: what the keys do */
	size_t (*nlines)(void *ctx);
	/* Line i into buf, drawn in paint *p (PAINT_NORMAL by default). */
	void (*line)(struct app *app, void *ctx, size_t i, char *buf, size_t n,
		     enum paint *p);
	/* typed: what the user typed (expect mode), else "y" or "". */
	void (*answer)(struct app *app, void *ctx, bool yes, const char *typed);
	void *ctx;
};

/* Open the dialog on top of the current screen.  Returns false (and calls
 * nothing) when a dialog is already open. */
bool confirm_open(struct app *app, const struct confirm *c);

/* The ctx of the open dialog when its opener's answer function is
 * `answer` (so an opener finds its own dialog, for late facts), else
 * NULL. */
void *confirm_ctx(const struct app *app,
		  void (*answer)(struct app *, void *, bool, const char *));

/* Whether a dialog is up. */
bool confirm_is_open(const struct app *app);

#endif
