/*
 * hold_expiry.c - parsing the typed expiry of a hold and finding its
 * instant (see hold_expiry.h).
 *
 * A wall-clock time T on local day D is the UTC instant t with
 * t + off(t) = D + T.  Around a DST change there are two offsets near
 * it, the one a day before and the one a day after: each gives a
 * candidate t = D + T - o, and a candidate counts only if the zone really
 * has offset o at t.  Two valid candidates: the time happens twice (the
 * earlier wins); none: the clocks skip it, and the offset from before the
 * change gives the instant they jump past it.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hold_expiry.h"

#define DAY_MS INT64_C(86400000)
#define MAX_AFTER_MS (30 * DAY_MS)

static int bad(const char *s, char *err, size_t n)
{
	snprintf(err, n, "\"%.40s\": say 4h, 90m, 1h30m, 2d or 06:00 (or "
		 "leave it empty: no expiry)", s);
	return -1;
}

static int parse_clock(const char *s, size_t len, struct hold_expiry *e)
{
	int h = 0, m = 0, i = 0;

	while ((size_t)i < len && isdigit((unsigned char)s[i]) && i < 2)
		h = h * 10 + (s[i++] - '0');
	if (i == 0 || (size_t)i + 3 != len || s[i] != ':' ||
	    !isdigit((unsigned char)s[i + 1]) || !isdigit((unsigned char)s[i + 2]))
		return -1;
	m = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
	if (h > 23 || m > 59)
		return -1;
	*e = (struct hold_expiry){ .kind = HOLD_EXPIRY_CLOCK, .hour = h,
				   .minute = m };
	return 0;
}

/* "1h30m", "2d", "90m": number-unit pairs, each unit once, largest first. */
static int parse_after(const char *s, size_t len, struct hold_expiry *e)
{
	static const struct { char unit; int64_t ms; } units[] = {
		{ 'd', DAY_MS }, { 'h', 3600000 }, { 'm', 60000 },
	};
	size_t i = 0, next_unit = 0;
	int64_t total = 0;

	while (i < len) {
		int64_t v = 0;
		size_t digits = 0, u;

		while (i < len && isdigit((unsigned char)s[i]) && digits < 6) {
			v = v * 10 + (s[i++] - '0');
			digits++;
		}
		if (!digits || i >= len)
			return -1;
		for (u = next_unit; u < 3; u++)
			if (tolower((unsigned char)s[i]) == units[u].unit)
				break;
		if (u == 3)
			return -1;
		total += v * units[u].ms;
		next_unit = u + 1;
		i++;
	}
	if (total <= 0 || total > MAX_AFTER_MS)
		return -1;
	*e = (struct hold_expiry){ .kind = HOLD_EXPIRY_AFTER, .after_ms = total };
	return 0;
}

int hold_expiry_parse(const char *s, struct hold_expiry *e, char *err,
		      size_t n)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || (len == 4 && !strncasecmp(s, "none", 4)) ||
	    (len == 5 && !strncasecmp(s, "never", 5))) {
		*e = (struct hold_expiry){ .kind = HOLD_EXPIRY_NONE };
		return 0;
	}
	if (memchr(s, ':', len))
		return parse_clock(s, len, e) == 0 ? 0 : bad(s, err, n);
	return parse_after(s, len, e) == 0 ? 0 : bad(s, err, n);
}

static int64_t floor_day(int64_t ms)
{
	int64_t d = ms / DAY_MS;

	if (ms % DAY_MS < 0)
		d--;
	return d * DAY_MS;
}

/* The UTC instant of wall time `wall` (local ms since the epoch). */
static int64_t from_wall(int64_t wall, hold_offset_fn off, void *ctx)
{
	int before = off(wall - DAY_MS, ctx), after = off(wall + DAY_MS, ctx);
	int64_t a = wall - (int64_t)before * 1000, b = wall - (int64_t)after * 1000;
	int a_ok = off(a, ctx) == before, b_ok = off(b, ctx) == after;

	if (a_ok && b_ok)
		return a < b ? a : b;
	if (a_ok)
		return a;
	if (b_ok)
		return b;
	return a;	/* skipped: where the clocks land after the jump */
}

int64_t hold_expiry_at(const struct hold_expiry *e, int64_t now_ms,
		       hold_offset_fn off, void *ctx)
{
	int64_t today, tod;

	if (e->kind == HOLD_EXPIRY_NONE)
		return INT64_MIN;
	if (e->kind == HOLD_EXPIRY_AFTER)
		return now_ms + e->after_ms;
	today = floor_day(now_ms + (int64_t)off(now_ms, ctx) * 1000);
	tod = (int64_t)e->hour * 3600000 + (int64_t)e->minute * 60000;
	/* Today's, else tomorrow's (a skipped time may need the day after). */
	for (int d = 0; d < 3; d++) {
		int64_t t = from_wall(today + d * DAY_MS + tod, off, ctx);

		if (t > now_ms)
			return t;
	}
	return now_ms + DAY_MS;	/* not reached for a sane zone */
}

char *hold_expiry_clock(char *buf, size_t n, int64_t at_ms, int64_t now_ms,
			int offset_s)
{
	int64_t local = at_ms + (int64_t)offset_s * 1000;
	int64_t days = (floor_day(local) -
			floor_day(now_ms + (int64_t)offset_s * 1000)) / DAY_MS;
	int64_t tod = local - floor_day(local);

	if (days > 0)
		snprintf(buf, n, "%02d:%02d +%dd", (int)(tod / 3600000),
			 (int)(tod / 60000 % 60), (int)days);
	else
		snprintf(buf, n, "%02d:%02d", (int)(tod / 3600000),
			 (int)(tod / 60000 % 60));
	return buf;
}
