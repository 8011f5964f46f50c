/*
 * app.h - the state of a running batchtop, owned by the UI thread.
 *
 * Pollers never see this struct; they publish into their own locked slots
 * and the UI loop copies what it needs here once per turn.
 */
#ifndef BT_APP_H
#define BT_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "keymap.h"
#include "shard_poller.h"
#include "view.h"

struct newrelic;
struct newrelic_errors;
struct newrelic_health;
struct screen;
struct shard_query;
struct sq_job;

/* What a query job is for; each kind has one handler (ui_on_job). */
enum job_kind {
	JOB_NONE,
	JOB_BILLER,	/* biller detail: history, requests, autopay */
	JOB_LOGS,	/* log viewer: job_log lines */
	JOB_MISSED,	/* missed-the-hour report */
	JOB_AUTOPAY,	/* failed autopay invoices */
	JOB_RERUN,	/* batchtop.request_rerun */
	JOB_REQUESTS,	/* re-reading rerun_request rows */
	JOB__COUNT
};

#define APP_MAX_SCREENS 8

struct app {
	struct config *cfg;
	struct keymap *km;
	struct shard_poller **pollers;
	size_t npollers;
	struct shard_query **queries;	/* one per shard, same order */
	struct shard_health *health;	/* the UI's copy, one per shard */
	unsigned *gens;			/* last seen poller generations */
	struct view view;
	int wake[2];			/* pollers write, the loop reads */
	/* New Relic: NULL when not configured (no column, no log source);
	 * newrelic_ui_collect() refreshes the other three. */
	struct newrelic *nr;
	struct newrelic_errors *nr_errs;	/* the UI's reference, or NULL */
	struct newrelic_health *nr_health;	/* the UI's copy (with nr) */
	unsigned nr_gen;			/* last seen newrelic_read() counter */

	bool color;			/* colours in use */
	bool readonly;
	bool wallboard;			/* --wallboard: the board, no actions */
	bool kiosk;			/* --kiosk: quitting asks first */
	int64_t mono;			/* our monotonic clock this turn */
	int64_t now;			/* shard time this turn, BT_NO_TIME if none */

	bool dirty;			/* draw this turn */
	bool quit;

	const struct screen *stack[APP_MAX_SCREENS];
	int depth;

	char message[200];		/* transient line in the status bar */
	int64_t message_until;		/* monotonic ms */
	/* For stderr once curses has ended (ui_run sets it; main prints and
	 * frees it): what was left undone and where it is recorded. */
	char *exit_note;
};

/* Handlers of finished query jobs, by kind; a handler owns the job it is
 * given (sq_job_free).  Jobs of a kind with no handler are dropped. */
typedef void (*job_handler)(struct app *app, struct sq_job *job);
void ui_on_job(enum job_kind kind, job_handler fn);

#endif
