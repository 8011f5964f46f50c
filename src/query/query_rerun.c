/*
 * query_rerun.c - the SQL of rerun requests and the parsing of their rows
 * (see query_rerun.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"
#include "query/query_row.h"
#include "query/query_rerun.h"
#include "core/text.h"
#include "core/xalloc.h"

static const char request_sql[] =
	"SELECT request_id, outcome, detail"
	" FROM batchtop.request_rerun($1, $2, $3, $4)";

/* The target's open request first, else its latest; and whether the
 * server process that ran the lost call ($3) is still busy. */
static const char reread_sql[] =
	"SELECT (SELECT count(*) FROM pg_catalog.pg_stat_activity a"
	"   WHERE a.pid = $3::int AND a.pid <> pg_catalog.pg_backend_pid()"
	"     AND a.state IS DISTINCT FROM 'idle')::int AS busy,"
	" q.request_id, q.status, q.requested_by,"
	" to_char(q.requested_at AT TIME ZONE 'UTC', 'HH24:MI:SS') AS at"
	" FROM (SELECT 1) AS one LEFT JOIN LATERAL ("
	"   SELECT r.request_id, r.status, r.requested_by, r.requested_at"
	"   FROM batchtop.rerun_request r"
	"   WHERE r.kind = $1 AND r.target_id = $2"
	"   ORDER BY r.status IN ('pending', 'running') DESC,"
	"     r.requested_at DESC NULLS LAST, r.request_id DESC LIMIT 1) q ON true";

/* Earlier requests for the dialog's batches, latest first. */
static const char history_sql[] =
	"SELECT r.target_id, coalesce(r.requested_by, 'someone') AS requested_by,"
	" coalesce(to_char(r.requested_at AT TIME ZONE 'UTC',"
	"   'YYYY-MM-DD HH24:MI:SS'), '?') AS at,"
	" coalesce(r.status, '?') AS status"
	" FROM batchtop.rerun_request r"
	" WHERE r.kind = 'batch_close' AND r.target_id = ANY ($1::text[])"
	" ORDER BY r.requested_at DESC NULLS LAST, r.request_id DESC"
	" LIMIT 6";	/* QUERY_RERUN_HISTORY */

/* Median and p90 in one pass: both are ordered-set aggregates over the
 * same rows, so the spread costs no second scan. */
const char query_rerun_median_sql[] =
	"SELECT b.biller_id,"
	" (extract(epoch FROM percentile_cont(0.5) WITHIN GROUP"
	"   (ORDER BY b.finished_at - b.started_at)) * 1000)::bigint AS median_ms,"
	" (extract(epoch FROM percentile_cont(0.9) WITHIN GROUP"
	"   (ORDER BY b.finished_at - b.started_at)) * 1000)::bigint AS p90_ms,"
	" count(*) AS closes"
	" FROM batchtop.batch_close b"
	" WHERE b.biller_id = ANY ($1::text[]) AND b.status = 'closed'"
	"   AND isfinite(b.started_at) AND isfinite(b.finished_at)"
	"   AND b.finished_at >= b.started_at"
	"   AND b.finished_at >= now() - interval '14 days'"
	" GROUP BY b.biller_id";

struct sq_job *query_rerun_request_job(int kind, const char *target_kind,
				       const char *target, const char *by,
				       const char *reason)
{
	const char *params[4] = { target_kind, target, by, reason };

	return sq_job_new(kind, true, request_sql, 4, params);
}

void query_rerun_outcome(const PGresult *res, struct rerun_outcome *o)
{
	struct qrow q = qrow_at(res, 0);

	o->outcome = qrow_text(&q, "outcome");
	o->request_id = qrow_int(&q, "request_id", 0);
	o->detail = qrow_text(&q, "detail");
}

struct sq_job *query_rerun_reread_job(int kind, const char *target_kind,
				      const char *target, int backend_pid)
{
	char pid[16];
	const char *params[3] = { target_kind, target, pid };

	snprintf(pid, sizeof pid, "%d", backend_pid);
	return sq_job_new(kind, false, reread_sql, 3, params);
}

void query_rerun_reread(const PGresult *res, struct rerun_reread *r)
{
	struct qrow q = qrow_at(res, 0);

	r->busy = qrow_int(&q, "busy", 0) > 0;
	r->request_id = qrow_text(&q, "request_id");
	r->request_no = qrow_int(&q, "request_id", 0);
	r->status = qrow_text(&q, "status");
	r->requested_by = qrow_text(&q, "requested_by");
	r->at = qrow_text(&q, "at");
}

struct sq_job *query_rerun_history_job(int kind, const char *const *batch_ids,
				       size_t n)
{
	char *arr = query_rerun_pg_array(batch_ids, n);
	const char *params[1] = { arr };
	struct sq_job *job = sq_job_new(kind, false, history_sql, 1, params);

	free(arr);
	return job;
}

size_t query_rerun_history(const PGresult *res, struct rerun_history *h,
			   size_t max)
{
	size_t n = 0;

	for (int i = 0; i < PQntuples(res) && n < max; i++) {
		struct qrow q = qrow_at(res, i);
		struct rerun_history *e = &h[n++];

		e->requested_by = text_sanitize(qrow_text(&q, "requested_by"),
						(size_t)-1);
		e->at = text_sanitize(qrow_text(&q, "at"), (size_t)-1);
		e->status = text_sanitize(qrow_text(&q, "status"), (size_t)-1);
		e->target = text_escape(qrow_text(&q, "target_id"));
	}
	return n;
}

void query_rerun_history_free(struct rerun_history *h)
{
	free(h->requested_by);
	free(h->at);
	free(h->status);
	free(h->target);
}

char *query_rerun_pg_array(const char *const *items, size_t n)
{
	size_t len = 3;
	char *out, *q;

	for (size_t i = 0; i < n; i++)
		len += 3 + 2 * strlen(items[i]);
	q = out = xmalloc(len);
	*q++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*q++ = ',';
		*q++ = '"';
		for (const char *s = items[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				*q++ = '\\';
			*q++ = *s;
		}
		*q++ = '"';
	}
	*q++ = '}';
	*q = '\0';
	return out;
}

bool query_rerun_spread_row(const struct sq_job *job, int row,
			    struct query_rerun_spread *sp)
{
	struct qrow q;

	if (job->status != SQ_OK || row >= PQntuples(job->res))
		return false;
	q = qrow_at(job->res, row);
	sp->biller_id = qrow_text(&q, "biller_id");
	if (!sp->biller_id)
		sp->biller_id = "";
	sp->median_ms = qrow_int(&q, "median_ms", BT_NO_TIME);
	sp->p90_ms = qrow_int(&q, "p90_ms", BT_NO_TIME);
	sp->closes = (long)qrow_int(&q, "closes", 0);
	return true;
}

bool query_rerun_median_row(const struct sq_job *job, int row,
			    const char **biller_id, int64_t *median_ms,
			    long *closes)
{
	struct query_rerun_spread sp;

	if (!query_rerun_spread_row(job, row, &sp))
		return false;
	*biller_id = sp.biller_id;
	*median_ms = sp.median_ms;
	*closes = sp.closes;
	return true;
}
