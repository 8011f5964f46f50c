/*
 * view_order.c - the rows in the view's order: a radix sort of packed
 * keys from scratch, or the few rows that moved merged into the order of
 * the last rebuild (core/view.c decides which).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/view.h"
#include "core/xalloc.h"

/* qsort has no context argument; the view being sorted is kept here.  Only
 * the UI thread sorts (the benchmark too), so this is never contended. */
static const struct view *sorting;
static const struct view_slot *sorting_slots;

static int item_cmp(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;

	return view_compare(sorting, &sorting_slots[a->idx].row,
			    &sorting_slots[b->idx].row);
}

/* LSD radix sort of items by key, a byte at a time, skipping the bytes in
 * which every key agrees (most of them, for most sort keys).  Stable. */
static void radix_sort(struct sort_item *items, struct sort_item *tmp, size_t n)
{
	uint64_t all_or = 0, all_and = ~(uint64_t)0;

	if (n < 2)
		return;		/* sorted; and items may be NULL when n is 0 */
	for (size_t i = 0; i < n; i++) {
		all_or |= key_of(&items[i]);
		all_and &= key_of(&items[i]);
	}
	for (int shift = 0; shift < 64; shift += 8) {
		size_t count[256] = { 0 }, pos = 0;

		if ((((all_or ^ all_and) >> shift) & 0xff) == 0)
			continue;	/* every key has the same byte here */
		for (size_t i = 0; i < n; i++)
			count[(key_of(&items[i]) >> shift) & 0xff]++;
		for (int d = 0; d < 256; d++) {
			size_t c = count[d];

			count[d] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(key_of(&items[i]) >> shift) & 0xff]++] = items[i];
		memcpy(items, tmp, n * sizeof *items);
	}
}

/* The sorted items are the rows: each slot's place among them. */
static void rows_from_items(struct view *v, size_t n)
{
	const struct sort_item *items = v->items;

	for (size_t i = 0; i < n; i++)
		v->pos[items[i].idx] = (uint32_t)i;
	v->nrows = n;
}

/* Every row that is in, sorted from scratch. */
void view_sort_all(struct view *v, size_t total)
{
	struct sort_item *items = v->items, *tmp;
	size_t n = 0;

	for (size_t k = 0; k < total; k++)
		if (v->slots[k].in)
			items[n++] = item_of(v->slots[k].key, k);
	/* Its scratch only while it sorts: v->tmp holds an eighth of the
	 * rows (the merge's), and this runs when the filter or the order
	 * changed or many rows moved. */
	tmp = xmalloc((n ? n : 1) * sizeof *tmp);
	radix_sort(items, tmp, n);
	free(tmp);
	/* Equal keys can only come from more than a million billers. */
	sorting = v;
	sorting_slots = v->slots;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && key_of(&items[j]) == key_of(&items[i]))
			j++;
		if (j - i > 1)
			qsort(items + i, j - i, sizeof *items, item_cmp);
		i = j;
	}
	sorting = NULL;
	sorting_slots = NULL;
	rows_from_items(v, n);
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;

	uint64_t ka = key_of(a), kb = key_of(b);

	return ka < kb ? -1 : ka > kb;
}

static int pos_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return (a > b) - (a < b);
}

/* The items (rows) [from, to) to start at at, as one block. */
static void move_block(struct view *v, size_t at, size_t from, size_t to)
{
	struct sort_item *items = v->items;

	if (at == from || from == to)
		return;
	memmove(items + at, items + from, (to - from) * sizeof *items);
}

/*
 * The rows that stayed keep their order (v->items of the last rebuild;
 * a row changed in place is its slot's, read through view_row()):
 * the places of those that moved are closed up, then the few that moved
 * in (v->tmp) are sorted and merged in from the end, each with a block
 * move of the rows after it, so that no third buffer is needed and no
 * slot is read but theirs.  Keys are unique here (the name rank is part
 * of each, under a million billers).
 */
void view_merge_moved(struct view *v, size_t nnew, uint32_t *gone, size_t ngone)
{
	struct sort_item *items = v->items, *fresh = v->tmp;
	size_t w = 0, from = 0, o, n, first;

	if (ngone > 1)
		qsort(gone, ngone, sizeof *gone, pos_cmp);
	first = ngone ? gone[0] : v->nrows;
	for (size_t g = 0; g < ngone; g++) {
		move_block(v, w, from, gone[g]);
		w += gone[g] - from;
		from = gone[g] + 1;
	}
	move_block(v, w, from, v->nrows);
	w += v->nrows - from;
	if (nnew > 1)		/* fresh may be NULL when nothing moved */
		qsort(fresh, nnew, sizeof *fresh, key_cmp);
	o = n = w + nnew;
	while (nnew) {
		const struct sort_item *f = &fresh[--nnew];
		size_t lo = 0, hi = w;

		/* The stayed rows after f: those of greater keys. */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (key_of(&items[mid]) > key_of(f))
				hi = mid;
			else
				lo = mid + 1;
		}
		move_block(v, o - (w - lo), lo, w);
		o -= w - lo;
		w = lo;
		items[--o] = *f;
	}
	v->nrows = n;
	/* The rows before the first that left or came kept their places. */
	for (size_t i = first < o ? first : o; i < n; i++)
		v->pos[items[i].idx] = (uint32_t)i;
}
