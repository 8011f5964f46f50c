/*
 * query_job.c - making and freeing query jobs (see query_job.h).
 */
#include "autoconf.h"

#include <stdlib.h>

#include "core/xalloc.h"
#include "query/query_job.h"

struct sq_job *sq_job_new(int kind, bool write, const char *sql, int nparams,
			  const char *const *params)
{
	struct sq_job *j = xcalloc(1, sizeof *j);

	if (nparams < 0 || nparams > SQ_MAX_PARAMS)
		fatal("sq_job_new: %d parameters", nparams);
	j->kind = kind;
	j->write = write;
	j->sql = xstrdup(sql);
	j->nparams = nparams;
	for (int i = 0; i < nparams; i++)
		j->params[i] = params && params[i] ? xstrdup(params[i]) : NULL;
	j->status = SQ_PENDING;
	return j;
}

void sq_job_free(struct sq_job *job)
{
	if (!job)
		return;
	free(job->sql);
	for (int i = 0; i < job->nparams; i++)
		free(job->params[i]);
	PQclear(job->res);
	if (job->out && job->out_free)
		job->out_free(job->out);
	free(job);
}
