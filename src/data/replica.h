/*
 * replica.h - which server a shard's polls go to, when it has a replica.
 *
 * A shard may name a hot standby (the per-shard option "replica").  Polls
 * go to it while it answers, is in recovery and has replayed to within
 * replica_max_lag of the primary; otherwise to the primary (dsn), until a
 * probe every REPLICA_RETRY_MS finds the replica within half the bound
 * (the hysteresis keeps a replica near the bound from flapping).  Reruns
 * and the query worker never come here: they always use the primary.
 *
 * The lag is measured on the poll connection just before each poll, so
 * the delta cursor can start from what the replica had replayed then
 * (doc/batchtop.conf.5, "replica").  Only the poller thread uses this.
 */
#ifndef BT_REPLICA_H
#define BT_REPLICA_H

#include <stdbool.h>
#include <stdint.h>

#include "data/pgconn.h"

/* How often a shard polling its primary tries the replica again. */
#define REPLICA_RETRY_MS 10000

struct replica_lag {
	bool in_recovery;	/* false: it is not a standby (promoted?) */
	bool known;		/* false: WAL pending but nothing replayed yet */
	int64_t lag_ms;		/* 0 when every WAL received is replayed */
	int64_t cursor_ms;	/* epoch ms: what it has replayed is complete
				 * up to here (its clock when caught up) */
};

struct replica {
	const char *dsn;	/* NULL: no replica; may hold a password */
	int64_t max_lag_ms;
	bool on_replica;	/* the poll connection is the replica's */
	int64_t retry_at;	/* mono ms: when to try the replica again */
	struct replica_lag lag;	/* the last measurement (on_replica) */
	char why[160];		/* why polls go to the primary, or "" */
};

/* Measure the lag on c.  0 measured, 1 failed (reason set; *dead says
 * whether c is still usable), -1 asked to stop. */
int replica_measure(struct pgconn *c, struct replica_lag *lag, char *reason,
		    size_t n, bool *dead);

/* Whether lag is good enough to poll: within the bound, or when coming
 * back from the primary, within half of it.  If not, why says so. */
bool replica_acceptable(const struct replica *r, const struct replica_lag *lag,
			bool returning, char *why, size_t n);

/* Polls go to the primary from now on, because of why. */
void replica_fall_back(struct replica *r, int64_t now, const char *why);

#endif
