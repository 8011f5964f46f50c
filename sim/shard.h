/*
 * shard.h - one shard: its connection, its in-memory state, and the only
 * ways the simulator talks to it.
 *
 * A shard may go away at any time.  Every query helper returns failure
 * instead of exiting; when the connection itself is lost the shard is
 * disconnected and shard_connect() is retried every couple of seconds by
 * the main loop, while the other shards go on.  All queries are
 * parameterized (PQexecParams).
 */
#ifndef SIM_SHARD_H
#define SIM_SHARD_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "rows.h"

/* A rerun request the simulated worker is running: when it started (server
 * epoch seconds) and how it will end. */
struct rerun_slot {
	int64_t request_id;
	double started;
	double duration;
	bool fails;
};

/* A job_log line waiting for the end of the current transaction. */
struct log_line {
	char *biller_id;	/* may be NULL */
	char *batch_id;		/* may be NULL */
	const char *level;	/* static */
	char *message;
};

struct shard_counts {
	long started, closed, failed, reruns_done, reruns_failed;
};

struct shard {
	int number;		/* 1-based, in --shard order */
	const char *dsn;	/* never printed: it may hold a password */
	PGconn *conn;		/* NULL while down */
	char *db;		/* current_database(): prefix of every id */
	bool ever_connected;
	bool prepared;		/* --reset and seeding done for this run */
	bool holds;		/* contract v3: batchtop.batch_hold() exists */
	double retry_at;	/* sim_now() of the next connection attempt */
	int64_t next_log_id;

	struct log_line *logs;
	size_t nlogs, caplogs;

	struct rerun_slot *reruns;
	size_t nreruns, capreruns;

	char **warned;		/* "batch_id#attempt" already warned as slow */
	size_t nwarned, capwarned;

	char *last_error;	/* for rate-limiting repeated messages */
	double last_error_at;
	long repeats;

	struct shard_counts counts;
	/* This run: closes finished and failed, to force an early failure. */
	long finished_this_run, failed_this_run;
};

void shard_init(struct shard *s, int number, const char *dsn);
void shard_free(struct shard *s);
/* A name for messages: "shard 2 (billing_east)". Static buffer. */
const char *shard_label(const struct shard *s);

/* Connect and learn the database name and the highest log_id.  Returns
 * false (and schedules a retry) when the shard is unreachable or has no
 * batchtop schema. */
bool shard_connect(struct shard *s);
void shard_disconnect(struct shard *s);
bool shard_is_up(const struct shard *s);

/* Run a query; NULL on any failure (already reported).  Caller PQclear()s. */
PGresult *shard_query(struct shard *s, const char *sql, int nparams,
		      const char *const *params);
/* Run a command; false on failure (already reported). */
bool shard_exec(struct shard *s, const char *sql, int nparams,
		const char *const *params);
bool shard_begin(struct shard *s);
bool shard_commit(struct shard *s);
/* Roll back after a failure; forgets queued log lines and re-reads the
 * highest log_id so ids stay unique. */
void shard_rollback(struct shard *s);

/* Insert the rows of t: the first "%s" in sql_fmt (not a printf format:
 * nothing else is expanded) becomes a VALUES list "($1,$2,...),(...)"
 * (text parameters; cast them in the SQL).  Large
 * tables are sent in several statements.  false on failure. */
bool shard_bulk(struct shard *s, const char *sql_fmt, const struct rows *t);

/* Queue a job_log line, written by shard_flush_logs() with the server's
 * clock_timestamp() and the next log_id. */
void shard_log(struct shard *s, const char *biller_id, const char *batch_id,
	       const char *level, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
bool shard_flush_logs(struct shard *s);
/* Read max(log_id) again (after someone else wrote lines). */
bool shard_reload_log_id(struct shard *s);

#endif
