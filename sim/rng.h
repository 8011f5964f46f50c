/*
 * rng.h - the simulator's own deterministic random numbers.
 *
 * A stream (struct rng) is splitmix64: one 64-bit state, good enough mixing
 * for a simulation and identical on every platform.  rng_hash_*() derive a
 * value from a key instead of a stream, so that what happens to a batch
 * (how long it runs, whether it fails) depends only on the seed and the
 * batch, never on timing or on which other batches ran first.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t state;
};

void rng_init(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1). */
double rng_unit(struct rng *r);
/* Uniform integer in [lo, hi], both included. */
int rng_range(struct rng *r, int lo, int hi);
/* Roughly normal (sum of four uniforms): mean 0, standard deviation 1. */
double rng_normalish(struct rng *r);
/* An index in [0, n) drawn with the given non-negative weights. */
size_t rng_weighted(struct rng *r, const int *weights, size_t n);

/* A stream seeded from (seed, key, salt): the same inputs, the same stream. */
void rng_init_keyed(struct rng *r, uint64_t seed, const char *key, uint64_t salt);

#endif
