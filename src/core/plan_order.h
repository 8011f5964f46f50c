/*
 * plan_order.h - the pure parts of a bulk rerun plan: its items, their
 * order (priority, then the nearest deadline), how many are in flight on
 * a shard, which goes next, what a poll says of one, and how long a
 * shard's share takes.  No I/O, no clock; plan.h builds on it.
 */
#ifndef BT_PLAN_ORDER_H
#define BT_PLAN_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum plan_state {
	PI_WAITING,	/* not released yet */
	PI_SENDING,	/* sent, no answer yet */
	PI_PENDING,	/* the shard queued it (or already had one open) */
	PI_RUNNING,	/* the worker took it */
	PI_UNKNOWN,	/* the answer was lost: waiting for the re-read */
	PI_DONE,
	PI_FAILED,
	PI_SKIPPED,	/* refused, an error, or not confirmed after unknown */
	PI_CANCELLED,	/* still waiting when the plan was cancelled */
};

struct plan_item {
	int shard;
	char *shard_name, *batch_id, *biller_id, *biller_name;
	int priority;		/* BT_NO_INT: unknown, ordered last */
	int64_t deadline;	/* BT_NO_TIME: none, ordered last */
	int64_t median_ms;	/* its biller's median close, BT_NO_TIME unknown */
	enum plan_state state;
	long long request_id;	/* the request watched, 0 until known */
	char detail[160];
};

/* Priority first (1 the highest), then the nearest deadline, then shard,
 * biller and batch, so the order is total. */
void plan_sort(struct plan_item *items, size_t n);
bool plan_state_inflight(enum plan_state s);
bool plan_state_final(enum plan_state s);
/* Items of the shard in flight. */
int plan_inflight(const struct plan_item *items, size_t n, int shard);
/* The next item to release on shard (the first waiting one, in order) when
 * fewer than cap are in flight there; -1 when none may go. */
long plan_next(const struct plan_item *items, size_t n, int shard, int cap);
/* Update an in-flight item from its batch's latest request as a poll saw
 * it (rerun_id 0 / status "" when none). */
void plan_observe(struct plan_item *it, long long rerun_id, const char *status);
/* Milliseconds from the start until the shard's items are all done, with
 * cap at a time, each taking its median (default_ms when unknown). */
int64_t plan_makespan(const struct plan_item *items, size_t n, int shard,
		      int cap, int64_t default_ms);

/* The plan's line: "plan: 3 sent, 2 running, 1 done, 4 waiting - p pause,
 * C cancel", or "plan finished: 9 done, 1 failed - C clears this line"
 * once every item is final. */
void plan_words(const struct plan_item *items, size_t n, bool paused,
		char *buf, size_t bn);
/* The median of the items' known medians (the first 256), dflt when none
 * is known. */
int64_t plan_median_ms(const struct plan_item *items, size_t n, int64_t dflt);

#endif
