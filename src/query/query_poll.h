/*
 * query_poll.h - the poll: one query per shard per poll_interval, and the
 * snapshot (core/snapshot.h) built from its rows.
 *
 * The poller thread (src/data/shard_poller.c) runs query_poll_zones_sql once
 * per connection and query_poll_sql on every poll; this file says what
 * they ask and how their rows become a snapshot.  Identifiers are kept
 * byte for byte, every other text sanitized; a batch whose values do not
 * parse is kept, with what was wrong in its bad text.
 */
#ifndef BT_QUERY_POLL_H
#define BT_QUERY_POLL_H

#include <stdint.h>

#include <libpq-fe.h>

#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"

/* Parameters: $1 night_hours, $2 window_minutes, $3 the server's zone
 * names as a text[] literal (query_poll_zones()). */
extern const char query_poll_sql[];
/* The zone names the server knows, as one row of one text[] literal. */
extern const char query_poll_zones_sql[];

/* The literal of a query_poll_zones_sql result (the caller frees it), or
 * NULL when the result is not one non-NULL value. */
char *query_poll_zones(const PGresult *res);

/* A snapshot (refcount 1) of shard `shard` (index) from a poll result,
 * taken at taken_mono. */
struct snapshot *query_poll_snapshot(const PGresult *res, int index,
				     const char *shard, int64_t taken_mono);

#endif
