/*
 * hist_block.c - a finished forecast history in one exactly sized block
 * (hist_block.h says what it holds, in what order).
 *
 * The index is open addressing with linear probing: a slot holds its
 * entry's index + 1 in the low bits, as many as the count of entries
 * needs (0: empty), and the hash's top bits above them, so a probe that
 * misses mostly reads no entry.  A slot is 2 bytes while that leaves
 * SLOT16_TAG_BITS of tag (a shard's thousand or so entries), else 4.
 * Nothing is written after hist_block_index(), so any thread may read.
 *
 * An entry names its payment type by its place in a table of the
 * distinct ones (a shard has a handful), and its counts fit 16 bits when
 * they are small (fewer than 255 closes and delays, no reruns kept: most
 * billers).  Past that, or past HB_TYPES_MAX types, its counts word says
 * HB_WIDE and the three counts and the type's string offset take the
 * entry's first four words of values instead, so no count or offset has
 * a limit short of 32 bits.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/hist_block.h"
#include "core/xalloc.h"

#define SMALL_MAX 0xfe		/* 8 bits each of ndur, ndelay */
#define HB_WIDE UINT16_MAX
#define WIDE_WORDS 4
#define MODULE_BIT 0x8000u
#define SLOT16_TAG_BITS 4

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

uint64_t hist_block_hash(enum hb_kind k, const char *a, const char *b)
{
	/* A separator between the two; a find compares the strings. */
	uint64_t h = fnv(1469598103934665603ull ^ (uint64_t)k, a);

	return fnv((h ^ 0xff) * 1099511628211ull, b);
}

bool hist_block_ranked(enum hb_kind k, size_t ndur)
{
	return k == HB_BILLER && ndur >= FC_MIN_CLOSES;
}

size_t hist_block_rank_width(size_t n)
{
	return n <= 0x100 ? 1 : n <= 0x10000 ? 2 : 4;
}

static bool wide(size_t type, size_t ndur, size_t ndelay, size_t nrerun)
{
	return type >= HB_TYPES_MAX || ndur > SMALL_MAX ||
	       ndelay > SMALL_MAX || nrerun;
}

size_t hist_block_words(enum hb_kind k, size_t type, size_t ndur,
			size_t ndelay, size_t nrerun)
{
	size_t rank = hist_block_ranked(k, ndur)
		? ndur * hist_block_rank_width(ndur) : 0;

	return (wide(type, ndur, ndelay, nrerun) ? WIDE_WORDS : 0) + ndur +
	       ndelay + nrerun + (rank + sizeof(fc_ms) - 1) / sizeof(fc_ms);
}

/* The slots for n entries: three quarters full, so a probe that misses
 * stops within a few slots, whatever n is (a power of two would leave
 * anything from three eighths to three quarters); 0 for none. */
static size_t slots_for(size_t n)
{
	return n ? n + n / 3 + 1 : 0;
}

void hist_block_alloc(struct hist_block *b, size_t n, size_t ntypes,
		      size_t words, size_t str_bytes)
{
	unsigned char *p;

	memset(b, 0, sizeof *b);
	/* Offsets are 32 bits, and an index + 1 leaves a slot a bit of tag:
	 * a history of a billion entries is a broken invariant, not a
	 * shard. */
	if (n >= (size_t)1 << 30 || words > UINT32_MAX ||
	    str_bytes > UINT32_MAX || ntypes > HB_TYPES_MAX)
		fatal("history: %zu entries, %zu values, %zu bytes of ids",
		      n, words, str_bytes);
	b->n = n;
	b->nslot = slots_for(n);
	/* The bits of a slot that hold an index + 1: as many as n needs. */
	b->mask = 1;
	while (b->mask <= n)
		b->mask = b->mask << 1 | 1;
	b->slot_width = b->mask >> (16 - SLOT16_TAG_BITS) ? 4 : 2;
	/* Rounded up to 4 bytes: the type table after them is 4-aligned. */
	b->slot_bytes = (b->nslot * b->slot_width + 3) & ~(size_t)3;
	b->ntypes = ntypes;
	b->words = words;
	b->str_bytes = str_bytes;
	b->bytes = n * sizeof *b->e + b->slot_bytes +
		   ntypes * sizeof *b->type + words * sizeof *b->ms + str_bytes;
	if (!b->bytes)
		return;
	p = b->mem = xmalloc(b->bytes);
	/* Largest alignment first: no padding between the parts. */
	if (n)
		b->e = (struct hb_entry *)(void *)p;
	p += n * sizeof *b->e;
	if (b->nslot) {
		b->slot = p;
		memset(b->slot, 0, b->slot_bytes);
	}
	p += b->slot_bytes;
	if (ntypes)
		b->type = (uint32_t *)(void *)p;
	p += ntypes * sizeof *b->type;
	if (words)
		b->ms = (fc_ms *)(void *)p;
	p += words * sizeof *b->ms;
	if (str_bytes)
		b->str = (char *)p;
}

fc_ms *hist_block_put(struct hist_block *b, size_t i, enum hb_kind k,
		      uint32_t sa, size_t type, uint32_t sb, size_t at,
		      size_t ndur, size_t ndelay, size_t nrerun)
{
	struct hb_entry *e = &b->e[i];
	fc_ms *v;

	e->a = sa;
	e->at = (uint32_t)at;
	e->b = (uint16_t)((type < HB_TYPES_MAX ? type : HB_TYPES_MAX) |
			  (k == HB_MODULE ? MODULE_BIT : 0));
	if (wide(type, ndur, ndelay, nrerun)) {
		uint32_t c[WIDE_WORDS] = { (uint32_t)ndur, (uint32_t)ndelay,
					   (uint32_t)nrerun, sb };

		e->counts = HB_WIDE;
		v = b->ms + at;
		memcpy(v, c, sizeof c);
		return v + WIDE_WORDS;
	}
	b->type[type] = sb;
	e->counts = (uint16_t)(ndur | ndelay << 8);
	/* Nothing to write, and maybe nowhere to (a block of no values). */
	return ndur + ndelay ? b->ms + at : NULL;
}

/* Where a probe for hash hv starts: its low half scaled to nslot. */
static size_t home(const struct hist_block *b, uint64_t hv)
{
	return (size_t)(((hv & 0xffffffffu) * (uint64_t)b->nslot) >> 32);
}

static size_t next(const struct hist_block *b, size_t i)
{
	return i + 1 == b->nslot ? 0 : i + 1;
}

static uint32_t slot_at(const struct hist_block *b, size_t i)
{
	if (b->slot_width == 2)
		return ((const uint16_t *)b->slot)[i];
	return ((const uint32_t *)b->slot)[i];
}

/* The tag bits of hash hv: those of a slot above its index bits. */
static uint32_t tag_of(const struct hist_block *b, uint64_t hv)
{
	uint32_t t = (uint32_t)(hv >> 32) & ~b->mask;

	return b->slot_width == 2 ? t & 0xffffu : t;
}

static const char *key_a(const struct hist_block *b, const struct hb_entry *e)
{
	return b->str + e->a;
}

static const char *key_b(const struct hist_block *b, const struct hb_entry *e)
{
	uint32_t sb;

	if (e->counts != HB_WIDE)
		return b->str + b->type[e->b & ~MODULE_BIT];
	memcpy(&sb, b->ms + e->at + WIDE_WORDS - 1, sizeof sb);
	return b->str + sb;
}

static enum hb_kind kind_of(const struct hb_entry *e)
{
	return e->b & MODULE_BIT ? HB_MODULE : HB_BILLER;
}

void hist_block_index(struct hist_block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct hb_entry *e = &b->e[i];
		uint64_t hv = hist_block_hash(kind_of(e), key_a(b, e), key_b(b, e));
		size_t s = home(b, hv);
		uint32_t v = tag_of(b, hv) | (uint32_t)(i + 1);

		while (slot_at(b, s) & b->mask)
			s = next(b, s);
		if (b->slot_width == 2)
			((uint16_t *)b->slot)[s] = (uint16_t)v;
		else
			((uint32_t *)b->slot)[s] = v;
	}
}

void hist_block_free(struct hist_block *b)
{
	free(b->mem);
	memset(b, 0, sizeof *b);
}

const struct hb_entry *hist_block_find(const struct hist_block *b,
				       enum hb_kind k, const char *a,
				       const char *s)
{
	uint64_t hv;
	uint32_t mask, tag;

	if (!b->nslot)
		return NULL;
	hv = hist_block_hash(k, a, s);
	mask = b->mask;
	tag = tag_of(b, hv);
	for (size_t i = home(b, hv);; i = next(b, i)) {
		uint32_t sl = slot_at(b, i);
		const struct hb_entry *e;

		if (!(sl & mask))
			return NULL;
		if ((sl & ~mask) != tag)
			continue;
		e = &b->e[(sl & mask) - 1];
		if (kind_of(e) == k && !strcmp(key_a(b, e), a) &&
		    !strcmp(key_b(b, e), s))
			return e;
	}
}

struct hb_view hist_block_view(const struct hist_block *b,
			       const struct hb_entry *e)
{
	struct hb_view v = { NULL, 0, 0, 0 };

	if (!b->ms)	/* no values in the whole block */
		return v;
	v.ms = b->ms + e->at;
	if (e->counts == HB_WIDE) {
		uint32_t c[WIDE_WORDS];

		memcpy(c, v.ms, sizeof c);
		v.ms += WIDE_WORDS;
		v.ndur = c[0];
		v.ndelay = c[1];
		v.nrerun = c[2];
	} else {
		v.ndur = e->counts & 0xff;
		v.ndelay = e->counts >> 8;
	}
	return v;
}

size_t hist_block_rank_at(const struct hb_view *v, size_t i)
{
	const void *r = v->ms + v->ndur + v->ndelay + v->nrerun;

	switch (hist_block_rank_width(v->ndur)) {
	case 1:
		return ((const uint8_t *)r)[i];
	case 2:
		return ((const uint16_t *)r)[i];
	default:
		return ((const uint32_t *)r)[i];
	}
}
