/*
 * release_order.h - the order in which a release plan lets holds go
 * (pure; write/plan_release.c builds on it).
 *
 * After an outage the pent-up work must not all arrive at once: holds are
 * released a few at a time per shard, either the oldest first (what has
 * waited longest ages into a write-off first) or the one about to bill
 * first (the nearest deadline or payment file of what it holds: the cash
 * that is due soonest).  Keys are instants, never durations that tick, so
 * the order holds still while the plan runs.
 */
#ifndef BT_RELEASE_ORDER_H
#define BT_RELEASE_ORDER_H

#include <stddef.h>
#include <stdint.h>

enum release_by {
	RELEASE_OLDEST,		/* placed_at ascending */
	RELEASE_DUE,		/* due_at ascending ("about to bill") */
};

struct release_key {
	int shard;
	const char *hold_id;	/* as the shard sent it */
	int64_t placed_at;	/* epoch ms; BT_NO_TIME (INT64_MIN) last */
	int64_t due_at;		/* the nearest deadline or payment file of
				 * what it holds; INT64_MIN (none) last */
};

/* idx[0..n) = the keys' indexes in release order: the chosen instant,
 * then the other one, then shard and hold id, so the order is total. */
void release_order(const struct release_key *keys, size_t n,
		   enum release_by by, size_t *idx);
/* "oldest first" / "about to bill first". */
const char *release_by_words(enum release_by by);

#endif
