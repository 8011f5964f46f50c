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
 * job is refused without touching the network.
 *
 * A write job whose statement may have reached the server but whose
 * answer was lost ends SQ_UNKNOWN: the caller must re-read before it lets
 * anyone ask again.
 */
#ifndef BT_SHARD_QUERY_H
#define BT_SHARD_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "config.h"

#define SQ_MAX_PARAMS 8

enum sq_status {
	SQ_PENDING,	/* queued or running */
	SQ_OK,		/* res holds the result */
	SQ_ERROR,	/* failed; nothing was written (error says why) */
	SQ_UNKNOWN,	/* a write that may or may not have been recorded */
	SQ_REFUSED,	/* not sent: read-only mode, or the worker stopping */
	SQ_CANCELLED,	/* dropped from the queue by shard_query_cancel() */
};

struct sq_job {
	/* Set by the submitter. */
	int kind;		/* the submitter's tag, e.g. which screen */
	void *ctx;		/* the submitter's; never touched here */
	bool write;		/* needs the writable session */
	char *sql;		/* owned by the job */
	int nparams;
	char *params[SQ_MAX_PARAMS];	/* owned; NULL is SQL NULL */

	/* Set by the worker. */
	unsigned id;		/* from shard_query_submit() */
	int shard;		/* the worker's shard index */
	enum sq_status status;
	PGresult *res;		/* SQ_OK only */
	char sqlstate[6];	/* SQ_ERROR from the server: its SQLSTATE */
	char error[200];	/* sanitized, never the DSN */
	int64_t ms;		/* how long it ran */
	int backend_pid;	/* the server process that ran it, 0 if none:
				 * after SQ_UNKNOWN, a re-read can wait until
				 * that process is gone */
	struct sq_job *next;
};

struct shard_query;

struct shard_query *shard_query_new(int index, const struct shard_conf *sc,
				    const struct config *cfg, int wake_fd);
int shard_query_start(struct shard_query *q);

/* A new job with a copy of sql and of the params (NULL allowed). */
struct sq_job *sq_job_new(int kind, bool write, const char *sql, int nparams,
			  const char *const *params);
void sq_job_free(struct sq_job *job);

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
