/*
 * rerun_dialog.c - the confirmation of batch reruns, from the grid (every
 * failed batch of the selected biller) and from the biller detail (the
 * batch under its cursor).
 *
 * When the dialog opens, everything it shows and the ids it will send are
 * copied into its own struct dlg (the confirmation's ctx, freed when it
 * is answered): rows that move underneath cannot change what is
 * confirmed.  Whether the rerun makes the next payment file is forecast
 * on every frame from the shard's close history (forecast_rerun(), worded
 * by core/estimate.h), so the words follow the clock and a fresher
 * history.  A read job fills in the earlier requests for these batches;
 * its answer finds the dialog through confirm_ctx() and its number, so an
 * answer that comes after the dialog closed is dropped.
 * The ids are frozen as a rerun_order (rerun_order.h): `y` or any other
 * key is audited there first, and `y` sends through it.
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
#include "data/history.h"
#include "data/shard_query.h"
#include "core/estimate.h"
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

struct dlg {
	unsigned long id;	/* this dialog's number; answers carry it */
	char *screen, *shard_name, *biller_id, *biller_name, *timezone;
	char *biller_shown;	/* biller_id escaped */
	bool odd_ids;		/* an id has characters that do not display */
	int shard, priority;
	int64_t data_age;	/* ms; -1 when the shard's data is fresh */
	struct dlg_batch *b;
	size_t n;
	size_t batches_tonight;	/* the biller's, for the similar-size pool */
	bool history_loaded;
	char history[QUERY_RERUN_HISTORY][300];
	size_t nhistory;
	char reason[200];
	struct rerun_order *order;	/* what y sends, frozen */
};
/* Dialogs opened so far: the next one's number (not a dialog's state). */
static unsigned long dialogs;

static void dlg_answer(struct app *app, void *ctx, bool yes, const char *typed);

static void dlg_free(struct dlg *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct dlg_batch *t = &d->b[i];

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
	free(d->b);
	free(d->screen);
	free(d->shard_name);
	free(d->biller_id);
	free(d->biller_shown);
	free(d->biller_name);
	free(d->timezone);
	rerun_order_free(d->order);
	free(d);
}

/* The open rerun dialog that asked with tag, or NULL (closed since). */
static struct dlg *dlg_of(struct app *app, unsigned long tag)
{
	struct dlg *d = confirm_ctx(app, dlg_answer);

	return d && d->id == tag ? d : NULL;
}

/* The first statement of a job's error, for a parenthesis: libpq's
 * second line ("This probably means...", "Is the server running...") is
 * glued on after a space, so a capital after a lower-case word ends it;
 * then at most REASON_COLS columns, cut at a space. */
#define REASON_COLS 72
static void brief_reason(char *dst, size_t n, const char *err)
{
	size_t len = 0, sp = 0;

	for (; err[len]; len++) {
		const char *c = err + len;

		if ((c[0] == '.' && c[1] == ' ') ||
		    (len > 0 && c[0] == ' ' && c[-1] >= 'a' && c[-1] <= 'z' &&
		     c[1] >= 'A' && c[1] <= 'Z' && c[2] >= 'a' && c[2] <= 'z'))
			break;
		if (c[0] == ' ')
			sp = len;
		if (len >= REASON_COLS) {
			len = sp ? sp : len;
			break;
		}
	}
	text_sanitize_into(dst, n, *err ? err : "no answer", *err ? len
			   : (size_t)-1);
}

static void on_history(struct app *app, struct sq_job *job, unsigned long tag)
{
	struct dlg *d = dlg_of(app, tag);

	if (!d)
		return;
	d->history_loaded = true;
	d->nhistory = 0;
	if (job->status != SQ_OK) {
		char *e = text_sanitize(job->error, (size_t)-1);

		snprintf(d->history[0], sizeof d->history[0],
			 "(earlier requests could not be read: %s)", e);
		free(e);
		d->nhistory = 1;
		return;
	}
	{
		struct rerun_history h[QUERY_RERUN_HISTORY];
		size_t n = query_rerun_history(job->res, h, QUERY_RERUN_HISTORY);

		for (size_t i = 0; i < n; i++) {
			snprintf(d->history[d->nhistory++], sizeof d->history[0],
				 "%s at %s UTC (%s)%s%s", h[i].requested_by, h[i].at,
				 h[i].status, d->n > 1 ? " for " : "",
				 d->n > 1 ? h[i].target : "");
			query_rerun_history_free(&h[i]);
		}
	}
}

/* The lines of the dialog: the frozen target, then what was fetched. */
enum { DL_BILLER, DL_SHARD, DL_BATCHES };

static size_t dlg_nlines(void *ctx)
{
	const struct dlg *d = ctx;
	size_t hist;

	hist = d->history_loaded ? (d->nhistory ? d->nhistory : 1) : 1;
	return DL_BATCHES + (d->odd_ids ? 1 : 0) + d->n * 2 + 1 + hist + 1 + 1;
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

static void dlg_estimate(struct app *app, const struct dlg *d, char *buf,
			 size_t n, enum paint *p)
{
	static const enum paint paints[] = {
		[EST_ASKING] = PAINT_NORMAL, [EST_STALE] = PAINT_WARN,
		[EST_NO_HISTORY] = PAINT_WARN, [EST_THIN] = PAINT_WARN,
		[EST_MAKES] = PAINT_OK, [EST_MAY_MISS] = PAINT_WARN,
		[EST_WILL_MISS] = PAINT_LATE,
	};
	const struct fc_history *h = view_history(&app->view, (size_t)d->shard);
	const struct forecast_opts *o = &app->view.fc;
	int minute = app->cfg->payment_file_minute;
	struct batch_kind k = { .payment_type = d->b[0].payment_type,
				.module = d->b[0].module };
	struct batch t = { .kind = &k };
	struct biller b = { .biller_id = d->biller_id,
			    .nbatches = d->batches_tonight };
	struct fc_rerun r;
	struct estimate_in in = {
		.nbatches = d->n, .at_risk_pct = o->at_risk_pct,
		.will_miss_pct = o->will_miss_pct,
	};
	char words[400], why[160];
	const char *err = history_error(app->history, (size_t)d->shard);

	if (app->now == BT_NO_TIME) {
		snprintf(buf, n, "File run   :%02d past the hour (no shard clock "
			 "yet)", minute);
		return;
	}
	in.left_ms = next_payment_file_ms(app->now, minute,
					  app->cfg->payment_file_period);
	in.file_at = app->now + in.left_ms;
	if (err && *err) {
		brief_reason(why, sizeof why, err);
		in.unread = why;
	}
	if (h) {
		forecast_rerun(h, &b, &t, d->n, app->now, in.file_at, o, &r);
		in.fc = &r;
		in.history_age_ms = app->now - fc_history_read_at(h);
	}
	*p = paints[estimate_words(&in, words, sizeof words)];
	snprintf(buf, n, "File run   %s", words);
}

static void dlg_line(struct app *app, void *ctx, size_t i, char *buf, size_t n,
		     enum paint *p)
{
	const struct dlg *d = ctx;
	size_t hist = d->history_loaded ? (d->nhistory ? d->nhistory : 1) : 1;
	char t1[16], t2[16], age[16];

	if (i == DL_BILLER) {
		int_text(t1, sizeof t1, d->priority);
		snprintf(buf, n, "Biller     %s (%s), priority %s, zone %s",
			 d->biller_name, d->biller_shown, t1, d->timezone);
		return;
	}
	if (i == DL_SHARD) {
		if (d->data_age >= 0) {
			snprintf(buf, n, "Shard      %s (its data is %s old)",
				 d->shard_name, fmt_age(age, sizeof age, d->data_age));
			*p = PAINT_WARN;
		} else {
			snprintf(buf, n, "Shard      %s", d->shard_name);
		}
		return;
	}
	i -= DL_BATCHES;
	if (d->odd_ids) {
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
	if (i < d->n * 2) {
		const struct dlg_batch *t = &d->b[i / 2];

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
	i -= d->n * 2;
	if (i == 0) {
		snprintf(buf, n, "Asked before (latest first):");
		return;
	}
	i--;
	if (i < hist) {
		if (d->history_loaded && d->nhistory) {
			snprintf(buf, n, "  %s", d->history[i]);
		} else if (d->history_loaded) {
			snprintf(buf, n, "  nobody has asked for a rerun of it");
		} else {
			/* What the last poll saw, until the shard answers. */
			const struct dlg_batch *t = &d->b[0];

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
		dlg_estimate(app, d, buf, n, p);
		return;
	}
	snprintf(buf, n, "Sends      request_rerun('batch_close', %s, '%s', '%s')",
		 d->n == 1 ? d->b[0].batch_shown : "each batch above",
		 rerun_requested_by(), d->reason);
}

static void dlg_answer(struct app *app, void *ctx, bool yes, const char *typed)
{
	struct dlg *d = ctx;
	size_t sent = rerun_order_decide(app, d->order, yes, true, &ui_report,
					 NULL, 0);

	(void)typed;
	if (sent)
		screen_message(app, "sending %zu rerun request%s to shard %s...", sent,
			   sent == 1 ? "" : "s", d->shard_name);
	dlg_free(d);
}

static void dlg_copy_batch(struct dlg_batch *d, const struct batch *t)
{
	d->batch_id = xstrdup(t->batch_id);
	d->batch_shown = text_escape(t->batch_id);
	d->payment_type = xstrdup(t->kind->payment_type);
	d->module = xstrdup(t->kind->module);
	d->status = xstrdup(t->kind->status);
	d->error_class = xstrdup(t->kind->error_class ? t->kind->error_class : "");
	d->error_message = xstrdup(t->error_message ? t->error_message : "");
	d->rerun_status = xstrdup(batch_rerun_status(t));
	d->rerun_by = xstrdup(batch_rerun_by(t));
	batch_local_sched(t, d->local_sched);
	d->attempts = t->attempts;
	d->deadline_at = t->deadline_at;
	d->deadline_inf = t->deadline_inf;
	d->rerun_at = batch_rerun_at(t);
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
	if (confirm_is_open(app))
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
			   only ? only->kind->status : "");
	return n;
}

/* A new dialog with a copy of what it shows and its frozen order. */
static struct dlg *freeze(struct app *app, const char *screen,
			  const struct biller *b, const struct batch *only,
			  size_t n)
{
	const struct shard_health *h = &app->health[b->shard_index];
	struct rerun_target *tg = xcalloc(n, sizeof *tg);
	struct dlg *d = xcalloc(1, sizeof *d);

	d->id = ++dialogs;
	d->screen = xstrdup(screen);
	d->shard = b->shard_index;
	d->shard_name = xstrdup(b->shard);
	d->biller_id = xstrdup(b->biller_id);
	d->biller_shown = text_escape(b->biller_id);
	d->odd_ids = text_needs_escape(b->biller_id);
	d->biller_name = xstrdup(*b->name ? b->name : "(no biller row)");
	d->timezone = xstrdup(*b->timezone ? b->timezone : "?");
	d->priority = b->priority;
	d->batches_tonight = b->nbatches;
	d->data_age = -1;
	if (h->state != SHARD_OK || h->last_ok_mono == BT_NO_TIME ||
	    app->mono - h->last_ok_mono > (int64_t)app->cfg->stale_after * 1000)
		d->data_age = h->last_ok_mono == BT_NO_TIME ? 0
							  : app->mono - h->last_ok_mono;
	d->b = xcalloc(n, sizeof *d->b);
	for (size_t i = 0; i < b->nbatches; i++) {
		const struct batch *t = &b->batches[i];

		if (!wanted(t, only))
			continue;
		dlg_copy_batch(&d->b[d->n], t);
		d->odd_ids = d->odd_ids || text_needs_escape(t->batch_id);
		tg[d->n] = (struct rerun_target){
			.shard = d->shard, .kind = RERUN_BATCH,
			.id = d->b[d->n].batch_id, .words = d->biller_name,
		};
		d->n++;
	}
	snprintf(d->reason, sizeof d->reason, "rerun of a failed batch close "
		 "from batchtop (%s)", *d->b[0].error_class ? d->b[0].error_class
							     : "no error class");
	d->order = rerun_order_freeze(app, screen, d->reason, tg, d->n);
	free(tg);
	return d;
}

/* The facts the dialog fills in while it is up. */
static void ask_facts(struct app *app, const struct dlg *d)
{
	const char **ids = xcalloc(d->n, sizeof *ids);

	for (size_t i = 0; i < d->n; i++)
		ids[i] = d->b[i].batch_id;
	rerun_read_job(app, d->shard,
		       query_rerun_history_job(JOB_REQUESTS, ids, d->n),
		       on_history, d->id);
	free(ids);
}

void rerun_confirm_batches(struct app *app, const char *screen,
			   const struct biller *b, const struct batch *only)
{
	char title[200], prompt[300];
	size_t n = count_targets(app, b, only);
	struct dlg *d;

	if (!n)
		return;
	d = freeze(app, screen, b, only, n);
	snprintf(title, sizeof title, "Rerun %zu failed batch close%s of %s on %s",
		 d->n, d->n == 1 ? "" : "s", d->biller_name, d->shard_name);
	snprintf(prompt, sizeof prompt, "y: send %s as %s      any other key: "
		 "cancel", d->n == 1 ? "the request" : "the requests",
		 rerun_requested_by());
	const struct confirm c = {
		.title = title, .prompt = prompt, .nlines = dlg_nlines,
		.line = dlg_line, .answer = dlg_answer, .ctx = d,
	};

	if (!confirm_open(app, &c)) {
		dlg_free(d);
		return;
	}
	/* Asked once the dialog is up, so their answers find it. */
	ask_facts(app, d);
}
