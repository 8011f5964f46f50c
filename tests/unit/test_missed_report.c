/*
 * test_missed_report.c - the "missed the hour" aggregation: periods take
 * their buckets and the shorter ones, groups add up across shards, billers
 * of two shards stay apart, and every sort order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/missed_report.h"

#define T(shard, bucket, type, module, closes, missed) \
	{ shard, shard ? "west" : "east", bucket, type, module, NULL, "", closes, missed }
#define B(shard, bucket, type, module, id, name, closes, missed) \
	{ shard, shard ? "west" : "east", bucket, type, module, id, name, closes, missed }

/* Two shards.  Tonight (bucket 0): east card/autopay 10 closes, 2 missed
 * (Acme 1, Bolt 1); west card/portal 5, 1 (Acme of west 1).  Within 7
 * days (bucket 1): east ach/autopay 20, 3 (Bolt 3).  Within 30 (bucket
 * 2): east card/autopay 40, 4 (Cato 4). */
static const struct missed_row rows[] = {
	T(0, 0, "card", "autopay", 10, 2),
	T(1, 0, "card", "portal", 5, 1),
	T(0, 1, "ach", "autopay", 20, 3),
	T(0, 2, "card", "autopay", 40, 4),
	B(0, 0, "card", "autopay", "e-acme", "Acme", 3, 1),
	B(0, 0, "card", "autopay", "e-bolt", "Bolt", 4, 1),
	B(1, 0, "card", "portal", "e-acme", "Acme", 5, 1),
	B(0, 1, "ach", "autopay", "e-bolt", "Bolt", 6, 3),
	B(0, 2, "card", "autopay", "e-cato", "Cato", 7, 4),
	/* A biller that missed only in the 30 days, seen tonight too. */
	B(0, 0, "card", "autopay", "e-cato", "Cato", 2, 0),
};
#define NROWS (sizeof rows / sizeof rows[0])

static const struct missed_group *group(const struct missed_report *r,
					const char *label)
{
	for (size_t i = 0; i < r->ngroups; i++)
		if (!strcmp(r->groups[i].label, label))
			return &r->groups[i];
	fail_msg("no group %s", label);
	return NULL;
}

static void test_tonight_by_type(void **state)
{
	struct missed_report r;
	const struct missed_group *g;

	missed_report_build(&r, rows, NROWS, MISSED_TONIGHT, MISSED_BY_TYPE,
			    MISSED_SORT_COUNT, false);
	assert_int_equal(r.closes, 15);
	assert_int_equal(r.missed, 3);
	assert_int_equal(r.billers, 3);		/* Acme east, Bolt, Acme west */
	assert_int_equal(r.ngroups, 1);
	g = group(&r, "card");
	assert_int_equal(g->closes, 15);
	assert_int_equal(g->missed, 3);
	/* Cato missed nothing tonight: not listed. */
	assert_int_equal(g->nitems, 3);
	for (size_t i = 0; i < g->nitems; i++) {
		assert_int_equal(g->items[i].missed, 1);
		assert_string_not_equal(g->items[i].label, "Cato");
	}
	/* Equal counts: by name, then shard (east before west). */
	assert_string_equal(g->items[0].label, "Acme");
	assert_string_equal(g->items[0].shard_name, "east");
	assert_string_equal(g->items[1].label, "Acme");
	assert_string_equal(g->items[1].shard_name, "west");
	assert_string_equal(g->items[2].label, "Bolt");
	missed_report_free(&r);
}

/* A longer period takes its own bucket and every shorter one. */
static void test_periods_accumulate(void **state)
{
	struct missed_report r;
	const struct missed_group *g;

	missed_report_build(&r, rows, NROWS, MISSED_7D, MISSED_BY_TYPE,
			    MISSED_SORT_COUNT, false);
	assert_int_equal(r.closes, 35);
	assert_int_equal(r.missed, 6);
	assert_int_equal(r.ngroups, 2);
	assert_string_equal(r.groups[0].label, "ach");	/* 3 before 3: name */
	assert_string_equal(r.groups[1].label, "card");
	g = group(&r, "ach");
	assert_int_equal(g->nitems, 1);
	assert_string_equal(g->items[0].label, "Bolt");
	assert_int_equal(g->items[0].missed, 3);
	missed_report_free(&r);

	missed_report_build(&r, rows, NROWS, MISSED_30D, MISSED_BY_TYPE,
			    MISSED_SORT_COUNT, false);
	assert_int_equal(r.closes, 75);
	assert_int_equal(r.missed, 10);
	assert_int_equal(r.billers, 4);
	g = group(&r, "card");
	assert_int_equal(g->missed, 7);
	assert_string_equal(r.groups[0].label, "card");	/* most missed first */
	assert_string_equal(g->items[0].label, "Cato");	/* 4 */
	assert_int_equal(g->items[0].missed, 4);
	assert_int_equal(g->items[0].closes, 9);
	missed_report_free(&r);
}

static void test_by_module(void **state)
{
	struct missed_report r;

	missed_report_build(&r, rows, NROWS, MISSED_TONIGHT, MISSED_BY_MODULE,
			    MISSED_SORT_COUNT, false);
	assert_int_equal(r.ngroups, 2);
	assert_string_equal(r.groups[0].label, "autopay");
	assert_int_equal(r.groups[0].missed, 2);
	assert_int_equal(r.groups[0].nitems, 2);
	assert_string_equal(r.groups[1].label, "portal");
	assert_int_equal(r.groups[1].nitems, 1);
	assert_string_equal(r.groups[1].items[0].shard_name, "west");
	missed_report_free(&r);
}

/* Grouped by biller: one group per biller and shard, its pairs under it,
 * only billers that missed in the period. */
static void test_by_biller(void **state)
{
	struct missed_report r;
	const struct missed_group *g;

	missed_report_build(&r, rows, NROWS, MISSED_7D, MISSED_BY_BILLER,
			    MISSED_SORT_COUNT, false);
	assert_int_equal(r.ngroups, 3);
	assert_int_equal(r.billers, 3);
	g = &r.groups[0];
	assert_string_equal(g->label, "Bolt");
	assert_int_equal(g->missed, 4);
	assert_int_equal(g->closes, 10);
	assert_int_equal(g->nitems, 2);
	assert_string_equal(g->items[0].label, "ach/autopay");
	assert_string_equal(g->items[1].label, "card/autopay");
	assert_string_equal(r.groups[1].label, "Acme");
	assert_string_equal(r.groups[1].shard_name, "east");
	assert_string_equal(r.groups[2].label, "Acme");
	assert_string_equal(r.groups[2].shard_name, "west");
	missed_report_free(&r);
}

static void test_sorts(void **state)
{
	struct missed_report r;

	/* Rate: Cato 4/9 over Bolt 4/10 over Acme east 1/3 ... */
	missed_report_build(&r, rows, NROWS, MISSED_30D, MISSED_BY_BILLER,
			    MISSED_SORT_RATE, false);
	assert_string_equal(r.groups[0].label, "Cato");
	assert_string_equal(r.groups[1].label, "Bolt");
	missed_report_free(&r);

	missed_report_build(&r, rows, NROWS, MISSED_30D, MISSED_BY_BILLER,
			    MISSED_SORT_NAME, false);
	assert_string_equal(r.groups[0].label, "Acme");
	assert_string_equal(r.groups[r.ngroups - 1].label, "Cato");
	missed_report_free(&r);

	missed_report_build(&r, rows, NROWS, MISSED_30D, MISSED_BY_BILLER,
			    MISSED_SORT_NAME, true);
	assert_string_equal(r.groups[0].label, "Cato");
	missed_report_free(&r);

	/* Count reversed: fewest first. */
	missed_report_build(&r, rows, NROWS, MISSED_30D, MISSED_BY_BILLER,
			    MISSED_SORT_COUNT, true);
	assert_int_equal(r.groups[0].missed, 1);
	assert_int_equal(r.groups[r.ngroups - 1].missed, 4);
	missed_report_free(&r);
}

static void test_empty(void **state)
{
	struct missed_report r;

	missed_report_build(&r, NULL, 0, MISSED_TONIGHT, MISSED_BY_TYPE,
			    MISSED_SORT_COUNT, false);
	assert_int_equal(r.ngroups, 0);
	assert_int_equal(r.closes, 0);
	assert_int_equal(r.billers, 0);
	missed_report_free(&r);
	assert_string_equal(missed_period_name(MISSED_7D), "7 business days");
	assert_string_equal(missed_group_name(MISSED_BY_MODULE), "module");
	assert_string_equal(missed_sort_name(MISSED_SORT_RATE), "rate");
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tonight_by_type),
		cmocka_unit_test(test_periods_accumulate),
		cmocka_unit_test(test_by_module),
		cmocka_unit_test(test_by_biller),
		cmocka_unit_test(test_sorts),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
