/*
 * query_zones.h - the zone list an incremental poll sends.
 *
 * Every poll matches each biller's zone against a list of the server's
 * zone names (query_poll.h, $3), because casting a zone the server does
 * not know would fail the whole poll.  All of them are ~1,200 names,
 * 21.8 KB that the server parsed and searched on every poll; a shard's
 * billers use a dozen.  So a full poll sends them all, and the deltas
 * after it only those of the billers it saw with a known zone.
 *
 * What keeps the answer exact: a name in the short list is one of the
 * server's, so a biller the delta says is in a known zone is; a biller
 * the delta says is not may be in a zone the short list lacks (a new
 * biller, or one whose zone changed).  query_zones_recheck() finds those
 * rows, and the poller then asks again at once with every name, before
 * anything is shown, and rebuilds the short list from what it got.
 */
#ifndef BT_QUERY_ZONES_H
#define BT_QUERY_ZONES_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "core/snapshot.h"

/* The zones of s's billers whose zone the shard knew, lower-cased, each
 * once, in byte order (as poll_delta() searches them), each one of the
 * names of `all` (the text[] literal of query_poll_zones()), as a text[]
 * literal the caller frees. */
char *query_zones_short(const struct snapshot *s, const char *all);

/* Does delta result res, asked with a short list, say a biller's zone is
 * unknown where the full list might know it: a biller of the shard whose
 * zone is not known in res, unless base holds it with the same zone,
 * already unknown (which every name said)?  Then ask again with all. */
bool query_zones_recheck(const PGresult *res, const struct snapshot *base);

#endif
