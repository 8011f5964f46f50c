/*
 * snapshot_compact.h - give a merged snapshot's strings one home again.
 *
 * snapshot_merge() shares the batch records and strings of the billers
 * that did not change: the merged snapshot keeps a reference to the arena
 * of every poll that parsed one of its billers.  Each such arena holds
 * every biller that poll re-read, most of them re-read again since, so
 * under churn a shard's memory grows with the number of polls since its
 * last full poll, not with its billers (100 shards at 1% churn per second:
 * hundreds of MB before the two-minute resync).  Compacting copies the
 * batch records and strings of the billers that live in small or mostly
 * dead arenas into the snapshot's own arena and lets those arenas go, so
 * a shard holds a bounded number of them, and not much more than it uses.
 */
#ifndef BT_SNAPSHOT_COMPACT_H
#define BT_SNAPSHOT_COMPACT_H

#include <stddef.h>

#include "core/arena.h"
#include "core/snapshot.h"

/* How many arenas besides its own and the shard's interned strings a
 * snapshot may hold before the poller compacts it. */
#define SNAPSHOT_COMPACT_HELD 4
/* How many arenas of other polls a compacted snapshot may keep pinning
 * (the ones whose billers are still mostly its own). */
#define SNAPSHOT_COMPACT_KEEP 2

/* Copy into s's own arena the batch records and strings of every biller
 * whose home is a held arena that is mostly dead or past the
 * SNAPSHOT_COMPACT_KEEP that s uses most (snapshot_compact.c says how),
 * re-interning the low-cardinality ones in in (whose arena stays held, as
 * does notes_home), then drop those arenas and any no biller uses.  Only
 * for a snapshot not yet published whose biller array is its own (a merge
 * that changed something): it rewrites s's biller records in place, and
 * never the shared batch records.  Ids are copied byte for byte. */
void snapshot_compact(struct snapshot *s, struct intern *in);

#endif
