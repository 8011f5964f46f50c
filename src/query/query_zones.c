/*
 * query_zones.c - the short zone list of the incremental polls and the
 * check that says when it was not enough (query_zones.h).  Runs on the
 * poller threads: after a full poll (the list), after each delta that
 * says a zone is unknown (the check, which is rare).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "query/query_zones.h"
#include "core/xalloc.h"

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Byte order of the lower-cased texts, which is the order of the
 * lower-cased names under COLLATE "C". */
static int lower_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = (unsigned char)ascii_lower(*a);
		unsigned char y = (unsigned char)ascii_lower(*b);

		if (x != y || !x)
			return x - y;
	}
}

static int lower_qsort(const void *a, const void *b)
{
	return lower_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* The next element of array literal *p into buf (n bytes), unquoted;
 * false at the end.  An element that does not fit, or a NULL, comes
 * back as "" (it matches no zone). */
static bool lit_next(const char **p, char *buf, size_t n)
{
	const char *s = *p;
	size_t len = 0;
	bool quoted, fits = true;

	if (*s == '{')
		s++;
	if (!*s || *s == '}')
		return false;
	quoted = *s == '"';
	if (quoted)
		s++;
	for (; *s; s++) {
		if (quoted ? *s == '"' : (*s == ',' || *s == '}'))
			break;
		if (quoted && *s == '\\' && s[1])
			s++;
		if (len + 1 < n)
			buf[len++] = *s;
		else
			fits = false;
	}
	if (quoted && *s == '"')
		s++;
	if (*s == ',')
		s++;
	buf[fits ? len : 0] = '\0';
	if (!quoted && !strcmp(buf, "NULL"))
		buf[0] = '\0';
	*p = s;
	return true;
}

/* s as a quoted element of an array literal, appended at out[*len]. */
static void lit_put(char *out, size_t *len, const char *s)
{
	out[(*len)++] = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			out[(*len)++] = '\\';
		out[(*len)++] = ascii_lower(*s);
	}
	out[(*len)++] = '"';
}

char *query_zones_short(const struct snapshot *s, const char *all)
{
	const char **z = xcalloc(s->nbillers + 1, sizeof *z);
	bool *found;
	size_t n = 0, k = 0, room = 3, len = 0;
	char name[256], *out;
	const char *p = all;

	for (size_t i = 0; i < s->nbillers; i++) {
		const struct biller *b = snapshot_biller(s, i);

		if (b->tz_known && b->timezone[0])
			z[n++] = b->timezone;
	}
	qsort(z, n, sizeof *z, lower_qsort);
	for (size_t i = 0; i < n; i++)
		if (!k || lower_cmp(z[k - 1], z[i]))
			z[k++] = z[i];
	/* Only the server's own names (lower-cased there, so equal to the
	 * ASCII lower-casing here): a zone text whose lower() differs (a
	 * character lower() maps to ASCII) is left to the recheck. */
	found = xcalloc(k + 1, sizeof *found);
	while (p && lit_next(&p, name, sizeof name)) {
		const char *key = name;
		const char **hit = name[0] ? bsearch(&key, z, k, sizeof *z,
						    lower_qsort) : NULL;

		if (hit)
			found[hit - z] = true;
	}
	for (size_t i = 0; i < k; i++)
		if (found[i])
			room += 2 * strlen(z[i]) + 3;
	out = xmalloc(room);
	out[len++] = '{';
	for (size_t i = 0, m = 0; i < k; i++) {
		if (!found[i])
			continue;
		if (m++)
			out[len++] = ',';
		lit_put(out, &len, z[i]);
	}
	out[len++] = '}';
	out[len] = '\0';
	free(found);
	free(z);
	return out;
}

/* The timezone of row r of res when it says the zone of a biller of the
 * shard is unknown, else NULL ("" for a NULL zone). */
static const char *unknown_zone(const PGresult *res, int r, const int *c)
{
	if (PQgetisnull(res, r, c[0]) || strcmp(PQgetvalue(res, r, c[0]), "t") ||
	    !strcmp(PQgetvalue(res, r, c[1]), "t"))
		return NULL;
	return PQgetvalue(res, r, c[2]);
}

static bool zone_cols(const PGresult *res, int *c)
{
	c[0] = PQfnumber(res, "known");
	c[1] = PQfnumber(res, "tz_known");
	c[2] = PQfnumber(res, "timezone");
	return c[0] >= 0 && c[1] >= 0 && c[2] >= 0;
}

static bool zone_set_has(const struct zone_set *set, const char *z)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->zone[i], z))
			return true;
	return false;
}

void query_zones_unknown(const PGresult *res, struct zone_set *set)
{
	int c[3];

	if (!zone_cols(res, c))
		return;
	for (int r = 0; r < PQntuples(res); r++) {
		const char *z = unknown_zone(res, r, c);

		if (!z || zone_set_has(set, z))
			continue;
		set->zone = xrealloc(set->zone, (set->n + 1) * sizeof *set->zone);
		set->zone[set->n++] = xstrdup(z);
	}
}

void zone_set_clear(struct zone_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->zone[i]);
	free(set->zone);
	set->zone = NULL;
	set->n = 0;
}

bool query_zones_recheck(const PGresult *res, const struct zone_set *set)
{
	int c[3];

	if (!zone_cols(res, c))
		return false;
	for (int r = 0; r < PQntuples(res); r++) {
		const char *z = unknown_zone(res, r, c);

		if (z && !zone_set_has(set, z))
			return true;
	}
	return false;
}
