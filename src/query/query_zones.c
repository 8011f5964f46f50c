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

struct zone_names *zone_names_new(char *all)
{
	struct zone_names *z;
	char name[256], *text;
	const char *p = all;
	size_t n = 0, len = 0;

	if (!all)
		return NULL;
	while (lit_next(&p, name, sizeof name))
		if (name[0]) {
			n++;
			len += strlen(name) + 1;
		}
	z = xcalloc(1, sizeof *z);
	z->all = all;
	z->name = xcalloc(n + 1, sizeof *z->name);
	text = z->text = xmalloc(len + 1);
	for (p = all; lit_next(&p, name, sizeof name);) {
		size_t l = strlen(name) + 1;

		if (!name[0])
			continue;
		memcpy(text, name, l);
		z->name[z->n++] = text;
		text += l;
	}
	qsort(z->name, z->n, sizeof *z->name, lower_qsort);
	return z;
}

void zone_names_free(struct zone_names *z)
{
	if (!z)
		return;
	free(z->text);
	free(z->name);
	free(z->all);
	free(z);
}

static bool zone_named(const struct zone_names *names, const char *z)
{
	return names && bsearch(&z, names->name, names->n, sizeof *names->name,
				lower_qsort);
}

/* The literal of the n zone texts z (sorted here, z is the caller's),
 * lower-cased, each once, in byte order, those of names only. */
static char *short_literal(const char **z, size_t n,
			   const struct zone_names *names)
{
	size_t k = 0, m = 0, room = 3, len = 0;
	char *out;

	qsort(z, n, sizeof *z, lower_qsort);
	for (size_t i = 0; i < n; i++)
		if (!k || lower_cmp(z[k - 1], z[i]))
			z[k++] = z[i];
	/* Only the server's own names (lower-cased there, so equal to the
	 * ASCII lower-casing here): a zone text whose lower() differs (a
	 * character lower() maps to ASCII) is left to the recheck. */
	for (size_t i = 0; i < k; i++)
		if (zone_named(names, z[i])) {
			z[m++] = z[i];
			room += 2 * strlen(z[i]) + 3;
		}
	out = xmalloc(room);
	out[len++] = '{';
	for (size_t i = 0; i < m; i++) {
		if (i)
			out[len++] = ',';
		lit_put(out, &len, z[i]);
	}
	out[len++] = '}';
	out[len] = '\0';
	return out;
}

char *query_zones_short_of(const struct snapshot *s, const struct zone_names *names)
{
	const char **z = xcalloc(s->nbillers + 1, sizeof *z);
	size_t n = 0;
	char *out;

	for (size_t i = 0; i < s->nbillers; i++) {
		const struct biller *b = snapshot_biller(s, i);

		if (b->tz_known && b->timezone[0])
			z[n++] = b->timezone;
	}
	out = short_literal(z, n, names);
	free(z);
	return out;
}

char *query_zones_short(const struct snapshot *s, const char *all)
{
	struct zone_names *z = zone_names_new(all ? xstrdup(all) : NULL);
	char *out = query_zones_short_of(s, z);

	zone_names_free(z);
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

static void zone_set_add(struct zone_set *set, const char *z)
{
	if (zone_set_has(set, z))
		return;
	set->zone = xrealloc(set->zone, (set->n + 1) * sizeof *set->zone);
	set->zone[set->n++] = xstrdup(z);
}

void query_zones_unknown(const PGresult *res, struct zone_set *set)
{
	int c[3];

	if (!zone_cols(res, c))
		return;
	for (int r = 0; r < PQntuples(res); r++) {
		const char *z = unknown_zone(res, r, c);

		if (z)
			zone_set_add(set, z);
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

char *query_zones_setup(const PGresult *res, const struct zone_names *names,
			struct zone_set *unknown)
{
	int rows = PQntuples(res);
	const char **z;
	size_t n = 0;
	char *out;

	if (!names || PQnfields(res) < 2)
		return NULL;
	z = xcalloc((size_t)rows + 1, sizeof *z);
	for (int r = 0; r < rows; r++) {
		const char *low = PQgetvalue(res, r, 1);

		/* What a poll asked with every name would say: known when
		 * lower() of the text is one of the names, exactly. */
		if (!PQgetisnull(res, r, 1) && zone_named(names, low))
			z[n++] = low;
		else
			zone_set_add(unknown, PQgetvalue(res, r, 0));
	}
	out = short_literal(z, n, names);
	free(z);
	return out;
}
