/*
 * hold_order.h - the one way a hold is placed, released or written off:
 * confirmed, audited first, then sent (UI thread only).
 *
 * It is rerun_order.h's path for a different call: the calls the
 * operator was shown are frozen (a rerun_order of them does the freezing
 * and the "confirm"/"cancel" lines), the answer is on disk before
 * anything is sent, and each call's "request" line is written and
 * fsynced (one write for a batch of them) before its job is queued.
 * Refused in read-only mode and on the wallboard; the shard refuses
 * anyone but batchtop_operator.  The answer ("placed", "exists",
 * "released", "already", "written_off", "refused", an error, or unknown
 * when it was lost) gets its own "outcome" line and goes to the callback.
 *
 * Audit lines (doc/batchtop.1, AUDIT LOG): kind is the function called
 * (place_hold, release_hold, write_off_invoice), target the biller id
 * ("*" for every biller of the shard), the hold id or the invoice id;
 * the "request" line's detail names the hold's selection and expiry.
 */
#ifndef BT_HOLD_ORDER_H
#define BT_HOLD_ORDER_H

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"
#include "write/action_report.h"

enum hold_op { HOLD_PLACE, HOLD_RELEASE, HOLD_WRITE_OFF };

/* One call as the caller describes it (all copied by freeze). */
struct hold_call {
	int shard;
	enum hold_op op;
	const char *target;	/* PLACE: the biller id, NULL every biller;
				 * RELEASE: the hold id; WRITE_OFF: the
				 * invoice id.  Raw, as the shard sent it. */
	const char *hold_id;	/* WRITE_OFF: the hold that keeps it */
	const char *hold_kind;	/* PLACE: batch_close or autopay_invoice */
	const char *payment_type, *module;	/* PLACE: NULL for any */
	const char *expires_iso;	/* PLACE: NULL for no expiry */
	const char *day_from, *day_to;	/* PLACE: business days
					 * "YYYY-MM-DD", NULL open-ended */
	const char *words;	/* what it is, for messages ("Acme Power") */
};

struct hold_answer {
	int shard;
	enum hold_op op;
	const char *target;	/* raw; "*" for every biller */
	const char *outcome;	/* the shard's word, or "error", "unknown",
				 * "not-sent" */
	const char *id;		/* the hold or invoice id it names, or "" */
	const char *detail;	/* sanitized */
	bool done;		/* placed, exists, released, already,
				 * written_off: nothing is left to do */
};

typedef void (*hold_cb)(struct app *app, const struct hold_answer *a,
			unsigned long tag);

struct hold_order;

/* Whether holds may be written from this batchtop at all; if not, why. */
bool hold_order_allowed(const struct app *app, char *why, size_t n);

/* Copy the calls; screen is where it was asked (grid, biller, holds,
 * release), reason goes to the shard and the audit log.  The caller frees
 * with hold_order_free(). */
struct hold_order *hold_order_freeze(const struct app *app, const char *screen,
				     const char *reason,
				     const struct hold_call *calls, size_t n);
void hold_order_free(struct hold_order *o);
size_t hold_order_count(const struct hold_order *o);

/* The operator's answer, audited (one fsync) before anything else: 0
 * when it is on disk (after yes the order may send); -1 when not (err
 * says why, r was told nothing was sent). */
int hold_order_answer(struct app *app, struct hold_order *o, bool yes,
		      const char *detail, const struct action_report *r,
		      char *err, size_t n);
/* Send calls idx[0..k) (idx NULL: all of them) of a confirmed order:
 * their "request" lines are one write and one fsync before any job is
 * queued; when that fails none is.  tags[j] goes with idx[j]'s answer
 * (tags NULL: tag for all).  Each call that could not go is marked
 * (hold_order_why()) and reported through r.  Returns how many were
 * queued. */
size_t hold_order_send(struct app *app, struct hold_order *o,
		       const size_t *idx, size_t k,
		       const struct action_report *r, hold_cb cb,
		       const unsigned long *tags, unsigned long tag);
/* Append one line (event, outcome, detail) for each call i with only[i]
 * true (only NULL: all), one write and one fsync: 0, or -1 with err. */
int hold_order_audit(const struct hold_order *o, const char *event,
		     const char *outcome, const char *detail, const bool *only,
		     char *err, size_t n);
/* Why call i was not sent, or NULL. */
const char *hold_order_why(const struct hold_order *o, size_t i);

/* The handler of finished JOB_HOLD jobs (action_loop.c routes them; it
 * owns job). */
void hold_order_on_job(struct app *app, struct sq_job *job);
/* A call whose answer was lost leaves its biller (place) or hold
 * (release, write-off) "checking": no call on it is sent until a poll of
 * its shard that began after the loss has read the shard's holds, and
 * says (through the call's report, and a "reread" audit line) what the
 * shard recorded.  True, with why, while biller_id (NULL: every biller)
 * or hold_id of shard is checking. */
bool hold_order_checking_biller(const struct app *app, int shard,
				const char *biller_id, char *why, size_t n);
bool hold_order_checking_hold(const struct app *app, int shard,
			      const char *hold_id, char *why, size_t n);
/* The same without the words, for the rows that draw the mark (the grid's
 * M column, the holds screen): nothing is formatted, and with nothing
 * checking (almost always) it costs a pointer test. */
bool hold_order_biller_is_checking(int shard, const char *biller_id);
bool hold_order_hold_is_checking(int shard, const char *hold_id);
/* Whether snapshot s (and the health read with it, h; NULL: none) can say
 * what a call whose answer was lost at since (monotonic ms) did: its
 * holds were read by a poll that began after the loss, and, when that
 * poll read a replica, the replica had replayed the primary past the
 * loss (its lag is known, and the poll's time and the lag put the data it
 * shows after since).  Otherwise the check waits for a later poll. */
struct shard_health;
bool hold_check_settles(const struct snapshot *s, const struct shard_health *h,
			int64_t since);
/* Once per loop turn: end the checks whose shard has been re-read. */
void hold_order_tick(struct app *app);
/* Calls sent whose answer has not come. */
size_t hold_order_unanswered(void);
/* At exit: record every call without an answer as abandoned (one fsynced
 * batch of audit lines, outcome "unanswered"; why says how batchtop
 * stopped) and append a line for each of the first list_max to list
 * (listn bytes).  Returns how many; *failed is 1 when the audit log could
 * not be written (err says why).  As rerun_abandon_requests(). */
size_t hold_order_abandon(struct app *app, const char *why, char *list,
			  size_t listn, size_t list_max, char *err, size_t n,
			  int *failed);
/* Forget the calls in flight (at exit). */
void hold_order_shutdown(void);

/* "place_hold", "release_hold", "write_off_invoice". */
const char *hold_op_name(enum hold_op op);

#endif
