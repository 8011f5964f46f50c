/*
 * rerun_order.h - the one way a rerun is confirmed and sent: an order is
 * the frozen list of targets the operator was shown (UI thread only).
 *
 * Every caller (the single rerun of the grid and the biller detail, the
 * bulk plan, the autopay invoices; later holds and releases) goes through
 * here and supplies only what differs: its targets and their words, and
 * for the plan the pacing (it sends one target at a time).
 *
 *   o = rerun_order_freeze(app, "grid", reason, targets, n);
 *       copies everything: rows that move underneath change nothing
 *   rerun_order_answer(app, o, yes, detail, report, err, n);
 *       one "confirm" (or "cancel") audit line per target, one write and
 *       one fsync for them all; if they are not on disk the order is
 *       spoiled and nothing of it can ever be sent
 *   rerun_order_send_all(app, o, ...) or rerun_order_send(app, o, i, ...)
 *       through rerun_send(): refused in read-only mode and while the
 *       target's last outcome is unknown (until the re-read), the
 *       "request" line fsynced before the job is queued; the answer
 *       (created, duplicate, refused, error, unknown and then the re-read)
 *       comes to the callback
 *   rerun_order_free(o);
 *
 * Nothing here includes curses or calls a screen; messages go through the
 * action_report the caller passes.
 */
#ifndef BT_RERUN_ORDER_H
#define BT_RERUN_ORDER_H

#include <stdbool.h>
#include <stddef.h>

#include "write/action_report.h"
#include "write/rerun.h"

/* One target as the caller describes it (all copied by freeze). */
struct rerun_target {
	int shard;		/* index into app->pollers */
	const char *kind;	/* RERUN_BATCH or RERUN_INVOICE */
	const char *id;		/* raw, exactly as the shard sent it */
	const char *words;	/* what it is ("Acme Power"): in the log when
				 * it is not sent, and for the caller's own
				 * messages ("" or NULL: none) */
};

struct rerun_order;

/* Copy the targets; screen is where it was asked (grid, biller, autopay,
 * plan), reason goes to the shard and the audit log.  The caller frees
 * with rerun_order_free(). */
struct rerun_order *rerun_order_freeze(const struct app *app,
				       const char *screen, const char *reason,
				       const struct rerun_target *targets,
				       size_t n);
void rerun_order_free(struct rerun_order *o);

size_t rerun_order_count(const struct rerun_order *o);
/* The frozen copy of target i (its strings live as long as o). */
const struct rerun_target *rerun_order_target(const struct rerun_order *o,
					      size_t i);

/* The operator's answer, audited before anything else happens: 0 when
 * every line is on disk (after yes the order may be sent); -1 when not,
 * err says why, r (may be NULL) has been told that nothing was sent, and
 * the order can never be sent.  detail: how it was answered ("confirmed
 * with y"). */
int rerun_order_answer(struct app *app, struct rerun_order *o, bool yes,
		       const char *detail, const struct action_report *r,
		       char *err, size_t n);

/* Append one line (event, outcome, detail) for each target i with
 * only[i] true (only NULL: all), one write and one fsync.  0, or -1 with
 * err set. */
int rerun_order_audit(const struct rerun_order *o, const char *event,
		      const char *outcome, const char *detail,
		      const bool *only, char *err, size_t n);

/* Send target i of a confirmed order.  0: queued, cb hears the answer
 * with tag; -1 (or RERUN_AUDIT_FAILED: its "request" line could not be
 * written): not sent, why says so, nothing was queued.  announce:
 * report every answer through r. */
int rerun_order_send(struct app *app, struct rerun_order *o, size_t i,
		     bool announce, const struct action_report *r, rerun_cb cb,
		     unsigned long tag, char *why, size_t n);

/* Send targets idx[0..k) of a confirmed order now, together: the
 * "request" lines of all that may go are one write and one fsync, before
 * any of them is queued; when that write fails none is.  tags[j] goes with
 * idx[j]'s answer (tags NULL: tag for all).  Each one that cannot be sent
 * is reported through r and marked (rerun_order_why() says why; NULL for
 * those queued).  Returns how many were queued. */
size_t rerun_order_send_many(struct app *app, struct rerun_order *o,
			     const size_t *idx, size_t k, bool announce,
			     const struct action_report *r, rerun_cb cb,
			     const unsigned long *tags, unsigned long tag);
/* Send every target of a confirmed order now (rerun_order_send_many() of
 * them all).  Returns how many were queued. */
size_t rerun_order_send_all(struct app *app, struct rerun_order *o,
			    bool announce, const struct action_report *r,
			    rerun_cb cb, unsigned long tag);
/* Append the targets of the confirmed order from to the confirmed order
 * into (its index continues into's) and free from: a running plan grows
 * by what the operator confirmed for it.  0; -1 when either is not
 * confirmed (nothing changed, from is still the caller's). */
int rerun_order_join(struct rerun_order *into, struct rerun_order *from);
/* The answer of a dialog where `y` confirms and any other key cancels:
 * rerun_order_answer() with "confirmed with y" or "cancelled by the
 * operator", then on yes rerun_order_send_all(); a no is reported through
 * r.  Returns how many were queued. */
size_t rerun_order_decide(struct app *app, struct rerun_order *o, bool yes,
			  bool announce, const struct action_report *r,
			  rerun_cb cb, unsigned long tag);
/* Whether the operator's yes is on disk (the order may send). */
bool rerun_order_confirmed(const struct rerun_order *o);
/* Why target i was not sent by send_all, or NULL when it was (or was not
 * tried). */
const char *rerun_order_why(const struct rerun_order *o, size_t i);

#endif
