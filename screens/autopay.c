/*
 * autopay.c - every failed autopay invoice of every shard in one list, and
 * reruns of the marked ones that still need it.
 *
 * Data flow: entering (and every AUTOPAY_REFRESH_MS, and after reruns) sends
 * one read job per shard (JOB_AUTOPAY).  Each answer replaces that shard's
 * rows; a shard that does not answer keeps its old rows and is named on the
 * shard line.  The rows are copied and sanitized out of the result; `vis`
 * is the filtered, sorted order drawn.  Marks are kept by (shard, invoice)
 * so they survive reloads.  The reruns of marked invoices, their
 * confirmation and their answers are in autopay_rerun.c.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ui/confirm.h"
#include "ui/draw.h"
#include "screens/autopay.h"
#include "query/query_autopay.h"
#include "screens/screens.h"
#include "data/shard_query.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#define AUTOPAY_REFRESH_MS 15000

static const char *const sort_names[AS__COUNT] = {
	"status", "amount", "failed time", "biller", "shard",
};

/* --- helpers ----------------------------------------------------------------- */

char *autopay_money(char *buf, size_t n, long long cents)
{
	char digits[32], out[48];
	int len;
	size_t j = 0;

	if (cents < 0) {
		snprintf(buf, n, "-");
		return buf;
	}
	len = snprintf(digits, sizeof digits, "%lld", cents / 100);
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = digits[i];
	}
	out[j] = '\0';
	snprintf(buf, n, "$%s.%02lld", out, cents % 100);
	return buf;
}

static struct ap_key *mark_of(const struct autopay_st *A, int shard,
			     const char *invoice)
{
	return autopay_key_find(A->marks, A->nmarks, shard, invoice);
}

void autopay_unmark(struct autopay_st *A, int shard, const char *invoice)
{
	struct ap_key *m = mark_of(A, shard, invoice);

	if (m) {
		free(m->invoice);
		*m = A->marks[--A->nmarks];
	}
}

static int status_rank(const char *s)
{
	static const char *const order[] = {
		"needs_rerun", "rerun_pending", "rerun_done", "paid_other",
		"not_eligible",
	};

	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (!strcmp(s, order[i]))
			return (int)i;
	return 5;
}

/* --- the visible order ---------------------------------------------------------- */

/* What qsort compares: a row shown, and the order asked for. */
struct ap_sorting {
	const struct ap_row *row;
	size_t i;			/* its index in rows */
	enum ap_sort by;
};

static int cmp_rows(const void *pa, const void *pb)
{
	const struct ap_sorting *sa = pa, *sb = pb;
	const struct ap_row *a = sa->row, *b = sb->row;
	int r = 0;

	switch (sa->by) {
	case AS_STATUS:
		r = status_rank(a->status) - status_rank(b->status);
		break;
	case AS_AMOUNT:
		r = a->amount == b->amount ? 0 : (a->amount > b->amount ? -1 : 1);
		break;
	case AS_FAILED:
		break;
	case AS_BILLER:
		r = strcmp(a->biller, b->biller);
		break;
	case AS_SHARD:
		r = a->shard - b->shard;
		break;
	case AS__COUNT:
		break;
	}
	if (r)
		return r;
	if (a->failed_at != b->failed_at)
		return a->failed_at > b->failed_at ? -1 : 1;
	if ((r = strcmp(a->invoice, b->invoice)))
		return r;
	return a->shard - b->shard;
}

static int body_rows(void)
{
	return LINES - 6;	/* header x2, totals, shards, headings, status */
}

/* The rows the filter shows, in the order asked for. */
static void rebuild(struct autopay_st *A)
{
	struct ap_sorting *v = xcalloc(A->n + 1, sizeof *v);

	A->vis = xrealloc(A->vis, (A->n + 1) * sizeof *A->vis);
	A->nvis = 0;
	for (size_t i = 0; i < A->n; i++)
		if (!A->filter[0] || text_contains_ci(A->rows[i].search, A->filter))
			v[A->nvis++] = (struct ap_sorting){ &A->rows[i], i, A->sort };
	if (A->nvis > 1)
		qsort(v, A->nvis, sizeof *v, cmp_rows);
	for (size_t k = 0; k < A->nvis; k++)
		A->vis[k] = v[k].i;
	free(v);
	listcursor_clamp(&A->lc, A->nvis, body_rows());
}

/* --- loading ---------------------------------------------------------------------- */

/* Send one read job per shard (one still out is left to finish). */
void autopay_reload(struct app *app, struct autopay_st *A)
{
	A->loaded_at = app->mono;
	for (size_t s = 0; s < A->nshards; s++) {
		if (A->job[s])
			continue;	/* the last load is still out */
		A->answered[s] = false;
		A->job[s] = shard_query_submit(app->queries[s],
					      query_autopay_job(JOB_AUTOPAY));
	}
}

static void take_rows(struct autopay_st *A, int shard, const char *shard_name,
		      const PGresult *res)
{
	size_t keep = 0, n = 0;
	struct ap_row *rows;

	for (size_t i = 0; i < A->n; i++) {
		if (A->rows[i].shard == shard)
			query_autopay_row_free(&A->rows[i]);
		else
			A->rows[keep++] = A->rows[i];
	}
	A->n = keep;
	rows = query_autopay_rows(res, shard, &n);
	if (A->n + n > A->cap) {
		while (A->n + n > A->cap)
			A->cap = A->cap ? A->cap * 2 : 256;
		A->rows = xrealloc(A->rows, A->cap * sizeof *A->rows);
	}
	for (size_t i = 0; i < n; i++) {
		struct ap_row *r = &A->rows[A->n++];
		char *inv, *bid;

		*r = rows[i];
		inv = text_sanitize(r->invoice, (size_t)-1);
		bid = text_sanitize(r->biller_id, (size_t)-1);
		r->search = xasprintf("%s %s %s %s %s%s", inv, r->biller, bid,
				      shard_name, r->status, r->demo ? " demo" : "");
		free(inv);
		free(bid);
	}
	free(rows);
}

/* The instance waiting for job, or NULL. */
static struct autopay_st *waiting_for(const struct app *app,
				      const struct sq_job *job)
{
	size_t s = (size_t)job->shard;

	for (int i = app->depth - 1; i >= 0; i--) {
		struct autopay_st *A = app->stack[i].st;

		if (app->stack[i].s == &screen_autopay && s < A->nshards &&
		    A->job[s] && job->id == A->job[s])
			return A;
	}
	return NULL;
}

static void on_job(struct app *app, struct sq_job *job)
{
	struct autopay_st *A = waiting_for(app, job);
	size_t s = (size_t)job->shard;

	if (!A) {
		sq_job_free(job);	/* for a screen since left */
		return;
	}
	A->job[s] = 0;
	A->answered[s] = true;
	free(A->err[s]);
	A->err[s] = NULL;
	if (job->status == SQ_OK)
		take_rows(A, job->shard, shard_poller_name(app->pollers[s]), job->res);
	else
		A->err[s] = text_sanitize(job->error[0] ? job->error : "no answer",
					 (size_t)-1);
	rebuild(A);
	app->dirty = true;
	sq_job_free(job);
}

/* --- screen ----------------------------------------------------------------------- */

static void autopay_enter(struct app *app, void *st, const void *arg)
{
	struct autopay_st *A = st;

	(void)arg;
	app_on_job(JOB_AUTOPAY, on_job);
	A->nshards = app->npollers;
	A->job = xcalloc(A->nshards + 1, sizeof *A->job);
	A->err = xcalloc(A->nshards + 1, sizeof *A->err);
	A->answered = xcalloc(A->nshards + 1, sizeof *A->answered);
	autopay_reload(app, A);
	rebuild(A);
}

static void autopay_leave(struct app *app, void *st)
{
	struct autopay_st *A = st;

	(void)app;	/* answers still out are dropped when they come */
	for (size_t i = 0; i < A->n; i++)
		query_autopay_row_free(&A->rows[i]);
	free(A->rows);
	free(A->vis);
	for (size_t s = 0; s < A->nshards; s++)
		free(A->err[s]);
	free(A->job);
	free(A->err);
	free(A->answered);
	autopay_keys_free(&A->marks, &A->nmarks);
	autopay_rerun_free(A);
}

static void autopay_update(struct app *app, void *st)
{
	struct autopay_st *A = st;

	if (A->nshards && !autopay_rerun_busy(A) &&
	    app->mono - A->loaded_at >= AUTOPAY_REFRESH_MS)
		autopay_reload(app, A);
}

static void autopay_resize(struct app *app, void *st)
{
	struct autopay_st *A = st;

	(void)app;
	listcursor_clamp(&A->lc, A->nvis, body_rows());
}

static void draw_totals(const struct autopay_st *A, int y)
{
	static const char *const statuses[] = {
		"needs_rerun", "rerun_pending", "rerun_done", "paid_other",
		"not_eligible",
	};
	long long sum[6] = { 0 }, total = 0;
	int count[6] = { 0 };
	char line[600], m[64];
	size_t j = 0;

	for (size_t i = 0; i < A->nvis; i++) {
		const struct ap_row *r = &A->rows[A->vis[i]];
		int k = status_rank(r->status);

		count[k]++;
		if (r->amount > 0) {
			sum[k] += r->amount;
			total += r->amount;
		}
	}
	j += (size_t)snprintf(line + j, sizeof line - j, "%zu invoices %s:", A->nvis,
			      autopay_money(m, sizeof m, total));
	for (int k = 0; k < 6 && j < sizeof line; k++) {
		if (!count[k])
			continue;
		j += (size_t)snprintf(line + j, sizeof line - j, "  %s %d %s",
				      k < 5 ? statuses[k] : "other", count[k],
				      autopay_money(m, sizeof m, sum[k]));
	}
	draw_text(y, 0, COLS, line, A_BOLD, 0);
}

static void draw_shards(struct app *app, const struct autopay_st *A, int y)
{
	char line[800];
	size_t j = 0, loading = 0, bad = 0;

	for (size_t s = 0; s < A->nshards; s++)
		if (A->job[s] && !A->answered[s])
			loading++;
	for (size_t s = 0; s < A->nshards && j + 1 < sizeof line; s++) {
		if (!A->err[s])
			continue;
		j += text_printf(line + j, sizeof line - j, "%s%s: %s",
				 bad++ ? "; " : "did not answer: ",
				 shard_poller_name(app->pollers[s]), A->err[s]);
	}
	if (bad) {
		draw_text(y, 0, COLS, line, draw_attr(PAINT_BAD), 0);
		return;
	}
	if (loading)
		snprintf(line, sizeof line, "loading: %zu of %zu shards answered",
			 A->nshards - loading, A->nshards);
	else
		snprintf(line, sizeof line, "all %zu shards answered%s%s", A->nshards,
			 A->filter[0] ? "  filter: " : "", A->filter);
	draw_text(y, 0, COLS, line, draw_attr(PAINT_DIM), 0);
}

/* The status bar: the marks and the sort, then the main keys from the
 * keymap in what is left; the answer to the selected invoice's rerun, in
 * full, instead when there is one. */
static void draw_status(struct app *app, const struct autopay_st *A)
{
	static const struct key_hint hints[] = {
		{ ACT_RERUN, "rerun" }, { ACT_MARK, "mark" },
		{ ACT_MARK_ALL, "mark all" }, { ACT_FILTER, "filter" },
		{ ACT_SORT_NEXT, "sort" }, { ACT_BACK, "back" },
	};
	char where[96], keys[512], buf[700];

	if (A->nvis) {
		const struct ap_row *r = &A->rows[A->vis[A->lc.sel]];
		const struct ap_key *ans = autopay_answer(A, r->shard, r->invoice);

		if (ans) {
			text_printf(buf, sizeof buf, "%s %s: %s", r->invoice,
				    ans->word, ans->detail);
			draw_statusbar(app, buf);
			return;
		}
	}
	snprintf(where, sizeof where, "%zu marked  sort:%s", A->nmarks,
		 sort_names[A->sort]);
	draw_footer_text(app, "autopay", hints, sizeof hints / sizeof hints[0],
			 COLS - (app->readonly ? 11 : 0) - text_width(where) - 2,
			 keys, sizeof keys);
	snprintf(buf, sizeof buf, "%s  %s", where, keys);
	draw_statusbar(app, buf);
}

static void failed_cell(char *buf, size_t n, const struct app *app,
			const struct ap_row *r)
{
	char t[16], m[64];
	int64_t ago;

	if (r->failed_at == BT_NO_TIME) {
		snprintf(buf, n, "?");
		return;
	}
	ago = app->now != BT_NO_TIME ? app->now - r->failed_at : 0;
	fmt_clock(t, sizeof t, r->failed_at, 0);
	t[5] = '\0';
	if (ago > 20 * 3600 * 1000LL)
		snprintf(buf, n, "%s -%s", t, fmt_age(m, sizeof m, ago));
	else
		snprintf(buf, n, "%s", t);
}

/* Column widths: mark, invoice, biller, shard, amount, failed, status,
 * rerun, exception (the rest). */
struct ap_widths {
	int inv, bil, sh, am, fail, st, rr;
};

/* One invoice on row y.  A demo biller's says DEMO before its name, where
 * it is never cut, and is dimmed as on the grid. */
static void draw_row(struct app *app, const struct autopay_st *A,
		     const struct ap_widths *w, int y, const struct ap_row *r,
		     bool sel)
{
	attr_t a = sel ? draw_attr(PAINT_SELECTED)
		       : (r->demo ? draw_attr(PAINT_DIM) : 0);
	const struct ap_key *ans = autopay_answer(A, r->shard, r->invoice);
	char buf[512], m[64];
	int x = 0;

	move(y, 0);
	attrset(a);
	hline(' ', COLS);
	draw_text(y, x, 1, mark_of(A, r->shard, r->invoice) ? "*" : " ",
		  a | A_BOLD, 0);
	x += 2;
	draw_text(y, x, w->inv, r->invoice, a, 0);
	x += w->inv + 1;
	text_printf(buf, sizeof buf, "%s%s", r->demo ? "DEMO " : "",
		    *r->biller ? r->biller : r->biller_id);
	draw_text(y, x, w->bil, buf, a, 0);
	x += w->bil + 1;
	draw_text(y, x, w->sh, shard_poller_name(app->pollers[r->shard]), a, 0);
	x += w->sh + 1;
	draw_text(y, x, w->am, autopay_money(m, sizeof m, r->amount), a, 1);
	x += w->am + 1;
	failed_cell(buf, sizeof buf, app, r);
	draw_text(y, x, w->fail, buf, a, 0);
	x += w->fail + 1;
	draw_text(y, x, w->st, r->status,
		  sel ? a : (!strcmp(r->status, "needs_rerun")
				     ? draw_attr(PAINT_FAILED) : a), 0);
	x += w->st + 1;
	draw_text(y, x, w->rr, ans ? ans->word : r->rr_status, a, 0);
	x += w->rr + 1;
	if (x < COLS)
		draw_text(y, x, COLS - x, r->exception, a, 0);
}

static void autopay_draw(struct app *app, void *st)
{
	struct autopay_st *A = st;
	struct ap_widths w = { 22, 20, 8, 11, 11, 13, 16 };
	int rows = body_rows();
	char buf[512];

	listcursor_clamp(&A->lc, A->nvis, rows);
	erase();
	draw_header(app);
	draw_totals(A, 2);
	draw_shards(app, A, 3);
	if (COLS < 120) {
		w.bil = 14;
		w.rr = 10;
	}
	move(4, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	snprintf(buf, sizeof buf, "  %-*s %-*s %-*s %*s %-*s %-*s %-*s %s", w.inv,
		 "INVOICE", w.bil, "BILLER", w.sh, "SHARD", w.am, "AMOUNT", w.fail,
		 "FAILED UTC", w.st, "STATUS", w.rr, "RERUN", "EXCEPTION");
	draw_text(4, 0, COLS, buf, draw_attr(PAINT_HEADER), 0);
	for (int i = 0; i < rows && A->lc.top + i < (long)A->nvis; i++)
		draw_row(app, A, &w, 5 + i, &A->rows[A->vis[A->lc.top + i]],
			 A->lc.top + i == A->lc.sel);
	if (A->nvis == 0)
		draw_text(6, 2, COLS - 4, A->n ? "no invoice matches the filter"
				  : "no failed autopay invoice (yet)",
			  draw_attr(PAINT_DIM), 0);
	if (A->editing) {
		move(LINES - 1, 0);
		clrtoeol();
		lineedit_draw(&A->edit, LINES - 1, 0, COLS, "filter: ", A_BOLD);
		return;
	}
	draw_status(app, A);
}

/* --- reruns ---------------------------------------------------------------------- */

/* The invoices r (the marked ones, else the selected one) would rerun;
 * the caller frees.  NULL after saying why there are none. */
static const struct ap_row **candidates(struct app *app,
					const struct autopay_st *A, size_t *ncand)
{
	const struct ap_row **cand;

	*ncand = 0;
	if (app->readonly) {
		screen_message(app, "read-only: reruns are off (started with --readonly "
			   "or readonly = true)");
		return NULL;
	}
	if (autopay_rerun_busy(A)) {
		screen_message(app, "waiting for the answers to the last reruns");
		return NULL;
	}
	cand = xcalloc(A->n + 1, sizeof *cand);
	for (size_t i = 0; i < A->n; i++)
		if (mark_of(A, A->rows[i].shard, A->rows[i].invoice))
			cand[(*ncand)++] = &A->rows[i];
	if (!*ncand && A->nvis)
		cand[(*ncand)++] = &A->rows[A->vis[A->lc.sel]];
	if (!*ncand) {
		screen_message(app, "nothing to rerun: mark invoices with Space");
		free(cand);
		return NULL;
	}
	return cand;
}

static void rerun_marked(struct app *app, struct autopay_st *A)
{
	size_t ncand;
	const struct ap_row **cand = candidates(app, A, &ncand);

	if (!cand)
		return;
	autopay_rerun_open(app, A, cand, ncand);
	free(cand);
}

/* --- marks -------------------------------------------------------------------------- */

static void toggle_mark(struct autopay_st *A)
{
	const struct ap_row *r;

	if (!A->nvis)
		return;
	r = &A->rows[A->vis[A->lc.sel]];
	if (mark_of(A, r->shard, r->invoice))
		autopay_unmark(A, r->shard, r->invoice);
	else
		autopay_key_add(&A->marks, &A->nmarks, r->shard, r->invoice);
	listcursor_move(&A->lc, 1, A->nvis, body_rows());
}

/* Mark every invoice the filter shows; when they all are, unmark them. */
static void mark_all(struct app *app, struct autopay_st *A)
{
	size_t unmarked = 0;

	for (size_t k = 0; k < A->nvis; k++) {
		const struct ap_row *r = &A->rows[A->vis[k]];

		unmarked += !mark_of(A, r->shard, r->invoice);
	}
	for (size_t k = 0; k < A->nvis; k++) {
		const struct ap_row *r = &A->rows[A->vis[k]];

		if (!unmarked)
			autopay_unmark(A, r->shard, r->invoice);
		else if (!mark_of(A, r->shard, r->invoice))
			autopay_key_add(&A->marks, &A->nmarks, r->shard, r->invoice);
	}
	if (unmarked)
		screen_message(app, "marked the %zu invoice%s shown (%zu marked in all)",
			       A->nvis, A->nvis == 1 ? "" : "s", A->nmarks);
	else
		screen_message(app, "unmarked the %zu invoice%s shown", A->nvis,
			       A->nvis == 1 ? "" : "s");
}

/* --- keys --------------------------------------------------------------------------- */

static void set_filter(struct autopay_st *A, const char *text)
{
	snprintf(A->filter, sizeof A->filter, "%s", text);
	A->lc.sel = A->lc.top = 0;
	rebuild(A);
}

/* The filter applies as it is typed; Esc puts the one before back. */
static void edit_key(struct autopay_st *A, int key)
{
	switch (lineedit_key(&A->edit, key)) {
	case LE_CANCEL:
		A->editing = false;
		set_filter(A, A->saved);
		break;
	case LE_ENTER:
		A->editing = false;
		break;
	case LE_CHANGED:
		set_filter(A, A->edit.text);
		break;
	default:
		break;
	}
}

static bool autopay_key(struct app *app, void *st, enum action act, int key)
{
	struct autopay_st *A = st;

	if (A->editing) {
		edit_key(A, key);
		return true;
	}
	if (listcursor_key(&A->lc, act, A->nvis, body_rows()))
		return true;
	switch (act) {
	case ACT_FILTER:
		A->editing = true;
		snprintf(A->saved, sizeof A->saved, "%s", A->filter);
		lineedit_init(&A->edit, A->filter, 0);
		return true;
	case ACT_SORT_NEXT:
		A->sort = (enum ap_sort)((A->sort + 1) % AS__COUNT);
		rebuild(A);
		screen_message(app, "sorted by %s", sort_names[A->sort]);
		return true;
	case ACT_MARK:
		toggle_mark(A);
		return true;
	case ACT_MARK_ALL:
		mark_all(app, A);
		return true;
	case ACT_RERUN:
		rerun_marked(app, A);
		return true;
	case ACT_REFRESH:
		autopay_reload(app, A);
		screen_message(app, "reloading the failed invoices of every shard");
		return true;
	case ACT_BACK:
		if (A->filter[0]) {
			set_filter(A, "");
			return true;
		}
		return false;	/* the loop pops the screen */
	default:
		return false;
	}
}

const struct screen screen_autopay = {
	.name = "autopay",
	.state_size = sizeof(struct autopay_st),
	.enter = autopay_enter,
	.leave = autopay_leave,
	.update = autopay_update,
	.draw = autopay_draw,
	.key = autopay_key,
	.resize = autopay_resize,
};
