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
#include "screens/drilldown.h"
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

enum prompt { P_NONE, P_SEARCH, P_SAVE, P_CONFIRM };

enum nr_state { NR_ABSENT, NR_LOADING, NR_OK, NR_ERROR };

static struct {
	/* What is shown. */
	int shard;
	/* Raw, whole ids: they are keys for the queries and comparisons. */
	char *biller_id;
	char *batch_id;			/* "" for the whole biller */
	char *anchor;			/* open at this batch's first error */
	char *anchor_shown;		/* the same, sanitized: log lines keep
					 * their batch id sanitized */
	struct joblines *buf;

	/* The shard's lines. */
	unsigned job;			/* outstanding job id, 0: none */
	int job_shard;
	enum joblog_page job_fetch;
	bool have_newest;		/* the first page arrived */
	bool back_done;			/* no older page to fetch */
	int64_t oldest_id;		/* of the oldest line paged backwards */
	int64_t max_id;			/* highest log_id asked about */
	bool more_newer;		/* the last forward page was full */
	unsigned newer_gen;		/* shard generation of the last forward */
	int64_t newer_mono, retry_mono;
	char db_err[200];

	/* New Relic's lines. */
	enum nr_state nr;
	unsigned ticket;
	int64_t nr_since;		/* epoch ms of the next request */
	int64_t nr_next_mono;		/* follow mode: ask again then */
	char nr_msg[240];

	/* The view. */
	enum lb_level min_level;
	size_t *vis, nvis, vis_cap;
	size_t held[2];			/* lines held per source (enum lb_source) */
	unsigned vis_gen;
	enum lb_level vis_level;
	bool vis_valid;
	long cur, top;
	struct log_line cur_key;	/* ts, src, id only */
	bool has_key;
	bool moved;			/* the user moved: stop anchoring */
	bool anchored;
	bool follow, wrap;
	int hscroll;

	enum prompt prompt;
	char edit[512];
	char search[512];
	char save_path[512];
} L;

/* --- the shard's lines ----------------------------------------------------------- */

static void submit(struct app *app, enum joblog_page f)
{
	struct shard_query *q = app->queries ? app->queries[L.shard] : NULL;

	if (!q)
		return;
	L.job = shard_query_submit(q, query_joblog_job(JOB_LOGS, f, L.biller_id,
		L.batch_id, f == JOBLOG_OLDER ? L.oldest_id : L.max_id));
	L.job_shard = L.shard;
	L.job_fetch = f;
	if (f == JOBLOG_NEWER) {
		L.newer_gen = app->gens[L.shard];
		L.newer_mono = app->mono;
		L.more_newer = false;
	}
}

/* Start the next job when none is out: older pages until the ring is
 * full, then forward pages while following. */
static void pump(struct app *app)
{
	if (L.job || !L.buf)
		return;
	if (!L.have_newest) {
		if (app->mono >= L.retry_mono)
			submit(app, JOBLOG_NEWEST);
		return;
	}
	if (!L.back_done && L.buf->len < L.buf->cap) {
		if (app->mono >= L.retry_mono)
			submit(app, JOBLOG_OLDER);
		return;
	}
	if (L.follow && (L.more_newer || app->gens[L.shard] != L.newer_gen ||
			 app->mono - L.newer_mono >=
				 (int64_t)app->cfg->poll_interval * 1000))
		submit(app, JOBLOG_NEWER);
}

static void view_changed(struct app *app);

/* Merge the rows of a page; returns how many lines it had. */
static int take_rows(const PGresult *res, enum joblog_page f)
{
	size_t n = 0;
	struct log_line *v = query_joblog_parse(res, f, &n, &L.max_id);

	if (n > 0 && f != JOBLOG_NEWER)
		L.oldest_id = v[n - 1].id;	/* pages come newest first */
	joblines_merge(L.buf, v, n);
	free(v);
	return (int)n;
}

static void on_job(struct app *app, struct sq_job *job)
{
	enum joblog_page f = L.job_fetch;
	int n;

	if (!L.job || job->id != L.job || job->shard != L.job_shard) {
		sq_job_free(job);	/* for a viewer since closed */
		return;
	}
	L.job = 0;
	if (job->status != SQ_OK) {
		snprintf(L.db_err, sizeof L.db_err, "%s",
			 job->error[0] ? job->error : "the query failed");
		L.retry_mono = app->mono + (int64_t)app->cfg->poll_interval * 1000;
		sq_job_free(job);
		app->dirty = true;
		return;
	}
	L.db_err[0] = '\0';
	n = take_rows(job->res, f);
	if (f == JOBLOG_NEWEST) {
		L.have_newest = true;
		log_msg(LOG_INFO, "logs of %s: newest %d lines in %lld ms",
			L.batch_id[0] ? L.batch_id : L.biller_id, n,
			(long long)job->ms);
	}
	if (f != JOBLOG_NEWER && (n < QUERY_JOBLOG_CHUNK || L.buf->len >= L.buf->cap))
		L.back_done = true;
	if (f == JOBLOG_NEWER && n == QUERY_JOBLOG_CHUNK)
		L.more_newer = true;
	sq_job_free(job);
	view_changed(app);
	pump(app);
}

/* --- New Relic's lines ----------------------------------------------------------- */

static void nr_request(struct app *app)
{
	char *err = NULL;

	L.ticket = newrelic_request_logs(app->nr, L.biller_id,
					 L.batch_id[0] ? L.batch_id : NULL,
					 L.nr_since, &err);
	if (!L.ticket) {
		L.nr = NR_ERROR;
		snprintf(L.nr_msg, sizeof L.nr_msg, "%s", err ? err : "cannot ask");
		free(err);
		L.nr_next_mono = app->mono + 10000;
		return;
	}
	if (L.nr == NR_ABSENT)
		L.nr = NR_LOADING;	/* an error stays shown while we try again */
}

static void nr_pump(struct app *app)
{
	struct newrelic_logs *res;

	if (!app->nr || !L.buf)
		return;
	if (!L.ticket) {
		if (L.nr == NR_ABSENT || ((L.follow || L.nr == NR_ERROR) &&
					  app->mono >= L.nr_next_mono))
			nr_request(app);
		return;
	}
	res = newrelic_take_logs(app->nr, L.ticket);
	if (!res)
		return;
	L.ticket = 0;
	L.nr_next_mono = app->mono + (int64_t)app->cfg->nr_poll_interval * 1000;
	if (!res->ok) {
		L.nr = NR_ERROR;
		snprintf(L.nr_msg, sizeof L.nr_msg, "%s",
			 res->error ? res->error : "no answer");
	} else {
		size_t n = 0;
		struct log_line *v = logs_lines_from_nr(res, L.batch_id, &n,
							&L.nr_since);

		joblines_merge(L.buf, v, n);
		free(v);
		L.nr = NR_OK;
		L.nr_msg[0] = '\0';
		if (res->warning)
			snprintf(L.nr_msg, sizeof L.nr_msg, "%s", res->warning);
	}
	newrelic_logs_free(res);
	view_changed(app);
}

/* --- the view ------------------------------------------------------------------------ */

static const struct log_line *vis_line(size_t i)
{
	return joblines_at(L.buf, L.vis[i]);
}

static void remember_cursor(void)
{
	L.has_key = L.nvis > 0;
	if (L.has_key) {
		const struct log_line *l = vis_line((size_t)L.cur);

		L.cur_key.ts = l->ts;
		L.cur_key.src = l->src;
		L.cur_key.id = l->id;
	}
}

static void clamp_cursor(void)
{
	if (L.cur >= (long)L.nvis)
		L.cur = (long)L.nvis - 1;
	if (L.cur < 0)
		L.cur = 0;
}

/* Rebuild vis if the ring or the filter changed; keep the cursor on its
 * line (or the next one shown). */
static void rebuild_vis(void)
{
	long rel = L.cur - L.top;

	if (L.vis_valid && L.vis_gen == L.buf->gen && L.vis_level == L.min_level)
		return;
	if (L.vis_cap < L.buf->len + 1) {
		L.vis_cap = L.buf->len + 1;
		L.vis = xrealloc(L.vis, L.vis_cap * sizeof *L.vis);
	}
	L.nvis = logs_lines_index(L.buf, L.min_level, L.vis, L.held);
	L.vis_gen = L.buf->gen;
	L.vis_level = L.min_level;
	L.vis_valid = true;
	if (L.has_key) {
		L.cur = (long)logs_lines_lower_bound(L.buf, L.vis, L.nvis,
						     &L.cur_key);
		L.top = L.cur - rel;
	}
	clamp_cursor();
}

/* The first error of the anchor batch (or of any batch shown). */
static void find_anchor(void)
{
	for (size_t i = 0; i < L.nvis; i++) {
		const struct log_line *l = vis_line(i);

		if (l->level == LB_ERROR &&
		    (!L.anchor[0] || !strcmp(l->batch_id, L.anchor_shown))) {
			L.cur = (long)i;
			L.top = L.cur - 3;	/* a little context above */
			L.anchored = true;
			return;
		}
	}
	L.anchored = false;
	L.cur = (long)L.nvis - 1;	/* none (yet): the newest line */
	L.top = L.cur;
}

static void view_changed(struct app *app)
{
	rebuild_vis();
	if (L.follow)
		L.cur = (long)L.nvis - 1;
	else if (!L.moved)
		find_anchor();
	clamp_cursor();
	remember_cursor();
	app->dirty = true;
}

/* --- opening and closing ----------------------------------------------------------- */

void logs_screen_open(struct app *app, int shard, const char *biller_id,
		      const char *batch_id, const char *open_at_batch)
{
	if (shard < 0 || (size_t)shard >= app->npollers || !biller_id)
		return;
	L.shard = shard;
	free(L.biller_id);
	free(L.batch_id);
	free(L.anchor);
	free(L.anchor_shown);
	L.biller_id = xstrdup(biller_id);
	L.batch_id = xstrdup(batch_id ? batch_id : "");
	L.anchor = xstrdup(open_at_batch ? open_at_batch : "");
	L.anchor_shown = text_sanitize(L.anchor, (size_t)-1);
	screen_push(app, &screen_logs, NULL);
}

static void logs_enter(struct app *app, void *st, const void *arg)
{
	int64_t now = app->now != BT_NO_TIME ? app->now : wall_ms();

	(void)st;
	(void)arg;
	app_on_job(JOB_LOGS, on_job);
	joblines_free(L.buf);
	L.buf = joblines_new((size_t)app->cfg->log_lines);
	L.job = 0;
	L.have_newest = L.back_done = L.more_newer = false;
	L.oldest_id = L.max_id = 0;
	L.newer_gen = 0;
	L.newer_mono = L.retry_mono = 0;
	L.db_err[0] = '\0';
	L.nr = NR_ABSENT;
	L.ticket = 0;
	L.nr_since = now - (int64_t)app->cfg->night_hours * 3600 * 1000;
	if (L.nr_since < 0)
		L.nr_since = 0;
	L.nr_next_mono = 0;
	L.nr_msg[0] = '\0';
	L.min_level = LB_DEBUG;
	L.nvis = 0;
	L.vis_valid = false;
	L.cur = L.top = 0;
	L.has_key = L.moved = L.anchored = false;
	L.follow = L.wrap = false;
	L.hscroll = 0;
	L.prompt = P_NONE;
	pump(app);
	nr_pump(app);
}

static void logs_leave(struct app *app, void *st)
{
	(void)st;
	if (app->queries && app->queries[L.shard])
		shard_query_cancel(app->queries[L.shard], JOB_LOGS);
	L.job = 0;			/* a late answer is dropped */
	if (app->nr && L.ticket)
		newrelic_cancel_logs(app->nr, L.ticket);
	L.ticket = 0;
	joblines_free(L.buf);
	L.buf = NULL;
	free(L.vis);
	L.vis = NULL;
	L.vis_cap = L.nvis = 0;
	L.vis_valid = false;
}

static void logs_update(struct app *app, void *st)
{
	(void)st;
	pump(app);
	nr_pump(app);
	if (L.buf && (!L.vis_valid || L.vis_gen != L.buf->gen))
		view_changed(app);
}

/* --- drawing ------------------------------------------------------------------------- */

#define PREFIX_COLS 24		/* "MM-DD HH:MM:SS db ERROR " */

static int body_rows(void)
{
	return LINES - 5;	/* header 2, title, sources, status */
}

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
static int line_height(size_t i)
{
	char *rest;
	const char *s;
	int h = 0, w = COLS - PREFIX_COLS;

	if (!L.wrap || w < 1)
		return 1;
	rest = logs_lines_rest(vis_line(i), L.biller_id, L.batch_id);
	for (s = rest; *s; h++)
		s += textwrap_line(s, w, NULL);
	free(rest);
	return h ? h : 1;
}

static void place(void)
{
	long rows = body_rows();

	clamp_cursor();
	if (L.top > L.cur)
		L.top = L.cur;
	if (!L.wrap) {
		if (L.cur >= L.top + rows)
			L.top = L.cur - rows + 1;
		if (L.top > (long)L.nvis - rows)
			L.top = (long)L.nvis - rows;
	} else {
		long used = 0;

		if (L.cur - L.top >= rows)
			L.top = L.cur - rows + 1;	/* each line takes a row or more */
		for (long i = L.top; i <= L.cur && i < (long)L.nvis; i++)
			used += line_height((size_t)i);
		while (used > rows && L.top < L.cur)
			used -= line_height((size_t)L.top++);
	}
	if (L.top < 0)
		L.top = 0;
}

static void draw_title(struct app *app)
{
	const struct biller *b = drilldown_find_biller(app, L.shard, L.biller_id);
	char buf[1200], what[300];

	char *id = text_escape(L.biller_id);

	if (L.batch_id[0]) {
		const char *t = L.batch_id;
		size_t n = strlen(L.biller_id);
		char *e;

		if (!strncmp(t, L.biller_id, n) && t[n] == '-' && t[n + 1])
			t += n + 1;
		e = text_escape(t);
		text_printf(what, sizeof what, "batch %s", e);
		free(e);
	} else {
		snprintf(what, sizeof what, "all batches");
	}
	/* The modes first: they must stay visible on a narrow terminal. */
	text_printf(buf, sizeof buf, "LOGS level %s%s%s  %s (%s)  %s  shard %s",
		    lb_level_filter_name(L.min_level), L.follow ? "  FOLLOW" : "",
		    L.wrap ? "  wrap" : "", b && b->known ? b->name : id,
		    id, what, shard_poller_name(app->pollers[L.shard]));
	free(id);
	move(2, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	draw_text(2, 0, COLS, buf, draw_attr(PAINT_HEADER), 0);
}

static void draw_sources(struct app *app)
{
	char db[320], nr[320], all[700];
	attr_t a = 0;

	if (L.db_err[0])
		snprintf(db, sizeof db, "db: error: %s (retrying)", L.db_err);
	else if (!L.have_newest)
		snprintf(db, sizeof db, "db: loading...");
	else
		snprintf(db, sizeof db, "db: %zu line%s%s", L.held[LB_DB],
			 L.held[LB_DB] == 1 ? "" : "s",
			 !L.back_done ? ", loading older..." : "");
	nr[0] = '\0';
	switch (app->nr ? L.nr : NR_ABSENT) {
	case NR_ABSENT:
		break;
	case NR_LOADING:
		snprintf(nr, sizeof nr, "  New Relic: loading...");
		break;
	case NR_OK:
		snprintf(nr, sizeof nr, "  New Relic: %zu line%s%s%s", L.held[LB_NR],
			 L.held[LB_NR] == 1 ? "" : "s", L.nr_msg[0] ? ": " : "",
			 L.nr_msg);
		break;
	case NR_ERROR:
		snprintf(nr, sizeof nr, "  New Relic: error: %s", L.nr_msg);
		a = draw_attr(PAINT_WARN);
		break;
	}
	snprintf(all, sizeof all, "%s%s%s%s", db, nr,
		 L.buf && L.buf->dropped ? "  (oldest dropped: log_lines)" : "",
		 L.have_newest && L.back_done && L.anchor[0] && !L.anchored &&
				 !L.moved && !L.follow
			 ? "  no error line of this batch" : "");
	move(3, 0);
	clrtoeol();
	draw_text(3, 0, COLS, all, L.db_err[0] ? draw_attr(PAINT_WARN) : a, 0);
}

static void draw_lines(void)
{
	int rows = body_rows(), y = 4, w = COLS - PREFIX_COLS;

	for (long i = L.top; i < (long)L.nvis && y < 4 + rows; i++) {
		const struct log_line *l = vis_line((size_t)i);
		bool sel = i == L.cur;
		attr_t a = sel ? draw_attr(PAINT_SELECTED) : level_attr(l);
		char prefix[64];
		char *rest = logs_lines_rest(l, L.biller_id, L.batch_id);

		logs_lines_prefix(prefix, sizeof prefix, l);
		if (sel) {
			move(y, 0);
			attrset(a);
			hline(' ', COLS);
		}
		draw_text(y, 0, PREFIX_COLS, prefix, a, 0);
		if (!L.wrap || w < 1) {
			draw_text(y, PREFIX_COLS, w, textwrap_skip(rest, L.hscroll), a, 0);
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
				draw_text(y, PREFIX_COLS, w, part, a, 0);
				free(part);
				s += n;
				y++;
			} while (*s && y < 4 + rows);
		}
		free(rest);
	}
	if (L.nvis == 0)
		draw_text(5, 2, COLS - 4, !L.have_newest ? "loading..."
				: L.buf && L.buf->len ? "no line at this level (v)"
				: "no log line", draw_attr(PAINT_DIM), 0);
}

static void logs_draw(struct app *app, void *st)
{
	char hint[1200];

	(void)st;
	if (!L.buf)
		return;
	rebuild_vis();
	place();
	erase();
	draw_header(app);
	draw_title(app);
	draw_sources(app);
	draw_lines();
	switch (L.prompt) {
	case P_SEARCH:
		snprintf(hint, sizeof hint, "search: %s", L.edit);
		break;
	case P_SAVE:
		snprintf(hint, sizeof hint, "save %zu lines to file: %s", L.nvis, L.edit);
		break;
	case P_CONFIRM:
		snprintf(hint, sizeof hint, "%s exists: overwrite it? (y/n)",
			 L.save_path);
		break;
	case P_NONE:
		snprintf(hint, sizeof hint, "%ld/%zu  / search  n/N next  v level  "
			 "f follow  w wrap  Left/Right  s save  q or Esc back",
			 L.nvis ? L.cur + 1 : 0, L.nvis);
		draw_statusbar(app, hint);
		return;
	}
	move(LINES - 1, 0);
	clrtoeol();
	draw_text(LINES - 1, 0, COLS, hint, A_BOLD, 0);
}

/* --- searching and saving -------------------------------------------------------------- */

static bool line_matches(size_t i, const char *needle)
{
	const struct log_line *l = vis_line(i);

	return text_contains_ci(l->message, needle) ||
	       text_contains_ci(l->batch_id, needle) ||
	       text_contains_ci(l->level_text, needle);
}

static void search(struct app *app, int dir)
{
	long n = (long)L.nvis;

	if (!L.search[0]) {
		screen_message(app, "no search yet: / to search");
		return;
	}
	for (long k = 1; k <= n; k++) {
		long i = ((L.cur + dir * k) % n + n) % n;

		if (line_matches((size_t)i, L.search)) {
			if ((dir > 0 && i <= L.cur) || (dir < 0 && i >= L.cur))
				screen_message(app, "search wrapped");
			L.cur = i;
			L.moved = true;
			L.follow = false;
			remember_cursor();
			return;
		}
	}
	screen_message(app, "not found: %s", L.search);
}

static const struct log_line *vis_at(size_t i, void *ctx)
{
	(void)ctx;
	return vis_line(i);
}

static void save_lines(struct app *app, bool overwrite)
{
	int err = logs_lines_save(L.save_path, overwrite, vis_at, NULL, L.nvis,
				  L.batch_id);

	if (err == EEXIST && !overwrite)
		L.prompt = P_CONFIRM;	/* ask first */
	else if (err)
		screen_message(app, "cannot save to %s: %s", L.save_path, strerror(err));
	else
		screen_message(app, "saved %zu lines to %s", L.nvis, L.save_path);
}

/* Keys while a prompt is up: everything is text but Enter, Esc,
 * Backspace and Ctrl-U. */
static bool prompt_key(struct app *app, int key)
{
	size_t len = strlen(L.edit);

	if (L.prompt == P_CONFIRM) {
		L.prompt = P_NONE;
		if (key == 'y' || key == 'Y')
			save_lines(app, true);
		else
			screen_message(app, "not saved");
		return true;
	}
	if (key == 27) {
		L.prompt = P_NONE;
	} else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		enum prompt p = L.prompt;

		L.prompt = P_NONE;
		if (p == P_SEARCH && L.edit[0]) {
			snprintf(L.search, sizeof L.search, "%s", L.edit);
			search(app, +1);
		} else if (p == P_SAVE && L.edit[0]) {
			snprintf(L.save_path, sizeof L.save_path, "%s", L.edit);
			save_lines(app, false);
		}
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		while (len > 0 && ((unsigned char)L.edit[len - 1] & 0xC0) == 0x80)
			len--;
		if (len > 0)
			len--;
		L.edit[len] = '\0';
	} else if (key == 21) {		/* Ctrl-U */
		L.edit[0] = '\0';
	} else if (key >= 32 && key < 256 && key != 127 && len + 1 < sizeof L.edit) {
		L.edit[len] = (char)key;
		L.edit[len + 1] = '\0';
	}
	return true;
}

/* --- keys --------------------------------------------------------------------------- */

static void move_to(long to)
{
	if (to < L.cur)
		L.follow = false;
	L.cur = to;
	clamp_cursor();
	L.moved = true;
	remember_cursor();
}

static bool logs_key(struct app *app, void *st, enum action act, int key)
{
	long page = body_rows() > 1 ? body_rows() - 1 : 1;

	(void)st;
	if (L.prompt != P_NONE)
		return prompt_key(app, key);
	switch (act) {
	case ACT_UP: move_to(L.cur - 1); return true;
	case ACT_DOWN: move_to(L.cur + 1); return true;
	case ACT_PAGE_UP: move_to(L.cur - page); L.top -= page; return true;
	case ACT_PAGE_DOWN: move_to(L.cur + page); L.top += page; return true;
	case ACT_HOME: move_to(0); return true;
	case ACT_END: move_to((long)L.nvis - 1); return true;
	case ACT_LEFT:
		L.hscroll = L.hscroll > 8 ? L.hscroll - 8 : 0;
		return true;
	case ACT_RIGHT:
		if (!L.wrap)
			L.hscroll += 8;
		return true;
	case ACT_WRAP:
		L.wrap = !L.wrap;
		L.hscroll = 0;
		return true;
	case ACT_LEVEL:
		L.min_level = (enum lb_level)((L.min_level + 1) % LB__LEVELS);
		rebuild_vis();
		remember_cursor();
		screen_message(app, "showing %s", lb_level_filter_name(L.min_level));
		return true;
	case ACT_FOLLOW:
		L.follow = !L.follow;
		if (L.follow) {
			L.cur = (long)L.nvis - 1;
			clamp_cursor();
			remember_cursor();
			L.newer_mono = 0;	/* ask the shard now */
			L.nr_next_mono = 0;
			pump(app);
		}
		L.moved = true;
		screen_message(app, "follow %s", L.follow ? "on: new lines as they are written"
						      : "off");
		return true;
	case ACT_SEARCH:
		L.prompt = P_SEARCH;
		L.edit[0] = '\0';
		return true;
	case ACT_SEARCH_NEXT: search(app, +1); return true;
	case ACT_SEARCH_PREV: search(app, -1); return true;
	case ACT_SAVE:
		L.prompt = P_SAVE;
		L.edit[0] = '\0';
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
	.enter = logs_enter,
	.leave = logs_leave,
	.update = logs_update,
	.draw = logs_draw,
	.key = logs_key,
};
