/*
 * snapshot.c - snapshots' life (a new one, references) and the facts of a
 * biller that do not depend on the time of day.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/snapshot.h"
#include "core/xalloc.h"

struct snapshot *snapshot_new(int shard_index, const char *shard)
{
	struct snapshot *s = xcalloc(1, sizeof *s);

	s->refs = 1;
	s->arena = arena_new();
	s->shard_index = shard_index;
	s->shard = arena_strdup(s->arena, shard);
	s->server_now = BT_NO_TIME;
	return s;
}

struct snapshot *snapshot_ref(struct snapshot *s)
{
	if (s)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return s;
}

void snapshot_unref(struct snapshot *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	free(s->billers);
	free(s->batches);
	arena_free(s->arena);
	free(s);
}

enum batch_state batch_state_from_text(const char *status)
{
	if (!status)
		return BATCH_OTHER;
	if (!strcmp(status, "scheduled"))
		return BATCH_SCHEDULED;
	if (!strcmp(status, "running"))
		return BATCH_RUNNING;
	if (!strcmp(status, "closed"))
		return BATCH_CLOSED;
	if (!strcmp(status, "failed"))
		return BATCH_FAILED;
	return BATCH_OTHER;
}

void biller_summarize(struct biller *b)
{
	const struct batch *err = NULL;
	int errfailed = 0;

	b->n_closed = 0;
	b->attempts_max = BT_NO_INT;
	for (size_t i = 0; i < b->nbatches; i++) {
		const struct batch *t = &b->batches[i];
		int failed = t->state == BATCH_FAILED;

		if (t->state == BATCH_CLOSED)
			b->n_closed++;
		if (t->attempts != BT_NO_INT &&
		    (b->attempts_max == BT_NO_INT || t->attempts > b->attempts_max))
			b->attempts_max = t->attempts;
		if (!t->error_class[0])
			continue;
		/* A failed batch's error outranks an old error on a batch
		 * that has since recovered; then the most recent wins. */
		if (!err || failed > errfailed ||
		    (failed == errfailed && t->updated_at > err->updated_at)) {
			err = t;
			errfailed = failed;
		}
	}
	b->last_error_class = err ? err->error_class : "";
}
