/*
 * test_view.c - the grid's rows: snapshots in, totals, demo billers, the
 * text filter, every sort key both ways, finding a biller again after the
 * rows move, the clock estimate, and the references the view holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/biller_status.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/hold.h"
#include "fixtures.h"
#include "core/snapshot.h"
#include "core/text.h"
#include "core/view.h"

#define T0 fx_utc(2026, 3, 10, 2, 0)
#define NSHARDS 3

static const char *const shard_names[NSHARDS] = { "eu1", "us-east", "apac" };

static void init(struct view *v)
{
	struct config cfg;

	config_defaults(&cfg);
	view_init(v, NSHARDS, &cfg);
	config_free(&cfg);
}

/* Hand s to the view and drop the caller's reference. */
static void give(struct view *v, size_t i, struct snapshot *s)
{
	view_set_snapshot(v, i, fx_seal(s));
	snapshot_unref(s);
}

static struct snapshot *shard(int i)
{
	return fx_snapshot(i, shard_names[i], T0, 1000 + i);
}

/* A biller whose only batch gives it status st at T0. */
static struct biller *biller(struct snapshot *s, const char *id,
			     const char *name, int prio, enum biller_status st)
{
	fx_add_biller(s, id, name, "Europe/Paris", prio);
	fx_add_batch_for(s, st, T0);
	return snapshot_biller_w(s, s->nbillers - 1);
}

/* A biller running since a minute ago with `left` ms to its deadline
 * (at least a minute, so it is not at risk). */
static void running(struct snapshot *s, const char *id, const char *name,
		    int prio, int64_t left)
{
	fx_add_biller(s, id, name, "America/Chicago", prio);
	fx_add_batch(s, BATCH_RUNNING, T0 - FX_MIN(1), T0 + left,
		     T0 - FX_MIN(1), BT_NO_TIME);
}

static const struct row *find_row(const struct view *v, int shard_index,
				  const char *id)
{
	long i = view_find(v, shard_index, id);

	assert_true(i >= 0);
	return view_row(v, i);
}

/* One biller of every status, spread over the shards in no useful order,
 * with a mix of priorities and autopay runs; plus demo billers. */
static void mixed_world(struct view *v)
{
	struct snapshot *a = shard(0), *b = shard(1), *c = shard(2);
	struct biller *x;

	biller(a, "B-1001", "Acme Water", 2, BS_CLOSED);
	biller(a, "B-1002", "Blue Ridge Electric", 1, BS_LATE);
	x = biller(a, "B-1003", "Zürich Strom AG", BT_NO_INT, BS_RUNNING);
	x->ap_payments = 200;
	x->ap_failed = 30;
	x = biller(a, "D-0001", "Demo Failing Co", 1, BS_FAILED);
	x->is_demo = true;
	x = biller(b, "B-2001", "ACME Gas", 3, BS_FAILED);
	x->ap_payments = 100;
	x->ap_failed = 5;
	biller(b, "B-2002", "Cedar Telecom", 1, BS_NONE);
	biller(b, "B-2003", "école de Lyon", 0, BS_SCHEDULED);
	x = biller(b, "D-0002", "Demo Late Inc", 2, BS_LATE);
	x->is_demo = true;
	biller(c, "B-3001", "Harbour Rates", 2, BS_AT_RISK);
	x = biller(c, "B-3002", "Delta Waste", 1, BS_CLOSED_LATE);
	x->ap_payments = 50;
	x->ap_failed = 0;
	biller(c, "B-3003", "Unknown Status Ltd", 4, BS_OTHER);
	x = biller(c, "D-0003", "Demo Running", 1, BS_RUNNING);
	x->is_demo = true;
	give(v, 0, a);
	give(v, 1, b);
	give(v, 2, c);
}

#define WORLD_BILLERS 9		/* one of each status */
#define WORLD_DEMO 3

/* --- demo billers and totals --------------------------------------------- */

static void test_demo_hidden_and_never_counted(void **state)
{
	struct view v;

	init(&v);
	assert_false(v.show_demo);
	assert_int_equal(v.sort, SORT_RISK);
	assert_int_equal(v.at_risk_pct, 75);
	mixed_world(&v);
	view_rebuild(&v, T0);
	assert_int_equal(v.nrows, WORLD_BILLERS);
	for (size_t i = 0; i < v.nrows; i++)
		assert_false(view_row(&v, i)->b->is_demo);
	assert_int_equal(v.totals.billers, WORLD_BILLERS);
	assert_int_equal(v.totals.demo, WORLD_DEMO);

	v.show_demo = true;
	view_rebuild(&v, T0);
	assert_int_equal(v.nrows, WORLD_BILLERS + WORLD_DEMO);
	assert_int_equal(v.totals.billers, WORLD_BILLERS);
	assert_int_equal(v.totals.demo, WORLD_DEMO);
	/* The demo billers are failed, late and running: not counted. */
	assert_int_equal(v.totals.by_status[BS_FAILED], 1);
	assert_int_equal(v.totals.by_status[BS_LATE], 1);
	assert_int_equal(v.totals.by_status[BS_RUNNING], 1);
	view_free(&v);
}

static void test_totals_by_status(void **state)
{
	struct view v;
	int sum = 0;

	init(&v);
	mixed_world(&v);
	view_rebuild(&v, T0);
	for (int st = 0; st < BS__COUNT; st++) {
		assert_int_equal(v.totals.by_status[st], st == BS_HELD ? 0 : 1);
		sum += v.totals.by_status[st];
	}
	assert_int_equal(sum, 9);
	assert_int_equal(v.totals.billers, WORLD_BILLERS);

	/* A hold on the late biller: counted as held, no longer as late. */
	{
		struct snapshot *a = v.snaps[0];
		struct hold *h = arena_alloc(a->arena, sizeof *h);

		memset(h, 0, sizeof *h);
		h->hold_id = 1;
		h->kind = HOLD_BATCH_CLOSE;
		h->biller_id = "B-1002";
		h->placed_at = T0 - FX_HOUR(1);
		h->expires_at = h->ended_at = BT_NO_TIME;
		a->holds = h;
		a->nholds = 1;
		view_rebuild(&v, T0);
		assert_int_equal(v.totals.by_status[BS_LATE], 0);
		assert_int_equal(v.totals.by_status[BS_HELD], 1);
		a->nholds = 0;
		view_rebuild(&v, T0);
		assert_int_equal(v.totals.by_status[BS_LATE], 1);
	}

	/* A filter hides rows but changes no total. */
	view_set_filter(&v, "acme");
	view_rebuild(&v, T0);
	assert_int_equal(v.nrows, 2);
	assert_int_equal(v.totals.billers, WORLD_BILLERS);
	assert_int_equal(v.totals.by_status[BS_CLOSED], 1);

	/* 76 minutes later everything that was open is late. */
	view_set_filter(&v, "");
	view_rebuild(&v, T0 + FX_MIN(76));
	assert_int_equal(v.totals.by_status[BS_LATE], 5);
	assert_int_equal(v.totals.by_status[BS_AT_RISK], 0);
	assert_int_equal(v.totals.by_status[BS_OTHER], 0);
	assert_int_equal(v.totals.by_status[BS_RUNNING], 0);
	assert_int_equal(v.totals.by_status[BS_SCHEDULED], 0);
	assert_int_equal(v.totals.by_status[BS_FAILED], 1);
	view_free(&v);
}

/* --- the default order ------------------------------------------------------ */

static void test_risk_order_by_status(void **state)
{
	static const enum biller_status want[] = {
		BS_FAILED, BS_LATE, BS_AT_RISK, BS_OTHER, BS_RUNNING,
		BS_SCHEDULED, BS_CLOSED_LATE, BS_CLOSED, BS_NONE,
	};
	struct view v;

	init(&v);
	mixed_world(&v);
	view_rebuild(&v, T0);
	assert_int_equal(v.nrows, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < v.nrows; i++)
		assert_int_equal(view_row(&v, i)->ev.status, want[i]);
	/* Shown demo billers take their place by status too. */
	v.show_demo = true;
	view_rebuild(&v, T0);
	for (size_t i = 1; i < v.nrows; i++)
		assert_true(view_row(&v, i - 1)->ev.status <= view_row(&v, i)->ev.status);
	view_free(&v);
}

/* Ties within a status: priority (unknown last), then time left, then
 * name, biller id and shard. */
static void test_risk_order_ties(void **state)
{
	static const struct {
		int shard;
		const char *id;
	} want[] = {
		{ 0, "p0" },
		{ 1, "p1-soon" },
		{ 0, "p1-later" },
		{ 2, "p1-late-alpha" },		/* same time left: by name */
		{ 1, "p1-late-beta-1" },	/* same name: by id */
		{ 0, "p1-late-beta-2" },	/* same name and id: by shard */
		{ 2, "p1-late-beta-2" },
		{ 2, "p2" },
		{ 2, "unknown-soonest" },	/* unknown priority: last */
	};
	struct snapshot *a = shard(0), *b = shard(1), *c = shard(2);
	struct view v;

	init(&v);
	running(c, "unknown-soonest", "Zeta", BT_NO_INT, FX_MIN(1));
	running(c, "p2", "Alpha", 2, FX_MIN(2));
	running(a, "p1-later", "Alpha", 1, FX_MIN(30));
	running(b, "p1-soon", "Omega", 1, FX_MIN(10));
	running(c, "p1-late-beta-2", "Beta", 1, FX_MIN(40));
	running(b, "p1-late-beta-1", "Beta", 1, FX_MIN(40));
	running(a, "p1-late-beta-2", "Beta", 1, FX_MIN(40));
	running(c, "p1-late-alpha", "Alpha", 1, FX_MIN(40));
	running(a, "p0", "Omega", 0, FX_HOUR(1));
	give(&v, 0, a);
	give(&v, 1, b);
	give(&v, 2, c);
	view_rebuild(&v, T0);
	assert_int_equal(v.nrows, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < v.nrows; i++) {
		assert_int_equal(view_row(&v, i)->ev.status, BS_RUNNING);
		if (view_row(&v, i)->b->shard_index != want[i].shard ||
		    strcmp(view_row(&v, i)->b->biller_id, want[i].id) != 0)
			fail_msg("row %zu: %d/%s, want %d/%s", i,
				 view_row(&v, i)->b->shard_index, view_row(&v, i)->b->biller_id,
				 want[i].shard, want[i].id);
	}
	view_free(&v);
}

/* --- every sort key ------------------------------------------------------------ */

static int prio_of(const struct row *r)
{
	return r->b->priority == BT_NO_INT ? 1 << 20 : r->b->priority;
}

/* Time left as the time-left sort sees it: billers whose window no longer
 * matters (closed, closed late, no close) last, then those without a
 * deadline, then by time left, most overdue first. */
static long long left_of(const struct row *r)
{
	if (r->ev.status == BS_CLOSED || r->ev.status == BS_CLOSED_LATE ||
	    r->ev.status == BS_NONE)
		return (long long)1 << 60;
	return r->ev.focus && r->ev.focus->deadline_at != BT_NO_TIME
		       ? r->ev.time_left : (long long)1 << 59;
}

/* Whether a and b, next to each other, are in order for key k by its
 * first criterion alone (ties are left to view_compare). */
static int primary_in_order(enum sort_key k, const struct row *a,
			    const struct row *b)
{
	switch (k) {
	case SORT_RISK:
		return a->ev.status <= b->ev.status;
	case SORT_NAME:
		return strcmp(a->b->name, b->b->name) <= 0;
	case SORT_SHARD:
		return a->b->shard_index <= b->b->shard_index;
	case SORT_PRIORITY:
		return prio_of(a) <= prio_of(b);
	case SORT_TIME_LEFT:
		return left_of(a) <= left_of(b);
	case SORT_AUTOPAY:
		return biller_autopay_pct(a->b) >= biller_autopay_pct(b->b);
	case SORT__COUNT:
		break;
	}
	return 0;
}

static void test_every_sort_key_and_reverse(void **state)
{
	struct view v;

	init(&v);
	v.show_demo = true;
	mixed_world(&v);
	for (int k = 0; k < SORT__COUNT; k++) {
		const struct biller *fwd[WORLD_BILLERS + WORLD_DEMO];
		size_t n;

		v.sort = (enum sort_key)k;
		v.reverse = false;
		view_rebuild(&v, T0);
		n = v.nrows;
		assert_int_equal(n, WORLD_BILLERS + WORLD_DEMO);
		for (size_t i = 0; i < n; i++) {
			fwd[i] = view_row(&v, i)->b;
			if (i == 0)
				continue;
			/* A strict total order: no two rows compare equal. */
			assert_true(view_compare(&v, view_row(&v, i - 1), view_row(&v, i)) < 0);
			assert_true(view_compare(&v, view_row(&v, i), view_row(&v, i - 1)) > 0);
			if (!primary_in_order((enum sort_key)k, view_row(&v, i - 1),
					      view_row(&v, i)))
				fail_msg("sort %s: row %zu (%s) before %s",
					 sort_key_name((enum sort_key)k), i - 1,
					 view_row(&v, i - 1)->b->name, view_row(&v, i)->b->name);
		}
		/* Reversed: exactly the other way round. */
		v.reverse = true;
		view_rebuild(&v, T0);
		assert_int_equal(v.nrows, n);
		for (size_t i = 0; i < n; i++)
			assert_ptr_equal(view_row(&v, i)->b, fwd[n - 1 - i]);
		assert_true(view_compare(&v, view_row(&v, 0), view_row(&v, 1)) < 0);
	}
	view_free(&v);
}

static void test_sort_key_specifics(void **state)
{
	struct view v;

	init(&v);
	mixed_world(&v);

	v.sort = SORT_NAME;
	view_rebuild(&v, T0);
	/* Byte order: upper case first, UTF-8 after ASCII. */
	assert_string_equal(view_row(&v, 0)->b->name, "ACME Gas");
	assert_string_equal(view_row(&v, 1)->b->name, "Acme Water");
	assert_string_equal(view_row(&v, v.nrows - 1)->b->name, "école de Lyon");

	v.sort = SORT_SHARD;
	view_rebuild(&v, T0);
	assert_int_equal(view_row(&v, 0)->b->shard_index, 0);
	assert_string_equal(view_row(&v, 0)->b->name, "Acme Water");
	assert_int_equal(view_row(&v, v.nrows - 1)->b->shard_index, 2);

	v.sort = SORT_PRIORITY;
	view_rebuild(&v, T0);
	assert_int_equal(view_row(&v, 0)->b->priority, 0);
	/* Same priority 1: then by status (late before closed late). */
	assert_string_equal(view_row(&v, 1)->b->biller_id, "B-1002");
	assert_string_equal(view_row(&v, 2)->b->biller_id, "B-3002");
	assert_int_equal(view_row(&v, v.nrows - 1)->b->priority, BT_NO_INT);

	v.sort = SORT_TIME_LEFT;
	view_rebuild(&v, T0);
	assert_int_equal(view_row(&v, 0)->ev.status, BS_LATE);	/* most overdue */
	/* Finished billers (and those with no close) come last. */
	assert_true(view_row(&v, v.nrows - 1)->ev.status == BS_CLOSED ||
		    view_row(&v, v.nrows - 1)->ev.status == BS_CLOSED_LATE ||
		    view_row(&v, v.nrows - 1)->ev.status == BS_NONE);

	v.sort = SORT_AUTOPAY;
	view_rebuild(&v, T0);
	assert_string_equal(view_row(&v, 0)->b->biller_id, "B-1003");	/* 15% */
	assert_string_equal(view_row(&v, 1)->b->biller_id, "B-2001");	/* 5% */
	assert_string_equal(view_row(&v, 2)->b->biller_id, "B-3002");	/* 0% */
	assert_int_equal(biller_autopay_pct(view_row(&v, 3)->b), -1);
	view_free(&v);
}

/* --- the text filter ------------------------------------------------------------- */

static size_t count_with(struct view *v, const char *filter)
{
	view_set_filter(v, filter);
	view_rebuild(v, T0);
	return v->nrows;
}

static void test_filter(void **state)
{
	char longer[300];
	struct view v;

	init(&v);
	mixed_world(&v);
	/* Name, any case. */
	assert_int_equal(count_with(&v, "acme"), 2);
	assert_int_equal(count_with(&v, "AcMe"), 2);
	assert_string_equal(v.filter, "acme");
	assert_int_equal(count_with(&v, "ridge elec"), 1);
	assert_int_equal(count_with(&v, "école"), 1);
	/* Shard name: every biller on it. */
	assert_int_equal(count_with(&v, "us-east"), 3);
	for (size_t i = 0; i < v.nrows; i++)
		assert_int_equal(view_row(&v, i)->b->shard_index, 1);
	assert_int_equal(count_with(&v, "APAC"), 3);
	/* Biller id, and zone. */
	assert_int_equal(count_with(&v, "b-1002"), 1);
	assert_string_equal(view_row(&v, 0)->b->name, "Blue Ridge Electric");
	assert_int_equal(count_with(&v, "B-100"), 3);
	assert_int_equal(count_with(&v, "europe/paris"), WORLD_BILLERS);
	/* Status words. */
	assert_int_equal(count_with(&v, "failed"), 1);
	assert_int_equal(view_row(&v, 0)->ev.status, BS_FAILED);
	assert_int_equal(count_with(&v, "at risk"), 1);
	assert_int_equal(view_row(&v, 0)->ev.status, BS_AT_RISK);
	assert_int_equal(count_with(&v, "AT RISK"), 1);
	/* "late" is both LATE and "closed late". */
	assert_int_equal(count_with(&v, "late"), 2);
	/* Nothing, and back to everything. */
	assert_int_equal(count_with(&v, "no such biller"), 0);
	assert_int_equal(v.totals.billers, WORLD_BILLERS);
	assert_int_equal(count_with(&v, ""), WORLD_BILLERS);
	/* Demo billers stay hidden when they match... */
	assert_int_equal(count_with(&v, "demo"), 0);
	/* ...and are found once shown. */
	v.show_demo = true;
	assert_int_equal(count_with(&v, "demo"), WORLD_DEMO);
	/* Too long: cut to fit, no overflow. */
	memset(longer, 'x', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	assert_int_equal(count_with(&v, longer), 0);
	assert_int_equal(strlen(v.filter), sizeof v.filter - 1);
	view_free(&v);
}

/* --- the order holds still ----------------------------------------------------------- */

/* Two billers alike but for deadlines 300 ms apart, named so that the name
 * tie-breaker would put the later one first: as now advances second by
 * second, from any phase of the second, the earlier deadline stays first
 * (keyed by whole seconds left, the two swapped whenever a second boundary
 * fell between them). */
static void test_deadline_order_holds_still(void **state)
{
	static const int64_t phases[] = { 0, 1, 100, 250, 299, 300, 301, 700, 999 };
	static const enum sort_key keys[] = { SORT_RISK, SORT_TIME_LEFT };
	struct snapshot *s = shard(0);
	struct view v;

	init(&v);
	running(s, "B-1", "Aaa Late Deadline", 2, FX_MIN(20) + 300);
	running(s, "B-2", "Zzz Early Deadline", 2, FX_MIN(20));
	give(&v, 0, s);
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		v.sort = keys[k];
		for (size_t p = 0; p < sizeof phases / sizeof phases[0]; p++)
			for (int sec = 0; sec < 90; sec++) {
				view_rebuild(&v, T0 + sec * 1000 + phases[p]);
				assert_int_equal(v.nrows, 2);
				if (strcmp(view_row(&v, 0)->b->biller_id, "B-2"))
					fail_msg("%s at +%d s %lld ms: the later deadline "
						 "came first", sort_key_name(keys[k]), sec,
						 (long long)phases[p]);
			}
	}
	view_free(&v);
}

/* A failed biller someone already asked a rerun for goes below the failed
 * billers nobody has acted on, whatever its priority, so the top row is
 * always the next one to act on; the hook adds what the shard has not
 * shown yet. */
static bool open_for_b3(const struct biller *b, void *ctx)
{
	(void)ctx;
	return !strcmp(b->biller_id, "B-3") || view_rerun_open(b, NULL);
}

static void test_acted_on_goes_below(void **state)
{
	struct snapshot *s = shard(0);
	struct batch *t;
	struct view v;

	(void)state;
	init(&v);
	t = (biller(s, "B-1", "Urgent", 1, BS_FAILED), &snapshot_biller(s, s->nbillers - 1)->batches[0]);
	fx_rerun(s, t, 1, "pending");
	biller(s, "B-2", "Less urgent", 3, BS_FAILED);
	biller(s, "B-3", "Asked here", 2, BS_FAILED);
	biller(s, "B-4", "Late", 1, BS_LATE);
	give(&v, 0, s);
	view_rebuild(&v, T0);
	assert_int_equal(v.nrows, 4);
	assert_string_equal(view_row(&v, 0)->b->biller_id, "B-3");	/* prio 2 */
	assert_string_equal(view_row(&v, 1)->b->biller_id, "B-2");	/* prio 3 */
	assert_string_equal(view_row(&v, 2)->b->biller_id, "B-1");	/* acted on */
	assert_string_equal(view_row(&v, 3)->b->biller_id, "B-4");	/* late after failed */
	v.rerun_open = open_for_b3;
	view_rebuild(&v, T0);
	assert_string_equal(view_row(&v, 0)->b->biller_id, "B-2");
	assert_string_equal(view_row(&v, 1)->b->biller_id, "B-1");
	assert_string_equal(view_row(&v, 2)->b->biller_id, "B-3");
	assert_true(view_row(&v, 2)->acted && !view_row(&v, 0)->acted);
	view_free(&v);
}

/* --- the column chooser ------------------------------------------------------------ */

enum { C_STATUS, C_NAME, C_MARK, C_LEFT, C_ZONE, C_ERR, C_N };

static void spec(struct view_col *c, bool mark_shown)
{
	c[C_STATUS] = (struct view_col){ .min = 11, .want = 11, .shown = true };
	c[C_NAME] = (struct view_col){ .min = 14, .want = 40, .grow = 1, .shown = true };
	c[C_MARK] = (struct view_col){ .min = 1, .want = 1, .shown = mark_shown };
	c[C_LEFT] = (struct view_col){ .min = 10, .want = 10, .shown = true };
	c[C_ZONE] = (struct view_col){ .min = 10, .want = 19, .drop = 1, .grow = 3, .shown = true };
	c[C_ERR] = (struct view_col){ .min = 10, .want = 24, .drop = 2, .grow = 2, .shown = true };
}

static int used(const int *w)
{
	int total = 0;

	for (int i = 0; i < C_N; i++)
		total += w[i] ? w[i] + 1 : 0;
	return total - 1;
}

static void test_column_chooser(void **state)
{
	struct view_col c[C_N];
	int w[C_N];

	(void)state;
	/* Wide: everything, the name to its want first, then the error. */
	spec(c, true);
	view_choose_columns(c, C_N, 200, w);
	assert_int_equal(w[C_NAME], 40);
	assert_int_equal(w[C_ERR], 24);
	assert_int_equal(w[C_ZONE], 19);
	assert_int_equal(w[C_MARK], 1);
	assert_true(used(w) <= 200);
	/* An empty column is not drawn, and its room goes to the name. */
	spec(c, false);
	view_choose_columns(c, C_N, 60, w);
	assert_int_equal(w[C_MARK], 0);
	assert_int_equal(w[C_ZONE], 10);
	assert_int_equal(w[C_NAME], 14 + 60 - 59);
	/* Narrow: the zone is dropped before the error, and what is left
	 * goes to the name. */
	spec(c, true);
	view_choose_columns(c, C_N, 56, w);
	assert_int_equal(w[C_ZONE], 0);
	assert_int_equal(w[C_ERR], 10);
	assert_int_equal(w[C_NAME], 14 + 56 - 50);
	assert_true(used(w) <= 56);
	/* Narrower still: the error goes too; never-dropped ones stay. */
	view_choose_columns(c, C_N, 40, w);
	assert_int_equal(w[C_ERR], 0);
	assert_int_equal(w[C_STATUS], 11);
	assert_int_equal(w[C_LEFT], 10);
	assert_int_equal(w[C_NAME], 40 - 11 - 1 - 10 - 3);
	assert_true(used(w) <= 40);
	/* The name grows first, up to its want, before the error gets any. */
	view_choose_columns(c, C_N, 90, w);
	assert_int_equal(w[C_NAME], 40);
	assert_int_equal(w[C_ERR], 10 + (90 - 61) - 26);	/* 61: every min */
	assert_int_equal(w[C_ZONE], 10);
}

/* Two names that share a long start stay apart when cut, and a cut name
 * is no wider than asked. */
static void test_cut_middle(void **state)
{
	char a[128], b[128];

	(void)state;
	view_cut_middle(a, sizeof a, "Granite Falls Water Utility", 16);
	view_cut_middle(b, sizeof b, "Granite Falls Power Company", 16);
	assert_string_equal(a, "Granite\u2026 Utility");	/* as the man page says */
	assert_string_not_equal(a, b);
	assert_true(text_width(a) <= 16);
	assert_true(text_width(b) <= 16);
	assert_non_null(strstr(a, "\u2026"));
	assert_true(!strncmp(a, "Granite", 7));
	assert_non_null(strstr(a, "Utility"));
	assert_non_null(strstr(b, "Company"));
	/* Fits: whole. */
	view_cut_middle(a, sizeof a, "Acme Water", 16);
	assert_string_equal(a, "Acme Water");
	/* Wide characters are never split. */
	view_cut_middle(a, sizeof a, "\u6771\u4eac\u96fb\u529b\u682a\u5f0f\u4f1a\u793e", 9);
	assert_true(text_width(a) <= 9);
	assert_true(text_utf8_valid(a));
}

/* --- finding a biller again -------------------------------------------------------- */

static void test_find_after_resort(void **state)
{
	struct snapshot *d = shard(0);
	const struct biller *before;
	struct view v;

	init(&v);
	mixed_world(&v);
	/* The same id on two shards is two billers. */
	biller(d, "B-2001", "ACME Gas (copy)", 1, BS_CLOSED);
	fx_seal(d);
	view_set_snapshot(&v, 0, d);	/* replaces shard 0's */
	snapshot_unref(d);
	view_rebuild(&v, T0);
	before = find_row(&v, 1, "B-2001")->b;
	assert_ptr_not_equal(find_row(&v, 0, "B-2001")->b, before);
	assert_string_equal(find_row(&v, 0, "B-2001")->b->name, "ACME Gas (copy)");

	for (int k = 0; k < SORT__COUNT; k++) {
		v.sort = (enum sort_key)k;
		v.reverse = k % 2;
		view_rebuild(&v, T0);
		assert_ptr_equal(find_row(&v, 1, "B-2001")->b, before);
		for (size_t i = 0; i < v.nrows; i++)
			assert_int_equal(view_find(&v, view_row(&v, i)->b->shard_index,
						   view_row(&v, i)->b->biller_id),
					 (long)i);
	}
	assert_int_equal(view_find(&v, 2, "B-2001"), -1);
	assert_int_equal(view_find(&v, 1, "nope"), -1);
	assert_int_equal(view_find(&v, 1, NULL), -1);
	/* Filtered out: not found. */
	view_set_filter(&v, "blue ridge");
	view_rebuild(&v, T0);
	assert_int_equal(view_find(&v, 1, "B-2001"), -1);
	view_free(&v);
}

/* --- the clock ------------------------------------------------------------------------ */

static void test_view_now(void **state)
{
	struct view v;
	struct snapshot *s;

	init(&v);
	assert_int_equal(view_now(&v, 5000), BT_NO_TIME);
	/* A snapshot without a clock (an empty result) does not count. */
	s = fx_snapshot(0, "eu1", BT_NO_TIME, 4000);
	give(&v, 0, s);
	assert_int_equal(view_now(&v, 5000), BT_NO_TIME);

	/* Shard 1 answered at mono 1000, shard 2 at mono 3000 with a clock
	 * 10 s ahead: the later answer wins, advanced by 2 s since. */
	give(&v, 1, fx_snapshot(1, "us-east", T0, 1000));
	assert_int_equal(view_now(&v, 1500), T0 + 500);
	give(&v, 2, fx_snapshot(2, "apac", T0 + FX_SEC(12), 3000));
	assert_int_equal(view_now(&v, 5000), T0 + FX_SEC(14));
	assert_int_equal(view_now(&v, 5001), T0 + FX_SEC(14) + 1);
	/* Shard 1 answers again, later still. */
	give(&v, 1, fx_snapshot(1, "us-east", T0 + FX_SEC(6), 6000));
	assert_int_equal(view_now(&v, 7000), T0 + FX_SEC(7));
	/* Shard 1 lost: back to shard 2. */
	view_set_snapshot(&v, 1, NULL);
	assert_int_equal(view_now(&v, 7000), T0 + FX_SEC(16));
	view_free(&v);
}

/* --- references ----------------------------------------------------------------------- */

static void test_snapshot_references(void **state)
{
	struct snapshot *s1 = fx_seal(shard(0)), *s2 = fx_seal(shard(0));
	struct snapshot *s3 = fx_seal(shard(2));
	struct view v;

	init(&v);
	view_set_snapshot(&v, 0, s1);
	assert_int_equal(s1->refs, 2);
	view_set_snapshot(&v, 0, s1);		/* the same: no second ref */
	assert_int_equal(s1->refs, 2);
	view_set_snapshot(&v, 0, s2);		/* replaced: s1 dropped */
	assert_int_equal(s1->refs, 1);
	assert_int_equal(s2->refs, 2);
	view_set_snapshot(&v, 2, s3);
	view_set_snapshot(&v, NSHARDS, s1);	/* no such shard: ignored */
	assert_int_equal(s1->refs, 1);
	view_rebuild(&v, T0);
	assert_int_equal(v.nrows, 0);
	view_free(&v);
	assert_int_equal(s2->refs, 1);
	assert_int_equal(s3->refs, 1);
	assert_null(v.snaps);
	assert_null(v.items);
	assert_null(v.slots);
	snapshot_unref(s1);
	snapshot_unref(s2);
	snapshot_unref(s3);
}

/* The name ranking is redone only when a snapshot's names_id changes
 * (an incremental poll that renamed, added or dropped nobody keeps it),
 * and the rows still sort by name afterwards. */
static void test_rank_only_when_names_change(void **state)
{
	struct snapshot *a = shard(0), *b, *c;
	struct view v;

	(void)state;
	init(&v);
	fx_add_biller(a, "x2", "Beta", "UTC", 1);
	fx_add_biller(a, "x1", "Alpha", "UTC", 1);
	fx_seal(a);
	a->names_id = snapshot_names_id_new();
	view_set_snapshot(&v, 0, a);
	view_rebuild(&v, T0);
	assert_false(v.ranks_dirty);

	/* Same billers, new data: the ranking stands. */
	b = fx_seal(shard(0));
	fx_add_biller(b, "x2", "Beta", "UTC", 2);
	fx_add_biller(b, "x1", "Alpha", "UTC", 2);
	b->names_id = a->names_id;
	view_set_snapshot(&v, 0, b);
	assert_false(v.ranks_dirty);
	view_rebuild(&v, T0);
	assert_int_equal(v.nrows, 2);

	/* A rename: ranked again. */
	c = fx_seal(shard(0));
	fx_add_biller(c, "x2", "Aardvark", "UTC", 2);
	fx_add_biller(c, "x1", "Alpha", "UTC", 2);
	c->names_id = snapshot_names_id_new();
	view_set_snapshot(&v, 0, c);
	assert_true(v.ranks_dirty);
	view_rebuild(&v, T0);
	assert_false(v.ranks_dirty);
	/* A snapshot that does not say (names_id 0): always ranked. */
	view_set_snapshot(&v, 0, a);
	a->names_id = 0;
	view_set_snapshot(&v, 0, b);
	assert_true(v.ranks_dirty);
	view_free(&v);
	snapshot_unref(a);
	snapshot_unref(b);
	snapshot_unref(c);
}

static void test_rows_grow_and_shrink(void **state)
{
	struct snapshot *s;
	struct view v;
	char id[16];

	init(&v);
	view_rebuild(&v, T0);
	assert_int_equal(v.nrows, 0);
	assert_int_equal(v.totals.billers, 0);
	for (int round = 0; round < 3; round++) {
		int n = round == 1 ? 500 : 20;

		s = shard(1);
		for (int i = 0; i < n; i++) {
			snprintf(id, sizeof id, "B-%04d", i);
			biller(s, id, id, i % 5, (enum biller_status)(i % BS__COUNT));
		}
		give(&v, 1, s);
		view_rebuild(&v, T0);
		assert_int_equal(v.nrows, n);
		assert_int_equal(v.totals.billers, n);
		assert_true(v.cap >= v.nrows);
	}
	view_free(&v);
}

/* The grid's and the wallboard's name cell: a long multi-byte name in the
 * 256-byte buffer they use is cut between characters, never inside one;
 * an unknown biller's id is escaped when sanitizing would hide part of it. */
static void test_name_cell(void **state)
{
	struct snapshot *s = fx_snapshot(0, "eu1", 0, 0);
	char name[700], buf[256];
	struct biller *b;
	size_t len = 0, w;

	(void)state;
	while (len + 3 < sizeof name) {
		memcpy(name + len, "\u6771", 3);		/* 3 bytes, 2 columns */
		len += 3;
	}
	name[len] = '\0';
	b = fx_add_biller(s, "b-long", "", "UTC", 1);
	b->name = fx_str(s, name);
	b->is_demo = true;
	for (size_t n = 1; n <= sizeof buf; n++) {
		w = view_name_cell(buf, n, b, true);
		assert_int_equal(w, strlen(buf));
		assert_true(text_utf8_valid(buf));
		assert_true(w % 3 == 0);	/* whole characters only */
		assert_true(n - 1 - w < 3);
	}
	/* A short name gets its demo tag. */
	b->name = fx_str(s, "\u00c9nergie");
	view_name_cell(buf, sizeof buf, b, true);
	assert_string_equal(buf, "\u00c9nergie [demo]");
	view_name_cell(buf, sizeof buf, b, false);
	assert_string_equal(buf, "\u00c9nergie");
	/* No biller row: the id, escaped, so look-alikes differ. */
	b->known = false;
	b->biller_id = fx_str(s, "ZW-B\u200b");
	view_name_cell(buf, sizeof buf, b, true);
	assert_string_equal(buf, "(no biller row) ZW-B<U+200B>");
	b->biller_id = fx_str(s, name);
	view_name_cell(buf, sizeof buf, b, true);
	assert_true(text_utf8_valid(buf));
	snapshot_unref(s);
}

/* What the view keeps for a fleet is sized to it: rows and sort items
 * for exactly the billers there are, and a forecast memo for the closes
 * still open, not for every batch of the night (3,000 billers, each with
 * two closed batches and a running one: 3,000 open closes, 9,000 batches). */
/* A due entry keeps its instant whole in two halves, BT_NO_TIME and
 * negative times included, and the heap pops in order of instant; its
 * room grows by half, so a shard's heap within view_due_bound() of 1,000
 * slots holds no more than a slot and a half and a little. */
static void test_due_heap_entries(void **state)
{
	static const int64_t at[] = { 5, BT_NO_TIME, -1, INT64_MAX - 1,
				      (int64_t)1 << 32, ((int64_t)1 << 32) - 1,
				      1733180400123, -1733180400123, 0, 7 };
	struct view_seen sh = { 0 };
	int64_t last = INT64_MIN;

	(void)state;
	assert_int_equal(sizeof(struct view_due), 12);
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		struct view_due e = view_due_of(at[i], i);

		assert_true(view_due_at(&e) == at[i]);
		assert_int_equal(e.k, i);
		view_due_push(&sh, at[i], i);
	}
	view_due_push(&sh, INT64_MAX, 99);	/* never: not kept */
	assert_int_equal(sh.ndue, sizeof at / sizeof at[0]);
	while (sh.ndue) {
		struct view_due e = view_due_pop(&sh);

		assert_true(view_due_at(&e) >= last);
		assert_true(view_due_at(&e) == at[e.k]);
		last = view_due_at(&e);
	}
	for (size_t i = 0; i < view_due_bound(1000); i++)
		view_due_push(&sh, (int64_t)(i * 7919 % 1000), i % 1000);
	assert_true(sh.due_cap * sizeof *sh.due <= 1000 * 12 * 2);
	free(sh.due);
}

static void test_sized_to_the_fleet(void **state)
{
	struct snapshot *s = shard(0);
	struct view v;
	char id[16];

	(void)state;
	init(&v);
	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof id, "B-%05d", i);
		fx_add_biller(s, id, id, "UTC", 1);
		fx_add_batch(s, BATCH_CLOSED, T0 - FX_MIN(300), T0 - FX_MIN(255),
			     T0 - FX_MIN(300), T0 - FX_MIN(280));
		fx_add_batch(s, BATCH_CLOSED, T0 - FX_MIN(200), T0 - FX_MIN(155),
			     T0 - FX_MIN(200), T0 - FX_MIN(180));
		fx_add_batch(s, BATCH_RUNNING, T0 - FX_MIN(1), T0 + FX_MIN(44),
			     T0 - FX_MIN(1), BT_NO_TIME);
	}
	give(&v, 0, s);
	view_rebuild(&v, T0);
	assert_int_equal(v.nrows, 3000);
	assert_int_equal(v.cap, 3000);
	assert_int_equal(v.nopen, 3000);
	/* A slot and a quarter per open close, 3,000 of them: 3,750, which
	 * the 4,096 it was made with hold (6,752 at two slots and an eighth
	 * more, in sets of 4; 8,192, the power of two, once; 16,384 for the
	 * batches, before that). */
	assert_int_equal(fc_memo_slots(v.fc.memo), 4096);
	view_rebuild(&v, T0 + 1000);
	assert_int_equal(fc_memo_slots(v.fc.memo), 4096);
	/* Its own heap: a 96-byte slot, the order (16 bytes), the rank, the
	 * merge's eighth, the log of changes and a due instant per biller;
	 * no copy of the rows (224 bytes a biller before, 72 of them rows). */
	print_message("view: %zu bytes for 3,000 billers\n", view_bytes(&v));
	assert_true(view_bytes(&v) < 3000 * 140);
	assert_true(view_bytes(&v) > 3000 * (96 + 16));
	view_free(&v);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_hidden_and_never_counted),
		cmocka_unit_test(test_totals_by_status),
		cmocka_unit_test(test_risk_order_by_status),
		cmocka_unit_test(test_risk_order_ties),
		cmocka_unit_test(test_every_sort_key_and_reverse),
		cmocka_unit_test(test_sort_key_specifics),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_find_after_resort),
		cmocka_unit_test(test_deadline_order_holds_still),
		cmocka_unit_test(test_acted_on_goes_below),
		cmocka_unit_test(test_column_chooser),
		cmocka_unit_test(test_cut_middle),
		cmocka_unit_test(test_view_now),
		cmocka_unit_test(test_snapshot_references),
		cmocka_unit_test(test_rank_only_when_names_change),
		cmocka_unit_test(test_rows_grow_and_shrink),
		cmocka_unit_test(test_due_heap_entries),
		cmocka_unit_test(test_sized_to_the_fleet),
		cmocka_unit_test(test_name_cell),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
