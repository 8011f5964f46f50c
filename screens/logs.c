/*
 * logs.c - the log viewer: a biller's (or one batch's) lines from the
 * shard's batchtop.job_log and from New Relic Logs, merged in time order.
 *
 * Data flow: the lines live in a struct joblines (src/core/joblines.h), a ring of
 * at most log_lines lines.  The shard's lines come through its query
 * worker (src/query/query_joblog.c), one read job at a time, QUERY_JOBLOG_CHUNK
 * lines per job: first the newest page, then older pages (keyset paging on logged_at, log_id, along
 * the (biller_id, logged_at) or (batch_id, logged_at) index) until the
 * ring is full or the shard has no more; then, in follow mode, lines with
 * a log_id above the highest seen, on every new snapshot of the shard or
 * every poll_interval.  New Relic's lines come from newrelic_request_logs()
 * and are merged when the answer is there.  Nothing here waits: a biller
 * with a million lines shows its newest page as soon as it arrives.
 *
 * What is shown is an index (`vis`) of the ring's lines at or above the
 * level filter, rebuilt when the ring or the filter changes.  The cursor
 * is remembered as a line's key (time, source, id), so it stays on its
 * line when older lines arrive or the oldest are dropped.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ui/draw.h"
#include "ui/listcursor.h"
#include "screens/drilldown.h"
#include "screens/logs.h"
#include "data/log.h"
#include "core/joblines.h"
#include "screens/logs_lines.h"
#include "data/newrelic.h"
#include "screens/screens.h"
#include "query/query_joblog.h"
#include "data/shard_query.h"
#include "core/text.h"
#include "core/textwrap.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

/* What logs_screen_open() asks enter to show. */
struct logs_arg {
	int shard;
	const char *biller_id, *batch_id, *open_at_batch;
};

/* --- the shard's lines ----------------------------------------------------------- */

static void submit(struct app *app, struct logs_st *L, enum joblog_page f)
{
	struct shard_query *q = app->queries ? app->queries[L->shard] : NULL;

	if (!q)
		return;
	L->job = shard_query_submit(q, query_joblog_job(JOB_LOGS, f, L->biller_id,
		L->batch_id, f == JOBLOG_OLDER ? L->oldest_id : L->max_id));
	L->job_shard = L->shard;
	L->job_fetch = f;
	if (f == JOBLOG_NEWER) {
		L->newer_gen = app->gens[L->shard];
		L->newer_mono = app->mono;
		L->more_newer = false;
	}
}

/* Start the next job when none is out: older pages until the ring is
 * full, then forward pages while following. */
static void pump(struct app *app, struct logs_st *L)
{
	if (L->job || !L->buf)
		return;
	if (!L->have_newest) {
		if (app->mono >= L->retry_mono)
			submit(app, L, JOBLOG_NEWEST);
		return;
	}
	if (!L->back_done && L->buf->len < L->buf->cap) {
		if (app->mono >= L->retry_mono)
			submit(app, L, JOBLOG_OLDER);
		return;
	}
	if (L->follow && (L->more_newer || app->gens[L->shard] != L->newer_gen ||
			 app->mono - L->newer_mono >=
				 (int64_t)app->cfg->poll_interval * 1000))
		submit(app, L, JOBLOG_NEWER);
}

static void view_changed(struct app *app, struct logs_st *L);

/* Merge the rows of a page; returns how many lines it had. */
static int take_rows(struct logs_st *L, const PGresult *res, enum joblog_page f)
{
	size_t n = 0;
	struct log_line *v = query_joblog_parse(res, f, &n, &L->max_id);

	if (n > 0 && f != JOBLOG_NEWER)
		L->oldest_id = v[n - 1].id;	/* pages come newest first */
	joblines_merge(L->buf, v, n);
	free(v);
	return (int)n;
}

/* The viewer waiting for job, or NULL. */
static struct logs_st *waiting_for(const struct app *app,
				   const struct sq_job *job)
{
	for (int i = app->depth - 1; i >= 0; i--) {
		struct logs_st *L = app->stack[i].st;

		if (app->stack[i].s == &screen_logs && L->job &&
		    job->id == L->job && job->shard == L->job_shard)
			return L;
	}
	return NULL;
}

static void on_job(struct app *app, struct sq_job *job)
{
	struct logs_st *L = waiting_for(app, job);
	enum joblog_page f;
	int n;

	if (!L) {
		sq_job_free(job);	/* for a viewer since closed */
		return;
	}
	f = L->job_fetch;
	L->job = 0;
	if (job->status != SQ_OK) {
		snprintf(L->db_err, sizeof L->db_err, "%s",
			 job->error[0] ? job->error : "the query failed");
		L->retry_mono = app->mono + (int64_t)app->cfg->poll_interval * 1000;
		sq_job_free(job);
		app->dirty = true;
		return;
	}
	L->db_err[0] = '\0';
	n = take_rows(L, job->res, f);
	if (f == JOBLOG_NEWEST) {
		L->have_newest = true;
		log_msg(LOG_INFO, "logs of %s: newest %d lines in %lld ms",
			L->batch_id[0] ? L->batch_id : L->biller_id, n,
			(long long)job->ms);
	}
	if (f != JOBLOG_NEWER && (n < QUERY_JOBLOG_CHUNK || L->buf->len >= L->buf->cap))
		L->back_done = true;
	if (f == JOBLOG_NEWER && n == QUERY_JOBLOG_CHUNK)
		L->more_newer = true;
	sq_job_free(job);
	view_changed(app, L);
	pump(app, L);
}

/* --- New Relic's lines ----------------------------------------------------------- */

static void nr_request(struct app *app, struct logs_st *L)
{
	char *err = NULL;

	L->ticket = newrelic_request_logs(app->nr, L->biller_id,
					 L->batch_id[0] ? L->batch_id : NULL,
					 L->nr_since, &err);
	if (!L->ticket) {
		L->nr = NR_ERROR;
		snprintf(L->nr_msg, sizeof L->nr_msg, "%s", err ? err : "cannot ask");
		free(err);
		L->nr_next_mono = app->mono + 10000;
		return;
	}
	if (L->nr == NR_ABSENT)
		L->nr = NR_LOADING;	/* an error stays shown while we try again */
}

static void nr_pump(struct app *app, struct logs_st *L)
{
	struct newrelic_logs *res;

	if (!app->nr || !L->buf)
		return;
	if (!L->ticket) {
		if (L->nr == NR_ABSENT || ((L->follow || L->nr == NR_ERROR) &&
					  app->mono >= L->nr_next_mono))
			nr_request(app, L);
		return;
	}
	res = newrelic_take_logs(app->nr, L->ticket);
	if (!res)
		return;
	L->ticket = 0;
	L->nr_next_mono = app->mono + (int64_t)app->cfg->nr_poll_interval * 1000;
	if (!res->ok) {
		L->nr = NR_ERROR;
		snprintf(L->nr_msg, sizeof L->nr_msg, "%s",
			 res->error ? res->error : "no answer");
	} else {
		size_t n = 0;
		struct log_line *v = logs_lines_from_nr(res, L->batch_id, &n,
							&L->nr_since);

		joblines_merge(L->buf, v, n);
		free(v);
		L->nr = NR_OK;
		L->nr_msg[0] = '\0';
		if (res->warning)
			snprintf(L->nr_msg, sizeof L->nr_msg, "%s", res->warning);
	}
	newrelic_logs_free(res);
	view_changed(app, L);
}

/* --- the view ------------------------------------------------------------------------ */

const struct log_line *logs_vis_line(const struct logs_st *L, size_t i)
{
	return joblines_at(L->buf, L->vis[i]);
}

void logs_remember_cursor(struct logs_st *L)
{
	L->has_key = L->nvis > 0;
	if (L->has_key) {
		const struct log_line *l = logs_vis_line(L, (size_t)L->lc.sel);

		L->cur_key.ts = l->ts;
		L->cur_key.src = l->src;
		L->cur_key.id = l->id;
	}
}

static int body_rows(void)
{
	return LINES - 5;	/* header 2, title, sources, status */
}

static void clamp_cursor(struct logs_st *L)
{
	listcursor_clamp(&L->lc, L->nvis, body_rows());
}

/* Rebuild vis if the ring or the filter changed; keep the cursor on its
 * line (or the next one shown). */
static void rebuild_vis(struct logs_st *L)
{
	long rel = L->lc.sel - L->lc.top;

	if (L->vis_valid && L->vis_gen == L->buf->gen && L->vis_level == L->min_level)
		return;
	if (L->vis_cap < L->buf->len + 1) {
		L->vis_cap = L->buf->len + 1;
		L->vis = xrealloc(L->vis, L->vis_cap * sizeof *L->vis);
	}
	L->nvis = logs_lines_index(L->buf, L->min_level, L->vis, L->held);
	L->vis_gen = L->buf->gen;
	L->vis_level = L->min_level;
	L->vis_valid = true;
	if (L->has_key) {
		L->lc.sel = (long)logs_lines_lower_bound(L->buf, L->vis, L->nvis,
						     &L->cur_key);
		L->lc.top = L->lc.sel - rel;
	}
	clamp_cursor(L);
}

/* The first error of the anchor batch (or of any batch shown). */
static void find_anchor(struct logs_st *L)
{
	for (size_t i = 0; i < L->nvis; i++) {
		const struct log_line *l = logs_vis_line(L, i);

		if (l->level == LB_ERROR &&
		    (!L->anchor[0] || !strcmp(l->batch_id, L->anchor_shown))) {
			L->lc.sel = (long)i;
			L->lc.top = L->lc.sel - 3;	/* a little context above */
			L->anchored = true;
			return;
		}
	}
	L->anchored = false;
	L->lc.sel = (long)L->nvis - 1;	/* none (yet): the newest line */
	L->lc.top = L->lc.sel;
}

static void view_changed(struct app *app, struct logs_st *L)
{
	rebuild_vis(L);
	if (L->follow)
		L->lc.sel = (long)L->nvis - 1;
	else if (!L->moved)
		find_anchor(L);
	clamp_cursor(L);
	logs_remember_cursor(L);
	app->dirty = true;
}

/* --- opening and closing ----------------------------------------------------------- */

void logs_screen_open(struct app *app, int shard, const char *biller_id,
		      const char *batch_id, const char *open_at_batch)
{
	struct logs_arg arg = { shard, biller_id, batch_id, open_at_batch };

	if (shard < 0 || (size_t)shard >= app->npollers || !biller_id)
		return;
	screen_push(app, &screen_logs, &arg);
}

static void logs_enter(struct app *app, void *st, const void *arg)
{
	struct logs_st *L = st;
	const struct logs_arg *a = arg;
	int64_t now = app->now != BT_NO_TIME ? app->now : wall_ms();

	app_on_job(JOB_LOGS, on_job);
	L->shard = a->shard;
	L->biller_id = xstrdup(a->biller_id);
	L->batch_id = xstrdup(a->batch_id ? a->batch_id : "");
	L->anchor = xstrdup(a->open_at_batch ? a->open_at_batch : "");
	L->anchor_shown = text_sanitize(L->anchor, (size_t)-1);
	L->buf = joblines_new((size_t)app->cfg->log_lines);
	L->nr_since = now - (int64_t)app->cfg->night_hours * 3600 * 1000;
	if (L->nr_since < 0)
		L->nr_since = 0;
	L->min_level = LB_DEBUG;
	pump(app, L);
	nr_pump(app, L);
}

static void logs_leave(struct app *app, void *st)
{
	struct logs_st *L = st;

	/* Another viewer's jobs on the queue must still come: then ours are
	 * only dropped when they come. */
	if (app->queries && app->queries[L->shard] && !screen_other_instance(app, &screen_logs, L))
		shard_query_cancel(app->queries[L->shard], JOB_LOGS);
	if (app->nr && L->ticket)
		newrelic_cancel_logs(app->nr, L->ticket);
	joblines_free(L->buf);
	free(L->vis);
	free(L->biller_id);
	free(L->batch_id);
	free(L->anchor);
	free(L->anchor_shown);
	logs_search_free(L);
}

static void logs_update(struct app *app, void *st)
{
	struct logs_st *L = st;

	pump(app, L);
	nr_pump(app, L);
	if (L->buf && (!L->vis_valid || L->vis_gen != L->buf->gen))
		view_changed(app, L);
}

/* --- drawing ------------------------------------------------------------------------- */

#define PREFIX_COLS 24		/* "MM-DD HH:MM:SS db ERROR " */

static attr_t level_attr(const struct log_line *l)
{
	switch (l->level) {
	case LB_ERROR: return draw_attr(PAINT_FAILED);
	case LB_WARN: return draw_attr(PAINT_AT_RISK);
	case LB_DEBUG: return draw_attr(PAINT_DIM);
	default: return 0;
	}
}

/* Screen rows line i takes in wrap mode. */
static int line_height(const struct logs_st *L, size_t i)
{
	char *rest;
	const char *s;
	int h = 0, w = COLS - PREFIX_COLS;

	if (!L->wrap || w < 1)
		return 1;
	rest = logs_lines_rest(logs_vis_line(L, i), L->biller_id, L->batch_id);
	for (s = rest; *s; h++)
		s += textwrap_line(s, w, NULL);
	free(rest);
	return h ? h : 1;
}

static void place(struct logs_st *L)
{
	long used = 0;

	listcursor_clamp(&L->lc, L->nvis, body_rows());
	if (!L->wrap)
		return;
	/* Wrapped lines take a row or more: scroll on until the cursor's
	 * line fits whole. */
	for (long i = L->lc.top; i <= L->lc.sel && i < (long)L->nvis; i++)
		used += line_height(L, (size_t)i);
	while (used > body_rows() && L->lc.top < L->lc.sel)
		used -= line_height(L, (size_t)L->lc.top++);
}

static void draw_title(struct app *app, struct logs_st *L)
{
	const struct biller *b = drilldown_find_biller(app, L->shard, L->biller_id);
	char buf[1200], what[300];

	char *id = text_escape(L->biller_id);

	if (L->batch_id[0]) {
		const char *t = L->batch_id;
		size_t n = strlen(L->biller_id);
		char *e;

		if (!strncmp(t, L->biller_id, n) && t[n] == '-' && t[n + 1])
			t += n + 1;
		e = text_escape(t);
		text_printf(what, sizeof what, "batch %s", e);
		free(e);
	} else {
		snprintf(what, sizeof what, "all batches");
	}
	/* The modes first: they must stay visible on a narrow terminal. */
	text_printf(buf, sizeof buf, "LOGS level %s%s%s  %s (%s)  %s  shard %s",
		    lb_level_filter_name(L->min_level), L->follow ? "  FOLLOW" : "",
		    L->wrap ? "  wrap" : "", b && b->known ? b->name : id,
		    id, what, shard_poller_name(app->pollers[L->shard]));
	free(id);
	move(2, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	draw_text(2, 0, COLS, buf, draw_attr(PAINT_HEADER), 0);
}

static void draw_sources(struct app *app, struct logs_st *L)
{
	char db[320], nr[320], all[700];
	attr_t a = 0;

	if (L->db_err[0])
		snprintf(db, sizeof db, "db: error: %s (retrying)", L->db_err);
	else if (!L->have_newest)
		snprintf(db, sizeof db, "db: loading...");
	else
		snprintf(db, sizeof db, "db: %zu line%s%s", L->held[LB_DB],
			 L->held[LB_DB] == 1 ? "" : "s",
			 !L->back_done ? ", loading older..." : "");
	nr[0] = '\0';
	switch (app->nr ? L->nr : NR_ABSENT) {
	case NR_ABSENT:
		break;
	case NR_LOADING:
		snprintf(nr, sizeof nr, "  New Relic: loading...");
		break;
	case NR_OK:
		snprintf(nr, sizeof nr, "  New Relic: %zu line%s%s%s", L->held[LB_NR],
			 L->held[LB_NR] == 1 ? "" : "s", L->nr_msg[0] ? ": " : "",
			 L->nr_msg);
		break;
	case NR_ERROR:
		snprintf(nr, sizeof nr, "  New Relic: error: %s", L->nr_msg);
		a = draw_attr(PAINT_WARN);
		break;
	}
	snprintf(all, sizeof all, "%s%s%s%s", db, nr,
		 L->buf && L->buf->dropped ? "  (oldest dropped: log_lines)" : "",
		 L->have_newest && L->back_done && L->anchor[0] && !L->anchored &&
				 !L->moved && !L->follow
			 ? "  no error line of this batch" : "");
	move(3, 0);
	clrtoeol();
	draw_text(3, 0, COLS, all, L->db_err[0] ? draw_attr(PAINT_WARN) : a, 0);
}

static void draw_lines(struct logs_st *L)
{
	int rows = body_rows(), y = 4, w = COLS - PREFIX_COLS;

	for (long i = L->lc.top; i < (long)L->nvis && y < 4 + rows; i++) {
		const struct log_line *l = logs_vis_line(L, (size_t)i);
		bool sel = i == L->lc.sel;
		attr_t a = sel ? draw_attr(PAINT_SELECTED) : level_attr(l);
		char prefix[64];
		char *rest = logs_lines_rest(l, L->biller_id, L->batch_id);

		logs_lines_prefix(prefix, sizeof prefix, l);
		if (sel) {
			move(y, 0);
			attrset(a);
			hline(' ', COLS);
		}
		draw_text(y, 0, PREFIX_COLS, prefix, a, 0);
		if (!L->wrap || w < 1) {
			logs_draw_marked(L, y, PREFIX_COLS, w,
					 textwrap_skip(rest, L->hscroll), a);
			y++;
		} else {
			const char *s = rest;

			do {
				size_t n = textwrap_line(s, w, NULL);
				char *part = xstrndup(s, n);

				if (sel && s != rest) {
					move(y, 0);
					attrset(a);
					hline(' ', COLS);
				}
				logs_draw_marked(L, y, PREFIX_COLS, w, part, a);
				free(part);
				s += n;
				y++;
			} while (*s && y < 4 + rows);
		}
		free(rest);
	}
	if (L->nvis == 0)
		draw_text(5, 2, COLS - 4, !L->have_newest ? "loading..."
				: L->buf && L->buf->len ? "no line at this level (v)"
				: "no log line", draw_attr(PAINT_DIM), 0);
}

/* The status bar: where the cursor is, the search's matches, then the
 * main keys from the keymap in what is left. */
static void draw_status(struct app *app, struct logs_st *L)
{
	static const struct key_hint hints[] = {
		{ ACT_SEARCH, "search" }, { ACT_SEARCH_NEXT, "next" },
		{ ACT_FOLLOW, "follow" }, { ACT_WRAP, "wrap" },
		{ ACT_LEVEL, "level" }, { ACT_SAVE, "save" },
		{ ACT_OPEN, "detail" }, { ACT_BACK, "back" },
	};
	char where[128], matches[64], keys[512], all[700];
	int room;

	logs_matches_text(L, matches, sizeof matches);
	snprintf(where, sizeof where, "%ld/%zu%s%s", L->nvis ? L->lc.sel + 1 : 0,
		 L->nvis, matches[0] ? "  " : "", matches);
	room = COLS - (app->readonly ? 11 : 0) - text_width(where) - 2;
	draw_footer_text(app, "logs", hints, sizeof hints / sizeof hints[0],
			 room, keys, sizeof keys);
	snprintf(all, sizeof all, "%s  %s", where, keys);
	draw_statusbar(app, all);
}

static void logs_draw(struct app *app, void *st)
{
	struct logs_st *L = st;

	rebuild_vis(L);
	place(L);
	erase();
	draw_header(app);
	draw_title(app, L);
	draw_sources(app, L);
	draw_lines(L);
	if (L->prompt != P_NONE)
		logs_prompt_draw(L);
	else
		draw_status(app, L);
}

/* --- keys --------------------------------------------------------------------------- */

static bool logs_key(struct app *app, void *st, enum action act, int key)
{
	struct logs_st *L = st;
	long was = L->lc.sel;

	if (L->prompt != P_NONE) {
		logs_prompt_key(app, L, key);
		return true;
	}
	if (listcursor_key(&L->lc, act, L->nvis, body_rows())) {
		if (L->lc.sel < was)
			L->follow = false;	/* up, away from the newest */
		L->moved = true;
		logs_remember_cursor(L);
		return true;
	}
	switch (act) {
	case ACT_LEFT:
		L->hscroll = L->hscroll > 8 ? L->hscroll - 8 : 0;
		return true;
	case ACT_RIGHT:
		if (!L->wrap)
			L->hscroll += 8;
		return true;
	case ACT_WRAP:
		L->wrap = !L->wrap;
		L->hscroll = 0;
		return true;
	case ACT_LEVEL:
		L->min_level = (enum lb_level)((L->min_level + 1) % LB__LEVELS);
		rebuild_vis(L);
		logs_remember_cursor(L);
		screen_message(app, "showing %s", lb_level_filter_name(L->min_level));
		return true;
	case ACT_FOLLOW:
		L->follow = !L->follow;
		if (L->follow) {
			L->lc.sel = (long)L->nvis - 1;
			clamp_cursor(L);
			logs_remember_cursor(L);
			L->newer_mono = 0;	/* ask the shard now */
			L->nr_next_mono = 0;
			pump(app, L);
		}
		L->moved = true;
		screen_message(app, "follow %s", L->follow ? "on: new lines as they are written"
						      : "off");
		return true;
	case ACT_SEARCH:
		logs_prompt_open(L, P_SEARCH);
		return true;
	case ACT_SEARCH_NEXT: logs_search(app, L, +1); return true;
	case ACT_SEARCH_PREV: logs_search(app, L, -1); return true;
	case ACT_SAVE:
		logs_prompt_open(L, P_SAVE);
		return true;
	case ACT_OPEN:
		/* The biller's detail, over the viewer (which stays as it is). */
		biller_screen_open(app, L->shard, L->biller_id);
		return true;
	case ACT_BACK:
		screen_pop(app);
		return true;
	default:
		return false;
	}
}

const struct screen screen_logs = {
	.name = "logs",
	.state_size = sizeof(struct logs_st),
	.enter = logs_enter,
	.leave = logs_leave,
	.update = logs_update,
	.draw = logs_draw,
	.key = logs_key,
};
