/*
 * rows.c - a growable array of owned strings, read as rows of ncols.
 */
#include "rows.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"

void rows_init(struct rows *t, int ncols)
{
	t->ncols = ncols;
	t->nvals = t->cap = 0;
	t->vals = NULL;
}

static void push(struct rows *t, char *owned)
{
	if (t->nvals == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->vals = sim_xrealloc(t->vals, t->cap * sizeof *t->vals);
	}
	t->vals[t->nvals++] = owned;
}

void rows_add(struct rows *t, const char *value)
{
	push(t, value ? sim_xstrdup(value) : NULL);
}

void rows_addf(struct rows *t, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = sim_xmalloc(n > 0 ? (size_t)n + 1 : 1);
	va_start(ap, fmt);
	vsnprintf(s, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
	va_end(ap);
	push(t, s);
}

size_t rows_count(const struct rows *t)
{
	return t->ncols > 0 ? t->nvals / (size_t)t->ncols : 0;
}

void rows_clear(struct rows *t)
{
	for (size_t i = 0; i < t->nvals; i++)
		free(t->vals[i]);
	t->nvals = 0;
}

void rows_free(struct rows *t)
{
	rows_clear(t);
	free(t->vals);
	t->vals = NULL;
	t->cap = 0;
}
