/*
 * duration.h - how long a batch close takes, as the simulator's history
 * has it: the biller's size sets the typical duration, the wave's load
 * (how many closes run on the shard at once) stretches it, and noise and
 * a few slow outliers spread it.  Start delays after scheduled_at are
 * drawn the same way.  All times are platform seconds (before --speed).
 *
 * The pieces are separate so seed.c can draw a close's own part in C and
 * let the shard count each close's neighbours in SQL (where the real
 * overlap in UTC is known), then stretch it by duration_load_factor's
 * rule, which it passes to the SQL as the constants below.
 */
#ifndef SIM_DURATION_H
#define SIM_DURATION_H

#include <stdbool.h>
#include <stdint.h>

#include "rng.h"

/* Closes a shard runs at once before they slow each other down, how much
 * each one more stretches a close (and delays its start), and the most. */
#define DURATION_LOAD_FREE 4
#define DURATION_LOAD_STEP 0.07
#define DURATION_LOAD_MAX 2.2
#define DURATION_DELAY_STEP 6.0	/* platform seconds of start delay */
/* A close's neighbours are the closes of its shard and day scheduled
 * within this many seconds of it.  History keeps the billers' wall-clock
 * schedules (only durations are compressed by --speed), so this is real
 * time on the schedule: the closes of one wave. */
#define DURATION_LOAD_RADIUS 600.0

/* The biller's size: invoices in one of its closes, 150 to 30,000, most
 * near a thousand.  Drawn from (seed, key) alone; key names the biller
 * (seed.c uses its shard's position and its number). */
int duration_invoices(uint64_t seed, const char *key);

/* The typical duration of a close of that many invoices on an idle shard:
 * 3 minutes for the smallest, about 21 for the largest. */
double duration_base(int invoices);

/* The factor a load of `load` other closes running alongside applies. */
double duration_load_factor(int load);

/* One close's own spread around its base: log-normal noise, and about
 * one close in twenty an outlier 1.6 to 3 times slower. */
double duration_noise(struct rng *r);

/* The start delay after scheduled_at on an idle shard: mostly under two
 * minutes, now and then five to fifteen. */
double duration_start_delay(struct rng *r);

/* The same model for tonight's live closes (advance.c): the invoices of
 * the biller, noise and outliers and the start delay drawn from (seed,
 * batch_id, attempt) so a restarted simulator draws them again, and the
 * load of its wave counted as the history's (its neighbours scheduled
 * within DURATION_LOAD_RADIUS platform seconds, less DURATION_LOAD_FREE),
 * all in platform seconds. */
struct duration_plan {
	double delay;		/* after scheduled_at, load wait included */
	double duration;
	bool fails;		/* drawn against fail_rate; then it ends at */
	double fail_frac;	/* this fraction of its duration */
};
void duration_plan_close(uint64_t seed, const char *biller_key, const char *batch_id,
			 int attempt, int over, double fail_rate, struct duration_plan *p);

#endif
