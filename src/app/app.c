/*
 * app.c - the one set-up and tear-down of a run, for the dashboard and
 * the headless modes alike (see app.h).
 *
 * app_open() makes the wake pipe first, so that every thread has it to
 * write to, then New Relic's client (whose key may be missing: the only
 * way it fails), then the pollers and, for the dashboard, the query
 * workers.  app_collect() is the one place the UI thread takes what the
 * threads published.  app_stop() asks every thread to stop before waiting
 * for any, and waits for them all against one deadline.  The wake pipe is
 * closed only in app_close(), last: a thread that did not stop in time
 * may still write to it.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "data/history.h"
#include "data/log.h"
#include "data/newrelic.h"
#include "data/shard_poller.h"
#include "data/shard_query.h"
#include "data/thread_util.h"
#include "data/wake_gate.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

/* How long stopping waits for the background threads, all together. */
#define STOP_WAIT_MS 2000

/* New Relic's client, made (not started); -1 and *why when its key
 * cannot be had, which is a configuration error. */
static int newrelic_open(struct app *app, const struct newrelic_conf *nrc,
			 char **why)
{
	char *err = NULL;

	if (newrelic_global_init() < 0)
		fatal("cannot initialise libcurl");
	app->nr = newrelic_new(nrc, app->wake[1], &err);
	if (!app->nr) {
		*why = xasprintf("%s: [newrelic] %s", app->cfg->path, err);
		free(err);
		newrelic_global_cleanup();
		return -1;
	}
	app->nr_health = xcalloc(1, sizeof *app->nr_health);
	app->nr_gen = newrelic_read(app->nr, NULL, app->nr_health);
	return 0;
}

int app_open(struct app *app, struct config *cfg, struct keymap *km,
	     enum app_mode mode, const struct newrelic_conf *nrc, char **why)
{
	size_t n = cfg->nshards;

	memset(app, 0, sizeof *app);
	app->cfg = cfg;
	app->km = km;
	app->readonly = mode == APP_HEADLESS || cfg->readonly;
	if (pipe2(app->wake, O_CLOEXEC | O_NONBLOCK) < 0)
		fatal("pipe: %s", strerror(errno));
	wake_gate_init(&app->snap_gate, app->wake[1]);
	if (nrc && newrelic_open(app, nrc, why) < 0) {
		close(app->wake[0]);
		close(app->wake[1]);
		return -1;
	}
	app->npollers = n;
	app->pollers = xcalloc(n, sizeof *app->pollers);
	if (mode == APP_TUI)
		app->queries = xcalloc(n, sizeof *app->queries);
	app->health = xcalloc(n, sizeof *app->health);
	app->gens = xcalloc(n, sizeof *app->gens);
	view_init(&app->view, n, cfg);
	for (size_t i = 0; i < n; i++) {
		app->pollers[i] = shard_poller_new((int)i, &cfg->shards[i], cfg,
						   app->wake[1]);
		shard_poller_gate(app->pollers[i], &app->snap_gate);
		shard_poller_read(app->pollers[i], NULL, &app->health[i]);
		/* Headless too, so that --once and --check judge a close
		 * by the same forecast as the screen (headless.c waits). */
		shard_poller_want_history(app->pollers[i]);
		if (shard_poller_start(app->pollers[i]) < 0)
			fatal("cannot start the poller of shard %s",
			      cfg->shards[i].name);
		if (!app->queries)
			continue;
		app->queries[i] = shard_query_new((int)i, &cfg->shards[i], cfg,
						  app->wake[1]);
		if (shard_query_start(app->queries[i]) < 0)
			fatal("cannot start the query worker of shard %s",
			      cfg->shards[i].name);
	}
	if (app->nr && newrelic_start(app->nr) < 0)
		fatal("cannot start the New Relic client");
	app->history = history_reader_new(n);
	return 0;
}

/* --- collecting ------------------------------------------------------------ */

static job_handler job_handlers[JOB__COUNT];

void app_on_job(enum job_kind kind, job_handler fn)
{
	if ((unsigned)kind < JOB__COUNT)
		job_handlers[kind] = fn;
}

/* Hand every finished query job to the handler of its kind. */
static bool dispatch_jobs(struct app *app)
{
	bool any = false;

	for (size_t i = 0; app->queries && i < app->npollers; i++) {
		struct sq_job *job;

		while ((job = shard_query_take(app->queries[i]))) {
			job_handler fn = (unsigned)job->kind < JOB__COUNT
						 ? job_handlers[job->kind] : NULL;

			any = true;
			if (fn)
				fn(app, job);
			else
				sq_job_free(job);
		}
	}
	return any;
}

/* The histories the pollers read since the last turn: the view forecasts
 * from them from now on; a failed read keeps the one before (it goes
 * stale, and says so). */
static bool collect_histories(struct app *app)
{
	bool any = false;

	for (size_t i = 0; app->history && i < app->npollers; i++) {
		struct fc_history *h;
		char err[200];

		if (!shard_poller_history(app->pollers[i], &h, err, sizeof err))
			continue;
		history_took(app->history, i, err);
		any = true;	/* the health line says how it went */
		if (!h)
			continue;
		view_set_history(&app->view, i, h);
		fc_history_unref(h);
	}
	return any;
}

bool app_snapshots_waiting(const struct app *app)
{
	for (size_t i = 0; app->pollers && i < app->npollers; i++)
		if (shard_poller_read(app->pollers[i], NULL, NULL) != app->gens[i])
			return true;
	return false;
}

bool app_collect_snapshots(struct app *app)
{
	bool changed = false;

	/* Before reading: what is published from now on pokes once. */
	wake_gate_arm(&app->snap_gate);
	for (size_t i = 0; app->pollers && i < app->npollers; i++) {
		struct snapshot *s;
		unsigned gen = shard_poller_read(app->pollers[i], NULL, NULL);

		if (gen == app->gens[i])
			continue;
		app->gens[i] = shard_poller_read(app->pollers[i], &s,
						 &app->health[i]);
		view_set_snapshot(&app->view, i, s);
		snapshot_unref(s);
		changed = true;
	}
	return changed;
}

bool app_collect_others(struct app *app)
{
	bool changed = dispatch_jobs(app);

	if (app_newrelic_collect(app))
		changed = true;
	if (collect_histories(app))
		changed = true;
	return changed;
}

bool app_collect(struct app *app)
{
	bool changed = app_collect_others(app);

	return app_collect_snapshots(app) || changed;
}

/* --- stopping -------------------------------------------------------------- */

void app_stop(struct app *app)
{
	int64_t deadline;

	if (!app->pollers)
		return;
	for (size_t i = 0; i < app->npollers; i++) {
		shard_poller_stop(app->pollers[i]);
		if (app->queries)
			shard_query_stop(app->queries[i]);
	}
	if (app->nr)
		newrelic_stop(app->nr);
	deadline = mono_ms() + STOP_WAIT_MS;
	for (size_t i = 0; i < app->npollers; i++)
		shard_poller_free(app->pollers[i], thread_ms_left(deadline));
	for (size_t i = 0; app->queries && i < app->npollers; i++)
		shard_query_free(app->queries[i], thread_ms_left(deadline));
	if (app->nr) {
		newrelic_free(app->nr, thread_ms_left(deadline));
		app->nr = NULL;
		newrelic_errors_unref(app->nr_errs);
		app->nr_errs = NULL;
		newrelic_global_cleanup();
	}
	free(app->pollers);
	app->pollers = NULL;
	free(app->queries);
	app->queries = NULL;
}

void app_close(struct app *app)
{
	app_stop(app);
	/* Only now: the workers that held their jobs are gone. */
	if (app->reports && app->reports_free)
		app->reports_free(app->reports);
	app->reports = NULL;
	view_free(&app->view);
	/* Kept past app_stop(): headless output says whether it was read. */
	history_reader_free(app->history);
	app->history = NULL;
	free(app->health);
	app->health = NULL;
	free(app->gens);
	app->gens = NULL;
	free(app->nr_health);
	app->nr_health = NULL;
	close(app->wake[0]);
	close(app->wake[1]);
}

/* --- New Relic: the UI's copy of its errors and health --------------- */

bool app_newrelic_collect(struct app *app)
{
	if (!app->nr || !app->nr_health ||
	    newrelic_read(app->nr, NULL, NULL) == app->nr_gen)
		return false;
	newrelic_errors_unref(app->nr_errs);
	app->nr_gen = newrelic_read(app->nr, &app->nr_errs, app->nr_health);
	return true;
}

void app_newrelic_refresh(struct app *app)
{
	if (app->nr)
		newrelic_refresh(app->nr);
}
