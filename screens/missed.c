/*
 * missed.c - "missed the hour": the closes that missed their window
 * tonight and over the last 7 and 30 business days, on every shard,
 * grouped by payment type, module or biller, demo billers left out.
 *
 * Data flow: one read job per shard (the query below) on the shards'
 * query workers; the answers are kept per shard until every shard has
 * answered (or failed), then they replace the report shown, which names
 * the shards that did not answer.  The report is asked for again every
 * MISSED_REFRESH_MS while the screen is open.  Periods, groupings and
 * sorting are applied here (src/core/missed_report.c) without asking again.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ui/draw.h"
#include "ui/listcursor.h"
#include "core/missed_report.h"
#include "query/query_missed.h"
#include "screens/screens.h"
#include "data/shard_query.h"
#include "core/text.h"
#include "core/xalloc.h"

#define MISSED_REFRESH_MS 30000

struct answer {
	unsigned job;		/* outstanding, 0: answered */
	bool ok;
	char err[200];
	struct missed_rowset rs;
};

/* One instance of the screen (its state_size bytes). */
struct missed_st {
	struct answer *ans;	/* the run under way, one per shard */
	size_t nshards;
	bool running;
	int64_t done_mono;	/* when the last run ended */

	struct missed_rowset shown;
	bool have;
	char missing[600];	/* shards that did not answer, and why */
	size_t answered;

	enum missed_period period;
	enum missed_group_by by;
	enum missed_sort sort;
	bool reverse;
	struct missed_report rep;
	bool rep_valid;
	struct listcursor view;		/* top: the first line shown */
};

static void rebuild_report(struct missed_st *M)
{
	if (M->rep_valid)
		missed_report_free(&M->rep);
	missed_report_build(&M->rep, M->shown.rows, M->shown.nrows, M->period, M->by,
			    M->sort, M->reverse);
	M->rep_valid = true;
}

/* Every shard answered: their rows become the report shown. */
static void finish_run(struct app *app, struct missed_st *M)
{
	size_t n = 0, ns = 0, len = 0;

	missed_rowset_free(&M->shown);
	for (size_t i = 0; i < M->nshards; i++) {
		n += M->ans[i].rs.nrows;
		ns += M->ans[i].rs.nstrs;
	}
	M->shown.rows = xcalloc(n + 1, sizeof *M->shown.rows);
	M->shown.strs = xcalloc(ns + 1, sizeof *M->shown.strs);
	M->missing[0] = '\0';
	M->answered = 0;
	for (size_t i = 0; i < M->nshards; i++) {
		struct answer *a = &M->ans[i];

		/* A shard that did not answer has no arrays at all. */
		if (a->rs.nrows)
			memcpy(M->shown.rows + M->shown.nrows, a->rs.rows,
			       a->rs.nrows * sizeof *a->rs.rows);
		M->shown.nrows += a->rs.nrows;
		if (a->rs.nstrs)
			memcpy(M->shown.strs + M->shown.nstrs, a->rs.strs,
			       a->rs.nstrs * sizeof *a->rs.strs);
		M->shown.nstrs += a->rs.nstrs;
		free(a->rs.rows);
		free(a->rs.strs);
		memset(&a->rs, 0, sizeof a->rs);
		if (a->ok) {
			M->answered++;
		} else if (len + 1 < sizeof M->missing) {
			len += text_printf(M->missing + len, sizeof M->missing - len,
					   "%s%s: %s", len ? "; " : "",
					   shard_poller_name(app->pollers[i]), a->err);
		}
	}
	M->have = true;
	M->running = false;
	M->done_mono = app->mono;
	rebuild_report(M);
}

/* The instance waiting for job, or NULL. */
static struct missed_st *waiting_for(const struct app *app,
				     const struct sq_job *job)
{
	for (int i = app->depth - 1; i >= 0; i--) {
		struct missed_st *M = app->stack[i].st;

		if (app->stack[i].s == &screen_missed && M->running &&
		    job->shard >= 0 && (size_t)job->shard < M->nshards &&
		    M->ans[job->shard].job && M->ans[job->shard].job == job->id)
			return M;
	}
	return NULL;
}

static void on_job(struct app *app, struct sq_job *job)
{
	struct missed_st *M = waiting_for(app, job);
	struct answer *a;

	if (!M) {
		sq_job_free(job);	/* of a run given up */
		return;
	}
	a = &M->ans[job->shard];
	a->job = 0;
	a->ok = job->status == SQ_OK;
	if (a->ok)
		query_missed_parse(&a->rs, job->res, job->shard,
				   shard_poller_name(app->pollers[job->shard]));
	else
		snprintf(a->err, sizeof a->err, "%s",
			 job->error[0] ? job->error : "no answer");
	sq_job_free(job);
	for (size_t i = 0; i < M->nshards; i++)
		if (M->ans[i].job)
			return;		/* wait for the others */
	finish_run(app, M);
	app->dirty = true;
}

static void run(struct app *app, struct missed_st *M)
{
	if (M->running)
		return;
	for (size_t i = 0; i < M->nshards; i++) {
		struct answer *a = &M->ans[i];

		missed_rowset_free(&a->rs);
		a->ok = false;
		a->err[0] = '\0';
		a->job = 0;
		if (app->queries && app->queries[i])
			a->job = shard_query_submit(app->queries[i],
				query_missed_job(JOB_MISSED, app->cfg->night_hours,
						 app->cfg->window_minutes));
		else
			snprintf(a->err, sizeof a->err, "no query worker");
	}
	M->running = true;
	for (size_t i = 0; i < M->nshards; i++)
		if (M->ans[i].job)
			return;
	finish_run(app, M);
}

/* --- the screen ------------------------------------------------------------------- */

static void missed_enter(struct app *app, void *st, const void *arg)
{
	struct missed_st *M = st;

	(void)arg;
	app_on_job(JOB_MISSED, on_job);
	M->nshards = app->npollers;
	M->ans = xcalloc(M->nshards + 1, sizeof *M->ans);
	run(app, M);
}

static void missed_leave(struct app *app, void *st)
{
	struct missed_st *M = st;

	for (size_t i = 0; i < M->nshards; i++) {
		if (app->queries && app->queries[i])
			shard_query_cancel(app->queries[i], JOB_MISSED);
		missed_rowset_free(&M->ans[i].rs);
	}
	free(M->ans);
	missed_rowset_free(&M->shown);
	if (M->rep_valid)
		missed_report_free(&M->rep);
}

static void missed_update(struct app *app, void *st)
{
	struct missed_st *M = st;

	if (!M->running && app->mono - M->done_mono >= MISSED_REFRESH_MS)
		run(app, M);
}

/* --- drawing ------------------------------------------------------------------------ */

static int body_rows(void)
{
	return LINES - 6;	/* header 2, title, summary, headings, status */
}

static long report_lines(const struct missed_st *M)
{
	long n = 0;

	for (size_t i = 0; M->rep_valid && i < M->rep.ngroups; i++)
		n += 1 + (long)M->rep.groups[i].nitems;
	return n;
}

static void pct(char *buf, size_t n, long missed, long closes)
{
	if (closes > 0)
		snprintf(buf, n, "%.1f%%", 100.0 * (double)missed / (double)closes);
	else
		snprintf(buf, n, "-");
}

/* The table's columns: label (indented for items), shard, three numbers
 * at the right edge. */
#define WNUM 8
#define WSHARD 12

static void table_cells(int y, int indent, const char *label, const char *shard,
			const char *m, const char *c, const char *p, attr_t attr)
{
	int wlabel = COLS - indent - WSHARD - 3 * (WNUM + 1) - 1;

	draw_text(y, indent, wlabel, label, attr, 0);
	draw_text(y, COLS - 3 * (WNUM + 1) - WSHARD, WSHARD, shard ? shard : "",
		  attr, 0);
	draw_text(y, COLS - 3 * (WNUM + 1), WNUM, m, attr, 1);
	draw_text(y, COLS - 2 * (WNUM + 1), WNUM, c, attr, 1);
	draw_text(y, COLS - (WNUM + 1), WNUM, p, attr, 1);
}

static void table_line(int y, int indent, const char *label, const char *shard,
		       long missed, long closes, attr_t attr)
{
	char m[32], c[32], p[32];

	snprintf(m, sizeof m, "%ld", missed);
	snprintf(c, sizeof c, "%ld", closes);
	pct(p, sizeof p, missed, closes);
	table_cells(y, indent, label, shard, m, c, p, attr);
}

static void missed_draw(struct app *app, void *st)
{
	char buf[900];
	int rows = body_rows();
	struct missed_st *M = st;
	long total = report_lines(M), line = 0;
	static const struct key_hint hints[] = {
		{ ACT_PERIOD, "period" }, { ACT_GROUP, "group" },
		{ ACT_SORT_NEXT, "sort" }, { ACT_SORT_REVERSE, "reverse" },
		{ ACT_BACK, "back" },
	};

	/* A scroll, not a selection: top is the line kept in view. */
	M->view.sel = M->view.top;
	listcursor_clamp(&M->view, (size_t)total, rows);
	erase();
	draw_header(app);

	snprintf(buf, sizeof buf, "MISSED THE HOUR  %s  grouped by %s  sorted by %s%s",
		 missed_period_name(M->period), missed_group_name(M->by),
		 missed_sort_name(M->sort), M->reverse ? " (reversed)" : "");
	move(2, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	draw_text(2, 0, COLS, buf, draw_attr(PAINT_HEADER), 0);

	if (!M->have) {
		size_t waiting = 0;

		for (size_t i = 0; i < M->nshards; i++)
			waiting += M->ans[i].job != 0;
		snprintf(buf, sizeof buf, "asking %zu shard%s...", waiting,
			 waiting == 1 ? "" : "s");
		draw_text(3, 0, COLS, buf, draw_attr(PAINT_DIM), 0);
	} else {
		char p[32];
		size_t len;

		pct(p, sizeof p, M->rep.missed, M->rep.closes);
		len = (size_t)snprintf(buf, sizeof buf,
			"%ld of %ld closes missed their window (%s), %zu biller%s;"
			" %zu of %zu shards answered",
			M->rep.missed, M->rep.closes, p, M->rep.billers,
			M->rep.billers == 1 ? "" : "s", M->answered, M->nshards);
		if (M->missing[0] && len < sizeof buf)
			text_printf(buf + len, sizeof buf - len, "; not answered: %s",
				    M->missing);
		draw_text(3, 0, COLS, buf, M->missing[0] ? draw_attr(PAINT_WARN) : 0, 0);
	}
	move(4, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	attrset(A_NORMAL);
	table_cells(4, 0, M->by == MISSED_BY_BILLER ? "BILLER / TYPE/MODULE"
			  : M->by == MISSED_BY_TYPE ? "PAYMENT TYPE / BILLER"
			  : "MODULE / BILLER", "SHARD", "MISSED", "CLOSES", "RATE",
		    draw_attr(PAINT_HEADER));

	for (size_t g = 0; M->rep_valid && g < M->rep.ngroups; g++) {
		const struct missed_group *gr = &M->rep.groups[g];
		long y = 5 + line - M->view.top;

		if (line >= M->view.top && y < 5 + rows)
			table_line((int)y, 0, gr->label, gr->shard_name, gr->missed,
				   gr->closes, gr->missed ? A_BOLD : draw_attr(PAINT_DIM));
		line++;
		for (size_t k = 0; k < gr->nitems; k++, line++) {
			const struct missed_item *it = &gr->items[k];

			y = 5 + line - M->view.top;
			if (line >= M->view.top && y < 5 + rows)
				table_line((int)y, 2, it->label, it->shard_name,
					   it->missed, it->closes, 0);
		}
	}
	if (M->have && total == 0)
		draw_text(6, 2, COLS - 4, "no close in this period", draw_attr(PAINT_DIM), 0);
	draw_footer(app, "missed", hints, sizeof hints / sizeof hints[0]);
}

/* --- keys --------------------------------------------------------------------------- */

static bool missed_key(struct app *app, void *st, enum action act, int key)
{
	struct missed_st *M = st;
	long page = body_rows() > 1 ? body_rows() - 1 : 1;

	(void)key;
	switch (act) {
	case ACT_UP: M->view.top--; return true;
	case ACT_DOWN: M->view.top++; return true;
	case ACT_PAGE_UP: M->view.top -= page; return true;
	case ACT_PAGE_DOWN: M->view.top += page; return true;
	case ACT_HOME: M->view.top = 0; return true;
	case ACT_END: M->view.top = report_lines(M); return true;
	case ACT_PERIOD:
		M->period = (enum missed_period)((M->period + 1) % MISSED__PERIODS);
		break;
	case ACT_GROUP:
		M->by = (enum missed_group_by)((M->by + 1) % MISSED__GROUPINGS);
		break;
	case ACT_SORT_NEXT:
		M->sort = (enum missed_sort)((M->sort + 1) % MISSED__SORTS);
		break;
	case ACT_SORT_REVERSE:
		M->reverse = !M->reverse;
		break;
	case ACT_BACK:
		screen_pop(app);
		return true;
	default:
		return false;
	}
	M->view.top = 0;
	if (M->have)
		rebuild_report(M);
	return true;
}

const struct screen screen_missed = {
	.name = "missed",
	.state_size = sizeof(struct missed_st),
	.enter = missed_enter,
	.leave = missed_leave,
	.update = missed_update,
	.draw = missed_draw,
	.key = missed_key,
};
