/*
 * view_key.c - the view's orders (core/view.h): the comparison of two
 * rows, the ranking of every biller by name that breaks every tie, and
 * the same order packed into one integer per row for the radix sort
 * (view_order.c), which must agree with the comparison (the unit tests
 * compare the two).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/view.h"
#include "core/xalloc.h"

static int cmp_int(long long a, long long b)
{
	return a < b ? -1 : a > b;
}

/* Unknown priorities sort after every known one. */
static int prio_key(const struct biller *b)
{
	return b->priority == BT_NO_INT ? 1 << 20 : b->priority;
}

/* The priority in the risk order's key: 9 bits (the status and whether
 * someone acted take the bits above); priorities past 510 and none at all
 * sort together, last. */
static int risk_prio(const struct biller *b)
{
	int p = prio_key(b);

	return p > 511 ? 511 : p;
}

/*
 * Where a row's deadline puts it in the risk and time-left orders, in
 * `bits` bits (signed).  The key is the deadline itself, an instant that
 * stays put as time passes, so rows move only when the data does (time
 * left truncated to seconds made billers under a second apart swap every
 * second).  Milliseconds from the view's time base, clamped; billers whose
 * window no longer matters (closed, closed late, no close) come last, and
 * just before them those without a deadline (or with 'infinity').
 * view_compare() and sort_key() both use this, so they always agree.
 */
static long long deadline_pos(const struct view *v, const struct row *r, int bits)
{
	long long half = (long long)1 << (bits - 1), d;
	const struct batch *f = r->ev.focus;

	switch (r->ev.status) {
	case BS_CLOSED:
	case BS_CLOSED_LATE:
	case BS_NONE:
		return half - 1;
	case BS_HELD:		/* waits for a release, not for a deadline */
		return half - 2;
	default:
		break;
	}
	if (f && f->deadline_inf)
		return f->deadline_inf < 0 ? -half : half - 2;
	if (!f || f->deadline_at == BT_NO_TIME)
		return half - 2;
	d = (long long)(f->deadline_at - v->time_base);
	return d < -half ? -half : d > half - 3 ? half - 3 : d;
}

/* Deadlines in the packed risk order: 30 bits of milliseconds, about six
 * days either side of the time base. */
#define RISK_BITS 30
#define LEFT_BITS 44

static int cmp_billers(const struct biller *a, const struct biller *b)
{
	int c = strcmp(a->name, b->name);

	if (!c)
		c = strcmp(a->biller_id, b->biller_id);
	if (!c)
		c = cmp_int(a->shard_index, b->shard_index);
	return c;
}

static int cmp_name(const struct row *a, const struct row *b)
{
	return cmp_billers(a->b, b->b);
}

int view_compare(const struct view *v, const struct row *a, const struct row *b)
{
	int c = 0;

	switch (v->sort) {
	case SORT_RISK:
		c = cmp_int(a->ev.status, b->ev.status);
		if (!c)
			c = cmp_int(a->acted, b->acted);
		if (!c)
			c = cmp_int(risk_prio(a->b), risk_prio(b->b));
		if (!c)
			c = cmp_int(deadline_pos(v, a, RISK_BITS),
				    deadline_pos(v, b, RISK_BITS));
		break;
	case SORT_NAME:
		break;
	case SORT_SHARD:
		c = cmp_int(a->b->shard_index, b->b->shard_index);
		break;
	case SORT_PRIORITY:
		c = cmp_int(prio_key(a->b), prio_key(b->b));
		if (!c)
			c = cmp_int(a->ev.status, b->ev.status);
		break;
	case SORT_TIME_LEFT:
		c = cmp_int(deadline_pos(v, a, LEFT_BITS),
			    deadline_pos(v, b, LEFT_BITS));
		break;
	case SORT_AUTOPAY:
		c = -cmp_int(biller_autopay_pct(a->b), biller_autopay_pct(b->b));
		break;
	case SORT__COUNT:
		break;
	}
	if (!c)
		c = cmp_name(a, b);
	return v->reverse ? -c : c;
}

/* Rank every biller of every snapshot by name, id and shard: the last
 * tie-breaker of every order, as one integer.  Runs when data changes,
 * not every second. */
struct rank_item {
	const struct biller *b;
	uint32_t k;		/* where it came from */
};

static int cmp_rank_item(const void *pa, const void *pb)
{
	const struct rank_item *a = pa, *b = pb;

	return cmp_billers(a->b, b->b);
}

void view_rank_billers(struct view *v)
{
	size_t total = 0, k = 0;
	struct rank_item *tmp;	/* 16 bytes a biller, freed at once */

	for (size_t i = 0; i < v->nsnaps; i++)
		if (v->snaps[i])
			total += v->snaps[i]->nbillers;
	v->ranks = xrealloc(v->ranks, (total ? total : 1) * sizeof *v->ranks);
	v->nranks = total;
	tmp = xmalloc((total ? total : 1) * sizeof *tmp);
	for (size_t i = 0; i < v->nsnaps; i++) {
		const struct snapshot *s = v->snaps[i];

		for (size_t j = 0; s && j < s->nbillers; j++, k++) {
			tmp[k].b = snapshot_biller(s, j);
			tmp[k].k = (uint32_t)k;
		}
	}
	if (total > 1)
		qsort(tmp, total, sizeof *tmp, cmp_rank_item);
	for (size_t r = 0; r < total; r++)
		v->ranks[tmp[r].k] = (uint32_t)r;
	free(tmp);
	v->ranks_dirty = false;
}

/* Clamp to [0, 2^bits) after adding half the range (keeps the order). */
static uint64_t biased(long long v, int bits)
{
	long long half = (long long)1 << (bits - 1);

	if (v < -half)
		v = -half;
	if (v > half - 1)
		v = half - 1;
	return (uint64_t)(v + half);
}

/* The whole order as one integer: the primary keys, then the name rank
 * (20 bits: up to a million billers).  Deadlines are placed by
 * deadline_pos(), as in view_compare(), so the two always agree. */
uint64_t view_sort_key(const struct view *v, const struct row *r)
{
	uint64_t prio = (uint64_t)(prio_key(r->b) > 1023 ? 1023 : prio_key(r->b));
	uint64_t rank = r->rank & 0xfffff;

	switch (v->sort) {
	case SORT_RISK:
		return (uint64_t)r->ev.status << 60 | (uint64_t)r->acted << 59 |
		       (uint64_t)risk_prio(r->b) << 50 |
		       biased(deadline_pos(v, r, RISK_BITS), RISK_BITS) << 20 | rank;
	case SORT_NAME:
		return rank;
	case SORT_SHARD:
		return (uint64_t)(r->b->shard_index & 0xffff) << 20 | rank;
	case SORT_PRIORITY:
		return prio << 50 | (uint64_t)r->ev.status << 46 | rank;
	case SORT_TIME_LEFT:
		return biased(deadline_pos(v, r, LEFT_BITS), LEFT_BITS) << 20 | rank;
	case SORT_AUTOPAY:
		return (uint64_t)(101 - biller_autopay_pct(r->b)) << 20 | rank;
	case SORT__COUNT:
		break;
	}
	return rank;
}

