/*
 * forecast.c - the estimator (forecast.h): ETA quantiles and the chance
 * of missing the deadline, from the empirical distribution of past closes.
 *
 * Running close, elapsed e: the past closes that took longer than e are
 * the ones this close can still turn out like, so the finish is started_at
 * plus one of them, each as likely.  When the close has outrun every past
 * one ("beyond"), nothing in its history says how much longer it needs;
 * the guess is that it needs as long again as its closes take, from now,
 * which keeps a stuck close at risk instead of calling it nearly done.
 *
 * Scheduled close: the start is scheduled_at plus a start delay (delays
 * shorter than the wait so far are ruled out; none left: it starts now),
 * never before now; the finish is the start plus an independent duration.
 * P(miss) averages, over the delays, the share of durations that would
 * end past the deadline (a binary search each).  ETA quantiles need the
 * distribution of the sum: both sides are thinned to 64 evenly spaced
 * order statistics and the at most 4096 sums sorted, which only the rows
 * on screen pay for (forecast_miss() skips it).
 */
#include "autoconf.h"

#include <stdlib.h>

#include "core/forecast.h"

#define SUM_SIDE 64

int64_t fc_quantile(const struct fc_dist *d, double q)
{
	double pos, f;
	size_t i;

	if (!d->n)
		return BT_NO_TIME;
	if (q <= 0 || d->n == 1)
		return d->ms[0];
	if (q >= 1)
		return d->ms[d->n - 1];
	pos = q * (double)(d->n - 1);
	i = (size_t)pos;
	f = pos - (double)i;
	if (i + 1 >= d->n)
		return d->ms[d->n - 1];
	return d->ms[i] + (int64_t)((double)(d->ms[i + 1] - d->ms[i]) * f + 0.5);
}

size_t fc_count_above(const struct fc_dist *d, int64_t x)
{
	size_t lo = 0, hi = d->n;

	while (lo < hi) {		/* the first element > x */
		size_t mid = lo + (hi - lo) / 2;

		if (d->ms[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return d->n - lo;
}

/* The deadline of t: 1 and *dl when there is one, 0 when it never passes
 * ('infinity'), -1 when it always has ('-infinity'), -2 when unknown. */
static int deadline_of(const struct batch *t, int64_t *dl)
{
	if (t->deadline_inf)
		return t->deadline_inf > 0 ? 0 : -1;
	if (t->deadline_at == BT_NO_TIME)
		return -2;
	*dl = t->deadline_at;
	return 1;
}

/* P(base + X > dl) for X drawn from d. */
static double p_after(const struct fc_dist *d, int64_t base, int64_t dl)
{
	return (double)fc_count_above(d, dl - base) / (double)d->n;
}

static void set_p_miss(struct forecast *out, const struct batch *t,
		       double (*p)(const void *ctx, int64_t dl), const void *ctx)
{
	int64_t dl = 0;

	switch (deadline_of(t, &dl)) {
	case 1:
		out->p_miss = p(ctx, dl);
		break;
	case 0:
		out->p_miss = 0;
		break;
	case -1:
		out->p_miss = 1;
		break;
	default:
		out->p_miss = -1;
		break;
	}
}

struct running_ctx {
	struct fc_dist d;	/* the durations it may still turn out like */
	int64_t base;		/* ... counted from here */
};

static double running_p(const void *ctx, int64_t dl)
{
	const struct running_ctx *c = ctx;

	return p_after(&c->d, c->base, dl);
}

static void running(const struct fc_dist *D, const struct batch *t,
		    int64_t now, bool eta, struct forecast *out)
{
	struct running_ctx c = { *D, now };

	if (t->started_at != BT_NO_TIME) {
		int64_t e = now > t->started_at ? now - t->started_at : 0;
		size_t k = fc_count_above(D, e);

		out->start_p50 = t->started_at;
		out->longer = k;
		if (k) {
			c.d.ms = D->ms + (D->n - k);
			c.d.n = k;
			c.base = t->started_at;
		} else {
			out->beyond = true;
		}
	} else {
		out->start_p50 = now;	/* running, start unknown: from now */
		out->longer = D->n;
	}
	set_p_miss(out, t, running_p, &c);
	if (eta) {
		out->eta_p50 = c.base + fc_quantile(&c.d, 0.5);
		out->eta_p95 = c.base + fc_quantile(&c.d, 0.95);
	}
}

struct sched_ctx {
	struct fc_dist dur, delay;	/* delay conditioned on the wait */
	int64_t sched, now;
};

static int64_t start_at(const struct sched_ctx *c, int64_t delay)
{
	int64_t s = c->sched + delay;

	return s > c->now ? s : c->now;
}

static double sched_p(const void *ctx, int64_t dl)
{
	const struct sched_ctx *c = ctx;
	int64_t latest = start_at(c, c->delay.ms[c->delay.n - 1]);
	double sum = 0;

	/* Most scheduled closes cannot miss even if late and slow. */
	if (latest + c->dur.ms[c->dur.n - 1] <= dl)
		return 0;
	for (size_t i = 0; i < c->delay.n; i++)
		sum += p_after(&c->dur, start_at(c, c->delay.ms[i]), dl);
	return sum / (double)c->delay.n;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The i-th of m evenly spaced order statistics of d (m <= d->n). */
static int64_t spaced(const struct fc_dist *d, size_t i, size_t m)
{
	return m < 2 ? d->ms[d->n / 2] : d->ms[i * (d->n - 1) / (m - 1)];
}

static void sched_eta(const struct sched_ctx *c, struct forecast *out)
{
	int64_t sums[SUM_SIDE * SUM_SIDE];
	size_t a = c->delay.n < SUM_SIDE ? c->delay.n : SUM_SIDE;
	size_t b = c->dur.n < SUM_SIDE ? c->dur.n : SUM_SIDE, n = 0;
	struct fc_dist all;

	for (size_t i = 0; i < a; i++) {
		int64_t s = start_at(c, spaced(&c->delay, i, a));

		for (size_t j = 0; j < b; j++)
			sums[n++] = s + spaced(&c->dur, j, b);
	}
	qsort(sums, n, sizeof *sums, cmp_i64);
	all.ms = sums;
	all.n = n;
	out->eta_p50 = fc_quantile(&all, 0.5);
	out->eta_p95 = fc_quantile(&all, 0.95);
}

static void scheduled(const struct fc_dist *D, const struct fc_dist *L,
		      const struct batch *t, int64_t now, bool eta,
		      struct forecast *out)
{
	static const int64_t zero = 0;
	struct sched_ctx c = { *D, *L, t->scheduled_at, now };
	int64_t waited;

	if (c.sched == BT_NO_TIME)
		c.sched = now;
	waited = now - c.sched;
	if (!L->n) {			/* no delay known: on time */
		c.delay.ms = &zero;
		c.delay.n = 1;
	} else if (waited > 0) {
		size_t k = fc_count_above(L, waited);

		if (k) {
			c.delay.ms = L->ms + (L->n - k);
			c.delay.n = k;
		} else {		/* later than it ever started: now */
			c.delay.ms = &zero;
			c.delay.n = 1;
			c.sched = now;
		}
	}
	out->longer = D->n;
	out->start_p50 = start_at(&c, fc_quantile(&c.delay, 0.5));
	set_p_miss(out, t, sched_p, &c);
	if (eta)
		sched_eta(&c, out);
}

static void forecast_open(const struct fc_history *h, const struct biller *b,
			  const struct batch *t, int64_t now,
			  const struct forecast_opts *o, bool eta,
			  struct forecast *out)
{
	struct fc_dist D, L;

	out->source = FC_NONE;
	out->closes = out->longer = 0;
	out->beyond = false;
	out->stale = false;
	out->start_p50 = out->eta_p50 = out->eta_p95 = BT_NO_TIME;
	out->p_miss = -1;
	if (!h || !t || batch_is_bad(t) || now == BT_NO_TIME ||
	    (t->state != BATCH_RUNNING && t->state != BATCH_SCHEDULED))
		return;
	out->source = fc_history_pick(h, b ? b->biller_id : t->biller_id,
				      t->payment_type, t->module,
				      b ? b->nbatches : 1, &D, &L);
	if (out->source == FC_NONE)
		return;
	out->closes = D.n;
	out->stale = o && o->stale_ms > 0 &&
		     now - fc_history_read_at(h) > o->stale_ms;
	if (t->state == BATCH_RUNNING)
		running(&D, t, now, eta, out);
	else
		scheduled(&D, &L, t, now, eta, out);
}

void forecast_batch(const struct fc_history *h, const struct biller *b,
		    const struct batch *t, int64_t now,
		    const struct forecast_opts *o, struct forecast *out)
{
	forecast_open(h, b, t, now, o, true, out);
}

void forecast_miss(const struct fc_history *h, const struct biller *b,
		   const struct batch *t, int64_t now,
		   const struct forecast_opts *o, struct forecast *out)
{
	forecast_open(h, b, t, now, o, false, out);
}

bool forecast_at_risk(const struct forecast *f, const struct forecast_opts *o)
{
	return f->source != FC_NONE && f->p_miss >= 0 &&
	       f->p_miss * 100.0 >= (double)o->at_risk_pct;
}

bool forecast_will_miss(const struct forecast *f, const struct batch *t,
			const struct forecast_opts *o)
{
	if (f->source == FC_NONE || f->p_miss < 0)
		return false;
	if (f->p_miss * 100.0 >= (double)o->will_miss_pct)
		return true;
	return f->eta_p50 != BT_NO_TIME && !t->deadline_inf &&
	       t->deadline_at != BT_NO_TIME && f->eta_p50 > t->deadline_at;
}

void forecast_rerun(const struct fc_history *h, const struct biller *b,
		    const struct batch *t, size_t nbatches, int64_t now,
		    int64_t deadline, const struct forecast_opts *o,
		    struct fc_rerun *out)
{
	int64_t k = nbatches ? (int64_t)nbatches : 1;
	const char *id = b ? b->biller_id : t->biller_id;
	struct fc_dist R, L;

	out->source = FC_NONE;
	out->from_reruns = false;
	out->stale = false;
	out->closes = 0;
	out->p50 = out->p95 = BT_NO_TIME;
	out->p_miss = -1;
	if (!h || !t)
		return;
	if (fc_history_reruns(h, id, t->payment_type, &R)) {
		out->source = FC_BILLER;
		out->from_reruns = true;
	} else {
		out->source = fc_history_pick(h, id, t->payment_type, t->module,
					      b ? b->nbatches : 1, &R, &L);
		if (out->source == FC_NONE)
			return;
	}
	out->closes = R.n;
	out->stale = o && o->stale_ms > 0 && now != BT_NO_TIME &&
		     now - fc_history_read_at(h) > o->stale_ms;
	out->p50 = k * fc_quantile(&R, 0.5);
	out->p95 = k * fc_quantile(&R, 0.95);
	if (deadline == BT_NO_TIME || now == BT_NO_TIME)
		return;
	if (deadline <= now) {
		out->p_miss = 1;
		return;
	}
	/* k * d > left  <=>  d > floor(left / k), for whole ms. */
	out->p_miss = (double)fc_count_above(&R, (deadline - now) / k) /
		      (double)R.n;
}

const char *fc_source_words(enum fc_source s)
{
	switch (s) {
	case FC_BILLER:
		return "this biller's closes";
	case FC_MODULE:
		return "its module's closes";
	case FC_SIMILAR:
		return "closes of similar billers";
	case FC_NONE:
		break;
	}
	return "the fixed rule (thin history)";
}
