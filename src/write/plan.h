/*
 * plan.h - staged bulk reruns: the marked billers' failed batches, sent
 * in order of priority and deadline, never more than max_inflight_per_shard
 * requests pending or running on one shard at once (UI thread only).
 *
 * A plan is a frozen list of batches.  plan_tick() watches the pollers'
 * snapshots (each batch's latest rerun request) and releases the next
 * waiting batch of a shard whenever that shard has room.  An item counts
 * as in flight from the moment it is sent until the shard shows its
 * request done or failed; an answer that was lost counts too, until the
 * re-read says otherwise.  Pausing stops releases; cancelling drops what
 * is still waiting (what was sent stays sent).  Every confirmation, audit
 * line and send goes through rerun_order.h.  No curses, no ui_*: words for
 * the user go through the action_report the caller passes.
 *
 * The pure parts (ordering, counting, estimating) are in plan_order.h.
 */
#ifndef BT_PLAN_H
#define BT_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "write/action_report.h"
#include "app/app.h"
#include "core/plan_order.h"
#include "write/plan_marks.h"

/* --- the plan of this batchtop ------------------------------------------------ */

/* R: build a plan of the marked billers (frozen, not started) for the
 * dialog (screens/plan_dialog.c) to show.  While a plan runs, R builds an
 * addition instead: the failed batches of the marked billers (every
 * failed biller when none is marked) that are not in the plan already,
 * frozen and confirmed the same way, and sent after what is waiting.
 * 0 when there is one; -1 when not, after telling r why. */
int plan_build(struct app *app, const struct action_report *r);
/* The proposed plan, for its dialog: false when none is waiting for an
 * answer.  The pointers live until the plan is started or dropped. */
struct plan_summary {
	const struct plan_item *items;
	size_t n;
	int cap;
	size_t nbillers, nshards;
	const char *const *skipped;
	size_t nskipped;
	const bool *median_asked;	/* per shard: its medians came */
	bool joining;		/* an addition to the running plan */
	size_t running;		/* joining: batches in the running plan */
	size_t waiting;		/* joining: of them still waiting */
};
bool plan_proposal(struct plan_summary *out);
/* The shards of the plan, in shard order, into which (at most max). */
size_t plan_shards(size_t *which, size_t max);
/* A default duration for a batch with no history: the plan's own median
 * of medians, else five minutes. */
int64_t plan_default_ms(void);
/* The operator's answer to the proposed plan (or addition): started or
 * added (its confirmation audited first, one fsync; r hears the plan's
 * news from then on and must outlive it) or declined (typed: what was
 * typed instead of the count). */
void plan_start(struct app *app, const struct action_report *r);
void plan_decline(struct app *app, const struct action_report *r,
		  const char *typed);
/* Forget a proposal whose dialog could not open. */
void plan_drop_proposal(void);
/* p and C. */
void plan_pause(struct app *app, const struct action_report *r);
void plan_cancel(struct app *app, const struct action_report *r);
/* "plan: 3 sent, 2 running, 1 done, 4 waiting - p pause, C cancel";
 * false when there is no plan. */
bool plan_status_line(char *buf, size_t n);
/* Shard's breaker in words ("east: breaker open after 5 failures in a
 * row, retry in 2m", raw: sanitize to draw); false when it is closed or
 * no plan runs.  The plan line above ends with those of every shard. */
bool plan_shard_breaker(size_t shard, char *buf, size_t n);
/* Whether there is a plan line to show (a plan started, until C clears
 * it): the grid gives it a line of its own. */
bool plan_has_line(void);
/* Once per loop turn (action_loop.c): observe and release. */
void plan_tick(struct app *app);
void plan_shutdown(void);
/* Batches of a started plan that are still waiting to be sent (paused or
 * not); 0 when there is no such plan. */
size_t plan_waiting(void);
/* At exit: record every waiting batch as abandoned (one fsynced batch of
 * audit lines, detail saying why), drop them, and append a line for each
 * of the first list_max to list (a string of listn bytes; NULL for none).
 * Returns how many were abandoned; *failed is 1 when the audit log could
 * not be written (err says why). */
size_t plan_abandon(const char *detail, char *list, size_t listn,
		    size_t list_max, char *err, size_t n, int *failed);

#endif
