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
#include "core/text.h"
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

/* --- the biller chunks (snapshot.h) -------------------------------------- */

static size_t nchunks(size_t nbillers)
{
	return (nbillers + BILLER_CHUNK - 1) / BILLER_CHUNK;
}

static struct biller_chunk *chunk_new(struct arena *own)
{
	struct biller_chunk *c = xmalloc(sizeof *c);

	c->refs = 1;
	c->n = 0;
	c->own = arena_ref(own);
	return c;
}

static void chunk_ref(struct biller_chunk *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
}

/* A chunk's reference to a biller's home: none for own's (the chunk
 * holds own once) or for literals. */
static void home_ref(const struct biller_chunk *c, struct arena *home)
{
	if (home && home != c->own)
		arena_ref(home);
}

static void home_free(const struct biller_chunk *c, struct arena *home)
{
	if (home && home != c->own)
		arena_free(home);
}

static void chunk_unref(struct biller_chunk *c)
{
	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (unsigned k = 0; k < c->n; k++)
		home_free(c, c->b[k].home);
	arena_free(c->own);
	free(c);
}

/* A private copy of c, with a reference to each home but record skip's
 * (about to be replaced: no reference taken, none to drop). */
static struct biller_chunk *chunk_copy(const struct biller_chunk *c,
				       unsigned skip)
{
	struct biller_chunk *n = chunk_new(c->own);

	n->n = c->n;
	memcpy(n->b, c->b, c->n * sizeof *n->b);
	for (unsigned k = 0; k < c->n; k++)
		if (k != skip)
			home_ref(n, n->b[k].home);
	return n;
}

void snapshot_chunks_summarize(struct snapshot *s)
{
	if (s->arrays_owner)
		return;
	for (size_t i = 0; i < nchunks(s->nbillers); i++) {
		const struct biller_chunk *c = s->chunks[i];
		int64_t latest = BT_NO_TIME;

		if (s->chunk_sigs[i] != CHUNK_SIG_UNSET)
			continue;
		for (unsigned k = 0; k < c->n; k++)
			if (c->b[k].row_sigs && c->b[k].sig_latest > latest)
				latest = c->b[k].sig_latest;
		s->chunk_sigs[i] = latest;
	}
}

/* Room in s's table for one more chunk. */
static void table_grow(struct snapshot *s)
{
	if (nchunks(s->nbillers) < s->chunks_cap)
		return;
	s->chunks_cap = s->chunks_cap ? s->chunks_cap * 2 : 4;
	s->chunks = xrealloc(s->chunks, s->chunks_cap * sizeof *s->chunks);
	s->chunk_sigs = xrealloc(s->chunk_sigs,
				 s->chunks_cap * sizeof *s->chunk_sigs);
}

struct biller *snapshot_add_biller(struct snapshot *s)
{
	struct biller_chunk *c;
	struct biller *b;

	if (s->nbillers % BILLER_CHUNK == 0) {
		table_grow(s);
		s->chunk_sigs[nchunks(s->nbillers)] = CHUNK_SIG_UNSET;
		s->chunks[nchunks(s->nbillers)] = chunk_new(s->arena);
	}
	c = s->chunks[s->nbillers / BILLER_CHUNK];
	b = &c->b[c->n++];
	memset(b, 0, sizeof *b);
	s->nbillers++;
	return b;
}

static void table_free(struct snapshot *s)
{
	for (size_t i = 0; i < nchunks(s->nbillers); i++)
		chunk_unref(s->chunks[i]);
	free(s->chunks);
	free(s->chunk_sigs);
	s->chunks = NULL;
	s->chunk_sigs = NULL;
	s->nbillers = s->chunks_cap = 0;
}

void snapshot_unref(struct snapshot *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (s->arrays_owner)
		snapshot_unref(s->arrays_owner);
	else
		table_free(s);
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
		same = same_names(snapshot_biller(s, i),
				  snapshot_biller(base, i));
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
		index_put(x, snapshot_biller(s, i)->biller_id, i);
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

		if (i < s->nbillers &&
		    !strcmp(snapshot_biller(s, i)->biller_id, id))
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
		index_put(x, snapshot_biller(s, i)->biller_id, i);
}

/* Nothing changed: share base's arrays and the arenas they point to. */
static struct snapshot *merge_nothing(const struct snapshot *base,
				      struct snapshot *d)
{
	table_free(d);
	d->arrays_owner = snapshot_ref(base->arrays_owner ?
		base->arrays_owner : (struct snapshot *)base);
	d->chunks = base->chunks;
	d->chunk_sigs = base->chunk_sigs;
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

/* Record at of table t (nt chunks in use), being made from base, to
 * write: its chunk copied first while it is still base's, a new chunk
 * (own NULL) past the last.  *old: the record holds a biller whose home
 * reference the caller drops (a fresh copy took none for it). */
static struct biller *slot_w(struct biller_chunk **t, size_t *nt,
			     const struct snapshot *base, size_t at, bool *old)
{
	size_t ci = at / BILLER_CHUNK;
	unsigned k = (unsigned)(at % BILLER_CHUNK);
	struct biller_chunk *c;

	*old = false;
	if (ci == *nt)
		t[(*nt)++] = chunk_new(NULL);
	else if (ci < nchunks(base->nbillers) && t[ci] == base->chunks[ci])
		t[ci] = chunk_copy(t[ci], k);
	else
		*old = k < t[ci]->n;
	c = t[ci];
	if (k == c->n)
		c->n++;		/* appended: billers come in order */
	return &c->b[k];
}

/*
 * The batch records are not copied: a biller that did not change keeps
 * its batches pointer into its home block; a chunk that holds only such
 * billers is base's, referenced once more.  A chunk with a changed or new
 * biller is copied (a reference to each home it carries) and the changed
 * biller's home gets the new chunk's reference; the replaced one's stays
 * with base's chunk: when base goes, its block goes.  At 100 shards x
 * 1,000 billers a copy of every batch record per poll was most of the
 * client's memory, and a copy of every biller record with a reference to
 * every home most of a merge's time.
 */
struct snapshot *snapshot_merge(const struct snapshot *base,
				struct snapshot *d)
{
	struct biller_index *x;
	struct biller_chunk **t;
	int64_t *sigs;
	size_t n = base->nbillers, nb = base->nbatches, nbad = base->nbad;
	size_t nbase = nchunks(base->nbillers), nt = nbase, cap;
	bool renamed = !base->names_id;

	if (d->nbillers == 0)
		return merge_nothing(base, d);
	x = index_of(base);
	cap = nchunks(base->nbillers + d->nbillers) + 1;
	t = xmalloc(cap * sizeof *t);
	if (nbase)	/* an empty base may have no table at all */
		memcpy(t, base->chunks, nbase * sizeof *t);
	for (size_t i = 0; i < d->nbillers; i++) {
		const struct biller *db = snapshot_biller(d, i);
		size_t at = index_find(x, base, db->biller_id);
		struct biller_chunk *c;
		struct biller *b;
		bool old;

		if (at == (size_t)-1) {
			at = n++;
			renamed = true;
		} else {
			/* What it holds now: base's, or an earlier biller
			 * of d with the same id. */
			const struct biller *was =
				&t[at / BILLER_CHUNK]->b[at % BILLER_CHUNK];

			if (strcmp(was->name, db->name))
				renamed = true;
			/* None bad so far: none in was, whose batches are
			 * out of the cache (nearly always none). */
			if (nbad)
				nbad -= count_bad(was);
			nb -= was->nbatches;
		}
		b = slot_w(t, &nt, base, at, &old);
		c = t[at / BILLER_CHUNK];
		if (old)
			home_free(c, b->home);
		*b = *db;
		home_ref(c, b->home);
		nbad += count_bad(b);
		nb += b->nbatches;
	}
	/* base's chunks that d left alone: one more reference each, and
	 * their latest row hash as it was; the others are worked out again. */
	sigs = xmalloc(cap * sizeof *sigs);
	for (size_t i = 0; i < nt; i++)
		sigs[i] = CHUNK_SIG_UNSET;
	for (size_t i = 0; i < nbase; i++)
		if (t[i] == base->chunks[i]) {
			chunk_ref(t[i]);
			sigs[i] = base->chunk_sigs[i];
		}
	table_free(d);
	d->chunks = t;
	d->chunk_sigs = sigs;
	d->chunks_cap = cap;
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
	struct batch_iter it = { s, 0, 0 };

	for (const struct batch *t; (t = batch_iter_next(&it)); )
		if (!strcmp(t->batch_id, batch_id))
			return t;
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

/* Printable ASCII: what the sanitizer keeps as it is (most ids). */
static bool plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* The search text into buf (room n), or its length + 1 if more. */
static size_t search_into(const struct biller *b, const char *id, char *buf,
			  size_t n)
{
	const char *parts[] = { b->name, id, b->shard, b->timezone };
	size_t len = 1;
	char *q = buf;

	for (size_t i = 0; i < 4; i++)
		len += strlen(parts[i]) + 1;
	if (len > n)
		return len;
	for (size_t i = 0; i < 4; i++) {
		for (const char *c = parts[i]; *c; c++)
			*q++ = (*c >= 'A' && *c <= 'Z') ? (char)(*c + 32) : *c;
		*q++ = ' ';
	}
	*q = '\0';
	return len;
}

char *biller_search_text(const struct biller *b)
{
	char *id = plain(b->biller_id) ? NULL : text_sanitize(b->biller_id,
							       (size_t)-1);
	const char *use = id ? id : b->biller_id;
	size_t n = search_into(b, use, NULL, 0);
	char *out = xmalloc(n);

	search_into(b, use, out, n);
	free(id);
	return out;
}

bool biller_search_has(const struct biller *b, const char *needle)
{
	char buf[256];
	bool hit;

	if (plain(b->biller_id) &&
	    search_into(b, b->biller_id, buf, sizeof buf) <= sizeof buf)
		return strstr(buf, needle) != NULL;
	{
		char *text = biller_search_text(b);

		hit = strstr(text, needle) != NULL;
		free(text);
	}
	return hit;
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
