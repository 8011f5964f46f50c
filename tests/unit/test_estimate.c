/*
 * test_estimate.c - the rerun dialog's payment-file estimate: the verdict
 * at each boundary (p90 and median against the time left, thin history,
 * several batches in a row) and the words it is said in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/estimate.h"

#define MIN (60 * 1000LL)
#define SEC 1000LL

static struct estimate_in in(int64_t left, int64_t median, int64_t p90,
			     long closes)
{
	return (struct estimate_in){ .left_ms = left, .median_ms = median,
				     .p90_ms = p90, .closes = closes,
				     .nbatches = 1 };
}

static void test_p90_boundary(void **state)
{
	struct estimate_in e = in(22 * MIN, 6 * MIN, 22 * MIN, 10);

	(void)state;
	assert_int_equal(estimate_verdict(&e), EST_MAKES);	/* p90 == left */
	e.p90_ms = 22 * MIN + 1;
	assert_int_equal(estimate_verdict(&e), EST_MAY_MISS);
}

static void test_median_boundary(void **state)
{
	struct estimate_in e = in(19 * MIN, 19 * MIN, 31 * MIN, 39);

	(void)state;
	assert_int_equal(estimate_verdict(&e), EST_MAY_MISS);	/* median == left */
	e.median_ms = 19 * MIN + 1;
	assert_int_equal(estimate_verdict(&e), EST_LIKELY_MISS);
}

/* The case: a median just under the time left is a coin flip,
 * never "should make it". */
static void test_coin_flip_is_not_good_news(void **state)
{
	struct estimate_in e = in(19 * MIN + 51 * SEC, 19 * MIN + 23 * SEC,
				  31 * MIN, 39);
	char buf[300];

	(void)state;
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_MAY_MISS);
	assert_string_equal(buf, "19:51 left: may not make it: median close "
			    "19:23, p90 31:00 (39 closes in 14 days)");
	assert_null(strstr(buf, "should"));
}

static void test_good_news_leads_with_p90(void **state)
{
	struct estimate_in e = in(22 * MIN, 6 * MIN, 9 * MIN, 10);
	char buf[300];

	(void)state;
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_MAKES);
	assert_string_equal(buf, "22:00 left: should make it: p90 9:00, median "
			    "close 6:00 (10 closes in 14 days)");
}

static void test_likely_miss_words(void **state)
{
	struct estimate_in e = in(5 * MIN, 6 * MIN, 9 * MIN, 10);
	char buf[300];

	(void)state;
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_LIKELY_MISS);
	assert_string_equal(buf, "5:00 left: LIKELY MISSES IT: median close "
			    "6:00, p90 9:00 (10 closes in 14 days)");
}

/* Batches rerun one after another: the spread is for all of them. */
static void test_batches_in_a_row(void **state)
{
	struct estimate_in e = in(13 * MIN, 6 * MIN, 7 * MIN, 10);
	char buf[300];

	(void)state;
	assert_int_equal(estimate_verdict(&e), EST_MAKES);
	e.nbatches = 2;
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_MAY_MISS);
	assert_string_equal(buf, "13:00 left: may not make it: median close "
			    "12:00, p90 14:00 for 2 batches in a row (10 closes "
			    "in 14 days)");
	e.nbatches = 3;
	assert_int_equal(estimate_verdict(&e), EST_LIKELY_MISS);
}

static void test_thin_history(void **state)
{
	struct estimate_in e = in(22 * MIN, 6 * MIN, 6 * MIN,
				  ESTIMATE_MIN_CLOSES - 1);
	char buf[300];

	(void)state;
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_THIN);
	assert_string_equal(buf, "22:00 left; too few closes to tell (4 in 14 "
			    "days, median close 6:00), so no estimate");
	e.closes = ESTIMATE_MIN_CLOSES;
	assert_int_equal(estimate_verdict(&e), EST_MAKES);
	e.p90_ms = -1;		/* no p90 sent: not a verdict either */
	assert_int_equal(estimate_verdict(&e), EST_THIN);
}

/* No history and history that could not be read are different things. */
static void test_no_history_vs_unread(void **state)
{
	struct estimate_in e = in(22 * MIN, -1, -1, 0);
	char buf[300];

	(void)state;
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_NO_HISTORY);
	assert_string_equal(buf, "22:00 left; no closed batch of this biller "
			    "in 14 days, so no estimate");
	e.unread = "connection refused";
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_UNREAD);
	assert_string_equal(buf, "22:00 left; the biller's history could not "
			    "be read (connection refused), so no estimate");
	assert_null(strstr(buf, "no closed batch"));
	e = in(22 * MIN, 6 * MIN, 9 * MIN, 10);
	e.asking = 1;
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_ASKING);
	assert_non_null(strstr(buf, "estimating"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_p90_boundary),
		cmocka_unit_test(test_median_boundary),
		cmocka_unit_test(test_coin_flip_is_not_good_news),
		cmocka_unit_test(test_good_news_leads_with_p90),
		cmocka_unit_test(test_likely_miss_words),
		cmocka_unit_test(test_batches_in_a_row),
		cmocka_unit_test(test_thin_history),
		cmocka_unit_test(test_no_history_vs_unread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
