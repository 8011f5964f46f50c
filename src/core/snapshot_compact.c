/*
 * snapshot_compact.c - see snapshot_compact.h.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/snapshot_compact.h"

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

void snapshot_compact(struct snapshot *s, struct intern *in)
{
	struct arena *keep = intern_arena(in);
	size_t kept = 0;

	if (s->arrays_owner)
		return;
	for (size_t i = 0; i < s->nbillers; i++)
		if (s->billers[i].home != s->arena && s->billers[i].home)
			move_biller(s, in, &s->billers[i]);
	for (size_t i = 0; i < s->nheld; i++) {
		if (s->held[i] == keep)
			s->held[kept++] = s->held[i];
		else
			arena_free(s->held[i]);
	}
	s->nheld = kept;
}
