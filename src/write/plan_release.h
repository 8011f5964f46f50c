/*
 * plan_release.h - releasing the marked holds in stages (UI thread only).
 *
 * After an outage the pent-up work must come back a little at a time: a
 * release plan is the frozen list of holds the operator confirmed, in the
 * order chosen in its dialog (core/release_order.h: oldest first, or
 * about to bill first), released never more than max_inflight_per_shard
 * at once per shard, like a bulk rerun plan (the pacing and the plan
 * line are core/plan_order.h's).  A release is in flight from its send
 * until the shard answers.  Pausing stops releases; cancelling drops what
 * is still waiting (what was released stays released).
 *
 * Every call goes through write/hold_order.h (confirmed, audited first).
 * When a hold is released, its failed batches need a close: each is
 * rerun through the one rerun path (write/rerun_order.h), as part of the
 * plan the operator confirmed; batches another active hold still selects
 * stay held.  No curses: words go to the action_report passed in.
 */
#ifndef BT_PLAN_RELEASE_H
#define BT_PLAN_RELEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/release_order.h"
#include "write/action_report.h"

/* A hold as the holds screen proposes it. */
struct release_pick {
	int shard;
	int64_t hold_id;
	const char *words;	/* what it selects, for the plan's lines */
};

/* Build the proposal of picks (frozen, ordered by `by`, not started):
 * 0, or -1 after telling r why not (read-only, a plan is running, no
 * active hold among them). */
int plan_release_propose(struct app *app, const struct release_pick *picks,
			 size_t n, enum release_by by,
			 const struct action_report *r);
/* The proposal's order again, by `by` (its dialog's o key). */
void plan_release_reorder(struct app *app, enum release_by by);
/* The proposal for its dialog: how many, the order, and line i ("1. hold
 * 12 on east: Acme Power batch_close (placed 01:10, due 02:45)"). */
size_t plan_release_count(void);
/* Whether a proposal waits for its answer. */
bool plan_release_proposed(void);
enum release_by plan_release_by(void);
bool plan_release_item_words(size_t i, char *buf, size_t n);
/* The answer: started (its confirmation audited first, one fsync; r hears
 * the plan's news and must outlive it) or declined (audited too). */
void plan_release_start(struct app *app, const struct action_report *r);
void plan_release_decline(struct app *app, const struct action_report *r);
/* p and C on the holds screen. */
void plan_release_pause(struct app *app, const struct action_report *r);
void plan_release_cancel(struct app *app, const struct action_report *r);
/* "release: 1 sent, 2 done, 3 waiting - p pause, C cancel"; false when
 * no release plan has started. */
bool plan_release_line(char *buf, size_t n);
/* Once per loop turn (action_loop.c): release what may go. */
void plan_release_tick(struct app *app);
/* Holds of a started plan still waiting. */
size_t plan_release_waiting(void);
/* At exit: record every waiting hold as abandoned (one fsynced batch of
 * audit lines, detail saying why) and drop them.  Returns how many;
 * *failed is 1 when the audit log could not be written (err says why). */
size_t plan_release_abandon(const char *detail, char *err, size_t n,
			    int *failed);
void plan_release_shutdown(void);

#endif
