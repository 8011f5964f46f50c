/*
 * rows.h - a table of text values waiting to be sent as query parameters.
 *
 * Rows are appended one value at a time (NULL is SQL NULL); shard_bulk()
 * turns them into one multi-row VALUES list per chunk.  The table owns
 * copies of its strings.
 */
#ifndef SIM_ROWS_H
#define SIM_ROWS_H

#include <stddef.h>

struct rows {
	int ncols;
	size_t nvals, cap;
	char **vals;
};

void rows_init(struct rows *t, int ncols);
void rows_add(struct rows *t, const char *value);
void rows_addf(struct rows *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t rows_count(const struct rows *t);
/* Forget the rows (keeps ncols). */
void rows_clear(struct rows *t);
void rows_free(struct rows *t);

#endif
