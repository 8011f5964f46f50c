/*
 * history.h - each shard's close history for the forecasts
 * (core/forecast.h): read by the shard's poller, on its own connection,
 * between two polls; handed to the UI like a snapshot.
 *
 * While only watching, a shard then has one connection: the query worker
 * (data/shard_query.h) connects only when a screen asks it something.  A
 * read is due history_interval seconds after the last good one (sooner
 * after a failed one, at once after the first poll); it runs in its own
 * read-only transaction with a statement_timeout of history_timeout_ms(),
 * so it delays the next poll by at most one poll interval.  The rows are
 * parsed into a finished struct fc_history on the poller's thread.
 *
 * The UI side (history_reader) only remembers, per shard, why the last
 * read failed, for the health line.  Nothing here blocks or draws.
 */
#ifndef BT_HISTORY_H
#define BT_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/forecast.h"
#include "data/pgconn.h"

/* A failed read is tried again after this long (or history_interval if
 * that is shorter). */
#define HISTORY_RETRY_MS 30000

/* --- the poller's side ----------------------------------------------------- */

/* The statement_timeout of a read: poll_interval, or query_timeout when
 * that is shorter. */
int history_timeout_ms(const struct config *cfg);
/* When (mono ms) the read after one that ended at mono is due. */
int64_t history_next_due(const struct config *cfg, bool ok, int64_t mono);
/* Read shard's history on c, read_at being the shard clock now: a new
 * finished history (the caller's reference), or NULL with reason set and
 * *dead, *stop as pgconn_exec() says. */
struct fc_history *history_read(struct pgconn *c, const struct config *cfg,
				int shard, int64_t read_at, char *reason,
				size_t rn, bool *dead, bool *stop);

/* --- the UI's side ---------------------------------------------------------- */

struct history_reader;

struct history_reader *history_reader_new(size_t nshards);
void history_reader_free(struct history_reader *r);
/* A read of shard ended: error "" when it succeeded. */
void history_took(struct history_reader *r, size_t shard, const char *error);
/* The last read's failure, "" when it succeeded (for the health line). */
const char *history_error(const struct history_reader *r, size_t shard);
/* Whether a read of shard has ended (well or not) since the start. */
bool history_answered(const struct history_reader *r, size_t shard);

#endif
