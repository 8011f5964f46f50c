/*
 * ahead.h - the night ahead, from the forecasts (issue 13): how many of
 * tonight's open closes each shard is predicted to be running, minute by
 * minute, and which closes are predicted to miss their deadline.  The
 * overlap matters because it is what the seeds say makes closes fail
 * (multishard) and run slow; the misses are what the operator acts on.
 *
 * Pure: built from a view's snapshots and histories (core/view.h) at a
 * given shard time, by the UI thread, into memory ahead_free() releases.
 * Demo billers are left out, as from every count.
 */
#ifndef BT_AHEAD_H
#define BT_AHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/forecast.h"
#include "core/view.h"

/* Rows of a night at most (a day of minutes). */
#define AHEAD_MAX_ROWS 1440

struct ahead_miss {
	const struct biller *b;		/* in the view's snapshots */
	const struct batch *t;
	size_t shard;
	double p_miss;
	int64_t eta_p50;		/* BT_NO_TIME when not known */
};

struct ahead {
	int64_t from, step;	/* the first row's instant (now, down to a
				   step) and the ms of a row */
	size_t nrows, nshards;
	int *running;		/* nrows x nshards, row-major: the closes
				   predicted running during the row */
	int peak;		/* the largest of them */
	struct ahead_miss *misses;	/* by deadline, then shard */
	size_t nmisses;
	size_t counted;		/* open closes with a forecast */
	size_t unforecast;	/* open closes without one (thin history) */
};

/* Does f (forecast_miss() or forecast_batch()) say its close will miss?
 * P(miss) at o's will_miss_pct or more, or over a half: the latter is the
 * same as an ETA p50 past the deadline (forecast_will_miss()), without
 * the cost of the p50 for every close. */
bool ahead_will_miss(const struct forecast *f, const struct forecast_opts *o);

/* How many open closes of non-demo billers in v are predicted to miss a
 * deadline that has not passed yet at now (those that have are LATE),
 * counted afresh over the whole fleet: what v->totals.misses keeps up to
 * date per rebuild (core/view.h), which is what the screens read. */
size_t ahead_count_misses(const struct view *v, int64_t now);

/* The night from now on, in rows of step ms (> 0): a close counts as
 * running from its median start (its start when it has started) for its
 * median duration (conditioned on the elapsed time when running), to the
 * last predicted finish or missed deadline, at most AHEAD_MAX_ROWS rows.
 * n is overwritten; free it with ahead_free(). */
void ahead_build(struct ahead *n, const struct view *v, int64_t now, int64_t step);
void ahead_free(struct ahead *n);

/* Closes predicted running on shard during row r. */
static inline int ahead_running(const struct ahead *n, size_t r, size_t shard)
{
	return n->running[r * n->nshards + shard];
}

#endif
