/*
 * view.c - build, filter and sort the grid's rows.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "view.h"
#include "xalloc.h"

void view_init(struct view *v, size_t nshards, const struct config *cfg)
{
	memset(v, 0, sizeof *v);
	v->snaps = xcalloc(nshards ? nshards : 1, sizeof *v->snaps);
	v->nsnaps = nshards;
	v->sort = cfg->sort;
	v->show_demo = cfg->show_demo;
	v->at_risk_pct = cfg->at_risk_pct;
}

void view_free(struct view *v)
{
	for (size_t i = 0; i < v->nsnaps; i++)
		snapshot_unref(v->snaps[i]);
	free(v->snaps);
	free(v->rows);
	memset(v, 0, sizeof *v);
}

void view_set_snapshot(struct view *v, size_t i, struct snapshot *s)
{
	if (i >= v->nsnaps || v->snaps[i] == s)
		return;
	snapshot_unref(v->snaps[i]);
	v->snaps[i] = snapshot_ref(s);
}

int64_t view_now(const struct view *v, int64_t mono_now)
{
	int64_t best = BT_NO_TIME, best_taken = BT_NO_TIME;

	/* The most recently taken snapshot has the least drift. */
	for (size_t i = 0; i < v->nsnaps; i++) {
		const struct snapshot *s = v->snaps[i];

		if (!s || s->server_now == BT_NO_TIME)
			continue;
		if (best_taken == BT_NO_TIME || s->taken_mono > best_taken) {
			best_taken = s->taken_mono;
			best = s->server_now + (mono_now - s->taken_mono);
		}
	}
	return best;
}

void view_set_filter(struct view *v, const char *text)
{
	size_t i;

	for (i = 0; text[i] && i + 1 < sizeof v->filter; i++)
		v->filter[i] = (char)tolower((unsigned char)text[i]);
	v->filter[i] = '\0';
}

static int cmp_int(long long a, long long b)
{
	return a < b ? -1 : a > b;
}

/* Unknown priorities sort after every known one. */
static int prio_key(const struct biller *b)
{
	return b->priority == BT_NO_INT ? 1 << 20 : b->priority;
}

/* Billers without a deadline sort after those with one. */
static long long left_key(const struct row *r)
{
	return r->ev.focus && r->ev.focus->deadline_at != BT_NO_TIME
		       ? r->ev.time_left : (long long)1 << 60;
}

static int cmp_name(const struct row *a, const struct row *b)
{
	int c = strcmp(a->b->name, b->b->name);

	if (!c)
		c = strcmp(a->b->biller_id, b->b->biller_id);
	if (!c)
		c = cmp_int(a->b->shard_index, b->b->shard_index);
	return c;
}

int view_compare(const struct view *v, const struct row *a, const struct row *b)
{
	int c = 0;

	switch (v->sort) {
	case SORT_RISK:
		c = cmp_int(a->ev.status, b->ev.status);
		if (!c)
			c = cmp_int(prio_key(a->b), prio_key(b->b));
		if (!c)
			c = cmp_int(left_key(a), left_key(b));
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
		c = cmp_int(left_key(a), left_key(b));
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

/* qsort has no context argument; the view being sorted is kept here.  Only
 * the UI thread sorts (the benchmark too), so this is never contended. */
static const struct view *sorting;

static int qsort_cmp(const void *pa, const void *pb)
{
	return view_compare(sorting, pa, pb);
}

static int row_matches(const struct view *v, const struct row *r)
{
	if (!v->filter[0])
		return 1;
	if (strstr(r->b->search, v->filter))
		return 1;
	/* Let "failed" or "at risk" find the billers in that state. */
	return text_contains_ci(biller_status_label(r->ev.status), v->filter);
}

void view_rebuild(struct view *v, int64_t now)
{
	size_t total = 0;

	memset(&v->totals, 0, sizeof v->totals);
	for (size_t i = 0; i < v->nsnaps; i++)
		if (v->snaps[i])
			total += v->snaps[i]->nbillers;
	if (total > v->cap) {
		v->cap = total + total / 4 + 16;
		v->rows = xrealloc(v->rows, v->cap * sizeof *v->rows);
	}
	v->nrows = 0;
	for (size_t i = 0; i < v->nsnaps; i++) {
		const struct snapshot *s = v->snaps[i];

		if (!s)
			continue;
		for (size_t j = 0; j < s->nbillers; j++) {
			struct row *r = &v->rows[v->nrows];

			r->b = &s->billers[j];
			biller_eval(r->b, now, v->at_risk_pct, &r->ev);
			if (r->b->is_demo) {
				v->totals.demo++;
				if (!v->show_demo)
					continue;
			} else {
				v->totals.billers++;
				v->totals.by_status[r->ev.status]++;
			}
			if (row_matches(v, r))
				v->nrows++;
		}
	}
	sorting = v;
	qsort(v->rows, v->nrows, sizeof *v->rows, qsort_cmp);
	sorting = NULL;
}

long view_find(const struct view *v, int shard_index, const char *biller_id)
{
	if (!biller_id)
		return -1;
	for (size_t i = 0; i < v->nrows; i++)
		if (v->rows[i].b->shard_index == shard_index &&
		    !strcmp(v->rows[i].b->biller_id, biller_id))
			return (long)i;
	return -1;
}
