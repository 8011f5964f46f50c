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

/*
 * Every callback gets st, the state of this instance of the screen:
 * state_size zeroed bytes that screen_push() allocates before enter and
 * frees after leave, so the same screen may sit on the stack twice and
 * nothing carries over from one opening to the next.  enter gets the
 * opener's arg (what to show; NULL when there is nothing to say) and
 * copies what it keeps: arg is the opener's and may go away.
 */
struct screen {
	const char *name;			/* its name in keymap files */
	size_t state_size;			/* 0: no state (st is NULL) */
	void (*enter)(struct app *app, void *st, const void *arg);
	/* Free what st holds (not st itself). */
	void (*leave)(struct app *app, void *st);
	/* New data arrived, or the clock ticked: the view has been rebuilt. */
	void (*update)(struct app *app, void *st);
	void (*draw)(struct app *app, void *st);
	/* A key: its bound action (ACT_NONE if unbound) and the raw key.
	 * Returns true when the screen handled it. */
	bool (*key)(struct app *app, void *st, enum action act, int key);
	void (*resize)(struct app *app, void *st);
};

/* The confirmation (confirm.h) is the UI's own; the other screens are
 * declared in screens/screens.h, and the loop is given the ones it needs
 * (ui_run), so nothing here depends on screens/. */
extern const struct screen screen_confirm;

/* The screen stack.  Push allocates s's state, enters it with arg and
 * puts it on top; false (nothing done) when the stack is full.  Pop leaves
 * the top one and frees its state (never the bottom one). */
bool screen_push(struct app *app, const struct screen *s, const void *arg);
void screen_pop(struct app *app);
/* The top slot, the one under it, or the topmost instance of s; NULL when
 * there is none.  Valid until the stack next changes. */
const struct screen_slot *screen_top(const struct app *app);
const struct screen_slot *screen_below(const struct app *app);
const struct screen_slot *screen_find(const struct app *app,
				      const struct screen *s);
/* Whether an instance of s other than the one with state st is on the
 * stack (its jobs may still be waiting: do not cancel them). */
bool screen_other_instance(const struct app *app, const struct screen *s,
			   const void *st);
/* Leave and free every screen, top first (batchtop is ending). */
void screen_pop_all(struct app *app);
/*
 * A message in the status bar for a few seconds.  It belongs to the screen
 * that made it, the one on top when screen_message() is called, and shows
 * only while that screen is on top: a screen opened over it (help, the
 * detail) has its own bar.  When the owner closes (a dialog answered with
 * y), its message passes to the screen under it, the one that opened it.
 * screen_message_all() makes one that every screen shows: for outcomes
 * that arrive later, in the background (a rerun's answer, a plan's step),
 * which are news whatever the operator is looking at.
 */
void screen_message(struct app *app, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void screen_message_all(struct app *app, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The message the top screen shows now, or NULL. */
const char *screen_message_shown(const struct app *app);

#endif
