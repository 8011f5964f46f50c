/*
 * missed_report.c - add up, group and sort the "missed the hour" rows
 * (see missed_report.h).
 *
 * The rows of the period are sorted by (group, item) so that each group
 * and each item is one run of neighbours; the runs are added up in one
 * pass, then groups and items are sorted for showing.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/missed_report.h"
#include "core/xalloc.h"

const char *missed_period_name(enum missed_period p)
{
	static const char *const names[MISSED__PERIODS] = {
		[MISSED_TONIGHT] = "tonight",
		[MISSED_7D] = "7 business days",
		[MISSED_30D] = "30 business days",
	};

	return (unsigned)p < MISSED__PERIODS ? names[p] : "?";
}

const char *missed_group_name(enum missed_group_by g)
{
	static const char *const names[MISSED__GROUPINGS] = {
		[MISSED_BY_TYPE] = "payment type",
		[MISSED_BY_MODULE] = "module",
		[MISSED_BY_BILLER] = "biller",
	};

	return (unsigned)g < MISSED__GROUPINGS ? names[g] : "?";
}

const char *missed_sort_name(enum missed_sort s)
{
	static const char *const names[MISSED__SORTS] = {
		[MISSED_SORT_COUNT] = "count",
		[MISSED_SORT_RATE] = "rate",
		[MISSED_SORT_NAME] = "name",
	};

	return (unsigned)s < MISSED__SORTS ? names[s] : "?";
}

/* --- keys ----------------------------------------------------------------- */

static const char *str(const char *s)
{
	return s ? s : "";
}

/* The group a row adds to: a type or module text; grouped by biller, the
 * biller (shard first, so equal ids of two shards stay apart). */
static int cmp_group(const struct missed_row *a, const struct missed_row *b,
		     enum missed_group_by by)
{
	switch (by) {
	case MISSED_BY_TYPE:
		return strcmp(str(a->payment_type), str(b->payment_type));
	case MISSED_BY_MODULE:
		return strcmp(str(a->module), str(b->module));
	case MISSED_BY_BILLER:
	case MISSED__GROUPINGS:
		break;
	}
	if (a->shard != b->shard)
		return a->shard < b->shard ? -1 : 1;
	return strcmp(str(a->biller_id), str(b->biller_id));
}

/* The item a row adds to inside its group: grouped by biller, its
 * type/module pair; else the biller.  Totals rows come first. */
static int cmp_item(const struct missed_row *a, const struct missed_row *b,
		    enum missed_group_by by)
{
	int c;

	if (by == MISSED_BY_BILLER) {
		c = strcmp(str(a->payment_type), str(b->payment_type));
		return c ? c : strcmp(str(a->module), str(b->module));
	}
	if (!a->biller_id != !b->biller_id)
		return a->biller_id ? 1 : -1;
	if (a->shard != b->shard)
		return a->shard < b->shard ? -1 : 1;
	return strcmp(str(a->biller_id), str(b->biller_id));
}

/* qsort has no context argument: the UI thread is the only caller. */
static enum missed_group_by sort_by;

static int cmp_rows(const void *pa, const void *pb)
{
	const struct missed_row *a = *(const struct missed_row *const *)pa;
	const struct missed_row *b = *(const struct missed_row *const *)pb;
	int c = cmp_group(a, b, sort_by);

	return c ? c : cmp_item(a, b, sort_by);
}

/* --- showing order ----------------------------------------------------------- */

static enum missed_sort show_sort;
static bool show_reverse;

/* missed/closes compared without division; no closes ranks lowest. */
static int cmp_rate(long am, long ac, long bm, long bc)
{
	long double l = (long double)am * (bc > 0 ? bc : 1);
	long double r = (long double)bm * (ac > 0 ? ac : 1);

	if (ac <= 0 || bc <= 0)
		return (ac > 0) - (bc > 0);
	return l < r ? -1 : l > r;
}

static int cmp_shown(const char *al, long am, long ac, int as,
		     const char *bl, long bm, long bc, int bs)
{
	int c = 0;

	switch (show_sort) {
	case MISSED_SORT_COUNT:
		c = am == bm ? 0 : am > bm ? -1 : 1;	/* most first */
		break;
	case MISSED_SORT_RATE:
		c = -cmp_rate(am, ac, bm, bc);
		break;
	case MISSED_SORT_NAME:
	case MISSED__SORTS:
		break;
	}
	if (show_reverse)
		c = -c;
	if (c == 0)
		c = strcmp(al, bl);
	if (c == 0)
		c = as - bs;
	if (show_reverse && show_sort == MISSED_SORT_NAME)
		c = -c;
	return c;
}

static int cmp_groups(const void *pa, const void *pb)
{
	const struct missed_group *a = pa, *b = pb;

	return cmp_shown(a->label, a->missed, a->closes, a->shard,
			 b->label, b->missed, b->closes, b->shard);
}

static int cmp_items(const void *pa, const void *pb)
{
	const struct missed_item *a = pa, *b = pb;

	return cmp_shown(a->label, a->missed, a->closes, a->shard,
			 b->label, b->missed, b->closes, b->shard);
}

/* --- building ----------------------------------------------------------------- */

static char *group_label(const struct missed_row *r, enum missed_group_by by)
{
	switch (by) {
	case MISSED_BY_TYPE:
		return xstrdup(str(r->payment_type));
	case MISSED_BY_MODULE:
		return xstrdup(str(r->module));
	case MISSED_BY_BILLER:
	case MISSED__GROUPINGS:
		break;
	}
	return xstrdup(r->name && *r->name ? r->name : str(r->biller_id));
}

static char *item_label(const struct missed_row *r, enum missed_group_by by)
{
	if (by == MISSED_BY_BILLER)
		return xasprintf("%s/%s", str(r->payment_type), str(r->module));
	return xstrdup(r->name && *r->name ? r->name : str(r->biller_id));
}

/* Fill group g from the sorted rows v[i .. end) of one group: its totals
 * and its items (the rows of one item summed). */
static void fill_group(struct missed_group *g, const struct missed_row **v,
		       size_t i, size_t end, enum missed_group_by by)
{
	memset(g, 0, sizeof *g);
	g->label = group_label(v[i], by);
	g->shard = -1;
	if (by == MISSED_BY_BILLER) {
		g->shard = v[i]->shard;
		g->shard_name = v[i]->shard_name;
		g->biller_id = v[i]->biller_id;
	}
	g->items = xcalloc(end - i + 1, sizeof *g->items);
	for (size_t j = i; j < end;) {
		size_t k = j;
		long closes = 0, missed = 0;

		while (k < end && cmp_item(v[j], v[k], by) == 0) {
			closes += v[k]->closes;
			missed += v[k]->missed;
			k++;
		}
		if (by == MISSED_BY_BILLER || !v[j]->biller_id) {
			/* Grouped by biller, its own rows are its total; else
			 * the totals rows are. */
			g->closes += closes;
			g->missed += missed;
		}
		if (missed > 0 && (by == MISSED_BY_BILLER || v[j]->biller_id)) {
			struct missed_item *it = &g->items[g->nitems++];

			it->label = item_label(v[j], by);
			it->closes = closes;
			it->missed = missed;
			it->shard = -1;
			if (by != MISSED_BY_BILLER) {
				it->shard = v[j]->shard;
				it->shard_name = v[j]->shard_name;
				it->biller_id = v[j]->biller_id;
			}
		}
		j = k;
	}
}

static void free_group(struct missed_group *g)
{
	for (size_t k = 0; k < g->nitems; k++)
		free(g->items[k].label);
	free(g->items);
	free(g->label);
}

/* Billers that missed in the period: counted once, however the report is
 * grouped. */
static size_t count_billers(const struct missed_row *rows, size_t nrows,
			    enum missed_period period)
{
	const struct missed_row **v = xcalloc(nrows + 1, sizeof *v);
	size_t n = 0, billers = 0;

	for (size_t i = 0; i < nrows; i++)
		if (rows[i].biller_id && rows[i].bucket >= 0 &&
		    rows[i].bucket <= (int)period && rows[i].missed > 0)
			v[n++] = &rows[i];
	sort_by = MISSED_BY_BILLER;
	qsort(v, n, sizeof *v, cmp_rows);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || cmp_group(v[i - 1], v[i], MISSED_BY_BILLER))
			billers++;
	free(v);
	return billers;
}

void missed_report_build(struct missed_report *rep, const struct missed_row *rows,
			 size_t nrows, enum missed_period period,
			 enum missed_group_by by, enum missed_sort sort,
			 bool reverse)
{
	const struct missed_row **v = xcalloc(nrows + 1, sizeof *v);
	size_t n = 0;

	memset(rep, 0, sizeof *rep);
	for (size_t i = 0; i < nrows; i++) {
		const struct missed_row *r = &rows[i];

		if (r->bucket < 0 || r->bucket > (int)period)
			continue;
		if (!r->biller_id) {
			rep->closes += r->closes;
			rep->missed += r->missed;
			if (by == MISSED_BY_BILLER)
				continue;	/* billers come from their own rows */
		}
		v[n++] = r;
	}
	sort_by = by;
	qsort(v, n, sizeof *v, cmp_rows);
	rep->groups = xcalloc(n + 1, sizeof *rep->groups);

	for (size_t i = 0; i < n;) {
		size_t end = i;
		struct missed_group *g = &rep->groups[rep->ngroups];

		while (end < n && cmp_group(v[i], v[end], by) == 0)
			end++;
		fill_group(g, v, i, end, by);
		if (by == MISSED_BY_BILLER && g->missed == 0)
			free_group(g);	/* it missed in a longer period only */
		else
			rep->ngroups++;
		i = end;
	}
	free(v);
	rep->billers = count_billers(rows, nrows, period);

	show_sort = sort;
	show_reverse = reverse;
	qsort(rep->groups, rep->ngroups, sizeof *rep->groups, cmp_groups);
	for (size_t i = 0; i < rep->ngroups; i++)
		qsort(rep->groups[i].items, rep->groups[i].nitems,
		      sizeof *rep->groups[i].items, cmp_items);
}

void missed_report_free(struct missed_report *r)
{
	for (size_t i = 0; i < r->ngroups; i++)
		free_group(&r->groups[i]);
	free(r->groups);
	memset(r, 0, sizeof *r);
}
