/*
 * snapshot.c - snapshots' life (a new one, references, the arenas they
 * share), the merge of an incremental poll into the previous snapshot, and
 * the facts of a biller that do not depend on the time of day.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/snapshot.h"
#include "core/xalloc.h"

struct biller_index;
static struct biller_index *index_ref(struct biller_index *x);
static void index_unref(struct biller_index *x);

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
	if (s->arrays_owner) {
		snapshot_unref(s->arrays_owner);
	} else {
		for (size_t i = 0; i < s->nbillers; i++)
			if (s->billers[i].home != s->arena)
				arena_free(s->billers[i].home);
		free(s->billers);
	}
	for (size_t i = 0; i < s->nheld; i++)
		arena_free(s->held[i]);
	free(s->held);
	index_unref(s->index);
	arena_free(s->arena);
	free(s);
}

void snapshot_hold(struct snapshot *s, struct arena *a)
{
	if (!a || a == s->arena)
		return;
	for (size_t i = 0; i < s->nheld; i++)
		if (s->held[i] == a)
			return;
	s->held = xrealloc(s->held, (s->nheld + 1) * sizeof *s->held);
	s->held[s->nheld++] = arena_ref(a);
}

uint64_t snapshot_names_id_new(void)
{
	static uint64_t last;

	return __atomic_add_fetch(&last, 1, __ATOMIC_RELAXED);
}

static bool same_names(const struct biller *a, const struct biller *b)
{
	return !strcmp(a->biller_id, b->biller_id) && !strcmp(a->name, b->name);
}

void snapshot_names_from(struct snapshot *s, const struct snapshot *base)
{
	bool same = base && base->names_id && base->nbillers == s->nbillers;

	for (size_t i = 0; same && i < s->nbillers; i++)
		same = same_names(&s->billers[i], &base->billers[i]);
	s->names_id = same ? base->names_id : snapshot_names_id_new();
}

/*
 * Where each biller id is in a snapshot's array: open addressing over
 * indexes + 1.  A merge keeps every biller where it was and appends the
 * new ones, so one index serves a whole chain of merges: each adds its new
 * billers to it and passes it on, instead of hashing the shard's thousand
 * ids again every poll.  Only the poller that merges reads or grows it
 * (snapshot_unref() may free it elsewhere, once nobody holds it).  A slot
 * is a hint: a lookup checks the id at that index in the snapshot it
 * searches, so an entry of a merge that was never published (a poll that
 * failed after it) costs a probe, never a wrong answer.
 */
struct biller_index {
	int refs;			/* atomic */
	size_t cap, n;
	size_t *slot;
};

static size_t id_hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void index_put(struct biller_index *x, const char *id, size_t i)
{
	size_t j = id_hash(id) & (x->cap - 1);

	while (x->slot[j])
		j = (j + 1) & (x->cap - 1);
	x->slot[j] = i + 1;
	x->n++;
}

/* Rebuilt from s's billers, at twice the room they need. */
static void index_fill(struct biller_index *x, const struct snapshot *s)
{
	size_t cap = 16;

	while (cap < s->nbillers * 2 + 2)
		cap *= 2;
	free(x->slot);
	x->cap = cap;
	x->n = 0;
	x->slot = xcalloc(cap, sizeof *x->slot);
	for (size_t i = 0; i < s->nbillers; i++)
		index_put(x, s->billers[i].biller_id, i);
}

static struct biller_index *index_of(const struct snapshot *base)
{
	struct biller_index *x;

	if (base->index)
		return index_ref(base->index);
	x = xcalloc(1, sizeof *x);
	x->refs = 1;
	index_fill(x, base);
	return x;
}

/* The index in s of id, or (size_t)-1. */
static size_t index_find(const struct biller_index *x,
			 const struct snapshot *s, const char *id)
{
	for (size_t j = id_hash(id) & (x->cap - 1); x->slot[j];
	     j = (j + 1) & (x->cap - 1)) {
		size_t i = x->slot[j] - 1;

		if (i < s->nbillers && !strcmp(s->billers[i].biller_id, id))
			return i;
	}
	return (size_t)-1;
}

/* Biller i of s is new: in the index, grown (from s) past half full. */
static void index_add(struct biller_index *x, const struct snapshot *s,
		      size_t i)
{
	if ((x->n + 1) * 2 > x->cap)
		index_fill(x, s);	/* s holds it already */
	else
		index_put(x, s->billers[i].biller_id, i);
}

/* Nothing changed: share base's arrays and the arenas they point to. */
static struct snapshot *merge_nothing(const struct snapshot *base,
				      struct snapshot *d)
{
	free(d->billers);
	d->arrays_owner = snapshot_ref(base->arrays_owner ?
		base->arrays_owner : (struct snapshot *)base);
	d->billers = base->billers;
	d->nbillers = base->nbillers;
	d->nbatches = base->nbatches;
	d->nbad = base->nbad;
	d->names_id = base->names_id;
	d->index = index_ref(base->index);
	return d;
}

static struct biller_index *index_ref(struct biller_index *x)
{
	if (x)
		__atomic_add_fetch(&x->refs, 1, __ATOMIC_RELAXED);
	return x;
}

static void index_unref(struct biller_index *x)
{
	if (!x || __atomic_sub_fetch(&x->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	free(x->slot);
	free(x);
}

static size_t count_bad(const struct biller *b)
{
	size_t n = 0;

	for (size_t j = 0; j < b->nbatches; j++)
		n += batch_is_bad(&b->batches[j]);
	return n;
}

/*
 * The batch records are not copied: a biller that did not change keeps
 * its batches pointer into its home block, which d now references too;
 * a changed one comes with d's reference to its new home (query_poll put
 * it there).  A biller replaced by d's is not referenced by d: when base
 * goes, its block goes.  At 100 shards x 1,000 billers a copy of every
 * batch record per poll was most of the client's memory.
 */
struct snapshot *snapshot_merge(const struct snapshot *base,
				struct snapshot *d)
{
	struct biller_index *x;
	struct biller *billers;
	size_t n, nb = base->nbatches, nbad = base->nbad;
	bool renamed = !base->names_id;

	if (d->nbillers == 0)
		return merge_nothing(base, d);
	x = index_of(base);
	billers = xmalloc((base->nbillers + d->nbillers + 1) * sizeof *billers);
	if (base->nbillers)	/* an empty base may have no array at all */
		memcpy(billers, base->billers, base->nbillers * sizeof *billers);
	/* A reference for each of base's, dropped below for those d replaces
	 * (its arena as a home: a fixture's; d holds it like any other). */
	for (size_t i = 0; i < base->nbillers; i++)
		arena_ref(billers[i].home);
	n = base->nbillers;
	for (size_t i = 0; i < d->nbillers; i++) {
		size_t at = index_find(x, base, d->billers[i].biller_id);

		if (at == (size_t)-1) {
			at = n++;
			renamed = true;
		} else {
			if (strcmp(base->billers[at].name, d->billers[i].name))
				renamed = true;
			nbad -= count_bad(&billers[at]);
			nb -= billers[at].nbatches;
			arena_free(billers[at].home);
		}
		billers[at] = d->billers[i];
		nbad += count_bad(&billers[at]);
		nb += billers[at].nbatches;
	}
	free(d->billers);
	d->billers = billers;
	d->nbillers = n;
	for (size_t i = base->nbillers; i < n; i++)
		index_add(x, d, i);
	d->nbatches = nb;
	d->nbad = nbad;
	d->names_id = renamed ? snapshot_names_id_new() : base->names_id;
	d->index = x;
	return d;
}

const struct batch *snapshot_find_batch(const struct snapshot *s,
					const char *batch_id)
{
	for (size_t i = 0; s && i < s->nbillers; i++)
		for (size_t j = 0; j < s->billers[i].nbatches; j++)
			if (!strcmp(s->billers[i].batches[j].batch_id, batch_id))
				return &s->billers[i].batches[j];
	return NULL;
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
	if (!strcmp(status, "held"))
		return BATCH_HELD;
	return BATCH_OTHER;
}

uint64_t biller_home_serial(const struct biller *b)
{
	return b->home_serial ? b->home_serial : arena_serial(b->home);
}

void biller_summarize(struct biller *b)
{
	const struct batch *err = NULL;
	int errfailed = 0;

	b->home_serial = b->home ? arena_serial(b->home) : 0;
	b->n_closed = 0;
	b->attempts_max = BT_NO_INT;
	b->sig_latest = BT_NO_TIME;
	for (size_t i = 0; i < b->nbatches; i++) {
		const struct batch *t = &b->batches[i];
		int failed = t->state == BATCH_FAILED;

		if (b->row_sigs && b->row_sigs[i] && t->updated_at != BT_NO_TIME &&
		    (b->sig_latest == BT_NO_TIME || t->updated_at > b->sig_latest))
			b->sig_latest = t->updated_at;

		if (t->state == BATCH_CLOSED)
			b->n_closed++;
		if (t->attempts != BT_NO_INT &&
		    (b->attempts_max == BT_NO_INT || t->attempts > b->attempts_max))
			b->attempts_max = t->attempts;
		if (!t->kind->error_class[0])
			continue;
		/* A failed batch's error outranks an old error on a batch
		 * that has since recovered; then the most recent wins. */
		if (!err || failed > errfailed ||
		    (failed == errfailed && t->updated_at > err->updated_at)) {
			err = t;
			errfailed = failed;
		}
	}
	b->last_error_class = err ? err->kind->error_class : "";
}
