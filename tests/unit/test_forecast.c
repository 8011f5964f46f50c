/*
 * test_forecast.c - the estimator (core/forecast.h): conditioning on the
 * elapsed time, the fallbacks when the biller's history is thin, scheduled
 * closes (start delay plus duration), DST nights and unknown zones (times
 * are absolute), the probabilities and the rerun's forecast.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/forecast.h"

#define MIN (60 * 1000LL)
#define SEC 1000LL
/* 2026-11-01 06:00 UTC: 01:00 CDT, an hour before the clocks fall back. */
#define T0 1793512800000LL

static const struct forecast_opts opts = { .at_risk_pct = 30,
					   .will_miss_pct = 90 };

/* A history where biller "b1" (type "ach", module "m") closed in each of
 * durs (minutes), starting delay_min late. */
static struct fc_history *history(const int *durs, size_t n, int delay_min)
{
	struct fc_history *h = fc_history_new(0, T0);
	char day[16];

	for (size_t i = 0; i < n; i++) {
		snprintf(day, sizeof day, "2026-10-%02zu", i + 1);
		fc_history_add(h, "b1", day, "ach", "m", delay_min * MIN,
			       durs[i] * MIN);
	}
	fc_history_finish(h);
	return h;
}

static struct biller biller1(struct batch *t)
{
	struct biller b = { .biller_id = "b1", .timezone = "America/Chicago",
			    .tz_known = true, .batches = t, .nbatches = 1 };

	return b;
}

/* The words of a batch of running_at(), which a test may change. */
static struct batch_kind *words(struct batch *t)
{
	return (struct batch_kind *)(uintptr_t)t->kind;
}

static struct batch running_at(int64_t started, int64_t deadline)
{
	/* Returned by value: its words outlive the call (a few at a time). */
	static struct batch_kind kinds[16];
	static size_t nkinds;
	struct batch_kind *k = &kinds[nkinds++ % 16];
	struct batch t;

	*k = (struct batch_kind){ .payment_type = "ach", .module = "m",
				  .bad = "" };
	t = (struct batch){ .batch_id = "x", .kind = k,
			   .state = BATCH_RUNNING, .scheduled_at = started,
			   .started_at = started, .deadline_at = deadline,
			   .finished_at = BT_NO_TIME };

	return t;
}

static void test_quantiles(void **state)
{
	fc_ms v[] = { 10, 20, 30, 40 };
	struct fc_dist d = { v, 4 };

	(void)state;
	assert_int_equal(fc_quantile(&d, 0), 10);
	assert_int_equal(fc_quantile(&d, 1), 40);
	assert_int_equal(fc_quantile(&d, 0.5), 25);
	assert_int_equal(fc_count_above(&d, 20), 2);
	assert_int_equal(fc_count_above(&d, 9), 4);
	assert_int_equal(fc_count_above(&d, 40), 0);
	d.n = 0;
	assert_true(fc_quantile(&d, 0.5) == BT_NO_TIME);
}

/* Ten closes: five of 10 min and five of 40.  At start the chance of
 * missing a 30-min deadline is 1/2; once it has run 15 minutes it can only
 * be one of the 40-min ones: certain to miss, ETA started + 40. */
static void test_conditions_on_elapsed(void **state)
{
	static const int durs[] = { 10, 40, 10, 40, 10, 40, 10, 40, 10, 40 };
	struct fc_history *h = history(durs, 10, 0);
	struct batch t = running_at(T0, T0 + 30 * MIN);
	struct biller b = biller1(&t);
	struct forecast f;

	(void)state;
	forecast_batch(h, &b, &t, T0 + 1 * MIN, &opts, &f);
	assert_int_equal(f.source, FC_BILLER);
	assert_int_equal(f.closes, 10);
	assert_int_equal(f.longer, 10);
	assert_true(f.p_miss > 0.49 && f.p_miss < 0.51);
	assert_true(forecast_at_risk(&f, &opts));
	assert_false(forecast_will_miss(&f, &t, &opts));

	forecast_batch(h, &b, &t, T0 + 15 * MIN, &opts, &f);
	assert_int_equal(f.longer, 5);
	assert_false(f.beyond);
	assert_true(f.p_miss > 0.99);
	assert_true(f.eta_p50 == T0 + 40 * MIN);
	assert_true(forecast_will_miss(&f, &t, &opts));

	/* forecast_miss agrees and does not compute the ETA. */
	forecast_miss(h, &b, &t, T0 + 15 * MIN, &opts, &f);
	assert_true(f.p_miss > 0.99);
	assert_true(f.eta_p50 == BT_NO_TIME);
	fc_history_unref(h);
}

/* A close that ran longer than all of its history is not "nearly done":
 * it is assumed to need as long again, so it stays at risk. */
static void test_beyond_history(void **state)
{
	static const int durs[] = { 10, 11, 12, 13, 14 };
	struct fc_history *h = history(durs, 5, 0);
	struct batch t = running_at(T0, T0 + 30 * MIN);
	struct biller b = biller1(&t);
	struct forecast f;

	(void)state;
	forecast_batch(h, &b, &t, T0 + 20 * MIN, &opts, &f);
	assert_true(f.beyond);
	assert_int_equal(f.longer, 0);
	assert_true(f.eta_p50 == T0 + 20 * MIN + 12 * MIN);
	/* 10 min left: 11, 12, 13 and 14 would miss, 10 would just make it. */
	assert_true(f.p_miss > 0.79 && f.p_miss < 0.81);
	fc_history_unref(h);
}

/* Add closes of minutes durs[0..n) to biller id of module "m", type ach. */
static void add_closes(struct fc_history *h, const char *id, const int *durs,
		       size_t n)
{
	for (size_t i = 0; i < n; i++)
		fc_history_add(h, id, "2026-10-01", "ach", "m", 0,
			       durs[i] * MIN);
}

/* b2 of the same module: mostly 14 minutes, a tail of five (tail[]). */
static void add_b2(struct fc_history *h, const int tail[5])
{
	for (int i = 0; i < 15; i++)
		fc_history_add(h, "b2", "2026-10-01", "ach", "m", 0, 14 * MIN);
	add_closes(h, "b2", tail, 5);
}

/* All ten of b1's closes are shorter than it has run: alone they would
 * guess "as long again" (9 in 10 to miss, WILL MISS).  The module's pool
 * has five longer once scaled to b1's median (14.5 against 14 minutes):
 * 26..30 minutes become 26.9..31.1, all before the 35-minute deadline. */
static void test_tail_all_shorter_widens(void **state)
{
	static const int own[] = { 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 };
	static const int tail[] = { 26, 27, 28, 29, 30 };
	struct fc_history *h = fc_history_new(0, T0);
	struct batch t = running_at(T0, T0 + 35 * MIN);
	struct biller b = biller1(&t);
	struct fc_memo *m = fc_memo_new(4);
	struct forecast f;

	(void)state;
	add_closes(h, "b1", own, 10);
	add_b2(h, tail);
	fc_history_finish(h);

	forecast_batch(h, &b, &t, T0 + 25 * MIN, &opts, &f);
	assert_int_equal(f.source, FC_MODULE);
	assert_true(f.tail_wider);
	assert_false(f.beyond);
	assert_int_equal(f.closes, 30);
	assert_int_equal(f.longer, 5);
	assert_true(f.eta_p50 == T0 + 29 * MIN);	/* 28 x 14.5 / 14 */
	assert_true(f.p_miss == 0);
	assert_false(forecast_at_risk(&f, &opts));

	/* The memo remembers which pool it was. */
	forecast_miss_memo(m, h, &b, &t, T0 + 25 * MIN, &opts, &f);
	forecast_miss_memo(m, h, &b, &t, T0 + 25 * MIN + SEC, &opts, &f);
	assert_int_equal(f.source, FC_MODULE);
	assert_true(f.tail_wider);
	assert_true(f.p_miss == 0);

	/* Before it outran its own closes, its own closes answer. */
	forecast_batch(h, &b, &t, T0 + 12 * MIN, &opts, &f);
	assert_int_equal(f.source, FC_BILLER);
	assert_false(f.tail_wider);
	assert_int_equal(f.longer, 7);
	fc_memo_free(m);
	fc_history_unref(h);
}

/* One slow outlier (60 minutes) among b1's ten closes: at 20 minutes it
 * alone would decide (certain to miss a 40-minute deadline).  The
 * module's scaled tail has six closes longer (22..30 and the outlier):
 * one in six to miss, on track. */
static void test_tail_one_outlier_widens(void **state)
{
	static const int own[] = { 10, 11, 12, 60, 13, 14, 15, 16, 17, 18 };
	static const int tail[] = { 22, 24, 26, 28, 30 };
	struct fc_history *h = fc_history_new(0, T0);
	struct batch t = running_at(T0, T0 + 40 * MIN);
	struct biller b = biller1(&t);
	struct forecast f;

	(void)state;
	add_closes(h, "b1", own, 10);
	add_b2(h, tail);
	fc_history_finish(h);

	forecast_batch(h, &b, &t, T0 + 20 * MIN, &opts, &f);
	assert_int_equal(f.source, FC_MODULE);
	assert_true(f.tail_wider);
	assert_int_equal(f.longer, 6);
	assert_true(f.p_miss > 0.16 && f.p_miss < 0.17);
	assert_false(forecast_will_miss(&f, &t, &opts));
	assert_false(forecast_at_risk(&f, &opts));

	/* Without a wider pool (b1 alone in its module, no similar billers
	 * of tonight's size) the outlier still decides. */
	words(&t)->module = "alone";
	b.nbatches = 1000;
	forecast_batch(h, &b, &t, T0 + 20 * MIN, &opts, &f);
	assert_int_equal(f.source, FC_BILLER);
	assert_false(f.tail_wider);
	assert_int_equal(f.longer, 1);
	assert_true(f.p_miss > 0.99);
	fc_history_unref(h);
}

/* Four closes of the biller are too few: the module's pool answers; with
 * no module either, billers of the same size; with nothing, the fixed
 * rule (FC_NONE, no p_miss). */
static void test_thin_history_falls_back(void **state)
{
	struct fc_history *h = fc_history_new(0, T0);
	struct batch t = running_at(T0, T0 + 30 * MIN);
	struct biller b = biller1(&t);
	struct forecast f;

	(void)state;
	for (int i = 0; i < 4; i++)
		fc_history_add(h, "b1", "2026-10-01", "ach", "m", 0, 5 * MIN);
	for (int i = 0; i < 6; i++)
		fc_history_add(h, "b2", "2026-10-01", "ach", "m", 0, 50 * MIN);
	for (int i = 0; i < 8; i++)
		fc_history_add(h, "b3", "2026-10-01", "card", "other", 0,
			       20 * MIN);
	fc_history_finish(h);

	forecast_batch(h, &b, &t, T0 + MIN, &opts, &f);
	assert_int_equal(f.source, FC_MODULE);
	assert_int_equal(f.closes, 10);

	/* Pool: billers of similar size (6 batches tonight: the class of
	 * 4 to 7 closes a day, b1 and b2). */
	words(&t)->module = "new-module";
	b.nbatches = 6;
	forecast_batch(h, &b, &t, T0 + MIN, &opts, &f);
	assert_int_equal(f.source, FC_SIMILAR);
	assert_int_equal(f.closes, 10);

	words(&t)->payment_type = "wire";	/* the pool is by size, not type */
	forecast_batch(h, &b, &t, T0 + MIN, &opts, &f);
	assert_int_equal(f.source, FC_SIMILAR);

	b.nbatches = 1000;		/* no biller that big */
	forecast_batch(h, &b, &t, T0 + MIN, &opts, &f);
	assert_int_equal(f.source, FC_NONE);
	assert_true(f.p_miss < 0);
	assert_false(forecast_at_risk(&f, &opts));

	forecast_batch(NULL, &b, &t, T0 + MIN, &opts, &f);
	assert_int_equal(f.source, FC_NONE);
	fc_history_unref(h);
}

/* The night the clocks fall back: scheduled 01:30 CDT, deadline 45 minutes
 * later in absolute time (01:15 CST on the wall).  The forecast is pure
 * arithmetic on instants, so the wall clock repeating an hour changes
 * nothing, and a zone the shard did not know changes nothing either. */
static void test_dst_night_and_unknown_zone(void **state)
{
	static const int durs[] = { 40, 40, 40, 40, 40 };
	struct fc_history *h = history(durs, 5, 2);
	int64_t sched = T0 + 30 * MIN;
	struct batch t = running_at(sched, sched + 45 * MIN);
	struct biller b = biller1(&t);
	struct forecast f, g;

	(void)state;
	t.state = BATCH_SCHEDULED;
	t.started_at = BT_NO_TIME;
	forecast_batch(h, &b, &t, T0, &opts, &f);
	assert_int_equal(f.source, FC_BILLER);
	assert_true(f.start_p50 == sched + 2 * MIN);
	assert_true(f.eta_p50 == sched + 42 * MIN);
	assert_true(f.p_miss == 0);

	b.timezone = "Mars/Olympus";
	b.tz_known = false;
	forecast_batch(h, &b, &t, T0, &opts, &g);
	assert_true(g.eta_p50 == f.eta_p50 && g.p_miss == f.p_miss);

	/* Waiting 10 minutes past its start: it starts now, ends now + 40,
	 * 5 minutes past the deadline. */
	forecast_batch(h, &b, &t, sched + 10 * MIN, &opts, &f);
	assert_true(f.start_p50 == sched + 10 * MIN);
	assert_true(f.eta_p50 == sched + 50 * MIN);
	assert_true(f.p_miss > 0.99);
	assert_true(forecast_will_miss(&f, &t, &opts));
	fc_history_unref(h);
}

static void test_deadlines(void **state)
{
	static const int durs[] = { 10, 20, 30, 40, 50 };
	struct fc_history *h = history(durs, 5, 0);
	struct batch t = running_at(T0, T0 + 35 * MIN);
	struct biller b = biller1(&t);
	struct forecast f;

	(void)state;
	forecast_batch(h, &b, &t, T0, &opts, &f);
	assert_true(f.p_miss > 0.39 && f.p_miss < 0.41);	/* 40, 50 */
	t.deadline_inf = 1;
	t.deadline_at = BT_NO_TIME;
	forecast_batch(h, &b, &t, T0, &opts, &f);
	assert_true(f.p_miss == 0);
	t.deadline_inf = -1;
	forecast_batch(h, &b, &t, T0, &opts, &f);
	assert_true(f.p_miss == 1);
	t.deadline_inf = 0;		/* no deadline: nothing to miss */
	forecast_batch(h, &b, &t, T0, &opts, &f);
	assert_true(f.p_miss < 0);
	assert_false(forecast_at_risk(&f, &opts));
	t.state = BATCH_CLOSED;
	forecast_batch(h, &b, &t, T0, &opts, &f);
	assert_int_equal(f.source, FC_NONE);
	fc_history_unref(h);
}

static void test_rerun(void **state)
{
	static const int durs[] = { 5, 6, 7, 8, 9, 10, 30 };
	struct fc_history *h = history(durs, 7, 0);
	struct batch t = running_at(T0, T0 + 30 * MIN);
	struct biller b = biller1(&t);
	struct forecast_opts o = opts;
	struct fc_rerun r;

	(void)state;
	forecast_rerun(h, &b, &t, 1, T0, T0 + 20 * MIN, &o, &r);
	assert_int_equal(r.source, FC_BILLER);
	assert_false(r.from_reruns);
	assert_true(r.p50 == 8 * MIN);
	assert_true(r.p_miss > 0.14 && r.p_miss < 0.15);	/* 1 of 7 */
	forecast_rerun(h, &b, &t, 2, T0, T0 + 19 * MIN, &o, &r);
	assert_true(r.p50 == 16 * MIN);
	assert_true(r.p_miss > 0.28 && r.p_miss < 0.29);	/* 2x10, 2x30 */
	o.stale_ms = 5 * MIN;
	forecast_rerun(h, &b, &t, 1, T0 + 6 * MIN, T0 + 20 * MIN, &o, &r);
	assert_true(r.stale);
	fc_history_unref(h);

	h = fc_history_new(0, T0);
	for (int i = 0; i < 5; i++) {
		fc_history_add(h, "b1", "2026-10-01", "ach", "m", 0, 30 * MIN);
		fc_history_add_rerun(h, "b1", "ach", 3 * MIN);
	}
	fc_history_finish(h);
	forecast_rerun(h, &b, &t, 1, T0, T0 + 20 * MIN, &opts, &r);
	assert_true(r.from_reruns);
	assert_true(r.p50 == 3 * MIN);
	assert_true(r.p_miss == 0);
	fc_history_unref(h);
}

static void test_recent_keeps_order(void **state)
{
	static const int durs[] = { 9, 3, 7, 1, 5 };
	struct fc_history *h = history(durs, 5, 0);
	fc_ms ms[8];

	(void)state;
	assert_int_equal(fc_history_recent(h, "b1", "ach", ms, 8), 5);
	assert_true(ms[0] == 9 * MIN && ms[4] == 5 * MIN);
	assert_int_equal(fc_history_recent(h, "b1", "card", ms, 8), 0);
	/* Ids are keys byte for byte: a look-alike is another biller. */
	assert_int_equal(fc_history_recent(h, "b1\u200b", "ach", ms, 8), 0);
	assert_int_equal(fc_history_closes(h), 5);
	fc_history_unref(h);
}

/* The order added is rebuilt from the sorted closes and each one's place
 * among them, a byte, two or four of it by the biller's count: around
 * each width's limit, with equal durations, before and after finish, the
 * whole order and its last few. */
static void test_recent_order_any_count(void **state)
{
	static const size_t counts[] = { 1, 256, 257, 65536, 65537 };
	static fc_ms ms[65537];

	(void)state;
	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
		size_t n = counts[c];
		struct fc_history *h = fc_history_new(0, T0);
		struct fc_dist dur, delay;
		int64_t sum = 0;

		for (size_t i = 0; i < n; i++)	/* 0..996 s, many alike */
			fc_history_add(h, "b1", "2026-10-01", "ach", "m", 0,
				       (int64_t)(i * 7919 % 997) * SEC);
		assert_int_equal(fc_history_recent(h, "b1", "ach", ms, n), n);
		assert_true(ms[n - 1] == (int64_t)((n - 1) * 7919 % 997) * SEC);
		fc_history_finish(h);
		assert_int_equal(fc_history_recent(h, "b1", "ach", ms, n), n);
		for (size_t i = 0; i < n; i++)
			if (ms[i] != (int64_t)(i * 7919 % 997) * SEC)
				fail_msg("%zu closes: close %zu is %d", n, i, ms[i]);
		assert_int_equal(fc_history_recent(h, "b1", "ach", ms, 3),
				 n < 3 ? n : 3);
		if (n >= 3)
			assert_true(ms[0] == (int64_t)((n - 3) * 7919 % 997) * SEC &&
				    ms[2] == (int64_t)((n - 1) * 7919 % 997) * SEC);
		/* And the same closes, sorted, for the forecasts. */
		assert_int_equal(fc_history_pick(h, "b1", "ach", "m", 1, &dur,
						 &delay), n < FC_MIN_CLOSES
				 ? FC_NONE : FC_BILLER);
		if (n >= FC_MIN_CLOSES) {
			assert_int_equal(dur.n, n);
			for (size_t i = 0; i < n; i++) {
				sum += dur.ms[i] - (int64_t)(i * 7919 % 997) * SEC;
				assert_true(i == 0 || dur.ms[i - 1] <= dur.ms[i]);
			}
			assert_true(sum == 0);
		}
		fc_history_unref(h);
	}
}

/* 32-bit ms: a close of 30 days (past the 24.8 a history holds) is
 * clamped, so it stays the longest and a miss, never wrapped into a short
 * one; a start delay likewise on the early side; a forecast adds it to
 * times in 64 bits, and quantiles between the extremes do not overflow. */
static void test_out_of_range_clamped(void **state)
{
	static const fc_ms wide[] = { -FC_MS_MAX, FC_MS_MAX };
	struct fc_dist w = { wide, 2 }, dur, delay;
	struct fc_history *h = fc_history_new(0, T0);
	struct batch t = running_at(T0, T0 + 45 * MIN);
	struct biller b = biller1(&t);
	struct forecast f;
	fc_ms ms[8];

	(void)state;
	assert_true(fc_ms_clamp(30 * 24 * 60 * MIN) == FC_MS_MAX);
	assert_true(fc_ms_clamp(INT64_MAX) == FC_MS_MAX);
	assert_true(fc_ms_clamp(INT64_MIN + 1) == -FC_MS_MAX);
	assert_true(fc_ms_clamp(-5) == -5 && fc_ms_clamp(FC_MS_MAX) == FC_MS_MAX);
	assert_true(fc_quantile(&w, 0.5) == 0);
	for (int i = 0; i < 5; i++)
		fc_history_add(h, "b1", "2026-10-01", "ach", "m", 0, 10 * MIN);
	fc_history_add(h, "b1", "2026-10-02", "ach", "m",
		       -30 * 24 * 60 * MIN, 30 * 24 * 60 * MIN);
	fc_history_finish(h);
	assert_int_equal(fc_history_recent(h, "b1", "ach", ms, 8), 6);
	assert_true(ms[5] == FC_MS_MAX);
	assert_int_equal(fc_history_pick(h, "b1", "ach", "m", 1, &dur, &delay),
			 FC_BILLER);
	assert_true(dur.ms[0] == 10 * MIN && dur.ms[5] == FC_MS_MAX);
	assert_true(delay.ms[0] == -FC_MS_MAX && delay.ms[5] == 0);
	/* Running 20 minutes: only the long one is longer; a sure miss, its
	 * ETA the start plus the clamped duration. */
	forecast_batch(h, &b, &t, T0 + 20 * MIN, &opts, &f);
	assert_int_equal(f.longer, 1);
	assert_true(f.p_miss == 1);
	assert_true(f.eta_p50 == T0 + FC_MS_MAX);
	fc_history_unref(h);
}

/* A pool larger than FC_POOL_MAX keeps its quantiles. */
static void test_pool_thinning(void **state)
{
	struct fc_history *h = fc_history_new(0, T0);
	struct fc_dist dur, delay;

	(void)state;
	for (int i = 0; i < 1001; i++) {
		char id[16];

		snprintf(id, sizeof id, "c%d", i);
		fc_history_add(h, id, "2026-10-01", "ach", "m", 0, i * SEC);
	}
	fc_history_finish(h);
	assert_int_equal(fc_history_pick(h, "nobody", "ach", "m", 1, &dur,
					 &delay), FC_MODULE);
	assert_int_equal(dur.n, FC_POOL_MAX);
	assert_true(dur.ms[0] == 0 && dur.ms[dur.n - 1] == 1000 * SEC);
	assert_true(fc_quantile(&dur, 0.5) > 495 * SEC &&
		    fc_quantile(&dur, 0.5) < 505 * SEC);
	fc_history_unref(h);
}

/* The memo answers exactly what forecast_miss() would, second by second,
 * for running and scheduled closes, also when a close changes under the
 * same id (it starts) and when ids fight over a slot.  An answer it had
 * keeps until when the thresholds' answers hold (decide_until, never
 * later than a fresh forecast says), not only until valid_until, and its
 * counts say which answers it had. */
static void test_memo_agrees(void **state)
{
	static const int durs[] = { 10, 20, 25, 30, 35, 40, 41, 42, 44, 60 };
	struct fc_history *h = history(durs, 10, 3);
	struct fc_memo *m = fc_memo_new(96);	/* 96 slots: collisions */
	char ids[100][8];
	struct batch t[100];
	struct biller b;
	struct forecast f, g;
	struct fc_memo_counts c0, c1;
	size_t asked = 0, hits_longer = 0;

	(void)state;
	assert_non_null(m);
	for (int i = 0; i < 100; i++) {
		snprintf(ids[i], sizeof ids[i], "x%d", i);
		t[i] = running_at(T0 - i * MIN, T0 + 45 * MIN - i * MIN);
		t[i].batch_id = ids[i];
		if (i % 2) {
			t[i].state = BATCH_SCHEDULED;
			t[i].scheduled_at = T0 + (i - 50) * MIN;
			t[i].deadline_at = t[i].scheduled_at + 45 * MIN;
			t[i].started_at = BT_NO_TIME;
		}
	}
	b = biller1(t);
	for (int64_t now = T0; now < T0 + 90 * MIN; now += 20 * SEC) {
		if (now == T0 + 30 * MIN) {	/* x1 starts */
			t[1].state = BATCH_RUNNING;
			t[1].started_at = now;
		}
		for (int i = 0; i < 100; i++) {
			forecast_miss(h, &b, &t[i], now, &opts, &f);
			c0 = fc_memo_counts(m);
			forecast_miss_memo(m, h, &b, &t[i], now, &opts, &g);
			c1 = fc_memo_counts(m);
			asked++;
			assert_int_equal(g.source, f.source);
			/* To the bit: a threshold decides the same. */
			assert_true(g.p_miss == f.p_miss);
			assert_int_equal(g.closes, f.closes);
			assert_true(g.valid_until == f.valid_until);
			assert_true(g.decide_until >= g.valid_until);
			assert_true(g.decide_until <= f.decide_until);
			assert_int_equal(c1.hits + c1.absent + c1.expired,
					 c0.hits + c0.absent + c0.expired + 1);
			hits_longer += c1.hits > c0.hits &&
				       g.decide_until > g.valid_until;
		}
	}
	c1 = fc_memo_counts(m);
	assert_int_equal(c1.hits + c1.absent + c1.expired, asked);
	assert_true(c1.hits > 0 && c1.absent > 0 && c1.expired > 0);
	assert_int_equal(c1.above, 0);
	assert_true(hits_longer > 0);
	fc_memo_free(m);
	fc_history_unref(h);
}

/* forecast_until_above() through a memo: its first answer is the one
 * made without, a remembered one is given only before it runs out, and
 * every answer holds: before it, a close below pm stays below (checked
 * every 20 s of an hour and a half). */
static void test_memo_until_above(void **state)
{
	static const int durs[] = { 10, 20, 25, 30, 35, 40, 41, 42, 44, 60 };
	static const int pms[] = { 100, 300, 500, 800 };
	struct fc_history *h = history(durs, 10, 3);
	struct forecast_opts with = opts, without = opts;
	char ids[40][8];
	struct batch t[40];
	struct biller b;
	int64_t last[40][4] = { { 0 } };
	struct fc_memo_counts c;

	(void)state;
	with.memo = fc_memo_new(4096);
	without.memo = NULL;
	assert_non_null(with.memo);
	for (int i = 0; i < 40; i++) {
		snprintf(ids[i], sizeof ids[i], "y%d", i);
		t[i] = running_at(T0 - i * MIN, T0 + 45 * MIN - i * MIN);
		t[i].batch_id = ids[i];
		if (i % 2) {
			t[i].state = BATCH_SCHEDULED;
			t[i].scheduled_at = T0 + (i - 20) * MIN;
			t[i].deadline_at = t[i].scheduled_at + 45 * MIN;
			t[i].started_at = BT_NO_TIME;
		}
	}
	b = biller1(t);
	for (int64_t now = T0; now < T0 + 90 * MIN; now += 20 * SEC) {
		for (int i = 0; i < 40; i++)
			for (int k = 0; k < 4; k++) {
				int64_t um = forecast_until_above(h, &b, &t[i], now,
								  &with, pms[k]);
				int64_t uf = forecast_until_above(h, &b, &t[i], now,
								  &without, pms[k]);

				assert_true(um > now);
				/* New, or run out: made now, as without. */
				if (last[i][k] <= now)
					assert_true(um == uf);
				else
					assert_true(um == last[i][k]);
				last[i][k] = um;
			}
	}
	/* Soundness, afresh: from each instant, below pm until the answer. */
	for (int i = 0; i < 40; i++)
		for (int k = 0; k < 4; k++)
			for (int64_t now = T0; now < T0 + 90 * MIN; now += 5 * MIN) {
				int64_t u = forecast_until_above(h, &b, &t[i], now,
								 &without, pms[k]);
				struct forecast f;

				forecast_miss(h, &b, &t[i], now, &without, &f);
				if (f.source == FC_NONE || f.p_miss < 0 ||
				    (int)(f.p_miss * 1000) >= pms[k])
					continue;
				for (int64_t x = now; x < u && x < T0 + 90 * MIN;
				     x += 20 * SEC) {
					forecast_miss(h, &b, &t[i], x, &without, &f);
					assert_true(f.p_miss < 0 ||
						    (int)(f.p_miss * 1000) < pms[k]);
				}
			}
	c = fc_memo_counts(with.memo);
	print_message("until_above: %llu remembered, %llu made\n", (unsigned long long)c.above_hits, (unsigned long long)c.above);
	assert_true(c.above_hits > 0 && c.above > 0);
	assert_int_equal(c.hits + c.absent + c.expired, 0);
	fc_memo_free(with.memo);
	fc_history_unref(h);
}

/* Until decide_until, a forecast at every instant its p_miss can change
 * at (each valid_until) answers forecast_at_risk() and
 * forecast_miss_likely() as the first did: for running closes started
 * at many times, and scheduled ones waiting past their time or not due
 * yet, from a history of spread durations and start delays.  And the
 * answers mostly hold longer than p_miss does (what the view gains). */
static void test_decide_until_holds(void **state)
{
	struct fc_history *h = fc_history_new(0, T0);
	size_t checked = 0, longer = 0;
	char day[16];

	(void)state;
	for (int i = 0; i < 40; i++) {
		snprintf(day, sizeof day, "2026-09-%02d", i % 30 + 1);
		fc_history_add(h, "b1", day, "ach", "m", (i * 37 % 300 - 30) * SEC,
			       (8 + i * 13 % 41) * MIN + i * 7 * SEC);
	}
	fc_history_finish(h);
	for (int i = 0; i < 120; i++) {
		struct batch t = running_at(T0 - i * 30 * SEC, T0 + 45 * MIN - i * 30 * SEC);
		struct biller b;
		struct forecast f0, f;
		int64_t dl;

		if (i % 2) {	/* scheduled, some of them waiting past it */
			t.state = BATCH_SCHEDULED;
			t.scheduled_at = T0 + (i - 60) * 20 * SEC;
			t.deadline_at = t.scheduled_at + (30 + i % 20) * MIN;
			t.started_at = BT_NO_TIME;
		}
		dl = t.deadline_at;
		b = biller1(&t);
		forecast_miss(h, &b, &t, T0, &opts, &f0);
		if (f0.source == FC_NONE || f0.p_miss < 0)
			continue;
		assert_true(f0.decide_until >= f0.valid_until);
		longer += f0.decide_until > f0.valid_until;
		for (int64_t now = T0; now < f0.decide_until && now < dl;) {
			forecast_miss(h, &b, &t, now, &opts, &f);
			assert_int_equal(forecast_at_risk(&f, &opts),
					 forecast_at_risk(&f0, &opts));
			assert_int_equal(forecast_miss_likely(&f, &opts),
					 forecast_miss_likely(&f0, &opts));
			checked++;
			now = f.valid_until > now ? f.valid_until : now + 1;
		}
	}
	print_message("%zu forecasts checked, %zu answers held past valid_until\n",
		      checked, longer);
	assert_true(checked > 200);
	assert_true(longer > 30);
	fc_history_unref(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_conditions_on_elapsed),
		cmocka_unit_test(test_beyond_history),
		cmocka_unit_test(test_tail_all_shorter_widens),
		cmocka_unit_test(test_tail_one_outlier_widens),
		cmocka_unit_test(test_thin_history_falls_back),
		cmocka_unit_test(test_dst_night_and_unknown_zone),
		cmocka_unit_test(test_deadlines),
		cmocka_unit_test(test_rerun),
		cmocka_unit_test(test_recent_keeps_order),
		cmocka_unit_test(test_recent_order_any_count),
		cmocka_unit_test(test_out_of_range_clamped),
		cmocka_unit_test(test_pool_thinning),
		cmocka_unit_test(test_memo_agrees),
		cmocka_unit_test(test_decide_until_holds),
		cmocka_unit_test(test_memo_until_above),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
