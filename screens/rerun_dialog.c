/*
 * rerun_dialog.c - the confirmation of batch reruns, from the grid (every
 * failed batch of the selected biller) and from the biller detail (the
 * batch under its cursor).
 *
 * When the dialog opens, everything it shows and the ids it will send are
 * copied into `dlg`: rows that move underneath cannot change what is
 * confirmed.  Two read jobs fill in facts while it is up: the biller's
 * median close time (for the payment-file estimate) and the earlier
 * requests for these batches.  The ids are frozen as a rerun_order
 * (rerun_order.h): `y` or any other key is audited there first, and `y`
 * sends through it.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "ui/confirm.h"
#include "screens/drilldown.h"
#include "write/rerun.h"
#include "screens/rerun_dialog.h"
#include "write/rerun_order.h"
#include "screens/screens.h"
#include "data/shard_query.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "ui/ui_report.h"
#include "core/xalloc.h"

struct dlg_batch {
	char *batch_id;		/* raw: what is sent */
	char *batch_shown;	/* escaped (text_escape) for the dialog */
	char *payment_type, *module, *status, *error_class;
	char *error_message, *rerun_status, *rerun_by;
	char local_sched[8];
	int attempts;
	int64_t deadline_at, rerun_at;
	int deadline_inf;
};

static struct {
	unsigned long id;	/* this dialog's number; answers carry it */
	bool open;
	char *screen, *shard_name, *biller_id, *biller_name, *timezone;
	char *biller_shown;	/* biller_id escaped */
	bool odd_ids;		/* an id has characters that do not display */
	int shard, priority;
	int64_t data_age;	/* ms; -1 when the shard's data is fresh */
	struct dlg_batch *b;
	size_t n;
	int64_t median_ms;	/* BT_NO_TIME: asking; -1: no history or failed */
	long closes;
	bool history_loaded;
	char history[QUERY_RERUN_HISTORY][300];
	size_t nhistory;
	char reason[200];
	struct rerun_order *order;	/* what y sends, frozen */
} dlg;
static unsigned long dialogs;	/* dialogs opened so far */

static void dlg_free(void)
{
	for (size_t i = 0; i < dlg.n; i++) {
		struct dlg_batch *t = &dlg.b[i];

		free(t->batch_id);
		free(t->batch_shown);
		free(t->payment_type);
		free(t->module);
		free(t->status);
		free(t->error_class);
		free(t->error_message);
		free(t->rerun_status);
		free(t->rerun_by);
	}
	free(dlg.b);
	free(dlg.screen);
	free(dlg.shard_name);
	free(dlg.biller_id);
	free(dlg.biller_shown);
	free(dlg.biller_name);
	free(dlg.timezone);
	rerun_order_free(dlg.order);
	memset(&dlg, 0, sizeof dlg);
}

static void on_median(struct app *app, struct sq_job *job, unsigned long tag)
{
	const char *id;

	(void)app;
	if (!dlg.open || tag != dlg.id)
		return;
	if (!rerun_median_row(job, 0, &id, &dlg.median_ms, &dlg.closes) ||
	    dlg.median_ms == BT_NO_TIME)
		dlg.median_ms = -1;
}

static void on_history(struct app *app, struct sq_job *job, unsigned long tag)
{
	(void)app;
	if (!dlg.open || tag != dlg.id)
		return;
	dlg.history_loaded = true;
	dlg.nhistory = 0;
	if (job->status != SQ_OK) {
		char *e = text_sanitize(job->error, (size_t)-1);

		snprintf(dlg.history[0], sizeof dlg.history[0],
			 "(earlier requests could not be read: %s)", e);
		free(e);
		dlg.nhistory = 1;
		return;
	}
	{
		struct rerun_history h[QUERY_RERUN_HISTORY];
		size_t n = query_rerun_history(job->res, h, QUERY_RERUN_HISTORY);

		for (size_t i = 0; i < n; i++) {
			snprintf(dlg.history[dlg.nhistory++], sizeof dlg.history[0],
				 "%s at %s UTC (%s)%s%s", h[i].requested_by, h[i].at,
				 h[i].status, dlg.n > 1 ? " for " : "",
				 dlg.n > 1 ? h[i].target : "");
			query_rerun_history_free(&h[i]);
		}
	}
}

/* The lines of the dialog: the frozen target, then what was fetched. */
enum { DL_BILLER, DL_SHARD, DL_BATCHES };

static size_t dlg_nlines(void *ctx)
{
	size_t hist;

	(void)ctx;
	hist = dlg.history_loaded ? (dlg.nhistory ? dlg.nhistory : 1) : 1;
	return DL_BATCHES + (dlg.odd_ids ? 1 : 0) + dlg.n * 2 + 1 + hist + 1 + 1;
}

/* A number, or "?" when unknown. */
static void int_text(char *buf, size_t n, int v)
{
	if (v == BT_NO_INT)
		snprintf(buf, n, "?");
	else
		snprintf(buf, n, "%d", v);
}

static void fmt_utc(char *buf, size_t n, int64_t ms)
{
	if (ms == BT_NO_TIME)
		snprintf(buf, n, "--:--");
	else
		fmt_clock(buf, n, ms, 0);
}

static void dlg_estimate(struct app *app, char *buf, size_t n, enum paint *p)
{
	int minute = app->cfg->payment_file_minute;
	char left[16], med[16];
	int64_t to_file;

	if (app->now == BT_NO_TIME) {
		snprintf(buf, n, "File run   :%02d past the hour (no shard clock "
			 "yet)", minute);
		return;
	}
	to_file = next_payment_file_ms(app->now, minute,
				       app->cfg->payment_file_period);
	fmt_countdown(left, sizeof left, to_file);
	if (dlg.median_ms == BT_NO_TIME) {
		snprintf(buf, n, "File run   :%02d in %s; estimating from the biller's "
			 "history...", minute, left);
		return;
	}
	if (dlg.median_ms < 0) {
		snprintf(buf, n, "File run   :%02d in %s; no closed batch of this biller "
			 "in 14 days, so no estimate", minute, left);
		*p = PAINT_WARN;
		return;
	}
	fmt_countdown(med, sizeof med, dlg.median_ms * (int64_t)dlg.n);
	if (dlg.median_ms * (int64_t)dlg.n > to_file) {
		snprintf(buf, n, "File run   :%02d in %s; LIKELY MISSES IT: median close "
			 "%s (%ld closes in 14 days)", minute, left, med, dlg.closes);
		*p = PAINT_LATE;
	} else {
		snprintf(buf, n, "File run   :%02d in %s; should make it: median close "
			 "%s (%ld closes in 14 days)", minute, left, med, dlg.closes);
		*p = PAINT_OK;
	}
}

static void dlg_line(struct app *app, void *ctx, size_t i, char *buf, size_t n,
		     enum paint *p)
{
	size_t hist = dlg.history_loaded ? (dlg.nhistory ? dlg.nhistory : 1) : 1;
	char t1[16], t2[16], age[16];

	(void)ctx;
	if (i == DL_BILLER) {
		int_text(t1, sizeof t1, dlg.priority);
		snprintf(buf, n, "Biller     %s (%s), priority %s, zone %s",
			 dlg.biller_name, dlg.biller_shown, t1, dlg.timezone);
		return;
	}
	if (i == DL_SHARD) {
		if (dlg.data_age >= 0) {
			snprintf(buf, n, "Shard      %s (its data is %s old)",
				 dlg.shard_name, fmt_age(age, sizeof age, dlg.data_age));
			*p = PAINT_WARN;
		} else {
			snprintf(buf, n, "Shard      %s", dlg.shard_name);
		}
		return;
	}
	i -= DL_BATCHES;
	if (dlg.odd_ids) {
		/* Two ids that differ only in what does not display would
		 * look the same: say so, above the escaped ids. */
		if (i == 0) {
			snprintf(buf, n, "Note       an id contains characters that "
				 "do not display: shown as <U+XXXX> or <0xXX>");
			*p = PAINT_WARN;
			return;
		}
		i--;
	}
	if (i < dlg.n * 2) {
		const struct dlg_batch *t = &dlg.b[i / 2];

		if (i % 2 == 0) {
			if (t->deadline_inf)
				snprintf(t1, sizeof t1, "%s", t->deadline_inf > 0
					 ? "\u221e (never)" : "-\u221e");
			else
				fmt_utc(t1, sizeof t1, t->deadline_at);
			int_text(t2, sizeof t2, t->attempts);
			snprintf(buf, n, "Batch      %s  %s / %s  status %s, attempt %s, "
				 "local %s, deadline %s UTC", t->batch_shown,
				 t->payment_type, t->module, t->status, t2,
				 t->local_sched[0] ? t->local_sched : "--:--", t1);
			*p = PAINT_FAILED;
		} else if (!*t->error_message ||
			   !strncmp(t->error_message, t->error_class,
				    strlen(t->error_class))) {
			/* The message usually starts with its class. */
			snprintf(buf, n, "  error    %s", *t->error_message
				 ? t->error_message : *t->error_class
				 ? t->error_class : "(none given)");
		} else {
			snprintf(buf, n, "  error    %s: %s", t->error_class,
				 t->error_message);
		}
		return;
	}
	i -= dlg.n * 2;
	if (i == 0) {
		snprintf(buf, n, "Asked before (latest first):");
		return;
	}
	i--;
	if (i < hist) {
		if (dlg.history_loaded && dlg.nhistory) {
			snprintf(buf, n, "  %s", dlg.history[i]);
		} else if (dlg.history_loaded) {
			snprintf(buf, n, "  nobody has asked for a rerun of it");
		} else {
			/* What the last poll saw, until the shard answers. */
			const struct dlg_batch *t = &dlg.b[0];

			if (*t->rerun_status) {
				fmt_utc(t1, sizeof t1, t->rerun_at);
				snprintf(buf, n, "  %s at %s UTC (%s); reading the "
					 "shard...", t->rerun_by, t1, t->rerun_status);
			} else {
				snprintf(buf, n, "  reading the shard...");
			}
		}
		return;
	}
	i -= hist;
	if (i == 0) {
		dlg_estimate(app, buf, n, p);
		return;
	}
	snprintf(buf, n, "Sends      request_rerun('batch_close', %s, '%s', '%s')",
		 dlg.n == 1 ? dlg.b[0].batch_shown : "each batch above",
		 rerun_requested_by(), dlg.reason);
}

static void dlg_answer(struct app *app, void *ctx, bool yes, const char *typed)
{
	size_t sent = rerun_order_decide(app, dlg.order, yes, true, &ui_report,
					 NULL, 0);

	(void)ctx;
	(void)typed;
	if (sent)
		screen_message(app, "sending %zu rerun request%s to shard %s...", sent,
			   sent == 1 ? "" : "s", dlg.shard_name);
	dlg_free();
}

static void dlg_copy_batch(struct dlg_batch *d, const struct batch *t)
{
	d->batch_id = xstrdup(t->batch_id);
	d->batch_shown = text_escape(t->batch_id);
	d->payment_type = xstrdup(t->payment_type);
	d->module = xstrdup(t->module);
	d->status = xstrdup(t->status);
	d->error_class = xstrdup(t->error_class ? t->error_class : "");
	d->error_message = xstrdup(t->error_message ? t->error_message : "");
	d->rerun_status = xstrdup(t->rerun_status ? t->rerun_status : "");
	d->rerun_by = xstrdup(t->rerun_by ? t->rerun_by : "");
	memcpy(d->local_sched, t->local_sched, sizeof d->local_sched);
	d->attempts = t->attempts;
	d->deadline_at = t->deadline_at;
	d->deadline_inf = t->deadline_inf;
	d->rerun_at = t->rerun_at;
}

static bool wanted(const struct batch *t, const struct batch *only)
{
	return (!only || !strcmp(t->batch_id, only->batch_id)) &&
	       t->state == BATCH_FAILED;
}

/* How many of b's batches the dialog would send; 0 after saying why not
 * (reruns off, a demo biller, nothing failed, one still unanswered). */
static size_t count_targets(struct app *app, const struct biller *b,
			    const struct batch *only)
{
	char why[400];
	size_t n = 0;

	if (app->readonly) {
		screen_message(app, "read-only: reruns are off (started with --readonly "
			   "or readonly = true)");
		return 0;
	}
	if (b->is_demo) {
		screen_message(app, "%s is a demo biller: demo billers are never rerun",
			   b->name);
		return 0;
	}
	if (confirm_is_open(app) || dlg.open)
		return 0;
	for (size_t i = 0; i < b->nbatches; i++) {
		const struct batch *t = &b->batches[i];

		if (!wanted(t, only))
			continue;
		if (!rerun_may_send(app, b->shard_index, RERUN_BATCH, t->batch_id,
				    why, sizeof why)) {
			report_say(&ui_report, app, REPORT_OUTCOME, "%s", why);
			return 0;
		}
		n++;
	}
	if (n == 0)
		screen_message(app, only ? "batch %s is %s, not failed: nothing to rerun"
				     : "%s%s has no failed batch: nothing to rerun",
			   only ? only->batch_id : (*b->name ? b->name : b->biller_id),
			   only ? only->status : "");
	return n;
}

/* Copy what the dialog shows and freeze what it sends. */
static void freeze(struct app *app, const char *screen, const struct biller *b,
		   const struct batch *only, size_t n)
{
	const struct shard_health *h = &app->health[b->shard_index];
	struct rerun_target *tg = xcalloc(n, sizeof *tg);

	memset(&dlg, 0, sizeof dlg);
	dlg.id = ++dialogs;
	dlg.open = true;
	dlg.screen = xstrdup(screen);
	dlg.shard = b->shard_index;
	dlg.shard_name = xstrdup(b->shard);
	dlg.biller_id = xstrdup(b->biller_id);
	dlg.biller_shown = text_escape(b->biller_id);
	dlg.odd_ids = text_needs_escape(b->biller_id);
	dlg.biller_name = xstrdup(*b->name ? b->name : "(no biller row)");
	dlg.timezone = xstrdup(*b->timezone ? b->timezone : "?");
	dlg.priority = b->priority;
	dlg.median_ms = BT_NO_TIME;
	dlg.data_age = -1;
	if (h->state != SHARD_OK || h->last_ok_mono == BT_NO_TIME ||
	    app->mono - h->last_ok_mono > (int64_t)app->cfg->stale_after * 1000)
		dlg.data_age = h->last_ok_mono == BT_NO_TIME ? 0
							  : app->mono - h->last_ok_mono;
	dlg.b = xcalloc(n, sizeof *dlg.b);
	for (size_t i = 0; i < b->nbatches; i++) {
		const struct batch *t = &b->batches[i];

		if (!wanted(t, only))
			continue;
		dlg_copy_batch(&dlg.b[dlg.n], t);
		dlg.odd_ids = dlg.odd_ids || text_needs_escape(t->batch_id);
		tg[dlg.n] = (struct rerun_target){
			.shard = dlg.shard, .kind = RERUN_BATCH,
			.id = dlg.b[dlg.n].batch_id, .words = dlg.biller_name,
		};
		dlg.n++;
	}
	snprintf(dlg.reason, sizeof dlg.reason, "rerun of a failed batch close "
		 "from batchtop (%s)", *dlg.b[0].error_class ? dlg.b[0].error_class
							     : "no error class");
	dlg.order = rerun_order_freeze(app, screen, dlg.reason, tg, dlg.n);
	free(tg);
}

/* The facts the dialog fills in while it is up. */
static void ask_facts(struct app *app)
{
	const char **ids = xcalloc(dlg.n, sizeof *ids);
	const char *bid[1] = { dlg.biller_id };
	char *arr = rerun_pg_array(bid, 1);
	const char *p1[1] = { arr };

	for (size_t i = 0; i < dlg.n; i++)
		ids[i] = dlg.b[i].batch_id;
	rerun_read(app, dlg.shard, rerun_median_sql, 1, p1, on_median, dlg.id);
	rerun_read_job(app, dlg.shard,
		       query_rerun_history_job(JOB_REQUESTS, ids, dlg.n),
		       on_history, dlg.id);
	free(arr);
	free(ids);
}

void rerun_confirm_batches(struct app *app, const char *screen,
			   const struct biller *b, const struct batch *only)
{
	char title[200], prompt[300];
	size_t n = count_targets(app, b, only);

	if (!n)
		return;
	freeze(app, screen, b, only, n);
	ask_facts(app);
	snprintf(title, sizeof title, "Rerun %zu failed batch close%s of %s on %s",
		 dlg.n, dlg.n == 1 ? "" : "s", dlg.biller_name, dlg.shard_name);
	snprintf(prompt, sizeof prompt, "y: send %s as %s      any other key: "
		 "cancel", dlg.n == 1 ? "the request" : "the requests",
		 rerun_requested_by());
	const struct confirm c = {
		.title = title, .prompt = prompt, .nlines = dlg_nlines,
		.line = dlg_line, .answer = dlg_answer,
	};

	if (!confirm_open(app, &c))
		dlg_free();
}
