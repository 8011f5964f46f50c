/*
 * plan_watch.h - the bulk plan's own reads of its requests in flight (UI
 * thread only).
 *
 * The plan's cap and its "plan finished" wait for requests to end.  The
 * poll says so too, but only at the next poll: a whole poll_interval
 * later on a shard that sends no NOTIFY (the same lag made "plan
 * finished" come about a minute late).  So while a shard has requests of
 * the plan in flight, plan.c has them read here, by id, at most every two
 * seconds; each status read is handed to its callback.
 */
#ifndef BT_PLAN_WATCH_H
#define BT_PLAN_WATCH_H

#include <stdbool.h>
#include <stddef.h>

struct app;

typedef void (*plan_watch_fn)(struct app *app, int shard, long long request_id,
			      const char *status);

/* Whether the shard may be read again (its last read answered two seconds
 * ago or more, or never answered in thirty). */
bool plan_watch_due(size_t shard);
/* Read the status of requests ids[0..k) on shard (nothing when k is 0);
 * fn hears each row. */
void plan_watch_read(struct app *app, size_t shard, const long long *ids,
		     size_t k, plan_watch_fn fn);
/* Forget the reads in flight (a new plan, or exit): their answers are
 * dropped. */
void plan_watch_forget(void);

#endif
