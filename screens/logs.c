/*
 * logs.c - the log viewer: a biller's (or one batch's) lines from the
 * shard's batchtop.job_log and from New Relic Logs, merged in time order.
 *
 * Data flow: the lines live in a struct logbuf (src/logbuf.h), a ring of
 * at most log_lines lines.  The shard's lines come through its query
 * worker, one read job at a time, LOGS_CHUNK lines per job: first the
 * newest page, then older pages (keyset paging on logged_at, log_id, along
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
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "draw.h"
#include "drilldown.h"
#include "log.h"
#include "logbuf.h"
#include "newrelic.h"
#include "screen.h"
#include "shard_query.h"
#include "sqltime.h"
#include "text.h"
#include "textwrap.h"
#include "timefmt.h"
#include "xalloc.h"

#define LOGS_CHUNK 2000		/* the LIMIT of every query below */

/* The columns every query returns, and the two scopes. */
#define LOG_SELECT \
	"SELECT log_id, " SQLTIME_US("logged_at") " AS ts_us," \
	" level, batch_id, message"
#define OLDER_THAN(col) \
	" WHERE " col " = $1" \
	"   AND logged_at <= (SELECT c.logged_at FROM batchtop.job_log c" \
	"     WHERE c.log_id = $2)" \
	"   AND (logged_at, log_id) < (SELECT c.logged_at, c.log_id" \
	"     FROM batchtop.job_log c WHERE c.log_id = $2)" \
	" ORDER BY logged_at DESC, log_id DESC LIMIT 2000"

/* The newest page, and the highest log_id of the whole table (where
 * follow mode starts, even when there is no line yet: then the one row
 * has a NULL log_id). */
#define NEWEST(col) \
	"SELECT j.log_id, j.ts_us, j.level, j.batch_id, j.message, m.max_id" \
	" FROM (SELECT max(log_id) AS max_id FROM batchtop.job_log) m" \
	" LEFT JOIN LATERAL (" LOG_SELECT ", logged_at FROM batchtop.job_log" \
	"   WHERE " col " = $1" \
	"   ORDER BY logged_at DESC, log_id DESC LIMIT 2000) j ON true" \
	" ORDER BY j.logged_at DESC, j.log_id DESC"

/* [scope][fetch]: scope 0 the biller, 1 one batch. */
static const char *const fetch_sql[2][3] = {
	{
		NEWEST("biller_id"),
		LOG_SELECT " FROM batchtop.job_log" OLDER_THAN("biller_id"),
		LOG_SELECT " FROM batchtop.job_log WHERE biller_id = $1"
		" AND log_id > $2 ORDER BY log_id LIMIT 2000",
	},
	{
		NEWEST("batch_id"),
		LOG_SELECT " FROM batchtop.job_log" OLDER_THAN("batch_id"),
		LOG_SELECT " FROM batchtop.job_log WHERE batch_id = $1"
		" AND log_id > $2 ORDER BY log_id LIMIT 2000",
	},
};

enum fetch { F_NEWEST, F_OLDER, F_NEWER };

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
	struct logbuf *buf;

	/* The shard's lines. */
	unsigned job;			/* outstanding job id, 0: none */
	int job_shard;
	enum fetch job_fetch;
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

static int scope(void)
{
	return L.batch_id[0] ? 1 : 0;
}

static void submit(struct app *app, enum fetch f)
{
	struct shard_query *q = app->queries ? app->queries[L.shard] : NULL;
	char id[32];
	const char *p[2] = { L.batch_id[0] ? L.batch_id : L.biller_id, id };
	struct sq_job *j;

	if (!q)
		return;
	snprintf(id, sizeof id, "%lld",
		 (long long)(f == F_OLDER ? L.oldest_id : L.max_id));
	j = sq_job_new(JOB_LOGS, false, fetch_sql[scope()][f],
		       f == F_NEWEST ? 1 : 2, p);
	L.job = shard_query_submit(q, j);
	L.job_shard = L.shard;
	L.job_fetch = f;
	if (f == F_NEWER) {
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
			submit(app, F_NEWEST);
		return;
	}
	if (!L.back_done && L.buf->len < L.buf->cap) {
		if (app->mono >= L.retry_mono)
			submit(app, F_OLDER);
		return;
	}
	if (L.follow && (L.more_newer || app->gens[L.shard] != L.newer_gen ||
			 app->mono - L.newer_mono >=
				 (int64_t)app->cfg->poll_interval * 1000))
		submit(app, F_NEWER);
}

static void view_changed(struct app *app);

/* A line's time from SQLTIME_US: 'infinity' sorts last, '-infinity' and
 * anything unusable first; line_prefix() says which. */
#define TS_INF INT64_MAX
#define TS_NEG_INF (INT64_MIN + 1)
#define TS_BAD INT64_MIN

static int64_t db_ts(const char *s)
{
	int64_t v = TS_BAD;

	switch (sqltime_parse(s, &v)) {
	case SQLTIME_FINITE: return v;
	case SQLTIME_INF: return TS_INF;
	case SQLTIME_NEG_INF: return TS_NEG_INF;
	case SQLTIME_NULL:
	case SQLTIME_BAD:
		break;
	}
	return TS_BAD;
}

/* Merge the rows of a page; returns how many lines it had. */
static int take_rows(const PGresult *res, enum fetch f)
{
	int nrows = PQntuples(res), n = 0;
	struct log_line *v = xcalloc((size_t)nrows + 1, sizeof *v);

	for (int i = 0; i < nrows; i++) {
		int64_t id;

		if (PQgetisnull(res, i, 0))
			continue;	/* the newest page of a biller without lines */
		id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		log_line_init(&v[n++], LB_DB,
			      db_ts(PQgetisnull(res, i, 1) ? NULL
				    : PQgetvalue(res, i, 1)), id,
			      PQgetvalue(res, i, 2),
			      PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3),
			      PQgetvalue(res, i, 4));
		if (id > L.max_id)
			L.max_id = id;
	}
	if (n > 0 && f != F_NEWER)
		L.oldest_id = v[n - 1].id;	/* pages come newest first */
	logbuf_merge(L.buf, v, (size_t)n);
	free(v);
	return n;
}

static void on_job(struct app *app, struct sq_job *job)
{
	enum fetch f = L.job_fetch;
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
	if (f == F_NEWEST && PQntuples(job->res) > 0 && PQnfields(job->res) > 5 &&
	    !PQgetisnull(job->res, 0, 5))
		L.max_id = strtoll(PQgetvalue(job->res, 0, 5), NULL, 10);
	n = take_rows(job->res, f);
	if (f == F_NEWEST) {
		L.have_newest = true;
		log_msg(LOG_INFO, "logs of %s: newest %d lines in %lld ms",
			L.batch_id[0] ? L.batch_id : L.biller_id, n,
			(long long)job->ms);
	}
	if (f != F_NEWER && (n < LOGS_CHUNK || L.buf->len >= L.buf->cap))
		L.back_done = true;
	if (f == F_NEWER && n == LOGS_CHUNK)
		L.more_newer = true;
	sq_job_free(job);
	view_changed(app);
	pump(app);
}

/* --- New Relic's lines ----------------------------------------------------------- */

/* New Relic's epoch ms as our microseconds; a value past what that can
 * hold (it comes from the network) is pinned to the edge. */
static int64_t ms_to_us(int64_t ms)
{
	if (ms > INT64_MAX / 1000)
		return INT64_MAX / 1000 * 1000;
	if (ms < INT64_MIN / 1000)
		return INT64_MIN / 1000 * 1000;
	return ms * 1000;
}

/* UTC broken-down time of epoch microseconds (zeros when out of range). */
static void utc_tm(int64_t us, struct tm *tm)
{
	time_t t = (time_t)(us / 1000000);

	if (!gmtime_r(&t, tm))
		memset(tm, 0, sizeof *tm);
}

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
		struct log_line *v = xcalloc(res->nlines + 1, sizeof *v);
		size_t n = 0;

		for (size_t i = 0; i < res->nlines; i++) {
			const struct ng_log_line *s = &res->lines[i];

			/* A line that names no batch is the biller's own
			 * (a processor handshake, say): shown, and marked
			 * biller-wide by line_rest().  One that names
			 * another batch is not this batch's. */
			if (L.batch_id[0] && s->batch_id && *s->batch_id &&
			    strcmp(s->batch_id, L.batch_id))
				continue;
			log_line_init(&v[n++], LB_NR, ms_to_us(s->timestamp_ms), 0,
				      s->level, s->batch_id, s->message);
			if (s->timestamp_ms > L.nr_since)
				L.nr_since = s->timestamp_ms;
		}
		logbuf_merge(L.buf, v, n);
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
	return logbuf_at(L.buf, L.vis[i]);
}

static size_t vis_lower_bound(const struct log_line *key)
{
	size_t lo = 0, hi = L.nvis;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (log_line_cmp(vis_line(mid), key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
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
	L.nvis = 0;
	L.held[LB_DB] = L.held[LB_NR] = 0;
	for (size_t i = 0; i < L.buf->len; i++) {
		const struct log_line *l = logbuf_at(L.buf, i);

		L.held[l->src == LB_NR]++;
		if (l->level >= L.min_level)
			L.vis[L.nvis++] = i;
	}
	L.vis_gen = L.buf->gen;
	L.vis_level = L.min_level;
	L.vis_valid = true;
	if (L.has_key) {
		size_t at = vis_lower_bound(&L.cur_key);

		L.cur = (long)at;
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
	ui_push(app, &screen_logs);
}

static void logs_enter(struct app *app)
{
	int64_t now = app->now != BT_NO_TIME ? app->now : wall_ms();

	ui_on_job(JOB_LOGS, on_job);
	logbuf_free(L.buf);
	L.buf = logbuf_new((size_t)app->cfg->log_lines);
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

static void logs_leave(struct app *app)
{
	if (app->queries && app->queries[L.shard])
		shard_query_cancel(app->queries[L.shard], JOB_LOGS);
	L.job = 0;			/* a late answer is dropped */
	if (app->nr && L.ticket)
		newrelic_cancel_logs(app->nr, L.ticket);
	L.ticket = 0;
	logbuf_free(L.buf);
	L.buf = NULL;
	free(L.vis);
	L.vis = NULL;
	L.vis_cap = L.nvis = 0;
	L.vis_valid = false;
}

static void logs_update(struct app *app)
{
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

/* "[batch] message": the batch only for a whole biller's lines, without
 * the biller's id when the batch id starts with it; in one batch's view,
 * a line that names no batch is the biller's own: "[biller-wide] message".
 * Caller frees. */
static char *line_rest(const struct log_line *l)
{
	const char *b = l->batch_id;
	size_t n = strlen(L.biller_id);

	if (L.batch_id[0] && !*b)
		return xasprintf("[biller-wide] %s", l->message);
	if (L.batch_id[0] || !*b)
		return xstrdup(l->message);
	if (!strncmp(b, L.biller_id, n) && b[n] == '-' && b[n + 1])
		b += n + 1;
	return xasprintf("[%s] %s", b, l->message);
}

static void line_prefix(char *buf, size_t n, const struct log_line *l)
{
	struct tm tm;
	char level[8];

	text_fit(level, sizeof level, l->level_text[0] ? l->level_text : "-", 5, 0);
	if (l->ts == TS_INF || l->ts == TS_NEG_INF || l->ts == TS_BAD) {
		snprintf(buf, n, "%-14s %s %s ", l->ts == TS_INF ? "infinity"
			 : l->ts == TS_NEG_INF ? "-infinity" : "bad time",
			 l->src == LB_NR ? "nr" : "db", level);
		return;
	}
	utc_tm(l->ts, &tm);
	snprintf(buf, n, "%02d-%02d %02d:%02d:%02d %s %s ", tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 l->src == LB_NR ? "nr" : "db", level);
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
	rest = line_rest(vis_line(i));
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
		char *rest = line_rest(l);

		line_prefix(prefix, sizeof prefix, l);
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

static void logs_draw(struct app *app)
{
	char hint[1200];

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
		ui_message(app, "no search yet: / to search");
		return;
	}
	for (long k = 1; k <= n; k++) {
		long i = ((L.cur + dir * k) % n + n) % n;

		if (line_matches((size_t)i, L.search)) {
			if ((dir > 0 && i <= L.cur) || (dir < 0 && i >= L.cur))
				ui_message(app, "search wrapped");
			L.cur = i;
			L.moved = true;
			L.follow = false;
			remember_cursor();
			return;
		}
	}
	ui_message(app, "not found: %s", L.search);
}

static char *expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && path[1] == '/' && home && *home)
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}

static void save_lines(struct app *app, bool overwrite)
{
	char *path = expand_home(L.save_path);
	int fd = open(path, overwrite ? O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY
			   : O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
		      0600);
	FILE *fp;
	int err = 0;

	if (fd < 0 && !overwrite && errno == EEXIST) {
		L.prompt = P_CONFIRM;	/* ask first */
		free(path);
		return;
	}
	if (fd < 0 && overwrite && errno == ENOENT)	/* gone meanwhile */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
			  0600);
	if (fd < 0 || !(fp = fdopen(fd, "w"))) {
		ui_message(app, "cannot save to %s: %s", L.save_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		return;
	}
	for (size_t i = 0; i < L.nvis; i++) {
		const struct log_line *l = vis_line(i);
		struct tm tm;

		utc_tm(l->ts, &tm);
		fprintf(fp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %s %s%s%s%s %s\n",
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			tm.tm_min, tm.tm_sec, (int)(l->ts % 1000000 / 1000),
			l->src == LB_NR ? "nr" : "db",
			l->level_text[0] ? l->level_text : "-",
			l->batch_id[0] || L.batch_id[0] ? " [" : "",
			l->batch_id[0] ? l->batch_id : L.batch_id[0] ? "biller-wide" : "",
			l->batch_id[0] || L.batch_id[0] ? "]" : "", l->message);
	}
	if (ferror(fp))
		err = errno ? errno : EIO;
	if (fclose(fp) != 0 && !err)
		err = errno;
	if (err)
		ui_message(app, "cannot save to %s: %s", L.save_path, strerror(err));
	else
		ui_message(app, "saved %zu lines to %s", L.nvis, L.save_path);
	free(path);
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
			ui_message(app, "not saved");
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

static bool logs_key(struct app *app, enum action act, int key)
{
	long page = body_rows() > 1 ? body_rows() - 1 : 1;

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
		ui_message(app, "showing %s", lb_level_filter_name(L.min_level));
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
		ui_message(app, "follow %s", L.follow ? "on: new lines as they are written"
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
		ui_pop(app);
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
