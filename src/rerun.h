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
 * The module also owns the confirmation of batch reruns from the grid and
 * the biller detail (rerun_dialog.c), and routes the read jobs
 * (JOB_REQUESTS) of the rerun screens to whoever asked.
 */
#ifndef BT_RERUN_H
#define BT_RERUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "audit.h"
#include "model.h"

#define RERUN_BATCH "batch_close"
#define RERUN_INVOICE "autopay_invoice"

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

/* Register the job handlers and find the operator and the audit trail. */
void rerun_init(struct app *app);
/* Forget everything (at exit). */
void rerun_shutdown(void);
/* Once per loop turn: re-reads that are due, and the bulk plan. */
void rerun_tick(struct app *app);

/* "alice@10.1.2.3" (or "alice" when not over SSH): requested_by. */
const char *rerun_requested_by(void);

/* A message in the status bar that stays longer than the usual few
 * seconds: outcomes matter. */
void rerun_announce(struct app *app, const char *text);

/* Append an audit line (the operator and time are added).  0, or -1 with
 * err set. */
int rerun_audit(const struct audit_entry *e, char *err, size_t n);
/* The same for count lines at once, with one fsync. */
int rerun_audit_many(const struct audit_entry *e, size_t count, char *err,
		     size_t n);

/* Whether a request for the target may be sent now; if not, why. */
bool rerun_may_send(const struct app *app, int shard, const char *kind,
		    const char *target, char *why, size_t n);

/* Send one request.  0: queued, cb (may be NULL) will hear the answer;
 * -1: not sent, why says so.  announce: show each answer in the status
 * bar. */
int rerun_send(struct app *app, const char *screen, int shard,
	       const char *kind, const char *target, const char *reason,
	       bool announce, rerun_cb cb, unsigned long tag, char *why,
	       size_t n);

/* Requests sent, or lost, whose answer batchtop has not had yet. */
size_t rerun_unanswered(void);
/* At exit, whatever the way out (q, SIGTERM, SIGHUP): record the plan's
 * waiting batches and the requests without an answer as abandoned in the
 * audit log (one fsynced batch each; why says how batchtop stopped:
 * "quit", "stopped by SIGTERM").  Returns the message for stderr once
 * curses has ended, naming them and the audit log (the caller frees), or
 * NULL when nothing was left undone. */
char *rerun_abandon(struct app *app, const char *why);
/* "3 batches of a plan not sent yet, 1 request without an answer" (the
 * parts that are not zero) into buf. */
void rerun_undone_words(char *buf, size_t n, size_t batches, size_t requests);

/* One word for a result: "created", "duplicate", ... */
const char *rerun_result_word(enum rerun_result r);

/* A read job on the shard whose finished job is handed to fn (which must
 * not free it). */
typedef void (*rerun_read_fn)(struct app *app, struct sq_job *job,
			      unsigned long tag);
void rerun_read(struct app *app, int shard, const char *sql, int nparams,
		const char *const *params, rerun_read_fn fn, unsigned long tag);

/* A text[] literal of the items ('{"a","b"}'); the caller frees. */
char *rerun_pg_array(const char *const *items, size_t n);

/* Median close time (ms) of billers over the last 14 days: $1 a text[] of
 * biller ids; rows biller_id, median_ms, closes. */
extern const char rerun_median_sql[];

/* What the RERUN column says for a biller: the most telling of its
 * batches' request states (unknown, sending, running, pending, failed,
 * done), or "" when none was asked. */
const char *rerun_biller_word(const struct biller *b);

/* Open the confirmation of a rerun of b's failed batches (all of them, or
 * only `only` when it is not NULL: the biller detail's selected batch).
 * Says in the status bar why not when nothing can be rerun. */
void rerun_confirm_batches(struct app *app, const char *screen,
			   const struct biller *b, const struct batch *only);

/* Forget an open dialog (at exit; rerun_shutdown() calls it). */
void rerun_dialog_shutdown(void);

#endif
