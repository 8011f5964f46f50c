/*
 * note_order.c - acknowledgements and notes through add_note (see
 * note_order.h).
 *
 * Each queued job has a struct sent in the list of those in flight, with
 * copies of what was asked, so the answer can be audited and reported
 * after the rows it came from have moved or gone, and so a quit before the
 * answer can say which notes may or may not have been recorded.  The
 * answer finds its sent by shard and job id, not through job->ctx: once
 * the list is gone (note_order_shutdown) a late job points at nothing.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/log.h"
#include "data/shard_query.h"
#include "query/query_notes.h"
#include "write/note_order.h"
#include "write/rerun.h"
#include "core/text.h"
#include "core/xalloc.h"

struct sent {
	int shard;
	unsigned job;
	char *screen, *kind, *biller, *batch, *body;
	const struct action_report *report;
	struct sent *next;
};

static note_submit_fn submit_fn;
static struct sent *inflight;

void note_order_set_submit(note_submit_fn fn)
{
	submit_fn = fn;
}

static const char *shard_name(const struct app *app, int shard)
{
	if (shard < 0 || (size_t)shard >= app->npollers || !app->pollers)
		return "?";
	return shard_poller_name(app->pollers[shard]);
}

bool note_order_may(const struct app *app, int shard, char *why, size_t n)
{
	if (app->wallboard) {
		snprintf(why, n, "the wallboard writes nothing");
		return false;
	}
	if (app->readonly) {
		snprintf(why, n, "read-only: notes and acknowledgements are not "
			 "written from here");
		return false;
	}
	if (shard < 0 || (size_t)shard >= app->npollers) {
		snprintf(why, n, "no such shard");
		return false;
	}
	if (app->health && app->health[shard].contract < 3) {
		snprintf(why, n, "shard %s offers contract v%d: no notes (they "
			 "need v3)", shard_name(app, shard),
			 app->health[shard].contract);
		return false;
	}
	if (!submit_fn && (!app->queries || !app->queries[shard])) {
		snprintf(why, n, "no query worker for shard %s",
			 shard_name(app, shard));
		return false;
	}
	return true;
}

static void sent_free(struct sent *s)
{
	if (!s)
		return;
	free(s->screen);
	free(s->kind);
	free(s->biller);
	free(s->batch);
	free(s->body);
	free(s);
}

size_t note_order_send(struct app *app, const char *screen,
		       const char *note_kind, const char *body,
		       const struct note_target *t, size_t n,
		       const struct action_report *r, char *why, size_t wn)
{
	struct audit_entry *e = xcalloc(n ? n : 1, sizeof *e);
	bool *ok = xcalloc(n ? n : 1, sizeof *ok);
	size_t k = 0, sent = 0;
	char err[300];

	why[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!note_order_may(app, t[i].shard, why, wn)) {
			if (n > 1)	/* the others may still go */
				report_say(r, app, REPORT_OUTCOME, "%s on %s not "
					   "written: %s", t[i].batch_id ? "batch"
					   : "biller", shard_name(app, t[i].shard),
					   why);
			continue;
		}
		ok[i] = true;
		e[k++] = (struct audit_entry){
			.event = "note", .screen = screen,
			.shard = shard_name(app, t[i].shard), .kind = note_kind,
			.target = t[i].batch_id ? t[i].batch_id : t[i].biller_id,
			.reason = body, .outcome = "sending",
		};
	}
	if (k && rerun_audit_many(e, k, err, sizeof err) < 0) {
		snprintf(why, wn, "the audit log cannot be written, so nothing "
			 "was sent: %s", err);
		k = 0;
	}
	for (size_t i = 0; k && i < n; i++) {
		struct sent *s;
		struct sq_job *job;

		if (!ok[i])
			continue;
		s = xcalloc(1, sizeof *s);
		s->shard = t[i].shard;
		s->screen = xstrdup(screen);
		s->kind = xstrdup(note_kind);
		s->biller = xstrdup(t[i].biller_id);
		s->batch = t[i].batch_id ? xstrdup(t[i].batch_id) : NULL;
		s->body = xstrdup(body ? body : "");
		s->report = r;
		/* Its "note" line is on disk: only now is it queued. */
		job = query_notes_add_job(JOB_NOTE, t[i].biller_id, t[i].batch_id,
					  note_kind, rerun_requested_by(),
					  body ? body : "");
		if (submit_fn)
			s->job = submit_fn(app, t[i].shard, job);
		else
			s->job = shard_query_submit(app->queries[t[i].shard], job);
		s->next = inflight;
		inflight = s;
		sent++;
	}
	if (!sent && why[0])
		report_say(r, app, REPORT_OUTCOME, "nothing written: %s", why);
	free(e);
	free(ok);
	return sent;
}

/* The words and the audit outcome of a finished job. */
static const char *answer(const struct app *app, const struct sq_job *job,
			  char *words, size_t n)
{
	struct note_outcome o;
	char clean[300];

	switch (job->status) {
	case SQ_OK:
		query_notes_outcome(job->res, &o);
		text_sanitize_into(clean, sizeof clean,
				   o.detail ? o.detail : "", (size_t)-1);
		snprintf(words, n, "%s", clean);
		return o.outcome ? o.outcome : "error";
	case SQ_ERROR:
		if (!strcmp(job->sqlstate, "42501"))
			snprintf(words, n, "not an operator on shard %s: notes "
				 "need the batchtop_operator role; nothing was "
				 "written", shard_name(app, job->shard));
		else
			snprintf(words, n, "shard %s: %s; nothing was written",
				 shard_name(app, job->shard), job->error);
		return "error";
	case SQ_UNKNOWN:
		snprintf(words, n, "shard %s: the answer was lost (%s); the "
			 "next poll shows whether it was written, and writing "
			 "it again is safe", shard_name(app, job->shard),
			 job->error);
		return "unknown";
	case SQ_REFUSED:
	case SQ_CANCELLED:
	case SQ_PENDING:
		break;
	}
	snprintf(words, n, "not sent: %s", job->error[0] ? job->error
		 : "the session is read-only or stopping");
	return "not_sent";
}

void note_order_on_job(struct app *app, struct sq_job *job)
{
	struct sent **pp, *s = NULL;
	char words[400], err[300];
	const char *outcome;
	struct audit_entry e;

	for (pp = &inflight; *pp; pp = &(*pp)->next)
		if ((*pp)->shard == job->shard && (*pp)->job == job->id) {
			s = *pp;
			*pp = s->next;
			break;
		}
	if (!s) {
		sq_job_free(job);
		return;
	}
	outcome = answer(app, job, words, sizeof words);
	e = (struct audit_entry){
		.event = "outcome", .screen = s->screen,
		.shard = shard_name(app, job->shard), .kind = s->kind,
		.target = s->batch ? s->batch : s->biller,
		.outcome = outcome, .detail = words,
	};
	if (rerun_audit_many(&e, 1, err, sizeof err) < 0)
		log_msg(LOG_ERROR, "audit: the outcome of a note was not "
			"recorded: %s", err);
	log_msg(LOG_INFO, "shard %s: %s of %s: %s: %s",
		shard_name(app, job->shard), s->kind,
		s->batch ? "a batch" : "a biller", outcome, words);
	report_say(s->report, app, REPORT_OUTCOME, "%s: %s",
		   !strcmp(outcome, "added") || !strcmp(outcome, "exists")
			   ? outcome : "not written", words);
	if (!strcmp(outcome, "added") && app->pollers &&
	    job->shard >= 0 && (size_t)job->shard < app->npollers)
		shard_poller_refresh(app->pollers[job->shard]);
	sent_free(s);
	sq_job_free(job);
}

/* --- leaving with notes unanswered ---------------------------------------- */

size_t note_order_unanswered(void)
{
	size_t k = 0;

	for (const struct sent *s = inflight; s; s = s->next)
		k++;
	return k;
}

size_t note_order_abandon(struct app *app, const char *why, char *list,
			  size_t listn, size_t list_max, char *err, size_t n,
			  int *failed)
{
	size_t k = note_order_unanswered(), i = 0, shown = 0;
	size_t j = strlen(list);
	struct audit_entry *e;
	char detail[300];

	*failed = 0;
	if (!k)
		return 0;
	snprintf(detail, sizeof detail, "%s before the shard's answer was known: "
		 "the note may or may not have been recorded; the shard's notes "
		 "say, and writing it again is safe", why);
	e = xcalloc(k, sizeof *e);
	for (const struct sent *s = inflight; s; s = s->next, i++) {
		const char *target = s->batch ? s->batch : s->biller;

		e[i] = (struct audit_entry){
			.event = "abandon", .screen = s->screen,
			.shard = shard_name(app, s->shard), .kind = s->kind,
			.target = target, .reason = s->body,
			.outcome = "unanswered", .detail = detail,
		};
		if (shown < list_max && j + 1 < listn) {
			char clean[80];

			text_sanitize_into(clean, sizeof clean, target, (size_t)-1);
			j += (size_t)snprintf(list + j, listn - j, "  %s %s: %s "
					      "sent, no answer\n",
					      shard_name(app, s->shard), clean,
					      s->kind);
			shown++;
		}
	}
	*failed = rerun_audit_abandoned(e, k, shown, "notes", list, listn,
					j, err, n) < 0;
	return k;
}

void note_order_shutdown(void)
{
	while (inflight) {
		struct sent *s = inflight;

		inflight = s->next;
		sent_free(s);
	}
}
