/*
 * query_plan.h - the bulk plan's own watch of its requests: the status of
 * the requests it has in flight on one shard, by id.
 *
 * The plan learns that a request ended from the poll when it can, but a
 * poll may be a whole poll_interval away (and a shard may send no
 * NOTIFY), so while requests are in flight the plan also reads their rows
 * itself: one small read per shard every few seconds (plan.c).
 */
#ifndef BT_QUERY_PLAN_H
#define BT_QUERY_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "query/query_job.h"

/* The read job for the status of these requests (request_id). */
struct sq_job *query_plan_watch_job(int kind, const long long *ids, size_t n);
/* Row r of its answer: the request's id and raw status ("" when NULL);
 * false past the end or when the read failed. */
bool query_plan_watch_row(const struct sq_job *job, int r, long long *id,
			  const char **status);

#endif
