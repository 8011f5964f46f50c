/*
 * handoff.c - the W key's report, collected through the dashboard's query
 * workers (see handoff.h).  The collector is the jobs' context: each
 * report in flight is its own, and the last job back frees it.  Those
 * still collecting are listed in app->reports, so that a quit before the
 * last answer frees them too (app_close(), once the workers are gone).
 */
#include "autoconf.h"

#include <stdlib.h>

#include "app/app.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "data/shard_query.h"
#include "report/report.h"
#include "ui/handoff.h"
#include "ui/screen.h"

/* app->reports: the collectors still out. */
struct handoff {
	struct report_collect **rc;
	size_t n, cap;
};

static void handoff_free(void *p)
{
	struct handoff *h = p;

	for (size_t i = 0; i < h->n; i++)
		report_collect_free(h->rc[i]);
	free(h->rc);
	free(h);
}

static void keep(struct app *app, struct report_collect *rc)
{
	struct handoff *h = app->reports;

	if (!h) {
		h = xcalloc(1, sizeof *h);
		app->reports = h;
		app->reports_free = handoff_free;
	}
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 2;
		h->rc = xrealloc(h->rc, h->cap * sizeof *h->rc);
	}
	h->rc[h->n++] = rc;
}

static void forget(struct app *app, struct report_collect *rc)
{
	struct handoff *h = app->reports;

	for (size_t i = 0; h && i < h->n; i++)
		if (h->rc[i] == rc) {
			h->rc[i] = h->rc[--h->n];
			break;
		}
}

static void write_it(struct app *app, struct report_collect *rc)
{
	int64_t now = wall_ms();
	struct night *n = report_collect_finish(rc, now);
	char *path = report_default_path(app->cfg, REPORT_MD, now);
	char err[512];
	size_t bad = night_unreadable(n);

	if (path)
		report_make_parents(path);
	if (!path)
		screen_message_all(app, "handoff report not written: no home "
				   "(set audit_log, XDG_STATE_HOME or HOME)");
	else if (report_write_file(n, REPORT_MD, path, err, sizeof err) < 0)
		screen_message_all(app, "handoff report not written: %s", err);
	else if (bad)
		screen_message_all(app, "handoff report written to %s (%zu shard%s "
				   "unreadable)", path, bad, bad == 1 ? "" : "s");
	else
		screen_message_all(app, "handoff report written to %s", path);
	free(path);
}

static void on_job(struct app *app, struct sq_job *job)
{
	struct report_collect *rc = report_collect_of(job);
	struct sq_job *more[QREPORT_MAX_JOBS];
	int shard = job->shard;
	size_t k;

	if (!rc) {
		sq_job_free(job);
		return;
	}
	k = report_collect_take(rc, job, more, QREPORT_MAX_JOBS);
	for (size_t i = 0; i < k; i++)
		shard_query_submit(app->queries[shard], more[i]);
	if (report_collect_done(rc)) {
		write_it(app, rc);
		forget(app, rc);
		report_collect_free(rc);
	}
	app->dirty = true;
}

void handoff_start(struct app *app)
{
	struct report_collect *rc;
	struct sq_job *jobs[QREPORT_MAX_JOBS];

	if (!app->queries || !app->cfg->nshards) {
		screen_message(app, "no shards to report on");
		return;
	}
	app_on_job(JOB_REPORT, on_job);
	rc = report_collect_new(app->cfg, NULL, JOB_REPORT);
	keep(app, rc);
	for (size_t i = 0; i < app->npollers; i++) {
		size_t k = report_collect_start(rc, i, jobs, QREPORT_MAX_JOBS);

		for (size_t j = 0; j < k; j++)
			shard_query_submit(app->queries[i], jobs[j]);
	}
	screen_message(app, "writing the handoff report...");
}
