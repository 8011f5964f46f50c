/*
 * seen.h - what changed since the operator last looked (pure: the caller
 * passes every clock reading, so tests run it on a fake clock).
 *
 * For each biller (shard index and raw biller_id) it remembers the last
 * status it was shown with and when that status changed.  A row is "new"
 * when its status changed after the reference instant, which is
 *   - when `c` marked everything seen (seen_mark_all), or else
 *   - the last keypress that was followed by a quiet minute (quiet_ms with
 *     no key): while the operator keeps pressing keys the reference holds
 *     still, so what changed while they were away stays marked while they
 *     read it; once they leave it for a minute, their last keypress
 *     becomes the new reference;
 *   - at first, when batchtop started (what it found then is not new).
 * A change to failed also "flashes" for flash_ms from when it was seen,
 * wherever the selection is; the flash ends by itself.
 */
#ifndef BT_SEEN_H
#define BT_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/biller_status.h"

#define SEEN_QUIET_MS 60000
#define SEEN_FLASH_MS 5000

struct seen_entry;

struct seen {
	int64_t ref_mono;	/* the reference, our monotonic clock */
	int64_t ref_wall;	/* the same instant in shard time (BT_NO_TIME) */
	int64_t last_key_mono;	/* 0: no key yet */
	int64_t last_key_wall;
	int64_t quiet_ms, flash_ms;
	int64_t base;		/* entries keep times from it (seen.c) */
	struct seen_entry *tab;	/* open addressing, cap a power of two */
	size_t cap, used;
};

/* Start at mono (shard time wall): nothing is new yet. */
void seen_init(struct seen *s, int64_t mono, int64_t wall);
void seen_free(struct seen *s);

/* A key was pressed. */
void seen_key(struct seen *s, int64_t mono, int64_t wall);
/* `c`: everything shown now is seen. */
void seen_mark_all(struct seen *s, int64_t mono, int64_t wall);
/* Move the reference when the last key has had its quiet minute; true
 * when it moved (the marks change). */
bool seen_tick(struct seen *s, int64_t mono);

/* What a row shows. */
struct seen_mark {
	bool changed;		/* its status changed after the reference */
	bool flash;		/* it turned failed less than flash_ms ago */
};

/* Record biller (shard, id) as shown with status at mono, and say how
 * its row is marked.  The first time a biller is seen is not a change:
 * there is nothing it changed from (a shard that answers late shows its
 * billers unmarked). */
struct seen_mark seen_observe(struct seen *s, int shard, const char *biller_id,
			      enum biller_status status, int64_t mono);

/* How biller (shard, id) is marked at mono by what was last observed,
 * without recording anything (for rows frozen on screen). */
struct seen_mark seen_lookup(const struct seen *s, int shard,
			     const char *biller_id, int64_t mono);

/*
 * The count of rows marked changed among a view's rows (core/view.h),
 * kept from one call to the next: a row is observed again only when its
 * status or its place in the rows changed since the last call (struct
 * row: changed), and every row when the view's slots were reshaped or the
 * reference moved (seen_tick, seen_mark_all).  The count is the one
 * seen_observe() on every row gives; the calls cost the rows that
 * changed, not the fleet (one pass over the rows, no lookup each).
 */
struct view;

struct seen_rows {
	uint8_t *marks;		/* per view slot: marked changed last call */
	size_t n;		/* slots marks has (0: nothing yet) */
	uint32_t reshaped;	/* view.reshaped then */
	uint32_t rebuild;	/* view.rebuilds at the last call */
	int64_t ref_mono;	/* s->ref_mono then */
	uint32_t changes_gen;	/* view.changes_gen then */
	size_t changes_read;	/* of view.changes then */
	size_t count;		/* slots marked */
	size_t full;		/* calls that observed every row (tests) */
	size_t scans;		/* calls that read every slot (tests) */
};

/* Observe v's rows at mono, as they may have changed since the last call
 * with m (zeroed before the first), and return how many are marked
 * changed. */
size_t seen_observe_view(struct seen *s, struct seen_rows *m,
			 const struct view *v, int64_t mono);
void seen_rows_free(struct seen_rows *m);

#endif
