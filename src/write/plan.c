/*
 * plan.c - the staged bulk rerun (see plan.h); the marks it is built
 * from are in plan_marks.c, its own reads of its requests in plan_watch.c.
 *
 * Data: `P` is the one plan: a frozen, ordered array of items (one per
 * failed batch of the marked billers when the plan was proposed) and its
 * flags.  A plan goes proposed (dialog up) -> running -> finished (every
 * item final); it keeps its own line until C clears it or a new plan
 * replaces it.  While it runs, R proposes an addition: items appended
 * after items[nconf), frozen as their own order, and joined to the plan's
 * order (nconf moves up) once their count is typed.
 *
 * Releases: each loop turn plan_tick() first updates in-flight items from
 * the pollers' latest snapshots (and its own reads, plan_watch.h), then
 * sends, together, the next waiting items of each shard while fewer than
 * cap items of that shard are in flight and its breaker lets them go
 * (plan_breaker.h: a shard whose requests keep failing is paused alone).
 *
 * The items are frozen a second time as a rerun_order (same index): the
 * confirmation, the audit and every send go through rerun_order.h, like
 * any other rerun.  No curses here: the dialog is screens/plan_dialog.c,
 * and words for the user go to the action_report given to plan_build().
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/log.h"
#include "write/plan.h"
#include "write/plan_breaker.h"
#include "write/plan_watch.h"
#include "write/rerun.h"
#include "write/rerun_order.h"
#include "data/shard_query.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

/* --- the plan ------------------------------------------------------------------- */

#define MAX_SKIPPED 64

static struct {
	bool exists;		/* proposed or running or finished */
	bool confirmed;		/* false while its dialog is up */
	bool paused, cancelled;
	unsigned long id;
	struct plan_item *items;
	size_t n, items_cap;
	size_t nconf;		/* items[0..nconf) are confirmed; the rest
				 * is an addition whose dialog is up */
	int cap;
	size_t nbillers, nshards;
	char *skipped[MAX_SKIPPED];
	size_t nskipped, more_skipped;
	bool *median_asked;	/* per shard: a median read was answered */
	unsigned *seen_gen;	/* per shard: the poll generation observed */
	size_t nshard_slots;
	struct rerun_order *order;	/* the confirmed items, frozen */
	struct rerun_order *add;	/* the proposed addition, frozen */
	const struct action_report *report;
	struct plan_breaker *brk;	/* per shard, once started */
} P;
static unsigned long plans;	/* plans proposed so far */

static void plan_free(void)
{
	for (size_t i = 0; i < P.n; i++) {
		free(P.items[i].shard_name);
		free(P.items[i].batch_id);
		free(P.items[i].biller_id);
		free(P.items[i].biller_name);
	}
	for (size_t i = 0; i < P.nskipped; i++)
		free(P.skipped[i]);
	free(P.items);
	rerun_order_free(P.order);
	rerun_order_free(P.add);
	free(P.median_asked);
	free(P.seen_gen);
	plan_breaker_free(P.brk);
	memset(&P, 0, sizeof P);
}

void plan_shutdown(void)
{
	plan_free();
	plan_watch_forget();
	plan_marks_free();
}

static bool plan_finished(void)
{
	for (size_t i = 0; i < P.nconf; i++)
		if (!plan_state_final(P.items[i].state))
			return false;
	return true;
}

bool plan_shard_breaker(size_t shard, char *buf, size_t n)
{
	return plan_breaker_shard_words(P.brk, (int)shard, buf, n);
}

bool plan_has_line(void)
{
	return P.exists && P.confirmed;
}

bool plan_status_line(char *buf, size_t n)
{
	char brk[400];

	if (!P.exists || !P.confirmed)
		return false;
	plan_words(P.items, P.nconf, P.paused, buf, n);
	if (!P.cancelled && plan_breaker_words(P.brk, brk, sizeof brk))
		snprintf(buf + strlen(buf), n - strlen(buf), " | %s", brk);
	return true;
}

/* One audit line per item in state `only` (every item when all), all
 * written with one write and one fsync: a plan of 10,000 batches is
 * declined, cancelled or abandoned with one sync, not 10,000. */
static void plan_audit_all(const char *event, const char *outcome,
			   const char *detail, enum plan_state only, bool all,
			   char *err, size_t n, int *failed)
{
	bool *which = xcalloc(P.n ? P.n : 1, sizeof *which);

	for (size_t i = 0; i < P.nconf; i++)
		which[i] = all || P.items[i].state == only;
	*failed = rerun_order_audit(P.order, event, outcome, detail, which, err,
				    n) < 0;
	free(which);
}

static void on_answer(struct app *app, const struct rerun_answer *a,
		      unsigned long tag)
{
	size_t i = (size_t)(tag & 0xffffffffUL);
	struct plan_item *it;

	if (!P.exists || (tag >> 32) != (P.id & 0xffffffffUL) || i >= P.n)
		return;
	it = &P.items[i];
	snprintf(it->detail, sizeof it->detail, "%s: %s",
		 rerun_result_word(a->result), a->detail);
	switch (a->result) {
	case RR_CREATED:
	case RR_DUPLICATE:
		/* A duplicate is someone's request in flight on the shard:
		 * it is watched and counted like ours. */
		it->state = PI_PENDING;
		it->request_id = a->request_id;
		break;
	case RR_REREAD_OPEN:
		it->state = !strcmp(a->status, "running") ? PI_RUNNING : PI_PENDING;
		it->request_id = a->request_id;
		break;
	case RR_UNKNOWN:
		it->state = PI_UNKNOWN;
		break;
	case RR_ERROR:
		/* Whatever refused this one would refuse the next: stop. */
		it->state = PI_SKIPPED;
		if (!P.paused) {
			P.paused = true;
			report_say(P.report, app, REPORT_OUTCOME, "plan paused: %s",
				   a->detail);
		}
		break;
	case RR_REFUSED:
	case RR_NOT_SENT:
	case RR_REREAD_NONE:
		it->state = PI_SKIPPED;
		break;
	}
	app->dirty = true;
}

/* Update in-flight items from the latest snapshots (when they changed). */
static void observe(struct app *app)
{
	for (size_t s = 0; s < P.nshard_slots && s < app->view.nsnaps; s++) {
		const struct snapshot *snap = app->view.snaps[s];

		if (!snap || P.seen_gen[s] == app->gens[s])
			continue;
		P.seen_gen[s] = app->gens[s];
		for (size_t i = 0; i < P.n; i++) {
			struct plan_item *it = &P.items[i];
			const struct batch *t;

			if (it->shard != (int)s || it->request_id <= 0 ||
			    !plan_state_inflight(it->state))
				continue;
			t = snapshot_find_batch(snap, it->batch_id);
			if (t)
				plan_observe(it, batch_rerun_id(t),
					     batch_rerun_status(t));
		}
	}
}

/* The plan's own watch (plan_watch.h): the status it read of a request. */
static void seen(struct app *app, int shard, long long id, const char *status)
{
	for (size_t i = 0; i < P.nconf; i++) {
		struct plan_item *it = &P.items[i];

		if (it->shard == shard && it->request_id == id)
			plan_observe(it, id, status);
	}
	app->dirty = true;
}

/* Each shard with requests in flight has them read when due. */
static void watch(struct app *app)
{
	long long *ids = NULL;

	for (size_t s = 0; s < app->npollers; s++) {
		size_t k = 0;

		if (!plan_watch_due(s))
			continue;
		if (!ids)
			ids = xcalloc(P.nconf ? P.nconf : 1, sizeof *ids);
		for (size_t i = 0; i < P.nconf; i++) {
			const struct plan_item *it = &P.items[i];

			if (it->shard == (int)s && it->request_id > 0 &&
			    (it->state == PI_PENDING || it->state == PI_RUNNING))
				ids[k++] = it->request_id;
		}
		plan_watch_read(app, s, ids, k, seen);
	}
	free(ids);
}

/* The items that may go now, shard by shard, are sent together: their
 * "request" lines are one write and one fsync (rerun_order_send_many). */
static void release(struct app *app)
{
	size_t *idx = NULL, k = 0;
	unsigned long *tags = NULL;

	for (size_t s = 0; s < app->npollers && !P.paused; s++) {
		long i;

		while (plan_breaker_may_send(P.brk, (int)s) &&
		       (i = plan_next(P.items, P.nconf, (int)s, P.cap)) >= 0) {
			struct plan_item *it = &P.items[i];
			char why[400];

			if (!rerun_may_send(app, it->shard, RERUN_BATCH,
					    it->batch_id, why, sizeof why)) {
				if (app->readonly) {
					P.paused = true;
					report_say(P.report, app, REPORT_INFO,
						   "plan paused: %s", why);
					break;
				}
				it->state = PI_SKIPPED;
				snprintf(it->detail, sizeof it->detail, "%.150s", why);
				continue;
			}
			it->state = PI_SENDING;	/* counts as in flight now */
			plan_breaker_sent(P.brk, (size_t)i, it);
			idx = xrealloc(idx, (k + 1) * sizeof *idx);
			tags = xrealloc(tags, (k + 1) * sizeof *tags);
			idx[k] = (size_t)i;
			tags[k++] = ((P.id & 0xffffffffUL) << 32) | (unsigned long)i;
		}
	}
	if (k) {
		rerun_order_send_many(app, P.order, idx, k, false, P.report,
				      on_answer, tags, 0);
		for (size_t j = 0; j < k; j++) {
			const char *why = rerun_order_why(P.order, idx[j]);

			if (!why)
				continue;
			P.items[idx[j]].state = PI_WAITING;
			if (!P.paused) {
				P.paused = true;
				report_say(P.report, app, REPORT_OUTCOME,
					   "plan paused: %s", why);
			}
		}
		app->dirty = true;
	}
	free(idx);
	free(tags);
}

void plan_tick(struct app *app)
{
	if (!P.exists || !P.confirmed)
		return;
	observe(app);
	if (!plan_finished())
		watch(app);
	if (!P.cancelled)	/* nothing more goes: no trial either */
		plan_breaker_tick(P.brk, app, P.items, P.nconf, P.report);
	if (!P.cancelled)
		release(app);
}

void plan_pause(struct app *app, const struct action_report *r)
{
	if (!P.exists || !P.confirmed || plan_finished()) {
		report_say(r, app, REPORT_INFO, "no bulk plan is running");
		return;
	}
	P.paused = !P.paused;
	report_say(r, app, REPORT_INFO, "%s", P.paused
		   ? "plan paused: nothing more is sent until p" : "plan resumed");
}

void plan_cancel(struct app *app, const struct action_report *r)
{
	char err[300];
	int failed, dropped = 0;

	if (!P.exists || !P.confirmed) {
		report_say(r, app, REPORT_INFO, "no bulk plan to cancel");
		return;
	}
	if (plan_finished()) {
		plan_free();
		report_say(r, app, REPORT_INFO, "plan cleared");
		return;
	}
	plan_audit_all("cancel", "cancelled", "bulk plan cancelled by the "
		       "operator before this was sent", PI_WAITING, false, err,
		       sizeof err, &failed);
	for (size_t i = 0; i < P.nconf; i++) {
		if (P.items[i].state == PI_WAITING) {
			P.items[i].state = PI_CANCELLED;
			snprintf(P.items[i].detail, sizeof P.items[i].detail,
				 "cancelled before it was sent");
			dropped++;
		}
	}
	P.cancelled = true;
	report_say(r, app, REPORT_INFO, "plan cancelled: %d waiting dropped; "
		   "what was sent stays sent%s%s", dropped,
		   failed ? "; AUDIT LOG NOT WRITTEN: " : "", failed ? err : "");
}

size_t plan_waiting(void)
{
	size_t k = 0;

	if (!P.exists || !P.confirmed || P.cancelled)
		return 0;
	for (size_t i = 0; i < P.nconf; i++)
		if (P.items[i].state == PI_WAITING)
			k++;
	return k;
}

size_t plan_abandon(const char *detail, char *list, size_t listn,
		    size_t list_max, char *err, size_t n, int *failed)
{
	size_t k = 0, shown = 0, j = list && listn ? strlen(list) : 0;

	*failed = 0;
	if (!plan_waiting())
		return 0;
	plan_audit_all("abandon", "abandoned", detail, PI_WAITING, false, err, n,
		       failed);
	for (size_t i = 0; i < P.nconf; i++) {
		struct plan_item *it = &P.items[i];

		if (it->state != PI_WAITING)
			continue;
		it->state = PI_CANCELLED;
		snprintf(it->detail, sizeof it->detail, "abandoned: %.140s", detail);
		k++;
		if (!list || j + 1 >= listn)
			continue;
		if (shown < list_max) {
			char name[64], batch[80], biller[64];

			/* Drawn text (stderr is a terminal): sanitized. */
			text_sanitize_into(name, sizeof name, it->shard_name, (size_t)-1);
			text_sanitize_into(batch, sizeof batch, it->batch_id, (size_t)-1);
			text_sanitize_into(biller, sizeof biller, it->biller_name,
					   (size_t)-1);
			j += (size_t)snprintf(list + j, listn - j, "  %s %s (%s): not "
					      "sent\n", name, batch, biller);
			shown++;
		}
	}
	if (list && k > shown && j + 1 < listn)
		snprintf(list + j, listn - j, "  ... and %zu more batches\n",
			 k - shown);
	P.cancelled = true;
	return k;
}

/* --- proposing ------------------------------------------------------------------ */

static void on_median(struct app *app, struct sq_job *job, unsigned long tag)
{
	const char *id;
	int64_t ms;
	long closes;

	(void)app;
	if (!P.exists || tag != P.id)
		return;
	if ((size_t)job->shard < P.nshard_slots)
		P.median_asked[job->shard] = true;
	for (int r = 0; query_rerun_median_row(job, r, &id, &ms, &closes); r++)
		for (size_t i = 0; i < P.n; i++)
			if (P.items[i].shard == job->shard &&
			    !strcmp(P.items[i].biller_id, id))
				P.items[i].median_ms = ms;
}

int64_t plan_default_ms(void)
{
	return plan_median_ms(P.items, P.n, 5 * 60 * 1000);
}

/* The first item of what the open dialog proposes: all of a new plan, or
 * the addition to a running one. */
static size_t proposed_from(void)
{
	return P.confirmed ? P.nconf : 0;
}

size_t plan_shards(size_t *which, size_t max)
{
	size_t k = 0;

	for (size_t s = 0; s < P.nshard_slots && k < max; s++)
		for (size_t i = proposed_from(); i < P.n; i++)
			if (P.items[i].shard == (int)s) {
				which[k++] = s;
				break;
			}
	return k;
}

bool plan_proposal(struct plan_summary *out)
{
	size_t from = proposed_from();

	if (!P.exists || (P.confirmed && !P.add))
		return false;
	*out = (struct plan_summary){
		.items = P.items + from, .n = P.n - from, .cap = P.cap,
		.nbillers = P.nbillers, .nshards = P.nshards,
		.skipped = (const char *const *)P.skipped,
		.nskipped = P.nskipped, .median_asked = P.median_asked,
		.joining = P.confirmed, .running = P.nconf,
		.waiting = plan_waiting(),
	};
	return true;
}

/* Forget the proposed addition (its items and its order). */
static void drop_addition(void)
{
	for (size_t i = P.nconf; i < P.n; i++) {
		free(P.items[i].shard_name);
		free(P.items[i].batch_id);
		free(P.items[i].biller_id);
		free(P.items[i].biller_name);
	}
	P.n = P.nconf;
	rerun_order_free(P.add);
	P.add = NULL;
}

void plan_decline(struct app *app, const struct action_report *r,
		  const char *typed)
{
	char err[300], detail[200];
	bool joining = P.confirmed && P.add;
	int failed;

	if (!P.exists || (P.confirmed && !P.add))
		return;
	if (typed && *typed)
		snprintf(detail, sizeof detail, "typed \"%s\" for %s of %zu "
			 "batches", typed, joining ? "an addition" : "a plan",
			 P.n - proposed_from());
	else
		snprintf(detail, sizeof detail, "cancelled by the operator");
	failed = rerun_order_answer(app, joining ? P.add : P.order, false, detail,
				    NULL, err, sizeof err) < 0;
	report_say(r, app, REPORT_INFO, "%s (%s): nothing sent%s%s",
		   joining ? "nothing added to the running plan"
			   : "plan not started", detail,
		   failed ? "; AUDIT LOG NOT WRITTEN: " : "", failed ? err : "");
	if (joining)
		drop_addition();
	else
		plan_free();
}

/* The typed count confirms the addition: its own lines are audited first,
 * then it joins the running plan's order behind what is waiting. */
static void join_start(struct app *app, const struct action_report *r)
{
	char err[300];
	size_t added = P.n - P.nconf;

	if (rerun_order_answer(app, P.add, true, "added to the running bulk "
			       "plan by typing its count", r, err,
			       sizeof err) < 0 ||
	    rerun_order_join(P.order, P.add) < 0) {
		drop_addition();
		return;
	}
	P.add = NULL;
	P.nconf = P.n;
	plan_marks_clear();
	log_msg(LOG_INFO, "%zu batches added to the running bulk plan", added);
	report_say(r, app, REPORT_INFO, "plan: %zu batch%s added behind those "
		   "waiting; %zu waiting now", added, added == 1 ? "" : "es",
		   plan_waiting());
	plan_tick(app);
}

void plan_start(struct app *app, const struct action_report *r)
{
	char err[300];

	if (!P.exists)
		return;
	if (P.confirmed) {
		if (P.add)
			join_start(app, r);
		return;
	}
	if (rerun_order_answer(app, P.order, true, "bulk plan confirmed by "
			       "typing its count", r, err, sizeof err) < 0) {
		plan_free();
		return;
	}
	P.confirmed = true;
	P.nconf = P.n;
	P.brk = plan_breaker_new(app, app->npollers);
	plan_watch_forget();
	P.report = r;
	plan_marks_clear();
	log_msg(LOG_INFO, "bulk plan of %zu batches started", P.n);
	report_say(r, app, REPORT_INFO, "plan started: %zu batches, at most %d at "
		   "once per shard", P.n, P.cap);
	plan_tick(app);
}

static void skip(const char *name, const char *why)
{
	if (P.nskipped < MAX_SKIPPED)
		P.skipped[P.nskipped++] = xasprintf("%s: %s", name, why);
	else
		P.more_skipped++;
}

static const struct biller *find_biller(const struct app *app, int shard,
					const char *id)
{
	const struct snapshot *s;

	if (shard < 0 || (size_t)shard >= app->view.nsnaps)
		return NULL;
	s = app->view.snaps[shard];
	for (size_t i = 0; s && i < s->nbillers; i++)
		if (!strcmp(snapshot_biller(s, i)->biller_id, id))
			return snapshot_biller(s, i);
	return NULL;
}

static struct plan_item *add_item(void)
{
	struct plan_item *it;

	if (P.n == P.items_cap) {
		P.items_cap = P.items_cap ? P.items_cap * 2 : 16;
		P.items = xrealloc(P.items, P.items_cap * sizeof *P.items);
	}
	it = &P.items[P.n++];
	memset(it, 0, sizeof *it);
	return it;
}

/* Whether the running plan has the batch and has not finished with it. */
static bool in_plan(int shard, const char *batch_id)
{
	for (size_t i = 0; i < P.nconf; i++)
		if (P.items[i].shard == shard && !plan_state_final(P.items[i].state) &&
		    !strcmp(P.items[i].batch_id, batch_id))
			return true;
	return false;
}

/* The failed batches of marked biller b that may be asked now. */
static void add_biller(const struct app *app, const struct biller *b)
{
	bool any = false, planned = false;
	char why[400];

	for (size_t k = 0; k < b->nbatches; k++) {
		const struct batch *t = &b->batches[k];
		struct plan_item *it;

		if (t->state != BATCH_FAILED)
			continue;
		if (in_plan(b->shard_index, t->batch_id)) {
			planned = true;	/* already on its way: left alone */
			continue;
		}
		if (!rerun_may_send(app, b->shard_index, RERUN_BATCH, t->batch_id,
				    why, sizeof why)) {
			skip(t->batch_id, why);
			continue;
		}
		it = add_item();
		it->shard = b->shard_index;
		it->shard_name = xstrdup(b->shard);
		it->batch_id = xstrdup(t->batch_id);
		it->biller_id = xstrdup(b->biller_id);
		it->biller_name = xstrdup(*b->name ? b->name : b->biller_id);
		it->priority = b->priority;
		it->deadline = t->deadline_at;
		it->median_ms = BT_NO_TIME;
		it->state = PI_WAITING;
		any = true;
	}
	if (any)
		P.nbillers++;
	else if (!planned)
		skip(*b->name ? b->name : b->biller_id, "no failed batch now");
}

static void collect_items(const struct app *app)
{
	int shard;
	const char *id;

	for (size_t m = 0; plan_mark_get(m, &shard, &id); m++) {
		const struct biller *b = find_biller(app, shard, id);

		if (!b)
			skip(id, "not in the shard's latest data");
		else if (b->is_demo)
			skip(b->name, "a demo biller: never rerun");
		else
			add_biller(app, b);
	}
	if (P.more_skipped && P.nskipped == MAX_SKIPPED) {
		free(P.skipped[MAX_SKIPPED - 1]);
		P.skipped[MAX_SKIPPED - 1] = xasprintf("... and %zu more",
						       P.more_skipped + 1);
	}
}

/* Ask each shard for its billers' median close times. */
static void ask_medians(struct app *app, size_t from)
{
	for (size_t s = 0; s < app->npollers; s++) {
		const char **ids = xcalloc(P.n, sizeof *ids);
		size_t k = 0;

		for (size_t i = from; i < P.n; i++)
			if (P.items[i].shard == (int)s)
				ids[k++] = P.items[i].biller_id;
		if (k) {
			char *arr = query_rerun_pg_array(ids, k);
			const char *params[1] = { arr };

			rerun_read(app, (int)s, query_rerun_median_sql, 1, params,
				   on_median, P.id);
			free(arr);
		}
		free(ids);
	}
}

/* Items [from, n) frozen as one order (the item index, less from, is the
 * order's index). */
static struct rerun_order *freeze_order(const struct app *app, size_t from)
{
	size_t n = P.n - from;
	struct rerun_target *t = xcalloc(n ? n : 1, sizeof *t);
	struct rerun_order *o;

	for (size_t i = 0; i < n; i++)
		t[i] = (struct rerun_target){
			.shard = P.items[from + i].shard, .kind = RERUN_BATCH,
			.id = P.items[from + i].batch_id,
			.words = P.items[from + i].biller_name,
		};
	o = rerun_order_freeze(app, "plan", "bulk rerun plan from batchtop", t,
			       n);
	free(t);
	return o;
}

static void reset_proposal(void)
{
	for (size_t i = 0; i < P.nskipped; i++)
		free(P.skipped[i]);
	P.nskipped = P.more_skipped = 0;
	P.nbillers = 0;
}

/* R while a plan runs: the new failures (the marked billers', or every
 * failed one when none is marked) are proposed as an addition, confirmed
 * the same way as a plan, with their count typed. */
static int build_addition(struct app *app, const struct action_report *r)
{
	size_t which[64];

	if (P.cancelled) {
		report_say(r, app, REPORT_INFO, "the plan was cancelled: nothing "
			   "can join it; once what was sent has ended, C clears it");
		return -1;
	}
	if (!plan_mark_count())
		plan_mark_failed(app);
	reset_proposal();
	collect_items(app);
	if (P.n == P.nconf) {
		report_say(r, app, REPORT_INFO, "nothing to add to the running "
			   "plan: no failed batch outside it may be asked now");
		return -1;
	}
	plan_sort(P.items + P.nconf, P.n - P.nconf);
	P.nshards = plan_shards(which, 64);
	P.add = freeze_order(app, P.nconf);
	ask_medians(app, P.nconf);
	return 0;
}

int plan_build(struct app *app, const struct action_report *r)
{
	size_t which[64];

	if (app->readonly) {
		report_say(r, app, REPORT_INFO, "read-only: reruns are off (started "
			   "with --readonly or readonly = true)");
		return -1;
	}
	if (P.exists && P.confirmed && P.add)
		return -1;	/* its dialog is up */
	if (P.exists && P.confirmed && !plan_finished())
		return build_addition(app, r);
	if (!plan_mark_count()) {
		report_say(r, app, REPORT_INFO, "mark billers first: Space marks "
			   "one, * every failed one");
		return -1;
	}
	plan_free();
	P.exists = true;
	P.id = ++plans;
	P.cap = app->cfg->max_inflight_per_shard;
	P.nshard_slots = app->npollers;
	P.median_asked = xcalloc(app->npollers + 1, sizeof *P.median_asked);
	P.seen_gen = xcalloc(app->npollers + 1, sizeof *P.seen_gen);
	collect_items(app);
	if (P.n == 0) {
		report_say(r, app, REPORT_INFO, "nothing to rerun: none of the %zu "
			   "marked billers has a failed batch that may be asked "
			   "now", plan_mark_count());
		plan_free();
		return -1;
	}
	plan_sort(P.items, P.n);
	P.nshards = plan_shards(which, 64);
	P.order = freeze_order(app, 0);
	ask_medians(app, 0);
	return 0;
}

void plan_drop_proposal(void)
{
	if (P.exists && P.confirmed && P.add)
		drop_addition();
	else if (P.exists && !P.confirmed)
		plan_free();
}
