/*
 * query_zones.h - the zone list an incremental poll sends.
 *
 * Every poll matches each biller's zone against a list of the server's
 * zone names (query_poll.h, $3), because casting a zone the server does
 * not know would fail the whole poll.  All of them are ~1,200 names,
 * 21.8 KB that the server parsed and searched on every poll; a shard's
 * billers use a dozen.  So every poll sends the short list: the zones of
 * the shard's billers that the server knows, read when the connection is
 * made (query_zones_setup()), then those of the billers each full poll
 * saw with a known zone.  A 22 KB parameter would also grow libpq's
 * output buffer of the connection from 16 to 32 KB for good; only a
 * recheck (below) sends every name.
 *
 * What keeps the answer exact: a name in the short list is one of the
 * server's, so a biller the delta says is in a known zone is; a biller
 * the delta says is not may be in a zone the short list lacks (a new
 * biller, or one whose zone changed).  So the poller keeps the zone texts,
 * byte for byte, that an answer asked with every name said were unknown
 * or that query_zones_setup() found no name for (struct zone_set), and a
 * poll that says unknown of any other (query_zones_recheck()) is asked
 * again at once with every name, before anything is shown; then the short
 * list is made again.
 */
#ifndef BT_QUERY_ZONES_H
#define BT_QUERY_ZONES_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "core/snapshot.h"

/* A server's zone names, parsed once: the text[] literal of
 * query_poll_zones() that full polls send, and its names in byte order of
 * their lower-cased text, for the short lists.  Never written after
 * zone_names_new(), so the pollers of one server share one (the literal
 * is 22 KB; data/shard_session.c keeps one per distinct list). */
struct zone_names {
	char *all;		/* the literal */
	char **name;		/* sorted, into text */
	size_t n;
	char *text;		/* the names, one block */
};

/* The names of literal all, which the result then owns (NULL: NULL).
 * An element too long for a zone name, or a NULL, is left out. */
struct zone_names *zone_names_new(char *all);
void zone_names_free(struct zone_names *z);	/* NULL: nothing */

/* The zones of s's billers whose zone the shard knew, lower-cased, each
 * once, in byte order (as poll_delta() searches them), each one of the
 * names of z, as a text[] literal the caller frees. */
char *query_zones_short_of(const struct snapshot *s, const struct zone_names *z);
/* The same of literal all, parsed for this call. */
char *query_zones_short(const struct snapshot *s, const char *all);

/* Zone texts, exactly as the shard sent them (not sanitized: two texts
 * that draw the same, one with a zero-width character, are two zones). */
struct zone_set {
	char **zone;
	size_t n;
};

/* Add to set the zones that res, a poll asked with every zone name, says
 * are unknown for a biller of the shard. */
void query_zones_unknown(const PGresult *res, struct zone_set *set);
void zone_set_clear(struct zone_set *set);

/* The short list of a new connection from res, a query_poll_biller_zones_sql
 * result (the caller frees it; NULL when names is NULL), and into unknown
 * the texts none of names matches, as a poll asked with every name would
 * say (a NULL zone as ""). */
char *query_zones_setup(const PGresult *res, const struct zone_names *names,
			struct zone_set *unknown);
/* Does poll result res, asked with a short list, say a biller's zone is
 * unknown that set does not hold (one every name said was unknown)?  Then
 * the full list might know it: ask again with all. */
bool query_zones_recheck(const PGresult *res, const struct zone_set *set);

#endif
