/*
 * plan_breaker.h - a staged plan's circuit breakers, one per shard (UI
 * thread only; the state machine is core/breaker.h).
 *
 * plan.c asks plan_breaker_may_send() before it releases an item to a
 * shard and calls plan_breaker_sent() for each one it hands to the send;
 * once per loop turn plan_breaker_tick() reads the items' states and
 * counts each sent item's outcome once: done is a success; failed, or an
 * answer that was lost (PI_UNKNOWN: whatever the re-read says later), is
 * a failure; refused or not sent counts as neither.  When a breaker
 * opens, half-opens or closes, one audit line (event "breaker") is
 * fsynced and the report is told; the half-open line is on disk before
 * the trial's own "request" line.
 */
#ifndef BT_PLAN_BREAKER_H
#define BT_PLAN_BREAKER_H

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"
#include "core/plan_order.h"
#include "write/action_report.h"

struct plan_breaker;

/* Closed breakers for nshards shards, with the rules of app->cfg; the
 * caller frees with plan_breaker_free() (NULL is fine). */
struct plan_breaker *plan_breaker_new(const struct app *app, size_t nshards);
void plan_breaker_free(struct plan_breaker *pb);

/* Whether one more item may go to shard now (false: open, or half-open
 * with its trial out). */
bool plan_breaker_may_send(const struct plan_breaker *pb, int shard);
/* Item i of the plan, it, is being sent. */
void plan_breaker_sent(struct plan_breaker *pb, size_t i,
		       const struct plan_item *it);
/* Count what ended among items[0..n), half-open what has paused long
 * enough (at app->mono) and still has items waiting; audit and report
 * each change through r. */
void plan_breaker_tick(struct plan_breaker *pb, struct app *app,
		       const struct plan_item *items, size_t n,
		       const struct action_report *r);
/* The breakers that are not closed on shards with items waiting (as of
 * the last tick), "east: breaker open after 5 failures
 * in a row, retry in 2m; west: ...", raw (the caller sanitizes what it
 * draws), into buf; false (buf "") when there are none. */
bool plan_breaker_words(const struct plan_breaker *pb, char *buf, size_t n);
/* The same for one shard. */
bool plan_breaker_shard_words(const struct plan_breaker *pb, int shard,
			      char *buf, size_t n);

#endif
