/*
 * query_plan.c - the bulk plan's read of its requests (see query_plan.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>

#include "query/query_plan.h"
#include "query/query_row.h"
#include "core/xalloc.h"

static const char watch_sql[] =
	"SELECT r.request_id, r.status FROM batchtop.rerun_request r"
	" WHERE r.request_id = ANY($1::bigint[])";

struct sq_job *query_plan_watch_job(int kind, const long long *ids, size_t n)
{
	size_t len = 3 + n * 21, j = 0;
	char *arr = xmalloc(len);
	const char *params[1] = { arr };
	struct sq_job *job;

	arr[j++] = '{';
	for (size_t i = 0; i < n; i++)
		j += (size_t)snprintf(arr + j, len - j, "%s%lld", i ? "," : "",
				      ids[i]);
	snprintf(arr + j, len - j, "}");
	job = sq_job_new(kind, false, watch_sql, 1, params);
	free(arr);
	return job;
}

bool query_plan_watch_row(const struct sq_job *job, int r, long long *id,
			  const char **status)
{
	struct qrow q;

	if (job->status != SQ_OK || !job->res || r >= PQntuples(job->res))
		return false;
	q = qrow_at(job->res, r);
	*id = (long long)qrow_int(&q, "request_id", 0);
	*status = qrow_text(&q, "status");
	if (!*status)
		*status = "";
	return true;
}
