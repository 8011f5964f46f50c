/*
 * shard_poller.c - the per-shard polling thread.
 *
 * Life of a poller:  connect (async, with our own deadline) -> LISTEN
 * batchtop -> loop { poll query with a deadline; publish snapshot; wait
 * until the next poll, a NOTIFY, a refresh request or stop }.  Any failure
 * that leaves the connection in doubt drops it; reconnects back off
 * exponentially (1 s doubling up to backoff_max, +/-20% jitter), the first
 * retry after losing a working connection being immediate.
 *
 * Only this thread touches its PGconn.  The UI reads the published
 * snapshot and health under p->lock, which is never held across I/O.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "log.h"
#include "pgconn.h"
#include "query_deadline.h"
#include "shard_poller.h"
#include "sqltime.h"
#include "thread_util.h"
#include "text.h"
#include "timefmt.h"
#include "xalloc.h"

/* One round trip: every biller with tonight's batches (each with its latest
 * rerun request, looked up for tonight's batches only), its zone's offset,
 * and its latest autopay run (looked up once per biller, not per batch);
 * plus the server clock.  $1 night_hours,
 * $2 window_minutes, $3 the zone names the server knows (read once per
 * connection: pg_timezone_names reads every zone file, ~40 ms).  Zones are
 * matched against that list, not cast, so a zone the server does not know
 * gives NULLs instead of failing the whole poll; the match ignores case,
 * as PostgreSQL does. */
const char shard_poll_sql[] =
	"WITH bl AS (SELECT b.biller_id, b.name, b.timezone, b.priority,"
	"   b.is_demo, tz.name AS tzname,"
	"   extract(epoch FROM (now() AT TIME ZONE tz.name)"
	"     - (now() AT TIME ZONE 'UTC'))::int AS utc_offset_s,"
	"   ap.payments AS ap_payments, ap.failed AS ap_failed,"
	"   ap.run_at AS ap_run_at"
	" FROM batchtop.biller b"
	" LEFT JOIN (SELECT DISTINCT ON (lower(z)) z AS name"
	"   FROM unnest($3::text[]) z ORDER BY lower(z), z) tz"
	"   ON lower(tz.name) = lower(b.timezone)"
	" LEFT JOIN LATERAL (SELECT r.payments, r.failed, r.run_at"
	"   FROM batchtop.autopay_run r WHERE r.biller_id = b.biller_id"
	"   ORDER BY r.run_at DESC LIMIT 1) ap ON true)"
	" SELECT (extract(epoch FROM now()) * 1000)::bigint AS now_ms,"
	" coalesce(bl.biller_id, bc.biller_id) AS biller_id,"
	" bl.biller_id IS NOT NULL AS known,"
	" bl.name, bl.timezone, bl.priority, bl.is_demo,"
	" bl.tzname IS NOT NULL AS tz_known, bl.utc_offset_s,"
	" bc.batch_id, bc.business_day::text AS business_day,"
	" bc.payment_type, bc.module, bc.status, bc.attempts,"
	" bc.error_class, bc.error_message,"
	" " SQLTIME_MS("bc.scheduled_at") " AS scheduled_ms,"
	" " SQLTIME_MS(QUERY_DEADLINE("bc.", "$2")) " AS deadline_ms,"
	" bc.deadline_at IS NOT NULL AS deadline_given,"
	" " SQLTIME_MS("bc.started_at") " AS started_ms,"
	" " SQLTIME_MS("bc.finished_at") " AS finished_ms,"
	" " SQLTIME_MS("bc.updated_at") " AS updated_ms,"
	" CASE WHEN bl.tzname IS NOT NULL THEN"
	"   to_char(bc.scheduled_at AT TIME ZONE bl.tzname, 'HH24:MI') END"
	"   AS local_sched,"
	" bl.ap_payments, bl.ap_failed,"
	" " SQLTIME_MS("bl.ap_run_at") " AS ap_run_ms,"
	" rq.request_id AS rr_id, rq.status AS rr_status,"
	" rq.requested_by AS rr_by,"
	" " SQLTIME_MS("rq.requested_at") " AS rr_at_ms"
	" FROM bl"
	" FULL JOIN (SELECT * FROM batchtop.batch_close"
	"   WHERE scheduled_at >= now() - $1::int * interval '1 hour'"
	"     AND scheduled_at <= now() + $1::int * interval '1 hour') bc"
	"   ON bc.biller_id = bl.biller_id"
	" LEFT JOIN LATERAL (SELECT q.request_id, q.status, q.requested_by,"
	"   q.requested_at FROM batchtop.rerun_request q"
	"   WHERE q.kind = 'batch_close' AND q.target_id = bc.batch_id"
	"   ORDER BY q.requested_at DESC NULLS LAST, q.request_id DESC LIMIT 1) rq"
	"   ON bc.batch_id IS NOT NULL"
	" ORDER BY 2, bc.scheduled_at, bc.batch_id";

/* The zone names the server knows, as one array literal. */
static const char zones_sql[] =
	"SELECT array_agg(name)::text FROM pg_timezone_names";

/* Smallest gap between two polls that NOTIFYs may cause. */
#define NOTIFY_MIN_GAP_MS 1000

struct shard_poller {
	/* Set before the thread starts; then read-only. */
	int index;
	char *name;
	char *dsn;
	const struct config *cfg;
	int wake_fd;
	int ctl[2];		/* the UI writes 'r' (refresh) or 'q' (quit) */
	pthread_t thread;
	int started;

	/* The thread's own. */
	struct pgconn pg;
	unsigned rng;
	char *zones;		/* the server's zone names, as a text[] literal */
	int failures;		/* consecutive; 0 after a good poll */

	/* Shared, under lock. */
	pthread_mutex_t lock;
	int done;			/* the thread has returned */
	pthread_cond_t done_cond;
	unsigned gen;
	struct snapshot *snap;
	struct shard_health health;
};

/* --- helpers ---------------------------------------------------------- */

static void publish(struct shard_poller *p, struct snapshot *snap,
		    enum shard_state state, const char *reason, int64_t poll_ms)
{
	struct snapshot *old = NULL;
	int64_t now = mono_ms();

	pthread_mutex_lock(&p->lock);
	if (snap) {
		old = p->snap;
		p->snap = snap;
	}
	if (p->health.state != state)
		p->health.since_mono = now;
	p->health.state = state;
	if (state == SHARD_OK) {
		p->health.last_ok_mono = now;
		p->health.poll_ms = poll_ms;
		p->health.polls_ok++;
		p->health.reason[0] = '\0';
	} else {
		p->health.polls_failed++;
		snprintf(p->health.reason, sizeof p->health.reason, "%s",
			 reason ? reason : "");
	}
	p->gen++;
	pthread_mutex_unlock(&p->lock);
	snapshot_unref(old);
	pipe_poke(p->wake_fd, 0);
}

/* --- snapshot building ----------------------------------------------- */

enum col {
	C_NOW, C_BILLER_ID, C_KNOWN, C_NAME, C_TZ, C_PRIORITY, C_IS_DEMO,
	C_TZ_KNOWN, C_UTC_OFFSET, C_BATCH_ID, C_BUSINESS_DAY, C_PAYMENT_TYPE,
	C_MODULE, C_STATUS, C_ATTEMPTS, C_ERROR_CLASS, C_ERROR_MESSAGE,
	C_SCHEDULED, C_DEADLINE, C_DEADLINE_GIVEN, C_STARTED, C_FINISHED,
	C_UPDATED, C_LOCAL_SCHED, C_AP_PAYMENTS, C_AP_FAILED, C_AP_RUN,
	C_RR_ID, C_RR_STATUS, C_RR_BY, C_RR_AT,
	C__COUNT
};

static const char *const col_names[C__COUNT] = {
	"now_ms", "biller_id", "known", "name", "timezone", "priority",
	"is_demo", "tz_known", "utc_offset_s", "batch_id", "business_day",
	"payment_type", "module", "status", "attempts", "error_class",
	"error_message", "scheduled_ms", "deadline_ms", "deadline_given",
	"started_ms", "finished_ms", "updated_ms", "local_sched",
	"ap_payments", "ap_failed", "ap_run_ms",
	"rr_id", "rr_status", "rr_by", "rr_at_ms",
};

static const char *val(const PGresult *r, int row, const int *cols, enum col c)
{
	if (cols[c] < 0 || PQgetisnull(r, row, cols[c]))
		return NULL;
	return PQgetvalue(r, row, cols[c]);
}

/* What was wrong with one row, as "col 'raw'; col NULL", for batch.bad. */
struct badness {
	char text[300];
	size_t len;
};

static void bad_add(struct badness *bad, const char *col, const char *raw)
{
	char clean[64], name[32];
	size_t n = strlen(col);

	/* The table's column: "started_ms" is started_at. */
	if (n > 3 && !strcmp(col + n - 3, "_ms"))
		snprintf(name, sizeof name, "%.*s_at", (int)(n - 3), col);
	else
		snprintf(name, sizeof name, "%s", col);
	col = name;
	if (raw)
		text_sanitize_into(clean, sizeof clean, raw, (size_t)-1);
	bad->len += text_printf(bad->text + bad->len, sizeof bad->text - bad->len,
				raw ? "%s%s '%s'" : "%s%s NULL",
				bad->len ? "; " : "", col, raw ? clean : "");
}

/* A time; with bad (a batch's own columns), anything but a finite time or
 * an allowed NULL is noted there.  Infinities give BT_NO_TIME and *inf. */
static int64_t val_time_inf(const PGresult *r, int row, const int *cols,
			    enum col c, struct badness *bad, bool required,
			    int *inf)
{
	const char *s = val(r, row, cols, c);
	int64_t v = BT_NO_TIME;
	enum sqltime k = sqltime_parse(s, &v);

	if (inf)
		*inf = k == SQLTIME_INF ? 1 : k == SQLTIME_NEG_INF ? -1 : 0;
	if (k == SQLTIME_FINITE)
		return v;
	if (bad && ((k == SQLTIME_NULL && required) ||
		    (k != SQLTIME_NULL && !inf) || k == SQLTIME_BAD))
		bad_add(bad, col_names[c], s);
	return BT_NO_TIME;
}

static int64_t val_time(const PGresult *r, int row, const int *cols, enum col c,
			struct badness *bad, bool required)
{
	return val_time_inf(r, row, cols, c, bad, required, NULL);
}

static int val_int(const PGresult *r, int row, const int *cols, enum col c,
		   struct badness *bad)
{
	const char *s = val(r, row, cols, c);
	char *end;
	long v;

	if (!s)
		return BT_NO_INT;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v <= BT_NO_INT || v > INT32_MAX) {
		if (bad)
			bad_add(bad, col_names[c], s);
		return BT_NO_INT;
	}
	return (int)v;
}

static int val_bool(const PGresult *r, int row, const int *cols, enum col c)
{
	const char *s = val(r, row, cols, c);

	return s && s[0] == 't';
}

static const char *val_text(struct arena *a, const PGresult *r, int row,
			    const int *cols, enum col c)
{
	const char *s = val(r, row, cols, c);

	if (!s)
		return "";
	return arena_sanitize(a, s, (size_t)PQgetlength(r, row, cols[c]));
}

/* An identifier: byte for byte (model.h). */
static const char *val_id(struct arena *a, const PGresult *r, int row,
			  const int *cols, enum col c)
{
	const char *s = val(r, row, cols, c);

	if (!s)
		return "";
	return arena_memdup(a, s, (size_t)PQgetlength(r, row, cols[c]));
}

static const char *make_search(struct arena *a, const struct biller *b)
{
	const char *parts[] = { b->name, arena_sanitize(a, b->biller_id,
		(size_t)-1), b->shard, b->timezone };
	size_t len = 0;
	char *s, *q;

	for (size_t i = 0; i < 4; i++)
		len += strlen(parts[i]) + 1;
	q = s = arena_alloc(a, len + 1);
	for (size_t i = 0; i < 4; i++) {
		for (const char *c = parts[i]; *c; c++)
			*q++ = (*c >= 'A' && *c <= 'Z') ? (char)(*c + 32) : *c;
		*q++ = ' ';
	}
	*q = '\0';
	return s;
}

struct snapshot *shard_snapshot_from_result(const struct pg_result *cres,
					    int index, const char *shard,
					    int64_t taken_mono)
{
	const PGresult *r = (const PGresult *)cres;
	struct snapshot *s = snapshot_new(index, shard);
	int cols[C__COUNT];
	int nrows = PQntuples(r);
	const char *prev_id = NULL;
	struct biller *b = NULL;

	for (int c = 0; c < C__COUNT; c++)
		cols[c] = PQfnumber(r, col_names[c]);
	s->taken_mono = taken_mono;
	if (nrows > 0)
		s->server_now = val_time(r, 0, cols, C_NOW, NULL, false);
	s->billers = xcalloc((size_t)nrows + 1, sizeof *s->billers);
	s->batches = xcalloc((size_t)nrows + 1, sizeof *s->batches);

	for (int i = 0; i < nrows; i++) {
		const char *id = val(r, i, cols, C_BILLER_ID);

		if (!id)
			id = "";
		if (!prev_id || strcmp(prev_id, id)) {
			b = &s->billers[s->nbillers++];
			prev_id = id;
			b->biller_id = val_id(s->arena, r, i, cols, C_BILLER_ID);
			b->known = val_bool(r, i, cols, C_KNOWN);
			b->name = val_text(s->arena, r, i, cols, C_NAME);
			b->timezone = val_text(s->arena, r, i, cols, C_TZ);
			b->priority = val_int(r, i, cols, C_PRIORITY, NULL);
			b->is_demo = val_bool(r, i, cols, C_IS_DEMO);
			b->tz_known = val_bool(r, i, cols, C_TZ_KNOWN);
			b->utc_offset_s = val_int(r, i, cols, C_UTC_OFFSET, NULL);
			if (b->utc_offset_s == BT_NO_INT) {
				b->utc_offset_s = 0;
				b->tz_known = false;
			}
			b->shard = s->shard;
			b->shard_index = index;
			b->batches = &s->batches[s->nbatches];
			b->ap_payments = val_int(r, i, cols, C_AP_PAYMENTS, NULL);
			b->ap_failed = val_int(r, i, cols, C_AP_FAILED, NULL);
			b->ap_run_at = val_time(r, i, cols, C_AP_RUN, NULL, false);
			b->search = make_search(s->arena, b);
		}
		if (val(r, i, cols, C_BATCH_ID)) {
			struct batch *t = &s->batches[s->nbatches++];
			const char *ls = val(r, i, cols, C_LOCAL_SCHED);
			struct badness bad = { .len = 0 };
			int64_t rr_id;

			b->nbatches++;
			bad.text[0] = '\0';
			t->batch_id = val_id(s->arena, r, i, cols, C_BATCH_ID);
			t->biller_id = b->biller_id;
			t->business_day = val_text(s->arena, r, i, cols, C_BUSINESS_DAY);
			t->payment_type = val_text(s->arena, r, i, cols, C_PAYMENT_TYPE);
			t->module = val_text(s->arena, r, i, cols, C_MODULE);
			t->status = val_text(s->arena, r, i, cols, C_STATUS);
			if (!val(r, i, cols, C_STATUS))
				bad_add(&bad, col_names[C_STATUS], NULL);
			t->state = batch_state_from_text(val(r, i, cols, C_STATUS));
			t->attempts = val_int(r, i, cols, C_ATTEMPTS, &bad);
			t->error_class = val_text(s->arena, r, i, cols, C_ERROR_CLASS);
			t->error_message = val_text(s->arena, r, i, cols, C_ERROR_MESSAGE);
			t->scheduled_at = val_time(r, i, cols, C_SCHEDULED, &bad, true);
			t->deadline_given = val_bool(r, i, cols, C_DEADLINE_GIVEN);
			/* An infinite deadline is legal when it was given; one
			 * derived from an unusable scheduled_at is not. */
			t->deadline_at = val_time_inf(r, i, cols, C_DEADLINE,
						      t->deadline_given ? &bad : NULL,
						      false, t->deadline_given
						      ? &t->deadline_inf : NULL);
			t->started_at = val_time(r, i, cols, C_STARTED, &bad, false);
			t->finished_at = val_time(r, i, cols, C_FINISHED, &bad, false);
			t->updated_at = val_time(r, i, cols, C_UPDATED, &bad, false);
			rr_id = val_time(r, i, cols, C_RR_ID, NULL, false);
			t->rerun_id = rr_id == BT_NO_TIME ? 0 : rr_id;
			t->rerun_status = val_text(s->arena, r, i, cols, C_RR_STATUS);
			t->rerun_by = val_text(s->arena, r, i, cols, C_RR_BY);
			t->rerun_at = val_time(r, i, cols, C_RR_AT, NULL, false);
			text_sanitize_into(t->local_sched, sizeof t->local_sched,
					   ls ? ls : "", (size_t)-1);
			t->bad = bad.len ? arena_strdup(s->arena, bad.text) : "";
			if (bad.len)
				s->nbad++;
		}
	}
	for (size_t i = 0; i < s->nbillers; i++)
		biller_summarize(&s->billers[i]);
	return s;
}

/* --- the thread ---------------------------------------------------------- */

/* 1 s, 2 s, 4 s ... up to backoff_max, each +/-20%. */
static int64_t next_backoff(struct shard_poller *p)
{
	int64_t cap = (int64_t)p->cfg->backoff_max * 1000;
	int64_t d = 1000;
	int jitter;

	for (int i = 1; i < p->failures && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	p->failures++;
	jitter = (int)(rand_r(&p->rng) % 401) - 200;	/* -20% .. +20% */
	return d + d * jitter / 1000;
}

/* Wait for the next poll time; NOTIFYs and refreshes bring it forward.
 * Returns -1 to stop, 1 when the connection broke, 0 to poll. */
static int wait_next(struct shard_poller *p, int64_t last_start)
{
	int64_t next = last_start + (int64_t)p->cfg->poll_interval * 1000;

	for (;;) {
		bool refresh = false;
		int r;
		PGnotify *nf;
		int notified = 0;

		/* A NOTIFY that came with the last result is queued already. */
		while ((nf = PQnotifies(p->pg.conn))) {
			notified = 1;
			PQfreemem(nf);
		}
		if (notified && next > last_start + NOTIFY_MIN_GAP_MS)
			next = last_start + NOTIFY_MIN_GAP_MS;
		notified = 0;
		if (mono_ms() >= next)
			break;
		r = pgconn_wait(p->ctl[0], PQsocket(p->pg.conn), POLLIN, next,
				&refresh);
		if (r < 0)
			return -1;
		if (refresh)
			return 0;
		if (r == 0)
			continue;
		if (!PQconsumeInput(p->pg.conn) || PQstatus(p->pg.conn) == CONNECTION_BAD)
			return 1;
		while ((nf = PQnotifies(p->pg.conn))) {
			notified = 1;
			PQfreemem(nf);
		}
		if (notified && next > last_start + NOTIFY_MIN_GAP_MS)
			next = last_start + NOTIFY_MIN_GAP_MS;
	}
	return 0;
}

static void *poller_main(void *arg)
{
	struct shard_poller *p = arg;
	char reason[sizeof p->health.reason];
	char hours[16], window[16];
	const char *params[3] = { hours, window, NULL };
	int64_t retry_at = 0;

	snprintf(hours, sizeof hours, "%d", p->cfg->night_hours);
	snprintf(window, sizeof window, "%d", p->cfg->window_minutes);

	for (;;) {
		bool sent, dead, stop;
		int r;
		int64_t start;
		PGresult *res;

		if (!p->pg.conn) {
			if (retry_at && pgconn_wait(p->ctl[0], -1, 0, retry_at, NULL) < 0)
				break;
			r = pgconn_open(&p->pg, reason, sizeof reason);
			if (r < 0)
				break;
			if (r == 0) {
				res = pgconn_exec(&p->pg, "LISTEN batchtop", 0, NULL,
						  reason, sizeof reason, &sent,
						  &dead, &stop);
				if (stop)
					break;
				if (res)
					PQclear(res);
				else
					r = 1;
			}
			if (r == 0) {
				res = pgconn_exec(&p->pg, zones_sql, 0, NULL, reason,
						  sizeof reason, &sent, &dead, &stop);
				if (stop)
					break;
				free(p->zones);
				p->zones = NULL;
				if (res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
					p->zones = xstrdup(PQgetvalue(res, 0, 0));
				else
					r = 1;
				PQclear(res);
				params[2] = p->zones;
			}
			if (r) {
				log_msg(LOG_WARN, "shard %s: %s", p->name, reason);
				pgconn_close(&p->pg);
				publish(p, NULL, SHARD_DOWN, reason, 0);
				retry_at = mono_ms() + next_backoff(p);
				continue;
			}
			log_msg(LOG_INFO, "shard %s: connected", p->name);
			pthread_mutex_lock(&p->lock);
			if (p->health.polls_ok || p->health.polls_failed)
				p->health.reconnects++;
			pthread_mutex_unlock(&p->lock);
		}

		start = mono_ms();
		res = pgconn_exec(&p->pg, shard_poll_sql, 3, params, reason,
				  sizeof reason, &sent, &dead, &stop);
		if (stop)
			break;
		if (res) {
			int64_t end = mono_ms();
			struct snapshot *s = shard_snapshot_from_result(
				(const struct pg_result *)res, p->index, p->name, end);

			PQclear(res);
			p->failures = 0;
			retry_at = 0;
			log_msg(LOG_DEBUG, "shard %s: %zu billers, %zu batches in %lld ms",
				p->name, s->nbillers, s->nbatches,
				(long long)(end - start));
			publish(p, s, SHARD_OK, NULL, end - start);
		} else {
			log_msg(LOG_WARN, "shard %s: %s", p->name, reason);
			if (dead) {
				/* A connection that was working gets one
				 * immediate retry; then back off. */
				pgconn_close(&p->pg);
				publish(p, NULL, SHARD_DOWN, reason, 0);
				if (p->failures == 0) {
					p->failures = 1;
					retry_at = 0;
				} else {
					retry_at = mono_ms() + next_backoff(p);
				}
				continue;
			}
			publish(p, NULL, SHARD_FAILING, reason, 0);
		}
		r = wait_next(p, start);
		if (r < 0)
			break;
		if (r > 0) {
			pgconn_reason(reason, sizeof reason, "connection lost",
				   PQerrorMessage(p->pg.conn));
			log_msg(LOG_WARN, "shard %s: %s", p->name, reason);
			pgconn_close(&p->pg);
			publish(p, NULL, SHARD_DOWN, reason, 0);
			p->failures = 1;
			retry_at = 0;
		}
	}
	pgconn_close(&p->pg);
	pgconn_cancel_release(&p->pg.own_cancel);
	pthread_mutex_lock(&p->lock);
	p->done = 1;
	pthread_cond_signal(&p->done_cond);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* --- the UI side ---------------------------------------------------------- */

struct shard_poller *shard_poller_new(int index, const struct shard_conf *sc,
				      const struct config *cfg, int wake_fd)
{
	struct shard_poller *p = xcalloc(1, sizeof *p);

	p->index = index;
	p->name = xstrdup(sc->name);
	p->dsn = xstrdup(sc->dsn);
	p->cfg = cfg;
	p->wake_fd = wake_fd;
	p->rng = (unsigned)(mono_ms() ^ (index * 2654435761u));
	p->ctl[0] = p->ctl[1] = -1;
	p->pg.name = p->name;
	p->pg.dsn = p->dsn;
	p->pg.cfg = cfg;
	p->pg.readonly = true;	/* polling never writes, whatever the mode */
	p->pg.ctl_fd = -1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->done_cond, NULL);
	p->health.state = SHARD_CONNECTING;
	p->health.since_mono = mono_ms();
	p->health.last_ok_mono = BT_NO_TIME;
	return p;
}

int shard_poller_start(struct shard_poller *p)
{
	if (pipe2(p->ctl, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	p->pg.ctl_fd = p->ctl[0];
	if (thread_spawn(&p->thread, poller_main, p) != 0)
		return -1;
	p->started = 1;
	return 0;
}

void shard_poller_refresh(struct shard_poller *p)
{
	pipe_poke(p->ctl[1], 'r');
}

void shard_poller_stop(struct shard_poller *p)
{
	pipe_poke(p->ctl[1], 'q');
}

void shard_poller_free(struct shard_poller *p, int wait_ms)
{
	if (!p)
		return;
	if (p->started) {
		shard_poller_stop(p);
		if (!thread_join_within(p->thread, &p->lock, &p->done_cond,
					&p->done, wait_ms)) {
			log_msg(LOG_WARN, "shard %s: poller did not stop in time",
				p->name);
			return;
		}
	}
	snapshot_unref(p->snap);
	free(p->zones);
	if (p->ctl[0] >= 0)
		close(p->ctl[0]);
	if (p->ctl[1] >= 0)
		close(p->ctl[1]);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->done_cond);
	free(p->name);
	/* The DSN may hold a password: clear it before freeing. */
	explicit_bzero(p->dsn, strlen(p->dsn));
	free(p->dsn);
	free(p);
}

unsigned shard_poller_read(struct shard_poller *p, struct snapshot **snap,
			   struct shard_health *health)
{
	unsigned gen;

	pthread_mutex_lock(&p->lock);
	if (snap)
		*snap = snapshot_ref(p->snap);
	if (health)
		*health = p->health;
	gen = p->gen;
	pthread_mutex_unlock(&p->lock);
	return gen;
}

const char *shard_poller_name(const struct shard_poller *p)
{
	return p->name;
}
