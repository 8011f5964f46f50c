/*
 * ahead.c - the night ahead (see ahead.h).
 *
 * One pass over every open close of the view: its forecast (the cheap
 * forecast_miss() for P(miss), and for its p50 interval the median of the
 * distributions fc_history_pick() gives, conditioned as forecast.c
 * conditions them), then a second pass that counts each interval into the
 * rows it covers.  Sorting a sum distribution per close, as the ETA p50 of
 * a scheduled close needs, would cost thousands of closes a sort each; the
 * median start plus the median duration is the interval's honest p50
 * picture at a fraction of it.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/ahead.h"
#include "core/xalloc.h"

struct span {
	int64_t from, to;
	size_t shard;
};

bool ahead_will_miss(const struct forecast *f, const struct forecast_opts *o)
{
	return forecast_miss_likely(f, o);
}

static bool open_close(const struct batch *t)
{
	return !batch_is_bad(t) &&
	       (t->state == BATCH_RUNNING || t->state == BATCH_SCHEDULED);
}

/* A deadline still ahead of now (an 'infinity' one never passes, so it
 * cannot be missed: P(miss) is 0 and it is never counted). */
static bool deadline_ahead(const struct batch *t, int64_t now)
{
	return !t->deadline_inf && t->deadline_at != BT_NO_TIME && t->deadline_at > now;
}

/* The plain definition: every biller counted afresh at now.  The header
 * and the wallboard read the view's running count instead (totals.misses,
 * kept per biller by view_rebuild()); the tests compare the two. */
size_t ahead_count_misses(const struct view *v, int64_t now)
{
	size_t n = 0;

	if (now == BT_NO_TIME)
		return 0;
	for (size_t i = 0; i < v->nsnaps; i++) {
		const struct snapshot *s = v->snaps[i];
		const struct fc_history *h = view_history(v, i);

		for (size_t j = 0; s && h && j < s->nbillers; j++) {
			int64_t until = INT64_MAX;

			if (!snapshot_biller(s, j)->is_demo)
				n += forecast_biller_misses(h, snapshot_biller(s, j), now,
							    &v->fc, &until);
		}
	}
	return n;
}

/* The median of the part of d above x (all of d when x < 0); -1 when
 * nothing in d is above x. */
static int64_t median_above(const struct fc_dist *d, int64_t x)
{
	struct fc_dist up = *d;
	size_t k = x < 0 ? d->n : fc_count_above(d, x);

	if (!k)
		return -1;
	up.ms = d->ms + (d->n - k);
	up.n = k;
	return fc_quantile(&up, 0.5);
}

/* The p50 interval of open close t at now; false when there is no
 * forecast to draw it from. */
static bool p50_span(const struct fc_history *h, const struct biller *b,
		     const struct batch *t, int64_t now, int64_t *from, int64_t *to)
{
	struct fc_dist D, L;
	int64_t start, dur;

	if (fc_history_pick(h, b->biller_id, t->kind->payment_type, t->kind->module, b->nbatches,
			    &D, &L) == FC_NONE || !D.n)
		return false;
	if (t->state == BATCH_RUNNING) {
		start = t->started_at != BT_NO_TIME ? t->started_at : now;
		dur = median_above(&D, now - start);
		/* Longer than every close it rests on: as long again, from now
		 * (forecast.c's guess). */
		*from = now;
		*to = dur >= 0 ? start + dur : now + fc_quantile(&D, 0.5);
	} else {
		int64_t sched = t->scheduled_at != BT_NO_TIME ? t->scheduled_at : now;
		int64_t delay = L.n ? median_above(&L, now > sched ? now - sched : -1) : 0;

		start = delay >= 0 ? sched + delay : now;
		if (start < now)
			start = now;
		*from = start;
		*to = start + fc_quantile(&D, 0.5);
	}
	if (*to <= *from)
		*to = *from + 1;
	return true;
}

static int cmp_miss(const void *a, const void *b)
{
	const struct ahead_miss *x = a, *y = b;
	int64_t dx = x->t->deadline_at, dy = y->t->deadline_at;

	if (dx != dy)
		return dx < dy ? -1 : 1;
	if (x->shard != y->shard)
		return x->shard < y->shard ? -1 : 1;
	return strcmp(x->t->batch_id, y->t->batch_id);
}

/* Look at one open close: its span into spans, its miss into misses. */
static void one_close(struct ahead *n, const struct fc_history *h, const struct biller *b,
		      const struct batch *t, size_t shard, int64_t now,
		      const struct forecast_opts *o, struct span **spans, size_t *nspans,
		      size_t *capspans, size_t *capmiss, int64_t *end)
{
	struct forecast f;
	int64_t from, to;

	forecast_miss(h, b, t, now, o, &f);
	if (f.source == FC_NONE || !p50_span(h, b, t, now, &from, &to)) {
		n->unforecast++;
		return;
	}
	n->counted++;
	if (*nspans == *capspans) {
		*capspans = *capspans ? *capspans * 2 : 64;
		*spans = xrealloc(*spans, *capspans * sizeof **spans);
	}
	(*spans)[(*nspans)++] = (struct span){ from, to, shard };
	if (to > *end)
		*end = to;
	if (!deadline_ahead(t, now) || !ahead_will_miss(&f, o))
		return;
	if (n->nmisses == *capmiss) {
		*capmiss = *capmiss ? *capmiss * 2 : 16;
		n->misses = xrealloc(n->misses, *capmiss * sizeof *n->misses);
	}
	n->misses[n->nmisses++] = (struct ahead_miss){ b, t, shard, f.p_miss, to };
	if (t->deadline_at > *end)
		*end = t->deadline_at;
}

void ahead_build(struct ahead *n, const struct view *v, int64_t now, int64_t step)
{
	struct span *spans = NULL;
	size_t nspans = 0, capspans = 0, capmiss = 0;
	int64_t end;

	memset(n, 0, sizeof *n);
	n->nshards = v->nsnaps;
	n->step = step > 0 ? step : 60000;
	if (now == BT_NO_TIME)
		return;
	n->from = now - (now % n->step + n->step) % n->step;
	end = now;
	for (size_t i = 0; i < v->nsnaps; i++) {
		const struct snapshot *s = v->snaps[i];
		const struct fc_history *h = view_history(v, i);

		for (size_t j = 0; s && j < s->nbillers; j++) {
			const struct biller *b = snapshot_biller(s, j);

			for (size_t k = 0; !b->is_demo && k < b->nbatches; k++) {
				if (!open_close(&b->batches[k]))
					continue;
				if (!h) {
					n->unforecast++;
					continue;
				}
				one_close(n, h, b, &b->batches[k], i, now, &v->fc,
					  &spans, &nspans, &capspans, &capmiss, &end);
			}
		}
	}
	n->nrows = (size_t)((end - n->from) / n->step) + 1;
	if (n->nrows > AHEAD_MAX_ROWS)
		n->nrows = AHEAD_MAX_ROWS;
	n->running = xcalloc(n->nrows * (n->nshards ? n->nshards : 1), sizeof *n->running);
	for (size_t i = 0; i < nspans; i++) {
		/* Every row the interval [from, to) touches. */
		int64_t r0 = (spans[i].from - n->from) / n->step;
		int64_t r1 = (spans[i].to - 1 - n->from) / n->step;

		if (r0 < 0)
			r0 = 0;
		for (int64_t r = r0; r <= r1 && r < (int64_t)n->nrows; r++) {
			int *c = &n->running[(size_t)r * n->nshards + spans[i].shard];

			if (++*c > n->peak)
				n->peak = *c;
		}
	}
	free(spans);
	if (n->nmisses > 1)
		qsort(n->misses, n->nmisses, sizeof *n->misses, cmp_miss);
}

void ahead_free(struct ahead *n)
{
	free(n->running);
	free(n->misses);
	memset(n, 0, sizeof *n);
}
