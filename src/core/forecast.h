/*
 * forecast.h - will this close make its payment file?  Forecasts from the
 * history of past closes (src/core/forecast.c, src/core/forecast_hist.c).
 *
 * A history (struct fc_history) holds, for one shard, the recent closes of
 * every biller and payment type: how long each took (finished_at -
 * started_at) and how late it started (started_at - scheduled_at), and
 * how long reruns took where they are known.  It is filled by one thread
 * (data/history.c, from query/query_history.c; or a test, or the
 * backtest), finished with fc_history_finish(), and from then on never
 * written: readers take a reference (fc_history_ref) and drop it when done,
 * like snapshots, so the UI draws from it with no lock held.
 *
 * The forecast of one open close takes its distribution from the first of
 * these that has at least FC_MIN_CLOSES closes (fc_source says which):
 *   this biller and payment type; the module and payment type (every biller
 *   of the shard); the shard's billers of similar size (their closes per
 *   business day of the history, in powers of two, against the biller's
 *   batches tonight);
 *   else none, and the caller applies the fixed rule (at_risk_pct).
 * A running close's remaining time is conditioned on how long it has run:
 * only the past closes longer than the elapsed time count, and when fewer
 * than FC_TAIL_MIN of them are, the closes of the next wider pool that has
 * that many once scaled to the biller's median (the forecast's source and
 * tail_wider say so).  A scheduled
 * close finishes at its start (scheduled_at plus a start delay, itself
 * conditioned on the delay so far) plus a duration.  Every time is
 * absolute (epoch ms of the shard's clock): a DST night or a zone the
 * shard did not know changes no arithmetic, since neither durations nor
 * deadlines are wall-clock times.
 *
 * Pure: no clock, no threads, no I/O.
 */
#ifndef BT_FORECAST_H
#define BT_FORECAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/snapshot.h"

/* Fewer closes than this is too thin to forecast from. */
#define FC_MIN_CLOSES 5
/* A running close whose pool has fewer durations than this longer than
 * its elapsed time would have its remaining time decided by one or two
 * past closes (often a slow outlier) or by a guess beyond the history: its
 * remaining time is taken from the next wider pool of the chain (module,
 * then similar billers), scaled to this pool's median, that has at least
 * this many longer ones (forecast.c says why scaled). */
#define FC_TAIL_MIN 5
/* A pooled distribution (module, similar size) is thinned to at most this
 * many evenly spaced quantiles, so every forecast costs the same. */
#define FC_POOL_MAX 256

enum fc_source {
	FC_NONE,	/* no history, or too thin everywhere: the fixed rule */
	FC_BILLER,	/* this biller and payment type */
	FC_MODULE,	/* its module and payment type, on its shard */
	FC_SIMILAR,	/* its shard's billers of similar size */
};

/* A duration or start delay as a history keeps it: ms in 32 bits, so a
 * close costs half what int64_t did.  That holds +-24.8 days, and a
 * close's duration or delay is minutes (its payment-file window is 45):
 * one of more than 24 days is a miss at any deadline that near, and
 * clamped to FC_MS_MAX (a delay to -FC_MS_MAX) it stays the longest,
 * still a miss, so every answer about a deadline within 24 days of the
 * start is the same as unclamped.  Never wrapped (a wrapped one would be
 * negative: the shortest close).  Arithmetic with times is int64_t. */
typedef int32_t fc_ms;
#define FC_MS_MAX INT32_MAX

/* v (ms) clamped into fc_ms's range, as a history stores it. */
fc_ms fc_ms_clamp(int64_t v);

/* A distribution: n durations in ms, sorted ascending (ms is NULL when n
 * is 0).  Owned by the history it came from. */
struct fc_dist {
	const fc_ms *ms;
	size_t n;
};

struct fc_history;

/* A new empty history of shard shard_index, read when the shard's clock
 * said read_at (epoch ms), with one reference. */
struct fc_history *fc_history_new(int shard_index, int64_t read_at);
struct fc_history *fc_history_ref(struct fc_history *h);
void fc_history_unref(struct fc_history *h);	/* NULL: nothing */

/* Add one past close, oldest first (the sparkline's order).  delay_ms or
 * dur_ms < 0 (or BT_NO_TIME): not known; else clamped (fc_ms_clamp).
 * Ids are copied byte for byte.  Only before fc_history_finish(). */
void fc_history_add(struct fc_history *h, const char *biller_id,
		    const char *business_day, const char *payment_type,
		    const char *module, int64_t delay_ms, int64_t dur_ms);
/* Add one past rerun of a batch of biller_id (request to finish). */
void fc_history_add_rerun(struct fc_history *h, const char *biller_id,
			  const char *payment_type, int64_t dur_ms);
/* Sort, index and pool; after this the history is read-only. */
void fc_history_finish(struct fc_history *h);

int fc_history_shard(const struct fc_history *h);
int64_t fc_history_read_at(const struct fc_history *h);
/* A number no other history of this process has had (its address may be
 * another's once that one is freed: the memo keys by this). */
uint64_t fc_history_serial(const struct fc_history *h);
size_t fc_history_closes(const struct fc_history *h);	/* all added */
/* The bytes of heap h holds, as asked of malloc (its own bookkeeping
 * aside): what a history costs a shard, for the tests and bench-hist. */
size_t fc_history_bytes(const struct fc_history *h);

/* The last (at most) max closes of biller_id and payment_type, in the
 * order they were added (oldest first, for a sparkline), copied into ms;
 * their count is returned (0: none).  A history keeps its closes once,
 * sorted, with each one's place in the order added, so they are rebuilt
 * here rather than handed out. */
size_t fc_history_recent(const struct fc_history *h, const char *biller_id,
			 const char *payment_type, fc_ms *ms, size_t max);

/* The duration and start-delay distributions a close of (biller_id,
 * payment_type, module) is forecast from, with tonight's batch count of
 * its biller for the similar-size pool; returns their source (FC_NONE:
 * both empty).  h may be NULL (FC_NONE). */
enum fc_source fc_history_pick(const struct fc_history *h,
			       const char *biller_id, const char *payment_type,
			       const char *module, size_t batches_tonight,
			       struct fc_dist *dur, struct fc_dist *delay);

/* The next pool of the chain after `after` (FC_BILLER: the module, then
 * similar billers; FC_MODULE: similar billers) with at least FC_MIN_CLOSES
 * closes: its durations in *dur.  FC_NONE (dur empty): no wider pool. */
enum fc_source fc_history_wider(const struct fc_history *h,
				enum fc_source after, const char *biller_id,
				const char *payment_type, const char *module,
				size_t batches_tonight, struct fc_dist *dur);

/* The rerun durations of biller_id and payment_type, when at least
 * FC_MIN_CLOSES are known (else false and d empty). */
bool fc_history_reruns(const struct fc_history *h, const char *biller_id,
		       const char *payment_type, struct fc_dist *d);

/* What a forecast says of one close. */
struct forecast {
	enum fc_source source;	/* FC_NONE: no forecast (fixed rule) */
	size_t closes;		/* durations it rests on (before conditioning) */
	size_t longer;		/* of those, longer than the elapsed time
				 * (running), else closes */
	bool beyond;		/* running longer than every close it rests
				 * on: the remaining time is a guess (see
				 * forecast.c) */
	bool stale;		/* the history is older than the caller's
				 * stale limit (forecast_opts.stale_ms) */
	int64_t start_p50;	/* expected start (started_at if running) */
	int64_t eta_p50;	/* expected finish, epoch ms; BT_NO_TIME */
	int64_t eta_p95;	/* when there is no forecast */
	double p_miss;		/* P(finishes after the deadline), 0..1;
				 * < 0 when unknown (no forecast, or no
				 * deadline to miss) */
	bool tail_wider;	/* running past all but a few (< FC_TAIL_MIN)
				 * of the first pool's closes: source and
				 * closes are of the wider pool its remaining
				 * time came from, scaled to the first's
				 * median */
	/* Until when (shard ms, exclusive) the same close, history and
	 * thresholds give this same p_miss, source and stale: the memo's
	 * validity, and the moment the view re-evaluates the row at
	 * (core/view.c).  INT64_MAX: for good. */
	int64_t valid_until;
	/* Until when (>= valid_until) the same close, history and thresholds
	 * give the same answers to forecast_at_risk() and
	 * forecast_miss_likely(), though p_miss may grow meanwhile (a close
	 * that outlasts past closes or waits past their starts grows more
	 * likely to miss): when the view must look at the row again for its
	 * status or its "will miss" count (core/biller_status.c). */
	int64_t decide_until;
};

struct fc_memo;

struct forecast_opts {
	int at_risk_pct;	/* p_miss (percent) that makes a close at risk */
	int will_miss_pct;	/* p_miss (percent) worded "will miss" */
	int64_t stale_ms;	/* history older than this is stale (0: never) */
	/* Optional: where biller_eval_fc() remembers its answers (see
	 * fc_memo_new); NULL: none. */
	struct fc_memo *memo;
	/* Optional (0: none): decide_until also ends where p_miss * 1000
	 * would reach this (forecast_until_above). */
	int above_pm;
};

/* The forecast of open close t of biller b at now (shard clock, ms) from
 * h (NULL: no history).  A close that is not scheduled or running, or is
 * bad, gets source FC_NONE.  Costs a few binary searches for a running
 * close; up to |delay| x |duration| for a scheduled one. */
void forecast_batch(const struct fc_history *h, const struct biller *b,
		    const struct batch *t, int64_t now,
		    const struct forecast_opts *o, struct forecast *out);

/* Only p_miss, source and closes of forecast_batch() (start_p50, eta_p50
 * and eta_p95 are BT_NO_TIME): cheap enough for every biller every second. */
void forecast_miss(const struct fc_history *h, const struct biller *b,
		   const struct batch *t, int64_t now,
		   const struct forecast_opts *o, struct forecast *out);

/* A memo of forecast_miss() answers, for a caller that asks again every
 * second about the same closes (the view): an answer is reused while the
 * close, its history and the thresholds are the same and time has not
 * passed a point where the answer changes.  slots: see
 * fc_memo_slots_for() (rounded up to a whole set of 8, at least 64).
 * NULL when out of memory; one thread only. */
struct fc_memo *fc_memo_new(size_t slots);
/* The slots to ask for to keep the answers of nopen open closes till
 * they are asked again. */
size_t fc_memo_slots_for(size_t nopen);
void fc_memo_free(struct fc_memo *m);
/* Make room for about slots answers (never less room than it has; an
 * eighth more than slots when it grows); the answers remembered so far
 * are dropped when it grows.  NULL: nothing. */
void fc_memo_reserve(struct fc_memo *m, size_t slots);
/* The answers m has room for (0 for NULL): 24 bytes each, and an eighth
 * as many of forecast_until_above() of 16 bytes. */
size_t fc_memo_slots(const struct fc_memo *m);
/* The heap m holds, its tables and itself (0 for NULL). */
size_t fc_memo_bytes(const struct fc_memo *m);
/* What a memo was asked, ever (a debug line, -vv; the tests): answers
 * it had; forecasts made because it had none for the close (new to it,
 * changed in what a forecast reads, or pushed out) or the one it had had
 * run out (time passed its valid_until); and of forecast_until_above()
 * with its opts, the answers it had and the forecasts made. */
struct fc_memo_counts {
	uint64_t hits, absent, expired;
	uint64_t above_hits, above;
};
/* m's counts (all 0 for NULL). */
struct fc_memo_counts fc_memo_counts(const struct fc_memo *m);
/* forecast_until_above()'s answers, remembered beside forecast_miss()'s
 * (for forecast.c): true with *until when m (NULL: none) has the answer
 * for close t of b at pm, from h, and it holds at now; else keep one
 * made now.  The answer is an instant before which t cannot reach pm,
 * so it holds until that instant for the same close and history. */
bool fc_memo_above_find(struct fc_memo *m, const struct fc_history *h,
			const struct biller *b, const struct batch *t, int pm,
			int64_t now, int64_t *until);
void fc_memo_above_keep(struct fc_memo *m, const struct fc_history *h,
			const struct biller *b, const struct batch *t, int pm,
			int64_t until);
/* forecast_miss(), through memo m (NULL: forecast_miss() itself).  The
 * opts must be the same on every call with one memo. */
void forecast_miss_memo(struct fc_memo *m, const struct fc_history *h,
			const struct biller *b, const struct batch *t,
			int64_t now, const struct forecast_opts *o,
			struct forecast *out);

/* Does f say its close will miss, cheaply: P(miss) at o's will_miss_pct
 * or more, or over a half (the latter is the same as an ETA p50 past the
 * deadline, forecast_will_miss(), without the cost of the p50). */
bool forecast_miss_likely(const struct forecast *f, const struct forecast_opts *o);

/* How many open closes of b (running or scheduled, not bad) whose
 * deadline is still ahead of now are forecast_miss_likely() from h
 * (NULL: none), asked through o's memo; *until is lowered to the instant
 * the count can next change at for the same b, h and o (a forecast's
 * validity, a deadline passing).  Demo or not: the caller decides. */
size_t forecast_biller_misses(const struct fc_history *h, const struct biller *b,
			      int64_t now, const struct forecast_opts *o,
			      int64_t *until);

/* A bound on the first instant from now at which open close t of b could
 * have (int)(p_miss * 1000) of pm or more, its answers by o's thresholds
 * aside (forecast_miss() with o->above_pm, no memo): until then a biller
 * whose riskiest close is at pm keeps it (core/biller_status.c).  Its
 * valid_until when it is there already. */
int64_t forecast_until_above(const struct fc_history *h, const struct biller *b,
			     const struct batch *t, int64_t now,
			     const struct forecast_opts *o, int pm);

/* Is f at risk / a plain miss by o's thresholds?  A miss needs p_miss >=
 * will_miss_pct, or an eta_p50 past the deadline. */
bool forecast_at_risk(const struct forecast *f, const struct forecast_opts *o);
bool forecast_will_miss(const struct forecast *f, const struct batch *t,
			const struct forecast_opts *o);

/* What a rerun would take, started now. */
struct fc_rerun {
	enum fc_source source;	/* FC_NONE: nothing to go on */
	bool from_reruns;	/* from the biller's past reruns (else from
				 * its closes, or source's pool) */
	bool stale;		/* as in struct forecast */
	size_t closes;		/* durations it rests on */
	int64_t p50, p95;	/* of all nbatches in a row, ms; BT_NO_TIME */
	double p_miss;		/* P(finishes after deadline); < 0 unknown */
};

/* A rerun of nbatches (>= 1) closes like t of biller b, one after another,
 * started at now, against deadline (epoch ms; BT_NO_TIME: none).  Its
 * durations are the biller's reruns when FC_MIN_CLOSES of them are known,
 * else those forecast_batch() would use; nbatches closes are taken to last
 * alike (a biller's batches do), so p50 and p95 scale by nbatches. */
void forecast_rerun(const struct fc_history *h, const struct biller *b,
		    const struct batch *t, size_t nbatches, int64_t now,
		    int64_t deadline, const struct forecast_opts *o,
		    struct fc_rerun *out);

/* The q-quantile (0..1) of d by linear interpolation; BT_NO_TIME if empty. */
int64_t fc_quantile(const struct fc_dist *d, double q);
/* How many of d are > x (d sorted). */
size_t fc_count_above(const struct fc_dist *d, int64_t x);

/* "this biller's closes", "its module's closes", "closes of similar
 * billers", "the fixed rule (thin history)": for the detail screen. */
const char *fc_source_words(enum fc_source s);

#endif
