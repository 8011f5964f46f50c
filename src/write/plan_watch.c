/*
 * plan_watch.c - the plan's reads of its requests (see plan_watch.h).
 *
 * Data: per shard, when its last read went and whether it is still in
 * flight; a generation that plan_watch_forget() moves on, so an answer
 * to a read of an earlier plan is dropped.
 */
#include "autoconf.h"

#include <stdlib.h>

#include "query/query_plan.h"
#include "write/plan_watch.h"
#include "write/rerun.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#define WATCH_MS 2000
#define WATCH_LOST_MS 30000	/* a read that never answered: read again */

static struct {
	size_t n;
	int64_t *at;		/* mono ms of the shard's last read */
	bool *busy;		/* its read is in flight */
	unsigned long gen;
	plan_watch_fn fn;
} W;

bool plan_watch_due(size_t shard)
{
	int64_t age;

	if (shard >= W.n)
		return true;
	age = mono_ms() - W.at[shard];
	return age >= (W.busy[shard] ? WATCH_LOST_MS : WATCH_MS);
}

static void on_read(struct app *app, struct sq_job *job, unsigned long tag)
{
	long long id;
	const char *status;

	if (tag != W.gen || job->shard < 0 || (size_t)job->shard >= W.n)
		return;
	W.busy[job->shard] = false;
	for (int r = 0; query_plan_watch_row(job, r, &id, &status); r++)
		W.fn(app, job->shard, id, status);
}

void plan_watch_read(struct app *app, size_t shard, const long long *ids,
		     size_t k, plan_watch_fn fn)
{
	if (!k)
		return;
	if (shard >= W.n) {
		W.at = xrealloc(W.at, (shard + 1) * sizeof *W.at);
		W.busy = xrealloc(W.busy, (shard + 1) * sizeof *W.busy);
		for (size_t s = W.n; s <= shard; s++) {
			W.at[s] = 0;
			W.busy[s] = false;
		}
		W.n = shard + 1;
	}
	W.busy[shard] = true;
	W.at[shard] = mono_ms();
	W.fn = fn;
	rerun_read_job(app, (int)shard, query_plan_watch_job(JOB_REQUESTS, ids, k),
		       on_read, W.gen);
}

void plan_watch_forget(void)
{
	free(W.at);
	free(W.busy);
	W.at = NULL;
	W.busy = NULL;
	W.n = 0;
	W.gen++;
}
