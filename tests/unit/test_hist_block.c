/*
 * test_hist_block.c - a finished forecast history laid out in one block
 * (core/hist_block.c, through core/forecast.h): keys stay byte for byte
 * and of their own kind, counts of any size come back, the order closes
 * were added in survives, and the block costs what it should.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/forecast.h"

#define MIN (60 * 1000LL)
#define SEC 1000LL

/* n closes of biller id (type, module), the k-th lasting dur0 + k
 * minutes and starting k seconds late. */
static void closes(struct fc_history *h, const char *id, const char *type,
		   const char *module, int dur0, int n)
{
	char day[16];

	for (int k = 0; k < n; k++) {
		snprintf(day, sizeof day, "2026-10-%02d", k % 28 + 1);
		fc_history_add(h, id, day, type, module, k * SEC,
			       (dur0 + k) * MIN);
	}
}

static void no_answers(const struct fc_history *h, const char *id)
{
	struct fc_dist dur, delay;
	fc_ms ms[4];

	assert_int_equal(fc_history_pick(h, id, "ach", "m", 3, &dur, &delay),
			 FC_NONE);
	assert_null(dur.ms);
	assert_null(delay.ms);
	assert_int_equal(fc_history_wider(h, FC_BILLER, id, "ach", "m", 3, &dur),
			 FC_NONE);
	assert_false(fc_history_reruns(h, id, "ach", &dur));
	assert_int_equal(fc_history_recent(h, id, "ach", ms, 4), 0);
}

/* Finished with nothing in it: no answers, and next to no memory. */
static void test_empty(void **state)
{
	struct fc_history *h = fc_history_new(3, 1000);

	(void)state;
	fc_history_finish(h);
	fc_history_finish(h);	/* twice: nothing */
	no_answers(h, "b1");
	no_answers(h, "");
	assert_int_equal(fc_history_closes(h), 0);
	assert_int_equal(fc_history_shard(h), 3);
	assert_true(fc_history_bytes(h) < 512);
	fc_history_unref(h);
}

/* A module named as a biller is another key: each kind finds its own. */
static void test_module_named_like_biller(void **state)
{
	struct fc_history *h = fc_history_new(0, 1000);
	struct fc_dist dur, delay;
	fc_ms ms[8];

	(void)state;
	closes(h, "x", "ach", "m", 10, 5);	/* biller x: 10..14 min */
	closes(h, "y", "ach", "x", 30, 6);	/* module x: 30..35 min */
	fc_history_finish(h);
	assert_int_equal(fc_history_pick(h, "x", "ach", "x", 1, &dur, &delay),
			 FC_BILLER);
	assert_int_equal(dur.n, 5);
	assert_true(dur.ms[0] == 10 * MIN);
	assert_int_equal(fc_history_wider(h, FC_BILLER, "x", "ach", "x", 1,
					  &dur), FC_MODULE);
	assert_int_equal(dur.n, 6);
	assert_true(dur.ms[0] == 30 * MIN && dur.ms[5] == 35 * MIN);
	/* No biller "m", no module "y": the module x or nothing. */
	assert_int_equal(fc_history_pick(h, "m", "ach", "x", 0, &dur, &delay),
			 FC_MODULE);
	assert_int_equal(fc_history_pick(h, "z", "ach", "y", 0, &dur, &delay),
			 FC_NONE);
	assert_int_equal(fc_history_recent(h, "x", "ach", ms, 8), 5);
	assert_int_equal(fc_history_recent(h, "m", "ach", ms, 8), 0);
	fc_history_unref(h);
}

/* Ids and types of any length, empty ones among them, and ids one byte
 * apart (in the middle, at the end, a byte past ASCII, a longer copy):
 * every one its own key. */
static void test_byte_for_byte_keys(void **state)
{
	char *lng = malloc(20001), *lng2 = malloc(20001);
	const char *ids[] = { "", "b1", "b2", "B1", "b1 ", "b\xc3\xa9",
			      "b\xc3\xa8", "be\xcc\x81", NULL, NULL };
	size_t nid = sizeof ids / sizeof ids[0];
	struct fc_history *h = fc_history_new(0, 1000);
	struct fc_dist dur, delay;

	(void)state;
	memset(lng, 'q', 20000);
	lng[20000] = '\0';
	memcpy(lng2, lng, 20001);
	lng2[19999] = 'r';
	ids[nid - 2] = lng;
	ids[nid - 1] = lng2;
	for (size_t i = 0; i < nid; i++) {
		closes(h, ids[i], "ach", "m", (int)(10 * i + 1), 5);
		closes(h, ids[i], "", "m", (int)(10 * i + 2), 6);
	}
	closes(h, "t", lng, lng2, 7, 5);	/* a long type and module */
	fc_history_finish(h);
	for (size_t i = 0; i < nid; i++) {
		assert_int_equal(fc_history_pick(h, ids[i], "ach", "none", 0,
						 &dur, &delay), FC_BILLER);
		assert_int_equal(dur.n, 5);
		assert_true(dur.ms[0] == (int64_t)(10 * i + 1) * MIN);
		/* NULL and "" are one payment type. */
		assert_int_equal(fc_history_pick(h, ids[i], NULL, "none", 0,
						 &dur, &delay), FC_BILLER);
		assert_int_equal(dur.n, 6);
		assert_true(dur.ms[0] == (int64_t)(10 * i + 2) * MIN);
	}
	assert_int_equal(fc_history_pick(h, "b3", "ach", "none", 0, &dur,
					 &delay), FC_NONE);
	lng2[19999] = 's';
	assert_int_equal(fc_history_pick(h, lng2, "ach", "none", 0, &dur,
					 &delay), FC_NONE);
	assert_int_equal(fc_history_pick(h, "t", lng, "m", 0, &dur, &delay),
			 FC_BILLER);
	assert_int_equal(fc_history_pick(h, "u", lng, lng, 0, &dur, &delay),
			 FC_NONE);
	lng2[19999] = 'r';
	assert_int_equal(fc_history_pick(h, "u", lng, lng2, 0, &dur, &delay),
			 FC_MODULE);
	assert_true(dur.ms[0] == 7 * MIN);
	fc_history_unref(h);
	free(lng);
	free(lng2);
}

/* Thousands of billers: the index of the block holds each, apart. */
static void test_many_billers(void **state)
{
	enum { N = 6000 };
	struct fc_history *h = fc_history_new(0, 1000);
	struct fc_dist dur, delay;
	char id[32];
	fc_ms ms[8];

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof id, "biller-%d", i);
		closes(h, id, i % 2 ? "ach" : "card", "m", i % 50, 3 + i % 4);
	}
	fc_history_finish(h);
	for (int i = 0; i < N; i++) {
		int n = 3 + i % 4;

		snprintf(id, sizeof id, "biller-%d", i);
		assert_int_equal(fc_history_recent(h, id, i % 2 ? "ach" : "card",
						   ms, 8), n);
		for (int k = 0; k < n; k++)
			assert_true(ms[k] == (int64_t)(i % 50 + k) * MIN);
		assert_int_equal(fc_history_recent(h, id, i % 2 ? "card" : "ach",
						   ms, 8), 0);
		assert_int_equal(fc_history_pick(h, id, i % 2 ? "ach" : "card",
						 "none", 0, &dur, &delay),
				 n >= FC_MIN_CLOSES ? FC_BILLER : FC_NONE);
		if (n >= FC_MIN_CLOSES)
			assert_true(dur.n == (size_t)n && delay.n == (size_t)n &&
				    dur.ms[0] == (int64_t)(i % 50) * MIN &&
				    delay.ms[n - 1] == (int64_t)(n - 1) * SEC);
	}
	fc_history_unref(h);
}

/* More payment types than the block's table numbers (32,767): the rest
 * are named in full by their entries, and every one is still its own. */
static void test_many_types(void **state)
{
	enum { N = 33000 };
	struct fc_history *h = fc_history_new(0, 1000);
	struct fc_dist dur, delay;
	char type[32];
	fc_ms ms[8];

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(type, sizeof type, "type-%d", i);
		closes(h, i % 2 ? "b1" : "b2", type, "m", i % 60, 1 + 5 * (i % 2));
	}
	fc_history_finish(h);
	for (int i = 0; i < N; i++) {
		snprintf(type, sizeof type, "type-%d", i);
		assert_int_equal(fc_history_recent(h, i % 2 ? "b1" : "b2", type,
						   ms, 8), 1 + 5 * (i % 2));
		assert_true(ms[0] == (int64_t)(i % 60) * MIN);
		assert_int_equal(fc_history_recent(h, i % 2 ? "b2" : "b1", type,
						   ms, 8), 0);
		assert_int_equal(fc_history_pick(h, "b1", type, "none", 0, &dur,
						 &delay), i % 2 ? FC_BILLER : FC_NONE);
	}
	/* The module and its pools of every type, found by kind. */
	assert_int_equal(fc_history_pick(h, "b3", "type-32999", "m", 0, &dur,
					 &delay), FC_MODULE);
	assert_true(dur.n == 6 && dur.ms[0] == (32999 % 60) * MIN);
	fc_history_unref(h);
}

/* Counts past the entry's small form (255 closes or delays): closes with
 * no delay, delays with no close, both many. */
static void test_wide_counts(void **state)
{
	struct fc_history *h = fc_history_new(0, 1000);
	struct fc_dist dur, delay;
	static fc_ms ms[400];

	(void)state;
	for (int k = 0; k < 300; k++) {
		fc_history_add(h, "many", "d", "ach", NULL, k * SEC,
			       (300 - k) * SEC);
		fc_history_add(h, "nodelay", "d", "ach", NULL, BT_NO_TIME,
			       k * SEC);
		fc_history_add(h, "nodur", "d", "ach", NULL, k * SEC, -1);
	}
	for (int k = 0; k < 254; k++)	/* the small form's most */
		fc_history_add(h, "edge", "d", "ach", NULL, k * SEC, k * SEC);
	fc_history_finish(h);
	assert_int_equal(fc_history_pick(h, "many", "ach", NULL, 0, &dur,
					 &delay), FC_BILLER);
	assert_true(dur.n == 300 && delay.n == 300);
	assert_true(dur.ms[0] == SEC && delay.ms[299] == 299 * SEC);
	assert_int_equal(fc_history_recent(h, "many", "ach", ms, 400), 300);
	assert_true(ms[0] == 300 * SEC && ms[299] == SEC);
	assert_int_equal(fc_history_pick(h, "nodelay", "ach", NULL, 0, &dur,
					 &delay), FC_BILLER);
	assert_true(dur.n == 300 && delay.n == 0 && !delay.ms);
	assert_int_equal(fc_history_pick(h, "nodur", "ach", NULL, 0, &dur,
					 &delay), FC_NONE);
	assert_int_equal(fc_history_recent(h, "nodur", "ach", ms, 400), 0);
	assert_int_equal(fc_history_pick(h, "edge", "ach", NULL, 0, &dur,
					 &delay), FC_BILLER);
	assert_true(dur.n == 254 && delay.n == 254 && dur.ms[253] == 253 * SEC);
	assert_int_equal(fc_history_recent(h, "edge", "ach", ms, 400), 254);
	assert_true(ms[100] == 100 * SEC);
	fc_history_unref(h);
}

/* Reruns: enough, too few, none, and a biller with reruns and no closes;
 * more than the counts' small form holds, too. */
static void test_reruns(void **state)
{
	struct fc_history *h = fc_history_new(0, 1000);
	struct fc_dist d, delay;

	(void)state;
	closes(h, "r5", "ach", "m", 10, 5);
	closes(h, "r4", "ach", "m", 10, 5);
	closes(h, "r0", "ach", "m", 10, 5);
	for (int k = 0; k < 5; k++)
		fc_history_add_rerun(h, "r5", "ach", (9 - k) * MIN);
	for (int k = 0; k < 4; k++)
		fc_history_add_rerun(h, "r4", "ach", k * MIN);
	for (int k = 0; k < 300; k++)
		fc_history_add_rerun(h, "only", "ach", (300 - k) * SEC);
	fc_history_add_rerun(h, "r5", "ach", -1);	/* unknown: dropped */
	fc_history_finish(h);
	assert_true(fc_history_reruns(h, "r5", "ach", &d));
	assert_int_equal(d.n, 5);
	assert_true(d.ms[0] == 5 * MIN && d.ms[4] == 9 * MIN);
	assert_false(fc_history_reruns(h, "r4", "ach", &d));
	assert_null(d.ms);
	assert_false(fc_history_reruns(h, "r0", "ach", &d));
	assert_false(fc_history_reruns(h, "r5", "card", &d));
	assert_true(fc_history_reruns(h, "only", "ach", &d));
	assert_int_equal(d.n, 300);
	assert_true(d.ms[0] == SEC && d.ms[299] == 300 * SEC);
	assert_int_equal(fc_history_pick(h, "only", "ach", "none", 0, &d,
					 &delay), FC_NONE);
	/* The reruns beside the closes leave the closes as they were. */
	assert_int_equal(fc_history_pick(h, "r5", "ach", "none", 0, &d,
					 &delay), FC_BILLER);
	assert_true(d.n == 5 && d.ms[0] == 10 * MIN && delay.n == 5);
	fc_history_unref(h);
}

/* The order added, for a thin biller (kept as added) and one forecast
 * from (kept sorted with each close's place), before and after finish. */
static void test_recent_order(void **state)
{
	static const int thin[] = { 9, 3, 7 }, rich[] = { 9, 3, 7, 1, 5, 3, 8 };
	struct fc_history *h = fc_history_new(0, 1000);
	fc_ms ms[8];

	(void)state;
	for (size_t k = 0; k < 3; k++)
		fc_history_add(h, "thin", "d", "ach", "m", 0, thin[k] * MIN);
	for (size_t k = 0; k < 7; k++)
		fc_history_add(h, "rich", "d", "ach", "m", 0, rich[k] * MIN);
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(fc_history_recent(h, "thin", "ach", ms, 8), 3);
		for (size_t k = 0; k < 3; k++)
			assert_true(ms[k] == thin[k] * MIN);
		assert_int_equal(fc_history_recent(h, "rich", "ach", ms, 8), 7);
		for (size_t k = 0; k < 7; k++)
			assert_true(ms[k] == rich[k] * MIN);
		assert_int_equal(fc_history_recent(h, "rich", "ach", ms, 2), 2);
		assert_true(ms[0] == 3 * MIN && ms[1] == 8 * MIN);
		assert_int_equal(fc_history_recent(h, "thin", "ach", ms, 1), 1);
		assert_true(ms[0] == 7 * MIN);
		fc_history_finish(h);
	}
	fc_history_unref(h);
}

/* A shard as bench-fleet's (bench/bench_hist.c --fleet): 1,000 billers,
 * two business days, one to three of ten (payment type, module) pairs a
 * biller, a close a pair a day.  What it must hold: 14 bytes of id a
 * biller (14 KB); each close's duration, 4 bytes (about 4,000 closes,
 * 16 KB: thin billers keep no delays); ten module pools of up to 256
 * durations and 256 delays (20 KB); two size classes' pools alike (4 KB);
 * about 1,330 entries of 12 bytes (16 KB) and their index, 2 bytes a
 * slot, three quarters full (3.5 KB): 73.5 KB.  So 80,000 bytes (the
 * history's own struct, 0.4 KB, and a margin for the draw) is a bound
 * the layout keeps and the growing one (209 KB) did not. */
static void test_bytes_bound(void **state)
{
	static const char *const mods[] = { "autopay", "paperless", "ivr",
					    "walk-in", "portal" };
	struct fc_history *h = fc_history_new(0, 1000);
	unsigned x = 12345;
	char id[32], day[16];
	size_t grown;

	(void)state;
	for (int b = 0; b < 1000; b++) {
		int np = (b % 3 + (b % 7 == 0)) % 3, pair[3] = { b % 10, (b + 2) % 10,
							        (b + 5) % 10 };

		snprintf(id, sizeof id, "bfl_tmpl-b%03d", b + 1);
		for (int d = 0; d < 2; d++)
			for (int k = 0; k <= np; k++) {
				x = x * 1103515245u + 12345u;
				snprintf(day, sizeof day, "2026-11-%02d", 10 + d);
				fc_history_add(h, id, day,
					       pair[k] % 2 ? "ach" : "card",
					       mods[pair[k] / 2], x % 120000,
					       60000 + (x >> 8) % 3000000);
			}
	}
	grown = fc_history_bytes(h);
	fc_history_finish(h);
	assert_true(fc_history_closes(h) >= 3700);
	if (fc_history_bytes(h) > 80000 || fc_history_bytes(h) * 2 > grown)
		fail_msg("a fleet shard holds %zu bytes (%zu while filling)",
			 fc_history_bytes(h), grown);
	fc_history_unref(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_module_named_like_biller),
		cmocka_unit_test(test_byte_for_byte_keys),
		cmocka_unit_test(test_many_billers),
		cmocka_unit_test(test_many_types),
		cmocka_unit_test(test_wide_counts),
		cmocka_unit_test(test_reruns),
		cmocka_unit_test(test_recent_order),
		cmocka_unit_test(test_bytes_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
