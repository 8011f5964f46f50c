/*
 * query_hold_write.c - the SQL of placing, releasing and writing off
 * holds, and of the reads their dialogs make (see query_hold_write.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>

#include "query/query_hold_write.h"
#include "query/query_row.h"

static const char place_sql[] =
	"SELECT hold_id::text AS id, outcome, detail"
	" FROM batchtop.place_hold($1, $2, $3, $4, $8::date, $9::date, $5, $6,"
	"   $7::timestamptz)";

static const char release_sql[] =
	"SELECT hold_id::text AS id, outcome, detail"
	" FROM batchtop.release_hold($1::bigint, $2)";

static const char write_off_sql[] =
	"SELECT invoice_id AS id, outcome, detail"
	" FROM batchtop.write_off_invoice($1, $2::bigint, $3, $4)";

/* The offset is the zone's wall clock less UTC's at the same instant. */
static const char zone_sql[] =
	"SELECT (extract(epoch FROM t) * 1000)::bigint AS at_ms,"
	" extract(epoch FROM (t AT TIME ZONE $1) - (t AT TIME ZONE 'UTC'))::int"
	"   AS offset_s"
	" FROM generate_series(date_trunc('hour', now()) - interval '1 day',"
	"   date_trunc('hour', now()) + interval '3 days',"
	"   interval '15 minutes') AS t ORDER BY t";

/* The contract's own matching (hold_selects, invoice_day), so what is
 * written off is exactly what the hold keeps back. */
static const char invoices_sql[] =
	"SELECT DISTINCT ON (f.invoice_id) f.invoice_id,"
	" coalesce(f.amount_cents, 0) AS amount_cents"
	" FROM batchtop.hold h JOIN batchtop.autopay_failure f"
	"   ON batchtop.hold_selects(h, f.biller_id, NULL, NULL,"
	"     batchtop.invoice_day(f.invoice_id))"
	" WHERE h.hold_id = $1::bigint AND h.kind = 'autopay_invoice'"
	"   AND h.ended_at IS NULL AND f.invoice_id IS NOT NULL"
	"   AND f.invoice_status = 'needs_rerun'"
	" ORDER BY f.invoice_id";

struct sq_job *query_hold_place_job(int kind, const char *biller_id,
				    const char *hold_kind,
				    const char *payment_type,
				    const char *module, const char *reason,
				    const char *by, const char *expires_iso,
				    const char *day_from, const char *day_to)
{
	const char *params[9] = {
		biller_id, hold_kind, payment_type, module, reason, by,
		expires_iso, day_from, day_to,
	};

	return sq_job_new(kind, true, place_sql, 9, params);
}

struct sq_job *query_hold_release_job(int kind, const char *hold_id,
				      const char *by)
{
	const char *params[2] = { hold_id, by };

	return sq_job_new(kind, true, release_sql, 2, params);
}

struct sq_job *query_hold_write_off_job(int kind, const char *invoice_id,
					const char *hold_id, const char *reason,
					const char *by)
{
	const char *params[4] = { invoice_id, hold_id, reason, by };

	return sq_job_new(kind, true, write_off_sql, 4, params);
}

void query_hold_outcome(const PGresult *res, struct hold_outcome *o)
{
	struct qrow q = qrow_at(res, 0);

	o->id = qrow_text(&q, "id");
	o->outcome = qrow_text(&q, "outcome");
	o->detail = qrow_text(&q, "detail");
}

struct sq_job *query_hold_zone_job(int kind, const char *zone)
{
	const char *params[1] = { zone };

	return sq_job_new(kind, false, zone_sql, 1, params);
}

bool query_hold_zone_row(const struct sq_job *job, int r, int64_t *at_ms,
			 int *offset_s)
{
	struct qrow q;

	if (job->status != SQ_OK || !job->res || r >= PQntuples(job->res))
		return false;
	q = qrow_at(job->res, r);
	*at_ms = qrow_int(&q, "at_ms", 0);
	*offset_s = (int)qrow_int(&q, "offset_s", 0);
	return !q.bad;
}

struct sq_job *query_hold_invoices_job(int kind, const char *hold_id)
{
	const char *params[1] = { hold_id };

	return sq_job_new(kind, false, invoices_sql, 1, params);
}

bool query_hold_invoices_row(const struct sq_job *job, int r,
			     const char **invoice_id, int64_t *cents)
{
	struct qrow q;

	if (job->status != SQ_OK || !job->res || r >= PQntuples(job->res))
		return false;
	q = qrow_at(job->res, r);
	*invoice_id = qrow_text(&q, "invoice_id");
	*cents = qrow_int(&q, "amount_cents", 0);
	return *invoice_id != NULL;
}
