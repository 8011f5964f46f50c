/*
 * duration.c - the simulator's model of close durations (see duration.h).
 *
 * Durations grow with the log of the biller's size (a close sums its
 * invoices in a few passes, so ten times the invoices is not ten times
 * the time), linearly with the load past what the shard absorbs, and
 * multiplicatively with noise, so the spread of a large biller is wider
 * in minutes than a small one's, as on the platform.
 */
#include "duration.h"

#include <math.h>

#define INVOICES_MIN 150.0
#define INVOICES_SPAN 200.0	/* the largest is 200 times the smallest */

int duration_invoices(uint64_t seed, const char *key)
{
	struct rng r;
	double u;

	rng_init_keyed(&r, seed, key, 0x51a3u);
	u = rng_unit(&r);
	/* Skewed towards the small: most billers are towns, a few are cities. */
	return (int)lround(INVOICES_MIN * pow(INVOICES_SPAN, pow(u, 1.4)));
}

double duration_base(int invoices)
{
	double n = invoices < INVOICES_MIN ? INVOICES_MIN : invoices;

	return 180.0 + 140.0 * log2(n / INVOICES_MIN);
}

double duration_load_factor(int load)
{
	double f = 1.0;

	if (load > DURATION_LOAD_FREE)
		f += DURATION_LOAD_STEP * (load - DURATION_LOAD_FREE);
	return f > DURATION_LOAD_MAX ? DURATION_LOAD_MAX : f;
}

double duration_noise(struct rng *r)
{
	double f = exp(0.22 * rng_normalish(r));

	if (rng_unit(r) < 0.05)
		f *= 1.6 + 1.4 * rng_unit(r);
	return f;
}

double duration_start_delay(struct rng *r)
{
	double d = 10.0 - 45.0 * log(1.0 - rng_unit(r) * 0.95);

	if (rng_unit(r) < 0.03)
		d += 300.0 + 600.0 * rng_unit(r);
	return d;
}

void duration_plan_close(uint64_t seed, const char *biller_key, const char *batch_id,
			 int attempt, int over, double fail_rate, struct duration_plan *p)
{
	struct rng r;

	/* Drawn in the history's order: delay, then noise. */
	rng_init_keyed(&r, seed, batch_id, 0x70a1u + (uint64_t)attempt);
	p->delay = duration_start_delay(&r) + over * DURATION_DELAY_STEP;
	p->duration = duration_base(duration_invoices(seed, biller_key)) * duration_noise(&r) *
		      duration_load_factor(over + DURATION_LOAD_FREE);
	p->fails = rng_unit(&r) < fail_rate;
	/* A timeout or a lost connection ends it early. */
	p->fail_frac = 0.3 + 0.6 * rng_unit(&r);
}
