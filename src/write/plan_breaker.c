/*
 * plan_breaker.c - a plan's breakers, one per shard (see plan_breaker.h).
 *
 * Data: one core breaker per shard, and per item of the plan what the
 * breakers know of it (never sent, sent, sent as a trial, counted), so
 * each outcome counts once however often the item is looked at; the
 * array grows with the plan (an addition appends items).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/breaker.h"
#include "core/text.h"
#include "core/xalloc.h"
#include "data/log.h"
#include "write/audit.h"
#include "write/plan_breaker.h"
#include "write/rerun.h"

enum seen { UNSENT, SENT, TRIAL, COUNTED };

struct plan_breaker {
	struct breaker_rules rules;
	struct breaker *b;
	size_t nshards;
	char **names;		/* the shards', from their first item sent */
	int64_t mono;		/* the last tick's clock, for "retry in" */
	bool *waiting;		/* per shard, at the last tick: items wait */
	unsigned char *seen;	/* enum seen, per item */
	size_t nseen;
};

struct plan_breaker *plan_breaker_new(const struct app *app, size_t nshards)
{
	struct plan_breaker *pb = xcalloc(1, sizeof *pb);
	const struct config *c = app->cfg;

	pb->rules = (struct breaker_rules){
		.consecutive = c->breaker_consecutive_failures,
		.rate_pct = c->breaker_failure_rate,
		.window = c->breaker_failure_window,
		.pause_ms = (int64_t)c->breaker_pause * 1000,
	};
	pb->nshards = nshards;
	pb->b = xcalloc(nshards ? nshards : 1, sizeof *pb->b);
	pb->waiting = xcalloc(nshards ? nshards : 1, sizeof *pb->waiting);
	pb->names = xcalloc(nshards ? nshards : 1, sizeof *pb->names);
	for (size_t s = 0; s < nshards; s++)
		breaker_init(&pb->b[s]);
	pb->mono = app->mono;
	return pb;
}

void plan_breaker_free(struct plan_breaker *pb)
{
	if (!pb)
		return;
	for (size_t s = 0; s < pb->nshards; s++)
		free(pb->names[s]);
	free(pb->names);
	free(pb->waiting);
	free(pb->b);
	free(pb->seen);
	free(pb);
}

static struct breaker *of(const struct plan_breaker *pb, int shard)
{
	return shard >= 0 && (size_t)shard < pb->nshards ? &pb->b[shard] : NULL;
}

bool plan_breaker_may_send(const struct plan_breaker *pb, int shard)
{
	const struct breaker *b = pb ? of(pb, shard) : NULL;

	return !b || breaker_may_send(b);
}

void plan_breaker_sent(struct plan_breaker *pb, size_t i,
		       const struct plan_item *it)
{
	struct breaker *b = pb ? of(pb, it->shard) : NULL;

	if (!b)
		return;
	if (!pb->names[it->shard])
		pb->names[it->shard] = xstrdup(it->shard_name ? it->shard_name
					       : "?");
	if (i >= pb->nseen) {
		size_t n = pb->nseen ? pb->nseen : 16;

		while (n <= i)
			n *= 2;
		pb->seen = xrealloc(pb->seen, n);
		memset(pb->seen + pb->nseen, UNSENT, n - pb->nseen);
		pb->nseen = n;
	}
	pb->seen[i] = breaker_sent(b) ? TRIAL : SENT;
}

/* One audit line and one message for a change of shard's breaker. */
static void tell(struct plan_breaker *pb, struct app *app, int shard,
		 enum breaker_event ev, const struct action_report *r)
{
	const struct breaker *b = &pb->b[shard];
	const char *name = pb->names[shard] ? pb->names[shard] : "?", *outcome;
	char words[200], shown[200], err[300];
	struct audit_entry e;

	if (ev == BREAKER_NO_CHANGE)
		return;
	breaker_words(b, name, app->mono, words, sizeof words);
	if (ev == BREAKER_OPENED) {
		outcome = "open";
	} else if (ev == BREAKER_HALF_OPENED) {
		outcome = "half-open";
		snprintf(words, sizeof words, "%s: breaker half-open after a "
			 "pause of %llds: one trial request goes", name,
			 (long long)(pb->rules.pause_ms / 1000));
	} else {
		outcome = "closed";
		snprintf(words, sizeof words, "%s: breaker closed: the trial "
			 "request succeeded; the plan goes on there", name);
	}
	e = (struct audit_entry){
		.event = "breaker", .screen = "plan", .shard = name,
		.outcome = outcome, .detail = words,
	};
	log_msg(LOG_WARN, "%s", words);
	/* Shard names are the operator's own, but drawn all the same. */
	text_sanitize_into(shown, sizeof shown, words, (size_t)-1);
	if (rerun_audit_many(&e, 1, err, sizeof err) < 0)
		report_say(r, app, REPORT_OUTCOME, "%s; AUDIT LOG NOT WRITTEN: %s",
			   shown, err);
	else
		report_say(r, app, REPORT_OUTCOME, "%s", shown);
	app->dirty = true;
}

/* What item i's state says to its shard's breaker, once. */
static void count(struct plan_breaker *pb, struct app *app,
		  const struct plan_item *it, size_t i,
		  const struct action_report *r)
{
	struct breaker *b = of(pb, it->shard);
	bool trial = pb->seen[i] == TRIAL, failed;

	switch (it->state) {
	case PI_WAITING:	/* the send put it back: it never went */
		pb->seen[i] = UNSENT;
		if (trial)
			breaker_trial_void(b);
		return;
	case PI_SENDING:
	case PI_PENDING:
	case PI_RUNNING:
		return;
	case PI_DONE:
		failed = false;
		break;
	case PI_FAILED:
	case PI_UNKNOWN:	/* never a success, whatever comes after */
		failed = true;
		break;
	default:		/* refused, not sent, cancelled: neither */
		pb->seen[i] = COUNTED;
		if (trial)
			breaker_trial_void(b);
		return;
	}
	pb->seen[i] = COUNTED;
	tell(pb, app, it->shard,
	     breaker_record(b, &pb->rules, failed, trial, app->mono), r);
}

void plan_breaker_tick(struct plan_breaker *pb, struct app *app,
		       const struct plan_item *items, size_t n,
		       const struct action_report *r)
{
	if (!pb)
		return;
	pb->mono = app->mono;
	memset(pb->waiting, 0, pb->nshards * sizeof *pb->waiting);
	for (size_t i = 0; i < n; i++) {
		if (items[i].state == PI_WAITING && of(pb, items[i].shard))
			pb->waiting[items[i].shard] = true;
		if (i < pb->nseen && (pb->seen[i] == SENT || pb->seen[i] == TRIAL) &&
		    of(pb, items[i].shard))
			count(pb, app, &items[i], i, r);
	}
	/* A shard with nothing left to send has no trial to make. */
	for (size_t s = 0; s < pb->nshards; s++)
		if (pb->waiting[s])
			tell(pb, app, (int)s, breaker_poll(&pb->b[s], app->mono), r);
}

bool plan_breaker_shard_words(const struct plan_breaker *pb, int shard,
			      char *buf, size_t n)
{
	const struct breaker *b = pb ? of(pb, shard) : NULL;

	if (n)
		buf[0] = '\0';
	if (!b || b->state == BREAKER_CLOSED || !pb->waiting[shard])
		return false;
	breaker_words(b, pb->names[shard] ? pb->names[shard] : "?", pb->mono,
		      buf, n);
	return true;
}

bool plan_breaker_words(const struct plan_breaker *pb, char *buf, size_t n)
{
	size_t j = 0;

	if (n)
		buf[0] = '\0';
	for (size_t s = 0; pb && s < pb->nshards && j + 1 < n; s++) {
		char one[200];

		if (!plan_breaker_shard_words(pb, (int)s, one, sizeof one))
			continue;
		j += (size_t)snprintf(buf + j, n - j, "%s%s", j ? "; " : "", one);
	}
	return n && buf[0];
}
