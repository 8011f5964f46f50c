/*
 * replica.c - replay lag of a hot standby and the fallback rules
 * (see replica.h).
 *
 * Why lag is measured this way: now() - pg_last_xact_replay_timestamp()
 * alone grows without bound while the primary is idle, although nothing
 * is missing.  So it counts only while WAL is pending: received (or, with
 * no streaming, possibly not received) but not replayed.  Once replay has
 * caught up, the lag is 0 and the replica's own clock bounds what it has.
 * When WAL is pending, the last replayed commit's timestamp (the primary's
 * clock) is the point up to which the replica is complete; the delta
 * cursor starts there, not at the replica's now(), so rows committed on
 * the primary but not replayed yet are read by a later poll.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "data/replica.h"

static const char lag_sql[] =
	"SELECT pg_is_in_recovery(), "
	"CASE WHEN NOT pend THEN 0 WHEN ts IS NULL THEN NULL ELSE "
	"  greatest(0, round(extract(epoch FROM clock_timestamp() - ts) "
	"  * 1000)) END::bigint, "
	"round(extract(epoch FROM CASE WHEN pend THEN ts "
	"  ELSE clock_timestamp() END) * 1000)::bigint "
	"FROM (SELECT pg_last_xact_replay_timestamp() AS ts, "
	"  coalesce(pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn(), "
	"  true) AS pend) AS s";

int replica_measure(struct pgconn *c, struct replica_lag *lag, char *reason,
		    size_t n, bool *dead)
{
	bool sent, stop;
	PGresult *res;

	*dead = false;
	res = pgconn_exec(c, lag_sql, 0, NULL, reason, n, &sent, dead, &stop);
	if (stop) {
		PQclear(res);
		return -1;
	}
	if (!res)
		return 1;
	memset(lag, 0, sizeof *lag);
	if (PQntuples(res) != 1 || PQnfields(res) != 3) {
		snprintf(reason, n, "replica lag: unexpected answer");
		PQclear(res);
		return 1;
	}
	lag->in_recovery = !strcmp(PQgetvalue(res, 0, 0), "t");
	lag->known = !PQgetisnull(res, 0, 1) && !PQgetisnull(res, 0, 2);
	if (lag->known) {
		lag->lag_ms = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
		lag->cursor_ms = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	}
	PQclear(res);
	return 0;
}

bool replica_acceptable(const struct replica *r, const struct replica_lag *lag,
			bool returning, char *why, size_t n)
{
	int64_t bound = returning ? r->max_lag_ms / 2 : r->max_lag_ms;

	if (!lag->in_recovery) {
		snprintf(why, n, "replica is not in recovery: polling the "
			 "primary");
		return false;
	}
	if (!lag->known) {
		snprintf(why, n, "replica has not replayed anything yet: "
			 "polling the primary");
		return false;
	}
	if (lag->lag_ms > bound) {
		snprintf(why, n, "replica lagging %lld s: polling the primary",
			 (long long)(lag->lag_ms / 1000));
		return false;
	}
	return true;
}

void replica_fall_back(struct replica *r, int64_t now, const char *why)
{
	r->on_replica = false;
	r->retry_at = now + REPLICA_RETRY_MS;
	snprintf(r->why, sizeof r->why, "%s", why);
}
