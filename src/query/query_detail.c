/*
 * query_detail.c - the SQL of a biller's detail and the parsing of its
 * rows (see query_detail.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"
#include "query/query_deadline.h"
#include "query/query_detail.h"
#include "query/query_row.h"
#include "core/text.h"
#include "core/xalloc.h"

/* Past business days: those before tonight's, within 20 calendar days,
 * the latest 14.  A close missed its window when it finished after its
 * deadline, or has not closed and its deadline has passed. */
static const char history_sql[] =
	"SELECT business_day::text AS day, count(*) AS closes,"
	" count(*) FILTER (WHERE finished_at > " QUERY_DEADLINE("", "$2")
	"   OR (status IS DISTINCT FROM 'closed'"
	"     AND " QUERY_DEADLINE("", "$2") " < now())) AS missed"
	" FROM batchtop.batch_close"
	" WHERE biller_id = $1 AND business_day >= current_date - 20"
	"   AND business_day < coalesce($3::date, current_date)"
	" GROUP BY business_day ORDER BY business_day DESC LIMIT 14";

/* Rerun requests whose target is one of the biller's batches or invoices. */
static const char requests_sql[] =
	"SELECT r.request_id, r.kind, r.target_id, r.requested_by,"
	" " SQLTIME_MS("r.requested_at") " AS at_ms,"
	" r.status, r.reason, r.result"
	" FROM batchtop.rerun_request r"
	" WHERE (r.kind = 'batch_close' AND r.target_id IN"
	"   (SELECT bc.batch_id FROM batchtop.batch_close bc WHERE bc.biller_id = $1))"
	"  OR (r.kind = 'autopay_invoice' AND r.target_id IN"
	"   (SELECT f.invoice_id FROM batchtop.autopay_failure f"
	"    WHERE f.biller_id = $1))"
	" ORDER BY r.requested_at DESC NULLS LAST, r.request_id DESC"
	" LIMIT 100";	/* QUERY_DETAIL_REQUESTS */

struct sq_job *query_detail_history_job(int kind, const char *biller_id,
					int window_minutes, const char *before)
{
	char window[16];
	const char *p[3] = { biller_id, window, before };

	snprintf(window, sizeof window, "%d", window_minutes);
	return sq_job_new(kind, false, history_sql, 3, p);
}

struct sq_job *query_detail_requests_job(int kind, const char *biller_id)
{
	const char *p[1] = { biller_id };

	return sq_job_new(kind, false, requests_sql, 1, p);
}

size_t query_detail_history(const PGresult *res, struct detail_day *days,
			    size_t max)
{
	int n = PQntuples(res);
	size_t nd = 0;

	for (int i = 0; i < n && nd < max; i++) {
		struct qrow q = qrow_at(res, i);
		struct detail_day *d = &days[nd++];
		const char *day = qrow_text(&q, "day");

		text_sanitize_into(d->day, sizeof d->day, day ? day : "",
				   (size_t)-1);
		d->closes = (long)qrow_int(&q, "closes", 0);
		d->missed = (long)qrow_int(&q, "missed", 0);
	}
	return nd;
}

struct detail_request *query_detail_requests(const PGresult *res, size_t *n)
{
	int rows = PQntuples(res);
	struct detail_request *reqs = xcalloc((size_t)rows + 1, sizeof *reqs);

	for (int i = 0; i < rows; i++) {
		struct qrow q = qrow_at(res, i);
		struct detail_request *r = &reqs[i];
		const char *target = qrow_text(&q, "target_id");

		r->id = qrow_display_or_empty(&q, "request_id");
		r->kind = qrow_display_or_empty(&q, "kind");
		/* Escaped: the target is an id, and look-alikes must differ. */
		r->target = target ? text_escape(target) : xstrdup("");
		r->by = qrow_display_or_empty(&q, "requested_by");
		r->at = BT_NO_TIME;
		qrow_time(&q, "at_ms", &r->at);
		r->status = qrow_display_or_empty(&q, "status");
		r->reason = qrow_display_or_empty(&q, "reason");
		r->result = qrow_display_or_empty(&q, "result");
	}
	*n = (size_t)rows;
	return reqs;
}

void query_detail_requests_free(struct detail_request *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].id);
		free(r[i].kind);
		free(r[i].target);
		free(r[i].by);
		free(r[i].status);
		free(r[i].reason);
		free(r[i].result);
	}
	free(r);
}
