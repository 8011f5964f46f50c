/*
 * history.h - when each shard's close history is read for the forecasts
 * (core/forecast.h), on the shard's query worker (data/shard_query.h).
 *
 * The UI thread calls history_tick() every turn: a shard whose history is
 * due (history_interval seconds after the last good read, sooner after a
 * failed one, at once at start) and has no read in flight gets one
 * query_history_job().  The worker runs the query and parses its rows
 * into a finished struct fc_history on its own thread; history_done()
 * hands it over.  Nothing here blocks or draws.
 */
#ifndef BT_HISTORY_H
#define BT_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/forecast.h"
#include "data/shard_query.h"

/* A failed read is tried again after this long (or history_interval if
 * that is shorter). */
#define HISTORY_RETRY_MS 30000

struct history_reader;

struct history_reader *history_reader_new(size_t nshards,
					  const struct config *cfg, int kind);
void history_reader_free(struct history_reader *r);

/* Submit the reads that are due at mono (our monotonic ms) to queries[i];
 * shard_now is the shard clock's estimate (BT_NO_TIME: wait for one). */
void history_tick(struct history_reader *r, struct shard_query **queries,
		  int64_t mono, int64_t shard_now);
/* A finished job of the reader's kind (taken and freed): the history it
 * read (the caller's reference) or NULL when it failed, with *shard set
 * and the next read scheduled. */
struct fc_history *history_done(struct history_reader *r, struct sq_job *job,
				int64_t mono, int *shard);
/* The last read's failure, "" when it succeeded (for the health line). */
const char *history_error(const struct history_reader *r, size_t shard);

#endif
