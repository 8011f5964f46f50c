/*
 * query_poll.h - the poll: one query per shard per poll_interval, and the
 * snapshot (core/snapshot.h) built from its rows.
 *
 * The poller thread (src/data/shard_poller.c) runs query_poll_zones_sql and
 * query_poll_biller_zones_sql once per connection and query_poll_sql on
 * every poll; this file says what they ask and how their rows become a
 * snapshot.  Identifiers are kept
 * byte for byte, every other text sanitized; a batch whose values do not
 * parse is kept, with what was wrong in its bad text.
 */
#ifndef BT_QUERY_POLL_H
#define BT_QUERY_POLL_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"

/* The full poll.  Parameters: $1 night_hours, $2 window_minutes, $3 zone
 * names of the server's as a text[] literal: all of them
 * (query_poll_zones()) or a short list (query/query_zones.h). */
extern const char query_poll_sql[];
/* The incremental poll of a contract-v2 shard (doc/contract.md): the same
 * rows as the full poll, for the billers changed since $4 (the cursor, the
 * shard's clock in epoch ms), plus a row that only has now_ms.  Its result
 * is parsed by query_poll_snapshot() too and merged with snapshot_merge(). */
extern const char query_poll_delta_sql[];
/* The same for a contract-v3 shard, whose clock row also says whether a
 * hold or a note was updated after the cursor: query_poll_moved(). */
extern const char query_poll_delta3_sql[];
/* From a query_poll_delta3_sql result: whether the holds and the notes
 * moved since the cursor (true when the result does not say). */
void query_poll_moved(const PGresult *res, bool *holds, bool *notes);
/* The held list's two literals, in buffers kept from one poll to the
 * next (a poller's own): written over and grown as needed, never shrunk. */
struct query_held {
	char *ids, *sigs;
	size_t ids_cap, sigs_cap;
};

/* The batches of s updated at or after from_ms (epoch ms, the delta's
 * cursor) whose signature it read, as the delta's $5 (h->ids, a text[]
 * literal of their ids, byte for byte) and $6 (h->sigs, a bigint[] literal
 * of their row_sig): the rows the overlap would otherwise re-read though
 * they did not change.  h starts zeroed and is reused call after call;
 * returns how many batches they name. */
size_t query_poll_held(const struct snapshot *s, int64_t from_ms,
		       struct query_held *h);
/* Free h's buffers (zeroed again). */
void query_held_free(struct query_held *h);

/* The same delta as query_poll_delta3_sql, same parameters, same rows in
 * the same order, through the shard's batchtop.poll_delta() (optional in
 * the contract): planned once per server session instead of every poll. */
extern const char query_poll_delta_fn_sql[];

/* The same delta through batchtop.poll_delta_since() (optional in the
 * contract): the same parameters and rows, and on one of them horizon_ms,
 * the shard's clock before which no transaction that was open when the
 * poll looked began (query_poll_horizon()). */
extern const char query_poll_delta_since_sql[];
/* The horizon of a query_poll_delta_since_sql result in epoch ms, or
 * BT_NO_TIME when it has none (another statement's result, or NULL: the
 * shard cannot tell). */
int64_t query_poll_horizon(const PGresult *res);
/* How far before the horizon the next delta still reaches: a writer's
 * transaction start (its rows' updated_at) is taken a moment before the
 * server shows that transaction open, and a poll that looks in between
 * does not see it.  That moment is microseconds; a second is generous. */
#define QUERY_POLL_HORIZON_MARGIN_MS 1000
/* How many steady polls in a row call poll_delta() and keep the last
 * horizon before one calls poll_delta_since() again: horizons never move
 * back, so an older one is still a bound, only one that reaches further
 * back (doc/contract.md, "poll_delta_since").  Reading the sessions is
 * about a third of a millisecond of the shard's CPU; a horizon older by
 * two polls re-hashes two polls' worth more held rows, a few microseconds
 * each. */
#define QUERY_POLL_HORIZON_REUSE 2

/* The zone names the server knows, as rows of text[] literals that
 * query_poll_zones() joins, and in each row whether
 * batchtop.contract_version() exists, whether
 * batchtop.poll_delta() does (query_poll_has_delta_fn()) and whether
 * batchtop.poll_delta_since() does (query_poll_has_delta_since()). */
extern const char query_poll_zones_sql[];
/* The zones of the shard's billers: each text, and its lower() (for
 * query_zones_setup()). */
extern const char query_poll_biller_zones_sql[];
/* The contract version, when query_poll_has_version() said it exists. */
extern const char query_poll_version_sql[];

/* The literal of a query_poll_zones_sql result, its rows' parts joined
 * (the caller frees it), or NULL when it has no rows or a part is not a
 * literal. */
char *query_poll_zones(const PGresult *res);
bool query_poll_has_version(const PGresult *res);
bool query_poll_has_delta_fn(const PGresult *res);
bool query_poll_has_delta_since(const PGresult *res);
/* The version a query_poll_version_sql result says (1 if it makes no
 * sense). */
int query_poll_version(const PGresult *res);

/* A snapshot (refcount 1) of shard `shard` (index) from a poll result,
 * taken at taken_mono.  Each biller, its batch records and its strings go
 * into a home block of their own, sized exactly from a first pass over its
 * rows (core/snapshot.h).  Low-cardinality texts are interned in `in`
 * (NULL: copied into each biller's home). */
struct snapshot *query_poll_snapshot(const PGresult *res, int index,
				     const char *shard, int64_t taken_mono,
				     struct intern *in);

#endif
