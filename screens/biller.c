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
#include "query/query_detail.h"
#include "screens/drilldown.h"
#include "screens/rerun_dialog.h"
#include "write/rerun_fresh.h"
#include "screens/screens.h"
#include "data/shard_query.h"
#include "core/text.h"
#include "core/textwrap.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

/* Tags of our two job kinds (job->ctx). */
static char tag_history, tag_requests;

static struct {
	int shard;
	char *id;			/* raw, whole: it is the key */
	struct snapshot *snap;		/* holds b */
	const struct biller *b;
	bool gone;			/* not in the latest snapshot */

	char *sel_batch;		/* the cursor, by raw batch id */
	long sel;
	long top;			/* first content line shown */
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
} B;

/* --- finding the biller ---------------------------------------------------- */

const struct biller *drilldown_find_biller(const struct app *app, int shard,
					   const char *biller_id)
{
	const struct snapshot *s;

	if (shard < 0 || (size_t)shard >= app->view.nsnaps)
		return NULL;
	s = app->view.snaps[shard];
	for (size_t i = 0; s && i < s->nbillers; i++)
		if (!strcmp(s->billers[i].biller_id, biller_id))
			return &s->billers[i];
	return NULL;
}

static void take_snapshot(struct app *app)
{
	const struct biller *b = drilldown_find_biller(app, B.shard, B.id);

	if (!b) {
		B.gone = B.snap != NULL || app->view.snaps[B.shard] != NULL;
		return;		/* keep what we had */
	}
	snapshot_ref(app->view.snaps[B.shard]);
	snapshot_unref(B.snap);
	B.snap = app->view.snaps[B.shard];
	B.b = b;
	B.gone = false;
}

static void set_sel_batch(const char *id)
{
	if (B.sel_batch && id && !strcmp(B.sel_batch, id))
		return;
	free(B.sel_batch);
	B.sel_batch = id ? xstrdup(id) : NULL;
}

static void select_batch(void)
{
	const struct biller *b = B.b;

	if (!b || !b->nbatches) {
		B.sel = 0;
		return;
	}
	for (size_t i = 0; i < b->nbatches; i++)
		if (B.sel_batch && !strcmp(b->batches[i].batch_id, B.sel_batch)) {
			B.sel = (long)i;
			return;
		}
	if (B.sel >= (long)b->nbatches)
		B.sel = (long)b->nbatches - 1;
	if (B.sel < 0)
		B.sel = 0;
	set_sel_batch(b->batches[B.sel].batch_id);
}

const struct batch *biller_screen_selected(const struct app *app)
{
	bool open = false;

	for (int i = 0; i < app->depth; i++)
		open = open || app->stack[i].s == &screen_biller;
	if (!open || !B.b || !B.b->nbatches || B.sel < 0 ||
	    B.sel >= (long)B.b->nbatches)
		return NULL;
	return &B.b->batches[B.sel];
}

/* --- the jobs ------------------------------------------------------------------ */

static void requests_free(void)
{
	query_detail_requests_free(B.reqs, B.nreqs);
	B.reqs = NULL;
	B.nreqs = 0;
}

static void take_history(const PGresult *res)
{
	B.ndays = query_detail_history(res, B.days, QUERY_DETAIL_DAYS);
	B.hist_loaded = true;
	B.hist_err[0] = '\0';
}

static void take_requests(const PGresult *res)
{
	requests_free();
	B.reqs = query_detail_requests(res, &B.nreqs);
	B.reqs_loaded = true;
	B.reqs_err[0] = '\0';
}

static void on_job(struct app *app, struct sq_job *job)
{
	bool hist = job->ctx == &tag_history;
	unsigned *want = hist ? &B.job_hist : &B.job_reqs;

	if (job->shard != B.job_shard || job->id != *want || !*want) {
		sq_job_free(job);	/* for a biller no longer shown */
		return;
	}
	*want = 0;
	if (job->status == SQ_OK) {
		if (hist)
			take_history(job->res);
		else
			take_requests(job->res);
	} else {
		snprintf(hist ? B.hist_err : B.reqs_err, sizeof B.hist_err, "%s",
			 job->error[0] ? job->error : "the query failed");
	}
	sq_job_free(job);
	app->dirty = true;
}

/* The earliest business day of tonight's batches (the history ends
 * before it), or "" to let the shard use its current_date. */
static void tonight_day(char *buf, size_t n)
{
	buf[0] = '\0';
	for (size_t i = 0; B.b && i < B.b->nbatches; i++) {
		const char *d = B.b->batches[i].business_day;

		if (*d && (!buf[0] || strcmp(d, buf) < 0))
			snprintf(buf, n, "%s", d);
	}
}

static void fetch(struct app *app)
{
	struct shard_query *q;
	unsigned gen = app->gens[B.shard];
	char day[16];

	if (!app->queries || !(q = app->queries[B.shard]))
		return;
	if (B.fetched && gen == B.fetched_gen &&
	    app->mono - B.fetched_mono < (int64_t)app->cfg->poll_interval * 1000)
		return;
	if (B.job_hist || B.job_reqs)
		return;		/* one of each at a time: wait for them */
	tonight_day(day, sizeof day);
	{
		struct sq_job *j = query_detail_history_job(JOB_BILLER, B.id,
			app->cfg->window_minutes, day[0] ? day : NULL);

		j->ctx = &tag_history;
		B.job_hist = shard_query_submit(q, j);
	}
	{
		struct sq_job *j = query_detail_requests_job(JOB_BILLER, B.id);

		j->ctx = &tag_requests;
		B.job_reqs = shard_query_submit(q, j);
	}
	B.job_shard = B.shard;
	B.fetched = true;
	B.fetched_gen = gen;
	B.fetched_mono = app->mono;
}

/* Content lines (below the fixed part), rebuilt every draw. */
struct line {
	char *text;
	attr_t attr;
	long batch;		/* index of the batch it belongs to, or -1 */
	bool head;		/* the batch's own line */
};

static struct line *lines;
static size_t nlines, lines_cap;

static void add_line(char *text, attr_t attr, long batch, bool head)
{
	if (nlines == lines_cap) {
		lines_cap = lines_cap ? lines_cap * 2 : 64;
		lines = xrealloc(lines, lines_cap * sizeof *lines);
	}
	lines[nlines++] = (struct line){ text, attr, batch, head };
}

static void clear_lines(void)
{
	for (size_t i = 0; i < nlines; i++)
		free(lines[i].text);
	nlines = 0;
}

/* --- the screen --------------------------------------------------------------------- */

void biller_screen_open(struct app *app, int shard, const char *biller_id)
{
	if (shard < 0 || (size_t)shard >= app->npollers || !biller_id)
		return;
	B.shard = shard;
	free(B.id);
	B.id = xstrdup(biller_id);
	screen_push(app, &screen_biller, NULL);
}

static void biller_enter(struct app *app, void *st, const void *arg)
{
	(void)st;
	(void)arg;
	app_on_job(JOB_BILLER, on_job);
	snapshot_unref(B.snap);
	B.snap = NULL;
	B.b = NULL;
	B.gone = false;
	set_sel_batch(NULL);
	B.sel = 0;
	B.top = 0;
	B.keep_sel_visible = true;
	B.ndays = 0;
	B.hist_loaded = B.reqs_loaded = false;
	B.hist_err[0] = B.reqs_err[0] = '\0';
	requests_free();
	B.job_hist = B.job_reqs = 0;
	B.fetched = false;
	take_snapshot(app);
	/* Open on the batch that decides the grid's row. */
	if (B.b && app->now != BT_NO_TIME) {
		struct biller_eval ev;

		biller_eval(B.b, app->now, app->cfg->at_risk_pct, &ev);
		if (ev.focus)
			set_sel_batch(ev.focus->batch_id);
	}
	select_batch();
}

static void biller_leave(struct app *app, void *st)
{
	(void)st;
	if (app->queries && app->queries[B.shard])
		shard_query_cancel(app->queries[B.shard], JOB_BILLER);
	B.job_hist = B.job_reqs = 0;	/* late answers are dropped */
	snapshot_unref(B.snap);
	B.snap = NULL;
	B.b = NULL;
	requests_free();
	set_sel_batch(NULL);
	clear_lines();
	free(lines);
	lines = NULL;
	lines_cap = 0;
}

static void biller_update(struct app *app, void *st)
{
	(void)st;
	take_snapshot(app);
	select_batch();
	fetch(app);
}

/* --- drawing ------------------------------------------------------------------------ */

/* Lines of s wrapped at cols - indent, each indented. */
static void add_wrapped(const char *s, int indent, int cols, attr_t attr,
			long batch)
{
	while (*s) {
		size_t n = textwrap_line(s, cols - indent, NULL);

		add_line(xasprintf("%*s%.*s", indent, "", (int)n, s), attr, batch,
			 false);
		s += n;
	}
}

static void hhmm(char *buf, size_t n, int64_t t, int off)
{
	char c[16];

	if (t == BT_NO_TIME) {
		snprintf(buf, n, "-");
		return;
	}
	fmt_clock(c, sizeof c, t, off);
	snprintf(buf, n, "%.5s", c);
}

static void batch_left(char *buf, size_t n, const struct batch *t, int64_t now)
{
	char c[16];

	buf[0] = '\0';
	if (t->deadline_inf && t->state != BATCH_CLOSED) {
		snprintf(buf, n, "%s", t->deadline_inf > 0 ? "never" : "late \u221e");
		return;
	}
	if (t->deadline_at == BT_NO_TIME)
		return;
	if (t->state == BATCH_CLOSED) {
		if (t->finished_at != BT_NO_TIME && t->finished_at > t->deadline_at)
			snprintf(buf, n, "late %s", fmt_countdown(c, sizeof c,
				 t->finished_at - t->deadline_at));
		else
			snprintf(buf, n, "in time");
	} else if (now != BT_NO_TIME) {
		int64_t d = t->deadline_at - now;

		if (d >= 0)
			fmt_countdown(buf, n, d);
		else
			snprintf(buf, n, "late %s", fmt_countdown(c, sizeof c, -d));
	}
}

/* Is t past its deadline at now?  'infinity' never is, '-infinity' always. */
static bool past_deadline(const struct batch *t, int64_t now)
{
	if (t->deadline_inf)
		return t->deadline_inf < 0;
	return now != BT_NO_TIME && t->deadline_at != BT_NO_TIME &&
	       now > t->deadline_at;
}

static enum paint batch_paint(const struct batch *t, int64_t now)
{
	switch (t->state) {
	case BATCH_FAILED: return PAINT_FAILED;
	case BATCH_RUNNING:
		return past_deadline(t, now) ? PAINT_LATE : PAINT_RUNNING;
	case BATCH_CLOSED:
		return t->finished_at != BT_NO_TIME && t->deadline_at != BT_NO_TIME &&
			       t->finished_at > t->deadline_at
			       ? PAINT_CLOSED_LATE : PAINT_CLOSED;
	case BATCH_SCHEDULED:
		return past_deadline(t, now) ? PAINT_LATE : PAINT_NORMAL;
	case BATCH_OTHER:
		break;
	}
	return PAINT_WARN;
}

/* Batch columns: type, module, sched, due, start, end, status, try, left,
 * then the error class takes the rest. */
static const int bw[] = { 6, 9, 5, 5, 5, 5, 9, 3, 10 };
#define NBW (sizeof bw / sizeof bw[0])

static void batch_row(char *buf, size_t n, const struct batch *t, int off,
		      int64_t now)
{
	char sched[8], due[8], start[8], end[8], left[24], att[16];
	const char *cells[NBW + 1];
	size_t used = 0;

	hhmm(sched, sizeof sched, t->scheduled_at, off);
	if (t->deadline_inf)
		snprintf(due, sizeof due, "%s", t->deadline_inf > 0 ? "\u221e"
					       : "-\u221e");
	else
		hhmm(due, sizeof due, t->deadline_at, off);
	hhmm(start, sizeof start, t->started_at, off);
	hhmm(end, sizeof end, t->finished_at, off);
	batch_left(left, sizeof left, t, now);
	if (t->attempts == BT_NO_INT)
		snprintf(att, sizeof att, "?");
	else
		snprintf(att, sizeof att, "%d", t->attempts);
	cells[0] = t->payment_type;
	cells[1] = t->module;
	cells[2] = sched;
	cells[3] = due;
	cells[4] = start;
	cells[5] = end;
	cells[6] = t->status;
	cells[7] = att;
	cells[8] = left;
	cells[9] = t->error_class;
	buf[0] = '\0';
	for (size_t c = 0; c < NBW + 1 && used + 1 < n; c++) {
		char fit[256];

		if (c < NBW)
			text_fit(fit, sizeof fit, cells[c], bw[c], c == 7);
		else
			text_printf(fit, sizeof fit, "%s", cells[c]);
		used += text_printf(buf + used, n - used, "%s%s", c ? " " : "", fit);
	}
}

static void build_lines(struct app *app)
{
	const struct biller *b = B.b;
	int off = b && b->tz_known ? b->utc_offset_s : 0;
	char row[1024];

	clear_lines();
	if (!b)
		return;
	for (size_t i = 0; i < b->nbatches; i++) {
		const struct batch *t = &b->batches[i];
		bool sel = (long)i == B.sel;

		batch_row(row, sizeof row, t, off, app->now);
		add_line(xstrdup(row), sel ? draw_attr(PAINT_SELECTED)
				       : draw_attr(batch_paint(t, app->now)),
			 (long)i, true);
		if (batch_is_bad(t)) {
			char *text = xasprintf("bad row: %s", t->bad);

			add_wrapped(text, 4, COLS, draw_attr(PAINT_WARN), (long)i);
			free(text);
		}
		if (text_needs_escape(t->batch_id)) {
			char *e = text_escape(t->batch_id);
			char *text = xasprintf("batch id %s contains characters "
					       "that do not display", e);

			add_wrapped(text, 4, COLS, draw_attr(PAINT_WARN), (long)i);
			free(text);
			free(e);
		}
		if (t->error_message[0])
			add_wrapped(t->error_message, 4, COLS,
				    t->state == BATCH_FAILED ? draw_attr(PAINT_FAILED)
							     : draw_attr(PAINT_DIM),
				    (long)i);
		if (rerun_fresh_words(app, b->shard_index, t->batch_id, row, sizeof row))
			add_wrapped(row, 4, COLS, 0, (long)i);
	}
	if (!b->nbatches)
		add_line(xstrdup("  no batch tonight"), draw_attr(PAINT_DIM), -1, false);

	add_line(xstrdup(""), 0, -1, false);
	if (!B.reqs_loaded && !B.reqs_err[0]) {
		add_line(xstrdup("Rerun requests: loading..."), A_BOLD, -1, false);
	} else if (B.reqs_err[0]) {
		add_line(xasprintf("Rerun requests: cannot read them: %s", B.reqs_err),
			 draw_attr(PAINT_WARN), -1, false);
	} else {
		add_line(xasprintf("Rerun requests: %zu%s", B.nreqs,
				   B.nreqs >= QUERY_DETAIL_REQUESTS ? " (the newest)" : ""),
			 A_BOLD, -1, false);
	}
	for (size_t i = 0; i < B.nreqs; i++) {
		const struct detail_request *r = &B.reqs[i];
		char at[16];
		char *text;

		hhmm(at, sizeof at, r->at, off);
		text = xasprintf("  #%s %-8s %s %s by %s: %s%s%s%s", r->id,
				 r->status[0] ? r->status : "?", at,
				 r->kind, r->by[0] ? r->by : "?", r->target,
				 r->reason[0] ? " (" : "", r->reason,
				 r->reason[0] ? ")" : "");
		add_wrapped(text, 0, COLS, 0, -1);
		free(text);
		if (r->result[0]) {
			text = xasprintf("-> %s", r->result);
			add_wrapped(text, 6, COLS, draw_attr(PAINT_DIM), -1);
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

static void place(void)
{
	long rows = content_rows(), first = -1, last = -1;

	for (size_t i = 0; i < nlines; i++)
		if (lines[i].batch == B.sel && B.b && B.b->nbatches) {
			if (first < 0)
				first = (long)i;
			last = (long)i;
		}
	if (B.keep_sel_visible && first >= 0) {
		if (last >= B.top + rows)
			B.top = last - rows + 1;
		if (first < B.top)
			B.top = first;
	}
	if (B.top > (long)nlines - rows)
		B.top = (long)nlines - rows;
	if (B.top < 0)
		B.top = 0;
}

static void draw_title(struct app *app)
{
	const struct biller *b = B.b;
	char buf[512];

	move(2, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	if (!b) {
		char *id = text_escape(B.id);

		text_printf(buf, sizeof buf, "BILLER %s  shard %s: %s", id,
			 shard_poller_name(app->pollers[B.shard]),
			 app->view.snaps[B.shard] ? "not in the shard's latest data"
						  : "no data from the shard yet");
		draw_text(2, 0, COLS, buf, draw_attr(PAINT_HEADER), 0);
		return;
	}
	{
		struct biller_eval ev;
		const char *status;

		biller_eval(b, app->now, app->cfg->at_risk_pct, &ev);
		status = ev.status == BS_OTHER && ev.focus ? ev.focus->status
			 : biller_status_label(ev.status);
		char *id = text_escape(b->biller_id);

		text_printf(buf, sizeof buf, "BILLER %s%s (%s)  shard %s  %s%s",
			    b->known ? b->name : "(no biller row)",
			    b->is_demo ? " [demo]" : "", id, b->shard, status,
			    B.gone ? "  [no longer in the latest data]" : "");
		free(id);
		draw_text(2, 0, COLS, buf, draw_attr(PAINT_HEADER), 0);
	}
}

static void draw_facts(struct app *app)
{
	const struct biller *b = B.b;
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

		hhmm(at, sizeof at, b->ap_run_at, b->tz_known ? b->utc_offset_s : 0);
		snprintf(ap, sizeof ap, "latest autopay run %s: %d payments, %d failed (%d%%)",
			 at, b->ap_payments, b->ap_failed, pct < 0 ? 0 : pct);
	} else {
		snprintf(ap, sizeof ap, "latest autopay run: none");
	}
	draw_text(3, 0, COLS, buf, 0, 0);
	draw_text(4, 0, COLS, ap, biller_autopay_pct(b) >= app->cfg->autopay_alert_pct
				  ? draw_attr(PAINT_FAILED) : 0, 0);

	/* The history line. */
	if (B.hist_err[0]) {
		text_printf(buf, sizeof buf, "history: cannot read it: %s", B.hist_err);
		draw_text(5, 0, COLS, buf, draw_attr(PAINT_WARN), 0);
	} else if (!B.hist_loaded) {
		draw_text(5, 0, COLS, "history: loading...", draw_attr(PAINT_DIM), 0);
	} else {
		long closes = 0, missed = 0;
		size_t len;

		for (size_t i = 0; i < B.ndays; i++) {
			closes += B.days[i].closes;
			missed += B.days[i].missed;
		}
		len = (size_t)text_printf(buf, sizeof buf,
			"history: %zu business day%s, %ld closes, %ld missed their window",
			B.ndays, B.ndays == 1 ? "" : "s", closes, missed);
		if (closes > 0 && len < sizeof buf)
			len += text_printf(buf + len, sizeof buf - len, " (%ld%%)",
						(missed * 100 + closes / 2) / closes);
		for (size_t i = 0, k = 0; i < B.ndays && len < sizeof buf; i++) {
			if (!B.days[i].missed)
				continue;
			len += text_printf(buf + len, sizeof buf - len, "%s%s %ld",
						k++ ? ", " : ": ",
						B.days[i].day + (strlen(B.days[i].day) > 5 ? 5 : 0),
						B.days[i].missed);
		}
		draw_text(5, 0, COLS, buf, missed ? draw_attr(PAINT_CLOSED_LATE) : 0, 0);
	}
}

static void draw_headings(void)
{
	static const char *const titles[] = {
		"TYPE", "MODULE", "SCHED", "DUE", "START", "END", "STATUS", "TRY",
		"LEFT", "ERROR",
	};
	int x = 0;

	move(FIRST_CONTENT_ROW - 1, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	for (size_t c = 0; c < NBW + 1 && x < COLS; c++) {
		int w = c < NBW ? bw[c] : COLS - x;

		draw_text(FIRST_CONTENT_ROW - 1, x, w, titles[c],
			  draw_attr(PAINT_HEADER), c == 7);
		x += w + 1;
	}
	attrset(A_NORMAL);
}

static void biller_draw(struct app *app, void *st)
{
	int rows = content_rows();

	(void)st;
	erase();
	draw_header(app);
	draw_title(app);
	draw_facts(app);
	draw_headings();
	build_lines(app);
	place();
	for (int i = 0; i < rows && B.top + i < (long)nlines; i++) {
		const struct line *l = &lines[B.top + i];

		if (l->head && l->batch == B.sel) {
			move(FIRST_CONTENT_ROW + i, 0);
			attrset(l->attr);
			hline(' ', COLS);
		}
		draw_text(FIRST_CONTENT_ROW + i, 0, COLS, l->text, l->attr, 0);
	}
	draw_statusbar(app, "Up/Down batch  l or Enter logs  PgUp/PgDn scroll  "
			    "q or Esc back  ? help");
}

/* --- keys ----------------------------------------------------------------------------- */

static void move_sel(long to)
{
	long n = B.b ? (long)B.b->nbatches : 0;

	if (to >= n)
		to = n - 1;
	if (to < 0)
		to = 0;
	B.sel = to;
	if (n)
		set_sel_batch(B.b->batches[to].batch_id);
	B.keep_sel_visible = true;
}

static bool biller_key(struct app *app, void *st, enum action act, int key)
{
	long page = content_rows() > 1 ? content_rows() - 1 : 1;

	(void)st;
	switch (act) {
	case ACT_UP: move_sel(B.sel - 1); return true;
	case ACT_DOWN: move_sel(B.sel + 1); return true;
	case ACT_HOME: move_sel(0); B.top = 0; return true;
	case ACT_END: move_sel(B.b ? (long)B.b->nbatches - 1 : 0);
		B.keep_sel_visible = false;
		B.top = (long)nlines;	/* place() clamps to the bottom */
		return true;
	case ACT_PAGE_UP: B.top -= page; B.keep_sel_visible = false; return true;
	case ACT_PAGE_DOWN: B.top += page; B.keep_sel_visible = false; return true;
	case ACT_LOGS:
	case ACT_OPEN: {
		const struct batch *t = biller_screen_selected(app);

		if (t)
			logs_screen_open(app, B.shard, B.id, t->batch_id, t->batch_id);
		else
			logs_screen_open(app, B.shard, B.id, NULL, NULL);
		return true;
	}
	case ACT_RERUN: {
		const struct batch *t = biller_screen_selected(app);
		const struct biller *b = drilldown_find_biller(app, B.shard, B.id);

		if (!t)
			screen_message(app, "no batch is selected");
		else if (!b)
			screen_message(app, "batch %s is not in the shards' latest data",
				   t->batch_id);
		else
			rerun_confirm_batches(app, "biller", b, t);
		return true;
	}
	case ACT_BACK:
		screen_pop(app);
		return true;
	default:
		return false;
	}
}

static void biller_resize(struct app *app, void *st)
{
	(void)st;
	B.keep_sel_visible = true;
}

const struct screen screen_biller = {
	.name = "biller",
	.enter = biller_enter,
	.leave = biller_leave,
	.update = biller_update,
	.draw = biller_draw,
	.key = biller_key,
	.resize = biller_resize,
};
