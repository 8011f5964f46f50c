/*
 * sqltime.h - epoch times from SQL that may be infinite or out of range.
 *
 * PostgreSQL timestamps may be 'infinity' or '-infinity', and casting the
 * epoch of one to bigint fails the whole statement: one odd row would
 * blank a shard.  So every query that reads a time as epoch ms (or us)
 * selects SQLTIME_MS(column) instead: the number as text when finite, the
 * timestamp's own text ('infinity', '-infinity') when not, NULL for NULL.
 * sqltime_parse() reads that text back and says which it was.
 */
#ifndef BT_SQLTIME_H
#define BT_SQLTIME_H

#include <stdint.h>

/* x is an SQL expression, evaluated up to three times. */
#define SQLTIME_SCALED(x, scale) \
	"(CASE WHEN isfinite(" x ") THEN round(extract(epoch FROM " x ")" \
	" * " scale ")::numeric::text ELSE (" x ")::text END)"
#define SQLTIME_MS(x) SQLTIME_SCALED(x, "1000")
#define SQLTIME_US(x) SQLTIME_SCALED(x, "1000000")

enum sqltime {
	SQLTIME_NULL,		/* SQL NULL (s == NULL) */
	SQLTIME_FINITE,		/* *out is the number */
	SQLTIME_INF,		/* 'infinity' */
	SQLTIME_NEG_INF,	/* '-infinity' */
	SQLTIME_BAD,		/* anything else: not a time we can use */
};

/* Read one value of SQLTIME_MS/US (s may be NULL).  *out is set only for
 * SQLTIME_FINITE. */
enum sqltime sqltime_parse(const char *s, int64_t *out);

#endif
