/*
 * advance.h - the batch-close job as the simulator plays it: due closes
 * start, running closes finish after a while, and some of them fail.
 *
 * How long an attempt runs and whether it fails is drawn from the seed and
 * (batch_id, attempt) alone, so a restarted simulator continues where the
 * last one stopped.  Both steps run inside the caller's transaction and
 * queue their job_log lines on the shard.
 */
#ifndef SIM_ADVANCE_H
#define SIM_ADVANCE_H

#include <stdbool.h>

#include "shard.h"
#include "sim.h"

/* Start every scheduled close whose scheduled_at has passed. */
bool advance_start_due(struct shard *s, const struct sim_config *cfg);
/* Close or fail every running close whose time has come; warn about the
 * slow ones.  Closes that a rerun request is running are left to rerun.c. */
bool advance_finish_running(struct shard *s, const struct sim_config *cfg);

/* Fail a running close (shared with rerun.c): sets error_class and
 * error_message from the seed, logs the failure.  concurrent is the number
 * of closes running on the shard.  Returns the message (the caller frees)
 * or NULL on failure. */
char *advance_fail(struct shard *s, const struct sim_config *cfg, const char *batch_id,
		   const char *biller_id, int attempt, int concurrent, bool demo);

#endif
