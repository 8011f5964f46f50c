/*
 * query_joblog.c - the log viewer's SQL and the parsing of its pages (see
 * query_joblog.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>

#include "query/query_joblog.h"
#include "query/query_row.h"
#include "core/sqltime.h"
#include "core/xalloc.h"

/* The columns every query returns, and the two scopes. */
#define LOG_SELECT \
	"SELECT log_id, " SQLTIME_US("logged_at") " AS ts_us," \
	" level, batch_id, message"
#define OLDER_THAN(col) \
	" WHERE " col " = $1" \
	"   AND logged_at <= (SELECT c.logged_at FROM batchtop.job_log c" \
	"     WHERE c.log_id = $2)" \
	"   AND (logged_at, log_id) < (SELECT c.logged_at, c.log_id" \
	"     FROM batchtop.job_log c WHERE c.log_id = $2)" \
	" ORDER BY logged_at DESC, log_id DESC LIMIT 2000"

/* The newest page, and the highest log_id of the whole table (where
 * follow mode starts, even when there is no line yet: then the one row
 * has a NULL log_id). */
#define NEWEST(col) \
	"SELECT j.log_id, j.ts_us, j.level, j.batch_id, j.message, m.max_id" \
	" FROM (SELECT max(log_id) AS max_id FROM batchtop.job_log) m" \
	" LEFT JOIN LATERAL (" LOG_SELECT ", logged_at FROM batchtop.job_log" \
	"   WHERE " col " = $1" \
	"   ORDER BY logged_at DESC, log_id DESC LIMIT 2000) j ON true" \
	" ORDER BY j.logged_at DESC, j.log_id DESC"

/* [scope][page]: scope 0 the biller, 1 one batch. */
static const char *const fetch_sql[2][3] = {
	{
		NEWEST("biller_id"),
		LOG_SELECT " FROM batchtop.job_log" OLDER_THAN("biller_id"),
		LOG_SELECT " FROM batchtop.job_log WHERE biller_id = $1"
		" AND log_id > $2 ORDER BY log_id LIMIT 2000",
	},
	{
		NEWEST("batch_id"),
		LOG_SELECT " FROM batchtop.job_log" OLDER_THAN("batch_id"),
		LOG_SELECT " FROM batchtop.job_log WHERE batch_id = $1"
		" AND log_id > $2 ORDER BY log_id LIMIT 2000",
	},
};

struct sq_job *query_joblog_job(int kind, enum joblog_page page,
				const char *biller_id, const char *batch_id,
				int64_t from_id)
{
	char id[32];
	const char *p[2] = { batch_id[0] ? batch_id : biller_id, id };

	snprintf(id, sizeof id, "%lld", (long long)from_id);
	return sq_job_new(kind, false, fetch_sql[batch_id[0] ? 1 : 0][page],
			  page == JOBLOG_NEWEST ? 1 : 2, p);
}

static int64_t line_ts(struct qrow *q)
{
	int64_t v = JOBLOG_TS_BAD;

	switch (qrow_time(q, "ts_us", &v)) {
	case SQLTIME_FINITE: return v;
	case SQLTIME_INF: return JOBLOG_TS_INF;
	case SQLTIME_NEG_INF: return JOBLOG_TS_NEG_INF;
	case SQLTIME_NULL:
	case SQLTIME_BAD:
		break;
	}
	return JOBLOG_TS_BAD;
}

struct log_line *query_joblog_parse(const PGresult *res, enum joblog_page page,
				    size_t *n, int64_t *max_id)
{
	int nrows = PQntuples(res);
	struct log_line *v = xcalloc((size_t)nrows + 1, sizeof *v);
	size_t k = 0;

	if (page == JOBLOG_NEWEST && nrows > 0) {
		struct qrow q = qrow_at(res, 0);

		*max_id = qrow_int(&q, "max_id", *max_id);
	}
	for (int i = 0; i < nrows; i++) {
		struct qrow q = qrow_at(res, i);
		int64_t id;

		if (qrow_null(&q, "log_id"))
			continue;	/* the newest page of a biller without lines */
		id = qrow_int(&q, "log_id", 0);
		log_line_init(&v[k++], LB_DB, line_ts(&q), id,
			      qrow_text(&q, "level"), qrow_text(&q, "batch_id"),
			      qrow_text(&q, "message"));
		if (id > *max_id)
			*max_id = id;
	}
	*n = k;
	return v;
}
