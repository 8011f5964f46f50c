/*
 * biller.c - the detail of one biller: tonight's batches with their whole
 * error messages, its priority, zone and local time, its latest autopay
 * run, its rerun requests and its close history.
 *
 * Tonight's batches come from the latest snapshot: each update looks the
 * biller up by shard and id in app->view's snapshots and keeps a reference
 * to the snapshot it was found in, so the pointers stay valid while drawn
 * (and the last data stays on screen if the biller drops out).  The
 * history and the rerun requests are not in the snapshot: two read jobs on
 * the shard's query worker fetch them, again whenever the shard's
 * snapshot changes (a poll or a NOTIFY) or poll_interval has passed, with
 * at most one job of each kind outstanding.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ui/draw.h"
#include "ui/listcursor.h"
#include "query/query_detail.h"
#include "screens/biller_chart.h"
#include "screens/biller_rows.h"
#include "screens/drilldown.h"
#include "screens/hold_dialog.h"
#include "screens/rerun_dialog.h"
#include "write/rerun_fresh.h"
#include "screens/screens.h"
#include "data/shard_query.h"
#include "core/hold.h"
#include "core/note.h"
#include "core/text.h"
#include "core/textwrap.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

/* Tags of our two job kinds (job->ctx). */
static char tag_history, tag_requests;

/* Content lines (below the fixed part), rebuilt every draw. */
struct line {
	char *text;
	attr_t attr;
	long batch;		/* index of the batch it belongs to, or -1 */
	bool head;		/* the batch's own line */
};

/* What biller_screen_open() asks enter to show. */
struct biller_arg {
	int shard;
	const char *id;
};

/* One instance of the screen (its state_size bytes). */
struct biller_st {
	int shard;
	char *id;			/* raw, whole: it is the key */
	struct snapshot *snap;		/* holds b */
	const struct biller *b;
	bool gone;			/* not in the latest snapshot */

	char *sel_batch;		/* the cursor, by raw batch id */
	struct listcursor batch;	/* sel: the batch selected */
	struct listcursor view;		/* top: the first content line shown */
	bool keep_sel_visible;

	struct detail_day days[QUERY_DETAIL_DAYS];
	size_t ndays;
	bool hist_loaded;
	char hist_err[200];
	struct detail_request *reqs;
	size_t nreqs;
	bool reqs_loaded;
	char reqs_err[200];

	int job_shard;			/* where the jobs below went */
	unsigned job_hist, job_reqs;	/* outstanding job ids, 0: none */
	unsigned fetched_gen;		/* shard generation last fetched for */
	int64_t fetched_mono;
	bool fetched;

	struct line *lines;
	size_t nlines, lines_cap;
};

/* --- finding the biller ---------------------------------------------------- */

const struct biller *drilldown_find_biller(const struct app *app, int shard,
					   const char *biller_id)
{
	const struct snapshot *s;

	if (shard < 0 || (size_t)shard >= app->view.nsnaps)
		return NULL;
	s = app->view.snaps[shard];
	for (size_t i = 0; s && i < s->nbillers; i++)
		if (!strcmp(snapshot_biller(s, i)->biller_id, biller_id))
			return snapshot_biller(s, i);
	return NULL;
}

static void take_snapshot(struct app *app, struct biller_st *B)
{
	const struct biller *b = drilldown_find_biller(app, B->shard, B->id);

	if (!b) {
		B->gone = B->snap != NULL || app->view.snaps[B->shard] != NULL;
		return;		/* keep what we had */
	}
	snapshot_ref(app->view.snaps[B->shard]);
	snapshot_unref(B->snap);
	B->snap = app->view.snaps[B->shard];
	B->b = b;
	B->gone = false;
}

/* The biller's status as the grid judges it: with its shard's holds and
 * the forecasts of its shard's close history. */
static void eval_biller(const struct app *app, const struct biller_st *B,
			const struct biller *b, struct biller_eval *ev)
{
	biller_eval_all(b, B->snap ? B->snap->holds : NULL,
			B->snap ? B->snap->nholds : 0, app->now,
			app->cfg->at_risk_pct,
			view_history(&app->view, (size_t)b->shard_index),
			&app->view.fc, ev);
}

static void set_sel_batch(struct biller_st *B, const char *id)
{
	if (B->sel_batch && id && !strcmp(B->sel_batch, id))
		return;
	free(B->sel_batch);
	B->sel_batch = id ? xstrdup(id) : NULL;
}

static void select_batch(struct biller_st *B)
{
	const struct biller *b = B->b;
	size_t n = b ? b->nbatches : 0;

	for (size_t i = 0; i < n; i++)
		if (B->sel_batch && !strcmp(b->batches[i].batch_id, B->sel_batch)) {
			B->batch.sel = (long)i;
			return;
		}
	listcursor_clamp(&B->batch, n, 0);
	if (n)
		set_sel_batch(B, b->batches[B->batch.sel].batch_id);
}

/* The topmost detail on the stack (the one other screens mean). */
static struct biller_st *top_instance(const struct app *app)
{
	const struct screen_slot *slot = screen_find(app, &screen_biller);

	return slot ? slot->st : NULL;
}

const struct batch *biller_screen_selected(const struct app *app)
{
	const struct biller_st *B = top_instance(app);

	if (!B || !B->b || !B->b->nbatches || B->batch.sel < 0 ||
	    B->batch.sel >= (long)B->b->nbatches)
		return NULL;
	return &B->b->batches[B->batch.sel];
}

/* --- the jobs ------------------------------------------------------------------ */

static void requests_free(struct biller_st *B)
{
	query_detail_requests_free(B->reqs, B->nreqs);
	B->reqs = NULL;
	B->nreqs = 0;
}

static void take_history(struct biller_st *B, const PGresult *res)
{
	B->ndays = query_detail_history(res, B->days, QUERY_DETAIL_DAYS);
	B->hist_loaded = true;
	B->hist_err[0] = '\0';
}

static void take_requests(struct biller_st *B, const PGresult *res)
{
	requests_free(B);
	B->reqs = query_detail_requests(res, &B->nreqs);
	B->reqs_loaded = true;
	B->reqs_err[0] = '\0';
}

/* The instance waiting for job, or NULL. */
static struct biller_st *waiting_for(const struct app *app,
				     const struct sq_job *job, bool hist)
{
	for (int i = app->depth - 1; i >= 0; i--) {
		struct biller_st *B = app->stack[i].st;

		if (app->stack[i].s != &screen_biller || job->shard != B->job_shard)
			continue;
		if (job->id && job->id == (hist ? B->job_hist : B->job_reqs))
			return B;
	}
	return NULL;
}

static void on_job(struct app *app, struct sq_job *job)
{
	bool hist = job->ctx == &tag_history;
	struct biller_st *B = waiting_for(app, job, hist);
	unsigned *want;

	if (!B) {
		sq_job_free(job);	/* for a biller no longer shown */
		return;
	}
	want = hist ? &B->job_hist : &B->job_reqs;
	*want = 0;
	if (job->status == SQ_OK) {
		if (hist)
			take_history(B, job->res);
		else
			take_requests(B, job->res);
	} else {
		snprintf(hist ? B->hist_err : B->reqs_err, sizeof B->hist_err, "%s",
			 job->error[0] ? job->error : "the query failed");
	}
	sq_job_free(job);
	app->dirty = true;
}

/* The earliest business day of tonight's batches (the history ends
 * before it), or "" to let the shard use its current_date. */
static void tonight_day(const struct biller_st *B, char *buf, size_t n)
{
	buf[0] = '\0';
	for (size_t i = 0; B->b && i < B->b->nbatches; i++) {
		const char *d = B->b->batches[i].kind->business_day;

		if (*d && (!buf[0] || strcmp(d, buf) < 0))
			snprintf(buf, n, "%s", d);
	}
}

static void fetch(struct app *app, struct biller_st *B)
{
	struct shard_query *q;
	unsigned gen = app->gens[B->shard];
	char day[16];

	if (!app->queries || !(q = app->queries[B->shard]))
		return;
	if (B->fetched && gen == B->fetched_gen &&
	    app->mono - B->fetched_mono < (int64_t)app->cfg->poll_interval * 1000)
		return;
	if (B->job_hist || B->job_reqs)
		return;		/* one of each at a time: wait for them */
	tonight_day(B, day, sizeof day);
	{
		struct sq_job *j = query_detail_history_job(JOB_BILLER, B->id,
			app->cfg->window_minutes, day[0] ? day : NULL);

		j->ctx = &tag_history;
		B->job_hist = shard_query_submit(q, j);
	}
	{
		struct sq_job *j = query_detail_requests_job(JOB_BILLER, B->id);

		j->ctx = &tag_requests;
		B->job_reqs = shard_query_submit(q, j);
	}
	B->job_shard = B->shard;
	B->fetched = true;
	B->fetched_gen = gen;
	B->fetched_mono = app->mono;
}

static void add_line(struct biller_st *B, char *text, attr_t attr, long batch, bool head)
{
	if (B->nlines == B->lines_cap) {
		B->lines_cap = B->lines_cap ? B->lines_cap * 2 : 64;
		B->lines = xrealloc(B->lines, B->lines_cap * sizeof *B->lines);
	}
	B->lines[B->nlines++] = (struct line){ text, attr, batch, head };
}

static void clear_lines(struct biller_st *B)
{
	for (size_t i = 0; i < B->nlines; i++)
		free(B->lines[i].text);
	B->nlines = 0;
}

/* --- the screen --------------------------------------------------------------------- */

void biller_screen_open(struct app *app, int shard, const char *biller_id)
{
	struct biller_arg arg = { shard, biller_id };

	if (shard < 0 || (size_t)shard >= app->npollers || !biller_id)
		return;
	screen_push(app, &screen_biller, &arg);
}

static void biller_enter(struct app *app, void *st, const void *arg)
{
	struct biller_st *B = st;
	const struct biller_arg *a = arg;

	app_on_job(JOB_BILLER, on_job);
	B->shard = a->shard;
	B->id = xstrdup(a->id);
	B->keep_sel_visible = true;
	take_snapshot(app, B);
	/* Open on the batch that decides the grid's row. */
	if (B->b && app->now != BT_NO_TIME) {
		struct biller_eval ev;

		eval_biller(app, B, B->b, &ev);
		if (ev.focus)
			set_sel_batch(B, ev.focus->batch_id);
	}
	select_batch(B);
}

static void biller_leave(struct app *app, void *st)
{
	struct biller_st *B = st;

	/* Cancel our jobs, unless another detail waits for some of its own
	 * (its answers must still come); ours are dropped when they come. */
	if (app->queries && app->queries[B->shard] && !screen_other_instance(app, &screen_biller, B))
		shard_query_cancel(app->queries[B->shard], JOB_BILLER);
	snapshot_unref(B->snap);
	requests_free(B);
	free(B->sel_batch);
	free(B->id);
	clear_lines(B);
	free(B->lines);
}

static void biller_update(struct app *app, void *st)
{
	struct biller_st *B = st;

	take_snapshot(app, B);
	select_batch(B);
	fetch(app, B);
}

/* --- drawing ------------------------------------------------------------------------ */

/* Lines of s wrapped at cols - indent, each indented. */
static void add_wrapped(struct biller_st *B, const char *s, int indent, int cols, attr_t attr,
			long batch)
{
	while (*s) {
		size_t n = textwrap_line(s, cols - indent, NULL);

		add_line(B, xasprintf("%*s%.*s", indent, "", (int)n, s), attr, batch,
			 false);
		s += n;
	}
}

/* "investigating: alice@10.1.2.3 since 01:12" under a failed batch that
 * someone acknowledged (the latest standing acknowledgement covering it). */
static void add_ack_line(struct biller_st *B, const struct batch *t, int off,
			 long i)
{
	const struct note *a;
	char at[16], row[600];

	if (t->state != BATCH_FAILED || !B->snap)
		return;
	a = note_ack_for(B->snap, B->b->biller_id, t->batch_id);
	if (!a)
		return;
	biller_hhmm(at, sizeof at, a->created_at, off);
	snprintf(row, sizeof row, "investigating: %s since %s%s%s", a->author,
		 at, a->body[0] ? ": " : "", a->body);
	add_wrapped(B, row, 4, COLS, A_BOLD, i);
}

/* The notes block: what the shard's notes say about this biller (contract
 * v3), oldest first; nothing at all on a shard without notes. */
static void add_notes(struct biller_st *B, int off)
{
	size_t n;
	const struct note *v;
	char row[1024];

	if (!B->snap || !B->snap->notes_read)
		return;
	v = note_of_biller(B->snap, B->b->biller_id, &n);
	add_line(B, xasprintf("Notes: %zu%s", n, n ? "" : " (A acknowledges, "
			      "n adds one)"), A_BOLD, -1, false);
	for (size_t i = 0; i < n; i++) {
		biller_note_line(row, sizeof row, &v[i], off);
		add_wrapped(B, row, 0, COLS, v[i].kind == NOTE_ACK && v[i].open
				     ? A_BOLD : 0, -1);
	}
	add_line(B, xstrdup(""), 0, -1, false);
}

static void build_lines(struct app *app, struct biller_st *B)
{
	const struct biller *b = B->b;
	int off = b && b->tz_known ? b->utc_offset_s : 0;
	char row[1024];
	enum paint fp;

	const struct hold *holds = B->snap ? B->snap->holds : NULL;
	size_t nholds = B->snap ? B->snap->nholds : 0;

	clear_lines(B);
	if (!b)
		return;
	/* Who held it, why, since when, until when (contract v3). */
	for (size_t i = 0; i < nholds; i++) {
		const struct hold *h = &holds[i];

		if (!hold_active(h) || h->kind == HOLD_OTHER ||
		    (h->biller_id && strcmp(h->biller_id, b->biller_id)))
			continue;
		biller_hold_line(row, sizeof row, h, off, app->now);
		add_line(B, xstrdup(row), draw_attr(PAINT_HELD), -1, false);
	}
	for (size_t i = 0; i < b->nbatches; i++) {
		const struct batch *t = &b->batches[i];
		bool sel = (long)i == B->batch.sel;
		enum paint paint = hold_batch_held(holds, nholds, b->biller_id, t, NULL)
					   ? PAINT_HELD : biller_batch_paint(t, app->now);

		biller_batch_row(row, sizeof row, t, off, app->now);
		add_line(B, xstrdup(row), sel ? draw_attr(PAINT_SELECTED)
				       : draw_attr(paint),
			 (long)i, true);
		if (batch_is_bad(t)) {
			char *text = xasprintf("bad row: %s", t->kind->bad);

			add_wrapped(B, text, 4, COLS, draw_attr(PAINT_WARN), (long)i);
			free(text);
		}
		if (text_needs_escape(t->batch_id)) {
			char *e = text_escape(t->batch_id);
			char *text = xasprintf("batch id %s contains characters "
					       "that do not display", e);

			add_wrapped(B, text, 4, COLS, draw_attr(PAINT_WARN), (long)i);
			free(text);
			free(e);
		}
		if (t->error_message[0])
			add_wrapped(B, t->error_message, 4, COLS,
				    t->state == BATCH_FAILED ? draw_attr(PAINT_FAILED)
							     : draw_attr(PAINT_DIM),
				    (long)i);
		if (rerun_fresh_words(app, b->shard_index, t->batch_id, row, sizeof row))
			add_wrapped(B, row, 4, COLS, 0, (long)i);
		if (biller_forecast_words(row, sizeof row, app, b, t, off, &fp))
			add_wrapped(B, row, 4, COLS, draw_attr(fp), (long)i);
		if (biller_chart_words(row, sizeof row, app, b, t))
			add_wrapped(B, row, 4, COLS, 0, (long)i);
		add_ack_line(B, t, off, (long)i);
	}
	if (!b->nbatches)
		add_line(B, xstrdup("  no batch tonight"), draw_attr(PAINT_DIM), -1, false);

	add_line(B, xstrdup(""), 0, -1, false);
	add_notes(B, off);
	if (!B->reqs_loaded && !B->reqs_err[0]) {
		add_line(B, xstrdup("Rerun requests: loading..."), A_BOLD, -1, false);
	} else if (B->reqs_err[0]) {
		add_line(B, xasprintf("Rerun requests: cannot read them: %s", B->reqs_err),
			 draw_attr(PAINT_WARN), -1, false);
	} else {
		add_line(B, xasprintf("Rerun requests: %zu%s", B->nreqs,
				   B->nreqs >= QUERY_DETAIL_REQUESTS ? " (the newest)" : ""),
			 A_BOLD, -1, false);
	}
	for (size_t i = 0; i < B->nreqs; i++) {
		const struct detail_request *r = &B->reqs[i];
		char at[16];
		char *text;

		biller_hhmm(at, sizeof at, r->at, off);
		text = xasprintf("  #%s %-8s %s %s by %s: %s%s%s%s", r->id,
				 r->status[0] ? r->status : "?", at,
				 r->kind, r->by[0] ? r->by : "?", r->target,
				 r->reason[0] ? " (" : "", r->reason,
				 r->reason[0] ? ")" : "");
		add_wrapped(B, text, 0, COLS, 0, -1);
		free(text);
		if (r->result[0]) {
			text = xasprintf("-> %s", r->result);
			add_wrapped(B, text, 6, COLS, draw_attr(PAINT_DIM), -1);
			free(text);
		}
	}
}

/* Rows: header 2, title, facts 3, headings; content; status bar. */
#define FIRST_CONTENT_ROW 7

static int content_rows(void)
{
	return LINES - FIRST_CONTENT_ROW - 1;
}

/* Scroll so that the selected batch's lines are in view (while the user
 * has not scrolled away with PgUp/PgDn), never past a full last page. */
static void place(struct biller_st *B)
{
	int rows = content_rows();
	long first = -1, last = -1;

	for (size_t i = 0; i < B->nlines; i++)
		if (B->lines[i].batch == B->batch.sel && B->b && B->b->nbatches) {
			if (first < 0)
				first = (long)i;
			last = (long)i;
		}
	if (B->keep_sel_visible && first >= 0) {
		B->view.sel = last;
		listcursor_clamp(&B->view, B->nlines, rows);
		B->view.sel = first;
	} else {
		B->view.sel = B->view.top;
	}
	listcursor_clamp(&B->view, B->nlines, rows);
}

static void draw_title(struct app *app, const struct biller_st *B)
{
	const struct biller *b = B->b;
	char buf[512];

	move(2, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	if (!b) {
		char *id = text_escape(B->id);

		text_printf(buf, sizeof buf, "BILLER %s  shard %s: %s", id,
			 shard_poller_name(app->pollers[B->shard]),
			 app->view.snaps[B->shard] ? "not in the shard's latest data"
						  : "no data from the shard yet");
		draw_text(2, 0, COLS, buf, draw_attr(PAINT_HEADER), 0);
		return;
	}
	{
		struct biller_eval ev;
		const char *status;

		eval_biller(app, B, b, &ev);
		status = ev.status == BS_OTHER && ev.focus ? ev.focus->kind->status
			 : biller_status_label(ev.status);
		char *id = text_escape(b->biller_id);

		text_printf(buf, sizeof buf, "BILLER %s%s (%s)  shard %s  %s%s",
			    b->known ? b->name : "(no biller row)",
			    b->is_demo ? " [demo]" : "", id, b->shard, status,
			    B->gone ? "  [no longer in the latest data]" : "");
		free(id);
		draw_text(2, 0, COLS, buf, draw_attr(PAINT_HEADER), 0);
	}
}

static void draw_facts(struct app *app, const struct biller_st *B)
{
	const struct biller *b = B->b;
	char buf[512], prio[16], clock[16], ap[160];
	int64_t now = app->now;

	for (int y = 3; y <= 5; y++) {
		move(y, 0);
		clrtoeol();
	}
	if (!b)
		return;
	if (b->priority == BT_NO_INT)
		snprintf(prio, sizeof prio, "?");
	else
		snprintf(prio, sizeof prio, "%d", b->priority);
	if (now != BT_NO_TIME && b->tz_known) {
		int off = b->utc_offset_s, a = off < 0 ? -off : off;

		fmt_clock(clock, sizeof clock, now, off);
		text_printf(buf, sizeof buf, "priority %s  zone %s, local time %s (UTC%c%02d:%02d)",
			 prio, b->timezone, clock, off < 0 ? '-' : '+', a / 3600,
			 a / 60 % 60);
	} else {
		text_printf(buf, sizeof buf, "priority %s  zone %s%s", prio, b->timezone,
			 b->tz_known ? "" : " (unknown to the shard: times in UTC)");
	}
	if (b->ap_payments != BT_NO_INT && b->ap_failed != BT_NO_INT) {
		int pct = biller_autopay_pct(b);
		char at[16];

		biller_hhmm(at, sizeof at, b->ap_run_at, b->tz_known ? b->utc_offset_s : 0);
		snprintf(ap, sizeof ap, "latest autopay run %s: %d payments, %d failed (%d%%)",
			 at, b->ap_payments, b->ap_failed, pct < 0 ? 0 : pct);
	} else {
		snprintf(ap, sizeof ap, "latest autopay run: none");
	}
	draw_text(3, 0, COLS, buf, 0, 0);
	draw_text(4, 0, COLS, ap, biller_autopay_pct(b) >= app->cfg->autopay_alert_pct
				  ? draw_attr(PAINT_FAILED) : 0, 0);

	/* The history line. */
	if (B->hist_err[0]) {
		text_printf(buf, sizeof buf, "history: cannot read it: %s", B->hist_err);
		draw_text(5, 0, COLS, buf, draw_attr(PAINT_WARN), 0);
	} else if (!B->hist_loaded) {
		draw_text(5, 0, COLS, "history: loading...", draw_attr(PAINT_DIM), 0);
	} else {
		long closes = 0, missed = 0;
		size_t len;

		for (size_t i = 0; i < B->ndays; i++) {
			closes += B->days[i].closes;
			missed += B->days[i].missed;
		}
		len = (size_t)text_printf(buf, sizeof buf,
			"history: %zu business day%s, %ld closes, %ld missed their window",
			B->ndays, B->ndays == 1 ? "" : "s", closes, missed);
		if (closes > 0 && len < sizeof buf)
			len += text_printf(buf + len, sizeof buf - len, " (%ld%%)",
						(missed * 100 + closes / 2) / closes);
		for (size_t i = 0, k = 0; i < B->ndays && len < sizeof buf; i++) {
			if (!B->days[i].missed)
				continue;
			len += text_printf(buf + len, sizeof buf - len, "%s%s %ld",
						k++ ? ", " : ": ",
						B->days[i].day + (strlen(B->days[i].day) > 5 ? 5 : 0),
						B->days[i].missed);
		}
		draw_text(5, 0, COLS, buf, missed ? draw_attr(PAINT_CLOSED_LATE) : 0, 0);
	}
}

static void biller_draw(struct app *app, void *st)
{
	struct biller_st *B = st;
	int rows = content_rows();
	static const struct key_hint hints[] = {
		{ ACT_RERUN, "rerun" }, { ACT_LOGS, "logs" },
		{ ACT_ACKNOWLEDGE, "ack" }, { ACT_NOTE, "note" },
		{ ACT_PAGE_DOWN, "scroll" }, { ACT_BACK, "back" },
	};

	erase();
	draw_header(app);
	draw_title(app, B);
	draw_facts(app, B);
	biller_rows_headings(FIRST_CONTENT_ROW - 1);
	build_lines(app, B);
	place(B);
	for (int i = 0; i < rows && B->view.top + i < (long)B->nlines; i++) {
		const struct line *l = &B->lines[B->view.top + i];

		if (l->head && l->batch == B->batch.sel) {
			move(FIRST_CONTENT_ROW + i, 0);
			attrset(l->attr);
			hline(' ', COLS);
		}
		draw_text(FIRST_CONTENT_ROW + i, 0, COLS, l->text, l->attr, 0);
	}
	draw_footer(app, "biller", hints, sizeof hints / sizeof hints[0]);
}

/* --- keys ----------------------------------------------------------------------------- */

static void move_sel(struct biller_st *B, long to)
{
	size_t n = B->b ? B->b->nbatches : 0;

	B->batch.sel = to;
	listcursor_clamp(&B->batch, n, 0);
	if (n)
		set_sel_batch(B, B->b->batches[B->batch.sel].batch_id);
	B->keep_sel_visible = true;
}

static const struct batch *selected(const struct biller_st *B)
{
	if (!B->b || !B->b->nbatches)
		return NULL;
	return &B->b->batches[B->batch.sel];
}

/* A and n on the batch under the cursor (note_dialog.c says what they
 * cover); they act on the biller as the shard has it now. */
static void note_key(struct app *app, struct biller_st *B, enum action act)
{
	const struct batch *t = selected(B);

	note_dialog_detail(app, act == ACT_ACKNOWLEDGE,
			   drilldown_find_biller(app, B->shard, B->id),
			   t ? t->batch_id : NULL);
}

static bool biller_key(struct app *app, void *st, enum action act, int key)
{
	struct biller_st *B = st;
	long page = content_rows() > 1 ? content_rows() - 1 : 1;

	(void)key;
	switch (act) {
	case ACT_UP: move_sel(B, B->batch.sel - 1); return true;
	case ACT_DOWN: move_sel(B, B->batch.sel + 1); return true;
	case ACT_HOME: move_sel(B, 0); B->view.top = 0; return true;
	case ACT_END: move_sel(B, B->b ? (long)B->b->nbatches - 1 : 0);
		B->keep_sel_visible = false;
		B->view.top = (long)B->nlines;	/* place() clamps to the bottom */
		return true;
	case ACT_PAGE_UP: B->view.top -= page; B->keep_sel_visible = false; return true;
	case ACT_PAGE_DOWN: B->view.top += page; B->keep_sel_visible = false; return true;
	case ACT_LOGS:
	case ACT_OPEN: {
		const struct batch *t = selected(B);

		if (t)
			logs_screen_open(app, B->shard, B->id, t->batch_id, t->batch_id);
		else
			logs_screen_open(app, B->shard, B->id, NULL, NULL);
		return true;
	}
	case ACT_RERUN: {
		const struct batch *t = selected(B);
		const struct biller *b = drilldown_find_biller(app, B->shard, B->id);

		if (!t)
			screen_message(app, "no batch is selected");
		else if (!b)
			screen_message(app, "batch %s is not in the shards' latest data",
				   t->batch_id);
		else
			rerun_confirm_batches(app, "biller", b, t);
		return true;
	}
	case ACT_HOLD:
		hold_dialog_open(app, "biller", drilldown_find_biller(app, B->shard,
								    B->id),
				 false);
		return true;
	case ACT_ACKNOWLEDGE:
	case ACT_NOTE:
		note_key(app, B, act);
		return true;
	case ACT_BACK:
		screen_pop(app);
		return true;
	default:
		return false;
	}
}

static void biller_resize(struct app *app, void *st)
{
	struct biller_st *B = st;

	(void)app;
	B->keep_sel_visible = true;
}

const struct screen screen_biller = {
	.name = "biller",
	.state_size = sizeof(struct biller_st),
	.enter = biller_enter,
	.leave = biller_leave,
	.update = biller_update,
	.draw = biller_draw,
	.key = biller_key,
	.resize = biller_resize,
};
