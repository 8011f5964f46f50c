/*
 * rerun_order.c - the frozen list of confirmed targets, and the audit of
 * the operator's answer before any send (see rerun_order.h).
 *
 * Data: an array of targets, each with its own copies of the strings and
 * the reason it was not sent (NULL until then).  `state` only moves
 * forward: FROZEN -> CONFIRMED (yes is on disk) or SPOILED (no, or the
 * answer could not be written); only a CONFIRMED order sends.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/log.h"
#include "write/rerun_order.h"
#include "core/xalloc.h"

enum order_state { O_FROZEN, O_CONFIRMED, O_SPOILED };

struct frozen {
	struct rerun_target t;	/* strings owned */
	char *shard_name;
	char *why;		/* not sent: why; NULL otherwise */
};

struct rerun_order {
	enum order_state state;
	char *screen, *reason;
	struct frozen *f;
	size_t n;
};

struct rerun_order *rerun_order_freeze(const struct app *app,
				       const char *screen, const char *reason,
				       const struct rerun_target *targets,
				       size_t n)
{
	struct rerun_order *o = xcalloc(1, sizeof *o);

	o->screen = xstrdup(screen);
	o->reason = xstrdup(reason ? reason : "");
	o->f = xcalloc(n ? n : 1, sizeof *o->f);
	o->n = n;
	for (size_t i = 0; i < n; i++) {
		const struct rerun_target *t = &targets[i];
		struct frozen *f = &o->f[i];
		int s = t->shard;

		f->t.shard = s;
		f->t.kind = xstrdup(t->kind);
		f->t.id = xstrdup(t->id);
		f->t.words = xstrdup(t->words ? t->words : "");
		f->shard_name = xstrdup(s >= 0 && (size_t)s < app->npollers &&
					app->pollers
					? shard_poller_name(app->pollers[s]) : "?");
	}
	return o;
}

void rerun_order_free(struct rerun_order *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++) {
		free((char *)o->f[i].t.kind);
		free((char *)o->f[i].t.id);
		free((char *)o->f[i].t.words);
		free(o->f[i].shard_name);
		free(o->f[i].why);
	}
	free(o->f);
	free(o->screen);
	free(o->reason);
	free(o);
}

size_t rerun_order_count(const struct rerun_order *o)
{
	return o ? o->n : 0;
}

const struct rerun_target *rerun_order_target(const struct rerun_order *o,
					      size_t i)
{
	return i < o->n ? &o->f[i].t : NULL;
}

const char *rerun_order_why(const struct rerun_order *o, size_t i)
{
	return i < o->n ? o->f[i].why : NULL;
}

int rerun_order_audit(const struct rerun_order *o, const char *event,
		      const char *outcome, const char *detail,
		      const bool *only, char *err, size_t n)
{
	struct audit_entry *e = xcalloc(o->n ? o->n : 1, sizeof *e);
	size_t k = 0;
	int rc;

	for (size_t i = 0; i < o->n; i++) {
		if (only && !only[i])
			continue;
		e[k++] = (struct audit_entry){
			.event = event, .screen = o->screen,
			.shard = o->f[i].shard_name, .kind = o->f[i].t.kind,
			.target = o->f[i].t.id, .reason = o->reason,
			.outcome = outcome, .detail = detail,
		};
	}
	rc = k ? rerun_audit_many(e, k, err, n) : 0;
	free(e);
	return rc;
}

int rerun_order_answer(struct app *app, struct rerun_order *o, bool yes,
		       const char *detail, const struct action_report *r,
		       char *err, size_t n)
{
	if (o->state != O_FROZEN) {
		snprintf(err, n, "this confirmation was answered already");
		return -1;
	}
	o->state = O_SPOILED;
	if (rerun_order_audit(o, yes ? "confirm" : "cancel",
			      yes ? "confirmed" : "cancelled", detail, NULL, err,
			      n) < 0) {
		report_say(r, app, REPORT_OUTCOME, "the audit log cannot be "
			   "written, so nothing was sent: %s", err);
		return -1;
	}
	if (yes)
		o->state = O_CONFIRMED;
	return 0;
}

bool rerun_order_confirmed(const struct rerun_order *o)
{
	return o && o->state == O_CONFIRMED;
}

size_t rerun_order_decide(struct app *app, struct rerun_order *o, bool yes,
			  bool announce, const struct action_report *r,
			  rerun_cb cb, unsigned long tag)
{
	char err[300];

	if (rerun_order_answer(app, o, yes, yes ? "confirmed with y"
			       : "cancelled by the operator", r, err,
			       sizeof err) < 0)
		return 0;
	if (!yes) {
		report_say(r, app, REPORT_INFO, "cancelled: no rerun requested");
		return 0;
	}
	return rerun_order_send_all(app, o, announce, r, cb, tag);
}

int rerun_order_send(struct app *app, struct rerun_order *o, size_t i,
		     bool announce, const struct action_report *r, rerun_cb cb,
		     unsigned long tag, char *why, size_t n)
{
	const struct frozen *f = i < o->n ? &o->f[i] : NULL;

	if (!f || o->state != O_CONFIRMED) {
		snprintf(why, n, "not sent: %s", f ? "it was not confirmed"
						: "no such target");
		return -1;
	}
	return rerun_send(app, o->screen, f->t.shard, f->t.kind, f->t.id,
			  o->reason, announce, r, cb, tag, why, n);
}

size_t rerun_order_send_many(struct app *app, struct rerun_order *o,
			     const size_t *idx, size_t k, bool announce,
			     const struct action_report *r, rerun_cb cb,
			     const unsigned long *tags, unsigned long tag)
{
	struct rerun_send_req *q;
	size_t sent;

	if (o->state != O_CONFIRMED) {
		for (size_t j = 0; j < k; j++)
			if (idx[j] < o->n) {
				free(o->f[idx[j]].why);
				o->f[idx[j]].why = xstrdup("not sent: it was not "
							   "confirmed");
			}
		return 0;
	}
	q = xcalloc(k ? k : 1, sizeof *q);
	for (size_t j = 0; j < k; j++) {
		const struct frozen *f = &o->f[idx[j]];

		q[j] = (struct rerun_send_req){
			.shard = f->t.shard, .kind = f->t.kind, .target = f->t.id,
			.tag = tags ? tags[j] : tag,
		};
	}
	/* One write and one fsync for all their "request" lines. */
	sent = rerun_send_many(app, o->screen, o->reason, q, k, announce, r, cb);
	for (size_t j = 0; j < k; j++) {
		struct frozen *f = &o->f[idx[j]];

		free(f->why);
		f->why = NULL;
		if (q[j].rc == 0)
			continue;
		f->why = xstrdup(q[j].why);
		log_msg(LOG_WARN, "shard %s: %s %s (%s) not sent: %s",
			f->shard_name, f->t.kind, f->t.id, f->t.words, q[j].why);
	}
	free(q);
	return sent;
}

size_t rerun_order_send_all(struct app *app, struct rerun_order *o,
			    bool announce, const struct action_report *r,
			    rerun_cb cb, unsigned long tag)
{
	size_t *idx = xcalloc(o->n ? o->n : 1, sizeof *idx), sent;
	const char *last = NULL;

	for (size_t i = 0; i < o->n; i++)
		idx[i] = i;

	sent = rerun_order_send_many(app, o, idx, o->n, announce, r, cb, NULL,
				     tag);
	/* Each reason once: after a failed write every target says the same. */
	for (size_t i = 0; i < o->n; i++) {
		const char *why = o->f[i].why;

		if (why && (!last || strcmp(why, last)))
			report_say(r, app, REPORT_OUTCOME, "%s", why);
		if (why)
			last = why;
	}
	free(idx);
	return sent;
}

int rerun_order_join(struct rerun_order *into, struct rerun_order *from)
{
	if (!into || !from || into->state != O_CONFIRMED ||
	    from->state != O_CONFIRMED)
		return -1;
	into->f = xrealloc(into->f, (into->n + from->n + 1) * sizeof *into->f);
	memcpy(into->f + into->n, from->f, from->n * sizeof *from->f);
	into->n += from->n;
	free(from->f);
	free(from->screen);
	free(from->reason);
	free(from);
	return 0;
}
