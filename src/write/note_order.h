/*
 * note_order.h - writing acknowledgements and notes to a shard through
 * batchtop.add_note (contract v3), audited first like reruns (UI thread).
 *
 *   note_order_send(app, "grid", "acknowledged", body, targets, n, r, ...)
 *       refuses in read-only mode, on the wallboard and for a shard that
 *       does not offer notes; appends one "note" audit line per target
 *       (one write, one fsync) and only when they are on disk queues one
 *       add_note write job per target, as rerun_requested_by()
 *   note_order_on_job(app, job)
 *       the JOB_NOTE handler: audits the answer (added, exists, refused,
 *       error, unknown), tells r, and asks the shard for a poll so the
 *       note shows at once
 *
 * A note is not a payment, so there is no y/n step: the dialog where the
 * operator typed it and pressed Enter is the confirmation.  add_note is
 * idempotent, so an unknown answer is safe to send again.  No curses here.
 */
#ifndef BT_NOTE_ORDER_H
#define BT_NOTE_ORDER_H

#include <stddef.h>

#include "app/app.h"
#include "write/action_report.h"

struct sq_job;

struct note_target {
	int shard;		/* index into app->pollers */
	const char *biller_id;	/* raw */
	const char *batch_id;	/* raw; NULL: the biller as a whole */
};

/* Whether notes may be written to shard now; if not, why. */
bool note_order_may(const struct app *app, int shard, char *why, size_t n);

/* Send note_kind (acknowledged, note, resolved) with body (may be "") for
 * the n targets.  Returns how many were queued; when none, why says so
 * (and r was told). */
size_t note_order_send(struct app *app, const char *screen,
		       const char *note_kind, const char *body,
		       const struct note_target *t, size_t n,
		       const struct action_report *r, char *why, size_t wn);

/* The handler of finished JOB_NOTE jobs (registered by the UI; owns job). */
void note_order_on_job(struct app *app, struct sq_job *job);

/* Notes sent whose answer batchtop has not had yet. */
size_t note_order_unanswered(void);
/* At exit: record every note without an answer as abandoned (one fsynced
 * batch of audit lines, outcome "unanswered": it may or may not have been
 * recorded; why says how batchtop stopped) and append a line for each of
 * the first list_max to list (listn bytes).  Returns how many; *failed is
 * 1 when the audit log could not be written (err says why).  As
 * rerun_abandon_requests(); action_loop.h's actions_abandon() calls it. */
size_t note_order_abandon(struct app *app, const char *why, char *list,
			  size_t listn, size_t list_max, char *err, size_t n,
			  int *failed);
/* Forget the notes in flight (at exit, after note_order_abandon). */
void note_order_shutdown(void);

/* Tests only: queue through fn instead of the shard's query worker. */
typedef unsigned (*note_submit_fn)(struct app *app, int shard,
				   struct sq_job *job);
void note_order_set_submit(note_submit_fn fn);

#endif
