/*
 * query_autopay.c - the autopay screen's SQL and the parsing of its rows
 * (see query_autopay.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"
#include "query/query_autopay.h"
#include "query/query_row.h"
#include "core/xalloc.h"

/* One row per invoice: its latest failure, and its status now (needs_rerun
 * when any of its rows still needs it, which is what request_rerun checks). */
static const char autopay_sql[] =
	"WITH inv AS (SELECT f.invoice_id, min(f.biller_id) AS biller_id,"
	"   max(f.amount_cents) AS amount_cents,"
	"   (array_agg(f.exception ORDER BY r.run_at DESC NULLS LAST))[1] AS exception,"
	"   " SQLTIME_MS("max(r.run_at)") " AS failed_ms,"
	"   CASE WHEN bool_or(f.invoice_status = 'needs_rerun') THEN 'needs_rerun'"
	"     ELSE (array_agg(f.invoice_status ORDER BY r.run_at DESC NULLS LAST))[1]"
	"   END AS status"
	"   FROM batchtop.autopay_failure f"
	"   LEFT JOIN batchtop.autopay_run r ON r.run_id = f.run_id"
	"   WHERE f.invoice_id IS NOT NULL"
	"   GROUP BY f.invoice_id"
	"   ORDER BY 5 DESC NULLS LAST, 1 LIMIT $1::int)"
	" SELECT inv.*, bl.name, coalesce(bl.is_demo, false) AS is_demo,"
	"   bl.biller_id IS NOT NULL AS known,"
	"   rq.status AS rr_status, rq.requested_by AS rr_by"
	" FROM inv LEFT JOIN batchtop.biller bl ON bl.biller_id = inv.biller_id"
	" LEFT JOIN LATERAL (SELECT q.status, q.requested_by"
	"   FROM batchtop.rerun_request q"
	"   WHERE q.kind = 'autopay_invoice' AND q.target_id = inv.invoice_id"
	"   ORDER BY q.requested_at DESC NULLS LAST, q.request_id DESC LIMIT 1) rq"
	"   ON true";

struct sq_job *query_autopay_job(int kind)
{
	char limit[16];
	const char *params[1] = { limit };

	snprintf(limit, sizeof limit, "%d", QUERY_AUTOPAY_LIMIT);
	return sq_job_new(kind, false, autopay_sql, 1, params);
}

struct ap_row *query_autopay_rows(const PGresult *res, int shard, size_t *n)
{
	int rows = PQntuples(res);
	struct ap_row *v = xcalloc((size_t)rows + 1, sizeof *v);

	for (int i = 0; i < rows; i++) {
		struct qrow q = qrow_at(res, i);
		struct ap_row *r = &v[i];

		r->shard = shard;
		r->invoice = qrow_dup_or_empty(&q, "invoice_id");
		r->biller_id = qrow_dup_or_empty(&q, "biller_id");
		r->biller = qrow_display_or_empty(&q, "name");
		r->exception = qrow_display_or_empty(&q, "exception");
		r->status = qrow_display_or_empty(&q, "status");
		r->rr_status = qrow_display_or_empty(&q, "rr_status");
		r->rr_by = qrow_display_or_empty(&q, "rr_by");
		r->amount = qrow_int(&q, "amount_cents", -1);
		r->failed_at = BT_NO_TIME;	/* also for 'infinity' */
		qrow_time(&q, "failed_ms", &r->failed_at);
		r->demo = qrow_bool(&q, "is_demo", false);
		r->known = qrow_bool(&q, "known", false);
	}
	*n = (size_t)rows;
	return v;
}

void query_autopay_row_free(struct ap_row *r)
{
	free(r->invoice);
	free(r->biller_id);
	free(r->biller);
	free(r->exception);
	free(r->status);
	free(r->rr_status);
	free(r->rr_by);
	free(r->search);
}
