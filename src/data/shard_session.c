/*
 * shard_session.c - the sessions of a shard's poller: connecting with our
 * own deadline, setting the session up (zones, contract version, LISTEN),
 * LISTEN on listen_dsn behind a pooler, moving between the primary and
 * its replica, and the zone list each poll sends with its statement.
 * Runs on the poller's thread only (shard_poller.c).
 */
#include "autoconf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "data/log.h"
#include "data/pgconn.h"
#include "data/replica.h"
#include "data/shard_poller_int.h"
#include "query/query_poll.h"
#include "query/query_zones.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

/* Run one statement on the poll connection; *stop on a stop request. */
PGresult *shard_exec(struct shard_poller *p, const char *sql, int n,
		      const char *const *params, char *reason, size_t rn,
		      bool *dead, bool *stop)
{
	bool sent;

	return pgconn_exec(&p->pg, sql, n, params, reason, rn, &sent, dead,
			   stop);
}

/* The LISTEN connection went away: polling alone until it is back. */
void shard_listen_lost(struct shard_poller *p)
{
	log_msg(LOG_WARN, "shard %s: the listen_dsn connection was lost: "
		"polling only until it is back", p->name);
	pgconn_close(&p->lis);
	p->lis_retry_at = mono_ms() + LISTEN_RETRY_MS;
	pthread_mutex_lock(&p->lock);
	p->health.listening = false;
	p->health.listen = SHARD_LISTEN_FAILING;
	pthread_mutex_unlock(&p->lock);
}

/* Through a pooler LISTEN is useless (the next statement may run on
 * another server connection, and PgBouncer drops what arrives between
 * transactions): it goes on listen_dsn, a direct connection, when one is
 * configured, tried again every LISTEN_RETRY_MS while it fails.  Failing
 * only costs the NOTIFYs, never the polls.  Returns -1 to stop. */
int shard_listen_direct(struct shard_poller *p)
{
	char reason[sizeof p->health.reason];
	bool sent, dead, stop;
	PGresult *res;
	int r;

	if (!p->listen_dsn || p->lis.conn || mono_ms() < p->lis_retry_at)
		return 0;
	r = pgconn_open(&p->lis, reason, sizeof reason);
	if (r < 0)
		return -1;
	res = r ? NULL : pgconn_exec(&p->lis, "LISTEN batchtop", 0, NULL, reason,
				     sizeof reason, &sent, &dead, &stop);
	if (!r && stop)
		return -1;
	if (!res) {
		log_msg(LOG_WARN, "shard %s: listen_dsn: %s; polling only",
			p->name, reason);
		pgconn_close(&p->lis);
		p->lis_retry_at = mono_ms() + LISTEN_RETRY_MS;
		pthread_mutex_lock(&p->lock);
		p->health.listen = SHARD_LISTEN_FAILING;
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	PQclear(res);
	pthread_mutex_lock(&p->lock);
	p->health.listening = true;
	p->health.listen = SHARD_LISTEN_ASIDE;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/* The zone lists the pollers hold, each once: every shard of a server
 * sends the same ~1,200 names, and a poller kept a 22 KB copy of its own
 * (2.2 MB at 100 shards).  A list is matched by its text when a session
 * is set up (rare), then read with no lock: it is never written. */
struct shared_zones {
	struct zone_names *z;
	int refs;		/* under zones_lock */
	struct shared_zones *next;
};

static pthread_mutex_t zones_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shared_zones *zones_held;

/* The shared list whose text is all's (which this frees or keeps), or
 * NULL for NULL. */
static struct zone_names *zones_share(char *all)
{
	struct shared_zones *h;
	struct zone_names *z;

	if (!all)
		return NULL;
	pthread_mutex_lock(&zones_lock);
	for (h = zones_held; h && strcmp(h->z->all, all); h = h->next)
		;
	if (h) {
		h->refs++;
		pthread_mutex_unlock(&zones_lock);
		free(all);
		return h->z;
	}
	pthread_mutex_unlock(&zones_lock);
	/* Parsed outside the lock: another poller may do the same list
	 * meanwhile, and both are kept, which is only a copy more. */
	z = zone_names_new(all);
	h = xcalloc(1, sizeof *h);
	h->z = z;
	h->refs = 1;
	pthread_mutex_lock(&zones_lock);
	h->next = zones_held;
	zones_held = h;
	pthread_mutex_unlock(&zones_lock);
	return z;
}

void shard_zones_release(struct zone_names *z)
{
	struct shared_zones **at, *h = NULL;

	if (!z)
		return;
	pthread_mutex_lock(&zones_lock);
	for (at = &zones_held; *at && (*at)->z != z; at = &(*at)->next)
		;
	if (*at && !--(*at)->refs) {
		h = *at;
		*at = h->next;
	}
	pthread_mutex_unlock(&zones_lock);
	if (h) {
		zone_names_free(h->z);
		free(h);
	}
}

/* The short list of a new connection, and the zones of the shard's that
 * no name matches (query/query_zones.h), so that no poll needs to send
 * every name unless a biller's zone is new.  Failing is only a full list
 * on the first poll, which then says what is wrong.  Returns -1 to stop,
 * 1 when the connection died, else 0. */
static int shard_zones_setup(struct shard_poller *p, char *reason, size_t rn)
{
	bool dead, stop;
	PGresult *res = shard_exec(p, query_poll_biller_zones_sql, 0, NULL,
				   reason, rn, &dead, &stop);

	if (stop)
		return -1;
	if (!res) {
		log_msg(LOG_DEBUG, "shard %s: the billers' zones: %s; the first "
			"poll sends every zone", p->name, reason);
		return dead ? 1 : 0;
	}
	p->zones_short = query_zones_setup(res, p->zone_names,
					   &p->zones_unknown);
	PQclear(res);
	return 0;
}

/* LISTEN, the zone names and the contract version of a new connection.
 * Returns -1 to stop, 1 on failure (reason says why), 0 when ready.  The
 * zones and the version are kept here, per shard, not in the session:
 * through a pooler each poll may meet another server connection. */
static int shard_setup_session(struct shard_poller *p, char *reason, size_t rn)
{
	bool dead, stop, has_version;
	PGresult *res;
	enum shard_listen listen = SHARD_LISTEN_NONE;

	/* Neither through a pooler nor on a standby (which refuses LISTEN,
	 * and the primary's NOTIFYs never reach it): then only listen_dsn,
	 * a direct connection, brings the wake-ups back. */
	if (!p->pg.pooled && !p->rep.on_replica) {
		res = shard_exec(p, "LISTEN batchtop", 0, NULL, reason, rn, &dead,
			   &stop);
		if (stop)
			return -1;
		if (!res)
			return 1;
		PQclear(res);
		listen = SHARD_LISTEN_ON;
	} else if (shard_listen_direct(p) < 0) {
		return -1;
	} else if (p->listen_dsn) {
		listen = p->lis.conn ? SHARD_LISTEN_ASIDE : SHARD_LISTEN_FAILING;
	}
	pthread_mutex_lock(&p->lock);
	p->health.listen = listen;
	pthread_mutex_unlock(&p->lock);
	res = shard_exec(p, query_poll_zones_sql, 0, NULL, reason, rn, &dead, &stop);
	if (stop)
		return -1;
	shard_zones_release(p->zone_names);
	p->zone_names = zones_share(res ? query_poll_zones(res) : NULL);
	p->zones = p->zone_names ? p->zone_names->all : NULL;
	/* Another server may know other zones: shard_zones_setup() says. */
	free(p->zones_short);
	p->zones_short = NULL;
	zone_set_clear(&p->zones_unknown);
	has_version = res && query_poll_has_version(res);
	p->delta_fn = res && query_poll_has_delta_fn(res);
	p->delta_since = p->delta_fn && query_poll_has_delta_since(res);
	PQclear(res);
	if (!p->zones)
		return 1;
	p->contract = 1;
	if (has_version) {
		res = shard_exec(p, query_poll_version_sql, 0, NULL, reason, rn,
			   &dead, &stop);
		if (stop)
			return -1;
		/* A version function that fails (a view implementer's
		 * mistake) leaves full polls, which are always right. */
		if (!res && dead)
			return 1;
		if (res)
			p->contract = query_poll_version(res);
		else
			log_msg(LOG_WARN, "shard %s: contract_version(): %s; "
				"polling in full", p->name, reason);
		PQclear(res);
	}
	if (shard_zones_setup(p, reason, rn) < 0)
		return -1;
	p->need_full = true;
	return 0;
}

/* Connect when not connected.  Returns -1 to stop, 1 to try again later
 * (retry_at set), 0 when connected. */
int shard_ensure_connected(struct shard_poller *p, int64_t *retry_at)
{
	char reason[sizeof p->health.reason];
	int r;

	if (p->pg.conn)
		return 0;
	if (*retry_at && pgconn_wait(p->ctl[0], -1, 0, *retry_at, NULL) < 0)
		return -1;
	p->pg.dsn = p->rep.on_replica ? p->rep.dsn : p->dsn;
	p->pg.pooled = p->rep.on_replica ? p->rep_pooled : p->pooled;
	r = pgconn_open(&p->pg, reason, sizeof reason);
	if (r == 0)
		r = shard_setup_session(p, reason, sizeof reason);
	if (r < 0)
		return -1;
	if (r && p->rep.on_replica) {
		/* The primary is the replica's fallback: try it at once. */
		char why[sizeof p->rep.why];

		log_msg(LOG_WARN, "shard %s: replica: %s", p->name, reason);
		pgconn_close(&p->pg);
		snprintf(why, sizeof why, "replica unreachable: polling the "
			 "primary");
		replica_fall_back(&p->rep, mono_ms(), why);
		return shard_ensure_connected(p, retry_at);
	}
	if (r) {
		log_msg(LOG_WARN, "shard %s: %s", p->name, reason);
		pgconn_close(&p->pg);
		shard_publish(p, NULL, SHARD_DOWN, reason, 0);
		*retry_at = mono_ms() + shard_next_backoff(p);
		return 1;
	}
	log_msg(LOG_INFO, "shard %s: connected to the %s, contract v%d",
		p->name, p->rep.on_replica ? "replica" : "primary", p->contract);
	pthread_mutex_lock(&p->lock);
	if (p->health.polls_ok || p->health.polls_failed)
		p->health.reconnects++;
	p->health.contract = p->contract;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/* Drop the poll connection and poll the primary from now on. */
static void shard_leave_replica(struct shard_poller *p, const char *why)
{
	log_msg(LOG_WARN, "shard %s: %s", p->name, why);
	pgconn_close(&p->pg);
	replica_fall_back(&p->rep, mono_ms(), why);
}

/* On the primary, every REPLICA_RETRY_MS: connect to the replica aside and
 * move over when its lag is within half the bound.  0 on either server,
 * -1 to stop, 1 when the poll connection was dropped. */
static int shard_replica_probe(struct shard_poller *p)
{
	char reason[sizeof p->health.reason], why[sizeof p->rep.why];
	struct replica_lag lag;
	bool dead;
	int r;

	if (mono_ms() < p->rep.retry_at)
		return 0;
	p->rep.retry_at = mono_ms() + REPLICA_RETRY_MS;
	r = pgconn_open(&p->probe, reason, sizeof reason);
	if (r == 0)
		r = replica_measure(&p->probe, &lag, reason, sizeof reason,
				    &dead);
	if (r < 0)
		return -1;
	if (r) {
		log_msg(LOG_DEBUG, "shard %s: replica still out: %s", p->name,
			reason);
		pgconn_close(&p->probe);
		return 0;
	}
	if (!replica_acceptable(&p->rep, &lag, true, why, sizeof why)) {
		snprintf(p->rep.why, sizeof p->rep.why, "%s", why);
		pgconn_close(&p->probe);
		return 0;
	}
	/* The probe becomes the poll connection, as a new one. */
	pgconn_close(&p->pg);
	p->pg.conn = p->probe.conn;
	p->probe.conn = NULL;
	p->pg.dsn = p->rep.dsn;
	p->pg.pooled = p->rep_pooled;
	p->rep.on_replica = true;
	p->rep.lag = lag;
	p->rep.why[0] = '\0';
	r = shard_setup_session(p, reason, sizeof reason);
	if (r < 0)
		return -1;
	if (r) {
		snprintf(why, sizeof why, "replica failed: polling the primary");
		shard_leave_replica(p, why);
		return 1;
	}
	log_msg(LOG_INFO, "shard %s: replica lag %lld ms: polling it again",
		p->name, (long long)lag.lag_ms);
	return 0;
}

/* Before a poll: on the replica, measure its lag and leave it when it is
 * out of bounds; on the primary, maybe go back.  0 to poll, -1 to stop,
 * 1 when the connection was dropped (ensure_connected picks the server). */
int shard_replica_check(struct shard_poller *p)
{
	char reason[sizeof p->health.reason], why[sizeof p->rep.why];
	bool dead;
	int r;

	if (!p->rep.dsn)
		return 0;
	if (!p->rep.on_replica)
		return shard_replica_probe(p);
	r = replica_measure(&p->pg, &p->rep.lag, reason, sizeof reason, &dead);
	if (r < 0)
		return -1;
	if (r) {
		snprintf(why, sizeof why, "replica failed (%.100s): polling "
			 "the primary", reason);
		log_msg(LOG_WARN, "shard %s: replica: %s", p->name, reason);
		shard_leave_replica(p, why);
		return 1;
	}
	if (!replica_acceptable(&p->rep, &p->rep.lag, false, why, sizeof why)) {
		shard_leave_replica(p, why);
		return 1;
	}
	return 0;
}


/* The short list goes with the connection's zones (shard_setup_session()):
 * a poll sends it (every zone name when there is none), and asks again at
 * once with every name when its answer says a zone is unknown that the
 * short list may have lacked (query/query_zones.h), so no poll shows a
 * known zone as unknown. */
PGresult *shard_poll_exec(struct shard_poller *p, const char *sql,
			  const struct snapshot *base, const char **params,
			  char *reason, size_t rn, bool *dead, bool *stop,
			  bool *zones_seen)
{
	PGresult *res;

	params[2] = p->zones_short ? p->zones_short : p->zones;
	if (!p->zones_short)
		log_msg(LOG_DEBUG, "shard %s: no short zone list: asking with "
			"every zone", p->name);
	res = shard_exec(p, sql, base ? 6 : 4, params, reason, rn, dead, stop);
	*zones_seen = !base;
	if (res && params[2] != p->zones &&
	    query_zones_recheck(res, &p->zones_unknown)) {
		log_msg(LOG_DEBUG, "shard %s: a zone the short list lacks: "
			"asking again with every zone", p->name);
		PQclear(res);
		params[2] = p->zones;
		res = shard_exec(p, sql, base ? 6 : 4, params, reason, rn, dead,
				 stop);
		*zones_seen = true;
	}
	/* What every name said is unknown: a full poll asked so says it of
	 * all.  One asked with the short list keeps the set, whose zones
	 * that poll found unknown as well. */
	if (res && params[2] == p->zones) {
		if (!base)
			zone_set_clear(&p->zones_unknown);
		query_zones_unknown(res, &p->zones_unknown);
	}
	params[2] = p->zones;
	return res;
}

void shard_zones_update(struct shard_poller *p, const struct snapshot *s)
{
	free(p->zones_short);
	p->zones_short = query_zones_short_of(s, p->zone_names);
}
