/*
 * query_missed.c - the "missed the hour" SQL and the parsing of its rows
 * (see query_missed.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_deadline.h"
#include "query/query_missed.h"
#include "query/query_row.h"
#include "core/xalloc.h"

/*
 * Business days are the days that have closes, latest first; tonight's is
 * the latest whose closes are due within night_hours ($1).  A close missed
 * its window when it finished after its deadline (the given one, or the
 * scheduled time plus window_minutes, $2), or has not closed and its
 * deadline has passed.  Rows: the totals of every (bucket, type, module),
 * biller_id NULL; then the same per biller, for each biller that missed
 * at least once in the 30 days.
 */
static const char missed_sql[] =
	"WITH d AS (SELECT business_day,"
	"   dense_rank() OVER (ORDER BY business_day DESC) AS rk"
	"  FROM (SELECT DISTINCT business_day FROM batchtop.batch_close"
	"   WHERE business_day >= current_date - 62"
	"     AND scheduled_at <= now() + $1::int * interval '1 hour') x),"
	" c AS (SELECT CASE WHEN d.rk = 1 THEN 0 WHEN d.rk <= 7 THEN 1 ELSE 2 END"
	"     AS bucket, bc.payment_type, bc.module, bc.biller_id, b.name,"
	"   coalesce(bc.finished_at > dl.t, false)"
	"     OR (bc.status IS DISTINCT FROM 'closed' AND dl.t < now()) AS missed"
	"  FROM batchtop.batch_close bc"
	"  JOIN d ON d.business_day = bc.business_day AND d.rk <= 30"
	"  CROSS JOIN LATERAL (SELECT " QUERY_DEADLINE("bc.", "$2") " AS t) dl"
	"  LEFT JOIN batchtop.biller b ON b.biller_id = bc.biller_id"
	"  WHERE b.is_demo IS NOT TRUE),"
	" m AS (SELECT DISTINCT biller_id FROM c WHERE missed)"
	" SELECT bucket, payment_type, module, NULL::text AS biller_id,"
	"   NULL::text AS name, count(*) AS closes,"
	"   count(*) FILTER (WHERE missed) AS missed"
	"  FROM c GROUP BY bucket, payment_type, module"
	" UNION ALL"
	" SELECT c.bucket, c.payment_type, c.module, c.biller_id, min(c.name),"
	"   count(*), count(*) FILTER (WHERE c.missed)"
	"  FROM c JOIN m ON m.biller_id = c.biller_id"
	"  GROUP BY c.bucket, c.payment_type, c.module, c.biller_id";

void missed_rowset_free(struct missed_rowset *rs)
{
	for (size_t i = 0; i < rs->nstrs; i++)
		free(rs->strs[i]);
	free(rs->strs);
	free(rs->rows);
	memset(rs, 0, sizeof *rs);
}

struct sq_job *query_missed_job(int kind, int night_hours, int window_minutes)
{
	char hours[16], window[16];
	const char *p[2] = { hours, window };

	snprintf(hours, sizeof hours, "%d", night_hours);
	snprintf(window, sizeof window, "%d", window_minutes);
	return sq_job_new(kind, false, missed_sql, 2, p);
}

/* Keep s (may be NULL) with the rows, which point to it. */
static const char *keep(struct missed_rowset *rs, char *s, size_t *cap)
{
	if (!s)
		return NULL;
	if (rs->nstrs == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		rs->strs = xrealloc(rs->strs, *cap * sizeof *rs->strs);
	}
	rs->strs[rs->nstrs++] = s;
	return s;
}

void query_missed_parse(struct missed_rowset *rs, const PGresult *res,
			int shard, const char *shard_name)
{
	int n = PQntuples(res);
	size_t cap = 0;

	rs->rows = xcalloc((size_t)n + 1, sizeof *rs->rows);
	for (int i = 0; i < n; i++) {
		struct qrow q = qrow_at(res, i);
		struct missed_row *r = &rs->rows[rs->nrows++];
		const char *name;

		r->shard = shard;
		r->shard_name = shard_name;
		r->bucket = (int)qrow_int(&q, "bucket", 0);
		r->payment_type = keep(rs, qrow_display(&q, "payment_type"), &cap);
		r->module = keep(rs, qrow_display(&q, "module"), &cap);
		/* A key: two look-alike billers stay two; drawing sanitizes. */
		r->biller_id = keep(rs, qrow_dup(&q, "biller_id"), &cap);
		name = keep(rs, qrow_display(&q, "name"), &cap);
		r->name = name ? name : "";
		r->closes = (long)qrow_int(&q, "closes", 0);
		r->missed = (long)qrow_int(&q, "missed", 0);
	}
}
