/*
 * rng.c - splitmix64 streams and keyed streams (see rng.h).
 */
#include "rng.h"

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_init(struct rng *r, uint64_t seed)
{
	r->state = mix64(seed ^ 0x6261746368746f70ULL);	/* "batchtop" */
}

uint64_t rng_next(struct rng *r)
{
	r->state += 0x9e3779b97f4a7c15ULL;
	return mix64(r->state);
}

double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

int rng_range(struct rng *r, int lo, int hi)
{
	uint64_t span;

	if (hi <= lo)
		return lo;
	span = (uint64_t)((int64_t)hi - lo) + 1;
	return lo + (int)(rng_next(r) % span);
}

double rng_normalish(struct rng *r)
{
	double sum = 0;

	for (int i = 0; i < 4; i++)
		sum += rng_unit(r);
	/* Four uniforms: mean 2, variance 4/12; rescale to 0 and 1. */
	return (sum - 2.0) * 1.7320508075688772;
}

size_t rng_weighted(struct rng *r, const int *weights, size_t n)
{
	long total = 0, pick;

	for (size_t i = 0; i < n; i++)
		total += weights[i] > 0 ? weights[i] : 0;
	if (total <= 0)
		return 0;
	pick = (long)(rng_next(r) % (uint64_t)total);
	for (size_t i = 0; i < n; i++) {
		long w = weights[i] > 0 ? weights[i] : 0;

		if (pick < w)
			return i;
		pick -= w;
	}
	return n - 1;
}

void rng_init_keyed(struct rng *r, uint64_t seed, const char *key, uint64_t salt)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a over the key */

	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	rng_init(r, mix64(seed) ^ mix64(h) ^ mix64(salt + 0x5bd1e995ULL));
}
