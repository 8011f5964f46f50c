/*
 * shard_poller.h - one background thread per shard that polls it.
 *
 * Each poller owns one libpq connection (read-only session, application_name
 * "batchtop", keepalives, statement_timeout) and runs one query per poll, every
 * poll_interval seconds or sooner when the shard NOTIFYs channel "batchtop";
 * for the dashboard, the close history too, between polls (data/history.h).
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
#include "core/forecast.h"
#include "core/biller_status.h"
#include "data/shard_health.h"

struct shard_poller;

/* wake_fd is the write end of the UI's wake pipe (non-blocking). */
struct shard_poller *shard_poller_new(int index, const struct shard_conf *sc,
				      const struct config *cfg, int wake_fd);
/* Wake the UI through g (data/wake_gate.h: one byte per take) instead of
 * a byte per snapshot.  Before the start; g outlives the poller. */
struct wake_gate;
void shard_poller_gate(struct shard_poller *p, struct wake_gate *g);
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

/* Read the shard's close history for the forecasts too, between polls on
 * the poller's own connection (data/history.h).  Before the start. */
void shard_poller_want_history(struct shard_poller *p);
/* When a history read ended since the last call: true, with *h the new
 * finished history (the caller's reference; NULL when the read failed) and
 * err its failure ("" when none).  Else false. */
bool shard_poller_history(struct shard_poller *p, struct fc_history **h,
			  char *err, size_t n);

/* The poll query and its parsing are in query_poll.h. */

#endif
