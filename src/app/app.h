/*
 * app.h - the state of a running batchtop, owned by the UI thread, and
 * its one set-up and tear-down (app.c), shared by the dashboard and the
 * headless modes.
 *
 * Pollers never see this struct; they publish into their own locked slots
 * and the loop (ui.c, or headless.c's wait) copies what it needs here with
 * app_collect().
 */
#ifndef BT_APP_H
#define BT_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "data/shard_poller.h"
#include "data/wake_gate.h"
#include "core/view.h"

struct history_reader;
struct keymap;
struct newrelic;
struct newrelic_conf;
struct newrelic_errors;
struct newrelic_health;
struct screen;
struct shard_query;
struct sq_job;

/* What a query job is for; each kind has one handler (app_on_job). */
enum job_kind {
	JOB_NONE,
	JOB_BILLER,	/* biller detail: history, requests, autopay */
	JOB_LOGS,	/* log viewer: job_log lines */
	JOB_MISSED,	/* missed-the-hour report */
	JOB_AUTOPAY,	/* failed autopay invoices */
	JOB_RERUN,	/* batchtop.request_rerun */
	JOB_REQUESTS,	/* re-reading rerun_request rows */
	JOB_REPORT,	/* the handoff report (W) */
	JOB_HOLD,	/* place_hold, release_hold, write_off_invoice */
	JOB_NOTE,	/* batchtop.add_note */
	JOB__COUNT
};

#define APP_MAX_SCREENS 8

/* One screen on the UI's stack (ui/screen.h): its table and the state of
 * this instance of it. */
struct screen_slot {
	const struct screen *s;
	void *st;
};

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
	/* The pollers' way to wake[1]: one byte per take of the snapshots
	 * (data/wake_gate.h), armed by app_collect_snapshots(). */
	struct wake_gate snap_gate;
	/* New Relic: NULL when not configured (no column, no log source);
	 * app_newrelic_collect() refreshes the other three. */
	struct newrelic *nr;
	struct newrelic_errors *nr_errs;	/* the UI's reference, or NULL */
	struct newrelic_health *nr_health;	/* the UI's copy (with nr) */
	unsigned nr_gen;			/* last seen newrelic_read() counter */
	/* How each shard's last history read went (the dashboard only: its
	 * pollers read them, data/history.h); the histories themselves are
	 * in view (view_history). */
	struct history_reader *history;
	/* The W reports still collecting, owned above this layer
	 * (ui/handoff.c): app_close() hands them to reports_free once every
	 * thread has stopped, so no job is left pointing into them. */
	void *reports;
	void (*reports_free)(void *reports);

	bool color;			/* colours in use */
	bool readonly;
	bool wallboard;			/* --wallboard: the board, no actions */
	bool kiosk;			/* --kiosk: quitting asks first */
	int64_t mono;			/* our monotonic clock this turn */
	int64_t now;			/* shard time this turn, BT_NO_TIME if none */

	bool dirty;			/* draw this turn */
	bool quit;

	struct screen_slot stack[APP_MAX_SCREENS];	/* ui/screen.h */
	int depth;

	char message[200];		/* transient line in the status bar */
	int64_t message_until;		/* monotonic ms */
	int message_depth;		/* its screen: stack[message_depth - 1] */
	const struct screen *message_screen;	/* ... showing this screen */
	/* For stderr once curses has ended (ui_run sets it; main prints and
	 * frees it): what was left undone and where it is recorded. */
	char *exit_note;
};

/* Handlers of finished query jobs, by kind; a handler owns the job it is
 * given (sq_job_free).  Jobs of a kind with no handler are dropped
 * (app_collect() calls them). */
typedef void (*job_handler)(struct app *app, struct sq_job *job);
void app_on_job(enum job_kind kind, job_handler fn);

/* What app_open() starts. */
enum app_mode {
	APP_TUI,	/* pollers, query workers, New Relic; read-only as
			 * cfg->readonly says */
	APP_HEADLESS,	/* pollers and New Relic only, always read-only */
};

/* Set app up for cfg (which app keeps a pointer to, and only reads in
 * headless mode) with keymap km (NULL headless; the caller keeps it):
 * the wake pipe, New Relic's client when nrc is given (else none), one
 * shard poller per shard and, for the dashboard, one query worker per
 * shard, all started.  Returns 0, or -1 and *why (the caller frees) when
 * New Relic's key cannot be had: nothing is left running then and
 * app_close() is not to be called. */
int app_open(struct app *app, struct config *cfg, struct keymap *km,
	     enum app_mode mode, const struct newrelic_conf *nrc, char **why);
/* Take the pollers' new snapshots, New Relic's new health and errors and
 * hand finished query jobs to their handlers; ask for the histories that
 * are due.  True when anything changed. */
bool app_collect(struct app *app);
/* The two halves of app_collect(), for a caller that takes snapshots less
 * often than the rest (the TUI coalesces a fleet's polls): the pollers'
 * new snapshots; the finished jobs, New Relic and the histories. */
bool app_collect_snapshots(struct app *app);
bool app_collect_others(struct app *app);
/* Has any poller published a snapshot app has not taken yet? */
bool app_snapshots_waiting(const struct app *app);
/* Ask every thread to stop, then wait for them all against one deadline
 * (a shard stuck where no stop request reaches costs the wait once, not
 * once per shard).  The collected view and health stay.  Safe to call
 * twice. */
void app_stop(struct app *app);
/* app_stop(), then free everything app_open() made, and the reports
 * still collecting (reports_free). */
void app_close(struct app *app);

/* Take the client's latest errors and health when they changed; true
 * when they did.  Does nothing without a client. */
bool app_newrelic_collect(struct app *app);
/* Ask the client to poll now (the refresh action): also the way to retry a
 * rejected key at once.  Does nothing without a client. */
void app_newrelic_refresh(struct app *app);

#endif
