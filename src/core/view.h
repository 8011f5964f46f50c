/*
 * view.h - the grid's rows: every biller of every shard's latest snapshot,
 * filtered, evaluated at one moment and sorted.
 *
 * The view belongs to the UI thread.  view_set_snapshots() swaps in new
 * snapshots (taking references); view_rebuild() evaluates each biller at
 * `now`, applies the demo and text filters and sorts.  It runs once a
 * second, so it costs in proportion to what changed (see `make bench`):
 * a biller is evaluated again only when its shard's history or holds or
 * an option changed, a new snapshot changed what its evaluation reads (a
 * record parsed anew that reads the same keeps it), or now reached the
 * instant its status can change at (biller_eval.until; only a shard's due
 * slots are looked at then); the rows are sorted again only when a sort
 * key or the filter did; every visible row's countdown is brought to now
 * (by the reader, for the rows it reads, with retime_on_read).
 */
#ifndef BT_VIEW_H
#define BT_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/biller_status.h"
#include "core/forecast.h"

struct row {
	const struct biller *b;
	struct biller_eval ev;
	uint32_t rank;		/* of b among all billers by name, id, shard */
	bool acted;		/* failed or late with a rerun already asked
				 * for: after those nobody has acted on yet */
	/* For a reader that keeps something per row between rebuilds (the
	 * grid's "new since" marks): the biller's slot, an index below
	 * view.nslots that stays its own until view.reshaped changes, and
	 * the rebuild (view.rebuilds) at which its status or whether it is
	 * in the rows last changed. */
	uint32_t slot;
	uint32_t changed;
};

struct totals {
	int by_status[BS__COUNT];	/* non-demo billers only */
	int billers;			/* non-demo billers */
	int demo;			/* demo billers (never in by_status) */
	/* Of by_status[BS_FAILED], those whose every failure has a
	 * standing acknowledgement (contract v3, core/note.h). */
	int failed_acked;
	/* Open closes of non-demo billers predicted to miss a deadline
	 * still ahead (forecast_biller_misses(); ahead_count_misses() is the
	 * same count made afresh): the header's "will miss", kept per biller
	 * with its own validity so no frame walks the fleet's closes. */
	int misses;
};

struct view {
	struct snapshot **snaps;	/* one per shard, may be NULL */
	size_t nsnaps;
	/* The visible rows, sorted: row i is view_row(v, i), the row of
	 * slot items[i].idx (kept there, not copied: a new snapshot moves
	 * every row's pointers, and a copy per row cost its write). */
	size_t nrows, cap;
	/* Scratch kept between rebuilds (the view is rebuilt every second). */
	uint32_t *ranks;		/* name rank, in snapshot order */
	size_t nranks;
	bool ranks_dirty;		/* a snapshot changed since ranking */
	void *items;			/* cap entries; [0, nrows): the rows'
					 * order */
	void *tmp;			/* rows moved in, for the merge: an
					 * eighth of cap (view.c, merge_max) */
	uint32_t *gone;			/* rows leaving their place, as tmp */
	/* Per slot that is in, the index of its row in items: kept by the
	 * sort and the merge (view_order.c), so that a row leaving its
	 * place is found there without a search. */
	uint32_t *pos;
	struct totals totals;
	size_t nopen;			/* batches not closed, last rebuild:
					 * the forecast memo's size */
	/* What the rows are made of. */
	enum sort_key sort;
	bool reverse;
	bool show_demo;
	int at_risk_pct;
	/* Per shard, the close history forecasts are made from (a reference
	 * each, NULL until one is read), and the thresholds they use. */
	struct fc_history **hist;
	struct forecast_opts fc;
	int64_t time_base;		/* deadlines are keyed from it (view.c) */
	/* Whether b has a rerun request still open; NULL: the snapshot's
	 * word for it (view_rerun_open).  The dashboard adds what it asked
	 * for itself and the shard has not shown yet. */
	bool (*rerun_open)(const struct biller *b, void *ctx);
	void *rerun_open_ctx;
	/* With rerun_open: a number that changes whenever its answer for a
	 * biller may change with no new snapshot (the dashboard asked, or
	 * heard back); NULL: it may change at any time. */
	uint64_t (*rerun_gen)(void *ctx);
	char filter[128];		/* lower-cased needle, "" for none */
	/* Set by the TUI, whose screens read only the rows they draw:
	 * view_rebuild() then leaves the rows' time_left and permille as
	 * they were, and a reader brings what it reads to the rebuild's now
	 * with view_retime().  False (headless, tests): the rebuild brings
	 * every row to now. */
	bool retime_on_read;
	/* What the last rebuild was made of (view.c): a cached evaluation
	 * per biller in snapshot order, the sorted order of the rows, and
	 * the inputs, to see what changed since. */
	struct view_slot *slots;
	size_t nslots, slots_cap;
	struct view_seen *seen;		/* per shard */
	bool primed;			/* the cache is valid */
	int64_t last_now, last_base;
	enum sort_key last_sort;
	bool last_reverse, last_show_demo;
	int last_at_risk_pct;
	struct forecast_opts last_fc;
	bool (*last_rerun_open)(const struct biller *b, void *ctx);
	void *last_rerun_open_ctx;
	char last_filter[128];
	size_t evals;			/* biller evaluations, ever (tests) */
	/* Of them, why (a debug line, -vv; the bench): every biller of a
	 * shard (the first rebuild, a new history or option, a biller count
	 * that changed); one whose record changed in what an evaluation
	 * reads; one whose instant came (ev.until).  And the billers whose
	 * record changed only in what it does not read (attempts, say),
	 * whose evaluation was kept.  Then the billers of a new snapshot or
	 * of a full rebuild looked at one by one (visited), and those of a
	 * new snapshot that were not, their chunk of records being the last
	 * snapshot's own (shared: view.c, refresh_chunks). */
	struct view_why {
		size_t all, changed, time, kept;
		size_t visited, shared;
	} why;
	/* view_rebuild() calls, and the last of them after which a slot
	 * may hold another biller or the filter changed which rows are in
	 * (struct row: slot, changed). */
	uint32_t rebuilds, reshaped;
	/* The slots whose row.changed was set, in the order they were, since
	 * the log was last started again (changes_gen moved: at a reshape,
	 * or when it was full), so that a reader that keeps something per
	 * row reads the rows that changed, not all (seen_observe_view). */
	uint32_t *changes;
	size_t nchanges, changes_cap;
	uint32_t changes_gen;
	size_t skipped;			/* shards skipped, ever (tests) */
	size_t due_only;		/* of them, with their due slots
					 * looked at (tests) */
	uint32_t *due_list;		/* scratch of refresh_due() */
	size_t due_list_cap;
};

void view_init(struct view *v, size_t nshards, const struct config *cfg);
void view_free(struct view *v);
/* The bytes of heap v holds of its own: its slots, order, scratch and
 * heaps (not the snapshots, histories or the forecast memo it refers
 * to).  For the bench and -vv. */
size_t view_bytes(const struct view *v);

/* Replace shard i's snapshot (takes a new reference; NULL keeps none). */
void view_set_snapshot(struct view *v, size_t i, struct snapshot *s);

/* Replace shard i's history (takes a new reference; NULL keeps none). */
void view_set_history(struct view *v, size_t i, struct fc_history *h);
/* Shard i's history, or NULL (the view keeps its reference). */
const struct fc_history *view_history(const struct view *v, size_t i);

/* The time to evaluate at: the freshest shard clock estimate, from
 * snapshots' server_now advanced by our monotonic clock since. */
int64_t view_now(const struct view *v, int64_t mono_now);

/* Evaluate what is due, filter and sort at now.  A now at most 10 s
 * before the last rebuild's is taken as that one (view.c says why). */
void view_rebuild(struct view *v, int64_t now);
/* Bring the countdowns (time_left, permille) of rows [from, from + n) to
 * the last rebuild's now, as a new evaluation would give them (past
 * nrows: nothing).  Only needed with retime_on_read. */
void view_retime(struct view *v, size_t from, size_t n);
/* Make the next view_rebuild() evaluate every biller and sort every row,
 * as the first one does (the tests compare the two). */
void view_invalidate(struct view *v);

/* True when some batch of b has a rerun request the shard has not ended
 * (pending or running), from the snapshot alone. */
bool view_rerun_open(const struct biller *b, void *ctx);

/* Index of the row showing (shard_index, biller_id), or -1. */
long view_find(const struct view *v, int shard_index, const char *biller_id);

/* The text of a biller's name cell, for the grid and the wallboard: its
 * name (with " [demo]" when demo_tag and it is one), or "(no biller row)"
 * and its id, escaped when sanitizing would hide part of it (text.h).
 * Cut, if it must be, between characters.  Returns the bytes written. */
size_t view_name_cell(char *buf, size_t n, const struct biller *b, bool demo_tag);

/* More cells the grid and the headless table print alike, each into buf
 * (n bytes, cut between characters), returning the bytes written; empty
 * when there is nothing to say. */
/* The biller's time zone, "?"-prefixed when the shard did not know it. */
size_t view_zone_cell(char *buf, size_t n, const struct biller *b);
/* Its priority as one character: 0..9, "+" above, "?" when unknown. */
size_t view_priority_cell(char *buf, size_t n, const struct biller *b);
/* "closed/total" batches, empty when it has none tonight. */
size_t view_done_cell(char *buf, size_t n, const struct biller *b);
/* The most attempts any batch took, empty when none says. */
size_t view_attempts_cell(char *buf, size_t n, const struct biller *b);
/* "12:34", "late 5:00", "never", "late \u221e"; empty for no deadline
 * or a close that needs no countdown (closed, no close tonight). */
size_t view_left_cell(char *buf, size_t n, const struct row *r);
/* The forecast of the close that decides row r (its focus), at now, from
 * its shard's history: false (f->source FC_NONE) when there is none, or
 * the row is not an open close (failed and late ones are past
 * forecasting). */
bool view_row_forecast(const struct view *v, const struct row *r, int64_t now,
		       struct forecast *f);
/* The ETA cell from f: the time to its median finish ("12:05"), with the
 * p95 when it is much later or past the deadline ("12:05/31:40"), or
 * "will miss" when
 * forecast_will_miss(); empty without a forecast.  *miss (may be NULL)
 * says whether it was "will miss". */
size_t view_eta_cell(char *buf, size_t n, const struct view *v,
		     const struct row *r, const struct forecast *f,
		     int64_t now, bool *miss);
/* The status word of a row: its label, or the shard's own status text
 * when that is one batchtop does not know.  Never NULL. */
const char *view_status_text(const struct row *r);

/* Row comparison used by the sort, exposed for the unit tests. */
int view_compare(const struct view *v, const struct row *a, const struct row *b);

/*
 * The column chooser: which of a table's columns are drawn and how wide,
 * for a terminal cols wide.  Columns not shown (empty for every row on
 * screen, or not configured) get 0.  The others start at min; while they
 * do not fit, those with a drop order are left out, drop 1 first; then
 * what is left over goes to the columns with a grow order, grow 1 first,
 * each up to its want.  Columns are separated by one space.
 */
struct view_col {
	int min, want;
	int drop;	/* 0: never dropped */
	int grow;	/* 0: never given more than min */
	bool shown;
};
void view_choose_columns(const struct view_col *c, size_t n, int cols, int *width);

/* The text of s in at most cols columns into buf (n bytes): whole when it
 * fits, else its start and its end with "\u2026" between them, so that two
 * names that share a long start still show apart.  Cut between characters;
 * s is drawn text (sanitized).  Returns the bytes written. */
size_t view_cut_middle(char *buf, size_t n, const char *s, int cols);

/* Set the text filter (lower-cased internally); "" clears it. */
void view_set_filter(struct view *v, const char *text);

/* --- private to the view's own files (view.c, view_order.c) -------------- */

/* One biller's last evaluation, in snapshot order (the ranks' order). */
struct view_slot {
	struct row row;		/* view_row(); its ev's time_left and permille
				 * as of the evaluation or the last retime */
	uint64_t key;		/* sort_key(), inverted when reversed */
	int64_t miss_until;	/* until when misses holds */
	uint16_t misses;	/* forecast_biller_misses() at its count */
	/* Bits, so that a slot is 96 bytes, not 104 (one per biller).  What
	 * can be made again from the record it was evaluated from (its
	 * signature, the places of its focus and hold) is not kept. */
	bool in : 1;		/* passes the demo and text filters */
	bool acked : 1;		/* failed, every failure acknowledged */
	bool watched : 1;	/* in its shard's watch list */
};
_Static_assert(sizeof(void *) != 8 || sizeof(struct view_slot) == 96,
	       "a view slot is 96 bytes");

/* When a slot (k) must be looked at again (its ev.until or miss_until,
 * the earlier), as its shard's heap keeps it: the instant in two halves,
 * so that an entry is 12 bytes, not 16 (struct sort_item's reason); read
 * it with view_due_at(). */
struct view_due {
	uint32_t at_lo, at_hi;
	uint32_t k;
};

static inline int64_t view_due_at(const struct view_due *e)
{
	return (int64_t)((uint64_t)e->at_hi << 32 | e->at_lo);
}

static inline struct view_due view_due_of(int64_t at, size_t k)
{
	return (struct view_due){ (uint32_t)(uint64_t)at,
				  (uint32_t)((uint64_t)at >> 32), (uint32_t)k };
}

/* The entries a shard's heap of n slots may hold, stale ones included,
 * before it is made anew (view.c): one a slot and half a slot's worth of
 * stale ones, so that its room stays near 18 bytes a slot. */
static inline size_t view_due_bound(size_t n)
{
	return n + n / 2 + 64;
}

struct view_seen;
/* When slot sl must be looked at again, with the same inputs (view_due.c). */
int64_t view_slot_due(const struct view_slot *sl);
/* Slot k's instant at into sh's heap (INT64_MAX: never, not kept). */
void view_due_push(struct view_seen *sh, int64_t at, size_t k);
/* The earliest entry of sh's heap, taken out (sh->ndue > 0). */
struct view_due view_due_pop(struct view_seen *sh);
/* sh's heap of its n slots from k0, made anew, and its until. */
void view_due_remake(struct view *v, struct view_seen *sh, size_t k0, size_t n);

/* What a shard's billers were last evaluated from. */
struct view_seen {
	/* A reference of its own: its slots' rows point into it until the
	 * next rebuild, which compares a changed biller's new record with
	 * the old one (view_sig.c, view_same_input), and its chunks with the
	 * new snapshot's (view.c, refresh_chunks). */
	struct snapshot *snap;
	const struct fc_history *hist;
	const struct hold *holds;	/* a test may change them in place */
	size_t nholds;
	uint64_t holds_sig;		/* holds_sig() of them */
	size_t n;
	/* What its slots came to when last looked at (view.c's
	 * refresh_slots): their totals, and the earliest instant one of
	 * them must be looked at again (an ev.until or miss_until).  Until
	 * then, with the same inputs, only its failed and late slots (watch:
	 * their indexes) are asked whether someone acted, and only when
	 * rerun_gen changed. */
	struct totals totals;
	size_t nopen;
	int64_t until;
	uint32_t *watch;
	size_t nwatch, watch_cap;
	uint64_t acted_gen;		/* rerun_gen when watch was asked */
	/* Its slots' instants, a min-heap by at (until is its top): made
	 * whole when every slot is looked at, else only the slots whose
	 * instant came are, and pushed again.  An entry whose slot's instant
	 * has moved since is stale, dropped when it comes up. */
	struct view_due *due;
	size_t ndue, due_cap;
};

/*
 * Sorting 10,000 rows once a second must be cheap, so the primary keys of
 * the chosen order are packed into one integer per row (sort_key in view.c);
 * the full comparison runs only when two packed keys are equal.  The packed
 * order must agree with view_compare(): the unit tests compare the two.
 */
struct sort_item {
	uint32_t lo, hi;	/* the key in two halves: 12 bytes, not 16 */
	uint32_t idx;
};

static inline struct sort_item item_of(uint64_t key, size_t idx)
{
	return (struct sort_item){ (uint32_t)key, (uint32_t)(key >> 32), (uint32_t)idx };
}

static inline uint64_t key_of(const struct sort_item *it)
{
	return (uint64_t)it->hi << 32 | it->lo;
}

/* Every biller of every snapshot ranked by name, id and shard into
 * v->ranks (view_key.c): the last tie-breaker of every order. */
void view_rank_billers(struct view *v);
/* Row r's place in v's order as one integer (view_key.c), not yet
 * inverted for v->reverse. */
uint64_t view_sort_key(const struct view *v, const struct row *r);

/* Every row that is in, sorted from scratch. */
void view_sort_all(struct view *v, size_t total);
/* The rows at the ngone positions of gone (their slots moved) taken out,
 * the nnew items in v->tmp (slots that moved and are in) merged in. */
void view_merge_moved(struct view *v, size_t nnew, uint32_t *gone, size_t ngone);

/* Row i of the view (i < v->nrows): the row of the slot in its place. */
static inline const struct row *view_row(const struct view *v, size_t i)
{
	return &v->slots[((const struct sort_item *)v->items)[i].idx].row;
}

#endif
