/*
 * rerun.h - the simulated batch-close worker's side of the rerun queue.
 *
 * Like the real worker it takes pending rerun_request rows oldest first,
 * marks them running, and a few (platform) minutes later marks them done,
 * or in about one case in ten failed, with a result message.  A batch
 * rerun runs the batch again (running, attempts + 1, then closed or
 * failed); an invoice rerun ends rerun_done, or needs_rerun again.
 */
#ifndef SIM_RERUN_H
#define SIM_RERUN_H

#include <stdbool.h>

#include "shard.h"
#include "sim.h"

/* Take up to a few pending requests.  server_now is extract(epoch from
 * now()) of the current transaction. */
bool rerun_pickup(struct shard *s, const struct sim_config *cfg, double server_now);
/* Finish the running requests whose time has come. */
bool rerun_finish(struct shard *s, const struct sim_config *cfg, double server_now);

#endif
