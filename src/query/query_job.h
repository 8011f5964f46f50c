/*
 * query_job.h - one statement for a shard, and what became of it.
 *
 * A job is plain data: the SQL and its parameters, set by whoever wants
 * the answer (the files of query/ build them), and the outcome, set by
 * whoever runs it (data/shard_query.c's worker).  It holds no lock and
 * does no I/O, so the queries can be built and their results parsed
 * without knowing about threads.
 */
#ifndef BT_QUERY_JOB_H
#define BT_QUERY_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#define SQ_MAX_PARAMS 10

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
	/* Optional: run by the worker, on its thread, once res is in
	 * (SQ_OK), to turn a large result into what the UI takes (out), so
	 * the UI thread parses nothing.  sq_job_free() frees an out still
	 * there with out_free.  arg is the digest's own. */
	void (*digest)(struct sq_job *job);
	void *out;
	void (*out_free)(void *out);
	int64_t arg;

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

/* A new job with a copy of sql and of the params (NULL allowed). */
struct sq_job *sq_job_new(int kind, bool write, const char *sql, int nparams,
			  const char *const *params);
void sq_job_free(struct sq_job *job);

#endif
