/*
 * query_joblog.h - pages of a shard's batchtop.job_log for the log viewer.
 *
 * Keyset paging on (logged_at, log_id): the newest page of a biller or of
 * one batch, then pages older than the oldest line held, and in follow
 * mode lines with a log_id above the highest seen.  Each page is at most
 * QUERY_JOBLOG_CHUNK lines, newest first (forward pages oldest first).
 */
#ifndef BT_QUERY_JOBLOG_H
#define BT_QUERY_JOBLOG_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/joblines.h"
#include "query/query_job.h"

#define QUERY_JOBLOG_CHUNK 2000	/* lines per page: the queries' LIMIT */

enum joblog_page { JOBLOG_NEWEST, JOBLOG_OLDER, JOBLOG_NEWER };

/* A line's time when the shard's was not finite: 'infinity' sorts last,
 * '-infinity' and anything unusable first. */
#define JOBLOG_TS_INF INT64_MAX
#define JOBLOG_TS_NEG_INF (INT64_MIN + 1)
#define JOBLOG_TS_BAD INT64_MIN

/* The read job for a page of biller_id's lines, or of batch_id's when it
 * is not "" (both raw).  from_id is the oldest log_id held (JOBLOG_OLDER)
 * or the highest seen (JOBLOG_NEWER); unused for JOBLOG_NEWEST. */
struct sq_job *query_joblog_job(int kind, enum joblog_page page,
				const char *biller_id, const char *batch_id,
				int64_t from_id);

/* The lines of a page (log_line_init()'s sanitized copies), *n of them;
 * the caller frees the array (the lines go to joblines_merge()).  *max_id is
 * raised to the highest log_id of the page and, for JOBLOG_NEWEST, set
 * first to the table's highest. */
struct log_line *query_joblog_parse(const PGresult *res, enum joblog_page page,
				    size_t *n, int64_t *max_id);

#endif
