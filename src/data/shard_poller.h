/*
 * shard_poller.h - one background thread per shard that polls it.
 *
 * Each poller owns one libpq connection (read-only session, application_name
 * "batchtop", keepalives, statement_timeout) and runs one query per poll, every
 * poll_interval seconds or sooner when the shard NOTIFYs channel "batchtop".
 * A shard that offers contract version 2 is polled in full after connecting
 * and every full_resync_interval (or biller_refresh_interval) seconds, and
 * incrementally in between: only the billers changed since the last poll
 * are read, and merged into the last snapshot (core/snapshot.h).
 * Every poll has a deadline of its own: a server that does not answer in time
 * is cancelled and abandoned, and the poller reconnects with capped
 * exponential backoff and jitter.  Results are published as immutable
 * snapshots; the UI is woken through a pipe.  Nothing here touches curses.
 */
#ifndef BT_SHARD_POLLER_H
#define BT_SHARD_POLLER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"

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

struct shard_poller;

/* wake_fd is the write end of the UI's wake pipe (non-blocking). */
struct shard_poller *shard_poller_new(int index, const struct shard_conf *sc,
				      const struct config *cfg, int wake_fd);
/* Start the thread; -1 on failure. */
int shard_poller_start(struct shard_poller *p);
/* Ask for a poll now (never overlaps a running one). */
void shard_poller_refresh(struct shard_poller *p);
/* Ask the thread to stop (returns at once). */
void shard_poller_stop(struct shard_poller *p);
/* Stop, wait for the thread up to wait_ms (a thread stuck in the network is
 * left to die with the process), and free what can be freed. */
void shard_poller_free(struct shard_poller *p, int wait_ms);

/* Copy the health and take a reference to the latest snapshot (NULL if
 * none yet; the caller unrefs).  Returns a counter that changes whenever
 * either changes, so a caller can skip work. */
unsigned shard_poller_read(struct shard_poller *p, struct snapshot **snap,
			   struct shard_health *health);

const char *shard_poller_name(const struct shard_poller *p);

/* The poll query and its parsing are in query_poll.h. */

#endif
