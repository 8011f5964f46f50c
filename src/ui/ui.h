/*
 * ui.h - the terminal and the one event loop (UI thread).
 *
 * ui_run() owns curses from initscr to endwin: it waits on the keyboard and
 * the pollers' wake pipe, takes new data with app_collect(), and draws
 * the top screen once per turn when something changed.  The terminal is
 * restored on every way out: return, exit(), fatal(), SIGTERM/SIGHUP/SIGINT
 * and crashes (the crash handler restores, then re-raises).
 */
#ifndef BT_UI_H
#define BT_UI_H

#include "app/app.h"

struct screen;

/* Install signal handlers; call before the pollers start. */
void ui_signals_install(void);
/* Run with root at the bottom of the screen stack (and help as the screen
 * of the help action) until quit or a terminating signal.  Returns the
 * exit status.  On the way out, whichever it was, what is left undone (a
 * plan's waiting batches, requests without an answer) is recorded as
 * abandoned in the audit log and app->exit_note says so, for stderr (the
 * caller frees). */
int ui_run(struct app *app, const struct screen *root,
	   const struct screen *help);

#endif
