/*
 * test_forecast_memo.c - the forecast memo's table (core/forecast_memo.c):
 * every answer it gives is forecast_miss()'s, whatever shares a set with
 * it (the same id in another shard, the same close changed), however full
 * it is, grown or not, across a move of its base; and what a fleet-sized
 * memo costs.  test_forecast.c checks its answers second by second too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/forecast.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define DAY (1440 * MIN)
/* 2026-12-02 18:00 UTC. */
#define T0 1796234400000LL

static const struct batch_kind kind = { .payment_type = "ach", .module = "m",
					.bad = "" };

/* Biller b1 of shard, its closes of "ach" in module m taking 10 to 55
 * minutes, started 2 minutes late. */
static struct fc_history *history(int shard)
{
	struct fc_history *h = fc_history_new(shard, T0);
	char day[16];

	for (int i = 0; i < 10; i++) {
		snprintf(day, sizeof day, "2026-11-%02d", i + 1);
		fc_history_add(h, "b1", day, "ach", "m", 2 * MIN,
			       (10 + 5 * i) * MIN);
	}
	fc_history_finish(h);
	return h;
}

/* Close id of b1, running since started (BT_NO_TIME: scheduled at
 * T0 + 5 minutes), due at deadline. */
static struct batch close_of(const char *id, int64_t started, int64_t deadline)
{
	struct batch t = { .batch_id = id, .kind = &kind,
			   .state = BATCH_RUNNING, .scheduled_at = started,
			   .started_at = started, .deadline_at = deadline,
			   .finished_at = BT_NO_TIME };

	if (started == BT_NO_TIME) {
		t.state = BATCH_SCHEDULED;
		t.scheduled_at = T0 + 5 * MIN;
	}
	return t;
}

static const struct forecast_opts opts = { .at_risk_pct = 30,
					   .will_miss_pct = 90 };

/* Close t asked through m at now: the answer is forecast_miss()'s, to the
 * bit (decide_until no later: a remembered one may be the sooner of two
 * that hold).  Returns whether m had it. */
static bool asked(struct fc_memo *m, const struct fc_history *h,
		  const struct batch *t, int64_t now)
{
	struct biller b = { .biller_id = "b1", .timezone = "UTC",
			    .tz_known = true, .batches = (struct batch *)t,
			    .nbatches = 1 };
	uint64_t hits = fc_memo_counts(m).hits;
	struct forecast f, g;

	forecast_miss(h, &b, t, now, &opts, &f);
	forecast_miss_memo(m, h, &b, t, now, &opts, &g);
	assert_int_equal(g.source, f.source);
	assert_true(g.p_miss == f.p_miss);
	assert_int_equal(g.closes, f.closes);
	assert_int_equal(g.longer, f.longer);
	assert_int_equal(g.beyond, f.beyond);
	assert_int_equal(g.stale, f.stale);
	assert_int_equal(g.tail_wider, f.tail_wider);
	assert_true(g.valid_until == f.valid_until);
	assert_true(g.decide_until >= g.valid_until);
	assert_true(g.decide_until <= f.decide_until);
	assert_true(g.eta_p50 == BT_NO_TIME && g.start_p50 == BT_NO_TIME);
	return fc_memo_counts(m).hits > hits;
}

/* Running and scheduled closes, asked again over an hour: every answer is
 * forecast_miss()'s, and most are remembered. */
static void test_hits_are_the_answer(void **state)
{
	struct fc_history *h = history(0);
	struct fc_memo *m = fc_memo_new(4096);
	char ids[200][8];
	struct batch t[200];
	size_t hits = 0, n = 0;

	(void)state;
	for (int i = 0; i < 200; i++) {
		snprintf(ids[i], sizeof ids[i], "c%d", i);
		t[i] = close_of(ids[i], i % 3 ? T0 - (i % 50) * MIN : BT_NO_TIME,
				T0 + (i % 70) * MIN);
	}
	for (int64_t now = T0; now < T0 + 60 * MIN; now += 30 * SEC)
		for (int i = 0; i < 200; i++, n++)
			hits += asked(m, h, &t[i], now);
	print_message("%zu of %zu remembered\n", hits, n);
	assert_true(hits > n / 2);
	fc_memo_free(m);
	fc_history_unref(h);
}

/* Keys that share a set on purpose: sets are picked by the shard and the
 * batch id, so the same id in another shard's history (the same
 * database copied: bench-fleet's), and the same close changed (another
 * deadline) with the id it had, are other keys of one set.  Each one is
 * given its own answer, never the other's, and all stay remembered. */
static void test_set_mates_kept_apart(void **state)
{
	struct fc_history *h0 = history(0), *h1 = history(1);
	struct fc_memo *m = fc_memo_new(64);
	struct batch t[4] = {
		close_of("same", T0 - 20 * MIN, T0 + 5 * MIN),
		close_of("same", T0 - 20 * MIN, T0 + 30 * MIN),
		close_of("same", T0 - 20 * MIN, T0 + 60 * MIN),
		close_of("same", BT_NO_TIME, T0 + 30 * MIN),
	};
	struct biller b = { .biller_id = "b1", .batches = t, .nbatches = 1 };
	struct forecast f[4];

	(void)state;
	/* Different answers, or the test proves nothing. */
	for (int k = 0; k < 4; k++)
		forecast_miss(h0, &b, &t[k], T0, &opts, &f[k]);
	assert_true(f[0].p_miss != f[1].p_miss && f[1].p_miss != f[2].p_miss);
	for (int round = 0; round < 3; round++)
		for (int k = 0; k < 4; k++) {
			bool hit0 = asked(m, h0, &t[k], T0 + round * SEC);
			bool hit1 = asked(m, h1, &t[k], T0 + round * SEC);

			assert_true(hit0 == (round > 0) && hit1 == (round > 0));
		}
	assert_int_equal(fc_memo_counts(m).absent, 8);
	fc_memo_free(m);
	fc_history_unref(h0);
	fc_history_unref(h1);
}

/* A set of 8 ways asked for 9 keys (one close, changed 9 times: one
 * set): the 9th pushes out the one asked longest ago, and only that
 * one; when some have run out, one of those goes instead. */
static void test_eviction_in_a_full_set(void **state)
{
	struct fc_history *h = history(0);
	struct fc_memo *m = fc_memo_new(64);
	struct batch t[9];
	struct biller b = { .biller_id = "b1", .batches = t, .nbatches = 1 };
	struct forecast f;

	(void)state;
	for (int k = 0; k < 9; k++)
		t[k] = close_of("one", T0 - (5 + 3 * k) * MIN, T0 + 40 * MIN);
	for (int k = 0; k < 8; k++)
		assert_false(asked(m, h, &t[k], T0));
	assert_false(asked(m, h, &t[8], T0));
	for (int k = 1; k < 9; k++)
		assert_true(asked(m, h, &t[k], T0 + SEC));
	assert_false(asked(m, h, &t[0], T0 + SEC));	/* pushed out */
	/* Now t[2] is the one asked longest ago (t[0] pushed t[1] out).
	 * Once another's answer has run out, a new key takes its way and
	 * t[2] stays. */
	int64_t later = INT64_MAX, v2 = 0;
	int first = -1;

	for (int k = 2; k < 9; k++) {
		forecast_miss(h, &b, &t[k], T0, &opts, &f);
		if (k == 2)
			v2 = f.valid_until;
		if (f.valid_until < later) {
			later = f.valid_until;
			first = k;
		}
	}
	assert_true(first != 2 && v2 > later);
	t[1].deadline_at = T0 + 41 * MIN;	/* a new key */
	assert_false(asked(m, h, &t[1], later));
	assert_true(asked(m, h, &t[2], later));
	fc_memo_free(m);
	fc_history_unref(h);
}

/* Many more closes than slots, asked in turn: the answers stay
 * forecast_miss()'s; a few asked again after that are remembered again. */
static void test_pressure(void **state)
{
	struct fc_history *h = history(0);
	struct fc_memo *m = fc_memo_new(64);
	char ids[2000][8];
	struct batch t[2000];
	size_t hits = 0;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		snprintf(ids[i], sizeof ids[i], "p%d", i);
		t[i] = close_of(ids[i], T0 - (i % 40) * MIN, T0 + (i % 90) * MIN);
	}
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 2000; i++)
			(void)asked(m, h, &t[i], T0 + round * SEC);
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 10; i++)
			hits += asked(m, h, &t[i], T0 + (3 + round) * SEC);
	assert_true(hits >= 18);
	assert_int_equal(fc_memo_slots(m), 64);
	fc_memo_free(m);
	fc_history_unref(h);
}

/* Growing drops the answers (they are asked again) and never gives a
 * wrong one; asking for less room than it has changes nothing. */
static void test_reserve(void **state)
{
	struct fc_history *h = history(0);
	struct fc_memo *m = fc_memo_new(64);
	char ids[300][8];
	struct batch t[300];
	size_t slots, hits = 0;

	(void)state;
	for (int i = 0; i < 300; i++) {
		snprintf(ids[i], sizeof ids[i], "r%d", i);
		t[i] = close_of(ids[i], T0 - (i % 40) * MIN, T0 + (i % 90) * MIN);
	}
	for (int i = 0; i < 300; i++)
		(void)asked(m, h, &t[i], T0);
	fc_memo_reserve(m, 600);
	slots = fc_memo_slots(m);
	assert_true(slots >= 600);
	assert_false(asked(m, h, &t[0], T0 + SEC));	/* dropped */
	for (int i = 0; i < 300; i++)
		(void)asked(m, h, &t[i], T0 + SEC);
	fc_memo_reserve(m, 100);
	fc_memo_reserve(m, slots);
	assert_int_equal(fc_memo_slots(m), slots);
	for (int i = 0; i < 300; i++)
		hits += asked(m, h, &t[i], T0 + 2 * SEC);
	assert_true(hits > 250);
	fc_memo_free(m);
	fc_history_unref(h);
}

/* The instants are kept past a base that moves when the clock gets far
 * from it: the answers kept before are dropped, none is given wrong. */
static void test_base_moves(void **state)
{
	struct fc_history *h = history(0);
	struct fc_memo *m = fc_memo_new(64);
	struct batch t = close_of("far", T0 - 10 * MIN, T0 + 30 * MIN);
	struct batch u = close_of("far", T0 + 30 * DAY - 10 * MIN,
				  T0 + 30 * DAY + 30 * MIN);

	(void)state;
	assert_false(asked(m, h, &t, T0));
	assert_true(asked(m, h, &t, T0 + SEC));
	assert_false(asked(m, h, &u, T0 + 30 * DAY));
	assert_true(asked(m, h, &u, T0 + 30 * DAY + SEC));
	assert_false(asked(m, h, &t, T0 + 2 * SEC));	/* dropped */
	assert_true(asked(m, h, &t, T0 + 3 * SEC));
	fc_memo_free(m);
	fc_history_unref(h);
}

/* forecast_until_above() through the memo: the same close in two
 * shards at two pms, each answer the one made without a memo, and
 * remembered while it holds. */
static void test_above(void **state)
{
	struct fc_history *h[2] = { history(0), history(1) };
	struct forecast_opts with = opts;
	struct batch t = close_of("a", T0 - 20 * MIN, T0 + 30 * MIN);
	struct biller b = { .biller_id = "b1", .batches = &t, .nbatches = 1 };
	int64_t last[2][2] = { { 0 } };
	struct fc_memo_counts c;

	(void)state;
	with.memo = fc_memo_new(64);
	for (int64_t now = T0; now < T0 + 30 * MIN; now += 10 * SEC)
		for (int s = 0; s < 2; s++)
			for (int k = 0; k < 2; k++) {
				int pm = k ? 900 : 400;
				int64_t um = forecast_until_above(h[s], &b, &t, now,
								  &with, pm);
				int64_t uf = forecast_until_above(h[s], &b, &t, now,
								  &opts, pm);

				assert_true(um > now);
				/* Made now, as without; or the one made before,
				 * while it holds. */
				assert_true(um == (last[s][k] > now ? last[s][k] : uf));
				last[s][k] = um;
			}
	c = fc_memo_counts(with.memo);
	assert_true(c.above_hits > c.above);
	fc_memo_free(with.memo);
	fc_history_unref(h[0]);
	fc_history_unref(h[1]);
}

/* Open closes at 100 shards x 1,000 billers (heaptrack's run). */
#define FLEET_OPEN 187000

/* Sized as the view sizes it (core/view.c): made with 4,096 slots, then
 * asked for the slots of the open closes. */
static void test_bytes_at_fleet_size(void **state)
{
	struct fc_memo *m = fc_memo_new(4096);

	(void)state;
	assert_non_null(m);
	fc_memo_reserve(m, fc_memo_slots_for(FLEET_OPEN));
	print_message("memo: %zu slots, %zu bytes for %d open closes\n",
		      fc_memo_slots(m), fc_memo_bytes(m), FLEET_OPEN);
	assert_true(fc_memo_slots(m) >= FLEET_OPEN + FLEET_OPEN / 4);
	/* 24 bytes a slot, 2 more for forecast_until_above()'s answers,
	 * 1.4 slots per open close: 6.84 MB (14.3 at 32 bytes and 2.25). */
	assert_true(fc_memo_bytes(m) <= fc_memo_slots(m) * 26 + 4096);
	assert_true(fc_memo_bytes(m) < (size_t)7 * 1000 * 1000);
	assert_int_equal(fc_memo_bytes(NULL), 0);
	fc_memo_free(m);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hits_are_the_answer),
		cmocka_unit_test(test_set_mates_kept_apart),
		cmocka_unit_test(test_eviction_in_a_full_set),
		cmocka_unit_test(test_pressure),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_base_moves),
		cmocka_unit_test(test_above),
		cmocka_unit_test(test_bytes_at_fleet_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
