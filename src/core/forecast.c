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
 * A biller has 5 to 20 closes of a type, so a close that has outrun all
 * but one or two of them would rest on those alone (often one slow
 * outlier, which then decides the forecast by itself) or on that guess:
 * with fewer than FC_TAIL_MIN longer ones, the remaining time comes from
 * the next wider pool of the chain a thin history falls back on (module,
 * then similar billers), scaled by the ratio of the medians to this
 * biller's size: the pool gives the shape of the tail (how much longer a
 * close that has run this long, for its size, tends to need), the biller
 * its scale.  Unscaled, a small biller's tail would be a big one's
 * closes (the backtest: more false alarms on a loaded shard).  The first
 * pool with FC_TAIL_MIN scaled closes longer than the elapsed time is
 * used (widen_tail); none has: the biller's own tail, as before.
 *
 * Scheduled close: the start is scheduled_at plus a start delay (delays
 * shorter than the wait so far are ruled out; none left: it starts now),
 * never before now; the finish is the start plus an independent duration.
 * P(miss) averages, over the delays, the share of durations that would
 * end past the deadline (a binary search each).  ETA quantiles need the
 * distribution of the sum: both sides are thinned to 24 evenly spaced
 * order statistics and the at most 576 sums sorted, which only the rows
 * on screen pay for (forecast_miss() skips it).
 *
 * P(miss) is a step function of time: it changes only when the elapsed
 * time (or the wait) passes one of the samples it is conditioned on.  So
 * forecast_open() also says until when its answer holds, and the memo
 * (forecast_memo.c) answers an unchanged close from its last answer
 * until then.  And since both chances only grow with time, it says until
 * when the answers to the thresholds hold (decide_until), which is when
 * the view must look at the close again.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>

#include "core/forecast.h"

#define SUM_SIDE 24

/* Where the q-quantile of n (> 0) sorted values is by linear
 * interpolation: between the returned index and the next, at *f of the
 * way (0: the returned one itself). */
static size_t quantile_at(size_t n, double q, double *f)
{
	double pos;
	size_t i;

	*f = 0;
	if (q <= 0 || n == 1)
		return 0;
	if (q >= 1)
		return n - 1;
	pos = q * (double)(n - 1);
	i = (size_t)pos;
	if (i + 1 >= n)
		return n - 1;
	*f = pos - (double)i;
	return i;
}

/* From a to b (int64_t: a sum of times, or two ms of either sign) by f. */
static int64_t lerp(int64_t a, int64_t b, double f)
{
	return a + (int64_t)((double)(b - a) * f + 0.5);
}

int64_t fc_quantile(const struct fc_dist *d, double q)
{
	double f;
	size_t i;

	if (!d->n)
		return BT_NO_TIME;
	i = quantile_at(d->n, q, &f);
	return f > 0 ? lerp(d->ms[i], d->ms[i + 1], f) : d->ms[i];
}

/* fc_quantile() of n sorted times. */
static int64_t quantile_i64(const int64_t *v, size_t n, double q)
{
	double f;
	size_t i;

	if (!n)
		return BT_NO_TIME;
	i = quantile_at(n, q, &f);
	return f > 0 ? lerp(v[i], v[i + 1], f) : v[i];
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

/* What forecast_at_risk() and forecast_miss_likely() say of a forecast
 * with chance p, as two bits; -1 when p is so near a threshold that
 * rounding could say otherwise (a memo keeps p as a float; a sum may be
 * added in another order): then no answer is taken to hold. */
static int decision(double p, const struct forecast_opts *o)
{
	double pct = p * 100.0;
	double d1 = pct - (double)o->at_risk_pct, d2 = pct - (double)o->will_miss_pct;
	double d3 = p - 0.5;

	double d4 = p * 1000.0 - (double)o->above_pm;

	if ((d1 < 1e-4 && d1 > -1e-4) || (d2 < 1e-4 && d2 > -1e-4) ||
	    (d3 < 1e-6 && d3 > -1e-6) || (o->above_pm && d4 < 1e-3 && d4 > -1e-3))
		return -1;
	return (pct >= (double)o->at_risk_pct) |
	       (pct >= (double)o->will_miss_pct || p > 0.5) << 1 |
	       (o->above_pm && d4 >= 0) << 2;
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

/* Until when P(now + X > deadline), X from d, stays what it is now: it
 * grows when the time left falls below the largest sample that still
 * fits (never, once none fits). */
static int64_t from_now_until(const struct fc_dist *d, const struct batch *t,
			      int64_t now)
{
	int64_t dl = 0;
	size_t fits;

	if (deadline_of(t, &dl) != 1)
		return INT64_MAX;
	fits = d->n - fc_count_above(d, dl - now);
	return fits ? dl - d->ms[fits - 1] + 1 : INT64_MAX;
}

static void running(const struct fc_dist *D, const struct batch *t,
		    int64_t now, bool eta, struct forecast *out,
		    int64_t *valid_until)
{
	struct running_ctx c = { *D, now };

	*valid_until = now;	/* counted from now: changes with it */
	if (t->started_at != BT_NO_TIME) {
		int64_t e = now > t->started_at ? now - t->started_at : 0;
		size_t k = fc_count_above(D, e);

		out->start_p50 = t->started_at;
		out->longer = k;
		if (k) {
			c.d.ms = D->ms + (D->n - k);
			c.d.n = k;
			c.base = t->started_at;
			/* The same until it has run as long as the shortest
			 * close it can still turn out like. */
			*valid_until = t->started_at + c.d.ms[0];
		} else {
			out->beyond = true;
			*valid_until = from_now_until(D, t, now);
		}
	} else {
		out->start_p50 = now;	/* running, start unknown: from now */
		out->longer = D->n;
		*valid_until = from_now_until(D, t, now);
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

	for (size_t i = 0; i < a; i++) {
		int64_t s = start_at(c, spaced(&c->delay, i, a));

		for (size_t j = 0; j < b; j++)
			sums[n++] = s + spaced(&c->dur, j, b);
	}
	qsort(sums, n, sizeof *sums, cmp_i64);
	/* Times, not fc_ms: the sums are epoch ms. */
	out->eta_p50 = quantile_i64(sums, n, 0.5);
	out->eta_p95 = quantile_i64(sums, n, 0.95);
}

/* sched_p(), the same double to the bit (the same shares added in the
 * same order), from the count of durations past dl for each start delay
 * in cnt. */
static double sched_p_of(const struct sched_ctx *c, const uint32_t *cnt)
{
	double sum = 0;

	for (size_t i = 0; i < c->delay.n; i++)
		sum += (double)cnt[i] / (double)c->dur.n;
	return sum / (double)c->delay.n;
}

/*
 * A close waiting to start, with the k delays of L longer than its wait
 * (c->delay, ascending) and cnt[i] the durations that would end past dl
 * from the i-th: each starts after now, so its chance is the mean of
 * those shares, and as the wait passes a delay the smallest share drops
 * out: it only grows.  Its answers hold until the count of delays left
 * falls to the first k' whose mean answers otherwise, or to 0 (it would
 * start now): at scheduled_at plus the delay after which k' are left.
 * Counted in integers.  INT64_MAX: no bound better than valid_until.
 */
static int64_t sched_decide(const struct sched_ctx *c, const uint32_t *cnt,
			    const struct forecast_opts *o)
{
	size_t k = c->delay.n, kk;
	uint64_t part = 0;
	int cur;

	if (!k)
		return INT64_MAX;
	for (size_t i = 0; i < k; i++)
		part += cnt[i];
	cur = decision((double)part / ((double)c->dur.n * (double)k), o);
	if (cur < 0)
		return INT64_MAX;
	part -= cnt[0];
	/* part: the shares of the kk largest delays. */
	for (kk = k - 1; kk > 0; kk--) {
		if (decision((double)part / ((double)c->dur.n * (double)kk), o) != cur)
			break;
		part -= cnt[k - kk];
	}
	return c->sched + c->delay.ms[k - kk - 1];
}

/* Delays a forecast counts shares for at once (a pool is thinned to
 * FC_POOL_MAX; a biller's own closes are fewer): more, and sched_p()
 * counts them as it adds, with no bound past valid_until. */
#define SCHED_COUNTS 1024

static void scheduled(const struct fc_dist *D, const struct fc_dist *L,
		      const struct batch *t, int64_t now, bool eta,
		      const struct forecast_opts *o, struct forecast *out,
		      int64_t *valid_until, int64_t *decide)
{
	static const fc_ms zero = 0;
	struct sched_ctx c = { *D, *L, t->scheduled_at, now };
	uint32_t cnt[SCHED_COUNTS];
	int64_t dl = 0;
	size_t k;

	if (c.sched == BT_NO_TIME)
		c.sched = now;
	/* Delays no longer than the wait so far are ruled out (it would
	 * have started); every one left starts after now. */
	k = fc_count_above(L, now - c.sched);
	if (k) {
		c.delay.ms = L->ms + (L->n - k);
		c.delay.n = k;
		*valid_until = c.sched + c.delay.ms[0];
	} else if (!L->n && now < c.sched) {	/* no delay known: on time */
		c.delay.ms = &zero;
		c.delay.n = 1;
		*valid_until = c.sched;
	} else {		/* later than it ever started: now */
		c.delay.ms = &zero;
		c.delay.n = 1;
		c.sched = now;
		*valid_until = from_now_until(D, t, now);
	}
	out->longer = D->n;
	out->start_p50 = start_at(&c, fc_quantile(&c.delay, 0.5));
	if (deadline_of(t, &dl) != 1 || c.delay.n > SCHED_COUNTS || !c.dur.n) {
		set_p_miss(out, t, sched_p, &c);
	} else if (start_at(&c, c.delay.ms[c.delay.n - 1]) +
		   c.dur.ms[c.dur.n - 1] <= dl) {
		/* Cannot miss even if late and slow (as sched_p says): nor
		 * with fewer delays left, till it would start now. */
		out->p_miss = 0;
		if (o && k && t->scheduled_at != BT_NO_TIME)
			*decide = c.sched + c.delay.ms[c.delay.n - 1];
	} else {
		for (size_t i = 0; i < c.delay.n; i++)
			cnt[i] = (uint32_t)fc_count_above(&c.dur, dl -
							  start_at(&c, c.delay.ms[i]));
		out->p_miss = sched_p_of(&c, cnt);
		/* Waiting past its scheduled time, with delays left. */
		if (o && k && t->scheduled_at != BT_NO_TIME)
			*decide = sched_decide(&c, cnt, o);
	}
	if (eta)
		sched_eta(&c, out);
}

/*
 * A running close with k > 0 of D longer than it has run and a deadline
 * dl ahead: its chance is A / k, A the closes of D that would end past dl
 * (all of them among the k), so it only grows as k falls, one step per
 * sample it outlasts.  The answers hold until k falls to the first k'
 * whose A / k' answers otherwise, or to below FC_TAIL_MIN (a wider pool
 * may take over) or 0 (beyond), whichever comes first: at started_at plus
 * the sample after which at most k' are longer.  INT64_MAX: no bound
 * better than valid_until.
 */
static int64_t running_decide(const struct fc_dist *D, const struct batch *t,
			      int64_t now, int64_t dl, const struct forecast_opts *o)
{
	int64_t e = now > t->started_at ? now - t->started_at : 0;
	size_t k = fc_count_above(D, e), A = fc_count_above(D, dl - t->started_at);
	size_t low = k >= FC_TAIL_MIN ? FC_TAIL_MIN - 1 : 0, kk;
	int cur;

	if (!k || A > k || (cur = decision((double)A / (double)k, o)) < 0)
		return INT64_MAX;
	for (kk = k - 1; kk > low; kk--)
		if (decision((double)A / (double)kk, o) != cur)
			break;
	return t->started_at + D->ms[D->n - kk - 1];
}

/* A running close that has outrun all but a few of D: the next wider pool
 * with FC_TAIL_MIN closes longer than it has run once scaled to D's median,
 * scaled into buf (FC_POOL_MAX) and *D, its source into out.  Pools are
 * thinned to FC_POOL_MAX, so this costs one pass over at most that many. */
static void widen_tail(const struct fc_history *h, const struct biller *b,
		       const struct batch *t, int64_t now, struct fc_dist *D,
		       fc_ms *buf, struct forecast *out)
{
	const char *id = b->biller_id;
	enum fc_source s = out->source;
	int64_t e, m = fc_quantile(D, 0.5);
	struct fc_dist W;

	if (t->state != BATCH_RUNNING || t->started_at == BT_NO_TIME)
		return;
	e = now > t->started_at ? now - t->started_at : 0;
	if (fc_count_above(D, e) >= FC_TAIL_MIN)
		return;
	while ((s = fc_history_wider(h, s, id, t->kind->payment_type, t->kind->module,
				     b->nbatches, &W)) != FC_NONE) {
		int64_t mw = fc_quantile(&W, 0.5);
		double k = mw > 0 ? (double)m / (double)mw : 1.0;
		size_t n = W.n < FC_POOL_MAX ? W.n : FC_POOL_MAX;
		struct fc_dist S = { buf, n };

		/* k can be large (a tiny pool median): clamped as the
		 * history clamps, before the cast, which is then defined. */
		for (size_t i = 0; i < n; i++) {
			double x = (double)W.ms[i] * k + 0.5;

			buf[i] = x >= (double)FC_MS_MAX ? FC_MS_MAX
				: fc_ms_clamp((int64_t)x);
		}
		if (fc_count_above(&S, e) >= FC_TAIL_MIN) {
			*D = S;
			out->source = s;
			out->closes = W.n;
			out->tail_wider = true;
			return;
		}
	}
}

/* The forecast, and until when (shard ms) it stays the same for an
 * unchanged close: the memo's validity. */
static void forecast_open(const struct fc_history *h, const struct biller *b,
			  const struct batch *t, int64_t now,
			  const struct forecast_opts *o, bool eta,
			  struct forecast *out, int64_t *valid_until)
{
	struct fc_dist D, L;
	fc_ms buf[FC_POOL_MAX];

	out->source = FC_NONE;
	out->closes = out->longer = 0;
	out->beyond = false;
	out->tail_wider = false;
	out->stale = false;
	out->start_p50 = out->eta_p50 = out->eta_p95 = BT_NO_TIME;
	out->p_miss = -1;
	*valid_until = INT64_MAX;
	out->valid_until = out->decide_until = INT64_MAX;
	if (!h || !t || batch_is_bad(t) || now == BT_NO_TIME ||
	    (t->state != BATCH_RUNNING && t->state != BATCH_SCHEDULED))
		return;
	out->source = fc_history_pick(h, b->biller_id,
				      t->kind->payment_type, t->kind->module,
				      b->nbatches, &D, &L);
	if (out->source == FC_NONE)
		return;
	out->closes = D.n;
	widen_tail(h, b, t, now, &D, buf, out);
	if (o && o->stale_ms > 0) {
		int64_t stale_at = fc_history_read_at(h) + o->stale_ms;

		out->stale = now > stale_at;
		if (!out->stale)
			*valid_until = stale_at + 1;
	}
	{
		int64_t until = INT64_MAX, decide = INT64_MAX, dl = 0;
		int64_t stale_until = *valid_until;

		if (t->state == BATCH_RUNNING)
			running(&D, t, now, eta, out, &until);
		else
			scheduled(&D, &L, t, now, eta, o, out, &until, &decide);
		if (until < *valid_until)
			*valid_until = until;
		/* The answers may hold longer than p_miss itself. */
		if (o && deadline_of(t, &dl) == 1 && dl > now) {
			if (t->state == BATCH_RUNNING && t->started_at != BT_NO_TIME &&
			    !out->beyond)
				decide = running_decide(&D, t, now, dl, o);
			/* Late at dl (LATE then says more); stale at
			 * stale_until (out->stale changes). */
			if (decide != INT64_MAX && decide > dl)
				decide = dl;
			if (decide != INT64_MAX && decide > stale_until)
				decide = stale_until;
		}
		out->decide_until = decide != INT64_MAX && decide > *valid_until
				    ? decide : *valid_until;
	}
	out->valid_until = *valid_until;
	/* As precise as a memo keeps it (forecast_memo.c), so that an answer
	 * remembered and one made afresh are the same to the last bit: a
	 * chance a hair under a threshold (0.29999... of 30%) that a float
	 * rounds onto it made the view's rows differ from a rebuild without
	 * the memo (tests/unit/test_view_incr). */
	out->p_miss = (double)(float)out->p_miss;
}

void forecast_batch(const struct fc_history *h, const struct biller *b,
		    const struct batch *t, int64_t now,
		    const struct forecast_opts *o, struct forecast *out)
{
	int64_t until;

	forecast_open(h, b, t, now, o, true, out, &until);
}

void forecast_miss(const struct fc_history *h, const struct biller *b,
		   const struct batch *t, int64_t now,
		   const struct forecast_opts *o, struct forecast *out)
{
	int64_t until;

	forecast_open(h, b, t, now, o, false, out, &until);
	out->start_p50 = BT_NO_TIME;
}

bool forecast_miss_likely(const struct forecast *f, const struct forecast_opts *o)
{
	if (f->source == FC_NONE || f->p_miss < 0)
		return false;
	return f->p_miss * 100.0 >= (double)o->will_miss_pct || f->p_miss > 0.5;
}

size_t forecast_biller_misses(const struct fc_history *h, const struct biller *b,
			      int64_t now, const struct forecast_opts *o,
			      int64_t *until)
{
	size_t n = 0;

	if (now == BT_NO_TIME) {
		*until = BT_NO_TIME;	/* ask again with a clock */
		return 0;
	}
	if (!h)
		return 0;	/* a new history re-evaluates the biller */
	for (size_t k = 0; k < b->nbatches; k++) {
		const struct batch *t = &b->batches[k];
		struct forecast f;

		/* An 'infinity' deadline never passes, so it is never missed;
		 * a passed one makes the close LATE, not a predicted miss, and
		 * time only moves on. */
		if (batch_is_bad(t) ||
		    (t->state != BATCH_RUNNING && t->state != BATCH_SCHEDULED) ||
		    t->deadline_inf || t->deadline_at == BT_NO_TIME ||
		    t->deadline_at <= now)
			continue;
		forecast_miss_memo(o->memo, h, b, t, now, o, &f);
		n += forecast_miss_likely(&f, o);
		if (f.decide_until < *until)
			*until = f.decide_until;
		if (t->deadline_at < *until)
			*until = t->deadline_at;
	}
	return n;
}

int64_t forecast_until_above(const struct fc_history *h, const struct biller *b,
			     const struct batch *t, int64_t now,
			     const struct forecast_opts *o, int pm)
{
	struct forecast_opts x = *o;
	struct forecast f;
	int64_t until;

	if (fc_memo_above_find(o->memo, h, b, t, pm, now, &until))
		return until;
	x.memo = NULL;
	x.above_pm = pm > 0 ? pm : 1;
	forecast_miss(h, b, t, now, &x, &f);
	if (f.source == FC_NONE || f.p_miss < 0)
		until = f.valid_until;
	else
		until = (int)((float)f.p_miss * 1000) >= pm ? f.valid_until
							    : f.decide_until;
	fc_memo_above_keep(o->memo, h, b, t, pm, until);
	return until;
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
	const char *id = b->biller_id;
	struct fc_dist R, L;

	out->source = FC_NONE;
	out->from_reruns = false;
	out->stale = false;
	out->closes = 0;
	out->p50 = out->p95 = BT_NO_TIME;
	out->p_miss = -1;
	if (!h || !t)
		return;
	if (fc_history_reruns(h, id, t->kind->payment_type, &R)) {
		out->source = FC_BILLER;
		out->from_reruns = true;
	} else {
		out->source = fc_history_pick(h, id, t->kind->payment_type, t->kind->module,
					      b->nbatches, &R, &L);
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
