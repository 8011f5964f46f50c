/*
 * query_detail.h - a biller's detail: its past business days and the
 * rerun requests for its batches and invoices.
 *
 * The drill-down screen submits the two read jobs these build and hands
 * their results back here; what it gets are plain rows, their text
 * sanitized for drawing (rerun targets escaped, so look-alike ids differ).
 */
#ifndef BT_QUERY_DETAIL_H
#define BT_QUERY_DETAIL_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "query/query_job.h"

#define QUERY_DETAIL_DAYS 14		/* business days of history, at most */
#define QUERY_DETAIL_REQUESTS 100	/* rerun requests, the newest */

struct detail_day {
	char day[16];			/* YYYY-MM-DD */
	long closes, missed;
};

struct detail_request {
	char *id, *kind, *target, *by, *status, *reason, *result; /* never NULL */
	int64_t at;			/* BT_NO_TIME when unknown */
};

/* The history of biller_id (raw) before business day before (NULL: the
 * shard's current_date), judged with window_minutes. */
struct sq_job *query_detail_history_job(int kind, const char *biller_id,
					int window_minutes, const char *before);
/* The rerun requests for biller_id's batches and invoices. */
struct sq_job *query_detail_requests_job(int kind, const char *biller_id);

/* Fill days (max of them) from a history result; returns how many. */
size_t query_detail_history(const PGresult *res, struct detail_day *days,
			    size_t max);
/* The requests of a requests result (*n of them); free with
 * query_detail_requests_free(). */
struct detail_request *query_detail_requests(const PGresult *res, size_t *n);
void query_detail_requests_free(struct detail_request *r, size_t n);

#endif
