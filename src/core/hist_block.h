/*
 * hist_block.h - a finished forecast history as one block of memory
 * (core/forecast_hist.c fills a history; this lays it out once it is
 * finished).
 *
 * One allocation, sized exactly, holds in turn: the entries (12 bytes
 * each), their hash index (2 or 4 bytes a slot, three quarters full), the
 * string offsets of the distinct payment types, the values (fc_ms: every
 * entry's arrays and a biller's order of closes, then the size-class
 * pools), and each distinct string once.  Entries name their strings and
 * values by offset, not pointer, so an entry is 12 bytes where pointers
 * made it 40.
 *
 * The block is built in three steps: hist_block_alloc() with the sizes
 * counted beforehand (hist_block_words() says what an entry takes),
 * hist_block_put() for each entry in turn, hist_block_index() last.
 */
#ifndef BT_HIST_BLOCK_H
#define BT_HIST_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/forecast.h"

/* The two kinds of entry: a biller's (with its order of closes) and a
 * module's pool.  Keys of the two kinds never match each other. */
enum hb_kind { HB_BILLER, HB_MODULE };

/* Payment types a block's table holds; the rest are named in full by
 * the entries that have them. */
#define HB_TYPES_MAX 0x7fff

struct hb_entry {
	uint32_t a;	/* offset of its biller id or module in str */
	uint32_t at;	/* index in ms of its first word */
	uint16_t b;	/* its payment type's place in type; the top bit:
			 * HB_MODULE */
	uint16_t counts;	/* ndur, ndelay, or HB_WIDE */
};

struct hist_block {
	void *mem;		/* the one allocation; NULL: empty */
	size_t bytes;
	struct hb_entry *e;
	size_t n;
	void *slot;		/* nslot of slot_width bytes (0 when n is 0) */
	size_t nslot, slot_width, slot_bytes;
	uint32_t mask;		/* a slot's bits of index + 1 */
	uint32_t *type;		/* ntypes offsets in str */
	size_t ntypes;
	fc_ms *ms;
	size_t words;
	char *str;
	size_t str_bytes;
};

/* An entry's arrays, found: ndur durations (sorted unless a thin
 * biller's, hist_block_ranked), then ndelay delays and nrerun reruns,
 * sorted; a ranked biller's order of closes after them. */
struct hb_view {
	const fc_ms *ms;
	size_t ndur, ndelay, nrerun;
};

/* The hash both a filling history and a block key entries by. */
uint64_t hist_block_hash(enum hb_kind k, const char *a, const char *b);

/* Are an entry's closes kept sorted with their order (a biller's that
 * can be forecast from: FC_MIN_CLOSES or more), or as added (a thin
 * biller's, which only fc_history_recent reads; a module's, unordered)? */
bool hist_block_ranked(enum hb_kind k, size_t ndur);
/* Bytes of a close's place among n sorted closes (1, 2 or 4). */
size_t hist_block_rank_width(size_t n);
/* The words of ms an entry of these counts takes, its payment type the
 * type-th distinct one (HB_TYPES_MAX or more: not in the table). */
size_t hist_block_words(enum hb_kind k, size_t type, size_t ndur,
			size_t ndelay, size_t nrerun);

/* Lay out b for n entries, ntypes payment types (at most HB_TYPES_MAX),
 * words of values and str_bytes of strings, in one allocation (fatal
 * past what 32-bit offsets reach). */
void hist_block_alloc(struct hist_block *b, size_t n, size_t ntypes,
		      size_t words, size_t str_bytes);
/* Entry i (entries are put in order, their words one after another from
 * at): its strings at offsets sa and sb of b->str, already copied there,
 * its payment type the type-th distinct one.  Returns where its values go
 * (ndur + ndelay + nrerun of them, then a ranked biller's ranks,
 * hist_block_rank_width(ndur) bytes each); NULL when there are none. */
fc_ms *hist_block_put(struct hist_block *b, size_t i, enum hb_kind k,
		      uint32_t sa, size_t type, uint32_t sb, size_t at,
		      size_t ndur, size_t ndelay, size_t nrerun);
/* Build the index of the entries put. */
void hist_block_index(struct hist_block *b);
void hist_block_free(struct hist_block *b);

/* The entry of key (k, a, b), or NULL. */
const struct hb_entry *hist_block_find(const struct hist_block *b,
				       enum hb_kind k, const char *a,
				       const char *s);
struct hb_view hist_block_view(const struct hist_block *b,
			       const struct hb_entry *e);
/* Where the i-th close of a ranked biller's entry as added is in its
 * sorted closes. */
size_t hist_block_rank_at(const struct hb_view *v, size_t i);

#endif
