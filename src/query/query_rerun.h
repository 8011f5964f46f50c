/*
 * query_rerun.h - every query of batchtop.rerun_request and its request
 * function, with the parsing of their rows.
 *
 * The rerun action (src/write/rerun.c) sends a request (a write job), and after
 * a lost answer re-reads the target's request; the rerun dialog reads the
 * earlier requests of its batches and the spread (median, p90) of the
 * billers' close times.
 * (The poll, the drill-down and the autopay list read rerun_request too,
 * joined into their own rows: src/query/query_poll.c, query_detail.c and
 * query_autopay.c.)
 *
 * Parsed values that point into the result ("raw") live as long as it.
 */
#ifndef BT_QUERY_RERUN_H
#define BT_QUERY_RERUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "query/query_job.h"

/* The write job asking the shard to rerun target (of target_kind:
 * batch_close, autopay_invoice) on behalf of by, for reason (NULL
 * allowed).  All four are sent as given. */
struct sq_job *query_rerun_request_job(int kind, const char *target_kind,
				       const char *target, const char *by,
				       const char *reason);

struct rerun_outcome {
	const char *outcome;	/* raw: created, duplicate, refused, ...; NULL */
	int64_t request_id;	/* 0 when none */
	const char *detail;	/* raw, NULL for none */
};

/* The answer of a request job. */
void query_rerun_outcome(const PGresult *res, struct rerun_outcome *o);

/* The read job for target's open request (else its latest), and whether
 * backend_pid, the server process of a lost call, is still at work. */
struct sq_job *query_rerun_reread_job(int kind, const char *target_kind,
				      const char *target, int backend_pid);

struct rerun_reread {
	bool busy;		/* the lost call may still commit */
	const char *request_id;	/* raw; NULL: no request at all */
	int64_t request_no;	/* request_id as a number, 0 when none */
	const char *status, *requested_by, *at;	/* raw, NULL when none;
						 * at is HH:MM:SS UTC */
};

void query_rerun_reread(const PGresult *res, struct rerun_reread *r);

/* The read job for the earlier requests of these batches (raw ids). */
struct sq_job *query_rerun_history_job(int kind, const char *const *batch_ids,
				       size_t n);

struct rerun_history {
	char *requested_by, *at, *status;	/* sanitized */
	char *target;				/* escaped: look-alikes differ */
};

#define QUERY_RERUN_HISTORY 6	/* requests, the latest */

/* Fill h (max of them) from a history result; returns how many.  Free
 * each with query_rerun_history_free(). */
size_t query_rerun_history(const PGresult *res, struct rerun_history *h,
			   size_t max);
void query_rerun_history_free(struct rerun_history *h);

/* A text[] literal of the items ('{"a","b"}'); the caller frees. */
char *query_rerun_pg_array(const char *const *items, size_t n);

/* The spread of billers' close times over the last 14 days: $1 a text[]
 * of biller ids; rows biller_id, median_ms, p90_ms, closes (closed
 * batches with finite start and finish). */
extern const char query_rerun_median_sql[];

struct query_rerun_spread {
	const char *biller_id;		/* raw; "" for NULL */
	int64_t median_ms, p90_ms;	/* BT_NO_TIME when NULL */
	long closes;
};

/* Row `row` of a finished query_rerun_median_sql job: false past the end
 * (or when the job failed). */
bool query_rerun_spread_row(const struct sq_job *job, int row,
			    struct query_rerun_spread *sp);
/* The same, only the median (the bulk plan's estimate). */
bool query_rerun_median_row(const struct sq_job *job, int row,
			    const char **biller_id, int64_t *median_ms,
			    long *closes);

#endif
