/*
 * test_timefmt.c - the short time texts of the grid and the payment-file
 * countdown, at every unit boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/timefmt.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

/* 2026-03-10 02:00:00 UTC, a whole hour. */
#define T0 (1773108000LL * SEC)

/* fmt (named name) writes want for ms, and returns its buffer. */
static void formats(char *(*fmt)(char *, size_t, int64_t), const char *name,
		    int64_t ms, const char *want)
{
	char buf[32];

	assert_ptr_equal(fmt(buf, sizeof buf, ms), buf);
	if (strcmp(buf, want) != 0)
		fail_msg("%s(%lld) = \"%s\", want \"%s\"", name, (long long)ms,
			 buf, want);
}

static void countdown(int64_t ms, const char *want)
{
	formats(fmt_countdown, "fmt_countdown", ms, want);
}

static void test_countdown(void **state)
{
	countdown(0, "0:00");
	countdown(999, "0:00");			/* whole seconds, cut */
	countdown(59 * SEC, "0:59");
	countdown(60 * SEC, "1:00");
	countdown(9 * MIN + 5 * SEC, "9:05");
	countdown(59 * MIN + 59 * SEC + 999, "59:59");
	countdown(HOUR, "1h00m");
	countdown(HOUR + 5 * MIN + 59 * SEC, "1h05m");
	countdown(23 * HOUR + 59 * MIN + 59 * SEC, "23h59m");
	countdown(DAY, "1d00h");
	countdown(3 * DAY + 4 * HOUR + 59 * MIN, "3d04h");
	countdown(99 * DAY + 23 * HOUR, "99d23h");
	countdown(100 * DAY, ">99d");
	countdown(INT64_MAX, ">99d");
}

/* Negative values get no sign: the caller says "late". */
static void test_countdown_negative(void **state)
{
	countdown(-1, "0:00");
	countdown(-59 * SEC, "0:59");
	countdown(-(9 * MIN + 5 * SEC), "9:05");
	countdown(-(HOUR + 5 * MIN), "1h05m");
	countdown(-2 * DAY, "2d00h");
	countdown(-100 * DAY, ">99d");
}

static void test_countdown_small_buffer(void **state)
{
	char buf[4];

	fmt_countdown(buf, sizeof buf, 23 * HOUR + 59 * MIN);
	assert_string_equal(buf, "23h");
	fmt_countdown(buf, 1, 5 * SEC);
	assert_string_equal(buf, "");
}

static void age(int64_t ms, const char *want)
{
	formats(fmt_age, "fmt_age", ms, want);
}

static void test_age(void **state)
{
	age(0, "0s");
	age(-5 * SEC, "0s");			/* a clock that went back */
	age(4 * SEC + 999, "4s");
	age(59 * SEC, "59s");
	age(60 * SEC, "1m");
	age(12 * MIN + 59 * SEC, "12m");
	age(59 * MIN + 59 * SEC, "59m");
	age(HOUR, "1h");
	age(47 * HOUR + 59 * MIN, "47h");	/* hours up to two days */
	age(2 * DAY, "2d");
	age(998 * DAY, "998d");
	age(5000 * DAY, "999d");		/* capped */
}

static void clock_is(int64_t ms, int offset_s, const char *want)
{
	char buf[16];

	assert_ptr_equal(fmt_clock(buf, sizeof buf, ms, offset_s), buf);
	if (strcmp(buf, want) != 0)
		fail_msg("fmt_clock(%lld, %d) = \"%s\", want \"%s\"",
			 (long long)ms, offset_s, buf, want);
}

static void test_clock(void **state)
{
	clock_is(T0, 0, "02:00:00");
	clock_is(T0 + 3 * HOUR + 4 * MIN + 5 * SEC + 999, 0, "05:04:05");
	clock_is(T0 + 22 * HOUR - 1, 0, "23:59:59");
	clock_is(T0 + 22 * HOUR, 0, "00:00:00");
	clock_is(T0, -3 * 3600, "23:00:00");	/* the day before */
	clock_is(T0, 22 * 3600, "00:00:00");	/* the day after */
	clock_is(T0, 5 * 3600 + 1800, "07:30:00");
	clock_is(T0, 14 * 3600, "16:00:00");	/* Kiribati */
	clock_is(T0, -12 * 3600, "14:00:00");
	clock_is(0, 0, "00:00:00");
	clock_is(-SEC, 0, "23:59:59");
	clock_is(-DAY - HOUR, 3600, "00:00:00");
}

static void next_file_in(int64_t now, int minute, int period, int64_t want)
{
	int64_t got = next_payment_file_ms(now, minute, period);

	if (got != want)
		fail_msg("next_payment_file_ms(T0%+lld ms, %d, %d) = %lld, want %lld",
			 (long long)(now - T0), minute, period, (long long)got,
			 (long long)want);
}

static void next_file(int64_t now, int minute, int64_t want)
{
	next_file_in(now, minute, 3600, want);
}

static void test_next_payment_file(void **state)
{
	/* Before minute 45 of the hour. */
	next_file(T0, 45, 45 * MIN);
	next_file(T0 + 30 * MIN + 15 * SEC, 45, 14 * MIN + 45 * SEC);
	next_file(T0 + 45 * MIN - 1, 45, 1);
	/* Exactly at it: the run is under way; the next is an hour away. */
	next_file(T0 + 45 * MIN, 45, HOUR);
	/* After it: wraps to the next hour. */
	next_file(T0 + 45 * MIN + 1, 45, HOUR - 1);
	next_file(T0 + 50 * MIN, 45, 55 * MIN);
	next_file(T0 + 59 * MIN + 59 * SEC, 45, 45 * MIN + SEC);
	/* Minute 0: at the hour, just after it, just before the next. */
	next_file(T0, 0, HOUR);
	next_file(T0 + 1, 0, HOUR - 1);
	next_file(T0 + 59 * MIN, 0, MIN);
	next_file(T0 - 1, 0, 1);
	/* Minute 59. */
	next_file(T0 + 58 * MIN, 59, MIN);
	next_file(T0 + 59 * MIN + SEC, 59, HOUR - SEC);
	/* Always within (0, 1 h]. */
	for (int64_t t = T0; t < T0 + 2 * HOUR; t += 7 * SEC + 3) {
		int64_t d = next_payment_file_ms(t, 45, 3600);

		assert_true(d > 0 && d <= HOUR);
		assert_int_equal((t + d) % HOUR, 45 * MIN);
	}
	/* Before the epoch the hour is still found. */
	next_file(-HOUR + 10 * MIN, 45, 35 * MIN);
}

/* A compressed night (the demo): a 60 s "hour" has its :45 file 45 s into
 * each minute, a 36 s one 27 s in; counted from midnight. */
static void test_next_payment_file_period(void **state)
{
	(void)state;
	next_file_in(T0, 45, 60, 45 * SEC);
	next_file_in(T0 + 44 * SEC, 45, 60, SEC);
	next_file_in(T0 + 45 * SEC, 45, 60, MIN);
	next_file_in(T0 + 50 * SEC, 45, 60, 55 * SEC);
	next_file_in(T0 + 7 * MIN + 30 * SEC, 45, 60, 15 * SEC);
	next_file_in(T0, 45, 36, 27 * SEC);
	next_file_in(T0 + 30 * SEC, 45, 36, 33 * SEC);
	next_file_in(T0, 0, 60, MIN);
	next_file_in(T0 + 1, 30, 1800, 15 * MIN - 1);
	/* Always within (0, period], landing on the scaled minute. */
	for (int64_t t = T0; t < T0 + 10 * MIN; t += 3 * SEC + 7) {
		int64_t d = next_payment_file_ms(t, 45, 60);

		assert_true(d > 0 && d <= MIN);
		assert_int_equal((t + d) % MIN, 45 * SEC);
	}
	/* Before the epoch, too. */
	next_file_in(-MIN + 10 * SEC, 45, 60, 35 * SEC);
}

static void test_clocks_move(void **state)
{
	int64_t m1 = mono_ms(), w = wall_ms(), m2 = mono_ms();

	assert_true(m1 > 0);
	assert_true(m2 >= m1);
	assert_true(w > T0);	/* later than this test was written */
}

/* The audit trail and the headless formats write times this one way:
 * UTC, milliseconds, and before 1970 the millisecond still counts up. */
static void test_iso_ms(void **state)
{
	char buf[FMT_ISO_MAX];

	(void)state;
	assert_string_equal(fmt_iso_ms(buf, sizeof buf, 1795820700123LL),
			    "2026-11-27T23:05:00.123Z");
	assert_string_equal(fmt_iso_ms(buf, sizeof buf, 0), "1970-01-01T00:00:00.000Z");
	assert_string_equal(fmt_iso_ms(buf, sizeof buf, -1), "1969-12-31T23:59:59.999Z");
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_countdown),
		cmocka_unit_test(test_countdown_negative),
		cmocka_unit_test(test_countdown_small_buffer),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_next_payment_file),
		cmocka_unit_test(test_next_payment_file_period),
		cmocka_unit_test(test_clocks_move),
		cmocka_unit_test(test_iso_ms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
