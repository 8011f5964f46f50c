/*
 * view_due.c - each shard's heap of when its slots must be looked at
 * again (core/view.h, struct view_due): a binary min-heap by instant,
 * with stale entries (a slot whose instant moved) left in and dropped
 * when they come up (view.c, refresh_due).
 */
#include "autoconf.h"

#include "core/view.h"
#include "core/xalloc.h"

int64_t view_slot_due(const struct view_slot *sl)
{
	return sl->row.ev.until < sl->miss_until ? sl->row.ev.until : sl->miss_until;
}

static bool due_before(const struct view_due *a, const struct view_due *b)
{
	return view_due_at(a) < view_due_at(b);
}

static void due_sift_down(struct view_due *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct view_due x;

		if (l < n && due_before(&h[l], &h[m]))
			m = l;
		if (l + 1 < n && due_before(&h[l + 1], &h[m]))
			m = l + 1;
		if (m == i)
			return;
		x = h[i];
		h[i] = h[m];
		h[m] = x;
		i = m;
	}
}

void view_due_push(struct view_seen *sh, int64_t at, size_t k)
{
	size_t i;

	if (at == INT64_MAX)
		return;		/* never */
	if (sh->ndue == sh->due_cap) {
		/* By half, not double: a heap stays within view_due_bound()
		 * of its slots, and doubling past it would leave room that is
		 * never used. */
		sh->due_cap = sh->due_cap ? sh->due_cap + sh->due_cap / 2 : 64;
		sh->due = xrealloc(sh->due, sh->due_cap * sizeof *sh->due);
	}
	i = sh->ndue++;
	sh->due[i] = view_due_of(at, k);
	while (i && due_before(&sh->due[i], &sh->due[(i - 1) / 2])) {
		struct view_due x = sh->due[i];

		sh->due[i] = sh->due[(i - 1) / 2];
		sh->due[(i - 1) / 2] = x;
		i = (i - 1) / 2;
	}
}

struct view_due view_due_pop(struct view_seen *sh)
{
	struct view_due top = sh->due[0];

	sh->due[0] = sh->due[--sh->ndue];
	due_sift_down(sh->due, sh->ndue, 0);
	return top;
}

void view_due_remake(struct view *v, struct view_seen *sh, size_t k0, size_t n)
{
	if (n > sh->due_cap) {
		sh->due_cap = n;
		sh->due = xrealloc(sh->due, sh->due_cap * sizeof *sh->due);
	}
	sh->ndue = 0;
	for (size_t j = 0; j < n; j++) {
		int64_t at = view_slot_due(&v->slots[k0 + j]);

		if (at != INT64_MAX)
			sh->due[sh->ndue++] = view_due_of(at, k0 + j);
	}
	/* Made bottom-up: a pass, not a push each (every new snapshot of a
	 * shard makes its heap anew). */
	for (size_t i = sh->ndue / 2; i-- > 0;)
		due_sift_down(sh->due, sh->ndue, i);
	sh->until = sh->ndue ? view_due_at(&sh->due[0]) : INT64_MAX;
}
