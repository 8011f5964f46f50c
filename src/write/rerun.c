/*
 * rerun.c - rerun requests and their re-reads (see rerun.h).
 *
 * State, all on the UI thread:
 *   targets  one entry per target whose request is being sent or whose
 *            outcome is unknown; while an entry exists no new request for
 *            that target may be sent.  An unknown entry leaves only after
 *            a re-read of the shard answered.
 *   reads    read jobs in flight and who gets their answer.
 * What was confirmed is frozen and audited in rerun_order.c; the
 * dialogs are in screens/.  Nothing here includes curses: words for the
 * user go through the action_report each sender passed in.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/log.h"
#include "query/query_rerun.h"
#include "write/rerun.h"
#include "write/rerun_fresh.h"
#include "data/shard_query.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

enum tstate { T_SENDING, T_UNKNOWN };

struct target {
	int shard;
	char *kind, *target, *screen, *reason;
	enum tstate state;
	bool announce;
	const struct action_report *report;
	unsigned job;		/* the write job while sending */
	int backend_pid;	/* the server process of the lost call */
	unsigned reread_job;	/* 0: no re-read in flight */
	int64_t reread_at;	/* monotonic ms of the next re-read */
	/* Why the last re-read did not answer, or "". */
	char last_error[sizeof ((struct sq_job *)0)->error];
	rerun_cb cb;
	unsigned long tag;
	struct target *next;
};

struct read {
	int shard;
	unsigned job;
	rerun_read_fn fn;
	unsigned long tag;
	struct read *next;
};

static struct {
	bool ready;
	char by[160];
	char *audit_path;
	struct target *targets;
	struct read *reads;
	rerun_submit_fn submit;	/* tests only; NULL: the query worker */
	/* Changes whenever targets or the answered-not-polled list do: what
	 * rerun_biller_word() says of a biller can change only then, or with
	 * a new snapshot (the view's rerun_gen). */
	uint64_t gen;
} R;

/* --- small helpers ------------------------------------------------------------ */

static const char *shard_name(const struct app *app, int shard)
{
	if (shard < 0 || (size_t)shard >= app->npollers || !app->pollers)
		return "?";
	return shard_poller_name(app->pollers[shard]);
}

const char *rerun_result_word(enum rerun_result r)
{
	switch (r) {
	case RR_CREATED: return "created";
	case RR_DUPLICATE: return "duplicate";
	case RR_REFUSED: return "refused";
	case RR_ERROR: return "error";
	case RR_UNKNOWN: return "unknown";
	case RR_NOT_SENT: return "not-sent";
	case RR_REREAD_OPEN: return "open";
	case RR_REREAD_NONE: return "none";
	}
	return "?";
}

const char *rerun_requested_by(void)
{
	return R.by;
}

int rerun_audit_many(const struct audit_entry *e, size_t count, char *err,
		     size_t n)
{
	if (audit_append_many(R.audit_path, e, count, err, n) < 0) {
		log_msg(LOG_ERROR, "audit: %s", err);
		return -1;
	}
	return 0;
}

static int rerun_audit(const struct audit_entry *e, char *err, size_t n)
{
	return rerun_audit_many(e, 1, err, n);
}

const char *rerun_audit_path(void)
{
	return R.audit_path ? R.audit_path : "?";
}

void rerun_set_submit(rerun_submit_fn fn)
{
	R.submit = fn;
}

static bool has_worker(const struct app *app, int shard)
{
	return shard >= 0 && (size_t)shard < app->npollers &&
	       (R.submit || (app->queries && app->queries[shard]));
}

static unsigned submit(struct app *app, int shard, struct sq_job *job)
{
	if (R.submit)
		return R.submit(app, shard, job);
	return shard_query_submit(app->queries[shard], job);
}

/* --- targets ------------------------------------------------------------------- */

static struct target *target_find(int shard, const char *kind, const char *target)
{
	for (struct target *t = R.targets; t; t = t->next)
		if (t->shard == shard && !strcmp(t->kind, kind) &&
		    !strcmp(t->target, target))
			return t;
	return NULL;
}

static void target_drop(struct target *t)
{
	R.gen++;
	for (struct target **pp = &R.targets; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	free(t->kind);
	free(t->target);
	free(t->screen);
	free(t->reason);
	free(t);
}

bool rerun_may_send(const struct app *app, int shard, const char *kind,
		    const char *target, char *why, size_t n)
{
	const struct target *t = target_find(shard, kind, target);

	if (app->readonly) {
		snprintf(why, n, "read-only: reruns are off (started with "
			 "--readonly or readonly = true)");
		return false;
	}
	if (!t)
		return true;
	if (t->state == T_SENDING)
		snprintf(why, n, "a request for %s is being sent to shard %s; "
			 "wait for its answer", target, shard_name(app, shard));
	else
		snprintf(why, n, "waiting to re-read shard %s: the last request for "
			 "%s has an unknown outcome%s%s", shard_name(app, shard),
			 target, t->last_error[0] ? "; last try: " : "",
			 t->last_error);
	return false;
}

/* "sending", "unknown" (waiting to re-read) or NULL. */
static const char *local_state(int shard, const char *kind, const char *target)
{
	const struct target *t = target_find(shard, kind, target);

	if (!t)
		return NULL;
	return t->state == T_SENDING ? "sending" : "unknown";
}

static struct target *target_add(int shard, const char *kind,
				 const char *target, const char *screen,
				 const char *reason)
{
	struct target *t = xcalloc(1, sizeof *t);

	t->shard = shard;
	t->kind = xstrdup(kind);
	t->target = xstrdup(target);
	t->screen = xstrdup(screen);
	t->reason = xstrdup(reason ? reason : "");
	t->state = T_SENDING;
	R.gen++;
	t->next = R.targets;
	R.targets = t;
	return t;
}

size_t rerun_send_many(struct app *app, const char *screen,
		       const char *reason, struct rerun_send_req *q, size_t n,
		       bool announce_it, const struct action_report *r,
		       rerun_cb cb)
{
	struct audit_entry *e = xcalloc(n ? n : 1, sizeof *e);
	struct target **t = xcalloc(n ? n : 1, sizeof *t);
	size_t k = 0, sent = 0;
	char err[300];

	/* Claim each target first (a second copy of one in q is refused as
	 * "being sent"), then write every claimed line at once. */
	for (size_t i = 0; i < n; i++) {
		q[i].why[0] = '\0';
		q[i].rc = -1;
		if (!rerun_may_send(app, q[i].shard, q[i].kind, q[i].target,
				    q[i].why, sizeof q[i].why))
			continue;
		if (!has_worker(app, q[i].shard)) {
			snprintf(q[i].why, sizeof q[i].why, "no query worker for "
				 "shard %d", q[i].shard);
			continue;
		}
		t[i] = target_add(q[i].shard, q[i].kind, q[i].target, screen,
				  reason);
		e[k++] = (struct audit_entry){
			.event = "request", .screen = screen,
			.shard = shard_name(app, q[i].shard), .kind = q[i].kind,
			.target = q[i].target, .reason = reason,
			.outcome = "sending",
		};
	}
	if (k && rerun_audit_many(e, k, err, sizeof err) < 0) {
		for (size_t i = 0; i < n; i++) {
			if (!t[i])
				continue;
			target_drop(t[i]);
			q[i].rc = RERUN_AUDIT_FAILED;
			snprintf(q[i].why, sizeof q[i].why, "the audit log cannot be "
				 "written, so nothing was sent: %s", err);
		}
		k = 0;
	}
	for (size_t i = 0; k && i < n; i++) {
		struct sq_job *job;

		if (!t[i])
			continue;
		/* Its "request" line is on disk: only now is it queued. */
		t[i]->announce = announce_it;
		t[i]->report = r;
		t[i]->cb = cb;
		t[i]->tag = q[i].tag;
		job = query_rerun_request_job(JOB_RERUN, q[i].kind, q[i].target,
					      R.by, reason);
		t[i]->job = submit(app, q[i].shard, job);
		q[i].rc = 0;
		sent++;
		log_msg(LOG_INFO, "shard %s: rerun of %s %s sent (job %u)",
			shard_name(app, q[i].shard), q[i].kind, q[i].target,
			t[i]->job);
	}
	free(e);
	free(t);
	return sent;
}

int rerun_send(struct app *app, const char *screen, int shard,
	       const char *kind, const char *target, const char *reason,
	       bool announce_it, const struct action_report *r, rerun_cb cb,
	       unsigned long tag, char *why, size_t n)
{
	struct rerun_send_req q = {
		.shard = shard, .kind = kind, .target = target, .tag = tag,
	};

	rerun_send_many(app, screen, reason, &q, 1, announce_it, r, cb);
	snprintf(why, n, "%s", q.why);
	return q.rc;
}

/* Words for a write that the shard answered with an error. */
static void error_words(const struct app *app, const struct sq_job *job,
			char *buf, size_t n)
{
	const char *name = shard_name(app, job->shard);

	if (!strcmp(job->sqlstate, "42501"))
		snprintf(buf, n, "not an operator on shard %s: reruns need the "
			 "batchtop_operator role; nothing was recorded", name);
	else if (!strcmp(job->sqlstate, "25006"))
		snprintf(buf, n, "shard %s refused: the session is read-only; "
			 "nothing was recorded", name);
	else if (!strcmp(job->sqlstate, "57014") || !strcmp(job->sqlstate, "55P03"))
		snprintf(buf, n, "shard %s: the request timed out on the server and "
			 "was rolled back; nothing was recorded", name);
	else if (job->sqlstate[0])
		snprintf(buf, n, "shard %s: %s; nothing was recorded", name, job->error);
	else
		snprintf(buf, n, "shard %s: %s; nothing was sent", name, job->error);
}

static void finish_answer(struct app *app, struct target *t,
			  const struct rerun_answer *a, const char *event)
{
	struct audit_entry e = {
		.event = event, .screen = t->screen,
		.shard = shard_name(app, t->shard), .kind = t->kind,
		.target = t->target, .reason = t->reason,
		.outcome = rerun_result_word(a->result),
		.detail = a->detail, .request_id = a->request_id,
	};
	char err[300];
	rerun_cb cb = t->cb;
	unsigned long tag = t->tag;
	bool keep = a->result == RR_UNKNOWN;

	char named[80] = "";
	int attempt = 0;

	if (a->request_id > 0 && !strcmp(t->kind, RERUN_BATCH) &&
	    (a->result == RR_CREATED || a->result == RR_DUPLICATE ||
	     a->result == RR_REREAD_OPEN)) {
		attempt = rerun_fresh_note(app, t->shard, t->target, a->request_id,
					   a->status);
		R.gen++;
	}
	if (a->result == RR_CREATED) {
		/* A second request after a second failure must read differently
		 * from the first: name the request, and the attempt it makes. */
		int j = snprintf(named, sizeof named, " request %lld", a->request_id);

		if (attempt > 0 && j > 0 && (size_t)j < sizeof named)
			snprintf(named + j, sizeof named - (size_t)j, " (attempt %d)",
				 attempt);
	}
	if (rerun_audit(&e, err, sizeof err) < 0) {
		report_say(t->report, app, REPORT_OUTCOME,
			   "AUDIT LOG NOT WRITTEN (%s): %s %s: %s", err, t->target,
			   rerun_result_word(a->result), a->detail);
	} else if (t->announce || a->result == RR_UNKNOWN ||
		   a->result == RR_REREAD_OPEN || a->result == RR_REREAD_NONE) {
		/* Errors and re-reads say what happened in their own words. */
		bool worded = a->result == RR_ERROR || a->result == RR_REREAD_OPEN ||
			      a->result == RR_REREAD_NONE;

		report_say(t->report, app, REPORT_OUTCOME, "%s %s: %s%s%s%s",
			   shard_name(app, t->shard), t->target,
			   worded ? "" : rerun_result_word(a->result), named,
			   worded ? "" : ": ", a->detail);
	}
	log_msg(LOG_INFO, "shard %s: rerun of %s %s: %s: %s",
		shard_name(app, t->shard), t->kind, t->target,
		rerun_result_word(a->result), a->detail);
	if (keep) {
		R.gen++;
		t->state = T_UNKNOWN;
		t->reread_job = 0;
		t->reread_at = mono_ms();
	}
	if (cb)
		cb(app, a, tag);
	if (!keep)
		target_drop(t);
}

static void on_rerun_job(struct app *app, struct sq_job *job)
{
	struct target *t;
	struct rerun_answer a = { 0 };
	char detail[600], *clean = NULL;

	for (t = R.targets; t; t = t->next)
		if (t->state == T_SENDING && t->shard == job->shard &&
		    t->job == job->id)
			break;
	if (!t) {
		sq_job_free(job);
		return;
	}
	a.shard = t->shard;
	a.kind = t->kind;
	a.target = t->target;
	a.status = "";
	a.detail = detail;
	detail[0] = '\0';
	switch (job->status) {
	case SQ_OK: {
		struct rerun_outcome ro;
		const char *outcome;

		query_rerun_outcome(job->res, &ro);
		outcome = ro.outcome;
		clean = text_sanitize(ro.detail, (size_t)-1);
		snprintf(detail, sizeof detail, "%s", clean);
		a.request_id = ro.request_id;
		if (outcome && !strcmp(outcome, "created")) {
			a.result = RR_CREATED;
		} else if (outcome && !strcmp(outcome, "duplicate")) {
			a.result = RR_DUPLICATE;
		} else if (outcome && !strcmp(outcome, "refused")) {
			a.result = RR_REFUSED;
		} else {
			/* It ran and said something we do not know: what it
			 * did is not known either. */
			char *o = text_sanitize(outcome ? outcome : "nothing",
						(size_t)-1);

			a.result = RR_UNKNOWN;
			snprintf(detail, sizeof detail, "shard %s answered \"%s\", which "
				 "batchtop does not know; re-reading before anyone may "
				 "ask again", shard_name(app, t->shard), o);
			free(o);
		}
		break;
	}
	case SQ_ERROR:
		a.result = RR_ERROR;
		error_words(app, job, detail, sizeof detail);
		break;
	case SQ_UNKNOWN:
		a.result = RR_UNKNOWN;
		snprintf(detail, sizeof detail, "re-reading shard %s before anyone "
			 "may ask again: the answer was lost (%s)",
			 shard_name(app, t->shard), job->error);
		t->backend_pid = job->backend_pid;
		break;
	case SQ_REFUSED:
	case SQ_CANCELLED:
	case SQ_PENDING:
		a.result = RR_NOT_SENT;
		snprintf(detail, sizeof detail, "not sent: %s",
			 job->error[0] ? job->error : "cancelled");
		break;
	}
	free(clean);
	finish_answer(app, t, &a, "outcome");
	sq_job_free(job);
}

/* --- re-reads ------------------------------------------------------------------ */

static void start_rereads(struct app *app)
{
	for (struct target *t = R.targets; t; t = t->next) {
		struct sq_job *job;

		if (t->state != T_UNKNOWN || t->reread_job || mono_ms() < t->reread_at)
			continue;
		job = query_rerun_reread_job(JOB_REQUESTS, t->kind, t->target,
					     t->backend_pid);
		t->reread_job = submit(app, t->shard, job);
		log_msg(LOG_INFO, "shard %s: re-reading %s %s (job %u)",
			shard_name(app, t->shard), t->kind, t->target, t->reread_job);
	}
}

/* Returns true when job was a re-read (and has been dealt with). */
static bool on_reread(struct app *app, struct sq_job *job)
{
	struct target *t;
	struct rerun_answer a = { 0 };
	char detail[600];
	struct rerun_reread rr;
	const char *id, *status, *by, *at;
	char *cs = NULL, *cb = NULL;

	for (t = R.targets; t; t = t->next)
		if (t->state == T_UNKNOWN && t->shard == job->shard &&
		    t->reread_job == job->id)
			break;
	if (!t)
		return false;
	t->reread_job = 0;
	if (job->status != SQ_OK) {
		snprintf(t->last_error, sizeof t->last_error, "%s",
			 job->error[0] ? job->error : "no answer");
		t->reread_at = mono_ms() + 2000;
		log_msg(LOG_WARN, "shard %s: re-read of %s failed: %s",
			shard_name(app, t->shard), t->target, t->last_error);
		app->dirty = true;
		return true;
	}
	query_rerun_reread(job->res, &rr);
	if (rr.busy) {
		/* The call may still commit: read again once it is gone. */
		snprintf(t->last_error, sizeof t->last_error,
			 "the lost call is still running on the server");
		t->reread_at = mono_ms() + 1000;
		return true;
	}
	id = rr.request_id;
	status = rr.status;
	by = rr.requested_by;
	at = rr.at;
	cs = text_sanitize(status ? status : "", (size_t)-1);
	cb = text_sanitize(by ? by : "someone", (size_t)-1);
	a.shard = t->shard;
	a.kind = t->kind;
	a.target = t->target;
	a.status = cs;
	a.detail = detail;
	a.request_id = rr.request_no;
	if (id && status && (!strcmp(status, "pending") || !strcmp(status, "running"))) {
		a.result = RR_REREAD_OPEN;
		snprintf(detail, sizeof detail, "re-read shard %s: request %s is %s "
			 "(asked by %s at %s UTC)%s", shard_name(app, t->shard), id, cs,
			 cb, at ? at : "?",
			 by && !strcmp(by, R.by) ? ": it was recorded" : "");
	} else if (id) {
		a.result = RR_REREAD_NONE;
		snprintf(detail, sizeof detail, "re-read shard %s: no open request "
			 "(latest: request %s, %s, asked by %s at %s UTC); it may be "
			 "asked again", shard_name(app, t->shard), id, cs, cb,
			 at ? at : "?");
	} else {
		a.result = RR_REREAD_NONE;
		snprintf(detail, sizeof detail, "re-read shard %s: no request was "
			 "recorded; it may be asked again", shard_name(app, t->shard));
	}
	t->announce = true;
	finish_answer(app, t, &a, "reread");
	free(cs);
	free(cb);
	return true;
}

/* --- reads for others ------------------------------------------------------------ */

void rerun_read_job(struct app *app, int shard, struct sq_job *job,
		    rerun_read_fn fn, unsigned long tag)
{
	struct read *r;

	if (!has_worker(app, shard)) {
		sq_job_free(job);
		return;
	}
	job->kind = JOB_REQUESTS;	/* its answer comes back here */
	r = xcalloc(1, sizeof *r);
	r->shard = shard;
	r->fn = fn;
	r->tag = tag;
	r->next = R.reads;
	R.reads = r;
	r->job = submit(app, shard, job);
}

void rerun_read(struct app *app, int shard, const char *sql, int nparams,
		const char *const *params, rerun_read_fn fn, unsigned long tag)
{
	if (has_worker(app, shard))
		rerun_read_job(app, shard, sq_job_new(JOB_REQUESTS, false, sql,
						      nparams, params), fn, tag);
}

void rerun_on_job(struct app *app, struct sq_job *job)
{
	if (job->kind == JOB_RERUN) {
		on_rerun_job(app, job);
		return;
	}
	if (!on_reread(app, job)) {
		for (struct read **pp = &R.reads; *pp; pp = &(*pp)->next) {
			struct read *r = *pp;

			if (r->shard == job->shard && r->job == job->id) {
				*pp = r->next;
				r->fn(app, job, r->tag);
				free(r);
				break;
			}
		}
	}
	app->dirty = true;
	sq_job_free(job);
}

/* --- the RERUN column ---------------------------------------------------------- */

static int word_rank(const char *w)
{
	static const char *const order[] = {
		"unknown", "sending", "running", "pending", "failed", "done",
	};

	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (!strcmp(w, order[i]))
			return (int)i;
	return 6;	/* a status batchtop does not know: shown, ranked last */
}

const char *rerun_biller_word(const struct biller *b)
{
	const char *best = "";
	int rank = 99;

	for (size_t i = 0; i < b->nbatches; i++) {
		const struct batch *t = &b->batches[i];
		const char *w = local_state(b->shard_index, RERUN_BATCH,
						  t->batch_id);
		int r;

		if (!w) {
			const struct rerun_fresh *f =
				rerun_fresh_over(b->shard_index, t);

			w = f ? f->status : batch_rerun_status(t);
		}
		if (!*w)
			continue;
		r = word_rank(w);
		if (r < rank) {
			rank = r;
			best = w;
		}
	}
	return best;
}

/* For the risk order (core/view.c): a rerun is already on its way when
 * the word of the RERUN column is one of an open request, counting what
 * this batchtop asked for and the shard has not shown yet. */
static bool biller_rerun_open(const struct biller *b, void *ctx)
{
	(void)ctx;
	return word_rank(rerun_biller_word(b)) <= 3;	/* unknown .. pending */
}

static uint64_t rerun_generation(void *ctx)
{
	(void)ctx;
	return R.gen;
}

/* --- leaving with work undone ----------------------------------------------- */

size_t rerun_unanswered(void)
{
	size_t k = 0;

	for (const struct target *t = R.targets; t; t = t->next)
		k++;
	return k;
}

/* Requests sent (or lost) without an answer, as one fsynced batch of
 * audit lines, and a line each for the first few in list. */
size_t rerun_abandon_requests(struct app *app, const char *why, char *list,
			      size_t listn, size_t list_max, char *err,
			      size_t n, int *failed)
{
	size_t k = rerun_unanswered(), i = 0, j = strlen(list), shown = 0;
	struct audit_entry *e;
	char detail[300];

	*failed = 0;
	if (!k)
		return 0;
	snprintf(detail, sizeof detail, "%s before the shard's answer was known: "
		 "it may have been recorded; the shard's rerun_request rows say",
		 why);
	e = xcalloc(k, sizeof *e);
	for (const struct target *t = R.targets; t; t = t->next, i++) {
		e[i] = (struct audit_entry){
			.event = "abandon", .screen = t->screen,
			.shard = shard_name(app, t->shard), .kind = t->kind,
			.target = t->target, .reason = t->reason,
			.outcome = "unanswered", .detail = detail,
		};
		if (shown < list_max && j + 1 < listn) {
			char target[80];

			text_sanitize_into(target, sizeof target, t->target,
					   (size_t)-1);
			j += (size_t)snprintf(list + j, listn - j, "  %s %s: sent, "
					      "no answer\n",
					      shard_name(app, t->shard), target);
			shown++;
		}
	}
	*failed = rerun_audit_abandoned(e, k, shown, "requests", list, listn,
					j, err, n) < 0;
	return k;
}

int rerun_audit_abandoned(struct audit_entry *e, size_t k, size_t shown,
			  const char *noun, char *list, size_t listn, size_t j,
			  char *err, size_t n)
{
	int rc;

	if (k > shown && j + 1 < listn)
		snprintf(list + j, listn - j, "  ... and %zu more %s\n", k - shown,
			 noun);
	rc = rerun_audit_many(e, k, err, n);
	free(e);
	return rc;
}

/* --- life -------------------------------------------------------------------------- */

void rerun_init(struct app *app)
{
	char user[80], origin[80];

	audit_who(user, sizeof user, origin, sizeof origin);
	if (origin[0])
		snprintf(R.by, sizeof R.by, "%s@%s", user, origin);
	else
		snprintf(R.by, sizeof R.by, "%s", user);
	free(R.audit_path);
	R.audit_path = audit_path(app->cfg);
	R.ready = true;
	app->view.rerun_open = biller_rerun_open;
	app->view.rerun_gen = rerun_generation;
}

void rerun_tick(struct app *app)
{
	if (!R.ready)
		return;
	start_rereads(app);
	if (rerun_fresh_tick(app))
		R.gen++;
}

void rerun_shutdown(void)
{
	while (R.targets)
		target_drop(R.targets);
	rerun_fresh_clear();
	R.gen++;
	while (R.reads) {
		struct read *r = R.reads;

		R.reads = r->next;
		free(r);
	}
	free(R.audit_path);
	R.audit_path = NULL;
	R.ready = false;
}
