/*
 * timefmt.c - clocks and short time texts.
 */
#include "autoconf.h"

#include <stdio.h>
#include <time.h>

#include "core/timefmt.h"

int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *fmt_countdown(char *buf, size_t n, int64_t ms)
{
	int64_t s = ms / 1000;

	if (s < 0)
		s = -s;	/* s is at most INT64_MAX / 1000: no overflow */
	if (s < 3600)
		snprintf(buf, n, "%d:%02d", (int)(s / 60), (int)(s % 60));
	else if (s < 86400)
		snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60 % 60));
	else if (s < 86400LL * 100)
		snprintf(buf, n, "%dd%02dh", (int)(s / 86400), (int)(s / 3600 % 24));
	else
		snprintf(buf, n, ">99d");
	return buf;
}

char *fmt_age(char *buf, size_t n, int64_t ms)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;

	if (s < 60)
		snprintf(buf, n, "%ds", (int)s);
	else if (s < 3600)
		snprintf(buf, n, "%dm", (int)(s / 60));
	else if (s < 86400 * 2)
		snprintf(buf, n, "%dh", (int)(s / 3600));
	else
		snprintf(buf, n, "%dd", (int)(s / 86400 > 999 ? 999 : s / 86400));
	return buf;
}

char *fmt_clock(char *buf, size_t n, int64_t epoch_ms, int offset_s)
{
	/* Round down, also before 1970, so -1 ms is 23:59:59. */
	int64_t s = (epoch_ms >= 0 ? epoch_ms : epoch_ms - 999) / 1000 + offset_s;
	int64_t day = s % 86400;

	if (day < 0)
		day += 86400;
	snprintf(buf, n, "%02d:%02d:%02d", (int)(day / 3600),
		 (int)(day / 60 % 60), (int)(day % 60));
	return buf;
}

int64_t next_payment_file_ms(int64_t now, int minute, int period_s)
{
	int64_t period = (int64_t)(period_s > 0 ? period_s : 3600) * 1000;
	int64_t into = now % period;
	/* The minute of a 60-minute hour, scaled to the period. */
	int64_t at = period * minute / 60;

	if (into < 0)
		into += period;
	return into < at ? at - into : period - into + at;
}

/* ISO 8601 in UTC with milliseconds: "2026-11-21T23:05:00.000Z".  The
 * buffer is sized for any int fields, so the compiler can prove no cut. */
char *fmt_iso_ms(char *buf, size_t n, int64_t ms)
{
	int64_t s = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	time_t t = (time_t)s;
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, n, "?");
		return buf;
	}
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms - s * 1000));
	return buf;
}
