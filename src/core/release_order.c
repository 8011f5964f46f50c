/*
 * release_order.c - sorting a release plan's holds (see release_order.h).
 * qsort() would need the keys in a file-level pointer to compare
 * indexes; a small merge sort over the index array needs none.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/release_order.h"
#include "core/xalloc.h"

/* Unknown instants (INT64_MIN) after every known one. */
static int cmp_time(int64_t a, int64_t b)
{
	if (a == b)
		return 0;
	if (a == INT64_MIN)
		return 1;
	if (b == INT64_MIN)
		return -1;
	return a < b ? -1 : 1;
}

/* Hold ids are bigints sent as text: shorter is smaller, then bytes. */
static int cmp_id(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

static int cmp(const struct release_key *a, const struct release_key *b,
	       enum release_by by)
{
	int c = by == RELEASE_DUE ? cmp_time(a->due_at, b->due_at)
				  : cmp_time(a->placed_at, b->placed_at);

	if (!c)
		c = by == RELEASE_DUE ? cmp_time(a->placed_at, b->placed_at)
				      : cmp_time(a->due_at, b->due_at);
	if (!c && a->shard != b->shard)
		c = a->shard < b->shard ? -1 : 1;
	if (!c)
		c = cmp_id(a->hold_id, b->hold_id);
	return c;
}

static void merge(const struct release_key *k, enum release_by by,
		  size_t *idx, size_t *tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, o = 0;

	if (n < 2)
		return;
	merge(k, by, idx, tmp, h);
	merge(k, by, idx + h, tmp, n - h);
	while (i < h && j < n)
		tmp[o++] = cmp(&k[idx[j]], &k[idx[i]], by) < 0 ? idx[j++] : idx[i++];
	while (i < h)
		tmp[o++] = idx[i++];
	while (j < n)
		tmp[o++] = idx[j++];
	memcpy(idx, tmp, n * sizeof *idx);
}

void release_order(const struct release_key *keys, size_t n,
		   enum release_by by, size_t *idx)
{
	size_t *tmp = xcalloc(n ? n : 1, sizeof *tmp);

	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	merge(keys, by, idx, tmp, n);
	free(tmp);
}

const char *release_by_words(enum release_by by)
{
	return by == RELEASE_DUE ? "about to bill first" : "oldest first";
}
