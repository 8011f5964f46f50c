/*
 * shard_poller.c - the per-shard polling thread.
 *
 * Life of a poller:  connect (async, with our own deadline) -> LISTEN
 * batchtop -> zones and contract version -> loop { poll query with a
 * deadline, full or incremental (choose_poll); on a v3 shard the holds
 * and notes when due (shard_extras.c); publish snapshot; wait until the next
 * poll, a NOTIFY (notify_min_interval), a refresh request or stop }.
 * Any failure that leaves the connection in doubt drops it; reconnects back off
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

#include "data/history.h"
#include "data/log.h"
#include "data/pgconn.h"
#include "data/replica.h"
#include "query/query_poll.h"
#include "data/shard_poller.h"
#include "data/shard_poller_int.h"
#include "data/thread_util.h"
#include "data/wake_gate.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

/* --- helpers ---------------------------------------------------------- */

void shard_publish(struct shard_poller *p, struct snapshot *snap,
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
	p->health.on_replica = p->rep.on_replica;
	p->health.replica_lag_ms = p->rep.on_replica && p->rep.lag.known
				   ? p->rep.lag.lag_ms : BT_NO_TIME;
	snprintf(p->health.replica_why, sizeof p->health.replica_why, "%s",
		 p->rep.why);
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
	if (p->gate)
		wake_gate_poke(p->gate);
	else
		pipe_poke(p->wake_fd, 0);
}

/* --- the thread ---------------------------------------------------------- */

/* 1 s, 2 s, 4 s ... up to backoff_max, each +/-20%. */
int64_t shard_next_backoff(struct shard_poller *p)
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

/* An incremental poll's cursor (the shard's clock in epoch ms, as the
 * delta's $4), how far before the last poll's clock, and why (the log). */
struct cursor {
	char text[24];
	int64_t from_ms, back_ms;
	const char *why;
};

/* The cursor after a poll whose clock was p->cursor_ms: back to the
 * horizon that poll read (less QUERY_POLL_HORIZON_MARGIN_MS) when there
 * was one (doc/contract.md, "poll_delta_since"), else poll_overlap
 * seconds; never further back than poll_overlap (a transaction open
 * longer is the full resync's, as without a horizon), never later than
 * that clock. */
static void cursor_set(const struct shard_poller *p, struct cursor *c)
{
	int64_t overlap = p->cursor_ms - (int64_t)p->cfg->poll_overlap * 1000;
	bool known = p->horizon_ms != BT_NO_TIME;
	int64_t h = known ? p->horizon_ms - QUERY_POLL_HORIZON_MARGIN_MS : 0;

	c->from_ms = known && h >= overlap ? (h < p->cursor_ms ? h : p->cursor_ms)
					    : overlap;
	c->why = !known ? "poll_overlap" : h >= overlap ? "oldest transaction"
		 : "poll_overlap, an older transaction";
	c->back_ms = p->cursor_ms - c->from_ms;
	snprintf(c->text, sizeof c->text, "%lld", (long long)c->from_ms);
}

/* Full or incremental?  A full poll after connecting, when the last
 * snapshot is not this connection's, and at the two intervals; for a v1
 * shard, always.  An incremental poll reads from the cursor (cursor_set()),
 * less the rows since then that the last snapshot holds unchanged
 * (query_poll_held()). */
static struct snapshot *choose_poll(struct shard_poller *p, int64_t now,
				    struct cursor *c)
{
	struct snapshot *base = NULL;

	if (p->contract < 2 || p->need_full ||
	    now - p->last_full >= (int64_t)p->cfg->full_resync_interval * 1000 ||
	    now - p->last_billers >= (int64_t)p->cfg->biller_refresh_interval * 1000)
		return NULL;
	pthread_mutex_lock(&p->lock);
	base = snapshot_ref(p->snap);
	pthread_mutex_unlock(&p->lock);
	if (!base || base->server_now == BT_NO_TIME ||
	    p->cursor_ms == BT_NO_TIME) {
		snapshot_unref(base);
		return NULL;
	}
	cursor_set(p, c);
	return base;
}

/* The delta this shard offers; poll_delta_since() says the horizon, on
 * the primary only (a standby's writers are on the primary), when there
 * is none or the one held was read QUERY_POLL_HORIZON_REUSE polls ago;
 * poll_delta() keeps it otherwise (horizon_next()). */
static const char *delta_sql(const struct shard_poller *p)
{
	if (p->contract < 3)
		return query_poll_delta_sql;
	if (!p->delta_fn)
		return query_poll_delta3_sql;
	if (!p->delta_since || p->rep.on_replica)
		return query_poll_delta_fn_sql;
	return p->horizon_ms == BT_NO_TIME ||
	       p->horizon_reused >= QUERY_POLL_HORIZON_REUSE
		       ? query_poll_delta_since_sql : query_poll_delta_fn_sql;
}

/* The horizon the next delta reaches back to (cursor_set()) after a poll
 * that sent sql and got res: the one it read, the one held when it kept
 * it (a delta on the primary through poll_delta() while
 * poll_delta_since() is there), else none. */
static int64_t horizon_next(struct shard_poller *p, const char *sql,
			    const PGresult *res)
{
	if (!res || p->rep.on_replica)
		return BT_NO_TIME;
	if (sql == query_poll_delta_since_sql) {
		p->horizon_reused = 0;
		return query_poll_horizon(res);
	}
	if (sql == query_poll_delta_fn_sql && p->delta_since) {
		p->horizon_reused++;
		return p->horizon_ms;
	}
	return BT_NO_TIME;
}

/* The snapshot of a poll's result res: a full one, or a delta merged
 * onto base; *due says which extras of a v3 shard to read.  Frees res. */
static struct snapshot *poll_snapshot(struct shard_poller *p,
				      const struct snapshot *base,
				      PGresult *res, int64_t start, int64_t end,
				      struct extras_due *due)
{
	struct snapshot *s = query_poll_snapshot(res, p->index, p->name, end,
						 p->intern);

	*due = shard_extras_due(p, base, s, res);
	PQclear(res);
	/* A full poll's result is megabytes, freed at once into this
	 * thread's malloc arena, which would keep it: one per shard.
	 * Incremental polls are small; full ones are minutes apart. */
	if (!base)
		thread_malloc_trim();
	if (base) {
		s->delta = true;
		/* Each biller is its own block: the billers this poll
		 * replaced go with the last snapshot that shows them. */
		s = snapshot_merge(base, s);
	} else {
		snapshot_names_from(s, p->snap);
		p->last_full = p->last_billers = start;
		p->need_full = false;
	}
	snapshot_chunks_summarize(s);
	return s;
}

/* Whether a failed call tells nothing of the function itself: no server
 * error (our own deadline), or a slow or busy shard (57: statement_timeout
 * or a cancel, 55: a lock, 53: resources, 40: a conflict, 08 and 58: the
 * connection or the server's I/O), which the next poll may not meet. */
static bool failure_transient(const char *sqlstate)
{
	static const char *const classes[] = { "08", "40", "53", "55", "57", "58" };

	if (!sqlstate[0])
		return true;
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
		if (!strncmp(sqlstate, classes[i], 2))
			return true;
	return false;
}

/* A poll_delta_since() that fails leaves poll_delta(), and a
 * poll_delta() that fails (a view implementer's mistake) the statement,
 * which is always there on a v3 shard.  Not for a timeout: on an
 * overloaded shard, the heavier call would make things worse for good. */
static void delta_failed(struct shard_poller *p, const char *sql,
			 const char *reason)
{
	if (p->contract < 3 || !p->delta_fn || failure_transient(p->pg.sqlstate))
		return;
	if (sql == query_poll_delta_since_sql) {
		log_msg(LOG_WARN, "shard %s: poll_delta_since(): %s; calling "
			"poll_delta()", p->name, reason);
		p->delta_since = false;
	} else {
		log_msg(LOG_WARN, "shard %s: poll_delta(): %s; sending the "
			"delta as a statement", p->name, reason);
		p->delta_fn = false;
	}
}

/* How often the process hands its free heap pages back, at most. */
#define MALLOC_TRIM_EVERY_MS 10000

/* What the merges and the UI freed since (data/thread_util.c). */
static void heap_trim(void)
{
	struct heap_figures f;
	bool logged = log_wants(LOG_DEBUG);

	if (thread_malloc_trim_every(MALLOC_TRIM_EVERY_MS,
				     logged ? &f : NULL) && logged)
		log_msg(LOG_DEBUG, "malloc: heap %.1f MB, %.1f MB of it free, "
			"%.1f MB mapped apart; free pages handed back in %lld ms",
			(double)f.heap / 1048576, (double)f.free / 1048576,
			(double)f.mapped / 1048576, (long long)f.trim_ms);
}

/* One poll and its publication.  Returns -1 to stop, 1 when the
 * connection was dropped (retry_at set), 0 otherwise. */
static int poll_once(struct shard_poller *p, const char **params,
		     int64_t start, int64_t *retry_at)
{
	char reason[sizeof p->health.reason], overlap[16], reach[96] = "";
	struct cursor cur;
	struct snapshot *base = choose_poll(p, start, &cur);
	size_t nheld = 0;
	int64_t horizon;
	const char *sql;
	struct extras_due due;
	bool dead, stop, zones_seen;
	PGresult *res;

	snprintf(overlap, sizeof overlap, "%d", p->cfg->poll_overlap);
	params[3] = base ? cur.text : overlap;
	sql = base ? delta_sql(p) : query_poll_sql;
	if (base) {
		nheld = query_poll_held(base, cur.from_ms, &p->held);
		params[4] = p->held.ids;
		params[5] = p->held.sigs;
		snprintf(reach, sizeof reach, ", cursor -%.1f s (%s), %zu held%s",
			 (double)cur.back_ms / 1000, cur.why, nheld,
			 sql == query_poll_delta_since_sql ? ", sessions read"
							   : "");
	}
	res = shard_poll_exec(p, sql, base, params, reason, sizeof reason,
			      &dead, &stop, &zones_seen);
	if (!res && !dead && !stop && base)
		delta_failed(p, sql, reason);
	/* The next delta's reach (cursor_set()), kept with the cursor once
	 * the snapshot is published. */
	horizon = horizon_next(p, sql, res);
	if (stop) {
		snapshot_unref(base);
		return -1;
	}
	if (res) {
		int64_t end = mono_ms();
		struct snapshot *s = poll_snapshot(p, base, res, start, end, &due);

		if (!shard_poll_extras(p, s, base, due, params, reason, sizeof reason,
				       &dead, &stop)) {
			snapshot_unref(s);
			snapshot_unref(base);
			if (stop)
				return -1;
			goto failed;
		}
		snapshot_unref(base);
		if (zones_seen)
			shard_zones_update(p, s);
		/* On a replica, the delta starts from what it had replayed
		 * before this poll began (data/replica.c). */
		p->cursor_ms = p->rep.on_replica ? p->rep.lag.cursor_ms
						 : s->server_now;
		p->horizon_ms = horizon;
		p->hist_clock = s->server_now;
		p->hist_mono = end;
		p->failures = 0;
		*retry_at = 0;
		log_msg(LOG_DEBUG, "shard %s: %s poll, %zu rows, %zu billers "
			"re-read, %zu billers, %zu batches in %lld ms%s%s%s",
			p->name, s->delta ? "incremental" : "full", s->rows_read,
			s->nchanged, s->nbillers, s->nbatches,
			(long long)(end - start), due.holds ? ", holds" : "",
			due.notes ? ", notes" : "", reach);
		if (s->delta) {
			pthread_mutex_lock(&p->lock);
			p->health.polls_delta++;
			pthread_mutex_unlock(&p->lock);
		}
		shard_publish(p, s, SHARD_OK, NULL, end - start);
		heap_trim();
		return 0;
	}
	snapshot_unref(base);
failed:
	log_msg(LOG_WARN, "shard %s: %s", p->name, reason);
	if (!dead) {
		shard_publish(p, NULL, SHARD_FAILING, reason, 0);
		return 0;
	}
	/* A connection that was working gets one immediate retry; then
	 * back off. */
	pgconn_close(&p->pg);
	shard_publish(p, NULL, SHARD_DOWN, reason, 0);
	if (p->failures == 0) {
		p->failures = 1;
		*retry_at = 0;
	} else {
		*retry_at = mono_ms() + shard_next_backoff(p);
	}
	return 1;
}

/* Between two polls, when one is due: the close history, on the poll
 * connection (data/history.h), so that watching takes one connection per
 * shard.  Its statement_timeout bounds how late it makes the next poll.
 * Returns -1 to stop, 1 when the connection was dropped (retry_at set),
 * 0 otherwise. */
static int history_between(struct shard_poller *p, int64_t *retry_at)
{
	char reason[sizeof p->hist_error];
	bool dead, stop;
	struct fc_history *h;
	int64_t start = mono_ms();

	if (!p->hist_on || start < p->hist_due || p->hist_clock == BT_NO_TIME)
		return 0;
	h = history_read(&p->pg, p->cfg, p->index,
			 p->hist_clock + (start - p->hist_mono), reason,
			 sizeof reason, &dead, &stop);
	if (stop) {
		fc_history_unref(h);
		return -1;
	}
	thread_malloc_trim();	/* the result was as big as a full poll's */
	p->hist_due = history_next_due(p->cfg, h != NULL, mono_ms());
	if (h)
		log_msg(LOG_INFO, "shard %s: history of %zu closes read in %lld ms",
			p->name, fc_history_closes(h),
			(long long)(mono_ms() - start));
	else
		log_msg(LOG_INFO, "shard %s: history not read: %s", p->name,
			reason);
	pthread_mutex_lock(&p->lock);
	fc_history_unref(p->hist);
	p->hist = h;
	p->hist_ready = true;
	snprintf(p->hist_error, sizeof p->hist_error, "%s", h ? "" : reason);
	pthread_mutex_unlock(&p->lock);
	pipe_poke(p->wake_fd, 0);
	if (!dead)
		return 0;
	/* The next poll reconnects at once, as after a lost poll. */
	log_msg(LOG_WARN, "shard %s: history: %s", p->name, reason);
	pgconn_close(&p->pg);
	p->failures = 1;
	*retry_at = 0;
	return 1;
}

static void *poller_main(void *arg)
{
	struct shard_poller *p = arg;
	char reason[sizeof p->health.reason];
	char hours[16], window[16];
	const char *params[6] = { hours, window, NULL, NULL, NULL, NULL };
	int64_t retry_at = 0;

	snprintf(hours, sizeof hours, "%d", p->cfg->night_hours);
	snprintf(window, sizeof window, "%d", p->cfg->window_minutes);

	for (;;) {
		int r = shard_ensure_connected(p, &retry_at);
		int64_t start;

		if (r < 0)
			break;
		if (r > 0)
			continue;
		r = shard_replica_check(p);
		if (r < 0)
			break;
		if (r > 0)
			continue;
		params[2] = p->zones;
		if (p->pooled && shard_listen_direct(p) < 0)
			break;
		start = mono_ms();
		r = poll_once(p, params, start, &retry_at);
		if (r == 0)
			r = history_between(p, &retry_at);
		if (r < 0)
			break;
		if (r > 0)
			continue;
		r = shard_wait_next(p, start);
		if (r < 0)
			break;
		if (r > 0) {
			pgconn_reason(reason, sizeof reason, "connection lost",
				   PQerrorMessage(p->pg.conn));
			log_msg(LOG_WARN, "shard %s: %s", p->name, reason);
			pgconn_close(&p->pg);
			shard_publish(p, NULL, SHARD_DOWN, reason, 0);
			p->failures = 1;
			retry_at = 0;
		}
	}
	pgconn_close(&p->pg);
	pgconn_close(&p->lis);
	pgconn_cancel_release(&p->pg.own_cancel);
	pgconn_cancel_release(&p->lis.own_cancel);
	pgconn_close(&p->probe);
	pgconn_cancel_release(&p->pg.own_cancel);
	pgconn_cancel_release(&p->probe.own_cancel);
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
	p->pg.pooled = sc->pooled;
	p->pg.ctl_fd = -1;
	if (sc->pooled && sc->listen_dsn) {
		p->listen_dsn = xstrdup(sc->listen_dsn);
		p->lis = (struct pgconn){ .name = p->name, .dsn = p->listen_dsn,
					  .cfg = cfg, .readonly = true,
					  .ctl_fd = -1 };
	}
	p->health.pooled = p->pooled = sc->pooled;
	p->rep_pooled = sc->replica_pooled < 0 ? sc->pooled
					       : sc->replica_pooled == 1;
	p->health.replica_pooled = sc->replica && p->rep_pooled;
	p->intern = intern_new();
	p->cursor_ms = BT_NO_TIME;
	p->horizon_ms = BT_NO_TIME;
	p->hist_clock = BT_NO_TIME;
	if (sc->replica) {
		p->rep.dsn = xstrdup(sc->replica);
		p->rep.max_lag_ms = (int64_t)sc->replica_max_lag * 1000;
		p->rep.on_replica = true;
		p->health.replica = true;
	}
	p->probe = p->pg;
	p->probe.dsn = p->rep.dsn;
	p->probe.pooled = p->rep_pooled;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->done_cond, NULL);
	p->health.state = SHARD_CONNECTING;
	p->health.since_mono = mono_ms();
	p->health.last_ok_mono = BT_NO_TIME;
	return p;
}

int shard_poller_start(struct shard_poller *p)
{
	thread_one_malloc_arena();
	if (pipe2(p->ctl, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	p->pg.ctl_fd = p->lis.ctl_fd = p->ctl[0];
	if (thread_spawn(&p->thread, poller_main, p) != 0)
		return -1;
	p->started = 1;
	return 0;
}

void shard_poller_gate(struct shard_poller *p, struct wake_gate *g)
{
	p->gate = g;
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
	fc_history_unref(p->hist);
	intern_free(p->intern);
	query_held_free(&p->held);
	shard_zones_release(p->zone_names);
	free(p->zones_short);
	zone_set_clear(&p->zones_unknown);
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
	if (p->listen_dsn)
		explicit_bzero(p->listen_dsn, strlen(p->listen_dsn));
	free(p->listen_dsn);
	if (p->rep.dsn) {
		explicit_bzero((char *)p->rep.dsn, strlen(p->rep.dsn));
		free((char *)p->rep.dsn);
	}
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

void shard_poller_want_history(struct shard_poller *p)
{
	p->hist_on = true;
}

bool shard_poller_history(struct shard_poller *p, struct fc_history **h,
			  char *err, size_t n)
{
	bool ready;

	pthread_mutex_lock(&p->lock);
	ready = p->hist_ready;
	*h = ready ? p->hist : NULL;
	if (ready) {
		snprintf(err, n, "%s", p->hist_error);
		p->hist = NULL;
		p->hist_ready = false;
	}
	pthread_mutex_unlock(&p->lock);
	return ready;
}
