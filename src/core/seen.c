/*
 * seen.c - the "new since" marks (see seen.h).
 *
 * A hash table keyed by a 64-bit hash of shard index and biller_id, open
 * addressing with linear probing, grown at 7/8 full; billers are never
 * removed (a night has a few thousand), so no tombstones are needed.
 * Only the hash is kept, not the id: a mark is all this decides (an
 * underline, a flash), never what an action acts on, so two billers
 * whose hashes collide (about one chance in 2^60 for a pair) would at
 * worst share a mark.  That keeps an entry at 16 bytes with no copied
 * id: a fleet of 100,000 billers fits in 2 MB.  The hash is finished
 * with a mixer, since FNV's low bits (the slot) carry little of the
 * bytes that tell "B-00017" from "B-00071" on 100 shards.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/seen.h"
#include "core/snapshot.h"
#include "core/view.h"
#include "core/xalloc.h"

/* key: the hash with its low 4 bits replaced by the status (0: an empty
 * slot; a hash whose other bits are all 0 is made 1).  The times are ms
 * after s->base, plus one (0: never), saturated: a change is kept for
 * about 49 days of uptime, after which its marks stay as they are. */
struct seen_entry {
	uint64_t key;
	uint32_t changed;	/* when status last changed */
	uint32_t failed;	/* when it last turned failed */
};

#define STATUS_BITS 4
#define STATUS_MASK ((uint64_t)(1 << STATUS_BITS) - 1)
_Static_assert(BS__COUNT <= 1 << STATUS_BITS, "a status fits in a key's low bits");
_Static_assert(sizeof(struct seen_entry) == 16, "a seen entry is 16 bytes");

void seen_init(struct seen *s, int64_t mono, int64_t wall)
{
	memset(s, 0, sizeof *s);
	s->ref_mono = mono;
	s->ref_wall = wall;
	s->base = mono;
	s->quiet_ms = SEEN_QUIET_MS;
	s->flash_ms = SEEN_FLASH_MS;
}

void seen_free(struct seen *s)
{
	free(s->tab);
	memset(s, 0, sizeof *s);
}

void seen_key(struct seen *s, int64_t mono, int64_t wall)
{
	seen_tick(s, mono);
	s->last_key_mono = mono;
	s->last_key_wall = wall;
}

void seen_mark_all(struct seen *s, int64_t mono, int64_t wall)
{
	s->ref_mono = mono;
	s->ref_wall = wall;
	/* The key that asked for it does not move the reference back. */
	s->last_key_mono = mono;
	s->last_key_wall = wall;
}

bool seen_tick(struct seen *s, int64_t mono)
{
	if (!s->last_key_mono || mono - s->last_key_mono < s->quiet_ms ||
	    s->last_key_mono <= s->ref_mono)
		return false;
	s->ref_mono = s->last_key_mono;
	s->ref_wall = s->last_key_wall;
	return true;
}

/* The hash of (shard, id) with its status bits clear, never 0. */
static uint64_t hash(int shard, const char *id)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(unsigned)shard;

	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	/* Every bit of h into the low ones (the slot). */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h &= ~STATUS_MASK;
	return h ? h : STATUS_MASK + 1;
}

/* The slot of hash h: its own, or the empty one it would take.  The slot
 * comes from the bits above the status. */
static size_t slot(const struct seen_entry *tab, size_t cap, uint64_t h)
{
	size_t i = (size_t)(h >> STATUS_BITS) & (cap - 1);

	while (tab[i].key && (tab[i].key & ~STATUS_MASK) != h)
		i = (i + 1) & (cap - 1);
	return i;
}

static void grow(struct seen *s)
{
	size_t cap = s->cap ? s->cap * 2 : 256;
	struct seen_entry *tab = xcalloc(cap, sizeof *tab);

	for (size_t i = 0; i < s->cap; i++)
		if (s->tab[i].key)
			tab[slot(tab, cap, s->tab[i].key & ~STATUS_MASK)] = s->tab[i];
	free(s->tab);
	s->tab = tab;
	s->cap = cap;
}

/* mono as an entry keeps it. */
static uint32_t stamp(const struct seen *s, int64_t mono)
{
	int64_t d = mono - s->base;

	if (d < 0)
		d = 0;
	return d >= (int64_t)UINT32_MAX - 1 ? UINT32_MAX : (uint32_t)(d + 1);
}

static struct seen_mark mark_of(const struct seen *s, const struct seen_entry *e,
				int64_t mono)
{
	struct seen_mark m = { false, false };

	if (!e->key)
		return m;
	m.changed = e->changed && s->base + (int64_t)e->changed - 1 > s->ref_mono;
	m.flash = e->failed && mono - (s->base + (int64_t)e->failed - 1) < s->flash_ms;
	return m;
}

struct seen_mark seen_observe(struct seen *s, int shard, const char *biller_id,
			      enum biller_status status, int64_t mono)
{
	struct seen_entry *e;
	uint64_t h;

	if (!biller_id)
		return (struct seen_mark){ false, false };
	if ((s->used + 1) * 8 > s->cap * 7)
		grow(s);
	h = hash(shard, biller_id);
	e = &s->tab[slot(s->tab, s->cap, h)];
	if (!e->key) {
		e->key = h | (uint64_t)status;
		s->used++;
	} else if ((enum biller_status)(e->key & STATUS_MASK) != status) {
		e->key = h | (uint64_t)status;
		e->changed = stamp(s, mono);
		if (status == BS_FAILED)
			e->failed = e->changed;
	}
	return mark_of(s, e, mono);
}

struct seen_mark seen_lookup(const struct seen *s, int shard,
			     const char *biller_id, int64_t mono)
{
	if (!biller_id || !s->cap)
		return (struct seen_mark){ false, false };
	return mark_of(s, &s->tab[slot(s->tab, s->cap, hash(shard, biller_id))], mono);
}

/* Every row observed anew, and the count made again. */
static void observe_all(struct seen *s, struct seen_rows *m,
			const struct view *v, int64_t mono)
{
	if (m->n)	/* marks is NULL before the first row */
		memset(m->marks, 0, m->n);
	m->count = 0;
	for (size_t i = 0; i < v->nrows; i++) {
		const struct row *r = view_row(v, i);

		m->marks[r->slot] = seen_observe(s, r->b->shard_index,
						 r->b->biller_id, r->ev.status,
						 mono).changed;
		m->count += m->marks[r->slot];
	}
	m->full++;
}

/* Every slot read, those changed since the last call (row.changed)
 * observed again, and the count made again: after the view's log of
 * changes started again.  One observation costs two cache misses (the
 * id, the entry), every row's 65 ms at 100,000 rows, a read of a slot
 * one. */
static void observe_changed(struct seen *s, struct seen_rows *m,
			    const struct view *v, int64_t mono)
{
	m->count = 0;
	for (size_t k = 0; k < v->nslots; k++) {
		const struct view_slot *sl = &v->slots[k];

		if (!sl->in)
			m->marks[k] = 0;
		else if (sl->row.changed > m->rebuild)
			m->marks[k] = seen_observe(s, sl->row.b->shard_index,
						   sl->row.b->biller_id,
						   sl->row.ev.status, mono).changed;
		m->count += m->marks[k];
	}
	m->scans++;
}

/*
 * The slots the view logged as changed since the last call (a status, or
 * whether the row is in): each observed again if it is in, its mark taken
 * out of the count and the new one put in.  So a call costs the rows that
 * changed, not the fleet; every row is observed when the view's slots or
 * the reference moved, every slot read when the log started again.
 */
size_t seen_observe_view(struct seen *s, struct seen_rows *m,
			 const struct view *v, int64_t mono)
{
	bool all = !m->n || m->n != v->nslots || m->reshaped != v->reshaped ||
		   m->ref_mono != s->ref_mono;
	bool scan = m->changes_gen != v->changes_gen ||
		    m->changes_read > v->nchanges;

	if (m->n != v->nslots) {
		free(m->marks);
		m->marks = xcalloc(v->nslots ? v->nslots : 1, 1);
		m->n = v->nslots;
	}
	if (all) {
		observe_all(s, m, v, mono);
	} else if (scan) {
		observe_changed(s, m, v, mono);
	} else {
		for (size_t x = m->changes_read; x < v->nchanges; x++) {
			size_t k = v->changes[x];
			const struct view_slot *sl = &v->slots[k];
			uint8_t mark = sl->in && seen_observe(s, sl->row.b->shard_index,
							      sl->row.b->biller_id,
							      sl->row.ev.status,
							      mono).changed;

			m->count = m->count - m->marks[k] + mark;
			m->marks[k] = mark;
		}
	}
	m->changes_read = v->nchanges;
	m->changes_gen = v->changes_gen;
	m->rebuild = v->rebuilds;
	m->reshaped = v->reshaped;
	m->ref_mono = s->ref_mono;
	return m->count;
}

void seen_rows_free(struct seen_rows *m)
{
	free(m->marks);
	memset(m, 0, sizeof *m);
}
