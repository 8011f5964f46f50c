/*
 * shard_query.h - ad-hoc queries against one shard, off the UI thread.
 *
 * The pollers run one fixed query on a timer; everything else the screens
 * need (a biller's history, its logs, the autopay failures, a rerun
 * request) goes through a query worker: one thread per shard with a job
 * queue.  The UI submits a job and returns at once; the worker runs jobs
 * one at a time, each with the deadline of pgconn_exec(), and hands the
 * finished job back through a done list, waking the UI through its pipe.
 *
 * Read jobs run on a read-only session.  Write jobs run on a second
 * session, opened only when one is needed; in read-only mode (--readonly,
 * --wallboard, readonly = true) that session is never opened and a write
 * job is refused without touching the network.  Both sessions are opened
 * by the first job that needs them and closed once they have sat unused
 * for query_idle_timeout seconds.
 *
 * A write job whose statement may have reached the server but whose
 * answer was lost ends SQ_UNKNOWN: the caller must re-read before it lets
 * anyone ask again.
 */
#ifndef BT_SHARD_QUERY_H
#define BT_SHARD_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "query/query_job.h"

struct shard_query;

struct shard_query *shard_query_new(int index, const struct shard_conf *sc,
				    const struct config *cfg, int wake_fd);
int shard_query_start(struct shard_query *q);


/* Queue a job (taking it); returns its id (never 0). */
unsigned shard_query_submit(struct shard_query *q, struct sq_job *job);
/* Drop queued (not yet running) jobs of this kind; they come back
 * SQ_CANCELLED.  A running job finishes. */
void shard_query_cancel(struct shard_query *q, int kind);
/* The next finished job, or NULL; the caller frees it. */
struct sq_job *shard_query_take(struct shard_query *q);
/* Jobs queued or running. */
unsigned shard_query_busy(struct shard_query *q);

/* Ask the worker to stop (returns at once): a job in flight is abandoned,
 * the queued ones come back SQ_REFUSED. */
void shard_query_stop(struct shard_query *q);
/* Stop (finishing nothing new), wait up to wait_ms, free. */
void shard_query_free(struct shard_query *q, int wait_ms);

#endif
