/*
 * shard_poller_int.h - the poller's own state, shared by its two files:
 * the thread and its polls (shard_poller.c) and the sessions it opens
 * (shard_session.c: connecting, LISTEN, the replica).  Not for use outside
 * the poller; the rest of batchtop sees struct shard_poller through
 * data/shard_poller.h only.
 */
#ifndef BT_SHARD_POLLER_INT_H
#define BT_SHARD_POLLER_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/config.h"
#include "data/pgconn.h"
#include "data/replica.h"
#include "core/forecast.h"
#include "data/shard_health.h"
#include "query/query_poll.h"
#include "query/query_zones.h"


/* How often a failing listen_dsn is tried again. */
#define LISTEN_RETRY_MS 30000

struct shard_poller {
	/* Set before the thread starts; then read-only. */
	int index;
	char *name;
	char *dsn;
	const struct config *cfg;
	int wake_fd;
	struct wake_gate *gate;	/* NULL: a byte to wake_fd per snapshot */
	int ctl[2];		/* the UI writes 'r' (refresh) or 'q' (quit) */
	pthread_t thread;
	int started;

	/* The thread's own. */
	struct pgconn pg;
	struct pgconn lis;	/* pooled with listen_dsn: LISTEN only */
	char *listen_dsn;	/* NULL: none */
	int64_t lis_retry_at;	/* mono ms: when to try lis again */
	unsigned rng;
	/* The server's zone names (shared with the pollers of the same
	 * list: shard_zones_release()), and their text[] literal. */
	struct zone_names *zone_names;
	const char *zones;
	/* The polls' zone list: those of the shard's billers (query/
	 * query_zones.h), made with the connection and after each full
	 * poll; NULL: zones. */
	char *zones_short;
	struct zone_set zones_unknown;	/* ... and those no name matched */
	int failures;		/* consecutive; 0 after a good poll */
	int contract;		/* the version this connection's shard offers */
	bool delta_fn;		/* it has batchtop.poll_delta() (contract v3) */
	bool delta_since;	/* ... and batchtop.poll_delta_since() */
	bool need_full;		/* connected since the last full poll */
	bool notes_stale;	/* the last read of the notes failed */
	int64_t last_full;	/* mono ms of the last full poll's start */
	int64_t last_billers;	/* ... and of the last one that read billers */
	struct intern *intern;	/* this shard's repeated texts */
	struct query_held held;	/* the delta's held list, reused */
	struct replica rep;	/* where polls go (rep.dsn NULL: the primary) */
	struct pgconn probe;	/* a try of the replica while on the primary */
	int64_t cursor_ms;	/* the next delta's clock; BT_NO_TIME: none */
	/* The last poll's horizon (query_poll_horizon()): the next delta
	 * reaches back to it, not poll_overlap; BT_NO_TIME: none. */
	int64_t horizon_ms;
	unsigned horizon_reused;	/* polls since it was read */
	bool pooled;		/* the primary's dsn goes through a pooler */
	bool rep_pooled;	/* ... the replica's (replica_pooler) */
	/* The close history (data/history.h): read between polls when
	 * hist_on (set before the thread starts). */
	bool hist_on;
	int64_t hist_due;	/* mono ms; 0: after the next good poll */
	int64_t hist_clock;	/* the last good poll's server_now ... */
	int64_t hist_mono;	/* ... and when it was had (mono ms) */

	/* Shared, under lock. */
	pthread_mutex_t lock;
	int done;			/* the thread has returned */
	pthread_cond_t done_cond;
	unsigned gen;
	struct snapshot *snap;
	struct shard_health health;
	bool hist_ready;		/* a read ended since the UI looked */
	struct fc_history *hist;	/* its history (NULL: it failed) */
	char hist_error[200];		/* ... and why */
};

PGresult *shard_exec(struct shard_poller *p, const char *sql, int n,
		      const char *const *params, char *reason, size_t rn,
		      bool *dead, bool *stop);
/* The LISTEN connection went away: polling alone until it is back. */
void shard_listen_lost(struct shard_poller *p);
/* Through a pooler LISTEN is useless (the next statement may run on
 * another server connection, and PgBouncer drops what arrives between
 * transactions): it goes on listen_dsn, a direct connection, when one is
 * configured, tried again every LISTEN_RETRY_MS while it fails.  Failing
 * only costs the NOTIFYs, never the polls.  Returns -1 to stop. */
int shard_listen_direct(struct shard_poller *p);
/* Connect when not connected.  Returns -1 to stop, 1 to try again later
 * (retry_at set), 0 when connected. */
int shard_ensure_connected(struct shard_poller *p, int64_t *retry_at);
/* Before a poll: on the replica, measure its lag and leave it when it is
 * out of bounds; on the primary, maybe go back.  0 to poll, -1 to stop,
 * 1 when the connection was dropped (ensure_connected picks the server). */
int shard_replica_check(struct shard_poller *p);
/* Publish snap (NULL: keep the last) and the shard's state (shard_poller.c). */
void shard_publish(struct shard_poller *p, struct snapshot *snap,
		   enum shard_state state, const char *reason, int64_t poll_ms);
/* Wait for the next poll, due poll_interval after last_start; a NOTIFY
 * brings it to notify_min_interval after, a refresh to now
 * (poller_wait.c).  Returns -1 to stop, 1 when the connection broke, 0 to
 * poll. */
int shard_wait_next(struct shard_poller *p, int64_t last_start);
/* A poll's statement sql (a full poll when base is NULL, else a delta
 * onto base) with the zone list it needs; *zones_seen: the short list
 * is to be made again from this poll's snapshot, by shard_zones_update()
 * (shard_session.c). */
PGresult *shard_poll_exec(struct shard_poller *p, const char *sql,
			  const struct snapshot *base, const char **params,
			  char *reason, size_t rn, bool *dead, bool *stop,
			  bool *zones_seen);
void shard_zones_update(struct shard_poller *p, const struct snapshot *s);
/* Let go of a poller's zone names (NULL: nothing). */
void shard_zones_release(struct zone_names *z);
/* The next reconnect's delay in ms, growing with p->failures. */
int64_t shard_next_backoff(struct shard_poller *p);

/* A v3 shard's holds and notes (shard_extras.c): which to read after the
 * poll that made d from base (base NULL: a full poll, read both), then
 * read them onto s or carry base's over.  shard_poll_extras() returns
 * false, with reason, when the holds could not be read: the poll fails. */
struct extras_due {
	bool holds, notes;
};
struct extras_due shard_extras_due(struct shard_poller *p,
				   const struct snapshot *base,
				   const struct snapshot *d, const PGresult *res);
bool shard_poll_extras(struct shard_poller *p, struct snapshot *s,
		       const struct snapshot *base, struct extras_due due,
		       const char **params, char *reason, size_t rn,
		       bool *dead, bool *stop);

#endif
