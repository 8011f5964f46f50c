/*
 * arena.c - a list of chunks; everything a snapshot points to is carved
 * out of it and freed in one go when the last reference is dropped.
 * Chunks start small and double (an incremental poll's arena holds a few
 * rows), up to ARENA_CHUNK.
 *
 * The interning table below maps raw text to one sanitized copy in its own
 * arena, which the snapshots of one shard share by reference.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/text.h"
#include "core/xalloc.h"

#define ARENA_CHUNK (64 * 1024)
#define ARENA_FIRST_CHUNK 1024

/* 16 bytes, so that data is 16-aligned with no hole: a chunk holds less
 * than 4 GiB (carve() says so), and every biller's home is one (a
 * hundred thousand of them at fleet scale). */
struct arena_chunk {
	struct arena_chunk *next;
	uint32_t used, size;
	_Alignas(16) unsigned char data[];
};

struct arena {
	int refs;			/* atomic */
	unsigned next_size : 31;	/* of the next chunk */
	unsigned sized : 1;		/* own[] below is in use */
	uint64_t serial;		/* arena_serial() */
	struct arena_chunk *head;	/* NULL: none (yet) */
	/* A sized arena (arena_new_sized) is one block: this header, then
	 * its room, own_size bytes of which own_used are carved; chunks
	 * (head) only for what overflows it.  32 bytes before the data, not
	 * 48 with a chunk header of its own: one per biller (1.6 MB at 100
	 * shards x 1,000 billers).  Unused in an arena_new() one. */
	uint32_t own_used, own_size;
	_Alignas(16) unsigned char own[];
};

_Static_assert(sizeof(struct arena_chunk) == 16 || sizeof(void *) != 8,
	       "a chunk's header grew");
_Static_assert(sizeof(struct arena) == 32 || sizeof(void *) != 8,
	       "a sized arena's header grew: one per biller");

/* The bytes of a chunk that overflows a sized arena: a guess gone wrong
 * (an interned column past its bound, a bad row's note), rare and small. */
#define ARENA_SPILL_CHUNK 256

static uint64_t next_serial(void)
{
	static uint64_t last;

	return __atomic_add_fetch(&last, 1, __ATOMIC_RELAXED);
}

uint64_t arena_serial(const struct arena *a)
{
	return a->serial;
}

struct arena *arena_new(void)
{
	struct arena *a = xcalloc(1, sizeof(struct arena));

	a->refs = 1;
	a->serial = next_serial();
	a->next_size = ARENA_FIRST_CHUNK;
	return a;
}

struct arena *arena_ref(struct arena *a)
{
	if (a)
		__atomic_add_fetch(&a->refs, 1, __ATOMIC_RELAXED);
	return a;
}

/* A chunk's size fits its header's 32 bits, or the program stops: a
 * single allocation of 4 GiB is a broken invariant, not a poll. */
static uint32_t chunk_size(size_t n)
{
	if (n > UINT32_MAX)
		fatal("arena: a chunk of %zu bytes", n);
	return (uint32_t)n;
}

struct arena *arena_new_sized(size_t n)
{
	struct arena *a = xmalloc(sizeof *a + n);

	a->refs = 1;
	a->serial = next_serial();
	a->next_size = ARENA_SPILL_CHUNK;
	a->sized = 1;
	a->head = NULL;
	a->own_used = 0;
	a->own_size = chunk_size(n);
	return a;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	if (!a || __atomic_sub_fetch(&a->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);	/* and a sized arena's own room with it */
}

/* n bytes at a multiple of align (16, or 1 for a string: most are ids of
 * a dozen bytes, and rounding each to 16 cost a third of their room). */
static void *carve(struct arena *a, size_t n, size_t align)
{
	struct arena_chunk *c = a->head;
	size_t pad;
	void *p;

	if (a->sized) {
		pad = (align - a->own_used % align) % align;
		if (a->own_size - a->own_used >= pad + n) {
			p = a->own + a->own_used + pad;
			a->own_used += (uint32_t)(pad + n);
			return p;
		}
	}
	pad = c ? (align - c->used % align) % align : 0;

	/* A block bigger than a chunk (a poll's batch records) gets a chunk
	 * of its own behind the head, so the head's free room is not lost. */
	if (c && n > ARENA_CHUNK && c->size - c->used < pad + n) {
		struct arena_chunk *big = xmalloc(sizeof *big + n);

		big->size = big->used = chunk_size(n);
		big->next = c->next;
		c->next = big;
		return big->data;
	}
	if (!c || c->size - c->used < pad + n) {
		size_t size = n > a->next_size ? n : a->next_size;

		if (a->next_size < ARENA_CHUNK)
			a->next_size *= 2;

		c = xmalloc(sizeof *c + size);
		c->size = chunk_size(size);
		c->used = 0;
		c->next = a->head;
		a->head = c;
		pad = 0;
	}
	p = c->data + c->used + pad;
	c->used += (uint32_t)(pad + n);
	return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
	return carve(a, (n + 15) & ~(size_t)15, 16);
}

char *arena_alloc_bytes(struct arena *a, size_t n)
{
	return carve(a, n, 1);
}

size_t arena_room(const struct arena *a)
{
	size_t n = a->sized ? a->own_size : 0;

	for (const struct arena_chunk *c = a->head; c; c = c->next)
		n += c->size;
	return n;
}

int arena_refs(const struct arena *a)
{
	return __atomic_load_n(&a->refs, __ATOMIC_RELAXED);
}

size_t arena_used(const struct arena *a)
{
	size_t n = a->sized ? a->own_used : 0;

	for (const struct arena_chunk *c = a->head; c; c = c->next)
		n += c->used;
	return n;
}

const char *arena_strdup(struct arena *a, const char *s)
{
	size_t len = strlen(s);
	char *d = carve(a, len + 1, 1);

	memcpy(d, s, len + 1);
	return d;
}

const char *arena_memdup(struct arena *a, const char *s, size_t len)
{
	char *d = carve(a, len + 1, 1);

	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

const char *arena_sanitize(struct arena *a, const char *s, size_t len)
{
	char stack[512];
	char *buf;
	size_t need;
	const char *out;

	if (!s)
		return "";
	if (len == (size_t)-1)
		len = strlen(s);
	/* Every input byte becomes at most one U+FFFD: 3 bytes. */
	need = len * 3 + 1;
	buf = need <= sizeof stack ? stack : xmalloc(need);
	text_sanitize_into(buf, need, s, len);
	out = arena_strdup(a, buf);
	if (buf != stack)
		free(buf);
	return out;
}

/* --- interning ------------------------------------------------------------ */

/* Open addressing, linear probing; the table never shrinks.  Past
 * INTERN_MAX distinct values (a column that is not low-cardinality after
 * all) new values are no longer interned, so memory stays bounded. */
#define INTERN_MAX 4096

struct intern_slot {
	uint32_t hash;
	uint32_t rawlen;
	const char *raw;	/* the bytes as received (NULL: free slot) */
	const char *out;	/* sanitized */
};

/* A blob's slot: its bytes in the table's arena (NULL: free). */
struct blob_slot {
	uint32_t hash;
	uint32_t len;
	const void *p;
};

struct intern {
	struct arena *arena;
	struct intern_slot *slots;
	size_t cap, n;
	struct blob_slot *blobs;	/* NULL until the first blob */
	size_t bcap, nb;
};

struct intern *intern_new(void)
{
	struct intern *t = xcalloc(1, sizeof *t);

	t->arena = arena_new();
	t->cap = 64;
	t->slots = xcalloc(t->cap, sizeof *t->slots);
	return t;
}

void intern_free(struct intern *t)
{
	if (!t)
		return;
	arena_free(t->arena);
	free(t->slots);
	free(t->blobs);
	free(t);
}

struct arena *intern_arena(const struct intern *t)
{
	return t->arena;
}

size_t intern_count(const struct intern *t)
{
	return t->n;
}

bool intern_full(const struct intern *t)
{
	return t->n >= INTERN_MAX;
}

size_t intern_blobs(const struct intern *t)
{
	return t->nb;
}

static uint32_t hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void intern_grow(struct intern *t)
{
	struct intern_slot *old = t->slots;
	size_t oldcap = t->cap;

	t->cap *= 2;
	t->slots = xcalloc(t->cap, sizeof *t->slots);
	for (size_t i = 0; i < oldcap; i++) {
		size_t j;

		if (!old[i].raw)
			continue;
		for (j = old[i].hash & (t->cap - 1); t->slots[j].raw;
		     j = (j + 1) & (t->cap - 1))
			;
		t->slots[j] = old[i];
	}
	free(old);
}

/* The slot of raw bytes s, or the free slot where they go. */
static struct intern_slot *intern_find(struct intern *t, const char *s,
				       size_t len, uint32_t h)
{
	size_t j;

	for (j = h & (t->cap - 1); t->slots[j].raw; j = (j + 1) & (t->cap - 1))
		if (t->slots[j].hash == h && t->slots[j].rawlen == len &&
		    !memcmp(t->slots[j].raw, s, len))
			break;
	return &t->slots[j];
}

const char *intern_exact(struct intern *t, struct arena *fallback,
			 const char *s)
{
	size_t len = strlen(s);
	uint32_t h;
	struct intern_slot *sl;

	if (len == 0)
		return "";
	if (len > UINT32_MAX)
		return arena_memdup(fallback, s, len);
	h = hash_bytes(s, len);
	sl = intern_find(t, s, len, h);
	if (sl->raw)
		return sl->raw;
	if (t->n >= INTERN_MAX)
		return arena_memdup(fallback, s, len);
	sl->hash = h;
	sl->rawlen = (uint32_t)len;
	sl->raw = arena_memdup(t->arena, s, len);
	sl->out = arena_sanitize(t->arena, s, len);
	if (!strcmp(sl->out, sl->raw))
		sl->out = sl->raw;
	s = sl->raw;
	if (++t->n * 2 > t->cap)
		intern_grow(t);
	return s;
}

const char *intern_sanitize(struct intern *t, struct arena *fallback,
			    const char *s, size_t len)
{
	uint32_t h;
	size_t j;
	const char *out;

	if (!s)
		return "";
	if (len == (size_t)-1)
		len = strlen(s);
	if (len == 0)
		return "";
	if (len > UINT32_MAX)
		return arena_sanitize(fallback, s, len);
	h = hash_bytes(s, len);
	for (j = h & (t->cap - 1); t->slots[j].raw; j = (j + 1) & (t->cap - 1))
		if (t->slots[j].hash == h && t->slots[j].rawlen == len &&
		    !memcmp(t->slots[j].raw, s, len))
			return t->slots[j].out;
	if (t->n >= INTERN_MAX)
		return arena_sanitize(fallback, s, len);
	t->slots[j].hash = h;
	t->slots[j].rawlen = (uint32_t)len;
	t->slots[j].raw = arena_memdup(t->arena, s, len);
	t->slots[j].out = arena_sanitize(t->arena, s, len);
	if (!strcmp(t->slots[j].out, t->slots[j].raw))
		t->slots[j].out = t->slots[j].raw;	/* one copy, not two */
	out = t->slots[j].out;
	if (++t->n * 2 > t->cap)
		intern_grow(t);		/* moves the slots, not the strings */
	return out;
}

/* --- blobs: the same open addressing, keyed by bytes ---------------------- */

static void blob_grow(struct intern *t)
{
	struct blob_slot *old = t->blobs;
	size_t oldcap = t->bcap;

	t->bcap = oldcap ? oldcap * 2 : 64;
	t->blobs = xcalloc(t->bcap, sizeof *t->blobs);
	for (size_t i = 0; i < oldcap; i++) {
		size_t j;

		if (!old[i].p)
			continue;
		for (j = old[i].hash & (t->bcap - 1); t->blobs[j].p;
		     j = (j + 1) & (t->bcap - 1))
			;
		t->blobs[j] = old[i];
	}
	free(old);
}

const void *intern_blob(struct intern *t, const void *p, size_t n)
{
	uint32_t h;
	size_t j;
	void *copy;

	if (n > UINT32_MAX)
		return NULL;
	if (!t->blobs)
		blob_grow(t);
	h = hash_bytes(p, n);
	for (j = h & (t->bcap - 1); t->blobs[j].p; j = (j + 1) & (t->bcap - 1))
		if (t->blobs[j].hash == h && t->blobs[j].len == n &&
		    !memcmp(t->blobs[j].p, p, n))
			return t->blobs[j].p;
	if (t->nb >= INTERN_MAX)
		return NULL;
	copy = arena_alloc(t->arena, n);
	memcpy(copy, p, n);
	t->blobs[j].hash = h;
	t->blobs[j].len = (uint32_t)n;
	t->blobs[j].p = copy;
	if (++t->nb * 2 > t->bcap)
		blob_grow(t);
	return copy;
}
