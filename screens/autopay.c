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

enum ap_sort { AS_STATUS, AS_AMOUNT, AS_FAILED, AS_BILLER, AS_SHARD, AS__COUNT };
static const char *const sort_names[AS__COUNT] = {
	"status", "amount", "failed time", "biller", "shard",
};

static struct {
	bool registered;
	unsigned long gen;		/* loads so far; answers carry none */
	struct ap_row *rows;
	size_t n, cap;
	size_t *vis;
	size_t nvis;
	size_t nshards;
	unsigned *job;			/* per shard: load in flight, 0 none */
	char **err;			/* per shard: why it did not answer */
	bool *answered;
	int64_t loaded_at;
	long sel, top;
	bool editing;
	char edit[128], filter[128], saved[128];
	enum ap_sort sort;
	struct ap_key *marks;
	size_t nmarks;
} A;

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

static struct ap_key *mark_of(int shard, const char *invoice)
{
	return autopay_key_find(A.marks, A.nmarks, shard, invoice);
}

void autopay_unmark(int shard, const char *invoice)
{
	struct ap_key *m = mark_of(shard, invoice);

	if (m) {
		free(m->invoice);
		*m = A.marks[--A.nmarks];
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

static int cmp_rows(const void *pa, const void *pb)
{
	const struct ap_row *a = &A.rows[*(const size_t *)pa];
	const struct ap_row *b = &A.rows[*(const size_t *)pb];
	int r = 0;

	switch (A.sort) {
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

static void rebuild(void)
{
	A.vis = xrealloc(A.vis, (A.n + 1) * sizeof *A.vis);
	A.nvis = 0;
	for (size_t i = 0; i < A.n; i++)
		if (!A.filter[0] || text_contains_ci(A.rows[i].search, A.filter))
			A.vis[A.nvis++] = i;
	if (A.nvis > 1)
		qsort(A.vis, A.nvis, sizeof *A.vis, cmp_rows);
	if (A.sel >= (long)A.nvis)
		A.sel = (long)A.nvis - 1;
	if (A.sel < 0)
		A.sel = 0;
}

/* --- loading ---------------------------------------------------------------------- */

/* Send one read job per shard (one still out is left to finish). */
void autopay_reload(struct app *app)
{

	A.gen++;
	A.loaded_at = app->mono;
	for (size_t s = 0; s < A.nshards; s++) {
		if (A.job[s])
			continue;	/* the last load is still out */
		A.answered[s] = false;
		A.job[s] = shard_query_submit(app->queries[s],
					      query_autopay_job(JOB_AUTOPAY));
	}
}

static void take_rows(int shard, const char *shard_name, const PGresult *res)
{
	size_t keep = 0, n = 0;
	struct ap_row *rows;

	for (size_t i = 0; i < A.n; i++) {
		if (A.rows[i].shard == shard)
			query_autopay_row_free(&A.rows[i]);
		else
			A.rows[keep++] = A.rows[i];
	}
	A.n = keep;
	rows = query_autopay_rows(res, shard, &n);
	if (A.n + n > A.cap) {
		while (A.n + n > A.cap)
			A.cap = A.cap ? A.cap * 2 : 256;
		A.rows = xrealloc(A.rows, A.cap * sizeof *A.rows);
	}
	for (size_t i = 0; i < n; i++) {
		struct ap_row *r = &A.rows[A.n++];
		char *inv, *bid;

		*r = rows[i];
		inv = text_sanitize(r->invoice, (size_t)-1);
		bid = text_sanitize(r->biller_id, (size_t)-1);
		r->search = xasprintf("%s %s %s %s %s", inv, r->biller, bid,
				      shard_name, r->status);
		free(inv);
		free(bid);
	}
	free(rows);
}

static void on_job(struct app *app, struct sq_job *job)
{
	size_t s = (size_t)job->shard;

	if (s >= A.nshards || job->id != A.job[s]) {
		sq_job_free(job);
		return;
	}
	A.job[s] = 0;
	A.answered[s] = true;
	free(A.err[s]);
	A.err[s] = NULL;
	if (job->status == SQ_OK)
		take_rows(job->shard, shard_poller_name(app->pollers[s]), job->res);
	else
		A.err[s] = text_sanitize(job->error[0] ? job->error : "no answer",
					 (size_t)-1);
	rebuild();
	app->dirty = true;
	sq_job_free(job);
}

/* --- screen ----------------------------------------------------------------------- */

static void autopay_enter(struct app *app, void *st, const void *arg)
{
	(void)st;
	(void)arg;
	if (!A.registered) {
		app_on_job(JOB_AUTOPAY, on_job);
		A.registered = true;
	}
	if (A.nshards != app->npollers) {
		free(A.job);
		for (size_t s = 0; s < A.nshards; s++)
			free(A.err[s]);
		free(A.err);
		free(A.answered);
		A.nshards = app->npollers;
		A.job = xcalloc(A.nshards + 1, sizeof *A.job);
		A.err = xcalloc(A.nshards + 1, sizeof *A.err);
		A.answered = xcalloc(A.nshards + 1, sizeof *A.answered);
	}
	A.sel = A.top = 0;
	A.editing = false;
	autopay_reload(app);
	rebuild();
}

static void autopay_leave(struct app *app, void *st)
{
	(void)st;
	(void)app;
	for (size_t i = 0; i < A.n; i++)
		query_autopay_row_free(&A.rows[i]);
	free(A.rows);
	A.rows = NULL;
	A.n = A.cap = 0;
	free(A.vis);
	A.vis = NULL;
	A.nvis = 0;
	for (size_t s = 0; s < A.nshards; s++) {
		free(A.err[s]);
		A.err[s] = NULL;
		A.job[s] = 0;	/* late answers are dropped */
	}
	free(A.job);
	free(A.err);
	free(A.answered);
	A.job = NULL;
	A.err = NULL;
	A.answered = NULL;
	A.nshards = 0;
	autopay_keys_free(&A.marks, &A.nmarks);
	autopay_rerun_reset();
	A.filter[0] = '\0';
}

static void autopay_update(struct app *app, void *st)
{
	(void)st;
	if (A.nshards && !autopay_rerun_busy() &&
	    app->mono - A.loaded_at >= AUTOPAY_REFRESH_MS)
		autopay_reload(app);
}

static void autopay_resize(struct app *app, void *st)
{
	(void)st;
	(void)app;
}

static int body_rows(void)
{
	return LINES - 6;	/* header x2, totals, shards, headings, status */
}

static void clamp(void)
{
	long page = body_rows();

	if (A.sel >= (long)A.nvis)
		A.sel = (long)A.nvis - 1;
	if (A.sel < 0)
		A.sel = 0;
	if (A.top > A.sel)
		A.top = A.sel;
	if (page > 0 && A.sel >= A.top + page)
		A.top = A.sel - page + 1;
	if (A.top < 0)
		A.top = 0;
}

static void draw_totals(int y)
{
	static const char *const statuses[] = {
		"needs_rerun", "rerun_pending", "rerun_done", "paid_other",
		"not_eligible",
	};
	long long sum[6] = { 0 }, total = 0;
	int count[6] = { 0 };
	char line[600], m[64];
	size_t j = 0;

	for (size_t i = 0; i < A.nvis; i++) {
		const struct ap_row *r = &A.rows[A.vis[i]];
		int k = status_rank(r->status);

		count[k]++;
		if (r->amount > 0) {
			sum[k] += r->amount;
			total += r->amount;
		}
	}
	j += (size_t)snprintf(line + j, sizeof line - j, "%zu invoices %s:", A.nvis,
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

static void draw_shards(struct app *app, int y)
{
	char line[800];
	size_t j = 0, loading = 0, bad = 0;

	for (size_t s = 0; s < A.nshards; s++)
		if (A.job[s] && !A.answered[s])
			loading++;
	for (size_t s = 0; s < A.nshards && j + 1 < sizeof line; s++) {
		if (!A.err[s])
			continue;
		j += text_printf(line + j, sizeof line - j, "%s%s: %s",
				 bad++ ? "; " : "did not answer: ",
				 shard_poller_name(app->pollers[s]), A.err[s]);
	}
	if (bad) {
		draw_text(y, 0, COLS, line, draw_attr(PAINT_BAD), 0);
		return;
	}
	if (loading)
		snprintf(line, sizeof line, "loading: %zu of %zu shards answered",
			 A.nshards - loading, A.nshards);
	else
		snprintf(line, sizeof line, "all %zu shards answered%s%s", A.nshards,
			 A.filter[0] ? "  filter: " : "", A.filter);
	draw_text(y, 0, COLS, line, draw_attr(PAINT_DIM), 0);
}

/* Column widths: mark, invoice, biller, shard, amount, failed, status,
 * rerun, exception (the rest). */
static void autopay_draw(struct app *app, void *st)
{
	int w_inv = 22, w_bil = 20, w_sh = 8, w_am = 11, w_fail = 11, w_st = 13;
	int w_rr = 16, x;
	int rows = body_rows();
	char buf[512], m[64], t[16];

	(void)st;
	clamp();
	erase();
	draw_header(app);
	draw_totals(2);
	draw_shards(app, 3);
	if (COLS < 120) {
		w_bil = 14;
		w_rr = 10;
	}
	move(4, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	snprintf(buf, sizeof buf, "  %-*s %-*s %-*s %*s %-*s %-*s %-*s %s", w_inv,
		 "INVOICE", w_bil, "BILLER", w_sh, "SHARD", w_am, "AMOUNT", w_fail,
		 "FAILED UTC", w_st, "STATUS", w_rr, "RERUN", "EXCEPTION");
	draw_text(4, 0, COLS, buf, draw_attr(PAINT_HEADER), 0);
	for (int i = 0; i < rows && A.top + i < (long)A.nvis; i++) {
		const struct ap_row *r = &A.rows[A.vis[A.top + i]];
		bool sel = A.top + i == A.sel;
		attr_t a = sel ? draw_attr(PAINT_SELECTED)
			       : (r->demo ? draw_attr(PAINT_DIM) : 0);
		const struct ap_key *ans = autopay_answer(r->shard, r->invoice);
		const char *rr = ans ? ans->word : r->rr_status;
		int y = 5 + i;

		move(y, 0);
		attrset(a);
		hline(' ', COLS);
		x = 0;
		draw_text(y, x, 1, mark_of(r->shard, r->invoice)
				   ? "*" : " ", a | A_BOLD, 0);
		x += 2;
		draw_text(y, x, w_inv, r->invoice, a, 0);
		x += w_inv + 1;
		text_printf(buf, sizeof buf, "%s%s", *r->biller ? r->biller : r->biller_id,
			    r->demo ? " [demo]" : "");
		draw_text(y, x, w_bil, buf, a, 0);
		x += w_bil + 1;
		draw_text(y, x, w_sh, shard_poller_name(app->pollers[r->shard]), a, 0);
		x += w_sh + 1;
		draw_text(y, x, w_am, autopay_money(m, sizeof m, r->amount), a, 1);
		x += w_am + 1;
		if (r->failed_at == BT_NO_TIME) {
			snprintf(buf, sizeof buf, "?");
		} else {
			int64_t ago = app->now != BT_NO_TIME
					      ? app->now - r->failed_at : 0;

			fmt_clock(t, sizeof t, r->failed_at, 0);
			t[5] = '\0';
			if (ago > 20 * 3600 * 1000LL)
				snprintf(buf, sizeof buf, "%s -%s", t,
					 fmt_age(m, sizeof m, ago));
			else
				snprintf(buf, sizeof buf, "%s", t);
		}
		draw_text(y, x, w_fail, buf, a, 0);
		x += w_fail + 1;
		draw_text(y, x, w_st, r->status,
			  sel ? a : (!strcmp(r->status, "needs_rerun")
					     ? draw_attr(PAINT_FAILED) : a), 0);
		x += w_st + 1;
		draw_text(y, x, w_rr, rr, a, 0);
		x += w_rr + 1;
		if (x < COLS)
			draw_text(y, x, COLS - x, r->exception, a, 0);
	}
	if (A.nvis == 0)
		draw_text(6, 2, COLS - 4, A.n ? "no invoice matches the filter"
				  : "no failed autopay invoice (yet)",
			  draw_attr(PAINT_DIM), 0);
	if (A.editing) {
		snprintf(buf, sizeof buf, "filter: %s", A.edit);
		move(LINES - 1, 0);
		clrtoeol();
		draw_text(LINES - 1, 0, COLS, buf, A_BOLD, 0);
		return;
	}
	snprintf(buf, sizeof buf, "%zu marked  sort:%s  / filter  Space mark  "
		 "r rerun marked  s sort  q or Esc back", A.nmarks, sort_names[A.sort]);
	if (A.nvis) {
		/* The answer to the selected invoice's rerun, in full. */
		const struct ap_row *r = &A.rows[A.vis[A.sel]];
		const struct ap_key *ans = autopay_answer(r->shard, r->invoice);

		if (ans)
			text_printf(buf, sizeof buf, "%s %s: %s", r->invoice, ans->word,
				    ans->detail);
	}
	draw_statusbar(app, buf);
}

/* --- reruns ---------------------------------------------------------------------- */

/* The invoices r (the marked ones, else the selected one) would rerun;
 * the caller frees.  NULL after saying why there are none. */
static const struct ap_row **candidates(struct app *app, size_t *ncand)
{
	const struct ap_row **cand;

	*ncand = 0;
	if (app->readonly) {
		screen_message(app, "read-only: reruns are off (started with --readonly "
			   "or readonly = true)");
		return NULL;
	}
	if (autopay_rerun_busy()) {
		screen_message(app, "waiting for the answers to the last reruns");
		return NULL;
	}
	cand = xcalloc(A.n + 1, sizeof *cand);
	for (size_t i = 0; i < A.n; i++)
		if (mark_of(A.rows[i].shard, A.rows[i].invoice))
			cand[(*ncand)++] = &A.rows[i];
	if (!*ncand && A.nvis)
		cand[(*ncand)++] = &A.rows[A.vis[A.sel]];
	if (!*ncand) {
		screen_message(app, "nothing to rerun: mark invoices with Space");
		free(cand);
		return NULL;
	}
	return cand;
}

static void rerun_marked(struct app *app)
{
	size_t ncand;
	const struct ap_row **cand = candidates(app, &ncand);

	if (!cand)
		return;
	autopay_rerun_open(app, cand, ncand);
	free(cand);
}

/* --- keys --------------------------------------------------------------------------- */

static void set_filter(const char *text)
{
	snprintf(A.filter, sizeof A.filter, "%s", text);
	A.sel = A.top = 0;
	rebuild();
}

static bool edit_key(int key)
{
	size_t len = strlen(A.edit);

	if (key == 27) {
		A.editing = false;
		set_filter(A.saved);
	} else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		A.editing = false;
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		while (len > 0 && ((unsigned char)A.edit[len - 1] & 0xC0) == 0x80)
			len--;
		if (len > 0)
			len--;
		A.edit[len] = '\0';
		set_filter(A.edit);
	} else if (key >= 32 && key < 256 && key != 127 && len + 1 < sizeof A.edit) {
		A.edit[len] = (char)key;
		A.edit[len + 1] = '\0';
		set_filter(A.edit);
	}
	return true;
}

static bool autopay_key(struct app *app, void *st, enum action act, int key)
{
	long page = body_rows() > 1 ? body_rows() - 1 : 1;

	(void)st;
	if (A.editing)
		return edit_key(key);
	switch (act) {
	case ACT_UP: A.sel--; break;
	case ACT_DOWN: A.sel++; break;
	case ACT_PAGE_UP: A.sel -= page; A.top -= page; break;
	case ACT_PAGE_DOWN: A.sel += page; A.top += page; break;
	case ACT_HOME: A.sel = 0; break;
	case ACT_END: A.sel = (long)A.nvis - 1; break;
	case ACT_FILTER:
		A.editing = true;
		snprintf(A.saved, sizeof A.saved, "%s", A.filter);
		snprintf(A.edit, sizeof A.edit, "%s", A.filter);
		return true;
	case ACT_SORT_NEXT:
		A.sort = (enum ap_sort)((A.sort + 1) % AS__COUNT);
		rebuild();
		screen_message(app, "sorted by %s", sort_names[A.sort]);
		return true;
	case ACT_MARK:
		if (A.nvis) {
			const struct ap_row *r = &A.rows[A.vis[A.sel]];
			struct ap_key *k = mark_of(r->shard, r->invoice);

			if (k) {
				free(k->invoice);
				*k = A.marks[--A.nmarks];
			} else {
				autopay_key_add(&A.marks, &A.nmarks, r->shard, r->invoice);
			}
			A.sel++;
		}
		break;
	case ACT_RERUN:
		rerun_marked(app);
		return true;
	case ACT_REFRESH:
		autopay_reload(app);
		screen_message(app, "reloading the failed invoices of every shard");
		return true;
	case ACT_BACK:
		if (A.filter[0]) {
			set_filter("");
			return true;
		}
		return false;	/* the loop pops the screen */
	default:
		return false;
	}
	clamp();
	return true;
}

const struct screen screen_autopay = {
	.name = "autopay",
	.enter = autopay_enter,
	.leave = autopay_leave,
	.update = autopay_update,
	.draw = autopay_draw,
	.key = autopay_key,
	.resize = autopay_resize,
};
