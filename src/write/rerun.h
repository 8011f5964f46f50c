/*
 * rerun.h - asking a shard to rerun a batch close or an autopay invoice,
 * in the one way batchtop allows (UI thread only).
 *
 * Every request goes through rerun_send(): it refuses in read-only mode,
 * refuses a target whose last request has an unknown outcome until the
 * shard has been re-read, writes and fsyncs the audit line, and only then
 * queues the write job (SELECT * FROM batchtop.request_rerun(...)).  The
 * answer comes back through the caller's callback: created, duplicate or
 * refused (the shard's words), an error (nothing was recorded), or unknown
 * (the answer was lost).  After unknown, the target is re-read (a read job
 * on rerun_request that first waits until the old server process is gone)
 * and the callback hears again: an open request was found, or none.
 *
 * Callers do not use rerun_send() alone: rerun_order.h freezes what the
 * operator confirmed and audits the answer first, then sends through it.
 * The module also routes the read jobs (JOB_REQUESTS) of the rerun
 * screens to whoever asked.  It includes no curses and calls no screen:
 * what the user must read goes through the action_report the sender
 * passed in.
 */
#ifndef BT_RERUN_H
#define BT_RERUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "write/action_report.h"
#include "app/app.h"
#include "write/audit.h"
#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"
#include "query/query_rerun.h"

struct sq_job;

#define RERUN_BATCH "batch_close"
#define RERUN_INVOICE "autopay_invoice"
#define RERUN_AUDIT_FAILED (-2)	/* rerun_send(): the audit write failed */

enum rerun_result {
	RR_CREATED,	/* a pending request was queued (request_id) */
	RR_DUPLICATE,	/* an open request existed (request_id; detail: who, when) */
	RR_REFUSED,	/* the shard refused; detail says why */
	RR_ERROR,	/* the shard answered an error: nothing was recorded */
	RR_UNKNOWN,	/* the answer was lost; a re-read follows */
	RR_NOT_SENT,	/* never left batchtop (read-only, stopping) */
	RR_REREAD_OPEN,	/* after unknown: the target has an open request */
	RR_REREAD_NONE,	/* after unknown: it has none; it may be asked again */
};

struct rerun_answer {
	enum rerun_result result;
	int shard;
	const char *kind;
	const char *target;
	long long request_id;	/* 0 when none */
	const char *status;	/* re-reads: the request's status, else "" */
	const char *detail;	/* sanitized words for the user */
};

typedef void (*rerun_cb)(struct app *app, const struct rerun_answer *a,
			 unsigned long tag);

/* Find the operator and the audit trail. */
void rerun_init(struct app *app);
/* Forget everything (at exit). */
void rerun_shutdown(void);
/* Once per loop turn: the re-reads that are due. */
void rerun_tick(struct app *app);
/* The handler of finished JOB_RERUN and JOB_REQUESTS jobs (the UI loop
 * registers it through actions_on_job(); it owns job). */
void rerun_on_job(struct app *app, struct sq_job *job);
/* Tests only: queue jobs through fn instead of the shard's query worker
 * (NULL restores the worker).  fn returns the job id, and the answer is
 * handed to rerun_on_job() by the test. */
typedef unsigned (*rerun_submit_fn)(struct app *app, int shard,
				    struct sq_job *job);
void rerun_set_submit(rerun_submit_fn fn);

/* "alice@10.1.2.3" (or "alice" when not over SSH): requested_by. */
const char *rerun_requested_by(void);

/* Append count audit lines at once, with one fsync (the operator and
 * time are added).  0, or -1 with err set. */
int rerun_audit_many(const struct audit_entry *e, size_t count, char *err,
		     size_t n);
/* The end of an abandon list: "... and N more <noun>" appended at j of
 * list (listn bytes) when only `shown` of the k entries were listed, then
 * the k entries audited at once (rerun_audit_many) and e freed.  Its
 * return value. */
int rerun_audit_abandoned(struct audit_entry *e, size_t k, size_t shown,
			  const char *noun, char *list, size_t listn, size_t j,
			  char *err, size_t n);

/* Whether a request for the target may be sent now; if not, why. */
bool rerun_may_send(const struct app *app, int shard, const char *kind,
		    const char *target, char *why, size_t n);

/* Send one request (rerun_order_send() is the way in: it checks that the
 * confirmation is on disk).  The "request" line is audited and fsynced
 * first; when it cannot be, nothing is sent.  0: queued, cb (may be NULL)
 * will hear the answer; -1: not sent, why says so; RERUN_AUDIT_FAILED:
 * not sent because the audit line could not be written.  announce: report each
 * answer through r (unknown outcomes and re-reads always are). */
int rerun_send(struct app *app, const char *screen, int shard,
	       const char *kind, const char *target, const char *reason,
	       bool announce, const struct action_report *r, rerun_cb cb,
	       unsigned long tag, char *why, size_t n);

/* One request of rerun_send_many(). */
struct rerun_send_req {
	int shard;
	const char *kind, *target;	/* raw */
	unsigned long tag;		/* handed to cb with its answer */
	int rc;		/* out: 0 queued, -1 not sent, RERUN_AUDIT_FAILED */
	char why[400];	/* out: why it was not sent, else "" */
};
/* Send several requests at once, the same way: the "request" lines of
 * all that may go are written with one write and one fsync, and only then
 * is any job queued; when that write fails none is queued (each rc says
 * RERUN_AUDIT_FAILED).  Returns how many were queued. */
size_t rerun_send_many(struct app *app, const char *screen,
		       const char *reason, struct rerun_send_req *q, size_t n,
		       bool announce, const struct action_report *r,
		       rerun_cb cb);

/* Requests sent, or lost, whose answer batchtop has not had yet. */
size_t rerun_unanswered(void);
/* At exit: record every request without an answer as abandoned (one
 * fsynced batch of audit lines; why says how batchtop stopped) and append
 * a line for each of the first list_max to list (listn bytes).  Returns
 * how many; *failed is 1 when the audit log could not be written (err
 * says why).  action_loop.h's actions_abandon() is the caller. */
size_t rerun_abandon_requests(struct app *app, const char *why, char *list,
			      size_t listn, size_t list_max, char *err,
			      size_t n, int *failed);
/* Where the audit trail is ("?" when there is none). */
const char *rerun_audit_path(void);

/* One word for a result: "created", "duplicate", ... */
const char *rerun_result_word(enum rerun_result r);

/* A read job on the shard whose finished job is handed to fn (which must
 * not free it). */
typedef void (*rerun_read_fn)(struct app *app, struct sq_job *job,
			      unsigned long tag);
void rerun_read(struct app *app, int shard, const char *sql, int nparams,
		const char *const *params, rerun_read_fn fn, unsigned long tag);
/* The same for a read job built elsewhere (src/query_*.c); takes it. */
void rerun_read_job(struct app *app, int shard, struct sq_job *job,
		    rerun_read_fn fn, unsigned long tag);

/* query_rerun_pg_array(), query_rerun_median_sql and
 * query_rerun_median_row() are in query/query_rerun.h. */

/* What the RERUN column says for a biller: the most telling of its
 * batches' request states (unknown, sending, running, pending, failed,
 * done), or "" when none was asked.  A request the shard has just named
 * counts at once, before any poll shows it (rerun_fresh.h). */
const char *rerun_biller_word(const struct biller *b);

#endif
