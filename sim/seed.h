/*
 * seed.h - fill a shard for a demo night: billers, tonight's closes,
 * autopay runs and failures, and past business days of finished closes.
 */
#ifndef SIM_SEED_H
#define SIM_SEED_H

#include <stdbool.h>

#include "shard.h"
#include "sim.h"

/* Run once per shard when it first connects: --reset empties the batchtop
 * tables, then (unless --no-seed, or the shard already has billers) the
 * shard is seeded.  One transaction; false (rolled back) on failure, and
 * the caller tries again after reconnecting. */
bool seed_prepare(struct shard *s, const struct sim_config *cfg);

/* Within the caller's transaction: the closes and autopay run of business
 * day `day` (YYYY-MM-DD), night number `night` (2 is the one after the
 * first), for the billers the first night seeded.  Deterministic: the
 * same seed, shard position and night give the same rows. */
bool seed_night(struct shard *s, const struct sim_config *cfg, const char *day, int night);

#endif
