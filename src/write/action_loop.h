/*
 * action_loop.h - what the UI loop asks of the actions (reruns and the
 * bulk plan) as a whole, on the UI thread and without curses.
 *
 * The loop calls actions_tick() once per turn, asks actions_undone_words()
 * before quitting, and calls actions_abandon() on every way out.  Above
 * rerun.h and plan.h; neither includes this.
 */
#ifndef BT_ACTION_LOOP_H
#define BT_ACTION_LOOP_H

#include <stdbool.h>
#include <stddef.h>

struct app;

struct sq_job;

/* Re-reads that are due, then the plan's observations and releases. */
void actions_tick(struct app *app);
/* The handler the loop registers for JOB_RERUN and JOB_REQUESTS: the
 * answers to requests and the reads of the rerun dialogs (owns job). */
void actions_on_job(struct app *app, struct sq_job *job);

/* "3 batches of a plan not sent yet, 1 request without an answer" (the
 * parts that are not zero) into buf; false (and buf "") when nothing is
 * left undone. */
bool actions_undone_words(char *buf, size_t n);

/* At exit, whatever the way out (q, SIGTERM, SIGHUP): record the plan's
 * waiting batches, the requests and the notes without an answer as
 * abandoned in the audit log (one fsynced batch each; why says how
 * batchtop stopped: "quit", "stopped by SIGTERM").  Returns the message for stderr once
 * curses has ended, naming them and the audit log (the caller frees), or
 * NULL when nothing was left undone. */
char *actions_abandon(struct app *app, const char *why);

/* Forget the plan and the marks (at exit, after actions_abandon). */
void actions_shutdown(void);

#endif
