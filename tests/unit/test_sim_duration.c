/*
 * test_sim_duration.c - the simulator's close-duration model (sim/duration.c):
 * larger billers take longer, loaded waves take longer, the noise is
 * centred with a tail of slow outliers, and a biller's size depends on
 * the seed and its id alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "sim/duration.h"

#define DRAWS 4000

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of DRAWS closes of a biller of `invoices` at `load`. */
static double median_close(int invoices, int load, uint64_t salt)
{
	static double d[DRAWS];
	struct rng r;

	rng_init(&r, 42 + salt);
	for (int i = 0; i < DRAWS; i++)
		d[i] = duration_base(invoices) * duration_load_factor(load) * duration_noise(&r);
	qsort(d, DRAWS, sizeof d[0], cmp_double);
	return d[DRAWS / 2];
}

static void test_larger_billers_take_longer(void **state)
{
	double prev = 0;

	(void)state;
	for (int n = 150; n <= 30000; n *= 2) {
		double m = median_close(n, 0, (uint64_t)n);

		assert_true(m > prev);
		prev = m;
	}
	/* From about 4 minutes to about half an hour, not seconds or hours. */
	assert_in_range((long)duration_base(150), 150, 300);
	assert_in_range((long)duration_base(30000), 1200, 2100);
	assert_true(median_close(20000, 0, 1) > 2.0 * median_close(300, 0, 2));
}

static void test_loaded_waves_take_longer(void **state)
{
	(void)state;
	/* Up to what the shard absorbs, no effect; then more, up to a cap. */
	for (int l = 0; l <= DURATION_LOAD_FREE; l++)
		assert_true(duration_load_factor(l) == 1.0);
	for (int l = DURATION_LOAD_FREE + 1; l < 40; l++) {
		assert_true(duration_load_factor(l) >= duration_load_factor(l - 1));
		assert_true(duration_load_factor(l) <= DURATION_LOAD_MAX);
	}
	assert_true(duration_load_factor(DURATION_LOAD_FREE + 10) > 1.5);
	assert_true(duration_load_factor(1000) == DURATION_LOAD_MAX);
	assert_true(median_close(1000, 14, 3) > 1.4 * median_close(1000, 2, 4));
}

static void test_noise_and_outliers(void **state)
{
	struct rng r;
	int slow = 0, below = 0;

	(void)state;
	rng_init(&r, 7);
	for (int i = 0; i < DRAWS; i++) {
		double f = duration_noise(&r);

		assert_true(f > 0.3 && f < 6.0);
		slow += f > 1.8;
		below += f < 1.0;
	}
	/* Centred near 1, with a few in a hundred far slower. */
	assert_in_range(below, DRAWS * 40 / 100, DRAWS * 55 / 100);
	assert_in_range(slow, DRAWS * 2 / 100, DRAWS * 10 / 100);
}

static void test_start_delays(void **state)
{
	struct rng r;
	int long_ones = 0;

	(void)state;
	rng_init(&r, 9);
	for (int i = 0; i < DRAWS; i++) {
		double d = duration_start_delay(&r);

		assert_true(d >= 10.0 && d <= 1100.0);
		long_ones += d > 300.0;
	}
	assert_in_range(long_ones, 1, DRAWS * 8 / 100);
}

static void test_sizes_are_keyed(void **state)
{
	int lo = 1 << 30, hi = 0, small = 0;

	(void)state;
	assert_int_equal(duration_invoices(1, "shard1-b001"), duration_invoices(1, "shard1-b001"));
	for (int i = 0; i < 500; i++) {
		char id[32];
		int n;

		snprintf(id, sizeof id, "shard1-b%03d", i);
		n = duration_invoices(1, id);
		lo = n < lo ? n : lo;
		hi = n > hi ? n : hi;
		small += n < 2000;
	}
	assert_in_range(lo, 150, 400);
	assert_in_range(hi, 10000, 30000);
	/* Most billers are small. */
	assert_true(small > 250);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_larger_billers_take_longer),
		cmocka_unit_test(test_loaded_waves_take_longer),
		cmocka_unit_test(test_noise_and_outliers),
		cmocka_unit_test(test_start_delays),
		cmocka_unit_test(test_sizes_are_keyed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
