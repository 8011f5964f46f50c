/*
 * forecast_hist.c - the history forecasts are made from (forecast.h).
 *
 * One open-addressing hash table holds three kinds of entry, each keyed by
 * two strings: a biller and payment type (its closes, oldest first, their
 * sorted copy, its start delays, its reruns), a module and payment type
 * (every close of that module pooled), and a biller alone (its closes of
 * every type, to size it).  fc_history_finish() sorts every array, pools
 * the billers by size class (closes per business day of the history,
 * floor(log2)), and thins each pool to FC_POOL_MAX evenly spaced
 * quantiles.  After that nothing changes, so any thread may read it.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/forecast.h"
#include "core/xalloc.h"

#define SIZE_CLASSES 16

enum kind { K_BILLER, K_MODULE, K_TOTAL };

struct vec {
	int64_t *v;
	size_t n, cap;
};

struct entry {
	enum kind kind;
	char *a, *b;		/* biller or module; payment type ("" total) */
	uint64_t hash;
	struct vec recent;	/* durations as added (K_BILLER) */
	struct vec dur, delay, rerun;	/* sorted after finish */
	size_t closes;		/* K_TOTAL: of every type */
};

struct fc_history {
	int refs;		/* atomic */
	int shard;
	int64_t read_at;
	bool finished;
	struct entry *e;
	size_t n, cap;
	size_t *slot;		/* index + 1 into e, 0 empty; nslot a power of 2 */
	size_t nslot;
	size_t closes;
	char **days;		/* distinct business days seen */
	size_t ndays;
	struct vec size_dur[SIZE_CLASSES], size_delay[SIZE_CLASSES];
};

static void vec_push(struct vec *v, int64_t x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = xrealloc(v->v, v->cap * sizeof *v->v);
	}
	v->v[v->n++] = x;
}

static void vec_append(struct vec *v, const struct vec *from)
{
	for (size_t i = 0; i < from->n; i++)
		vec_push(v, from->v[i]);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void vec_sort(struct vec *v)
{
	if (v->n > 1)
		qsort(v->v, v->n, sizeof *v->v, cmp_i64);
}

/* Keep FC_POOL_MAX evenly spaced order statistics of sorted v, min and
 * max included, so a pool's quantiles stay those of all its closes. */
static void vec_thin(struct vec *v)
{
	if (v->n <= FC_POOL_MAX)
		return;
	for (size_t i = 0; i < FC_POOL_MAX; i++)
		v->v[i] = v->v[i * (v->n - 1) / (FC_POOL_MAX - 1)];
	v->n = FC_POOL_MAX;
}

static uint64_t hash2(enum kind k, const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)k;

	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;	/* a separator; lookup() */
	for (; *b; b++)				/* compares the strings */
		h = (h ^ (unsigned char)*b) * 1099511628211ull;
	return h;
}

static struct entry *lookup(const struct fc_history *h, enum kind k,
			    const char *a, const char *b)
{
	uint64_t hv;

	if (!h || !h->nslot)
		return NULL;
	hv = hash2(k, a, b);
	for (size_t i = hv & (h->nslot - 1);; i = (i + 1) & (h->nslot - 1)) {
		struct entry *e;

		if (!h->slot[i])
			return NULL;
		e = &h->e[h->slot[i] - 1];
		if (e->hash == hv && e->kind == k && !strcmp(e->a, a) &&
		    !strcmp(e->b, b))
			return e;
	}
}

static void rehash(struct fc_history *h)
{
	free(h->slot);
	h->nslot = h->nslot ? h->nslot * 2 : 256;
	h->slot = xcalloc(h->nslot, sizeof *h->slot);
	for (size_t j = 0; j < h->n; j++) {
		size_t i = h->e[j].hash & (h->nslot - 1);

		while (h->slot[i])
			i = (i + 1) & (h->nslot - 1);
		h->slot[i] = j + 1;
	}
}

static struct entry *intern(struct fc_history *h, enum kind k, const char *a,
			    const char *b)
{
	struct entry *e = lookup(h, k, a, b);

	if (e)
		return e;
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->e = xrealloc(h->e, h->cap * sizeof *h->e);
	}
	e = &h->e[h->n++];
	memset(e, 0, sizeof *e);
	e->kind = k;
	e->a = xstrdup(a);
	e->b = xstrdup(b);
	e->hash = hash2(k, a, b);
	if (h->n * 2 > h->nslot)
		rehash(h);
	else {
		size_t i = e->hash & (h->nslot - 1);

		while (h->slot[i])
			i = (i + 1) & (h->nslot - 1);
		h->slot[i] = h->n;
	}
	return e;
}

struct fc_history *fc_history_new(int shard_index, int64_t read_at)
{
	struct fc_history *h = xcalloc(1, sizeof *h);

	h->refs = 1;
	h->shard = shard_index;
	h->read_at = read_at;
	return h;
}

struct fc_history *fc_history_ref(struct fc_history *h)
{
	if (h)
		__atomic_add_fetch(&h->refs, 1, __ATOMIC_RELAXED);
	return h;
}

void fc_history_unref(struct fc_history *h)
{
	if (!h || __atomic_sub_fetch(&h->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; i < h->n; i++) {
		struct entry *e = &h->e[i];

		free(e->a);
		free(e->b);
		free(e->recent.v);
		free(e->dur.v);
		free(e->delay.v);
		free(e->rerun.v);
	}
	for (size_t i = 0; i < h->ndays; i++)
		free(h->days[i]);
	for (size_t c = 0; c < SIZE_CLASSES; c++) {
		free(h->size_dur[c].v);
		free(h->size_delay[c].v);
	}
	free(h->days);
	free(h->e);
	free(h->slot);
	free(h);
}

static void note_day(struct fc_history *h, const char *day)
{
	if (!day || !day[0])
		return;
	/* Business days are few (a month); the last one is the likeliest. */
	for (size_t i = h->ndays; i-- > 0;)
		if (!strcmp(h->days[i], day))
			return;
	h->days = xrealloc(h->days, (h->ndays + 1) * sizeof *h->days);
	h->days[h->ndays++] = xstrdup(day);
}

static bool known(int64_t ms)
{
	return ms != BT_NO_TIME && ms >= 0;
}

void fc_history_add(struct fc_history *h, const char *biller_id,
		    const char *business_day, const char *payment_type,
		    const char *module, int64_t delay_ms, int64_t dur_ms)
{
	struct entry *e;

	if (h->finished || !biller_id)
		return;
	if (!payment_type)
		payment_type = "";
	e = intern(h, K_BILLER, biller_id, payment_type);
	if (known(dur_ms)) {
		vec_push(&e->recent, dur_ms);
		vec_push(&e->dur, dur_ms);
	}
	/* A start delay may be negative (started early): keep it. */
	if (delay_ms != BT_NO_TIME)
		vec_push(&e->delay, delay_ms);
	if (module && known(dur_ms)) {
		struct entry *m = intern(h, K_MODULE, module, payment_type);

		vec_push(&m->dur, dur_ms);
		if (delay_ms != BT_NO_TIME)
			vec_push(&m->delay, delay_ms);
	}
	intern(h, K_TOTAL, biller_id, "")->closes++;
	note_day(h, business_day);
	h->closes++;
}

void fc_history_add_rerun(struct fc_history *h, const char *biller_id,
			  const char *payment_type, int64_t dur_ms)
{
	if (h->finished || !biller_id || !known(dur_ms))
		return;
	vec_push(&intern(h, K_BILLER, biller_id,
			 payment_type ? payment_type : "")->rerun, dur_ms);
}

/* The size class of a biller that closes n batches a business day. */
static int size_class(double n)
{
	int c = 0;

	while (n >= 2.0 && c < SIZE_CLASSES - 1) {
		n /= 2.0;
		c++;
	}
	return c;
}

void fc_history_finish(struct fc_history *h)
{
	double days = h->ndays ? (double)h->ndays : 1.0;

	if (h->finished)
		return;
	/* Pool each biller's closes into its size class first: the biller's
	 * total entry says its class, its typed entries hold the closes. */
	for (size_t i = 0; i < h->n; i++) {
		struct entry *e = &h->e[i], *t;
		int c;

		if (e->kind != K_BILLER)
			continue;
		t = lookup(h, K_TOTAL, e->a, "");
		c = size_class(t ? (double)t->closes / days : 0);
		vec_append(&h->size_dur[c], &e->dur);
		vec_append(&h->size_delay[c], &e->delay);
	}
	for (size_t i = 0; i < h->n; i++) {
		struct entry *e = &h->e[i];

		vec_sort(&e->dur);
		vec_sort(&e->delay);
		vec_sort(&e->rerun);
		if (e->kind == K_MODULE) {
			vec_thin(&e->dur);
			vec_thin(&e->delay);
		}
	}
	for (size_t c = 0; c < SIZE_CLASSES; c++) {
		vec_sort(&h->size_dur[c]);
		vec_sort(&h->size_delay[c]);
		vec_thin(&h->size_dur[c]);
		vec_thin(&h->size_delay[c]);
	}
	h->finished = true;
}

int fc_history_shard(const struct fc_history *h)
{
	return h->shard;
}

int64_t fc_history_read_at(const struct fc_history *h)
{
	return h->read_at;
}

size_t fc_history_closes(const struct fc_history *h)
{
	return h->closes;
}

size_t fc_history_recent(const struct fc_history *h, const char *biller_id,
			 const char *payment_type, const int64_t **ms)
{
	const struct entry *e = lookup(h, K_BILLER, biller_id,
				       payment_type ? payment_type : "");

	*ms = e && e->recent.n ? e->recent.v : NULL;
	return *ms ? e->recent.n : 0;
}

static struct fc_dist dist(const struct vec *v)
{
	struct fc_dist d = { v->n ? v->v : NULL, v->n };

	return d;
}

/* The first pool from level `from` on (FC_BILLER, FC_MODULE, FC_SIMILAR)
 * with at least FC_MIN_CLOSES closes. */
static enum fc_source pick_from(const struct fc_history *h, enum fc_source from,
				const char *biller_id, const char *payment_type,
				const char *module, size_t batches_tonight,
				struct fc_dist *dur, struct fc_dist *delay)
{
	const struct entry *e;
	int c;

	dur->ms = delay->ms = NULL;
	dur->n = delay->n = 0;
	if (!h || !h->finished)
		return FC_NONE;
	if (!payment_type)
		payment_type = "";
	e = from <= FC_BILLER && biller_id
		? lookup(h, K_BILLER, biller_id, payment_type) : NULL;
	if (e && e->dur.n >= FC_MIN_CLOSES) {
		*dur = dist(&e->dur);
		*delay = dist(&e->delay);
		return FC_BILLER;
	}
	e = from <= FC_MODULE && module
		? lookup(h, K_MODULE, module, payment_type) : NULL;
	if (e && e->dur.n >= FC_MIN_CLOSES) {
		*dur = dist(&e->dur);
		*delay = dist(&e->delay);
		return FC_MODULE;
	}
	c = size_class((double)batches_tonight);
	if (from <= FC_SIMILAR && batches_tonight &&
	    h->size_dur[c].n >= FC_MIN_CLOSES) {
		*dur = dist(&h->size_dur[c]);
		*delay = dist(&h->size_delay[c]);
		return FC_SIMILAR;
	}
	return FC_NONE;
}

enum fc_source fc_history_pick(const struct fc_history *h,
			       const char *biller_id, const char *payment_type,
			       const char *module, size_t batches_tonight,
			       struct fc_dist *dur, struct fc_dist *delay)
{
	return pick_from(h, FC_BILLER, biller_id, payment_type, module,
			 batches_tonight, dur, delay);
}

enum fc_source fc_history_wider(const struct fc_history *h,
				enum fc_source after, const char *biller_id,
				const char *payment_type, const char *module,
				size_t batches_tonight, struct fc_dist *dur)
{
	struct fc_dist delay;

	if (after == FC_NONE || after >= FC_SIMILAR) {
		dur->ms = NULL;
		dur->n = 0;
		return FC_NONE;
	}
	return pick_from(h, (enum fc_source)(after + 1), biller_id,
			 payment_type, module, batches_tonight, dur, &delay);
}

bool fc_history_reruns(const struct fc_history *h, const char *biller_id,
		       const char *payment_type, struct fc_dist *d)
{
	const struct entry *e = h && h->finished && biller_id
		? lookup(h, K_BILLER, biller_id, payment_type ? payment_type : "")
		: NULL;

	d->ms = NULL;
	d->n = 0;
	if (!e || e->rerun.n < FC_MIN_CLOSES)
		return false;
	*d = dist(&e->rerun);
	return true;
}
