/*
 * plan_release.c - the staged release of holds (see plan_release.h).
 *
 * Data: `RP` is the one release plan: the picks frozen as plan items
 * (core/plan_order.h; batch_id holds the hold id, biller_name its words,
 * deadline its due instant), with the instants they are ordered by, and
 * the hold_order of their release_hold calls (same index).  It goes
 * proposed (dialog up) -> running -> finished (every item final) and
 * keeps its line until C clears it.
 *
 * Each loop turn plan_release_tick() sends, together, the next waiting
 * items of each shard while fewer than cap of that shard are in flight.
 * An answer "released" reruns the hold's failed batches through
 * rerun_order.h, frozen and confirmed as part of this plan.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hold.h"
#include "core/plan_order.h"
#include "core/snapshot.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "data/log.h"
#include "write/hold_order.h"
#include "write/plan_breaker.h"
#include "write/plan_release.h"
#include "write/rerun.h"
#include "write/rerun_order.h"

static struct {
	bool exists, confirmed, paused, cancelled;
	unsigned long id;
	enum release_by by;
	struct plan_item *items;
	struct release_key *keys;	/* ordering instants, same index */
	char **ids;			/* hold ids as text, same index */
	size_t n;
	int cap;
	struct hold_order *order;
	struct plan_breaker *brk;	/* one circuit breaker per shard */
	const struct action_report *report;
} RP;
static unsigned long plans;

static void rp_free(void)
{
	for (size_t i = 0; i < RP.n; i++) {
		free(RP.items[i].shard_name);
		free(RP.items[i].batch_id);
		free(RP.items[i].biller_name);
		free(RP.ids[i]);
	}
	free(RP.items);
	free(RP.keys);
	free(RP.ids);
	hold_order_free(RP.order);
	plan_breaker_free(RP.brk);
	memset(&RP, 0, sizeof RP);
}

void plan_release_shutdown(void)
{
	rp_free();
}

static const struct snapshot *snap_of(const struct app *app, int shard)
{
	if (shard < 0 || (size_t)shard >= app->view.nsnaps)
		return NULL;
	return app->view.snaps[shard];
}

static const struct hold *find_hold(const struct app *app, int shard,
				    int64_t id)
{
	const struct snapshot *s = snap_of(app, shard);

	for (size_t i = 0; s && i < s->nholds; i++)
		if (s->holds[i].hold_id == id)
			return &s->holds[i];
	return NULL;
}

/* The nearest deadline of what h holds now; else the next payment file. */
static int64_t due_of(const struct app *app, int shard, const struct hold *h)
{
	const struct snapshot *s = snap_of(app, shard);
	int64_t due = BT_NO_TIME, now = s ? s->server_now : app->now;
	struct batch_iter it = { h->kind == HOLD_BATCH_CLOSE ? s : NULL, 0, 0 };

	for (const struct batch *t; (t = batch_iter_next(&it)); ) {
		if (t->deadline_at == BT_NO_TIME ||
		    (t->state != BATCH_SCHEDULED && t->state != BATCH_FAILED &&
		     strcmp(t->kind->status, "held")) ||
		    !hold_selects(h, batch_iter_biller(&it)->biller_id,
				  t->kind->payment_type, t->kind->module,
				  t->kind->business_day))
			continue;
		if (due == BT_NO_TIME || t->deadline_at < due)
			due = t->deadline_at;
	}
	if (due == BT_NO_TIME && now != BT_NO_TIME)
		due = now + next_payment_file_ms(now, app->cfg->payment_file_minute,
						 3600);
	return due;
}

static bool finished(void)
{
	for (size_t i = 0; i < RP.n; i++)
		if (!plan_state_final(RP.items[i].state))
			return false;
	return true;
}

/* Items (and the order of their calls) in RP.by's order. */
static void arrange(struct app *app)
{
	size_t *idx = xcalloc(RP.n ? RP.n : 1, sizeof *idx);
	struct plan_item *items = xcalloc(RP.n ? RP.n : 1, sizeof *items);
	struct release_key *keys = xcalloc(RP.n ? RP.n : 1, sizeof *keys);
	char **ids = xcalloc(RP.n ? RP.n : 1, sizeof *ids);
	struct hold_call *calls = xcalloc(RP.n ? RP.n : 1, sizeof *calls);

	release_order(RP.keys, RP.n, RP.by, idx);
	for (size_t i = 0; i < RP.n; i++) {
		items[i] = RP.items[idx[i]];
		keys[i] = RP.keys[idx[i]];
		ids[i] = RP.ids[idx[i]];
		keys[i].hold_id = ids[i];
		calls[i] = (struct hold_call){
			.shard = items[i].shard, .op = HOLD_RELEASE,
			.target = ids[i], .words = items[i].biller_name,
		};
	}
	free(RP.items);
	free(RP.keys);
	free(RP.ids);
	RP.items = items;
	RP.keys = keys;
	RP.ids = ids;
	hold_order_free(RP.order);
	RP.order = hold_order_freeze(app, "release", "staged release of holds "
				     "from batchtop", calls, RP.n);
	free(calls);
	free(idx);
}

int plan_release_propose(struct app *app, const struct release_pick *picks,
			 size_t n, enum release_by by,
			 const struct action_report *r)
{
	char why[200];

	if (!hold_order_allowed(app, why, sizeof why)) {
		report_say(r, app, REPORT_INFO, "%s", why);
		return -1;
	}
	if (RP.exists && (!RP.confirmed || !finished())) {
		report_say(r, app, REPORT_INFO, "a release plan is %s",
			   RP.confirmed ? "running: C cancels what waits, then "
			   "C again clears it" : "open");
		return -1;
	}
	rp_free();
	RP.items = xcalloc(n ? n : 1, sizeof *RP.items);
	RP.keys = xcalloc(n ? n : 1, sizeof *RP.keys);
	RP.ids = xcalloc(n ? n : 1, sizeof *RP.ids);
	for (size_t i = 0; i < n; i++) {
		const struct hold *h = find_hold(app, picks[i].shard,
						 picks[i].hold_id);
		struct plan_item *it = &RP.items[RP.n];
		const struct snapshot *s = snap_of(app, picks[i].shard);

		if (!h || !hold_active(h))
			continue;
		RP.ids[RP.n] = xasprintf("%" PRId64, h->hold_id);
		it->shard = picks[i].shard;
		it->shard_name = xstrdup(s && s->shard ? s->shard : "?");
		it->batch_id = xstrdup(RP.ids[RP.n]);
		it->biller_name = xstrdup(picks[i].words ? picks[i].words : "");
		it->priority = BT_NO_INT;
		it->deadline = due_of(app, picks[i].shard, h);
		it->median_ms = BT_NO_TIME;
		it->state = PI_WAITING;
		RP.keys[RP.n] = (struct release_key){
			.shard = it->shard, .hold_id = RP.ids[RP.n],
			.placed_at = h->placed_at, .due_at = it->deadline,
		};
		RP.n++;
	}
	if (!RP.n) {
		rp_free();
		report_say(r, app, REPORT_INFO, "nothing to release: none of the "
			   "marked holds is active in the shards' latest data");
		return -1;
	}
	RP.exists = true;
	RP.id = ++plans;
	RP.by = by;
	RP.cap = app->cfg->max_inflight_per_shard;
	RP.brk = plan_breaker_new(app, app->npollers);
	arrange(app);
	return 0;
}

void plan_release_reorder(struct app *app, enum release_by by)
{
	if (!RP.exists || RP.confirmed)
		return;
	RP.by = by;
	arrange(app);
}

size_t plan_release_count(void)
{
	return RP.exists ? RP.n : 0;
}

bool plan_release_proposed(void)
{
	return RP.exists && !RP.confirmed;
}

enum release_by plan_release_by(void)
{
	return RP.by;
}

bool plan_release_item_words(size_t i, char *buf, size_t n)
{
	char placed[16], due[16];

	if (!RP.exists || i >= RP.n)
		return false;
	fmt_clock(placed, sizeof placed, RP.keys[i].placed_at, 0);
	if (RP.keys[i].due_at != BT_NO_TIME)
		fmt_clock(due, sizeof due, RP.keys[i].due_at, 0);
	else
		snprintf(due, sizeof due, "-");
	snprintf(buf, n, "%zu. hold %s on %s: %s (placed %s, due %s "
		 "UTC)", i + 1, RP.ids[i], RP.items[i].shard_name,
		 RP.items[i].biller_name, placed, due);
	return true;
}

void plan_release_start(struct app *app, const struct action_report *r)
{
	char err[300];

	if (!RP.exists || RP.confirmed)
		return;
	if (hold_order_answer(app, RP.order, true, "release plan confirmed "
			      "with y", r, err, sizeof err) < 0) {
		rp_free();
		return;
	}
	RP.confirmed = true;
	RP.report = r;
	log_msg(LOG_INFO, "release plan of %zu holds started (%s)", RP.n,
		release_by_words(RP.by));
	report_say(r, app, REPORT_INFO, "release started: %zu holds, %s, at most "
		   "%d at once per shard", RP.n, release_by_words(RP.by), RP.cap);
	plan_release_tick(app);
}

void plan_release_decline(struct app *app, const struct action_report *r)
{
	char err[300];
	bool failed;

	if (!RP.exists || RP.confirmed)
		return;
	failed = hold_order_answer(app, RP.order, false, "cancelled by the "
				   "operator", NULL, err, sizeof err) < 0;
	report_say(r, app, REPORT_INFO, "release plan not started: nothing "
		   "released%s%s", failed ? "; AUDIT LOG NOT WRITTEN: " : "",
		   failed ? err : "");
	rp_free();
}

bool plan_release_line(char *buf, size_t n)
{
	char words[200], brk[200];

	if (!RP.exists || !RP.confirmed)
		return false;
	plan_words(RP.items, RP.n, RP.paused, words, sizeof words);
	if (RP.cancelled || !plan_breaker_words(RP.brk, brk, sizeof brk))
		brk[0] = '\0';
	/* plan_words says "plan"; this one is the release. */
	snprintf(buf, n, "release%s%s%s",
		 !strncmp(words, "plan", 4) ? words + 4 : words,
		 brk[0] ? " | " : "", brk);
	return true;
}

size_t plan_release_waiting(void)
{
	size_t k = 0;

	for (size_t i = 0; RP.exists && RP.confirmed && !RP.cancelled && i < RP.n;
	     i++)
		k += RP.items[i].state == PI_WAITING;
	return k;
}

size_t plan_release_abandon(const char *detail, char *err, size_t n,
			    int *failed)
{
	bool *only;
	size_t k = 0;

	*failed = 0;
	if (!plan_release_waiting())
		return 0;
	only = xcalloc(RP.n, sizeof *only);
	for (size_t i = 0; i < RP.n; i++)
		if (RP.items[i].state == PI_WAITING) {
			only[i] = true;
			RP.items[i].state = PI_CANCELLED;
			k++;
		}
	*failed = hold_order_audit(RP.order, "abandon", "abandoned", detail, only,
				   err, n) < 0;
	RP.cancelled = true;
	free(only);
	return k;
}

void plan_release_pause(struct app *app, const struct action_report *r)
{
	if (!RP.exists || !RP.confirmed || finished()) {
		report_say(r, app, REPORT_INFO, "no release plan is running");
		return;
	}
	RP.paused = !RP.paused;
	report_say(r, app, REPORT_INFO, "%s", RP.paused ? "release paused: "
		   "nothing more is released until p" : "release resumed");
}

void plan_release_cancel(struct app *app, const struct action_report *r)
{
	int dropped = 0;

	if (!RP.exists || !RP.confirmed) {
		report_say(r, app, REPORT_INFO, "no release plan to cancel");
		return;
	}
	if (finished()) {
		rp_free();
		report_say(r, app, REPORT_INFO, "release plan cleared");
		return;
	}
	for (size_t i = 0; i < RP.n; i++)
		if (RP.items[i].state == PI_WAITING) {
			RP.items[i].state = PI_CANCELLED;
			dropped++;
		}
	RP.cancelled = true;
	report_say(r, app, REPORT_INFO, "release cancelled: %d waiting dropped; "
		   "what was released stays released", dropped);
}

/* The failed batches h selected, rerun through the one rerun path
 * unless another active hold still selects them. */
static void rerun_released(struct app *app, int shard, const struct hold *h)
{
	const struct snapshot *s = snap_of(app, shard);
	struct rerun_target *t;
	struct rerun_order *o;
	size_t k = 0;
	char err[300];
	struct batch_iter it = { s, 0, 0 };

	if (!s || h->kind != HOLD_BATCH_CLOSE)
		return;
	t = xcalloc(s->nbatches ? s->nbatches : 1, sizeof *t);
	for (const struct batch *b; (b = batch_iter_next(&it)); ) {
		const char *biller_id = batch_iter_biller(&it)->biller_id;
		const struct hold *other = NULL;
		char why[300];

		if (b->state != BATCH_FAILED ||
		    !hold_selects(h, biller_id, b->kind->payment_type, b->kind->module,
				  b->kind->business_day))
			continue;
		for (size_t j = 0; j < s->nholds && !other; j++)
			if (s->holds[j].hold_id != h->hold_id &&
			    hold_active(&s->holds[j]) &&
			    s->holds[j].kind == HOLD_BATCH_CLOSE &&
			    hold_selects(&s->holds[j], biller_id,
					 b->kind->payment_type, b->kind->module,
					 b->kind->business_day))
				other = &s->holds[j];
		if (other || !rerun_may_send(app, shard, RERUN_BATCH, b->batch_id,
					     why, sizeof why))
			continue;
		t[k++] = (struct rerun_target){
			.shard = shard, .kind = RERUN_BATCH, .id = b->batch_id,
			.words = biller_id,
		};
	}
	if (k) {
		char reason[80];

		snprintf(reason, sizeof reason, "rerun after release of hold %"
			 PRId64, h->hold_id);
		o = rerun_order_freeze(app, "release", reason, t, k);
		if (rerun_order_answer(app, o, true, "part of the release plan "
				       "confirmed with y", RP.report, err,
				       sizeof err) == 0)
			rerun_order_send_all(app, o, true, RP.report, NULL, 0);
		rerun_order_free(o);
	}
	free(t);
}

static void on_answer(struct app *app, const struct hold_answer *a,
		      unsigned long tag)
{
	size_t i = (size_t)(tag & 0xffffffffUL);
	struct plan_item *it;

	if (!RP.exists || (tag >> 32) != (RP.id & 0xffffffffUL) || i >= RP.n)
		return;
	it = &RP.items[i];
	snprintf(it->detail, sizeof it->detail, "%s: %s", a->outcome, a->detail);
	/* As a bulk plan counts them (and a breaker would): done is done, a
	 * refusal or a call never sent is skipped, an error or a lost
	 * answer failed. */
	if (a->done)
		it->state = PI_DONE;
	else if (!strcmp(a->outcome, "refused") ||
		 !strcmp(a->outcome, "not-sent"))
		it->state = PI_SKIPPED;
	else
		it->state = PI_FAILED;
	report_say(RP.report, app, REPORT_OUTCOME, "hold %s: %s: %s", RP.ids[i],
		   a->outcome, a->detail);
	if (!strcmp(a->outcome, "released")) {
		const struct hold *h = find_hold(app, it->shard,
						 strtoll(RP.ids[i], NULL, 10));

		if (h)
			rerun_released(app, it->shard, h);
	} else if (!a->done && !RP.paused) {
		/* Whatever refused this one may refuse the next: stop. */
		RP.paused = true;
		report_say(RP.report, app, REPORT_OUTCOME, "release paused: %s",
			   a->detail);
	}
	app->dirty = true;
}

void plan_release_tick(struct app *app)
{
	size_t *idx = NULL, k = 0;
	unsigned long *tags = NULL;

	if (!RP.exists || !RP.confirmed || RP.cancelled)
		return;
	/* Releases get the same breaker as bulk reruns: a shard whose
	 * releases keep failing is left alone for a pause, then tried once. */
	plan_breaker_tick(RP.brk, app, RP.items, RP.n, RP.report);
	if (RP.paused)
		return;
	for (size_t s = 0; s < app->npollers; s++) {
		long i;

		while (plan_breaker_may_send(RP.brk, (int)s) &&
		       (i = plan_next(RP.items, RP.n, (int)s, RP.cap)) >= 0) {
			RP.items[i].state = PI_SENDING;
			plan_breaker_sent(RP.brk, (size_t)i, &RP.items[i]);
			idx = xrealloc(idx, (k + 1) * sizeof *idx);
			tags = xrealloc(tags, (k + 1) * sizeof *tags);
			idx[k] = (size_t)i;
			tags[k++] = ((RP.id & 0xffffffffUL) << 32) | (unsigned long)i;
		}
	}
	if (k) {
		hold_order_send(app, RP.order, idx, k, RP.report, on_answer, tags, 0);
		for (size_t j = 0; j < k; j++)
			if (hold_order_why(RP.order, idx[j])) {
				RP.items[idx[j]].state = PI_WAITING;
				RP.paused = true;
			}
		app->dirty = true;
	}
	free(idx);
	free(tags);
}
