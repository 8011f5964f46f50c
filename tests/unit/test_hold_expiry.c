/*
 * test_hold_expiry.c - the pure parts of placing and releasing holds:
 * the typed expiry (its forms, its refusals, and the wall-clock form
 * across both DST changes of a zone like America/Chicago), and the order
 * of a release plan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/hold_expiry.h"
#include "core/release_order.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

/* A Chicago-like zone in 2026: CST (-6h) until 2026-03-08 08:00 UTC,
 * CDT (-5h) until 2026-11-01 07:00 UTC, CST again after. */
#define SPRING (1772956800LL * SEC)
#define AUTUMN (1793516400LL * SEC)

static int chicago(int64_t t, void *ctx)
{
	(void)ctx;
	return t >= SPRING && t < AUTUMN ? -5 * 3600 : -6 * 3600;
}

static int fixed(int64_t t, void *ctx)
{
	(void)t;
	return *(int *)ctx;
}

static struct hold_expiry parsed(const char *s)
{
	struct hold_expiry e;
	char err[200];

	if (hold_expiry_parse(s, &e, err, sizeof err) != 0)
		fail_msg("\"%s\" refused: %s", s, err);
	return e;
}

static void test_parse_forms(void **state)
{
	(void)state;
	assert_int_equal(parsed("4h").kind, HOLD_EXPIRY_AFTER);
	assert_int_equal(parsed("4h").after_ms, 4 * HOUR);
	assert_int_equal(parsed("90m").after_ms, 90 * MIN);
	assert_int_equal(parsed(" 1h30m ").after_ms, 90 * MIN);
	assert_int_equal(parsed("2d").after_ms, 2 * DAY);
	assert_int_equal(parsed("1d2h").after_ms, DAY + 2 * HOUR);
	assert_int_equal(parsed("06:00").kind, HOLD_EXPIRY_CLOCK);
	assert_int_equal(parsed("6:05").hour, 6);
	assert_int_equal(parsed("6:05").minute, 5);
	assert_int_equal(parsed("23:59").hour, 23);
	assert_int_equal(parsed("").kind, HOLD_EXPIRY_NONE);
	assert_int_equal(parsed("  ").kind, HOLD_EXPIRY_NONE);
	assert_int_equal(parsed("none").kind, HOLD_EXPIRY_NONE);
	assert_int_equal(parsed("Never").kind, HOLD_EXPIRY_NONE);
}

static void test_parse_refusals(void **state)
{
	static const char *const bad[] = {
		"4x", "4", "h", "24:00", "6:60", "06:0", "006:00", "6:00pm",
		"30m1h", "1h1h", "0h", "0m", "31d", "-4h", "4 h", "1h30",
		"9999999h",
	};
	struct hold_expiry e;
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		err[0] = '\0';
		if (hold_expiry_parse(bad[i], &e, err, sizeof err) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_non_null(strstr(err, "say 4h"));
	}
}

static void test_after_is_real_time(void **state)
{
	struct hold_expiry e = parsed("4h");

	(void)state;
	/* Four real hours, even across the change. */
	assert_int_equal(hold_expiry_at(&e, SPRING - HOUR, chicago, NULL),
			 SPRING + 3 * HOUR);
	e = parsed("");
	assert_true(hold_expiry_at(&e, SPRING, NULL, NULL) == INT64_MIN);
}

static void test_clock_fixed_zone(void **state)
{
	int utc = 0, plus10 = 10 * 3600;
	int64_t day = 20000 * DAY;	/* 2024-10-04 00:00 UTC */
	struct hold_expiry six = parsed("06:00");

	(void)state;
	assert_int_equal(hold_expiry_at(&six, day + 5 * HOUR, fixed, &utc),
			 day + 6 * HOUR);
	assert_int_equal(hold_expiry_at(&six, day + 10 * HOUR, fixed, &utc),
			 day + DAY + 6 * HOUR);
	/* Exactly at 06:00 the next one is tomorrow's. */
	assert_int_equal(hold_expiry_at(&six, day + 6 * HOUR, fixed, &utc),
			 day + DAY + 6 * HOUR);
	/* UTC+10 at 20:00 UTC is 06:00 the next local day: 07:00 there is
	 * 21:00 UTC, 05:00 is a local day later. */
	struct hold_expiry seven = parsed("07:00"), five = parsed("05:00");

	assert_int_equal(hold_expiry_at(&seven, day + 20 * HOUR, fixed, &plus10),
			 day + 21 * HOUR);
	assert_int_equal(hold_expiry_at(&five, day + 20 * HOUR, fixed, &plus10),
			 day + DAY + 19 * HOUR);
}

static void test_clock_spring_forward(void **state)
{
	int64_t now = SPRING - 12 * HOUR;	/* 2026-03-07 14:00 CST */
	struct hold_expiry six = parsed("06:00"), skipped = parsed("02:30"),
			   one = parsed("01:30");

	(void)state;
	/* 06:00 CDT is 11:00 UTC; the offset of now (CST) would say 12:00. */
	assert_int_equal(hold_expiry_at(&six, now, chicago, NULL),
			 SPRING + 3 * HOUR);
	/* 02:30 never happens that night: the clocks jump from 02:00 to
	 * 03:00, and the hold expires when they do, 03:30 CDT = 08:30 UTC. */
	assert_int_equal(hold_expiry_at(&skipped, now, chicago, NULL),
			 SPRING + 30 * MIN);
	/* 01:30 CST, before the jump: 07:30 UTC. */
	assert_int_equal(hold_expiry_at(&one, now, chicago, NULL),
			 SPRING - 30 * MIN);
}

static void test_clock_fall_back(void **state)
{
	int64_t now = AUTUMN - 13 * HOUR;	/* 2026-10-31 13:00 CDT */
	struct hold_expiry six = parsed("06:00"), twice = parsed("01:30");
	char buf[32];

	(void)state;
	/* 06:00 CST is 12:00 UTC; the offset of now (CDT) would say 11:00. */
	assert_int_equal(hold_expiry_at(&six, now, chicago, NULL),
			 AUTUMN + 5 * HOUR);
	/* 01:30 happens twice (CDT, then CST): the first, 06:30 UTC. */
	assert_int_equal(hold_expiry_at(&twice, now, chicago, NULL),
			 AUTUMN - 30 * MIN);
	/* Drawn on the biller's clock, a day later than now there. */
	assert_string_equal(hold_expiry_clock(buf, sizeof buf, AUTUMN + 5 * HOUR,
					      now, chicago(AUTUMN + 5 * HOUR,
							   NULL)), "06:00 +1d");
	assert_string_equal(hold_expiry_clock(buf, sizeof buf, now + HOUR, now,
					      -5 * 3600), "14:00");
}

#define NT INT64_MIN

static void orders(const struct release_key *k, size_t n, enum release_by by,
		   const char *want)
{
	size_t idx[16];
	char got[64] = "";

	release_order(k, n, by, idx);
	for (size_t i = 0; i < n; i++) {
		strcat(got, k[idx[i]].hold_id);
		if (i + 1 < n)
			strcat(got, " ");
	}
	assert_string_equal(got, want);
}

static void test_release_order(void **state)
{
	const struct release_key k[] = {
		{ 0, "10", 5 * HOUR, 9 * HOUR },
		{ 0, "9", 1 * HOUR, NT },
		{ 1, "3", 3 * HOUR, 7 * HOUR },
		{ 0, "4", NT, 2 * HOUR },
		{ 1, "2", 3 * HOUR, 7 * HOUR },	/* ties with 3 */
		{ 0, "11", 3 * HOUR, 7 * HOUR },	/* ties, lower shard */
	};

	(void)state;
	orders(k, 6, RELEASE_OLDEST, "9 11 2 3 10 4");
	orders(k, 6, RELEASE_DUE, "4 11 2 3 10 9");
	orders(k, 0, RELEASE_DUE, "");
	assert_string_equal(release_by_words(RELEASE_DUE), "about to bill first");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_after_is_real_time),
		cmocka_unit_test(test_clock_fixed_zone),
		cmocka_unit_test(test_clock_spring_forward),
		cmocka_unit_test(test_clock_fall_back),
		cmocka_unit_test(test_release_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
