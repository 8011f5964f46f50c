/*
 * seen.c - the "new since" marks (see seen.h).
 *
 * A hash table keyed by shard index and biller_id (bytes), open
 * addressing with linear probing, grown at half full; billers are never
 * removed (a night has a few thousand), so no tombstones are needed.
 * The grid observes every row on every rebuild (100,000 of them, many
 * times a second on a large fleet), so each entry keeps its full hash:
 * a probe compares it before it reads an id, and the hash is finished
 * with a mixer, since FNV's low bits (the slot) carry little of the
 * bytes that tell "B-00017" from "B-00071" on 100 shards.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/seen.h"
#include "core/snapshot.h"
#include "core/xalloc.h"

struct seen_entry {
	char *id;		/* NULL: an empty slot */
	uint64_t hash;		/* hash() of shard and id */
	int shard;
	enum biller_status status;
	int64_t changed_mono;	/* when status last changed; 0: never */
	int64_t failed_mono;	/* when it last turned failed; 0: never */
};

void seen_init(struct seen *s, int64_t mono, int64_t wall)
{
	memset(s, 0, sizeof *s);
	s->ref_mono = mono;
	s->ref_wall = wall;
	s->quiet_ms = SEEN_QUIET_MS;
	s->flash_ms = SEEN_FLASH_MS;
}

void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->tab[i].id);
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

static uint64_t hash(int shard, const char *id)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(unsigned)shard;

	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	/* Every bit of h into the low ones (the slot). */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static size_t slot(const struct seen_entry *tab, size_t cap, uint64_t h,
		   int shard, const char *id)
{
	size_t i = (size_t)h & (cap - 1);

	while (tab[i].id && (tab[i].hash != h || tab[i].shard != shard ||
			     strcmp(tab[i].id, id)))
		i = (i + 1) & (cap - 1);
	return i;
}

static void grow(struct seen *s)
{
	size_t cap = s->cap ? s->cap * 2 : 256;
	struct seen_entry *tab = xcalloc(cap, sizeof *tab);

	for (size_t i = 0; i < s->cap; i++)
		if (s->tab[i].id)
			tab[slot(tab, cap, s->tab[i].hash, s->tab[i].shard,
				 s->tab[i].id)] = s->tab[i];
	free(s->tab);
	s->tab = tab;
	s->cap = cap;
}

static struct seen_mark mark_of(const struct seen *s, const struct seen_entry *e,
				int64_t mono)
{
	struct seen_mark m = { false, false };

	if (!e->id)
		return m;
	m.changed = e->changed_mono && e->changed_mono > s->ref_mono;
	m.flash = e->failed_mono && mono - e->failed_mono < s->flash_ms;
	return m;
}

struct seen_mark seen_observe(struct seen *s, int shard, const char *biller_id,
			      enum biller_status status, int64_t mono)
{
	struct seen_entry *e;
	uint64_t h;

	if (!biller_id)
		return (struct seen_mark){ false, false };
	if ((s->used + 1) * 2 > s->cap)
		grow(s);
	h = hash(shard, biller_id);
	e = &s->tab[slot(s->tab, s->cap, h, shard, biller_id)];
	if (!e->id) {
		e->id = xstrdup(biller_id);
		e->hash = h;
		e->shard = shard;
		e->status = status;
		s->used++;
	} else if (e->status != status) {
		e->status = status;
		e->changed_mono = mono;
		if (status == BS_FAILED)
			e->failed_mono = mono;
	}
	return mark_of(s, e, mono);
}

struct seen_mark seen_lookup(const struct seen *s, int shard,
			     const char *biller_id, int64_t mono)
{
	uint64_t h;

	if (!biller_id || !s->cap)
		return (struct seen_mark){ false, false };
	h = hash(shard, biller_id);
	return mark_of(s, &s->tab[slot(s->tab, s->cap, h, shard, biller_id)], mono);
}
