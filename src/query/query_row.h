/*
 * query_row.h - reading one row of a PGresult by column name.
 *
 * Every query file (src/query_*.c) parses its result through this reader
 * instead of PQgetvalue() by position, so a column added to a SELECT
 * cannot shift the others.  A reader is a result and a row index; each
 * accessor looks its column up by name.  A value that is missing (no such
 * column) or does not parse sets the reader's bad flag and yields the
 * fallback, so the caller decides once per row whether to keep it.
 *
 * Text comes back raw, exactly as the server sent it: identifiers are
 * keys and must never be sanitized here; whoever draws text sanitizes it.
 */
#ifndef BT_QUERY_ROW_H
#define BT_QUERY_ROW_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/sqltime.h"

struct qrow {
	const PGresult *res;
	int row;
	bool bad;	/* some value was missing or did not parse */
};

static inline struct qrow qrow_at(const PGresult *res, int row)
{
	return (struct qrow){ .res = res, .row = row, .bad = false };
}

/* The column's index, or -1 (and bad) when the result has no such column
 * or the reader is past its last row. */
int qrow_col(struct qrow *r, const char *name);
/* True for SQL NULL; a missing column counts as NULL (and bad). */
bool qrow_null(struct qrow *r, const char *name);
/* The raw text, NULL for SQL NULL; points into the result. */
const char *qrow_text(struct qrow *r, const char *name);
/* The raw text's length in bytes (0 for NULL). */
size_t qrow_len(struct qrow *r, const char *name);
/* A copy of the raw text (the caller frees it), NULL for SQL NULL. */
char *qrow_dup(struct qrow *r, const char *name);
/* A sanitized copy for drawing (the caller frees it), NULL for SQL NULL. */
char *qrow_display(struct qrow *r, const char *name);
/* The same two, "" for SQL NULL: for rows whose strings are never NULL. */
char *qrow_dup_or_empty(struct qrow *r, const char *name);
char *qrow_display_or_empty(struct qrow *r, const char *name);
/* A base-10 integer; NULL gives dflt, a bad number dflt and bad. */
int64_t qrow_int(struct qrow *r, const char *name, int64_t dflt);
/* A boolean ('t' or 'f'); NULL gives dflt, anything else dflt and bad. */
bool qrow_bool(struct qrow *r, const char *name, bool dflt);
/* A time of SQLTIME_MS/US (see sqltime.h); SQLTIME_BAD also sets bad. */
enum sqltime qrow_time(struct qrow *r, const char *name, int64_t *out);

/*
 * The same by column index, for a parser that looks its columns up once
 * per result (the poll: thousands of rows, thirty columns).  col is
 * qrow_col()'s or PQfnumber()'s; -1 reads as NULL (and bad).
 */
const char *qrow_text_at(struct qrow *r, int col);
size_t qrow_len_at(struct qrow *r, int col);
int64_t qrow_int_at(struct qrow *r, int col, int64_t dflt);
bool qrow_bool_at(struct qrow *r, int col, bool dflt);
enum sqltime qrow_time_at(struct qrow *r, int col, int64_t *out);

#endif
