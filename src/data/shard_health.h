/*
 * shard_health.h - what a shard's poller says about the shard: its state,
 * why, how old its data is, and how it is reached (pooler, LISTEN,
 * replica).  The poller publishes it under its lock; readers copy it.
 */
#ifndef BT_SHARD_HEALTH_H
#define BT_SHARD_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/snapshot.h"

enum shard_state {
	SHARD_CONNECTING,	/* no poll has answered yet */
	SHARD_OK,		/* the last poll answered */
	SHARD_FAILING,		/* connected, but the last poll failed */
	SHARD_DOWN,		/* not connected: reason says why */
};

/* What brings a poll forward (--format json "listen"). */
enum shard_listen {
	SHARD_LISTEN_UNKNOWN,	/* not connected yet */
	SHARD_LISTEN_ON,	/* LISTEN on the poll connection */
	SHARD_LISTEN_ASIDE,	/* LISTEN on listen_dsn (behind a pooler) */
	SHARD_LISTEN_FAILING,	/* listen_dsn is set but does not work */
	SHARD_LISTEN_NONE,	/* polling only: a pooler without listen_dsn,
				 * or a standby, which refuses LISTEN */
};

struct shard_health {
	enum shard_state state;
	int64_t since_mono;	/* when the state began (monotonic ms) */
	int64_t last_ok_mono;	/* last good poll, BT_NO_TIME if none */
	int64_t poll_ms;	/* how long the last good poll took */
	unsigned polls_ok, polls_failed, reconnects;
	unsigned polls_delta;	/* of polls_ok, the incremental ones */
	int contract;		/* the version the shard offers; 0 not known yet */
	bool pooled;		/* pooler = transaction: no LISTEN on the dsn */
	bool listening;		/* ... but LISTEN on listen_dsn works */
	char reason[200];	/* sanitized; never holds the DSN */
	/* A shard with a replica (data/replica.h): */
	bool replica;		/* one is configured */
	bool on_replica;	/* the last good poll read it */
	int64_t replica_lag_ms;	/* its replay lag then; BT_NO_TIME not known */
	char replica_why[160];	/* why polls go to the primary, or "" */
	bool replica_pooled;	/* the replica's dsn goes through a pooler */
	enum shard_listen listen; /* how changes wake the poller */
};

/* How old the shard's data is at now (monotonic ms), -1 when it has none:
 * since the last good poll, plus the replay lag of the replica it read. */
static inline int64_t shard_health_age(const struct shard_health *h,
				       int64_t now)
{
	int64_t age;

	if (h->last_ok_mono == BT_NO_TIME)
		return -1;
	age = now - h->last_ok_mono;
	if (h->on_replica && h->replica_lag_ms > 0)
		age += h->replica_lag_ms;
	return age;
}

#endif
