/*
 * query_autopay.h - the failed autopay invoices of a shard, one row per
 * invoice with its latest failure and the latest rerun request for it.
 */
#ifndef BT_QUERY_AUTOPAY_H
#define BT_QUERY_AUTOPAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "query/query_job.h"

#define QUERY_AUTOPAY_LIMIT 20000	/* invoices per shard, the latest */

struct ap_row {
	int shard;
	/* invoice and biller_id raw (keys); the rest sanitized; "" for NULL */
	char *invoice, *biller_id, *biller, *exception, *status;
	char *rr_status, *rr_by;
	char *search;		/* the screen's: NULL here */
	long long amount;	/* cents; -1 when NULL */
	int64_t failed_at;	/* BT_NO_TIME when unknown */
	bool demo, known;
};

/* The read job (kind is the submitter's tag). */
struct sq_job *query_autopay_job(int kind);
/* The rows of its result (*n of them), tagged with shard; the caller
 * frees the array and each row with query_autopay_row_free(). */
struct ap_row *query_autopay_rows(const PGresult *res, int shard, size_t *n);
void query_autopay_row_free(struct ap_row *r);

#endif
