/*
 * plan.c - marks on the grid and the staged bulk rerun (see plan.h).
 *
 * Data: `marks` is a small array of (shard, biller id).  `P` is the one
 * plan: a frozen, ordered array of items (one per failed batch of the
 * marked billers when the plan was proposed) and its flags.  A plan goes
 * proposed (dialog up) -> running -> finished (every item final); it stays
 * on the status line until C clears it or a new plan replaces it.
 *
 * Releases: each loop turn plan_tick() first updates in-flight items from
 * the pollers' latest snapshots, then, shard by shard, sends the next
 * waiting item while fewer than cap items of that shard are in flight.
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
#include "write/rerun.h"
#include "write/rerun_order.h"
#include "data/shard_query.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

/* --- marks -------------------------------------------------------------------- */

struct mark {
	int shard;
	char *biller_id;
};

static struct mark *marks;
static size_t nmarks, capmarks;

static long mark_find(int shard, const char *biller_id)
{
	for (size_t i = 0; i < nmarks; i++)
		if (marks[i].shard == shard && !strcmp(marks[i].biller_id, biller_id))
			return (long)i;
	return -1;
}

static void mark_add(int shard, const char *biller_id)
{
	if (nmarks == capmarks) {
		capmarks = capmarks ? capmarks * 2 : 16;
		marks = xrealloc(marks, capmarks * sizeof *marks);
	}
	marks[nmarks].shard = shard;
	marks[nmarks].biller_id = xstrdup(biller_id);
	nmarks++;
}

bool plan_mark_toggle(int shard, const char *biller_id)
{
	long i = mark_find(shard, biller_id);

	if (i < 0) {
		mark_add(shard, biller_id);
		return true;
	}
	free(marks[i].biller_id);
	marks[i] = marks[--nmarks];
	return false;
}

bool plan_is_marked(int shard, const char *biller_id)
{
	return nmarks && mark_find(shard, biller_id) >= 0;
}

size_t plan_mark_count(void)
{
	return nmarks;
}

void plan_marks_clear(void)
{
	for (size_t i = 0; i < nmarks; i++)
		free(marks[i].biller_id);
	nmarks = 0;
}

static bool has_failed(const struct biller *b)
{
	for (size_t i = 0; i < b->nbatches; i++)
		if (b->batches[i].state == BATCH_FAILED)
			return true;
	return false;
}

size_t plan_mark_failed(struct app *app)
{
	for (size_t s = 0; s < app->view.nsnaps; s++) {
		const struct snapshot *snap = app->view.snaps[s];

		for (size_t i = 0; snap && i < snap->nbillers; i++) {
			const struct biller *b = &snap->billers[i];

			if (!b->is_demo && has_failed(b) &&
			    mark_find(b->shard_index, b->biller_id) < 0)
				mark_add(b->shard_index, b->biller_id);
		}
	}
	return nmarks;
}

/* --- the plan ------------------------------------------------------------------- */

#define MAX_SKIPPED 64

static struct {
	bool exists;		/* proposed or running or finished */
	bool confirmed;		/* false while its dialog is up */
	bool paused, cancelled;
	unsigned long id;
	struct plan_item *items;
	size_t n;
	int cap;
	size_t nbillers, nshards;
	char *skipped[MAX_SKIPPED];
	size_t nskipped, more_skipped;
	bool *median_asked;	/* per shard: a median read was answered */
	unsigned *seen_gen;	/* per shard: the poll generation observed */
	size_t nshard_slots;
	struct rerun_order *order;	/* the items, frozen for sending */
	const struct action_report *report;
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
	free(P.median_asked);
	free(P.seen_gen);
	memset(&P, 0, sizeof P);
}

void plan_shutdown(void)
{
	plan_free();
	plan_marks_clear();
	free(marks);
	marks = NULL;
	capmarks = 0;
}

static bool plan_finished(void)
{
	for (size_t i = 0; i < P.n; i++)
		if (!plan_state_final(P.items[i].state))
			return false;
	return true;
}

struct counts {
	int waiting, sent, running, done, failed, skipped, cancelled;
};

static struct counts plan_counts(void)
{
	struct counts c = { 0 };

	for (size_t i = 0; i < P.n; i++) {
		switch (P.items[i].state) {
		case PI_WAITING: c.waiting++; break;
		case PI_SENDING:
		case PI_PENDING:
		case PI_UNKNOWN: c.sent++; break;
		case PI_RUNNING: c.running++; break;
		case PI_DONE: c.done++; break;
		case PI_FAILED: c.failed++; break;
		case PI_SKIPPED: c.skipped++; break;
		case PI_CANCELLED: c.cancelled++; break;
		}
	}
	return c;
}

bool plan_status_line(char *buf, size_t n)
{
	struct counts c;
	char extra[96] = "";
	size_t j = 0;

	if (!P.exists || !P.confirmed)
		return false;
	c = plan_counts();
	if (c.failed)
		j += (size_t)snprintf(extra + j, sizeof extra - j, ", %d failed",
				      c.failed);
	if (c.skipped && j < sizeof extra)
		j += (size_t)snprintf(extra + j, sizeof extra - j, ", %d skipped",
				      c.skipped);
	if (c.cancelled && j < sizeof extra)
		snprintf(extra + j, sizeof extra - j, ", %d cancelled", c.cancelled);
	if (plan_finished())
		snprintf(buf, n, "plan finished: %d done%s \u2014 C clears this line",
			 c.done, extra);
	else
		snprintf(buf, n, "plan: %d sent, %d running, %d done%s, %d waiting%s"
			 " \u2014 p %s, C cancel", c.sent, c.running, c.done, extra,
			 c.waiting, P.paused ? " (PAUSED)" : "",
			 P.paused ? "resume" : "pause");
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

	for (size_t i = 0; i < P.n; i++)
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

			if (it->shard != (int)s || it->request_id <= 0 ||
			    !plan_state_inflight(it->state))
				continue;
			for (size_t k = 0; k < snap->nbatches; k++) {
				const struct batch *t = &snap->batches[k];

				if (strcmp(t->batch_id, it->batch_id))
					continue;
				plan_observe(it, t->rerun_id, t->rerun_status);
				break;
			}
		}
	}
}

static void release(struct app *app)
{
	int cap = P.cap;

	for (size_t s = 0; s < app->npollers && !P.paused; s++) {
		long i;

		while (!P.paused &&
		       (i = plan_next(P.items, P.n, (int)s, cap)) >= 0) {
			struct plan_item *it = &P.items[i];
			char why[400];
			unsigned long tag = ((P.id & 0xffffffffUL) << 32) |
					    (unsigned long)i;

			if (!rerun_may_send(app, it->shard, RERUN_BATCH,
					    it->batch_id, why, sizeof why)) {
				if (app->readonly) {
					P.paused = true;
					report_say(P.report, app, REPORT_INFO,
						   "plan paused: %s", why);
					return;
				}
				it->state = PI_SKIPPED;
				snprintf(it->detail, sizeof it->detail, "%.150s", why);
				continue;
			}
			it->state = PI_SENDING;
			if (rerun_order_send(app, P.order, (size_t)i, false,
					     P.report, on_answer, tag, why,
					     sizeof why) < 0) {
				it->state = PI_WAITING;
				P.paused = true;
				report_say(P.report, app, REPORT_OUTCOME,
					   "plan paused: %s", why);
				return;
			}
			app->dirty = true;
		}
	}
}

void plan_tick(struct app *app)
{
	if (!P.exists || !P.confirmed)
		return;
	observe(app);
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
	for (size_t i = 0; i < P.n; i++) {
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
	for (size_t i = 0; i < P.n; i++)
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
	for (size_t i = 0; i < P.n; i++) {
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
	int64_t v[256];
	size_t k = 0;

	for (size_t i = 0; i < P.n && k < 256; i++)
		if (P.items[i].median_ms != BT_NO_TIME && P.items[i].median_ms >= 0)
			v[k++] = P.items[i].median_ms;
	if (!k)
		return 5 * 60 * 1000;
	for (size_t i = 1; i < k; i++)	/* few values: insertion sort */
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[k / 2];
}

size_t plan_shards(size_t *which, size_t max)
{
	size_t k = 0;

	for (size_t s = 0; s < P.nshard_slots && k < max; s++)
		for (size_t i = 0; i < P.n; i++)
			if (P.items[i].shard == (int)s) {
				which[k++] = s;
				break;
			}
	return k;
}

bool plan_proposal(struct plan_summary *out)
{
	if (!P.exists || P.confirmed)
		return false;
	*out = (struct plan_summary){
		.items = P.items, .n = P.n, .cap = P.cap,
		.nbillers = P.nbillers, .nshards = P.nshards,
		.skipped = (const char *const *)P.skipped,
		.nskipped = P.nskipped, .median_asked = P.median_asked,
	};
	return true;
}

void plan_decline(struct app *app, const struct action_report *r,
		  const char *typed)
{
	char err[300], detail[200];
	int failed;

	if (!P.exists || P.confirmed)
		return;
	if (typed && *typed)
		snprintf(detail, sizeof detail, "typed \"%s\" for a plan of %zu "
			 "batches", typed, P.n);
	else
		snprintf(detail, sizeof detail, "cancelled by the operator");
	failed = rerun_order_answer(app, P.order, false, detail, NULL, err,
				    sizeof err) < 0;
	report_say(r, app, REPORT_INFO, "plan not started (%s): nothing sent%s%s",
		   detail, failed ? "; AUDIT LOG NOT WRITTEN: " : "",
		   failed ? err : "");
	plan_free();
}

void plan_start(struct app *app, const struct action_report *r)
{
	char err[300];

	if (!P.exists || P.confirmed)
		return;
	if (rerun_order_answer(app, P.order, true, "bulk plan confirmed by "
			       "typing its count", r, err, sizeof err) < 0) {
		plan_free();
		return;
	}
	P.confirmed = true;
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
		if (!strcmp(s->billers[i].biller_id, id))
			return &s->billers[i];
	return NULL;
}

static struct plan_item *add_item(size_t *cap)
{
	struct plan_item *it;

	if (P.n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		P.items = xrealloc(P.items, *cap * sizeof *P.items);
	}
	it = &P.items[P.n++];
	memset(it, 0, sizeof *it);
	return it;
}

/* The failed batches of marked biller b that may be asked now. */
static void add_biller(const struct app *app, const struct biller *b,
		       size_t *cap)
{
	bool any = false;
	char why[400];

	for (size_t k = 0; k < b->nbatches; k++) {
		const struct batch *t = &b->batches[k];
		struct plan_item *it;

		if (t->state != BATCH_FAILED)
			continue;
		if (!rerun_may_send(app, b->shard_index, RERUN_BATCH, t->batch_id,
				    why, sizeof why)) {
			skip(t->batch_id, why);
			continue;
		}
		it = add_item(cap);
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
	else
		skip(*b->name ? b->name : b->biller_id, "no failed batch now");
}

static void collect_items(const struct app *app)
{
	size_t cap = 0;

	for (size_t m = 0; m < nmarks; m++) {
		const struct biller *b = find_biller(app, marks[m].shard,
						     marks[m].biller_id);

		if (!b)
			skip(marks[m].biller_id, "not in the shard's latest data");
		else if (b->is_demo)
			skip(b->name, "a demo biller: never rerun");
		else
			add_biller(app, b, &cap);
	}
	if (P.more_skipped && P.nskipped == MAX_SKIPPED) {
		free(P.skipped[MAX_SKIPPED - 1]);
		P.skipped[MAX_SKIPPED - 1] = xasprintf("... and %zu more",
						       P.more_skipped + 1);
	}
}

/* Ask each shard for its billers' median close times. */
static void ask_medians(struct app *app)
{
	for (size_t s = 0; s < app->npollers; s++) {
		const char **ids = xcalloc(P.n, sizeof *ids);
		size_t k = 0;

		for (size_t i = 0; i < P.n; i++)
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

static void freeze_order(const struct app *app)
{
	struct rerun_target *t = xcalloc(P.n ? P.n : 1, sizeof *t);

	for (size_t i = 0; i < P.n; i++)
		t[i] = (struct rerun_target){
			.shard = P.items[i].shard, .kind = RERUN_BATCH,
			.id = P.items[i].batch_id, .words = P.items[i].biller_name,
		};
	P.order = rerun_order_freeze(app, "plan", "bulk rerun plan from batchtop",
				     t, P.n);
	free(t);
}

int plan_build(struct app *app, const struct action_report *r)
{
	size_t which[64];

	if (app->readonly) {
		report_say(r, app, REPORT_INFO, "read-only: reruns are off (started "
			   "with --readonly or readonly = true)");
		return -1;
	}
	if (P.exists && P.confirmed && !plan_finished()) {
		report_say(r, app, REPORT_INFO, "a bulk plan is running: C cancels "
			   "what is still waiting");
		return -1;
	}
	if (!nmarks) {
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
			   "now", nmarks);
		plan_free();
		return -1;
	}
	plan_sort(P.items, P.n);
	P.nshards = plan_shards(which, 64);
	freeze_order(app);
	ask_medians(app);
	return 0;
}

void plan_drop_proposal(void)
{
	if (P.exists && !P.confirmed)
		plan_free();
}
