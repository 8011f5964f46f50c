/*
 * sqltime.c - reading the epoch times of SQLTIME_MS() (see sqltime.h).
 */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <strings.h>

#include "core/sqltime.h"

enum sqltime sqltime_parse(const char *s, int64_t *out)
{
	const char *p;
	char *end;
	long long v;

	if (!s)
		return SQLTIME_NULL;
	p = s[0] == '-' || s[0] == '+' ? s + 1 : s;
	/* The timestamp's text is lower case, numeric's "Infinity". */
	if (!strcasecmp(p, "infinity"))
		return s[0] == '-' ? SQLTIME_NEG_INF : SQLTIME_INF;
	if (!*s || !((*p >= '0' && *p <= '9')))
		return SQLTIME_BAD;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v == INT64_MIN || v == INT64_MAX)
		return SQLTIME_BAD;	/* the extremes are our sentinels */
	*out = (int64_t)v;
	return SQLTIME_FINITE;
}
