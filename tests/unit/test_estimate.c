/*
 * test_estimate.c - the rerun dialog's payment-file verdict from the
 * forecast: its boundaries (at_risk and will_miss against P(miss)), no or
 * stale history said as such, several batches in a row, and the words:
 * "makes the 01:45 file (p95 9 min, 22 min left ...)", "may miss ...:
 * 50/50", "will miss ...: call Integrations".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/estimate.h"

#define MIN (60 * 1000LL)
#define SEC 1000LL
/* 2025-12-02 01:45:00 UTC */
#define FILE_AT 1764639900000LL

static struct fc_rerun fc(double p_miss, int64_t p50, int64_t p95)
{
	return (struct fc_rerun){ .source = FC_BILLER, .closes = 23,
				  .p50 = p50, .p95 = p95, .p_miss = p_miss };
}

static struct estimate_in in(const struct fc_rerun *r, int64_t left)
{
	return (struct estimate_in){ .fc = r, .left_ms = left,
				     .file_at = FILE_AT, .nbatches = 1,
				     .at_risk_pct = 30, .will_miss_pct = 90 };
}

static void test_boundaries(void **state)
{
	struct fc_rerun r = fc(0.29, 6 * MIN, 9 * MIN);
	struct estimate_in e = in(&r, 22 * MIN);

	(void)state;
	assert_int_equal(estimate_verdict(&e), EST_MAKES);
	r.p_miss = 0.30;
	assert_int_equal(estimate_verdict(&e), EST_MAY_MISS);
	r.p_miss = 0.89;
	assert_int_equal(estimate_verdict(&e), EST_MAY_MISS);
	r.p_miss = 0.90;
	assert_int_equal(estimate_verdict(&e), EST_WILL_MISS);
}

static void test_words(void **state)
{
	struct fc_rerun r = fc(0.05, 6 * MIN, 8 * MIN + 10 * SEC);
	struct estimate_in e = in(&r, 22 * MIN + 50 * SEC);
	char buf[300];

	(void)state;
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_MAKES);
	assert_string_equal(buf, "makes the 01:45 file (p95 9 min, 22 min left; "
			    "from 23 closes of this biller)");
	r = fc(0.5, 20 * MIN, 31 * MIN);
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_MAY_MISS);
	assert_non_null(strstr(buf, "may miss the 01:45 file: 50/50"));
	r = fc(0.34, 20 * MIN, 31 * MIN);
	estimate_words(&e, buf, sizeof buf);
	assert_non_null(strstr(buf, "may miss the 01:45 file: 1 in 3"));
	r = fc(0.95, 40 * MIN, 50 * MIN);
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_WILL_MISS);
	assert_non_null(strstr(buf, "will miss the 01:45 file: call Integrations"));
	assert_non_null(strstr(buf, "p50 40 min"));

	/* Reruns and pools say what they rest on. */
	r = fc(0.05, 6 * MIN, 8 * MIN);
	r.from_reruns = true;
	r.closes = 6;
	estimate_words(&e, buf, sizeof buf);
	assert_non_null(strstr(buf, "from 6 of its reruns"));
	r.from_reruns = false;
	r.source = FC_SIMILAR;
	estimate_words(&e, buf, sizeof buf);
	assert_non_null(strstr(buf, "closes of billers its size"));
}

/* No forecast is said as such, never as a verdict. */
static void test_missing_and_stale(void **state)
{
	struct fc_rerun r = fc(0.05, 6 * MIN, 8 * MIN);
	struct estimate_in e = in(NULL, 22 * MIN);
	char buf[300];

	(void)state;
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_ASKING);
	assert_non_null(strstr(buf, "has not been read yet, so no forecast"));
	e.unread = "connection refused";
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_STALE);
	assert_non_null(strstr(buf, "could not be read (connection refused)"));

	e = in(&r, 22 * MIN);
	r.stale = true;
	e.history_age_ms = 20 * MIN;
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_STALE);
	assert_non_null(strstr(buf, "the close history is 20m old"));
	assert_null(strstr(buf, "makes"));

	r = (struct fc_rerun){ .source = FC_NONE, .p_miss = -1,
			       .p50 = BT_NO_TIME, .p95 = BT_NO_TIME };
	assert_int_equal(estimate_words(&e, buf, sizeof buf), EST_NO_HISTORY);
	assert_non_null(strstr(buf, "too few closes"));
}

static void test_in_a_row_and_demo_clock(void **state)
{
	struct fc_rerun r = fc(0.05, 12 * MIN, 16 * MIN);
	struct estimate_in e = in(&r, 22 * MIN);
	char buf[300];

	(void)state;
	e.nbatches = 2;
	e.file_at = FILE_AT + 30 * SEC;		/* a demo's short period */
	estimate_words(&e, buf, sizeof buf);
	assert_non_null(strstr(buf, "makes the 01:45:30 file (p95 16 min for 2 in a row"));
	assert_string_equal(estimate_minutes(buf, sizeof buf, 40 * SEC + 1, true),
			    "41 s");
	assert_string_equal(estimate_minutes(buf, sizeof buf, 22 * MIN + 59 * SEC,
					     false), "22 min");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_missing_and_stale),
		cmocka_unit_test(test_in_a_row_and_demo_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
