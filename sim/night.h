/*
 * night.h - one night after another (--nights).
 *
 * A night is the closes of one business day: the latest business_day in
 * batch_close.  It is over when none of them is scheduled or running, no
 * rerun request is open, and half a payment-file period has passed since
 * the last of their deadlines (the board shows the night's end a while).
 * Then the night that ended is moved a day back (every timestamp of its
 * closes, so batchtop's "tonight", scheduled within night_hours of now,
 * lets go of it; it stays the business day it was and counts as history
 * for the nights after it) and the next business day is seeded.
 */
#ifndef SIM_NIGHT_H
#define SIM_NIGHT_H

#include <stdbool.h>

#include "shard.h"
#include "sim.h"

/* Within the tick's transaction: start the next night if this one is over
 * and --nights allows another.  false on a failed query. */
bool night_next_if_over(struct shard *s, const struct sim_config *cfg);

#endif
