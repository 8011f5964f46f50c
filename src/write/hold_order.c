/*
 * hold_order.c - confirming, auditing and sending hold calls (see
 * hold_order.h).
 *
 * Data: an order is the frozen calls plus a rerun_order of the same
 * targets (same index), which writes the "confirm"/"cancel" lines and
 * knows whether the yes is on disk.  `sent` lists the calls whose job is
 * queued, each with its own copies, so an order may be freed while its
 * answers are still on the way.  `checks` lists what a lost answer left
 * in doubt (a biller for place, a hold for release and write-off): no call
 * on it goes until a poll of its shard that began after the loss has
 * read the shard's holds, and that poll says what was recorded.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/log.h"
#include "data/shard_health.h"
#include "data/shard_query.h"
#include "query/query_hold_write.h"
#include "write/hold_order.h"
#include "write/rerun.h"
#include "write/rerun_order.h"
#include "core/hold.h"
#include "core/snapshot.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

struct call {
	struct hold_call c;	/* strings owned */
	char *why;		/* not sent: why */
};

struct hold_order {
	struct rerun_order *ro;
	char *screen, *reason;
	struct call *c;
	size_t n;
};

struct sent {
	int shard;
	unsigned job;
	enum hold_op op;
	char *target, *screen, *reason;
	char *hold_id, *hold_kind;	/* WRITE_OFF's hold; PLACE's kind */
	char *words;
	const struct action_report *report;
	hold_cb cb;
	unsigned long tag;
	struct sent *next;
};

static void sent_free(struct sent *s)
{
	free(s->hold_id);
	free(s->hold_kind);
	free(s->words);
	free(s->target);
	free(s->screen);
	free(s->reason);
	free(s);
}

static struct sent *inflight;

/* A call whose answer was lost: key is the biller id ("*": every biller)
 * for PLACE, the hold id for RELEASE and WRITE_OFF. */
struct check {
	int shard;
	enum hold_op op;
	char *key, *kind, *target, *words, *screen, *reason;
	int64_t since;		/* monotonic ms the answer was lost */
	const struct action_report *report;
	struct check *next;
};

static struct check *checks;

const char *hold_op_name(enum hold_op op)
{
	switch (op) {
	case HOLD_PLACE: return "place_hold";
	case HOLD_RELEASE: return "release_hold";
	case HOLD_WRITE_OFF: return "write_off_invoice";
	}
	return "?";
}

static const char *shard_name(const struct app *app, int shard)
{
	if (shard < 0 || (size_t)shard >= app->npollers || !app->pollers)
		return "?";
	return shard_poller_name(app->pollers[shard]);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

bool hold_order_allowed(const struct app *app, char *why, size_t n)
{
	if (app->wallboard) {
		snprintf(why, n, "the wallboard never writes: holds are off");
		return false;
	}
	if (app->readonly) {
		snprintf(why, n, "read-only: holds are off (started with "
			 "--readonly or readonly = true)");
		return false;
	}
	return true;
}

struct hold_order *hold_order_freeze(const struct app *app, const char *screen,
				     const char *reason,
				     const struct hold_call *calls, size_t n)
{
	struct hold_order *o = xcalloc(1, sizeof *o);
	struct rerun_target *t = xcalloc(n ? n : 1, sizeof *t);

	o->screen = xstrdup(screen);
	o->reason = xstrdup(reason ? reason : "");
	o->c = xcalloc(n ? n : 1, sizeof *o->c);
	o->n = n;
	for (size_t i = 0; i < n; i++) {
		const struct hold_call *c = &calls[i];
		struct hold_call *f = &o->c[i].c;

		*f = (struct hold_call){
			.shard = c->shard, .op = c->op,
			.target = dup_or_null(c->target),
			.hold_id = dup_or_null(c->hold_id),
			.hold_kind = dup_or_null(c->hold_kind),
			.payment_type = dup_or_null(c->payment_type),
			.module = dup_or_null(c->module),
			.expires_iso = dup_or_null(c->expires_iso),
			.day_from = dup_or_null(c->day_from),
			.day_to = dup_or_null(c->day_to),
			.words = xstrdup(c->words ? c->words : ""),
		};
		t[i] = (struct rerun_target){
			.shard = c->shard, .kind = hold_op_name(c->op),
			.id = c->target ? c->target : "*", .words = f->words,
		};
	}
	o->ro = rerun_order_freeze(app, screen, reason, t, n);
	free(t);
	return o;
}

void hold_order_free(struct hold_order *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++) {
		struct hold_call *f = &o->c[i].c;

		free((char *)f->target);
		free((char *)f->hold_id);
		free((char *)f->hold_kind);
		free((char *)f->payment_type);
		free((char *)f->module);
		free((char *)f->expires_iso);
		free((char *)f->day_from);
		free((char *)f->day_to);
		free((char *)f->words);
		free(o->c[i].why);
	}
	rerun_order_free(o->ro);
	free(o->c);
	free(o->screen);
	free(o->reason);
	free(o);
}

size_t hold_order_count(const struct hold_order *o)
{
	return o ? o->n : 0;
}

const char *hold_order_why(const struct hold_order *o, size_t i)
{
	return o && i < o->n ? o->c[i].why : NULL;
}

int hold_order_answer(struct app *app, struct hold_order *o, bool yes,
		      const char *detail, const struct action_report *r,
		      char *err, size_t n)
{
	return rerun_order_answer(app, o->ro, yes, detail, r, err, n);
}

int hold_order_audit(const struct hold_order *o, const char *event,
		     const char *outcome, const char *detail, const bool *only,
		     char *err, size_t n)
{
	return rerun_order_audit(o->ro, event, outcome, detail, only, err, n);
}

/* --- lost answers: checking until a poll re-read the holds --------------------- */

static const char *check_key(const struct hold_call *c)
{
	if (c->op == HOLD_WRITE_OFF)
		return c->hold_id ? c->hold_id : "?";
	return c->target ? c->target : "*";
}

/* The check that keeps a call on (shard, op's key) from going, or NULL.
 * A place is kept by a lost place on the same biller or on every biller
 * of the shard; a release or a write-off by a lost one on the same hold. */
static const struct check *check_for(int shard, bool place, const char *key)
{
	for (const struct check *c = checks; c; c = c->next) {
		if (c->shard != shard || (c->op == HOLD_PLACE) != place)
			continue;
		if (!strcmp(c->key, key) ||
		    (place && (!strcmp(c->key, "*") || !strcmp(key, "*"))))
			return c;
	}
	return NULL;
}

static bool check_words(const struct app *app, const struct check *c,
			char *why, size_t n)
{
	char *who;

	if (!c)
		return false;
	who = text_sanitize(c->words, (size_t)-1);
	if (c->op == HOLD_PLACE)
		snprintf(why, n, "checking: the answer to place_hold for %s on "
			 "shard %s was lost; waiting for a poll of shard %s to "
			 "re-read its holds before anyone may ask again", who,
			 shard_name(app, c->shard), shard_name(app, c->shard));
	else
		snprintf(why, n, "checking: the answer to %s of hold %s (%s) on "
			 "shard %s was lost; waiting for a poll of shard %s to "
			 "re-read its holds before anyone may ask again",
			 hold_op_name(c->op), c->key, who,
			 shard_name(app, c->shard), shard_name(app, c->shard));
	free(who);
	return true;
}

bool hold_order_checking_biller(const struct app *app, int shard,
				const char *biller_id, char *why, size_t n)
{
	return check_words(app, check_for(shard, true, biller_id ? biller_id
					  : "*"), why, n);
}

bool hold_order_checking_hold(const struct app *app, int shard,
			      const char *hold_id, char *why, size_t n)
{
	return check_words(app, check_for(shard, false, hold_id), why, n);
}

bool hold_order_biller_is_checking(int shard, const char *biller_id)
{
	return checks && check_for(shard, true, biller_id ? biller_id : "*");
}

bool hold_order_hold_is_checking(int shard, const char *hold_id)
{
	return checks && hold_id && check_for(shard, false, hold_id);
}

static void check_add(const struct sent *s)
{
	struct check *c = xcalloc(1, sizeof *c);

	c->shard = s->shard;
	c->op = s->op;
	c->key = xstrdup(s->op == HOLD_WRITE_OFF ? s->hold_id : s->target);
	c->kind = xstrdup(s->hold_kind ? s->hold_kind : "");
	c->target = xstrdup(s->target);
	c->words = xstrdup(s->words);
	c->screen = xstrdup(s->screen);
	c->reason = xstrdup(s->reason);
	c->since = mono_ms();
	c->report = s->report;
	c->next = checks;
	checks = c;
}

static void check_free(struct check *c)
{
	free(c->key);
	free(c->kind);
	free(c->target);
	free(c->words);
	free(c->screen);
	free(c->reason);
	free(c);
}

/* What the re-read found for c in s's holds, in words; the outcome word
 * ("recorded" or "none") is returned. */
static const char *reread_words(const struct app *app, const struct check *c,
				const struct snapshot *s, char *buf, size_t n)
{
	const char *name = shard_name(app, c->shard);
	char *who = text_sanitize(c->op == HOLD_WRITE_OFF ? c->target : c->words,
				  (size_t)-1);
	const char *word = "none";
	const struct hold *h = NULL;

	for (size_t i = 0; i < s->nholds && !h; i++) {
		const struct hold *x = &s->holds[i];
		char id[32];

		snprintf(id, sizeof id, "%" PRId64, x->hold_id);
		if (c->op != HOLD_PLACE)
			h = !strcmp(id, c->key) ? x : NULL;
		else if (hold_active(x) && !strcmp(x->kind_text, c->kind) &&
			 (x->biller_id ? !strcmp(x->biller_id, c->key)
				       : !strcmp(c->key, "*")))
			h = x;
	}
	if (c->op == HOLD_PLACE && h) {
		word = "recorded";
		snprintf(buf, n, "re-read shard %s: %s is held (hold %" PRId64
			 ", %s, placed by %s): it was recorded", name, who,
			 h->hold_id, h->kind_text, h->placed_by);
	} else if (c->op == HOLD_PLACE) {
		snprintf(buf, n, "re-read shard %s: no active %s hold of %s was "
			 "recorded; it may be asked again", name, c->kind, who);
	} else if (!h) {
		snprintf(buf, n, "re-read shard %s: hold %s is not among its "
			 "holds", name, c->key);
	} else if (c->op == HOLD_RELEASE && !hold_active(h)) {
		word = "recorded";
		snprintf(buf, n, "re-read shard %s: hold %s is %s (by %s): it was "
			 "recorded", name, c->key, *h->ended_how ? h->ended_how
			 : "ended", *h->ended_by ? h->ended_by : "someone");
	} else if (c->op == HOLD_RELEASE) {
		snprintf(buf, n, "re-read shard %s: hold %s is still active: the "
			 "release was not recorded; it may be asked again", name,
			 c->key);
	} else {
		snprintf(buf, n, "re-read shard %s: hold %s is %s; the write-off "
			 "of invoice %s may be asked again (one recorded answers "
			 "\"already\")", name, c->key, hold_active(h) ? "active"
			 : "ended", who);
	}
	free(who);
	return word;
}

bool hold_check_settles(const struct snapshot *s, const struct shard_health *h,
			int64_t since)
{
	int64_t as_of;

	/* Only a poll that began after the loss can tell: its holds are
	 * read after its first answer (taken_mono). */
	if (!s || !s->holds_read)
		return false;
	as_of = s->taken_mono;
	/* A replica shows the primary as it was lag_ms before the lag was
	 * measured, which was before the poll began. */
	if (h && h->on_replica) {
		if (h->replica_lag_ms == BT_NO_TIME)
			return false;
		as_of -= h->replica_lag_ms + (h->poll_ms > 0 ? h->poll_ms : 0);
	}
	return as_of > since;
}

void hold_order_tick(struct app *app)
{
	struct check **pp = &checks;

	while (*pp) {
		struct check *c = *pp;
		const struct snapshot *s = c->shard >= 0 &&
			(size_t)c->shard < app->view.nsnaps ?
			app->view.snaps[c->shard] : NULL;
		char detail[600], err[300];
		const char *word;

		if (!hold_check_settles(s, app->health ? &app->health[c->shard]
					: NULL, c->since)) {
			pp = &c->next;
			continue;
		}
		word = reread_words(app, c, s, detail, sizeof detail);
		struct audit_entry e = {
			.event = "reread", .screen = c->screen,
			.shard = shard_name(app, c->shard),
			.kind = hold_op_name(c->op), .target = c->target,
			.reason = c->reason, .outcome = word, .detail = detail,
		};
		if (rerun_audit_many(&e, 1, err, sizeof err) < 0)
			report_say(c->report, app, REPORT_OUTCOME, "AUDIT LOG NOT "
				   "WRITTEN (%s): %s", err, detail);
		else
			report_say(c->report, app, REPORT_OUTCOME, "%s", detail);
		log_msg(LOG_INFO, "shard %s: %s %s: %s", shard_name(app, c->shard),
			hold_op_name(c->op), c->target, detail);
		*pp = c->next;
		check_free(c);
		app->dirty = true;
	}
}

/* What a "request" line says besides its target. */
static char *request_detail(const struct hold_call *c)
{
	switch (c->op) {
	case HOLD_PLACE:
		return xasprintf("kind=%s payment_type=%s module=%s expires=%s"
				 "%s%s%s%s", c->hold_kind, c->payment_type ?
				 c->payment_type : "any", c->module ? c->module
				 : "any", c->expires_iso ? c->expires_iso : "never",
				 c->day_from || c->day_to ? " days=" : "",
				 c->day_from ? c->day_from : "",
				 c->day_from || c->day_to ? ".." : "",
				 c->day_to ? c->day_to : "");
	case HOLD_WRITE_OFF:
		return xasprintf("hold=%s", c->hold_id ? c->hold_id : "?");
	case HOLD_RELEASE:
		break;
	}
	return xstrdup("");
}

static struct sq_job *job_for(const struct hold_call *c, const char *reason)
{
	const char *by = rerun_requested_by();

	switch (c->op) {
	case HOLD_PLACE:
		return query_hold_place_job(JOB_HOLD, c->target, c->hold_kind,
					    c->payment_type, c->module, reason,
					    by, c->expires_iso, c->day_from,
					    c->day_to);
	case HOLD_RELEASE:
		return query_hold_release_job(JOB_HOLD, c->target, by);
	case HOLD_WRITE_OFF:
		return query_hold_write_off_job(JOB_HOLD, c->target, c->hold_id,
						reason, by);
	}
	return NULL;
}

static void mark(struct call *c, const char *why)
{
	free(c->why);
	c->why = xstrdup(why);
}

size_t hold_order_send(struct app *app, struct hold_order *o,
		       const size_t *idx, size_t k,
		       const struct action_report *r, hold_cb cb,
		       const unsigned long *tags, unsigned long tag)
{
	size_t all = idx ? k : o->n, sent = 0, m = 0;
	struct audit_entry *e = xcalloc(all ? all : 1, sizeof *e);
	char **details = xcalloc(all ? all : 1, sizeof *details);
	bool *go = xcalloc(all ? all : 1, sizeof *go);
	char why[300], err[300];

	for (size_t j = 0; j < all; j++) {
		size_t i = idx ? idx[j] : j;
		struct call *c = &o->c[i];

		if (!rerun_order_confirmed(o->ro))
			snprintf(why, sizeof why, "not sent: it was not confirmed");
		else if (!hold_order_allowed(app, why, sizeof why))
			;
		else if (check_words(app, check_for(c->c.shard, c->c.op ==
					HOLD_PLACE, check_key(&c->c)), why, sizeof why))
			;
		else if (c->c.shard < 0 || (size_t)c->c.shard >= app->npollers ||
			 !app->queries || !app->queries[c->c.shard])
			snprintf(why, sizeof why, "no query worker for shard %d",
				 c->c.shard);
		else
			why[0] = '\0';
		if (why[0]) {
			mark(c, why);
			report_say(r, app, REPORT_OUTCOME, "%s", why);
			continue;
		}
		go[j] = true;
		details[j] = request_detail(&c->c);
		e[m++] = (struct audit_entry){
			.event = "request", .screen = o->screen,
			.shard = shard_name(app, c->c.shard),
			.kind = hold_op_name(c->c.op),
			.target = c->c.target ? c->c.target : "*",
			.reason = o->reason, .outcome = "sending",
			.detail = details[j],
		};
	}
	/* Their "request" lines are on disk before any job is queued. */
	if (m && rerun_audit_many(e, m, err, sizeof err) < 0) {
		report_say(r, app, REPORT_OUTCOME, "the audit log cannot be "
			   "written, so nothing was sent: %s", err);
		for (size_t j = 0; j < all; j++)
			if (go[j])
				mark(&o->c[idx ? idx[j] : j], "the audit log cannot "
				     "be written, so nothing was sent");
		m = 0;
	}
	for (size_t j = 0; m && j < all; j++) {
		struct call *c = &o->c[idx ? idx[j] : j];
		struct sent *s;

		if (!go[j])
			continue;
		s = xcalloc(1, sizeof *s);
		s->shard = c->c.shard;
		s->op = c->c.op;
		s->target = xstrdup(c->c.target ? c->c.target : "*");
		s->screen = xstrdup(o->screen);
		s->reason = xstrdup(o->reason);
		s->hold_id = dup_or_null(c->c.hold_id);
		s->hold_kind = dup_or_null(c->c.hold_kind);
		s->words = xstrdup(*c->c.words ? c->c.words : s->target);
		s->report = r;
		s->cb = cb;
		s->tag = tags ? tags[j] : tag;
		s->job = shard_query_submit(app->queries[s->shard],
					    job_for(&c->c, o->reason));
		s->next = inflight;
		inflight = s;
		free(c->why);
		c->why = NULL;
		sent++;
		log_msg(LOG_INFO, "shard %s: %s %s sent (job %u)",
			shard_name(app, s->shard), hold_op_name(s->op), s->target,
			s->job);
	}
	for (size_t j = 0; j < all; j++)
		free(details[j]);
	free(details);
	free(go);
	free(e);
	return sent;
}

/* Words for a call the shard answered with an error. */
static void error_words(const struct app *app, const struct sq_job *job,
			char *buf, size_t n)
{
	const char *name = shard_name(app, job->shard);

	if (!strcmp(job->sqlstate, "42501"))
		snprintf(buf, n, "not an operator on shard %s: holds need the "
			 "batchtop_operator role; nothing was recorded", name);
	else if (!strcmp(job->sqlstate, "25006"))
		snprintf(buf, n, "shard %s refused: the session is read-only; "
			 "nothing was recorded", name);
	else if (!strcmp(job->sqlstate, "42883"))
		snprintf(buf, n, "shard %s has no holds (contract v2): nothing "
			 "was recorded", name);
	else if (job->sqlstate[0])
		snprintf(buf, n, "shard %s: %s; nothing was recorded", name,
			 job->error);
	else
		snprintf(buf, n, "shard %s: %s; nothing was sent", name, job->error);
}

static bool done_word(const char *w)
{
	static const char *const words[] = {
		"placed", "exists", "released", "already", "written_off",
	};

	for (size_t i = 0; w && i < sizeof words / sizeof *words; i++)
		if (!strcmp(w, words[i]))
			return true;
	return false;
}

static void answer_from(const struct app *app, struct sq_job *job,
			struct hold_answer *a, char *detail, size_t dn,
			char *word, size_t wn, char *id, size_t idn)
{
	struct hold_outcome ho;
	char *clean;

	id[0] = '\0';
	switch (job->status) {
	case SQ_OK:
		query_hold_outcome(job->res, &ho);
		clean = text_sanitize(ho.outcome ? ho.outcome : "nothing",
				      (size_t)-1);
		snprintf(word, wn, "%s", clean);
		free(clean);
		clean = text_sanitize(ho.detail ? ho.detail : "", (size_t)-1);
		snprintf(detail, dn, "%s", clean);
		free(clean);
		snprintf(id, idn, "%s", ho.id ? ho.id : "");
		a->done = done_word(ho.outcome);
		if (!a->done && (!ho.outcome || strcmp(ho.outcome, "refused")))
			snprintf(detail, dn, "shard %s answered \"%s\", which "
				 "batchtop does not know: look again before "
				 "asking again", shard_name(app, job->shard), word);
		break;
	case SQ_ERROR:
		snprintf(word, wn, "error");
		error_words(app, job, detail, dn);
		break;
	case SQ_UNKNOWN:
		snprintf(word, wn, "unknown");
		snprintf(detail, dn, "the answer was lost: checking: re-reading "
			 "shard %s's holds before anyone may ask again (%s)",
			 shard_name(app, job->shard), job->error);
		break;
	default:
		snprintf(word, wn, "not-sent");
		snprintf(detail, dn, "not sent: %s",
			 job->error[0] ? job->error : "cancelled");
		break;
	}
	a->outcome = word;
	a->detail = detail;
	a->id = id;
}

void hold_order_on_job(struct app *app, struct sq_job *job)
{
	struct sent **pp, *s = NULL;
	struct hold_answer a = { 0 };
	char detail[500], word[40], id[80], err[300];

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
	a.shard = s->shard;
	a.op = s->op;
	a.target = s->target;
	answer_from(app, job, &a, detail, sizeof detail, word, sizeof word, id,
		    sizeof id);
	struct audit_entry e = {
		.event = "outcome", .screen = s->screen,
		.shard = shard_name(app, s->shard), .kind = hold_op_name(s->op),
		.target = s->target, .reason = s->reason, .outcome = word,
		.detail = detail,
		.request_id = id[0] ? strtoll(id, NULL, 10) : 0,
	};
	if (rerun_audit_many(&e, 1, err, sizeof err) < 0)
		report_say(s->report, app, REPORT_OUTCOME, "AUDIT LOG NOT WRITTEN "
			   "(%s): %s %s: %s", err, hold_op_name(s->op), s->target,
			   word);
	log_msg(LOG_INFO, "shard %s: %s %s: %s: %s", shard_name(app, s->shard),
		hold_op_name(s->op), s->target, word, detail);
	if (job->status == SQ_UNKNOWN)
		check_add(s);
	if (s->cb)
		s->cb(app, &a, s->tag);
	app->dirty = true;
	sent_free(s);
	sq_job_free(job);
}

size_t hold_order_unanswered(void)
{
	size_t k = 0;

	for (const struct sent *s = inflight; s; s = s->next)
		k++;
	return k;
}

size_t hold_order_abandon(struct app *app, const char *why, char *list,
			  size_t listn, size_t list_max, char *err, size_t n,
			  int *failed)
{
	size_t k = hold_order_unanswered(), i = 0, shown = 0;
	size_t j = strlen(list);
	struct audit_entry *e;
	char detail[300];

	*failed = 0;
	if (!k)
		return 0;
	snprintf(detail, sizeof detail, "%s before the shard's answer was known: "
		 "it may have been recorded; the shard's holds say", why);
	e = xcalloc(k, sizeof *e);
	for (const struct sent *s = inflight; s; s = s->next, i++) {
		e[i] = (struct audit_entry){
			.event = "abandon", .screen = s->screen,
			.shard = shard_name(app, s->shard),
			.kind = hold_op_name(s->op), .target = s->target,
			.reason = s->reason, .outcome = "unanswered",
			.detail = detail,
		};
		if (shown < list_max && j + 1 < listn) {
			char *who = text_sanitize(s->words, (size_t)-1);

			j += (size_t)snprintf(list + j, listn - j, "  %s %s %s: "
					      "sent, no answer\n",
					      shard_name(app, s->shard),
					      hold_op_name(s->op), who);
			free(who);
			shown++;
		}
	}
	*failed = rerun_audit_abandoned(e, k, shown, "hold calls", list, listn,
					j, err, n) < 0;
	return k;
}

void hold_order_shutdown(void)
{
	while (inflight) {
		struct sent *s = inflight;

		inflight = s->next;
		sent_free(s);
	}
	while (checks) {
		struct check *c = checks;

		checks = c->next;
		check_free(c);
	}
}
