/*
 * query_row.c - the shared row reader of the query files (see query_row.h).
 */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_row.h"
#include "core/text.h"
#include "core/xalloc.h"

static bool in_range(const struct qrow *r, int col)
{
	return col >= 0 && col < PQnfields(r->res) && r->row >= 0 &&
	       r->row < PQntuples(r->res);
}

int qrow_col(struct qrow *r, const char *name)
{
	int col = PQfnumber(r->res, name);

	if (!in_range(r, col)) {
		r->bad = true;
		return -1;
	}
	return col;
}

const char *qrow_text_at(struct qrow *r, int col)
{
	if (!in_range(r, col)) {
		r->bad = true;
		return NULL;
	}
	if (PQgetisnull(r->res, r->row, col))
		return NULL;
	return PQgetvalue(r->res, r->row, col);
}

size_t qrow_len_at(struct qrow *r, int col)
{
	if (!in_range(r, col) || PQgetisnull(r->res, r->row, col))
		return 0;
	return (size_t)PQgetlength(r->res, r->row, col);
}

int64_t qrow_int_at(struct qrow *r, int col, int64_t dflt)
{
	const char *s = qrow_text_at(r, col);
	char *end;
	long long v;

	if (!s)
		return dflt;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end) {
		r->bad = true;
		return dflt;
	}
	return (int64_t)v;
}

bool qrow_bool_at(struct qrow *r, int col, bool dflt)
{
	const char *s = qrow_text_at(r, col);

	if (!s)
		return dflt;
	if (!strcmp(s, "t"))
		return true;
	if (!strcmp(s, "f"))
		return false;
	r->bad = true;
	return dflt;
}

enum sqltime qrow_time_at(struct qrow *r, int col, int64_t *out)
{
	enum sqltime k = sqltime_parse(qrow_text_at(r, col), out);

	if (k == SQLTIME_BAD)
		r->bad = true;
	return k;
}

/* --- by name ----------------------------------------------------------------- */

bool qrow_null(struct qrow *r, const char *name)
{
	int col = qrow_col(r, name);

	return col < 0 || PQgetisnull(r->res, r->row, col);
}

const char *qrow_text(struct qrow *r, const char *name)
{
	return qrow_text_at(r, qrow_col(r, name));
}

size_t qrow_len(struct qrow *r, const char *name)
{
	return qrow_len_at(r, qrow_col(r, name));
}

char *qrow_dup(struct qrow *r, const char *name)
{
	int col = qrow_col(r, name);
	const char *s = qrow_text_at(r, col);

	/* By length: an identifier may hold bytes a C string would cut. */
	return s ? xstrndup(s, qrow_len_at(r, col)) : NULL;
}

char *qrow_display(struct qrow *r, const char *name)
{
	int col = qrow_col(r, name);
	const char *s = qrow_text_at(r, col);

	return s ? text_sanitize(s, qrow_len_at(r, col)) : NULL;
}

char *qrow_dup_or_empty(struct qrow *r, const char *name)
{
	char *s = qrow_dup(r, name);

	return s ? s : xstrdup("");
}

char *qrow_display_or_empty(struct qrow *r, const char *name)
{
	char *s = qrow_display(r, name);

	return s ? s : xstrdup("");
}

int64_t qrow_int(struct qrow *r, const char *name, int64_t dflt)
{
	return qrow_int_at(r, qrow_col(r, name), dflt);
}

bool qrow_bool(struct qrow *r, const char *name, bool dflt)
{
	return qrow_bool_at(r, qrow_col(r, name), dflt);
}

enum sqltime qrow_time(struct qrow *r, const char *name, int64_t *out)
{
	return qrow_time_at(r, qrow_col(r, name), out);
}
