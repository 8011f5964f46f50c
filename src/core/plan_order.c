/*
 * plan_order.c - the pure parts of a bulk rerun plan (see plan_order.h):
 * no I/O, no clock, no globals; plan.c and the unit tests call them.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"
#include "core/plan_order.h"

static int cmp_item(const void *pa, const void *pb)
{
	const struct plan_item *a = pa, *b = pb;
	int r;

	if (a->priority != b->priority) {
		if (a->priority == BT_NO_INT)
			return 1;
		if (b->priority == BT_NO_INT)
			return -1;
		return a->priority < b->priority ? -1 : 1;
	}
	if (a->deadline != b->deadline) {
		if (a->deadline == BT_NO_TIME)
			return 1;
		if (b->deadline == BT_NO_TIME)
			return -1;
		return a->deadline < b->deadline ? -1 : 1;
	}
	if (a->shard != b->shard)
		return a->shard < b->shard ? -1 : 1;
	if ((r = strcmp(a->biller_name, b->biller_name)))
		return r;
	if ((r = strcmp(a->biller_id, b->biller_id)))
		return r;
	return strcmp(a->batch_id, b->batch_id);
}

void plan_sort(struct plan_item *items, size_t n)
{
	if (n > 1)
		qsort(items, n, sizeof *items, cmp_item);
}

bool plan_state_inflight(enum plan_state s)
{
	return s == PI_SENDING || s == PI_PENDING || s == PI_RUNNING ||
	       s == PI_UNKNOWN;
}

bool plan_state_final(enum plan_state s)
{
	return s == PI_DONE || s == PI_FAILED || s == PI_SKIPPED ||
	       s == PI_CANCELLED;
}

int plan_inflight(const struct plan_item *items, size_t n, int shard)
{
	int k = 0;

	for (size_t i = 0; i < n; i++)
		if (items[i].shard == shard && plan_state_inflight(items[i].state))
			k++;
	return k;
}

long plan_next(const struct plan_item *items, size_t n, int shard, int cap)
{
	if (plan_inflight(items, n, shard) >= cap)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (items[i].shard == shard && items[i].state == PI_WAITING)
			return (long)i;
	return -1;
}

void plan_observe(struct plan_item *it, long long rerun_id, const char *status)
{
	if (!plan_state_inflight(it->state) || it->state == PI_SENDING ||
	    it->state == PI_UNKNOWN || it->request_id <= 0 || rerun_id <= 0)
		return;
	if (rerun_id > it->request_id) {
		/* Only one request per target is open at a time: a newer one
		 * means the one watched has ended. */
		it->state = PI_DONE;
		snprintf(it->detail, sizeof it->detail,
			 "request %lld ended (request %lld is newer)",
			 it->request_id, rerun_id);
		return;
	}
	if (rerun_id != it->request_id || !status)
		return;	/* the poll has not seen it yet */
	if (!strcmp(status, "pending"))
		it->state = PI_PENDING;
	else if (!strcmp(status, "running"))
		it->state = PI_RUNNING;
	else if (!strcmp(status, "done"))
		it->state = PI_DONE;
	else if (!strcmp(status, "failed"))
		it->state = PI_FAILED;
	/* Any other status: still counted as in flight. */
}

int64_t plan_makespan(const struct plan_item *items, size_t n, int shard,
		      int cap, int64_t default_ms)
{
	int64_t lanes[64] = { 0 }, end = 0;

	if (cap < 1)
		cap = 1;
	if (cap > 64)
		cap = 64;
	for (size_t i = 0; i < n; i++) {
		int best = 0;
		int64_t d;

		if (items[i].shard != shard || plan_state_final(items[i].state))
			continue;
		d = items[i].median_ms != BT_NO_TIME && items[i].median_ms >= 0
			    ? items[i].median_ms : default_ms;
		for (int l = 1; l < cap; l++)
			if (lanes[l] < lanes[best])
				best = l;
		lanes[best] += d;
		if (lanes[best] > end)
			end = lanes[best];
	}
	return end;
}


struct counts {
	int waiting, sent, running, done, failed, skipped, cancelled;
};

static struct counts count(const struct plan_item *items, size_t n)
{
	struct counts c = { 0 };

	for (size_t i = 0; i < n; i++) {
		switch (items[i].state) {
		case PI_WAITING: c.waiting++; break;
		case PI_SENDING:
		case PI_PENDING:
		case PI_UNKNOWN: c.sent++; break;
		case PI_RUNNING: c.running++; break;
		case PI_DONE: c.done++; break;
		case PI_FAILED: c.failed++; break;
		case PI_SKIPPED: c.skipped++; break;
		case PI_CANCELLED: c.cancelled++; break;
		}
	}
	return c;
}

void plan_words(const struct plan_item *items, size_t n, bool paused,
		char *buf, size_t bn)
{
	struct counts c = count(items, n);
	char extra[96] = "";
	size_t j = 0;

	if (c.failed)
		j += (size_t)snprintf(extra + j, sizeof extra - j, ", %d failed",
				      c.failed);
	if (c.skipped && j < sizeof extra)
		j += (size_t)snprintf(extra + j, sizeof extra - j, ", %d skipped",
				      c.skipped);
	if (c.cancelled && j < sizeof extra)
		snprintf(extra + j, sizeof extra - j, ", %d cancelled", c.cancelled);
	if (c.done + c.failed + c.skipped + c.cancelled == (int)n)
		snprintf(buf, bn, "plan finished: %d done%s \u2014 C clears this "
			 "line", c.done, extra);
	else
		snprintf(buf, bn, "plan: %d sent, %d running, %d done%s, %d waiting%s"
			 " \u2014 p %s, C cancel", c.sent, c.running, c.done, extra,
			 c.waiting, paused ? " (PAUSED)" : "",
			 paused ? "resume" : "pause");
}

int64_t plan_median_ms(const struct plan_item *items, size_t n, int64_t dflt)
{
	int64_t v[256];
	size_t k = 0;

	for (size_t i = 0; i < n && k < 256; i++)
		if (items[i].median_ms != BT_NO_TIME && items[i].median_ms >= 0)
			v[k++] = items[i].median_ms;
	if (!k)
		return dflt;
	for (size_t i = 1; i < k; i++)	/* few values: insertion sort */
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[k / 2];
}
