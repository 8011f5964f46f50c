/*
 * snapshot_compact.c - see snapshot_compact.h.
 *
 * Which arenas to let go: each held arena is weighed by the bytes its
 * billers still use in s (live) against the bytes it holds (used).  One
 * that is mostly dead (live below half of used), or one of the
 * smaller ones past the SNAPSHOT_COMPACT_KEEP that live most, has its
 * billers copied home and is dropped; the rest stay, shared, uncopied.  So
 * a compaction copies the few billers of small recent polls and, now and
 * then, what is left of a big arena once half of it is dead: never the
 * whole shard on every compaction, and the arenas a snapshot pins hold at
 * most about twice what it uses.  (Two thirds was tried: it copies
 * more often, and bench-fleet's RSS came out higher, 366 MB against 332.)
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/snapshot_compact.h"
#include "core/xalloc.h"

static const char *own(struct arena *a, const char *s)
{
	return s && *s ? arena_memdup(a, s, strlen(s)) : "";
}

static const char *common(struct intern *in, struct arena *a, const char *s)
{
	return intern_sanitize(in, a, s, (size_t)-1);
}

static void move_batch(struct snapshot *s, struct intern *in,
		       const struct biller *b, struct batch *t)
{
	struct arena *a = s->arena;

	t->batch_id = own(a, t->batch_id);
	t->biller_id = b->biller_id;
	t->business_day = common(in, a, t->business_day);
	t->payment_type = common(in, a, t->payment_type);
	t->module = common(in, a, t->module);
	t->status = common(in, a, t->status);
	t->error_class = common(in, a, t->error_class);
	t->error_message = own(a, t->error_message);
	t->bad = own(a, t->bad);
	t->rerun_status = common(in, a, t->rerun_status);
	t->rerun_by = common(in, a, t->rerun_by);
}

static void move_biller(struct snapshot *s, struct intern *in,
			struct biller *b)
{
	struct arena *a = s->arena;

	b->biller_id = own(a, b->biller_id);
	b->name = own(a, b->name);
	b->timezone = common(in, a, b->timezone);
	b->shard = s->shard;
	b->search = own(a, b->search);
	/* The records are shared with older snapshots, which may still be
	 * drawn: copy them before rewriting, never rewrite in place. */
	if (b->nbatches) {
		struct batch *t = arena_alloc(a, b->nbatches * sizeof *t);

		memcpy(t, b->batches, b->nbatches * sizeof *t);
		b->batches = t;
	}
	for (size_t j = 0; j < b->nbatches; j++)
		move_batch(s, in, b, &b->batches[j]);
	/* It pointed at a batch's error class: now the re-interned one. */
	b->last_error_class = common(in, a, b->last_error_class);
	b->home = s->arena;
}

/* About what b takes in its home arena. */
static size_t biller_bytes(const struct biller *b)
{
	size_t n = 3 + strlen(b->biller_id) + strlen(b->name) +
		   strlen(b->search);

	for (size_t j = 0; j < b->nbatches; j++)
		n += sizeof b->batches[j] + 3 + strlen(b->batches[j].batch_id) +
		     strlen(b->batches[j].error_message) +
		     strlen(b->batches[j].bad);
	return n;
}

static size_t held_index(const struct snapshot *s, const struct arena *a)
{
	for (size_t i = 0; i < s->nheld; i++)
		if (s->held[i] == a)
			return i;
	return (size_t)-1;
}

/* Which held arenas stay: keep[i] for held[i]. */
static void choose(const struct snapshot *s, const struct arena *fixed,
		   bool *keep)
{
	size_t *live = xcalloc(s->nheld + 1, sizeof *live), nkept = 0;

	for (size_t i = 0; i < s->nbillers; i++) {
		size_t h = held_index(s, s->billers[i].home);

		if (h != (size_t)-1)
			live[h] += biller_bytes(&s->billers[i]);
	}
	for (size_t i = 0; i < s->nheld; i++) {
		keep[i] = s->held[i] == fixed || s->held[i] == s->notes_home ||
			  (live[i] && live[i] * 2 >= arena_used(s->held[i]));
		nkept += keep[i] && live[i];
	}
	/* Past the bound, the smallest go (the cheapest to copy). */
	for (; nkept > SNAPSHOT_COMPACT_KEEP; nkept--) {
		size_t min = (size_t)-1;

		for (size_t i = 0; i < s->nheld; i++)
			if (keep[i] && live[i] &&
			    (min == (size_t)-1 || live[i] < live[min]))
				min = i;
		keep[min] = false;
	}
	free(live);
}

void snapshot_compact(struct snapshot *s, struct intern *in)
{
	struct arena *fixed = intern_arena(in);
	bool *keep;
	size_t kept = 0;

	if (s->arrays_owner)
		return;
	keep = xcalloc(s->nheld + 1, sizeof *keep);
	choose(s, fixed, keep);
	for (size_t i = 0; i < s->nbillers; i++) {
		struct biller *b = &s->billers[i];
		size_t h = held_index(s, b->home);

		if (h != (size_t)-1 && !keep[h])
			move_biller(s, in, b);
	}
	for (size_t i = 0; i < s->nheld; i++) {
		if (keep[i])
			s->held[kept++] = s->held[i];
		else
			arena_free(s->held[i]);
	}
	s->nheld = kept;
	free(keep);
}
