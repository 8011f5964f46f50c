/*
 * forecast_hist.c - the history forecasts are made from (forecast.h).
 *
 * One open-addressing hash table holds two kinds of entry, each keyed by
 * two strings: a biller and payment type (its closes sorted with each
 * one's place in the order added, its start delays, its reruns) and a
 * module and payment type
 * (every close of that module pooled).  Each distinct string is kept once,
 * in the history's arena, with the number of closes added for it as a
 * biller (for its size class); entries point at those copies.
 *
 * While it is filled an entry grows vectors of its own.  fc_history_finish()
 * pools the billers by size class (closes per business day of the history,
 * floor(log2)), sorts every array, thins each pool to FC_POOL_MAX evenly
 * spaced quantiles, and packs each entry's arrays, exactly sized, into the
 * arena; the vectors and the string index are freed.  After that nothing
 * changes, so any thread may read it.
 *
 * Values are fc_ms (32-bit ms, clamped: forecast.h says why that is
 * enough).  A biller's closes are kept once, sorted, since every forecast
 * wants them so; the order they were added in (only the sparkline asks,
 * fc_history_recent) is each close's place in the sorted array, a byte a
 * close while a biller has at most 256 (two up to 65,536, else four).
 * So a close costs 4 bytes of duration, 4 of delay and 1 of order, where
 * int64_t arrays as added and sorted cost 24.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/forecast.h"
#include "core/xalloc.h"

#define SIZE_CLASSES 16

enum kind { K_BILLER, K_MODULE };

struct vec {
	fc_ms *v;
	uint32_t n, cap;
};

/* While filling: an entry's arrays as they grow, and a's string index
 * (its biller closes: the size class), which finish reads before pack
 * frees this. */
struct growing {
	struct vec dur, delay, rerun;	/* dur in the order added */
	uint32_t sa;
};

struct entry {
	const char *a, *b;	/* biller or module; payment type (interned) */
	/* One or the other (h->finished says which), so that an entry is
	 * 40 bytes, not 56: there is one per biller and payment type. */
	union {
		/* After finish, in one block: ndur closes, ndelay delays
		 * and nrerun reruns, each sorted; then (K_BILLER) the place
		 * in the sorted closes of each close in the order added,
		 * rank_width(ndur) bytes each. */
		const fc_ms *ms;
		struct growing *g;	/* before finish */
	};
	uint32_t kind;
	uint32_t ndur, ndelay, nrerun;	/* 0 before finish */
};

_Static_assert(sizeof(struct entry) == 40 || sizeof(void *) != 8,
	       "a history entry grew: one per biller and payment type");

/* A slot of a hash table: index + 1 (0: empty) and the hash's top half,
 * so a probe that misses reads no entry. */
struct slot {
	uint32_t idx, tag;
};

struct istr {
	const char *s;
	uint32_t closes;	/* added as a biller's */
};

struct fc_history {
	int refs;		/* atomic */
	int shard;
	int64_t read_at;
	bool finished;
	struct arena *arena;	/* the strings; after finish, the arrays */
	struct entry *e;
	size_t n, cap;
	struct slot *slot;	/* nslot a power of 2 */
	size_t nslot;
	struct istr *str;	/* distinct strings */
	size_t nstr, capstr;
	struct slot *sslot;	/* their index; freed by finish */
	size_t nsslot;
	size_t closes;
	char **days;		/* distinct business days seen */
	size_t ndays;
	struct vec size_dur[SIZE_CLASSES], size_delay[SIZE_CLASSES];
};

fc_ms fc_ms_clamp(int64_t v)
{
	if (v > FC_MS_MAX)
		return FC_MS_MAX;
	if (v < -FC_MS_MAX)
		return -FC_MS_MAX;
	return (fc_ms)v;
}

static void vec_push(struct vec *v, int64_t x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 4;
		v->v = xrealloc(v->v, (size_t)v->cap * sizeof *v->v);
	}
	v->v[v->n++] = fc_ms_clamp(x);
}

static void vec_append(struct vec *v, const struct vec *from)
{
	for (uint32_t i = 0; i < from->n; i++)
		vec_push(v, from->v[i]);
}

static int cmp_ms(const void *a, const void *b)
{
	fc_ms x = *(const fc_ms *)a, y = *(const fc_ms *)b;

	return (x > y) - (x < y);
}

static void sort_ms(fc_ms *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_ms);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Bytes of a close's place among n sorted closes. */
static size_t rank_width(size_t n)
{
	return n <= 0x100 ? 1 : n <= 0x10000 ? 2 : 4;
}

/* Sort v, writing at rank (rank_width(v->n) bytes each) where the i-th
 * value as added went: each value keyed with its index, so equal values
 * keep their order and the sort is qsort's alone. */
static void sort_ranked(struct vec *v, void *rank)
{
	size_t n = v->n, w = rank_width(n);
	uint64_t *key = xmalloc(n * sizeof *key);

	for (size_t i = 0; i < n; i++)	/* biased: unsigned order */
		key[i] = (uint64_t)((int64_t)v->v[i] - INT32_MIN) << 32 | i;
	qsort(key, n, sizeof *key, cmp_u64);
	for (size_t j = 0; j < n; j++) {
		size_t i = (size_t)(key[j] & 0xffffffffu);

		v->v[j] = (fc_ms)((int64_t)(key[j] >> 32) + INT32_MIN);
		if (w == 1)
			((uint8_t *)rank)[i] = (uint8_t)j;
		else if (w == 2)
			((uint16_t *)rank)[i] = (uint16_t)j;
		else
			((uint32_t *)rank)[i] = (uint32_t)j;
	}
	free(key);
}

/* Where the i-th close of e as added is in its sorted closes. */
static size_t rank_at(const struct entry *e, size_t i)
{
	const void *r = e->ms + e->ndur + e->ndelay + e->nrerun;

	switch (rank_width(e->ndur)) {
	case 1:
		return ((const uint8_t *)r)[i];
	case 2:
		return ((const uint16_t *)r)[i];
	default:
		return ((const uint32_t *)r)[i];
	}
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

/* A sorted (and, for a pool, thinned) vector at its exact size. */
static void vec_settle(struct vec *v, bool thin)
{
	sort_ms(v->v, v->n);
	if (thin)
		vec_thin(v);
	if (!v->n) {
		free(v->v);
		v->v = NULL;
	} else if (v->n < v->cap) {
		v->v = xrealloc(v->v, (size_t)v->n * sizeof *v->v);
	}
	v->cap = v->n;
}

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static uint64_t hash2(enum kind k, const char *a, const char *b)
{
	/* A separator between the two; lookup() compares the strings. */
	uint64_t h = fnv(1469598103934665603ull ^ (uint64_t)k, a);

	return fnv((h ^ 0xff) * 1099511628211ull, b);
}

/* Where key hash hv is in table t of n slots, or the empty slot it would
 * take; same(i) says whether index i is the key. */
#define PROBE(t, n, hv, same)						\
	for (size_t i_ = (hv) & ((n) - 1);; i_ = (i_ + 1) & ((n) - 1)) { \
		if (!(t)[i_].idx)					\
			return &(t)[i_];				\
		if ((t)[i_].tag == (uint32_t)((hv) >> 32) &&		\
		    same((t)[i_].idx - 1))				\
			return &(t)[i_];				\
	}

static inline struct slot *find_entry(const struct fc_history *h, enum kind k,
			       const char *a, const char *b, uint64_t hv)
{
#define SAME_ENTRY(j) (h->e[j].kind == (uint32_t)k && \
		       !strcmp(h->e[j].a, a) && !strcmp(h->e[j].b, b))
	PROBE(h->slot, h->nslot, hv, SAME_ENTRY)
#undef SAME_ENTRY
}

static const struct entry *lookup(const struct fc_history *h, enum kind k,
				  const char *a, const char *b)
{
	const struct slot *s;

	if (!h || !h->nslot)
		return NULL;
	s = find_entry(h, k, a, b, hash2(k, a, b));
	return s->idx ? &h->e[s->idx - 1] : NULL;
}

/* A table of twice as many slots, or the first one, holding keys
 * 0..count-1 of hash hash_of(j). */
static struct slot *regrow(struct slot *old, size_t *nslot, size_t count,
			   uint64_t (*hash_of)(const struct fc_history *, size_t),
			   const struct fc_history *h)
{
	struct slot *t;

	free(old);
	*nslot = *nslot ? *nslot * 2 : 256;
	t = xcalloc(*nslot, sizeof *t);
	for (size_t j = 0; j < count; j++) {
		uint64_t hv = hash_of(h, j);
		size_t i = hv & (*nslot - 1);

		while (t[i].idx)
			i = (i + 1) & (*nslot - 1);
		t[i].idx = (uint32_t)(j + 1);
		t[i].tag = (uint32_t)(hv >> 32);
	}
	return t;
}

static uint64_t entry_hash(const struct fc_history *h, size_t j)
{
	return hash2((enum kind)h->e[j].kind, h->e[j].a, h->e[j].b);
}

/* The entries' table at its finished size: while filling it doubles at
 * half full, so up to four slots an entry were left, 8 bytes each (32 KB
 * a shard of 1,000 billers, bench_hist); three quarters full at most, a
 * probe that misses reads a few slots more, and their tags, no entry. */
static void settle_slots(struct fc_history *h)
{
	size_t n = 256;

	while (n * 3 < h->n * 4)
		n *= 2;
	if (n >= h->nslot)
		return;
	h->nslot = n / 2;	/* regrow() doubles it */
	h->slot = regrow(h->slot, &h->nslot, h->n, entry_hash, h);
}

static uint64_t str_hash(const struct fc_history *h, size_t j)
{
	return fnv(1469598103934665603ull, h->str[j].s);
}

static struct slot *find_str(const struct fc_history *h, const char *s,
			     uint64_t hv)
{
#define SAME_STR(j) (!strcmp(h->str[j].s, s))
	PROBE(h->sslot, h->nsslot, hv, SAME_STR)
#undef SAME_STR
}

/* The index of the one copy of s. */
static uint32_t intern_str(struct fc_history *h, const char *s)
{
	uint64_t hv = fnv(1469598103934665603ull, s);
	struct slot *sl;

	if (!h->nsslot)
		h->sslot = regrow(NULL, &h->nsslot, 0, str_hash, h);
	sl = find_str(h, s, hv);
	if (sl->idx)
		return sl->idx - 1;
	if (h->nstr == h->capstr) {
		h->capstr = h->capstr ? h->capstr * 2 : 64;
		h->str = xrealloc(h->str, h->capstr * sizeof *h->str);
	}
	h->str[h->nstr].s = arena_memdup(h->arena, s, strlen(s));
	h->str[h->nstr].closes = 0;
	sl->idx = (uint32_t)++h->nstr;
	sl->tag = (uint32_t)(hv >> 32);
	if (h->nstr * 2 > h->nsslot)
		h->sslot = regrow(h->sslot, &h->nsslot, h->nstr, str_hash, h);
	return (uint32_t)(h->nstr - 1);
}

static struct entry *intern(struct fc_history *h, enum kind k, const char *a,
			    const char *b)
{
	uint64_t hv = hash2(k, a, b);
	struct slot *sl;
	struct entry *e;

	if (!h->nslot)
		h->slot = regrow(NULL, &h->nslot, 0, entry_hash, h);
	sl = find_entry(h, k, a, b, hv);
	if (sl->idx)
		return &h->e[sl->idx - 1];
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->e = xrealloc(h->e, h->cap * sizeof *h->e);
	}
	e = &h->e[h->n++];
	memset(e, 0, sizeof *e);
	e->kind = (uint32_t)k;
	e->g = xcalloc(1, sizeof *e->g);
	e->g->sa = intern_str(h, a);
	e->a = h->str[e->g->sa].s;
	e->b = h->str[intern_str(h, b)].s;
	sl->idx = (uint32_t)h->n;
	sl->tag = (uint32_t)(hv >> 32);
	if (h->n * 2 > h->nslot)
		h->slot = regrow(h->slot, &h->nslot, h->n, entry_hash, h);
	return e;
}

struct fc_history *fc_history_new(int shard_index, int64_t read_at)
{
	struct fc_history *h = xcalloc(1, sizeof *h);

	h->refs = 1;
	h->shard = shard_index;
	h->read_at = read_at;
	h->arena = arena_new();
	return h;
}

uint64_t fc_history_serial(const struct fc_history *h)
{
	return arena_serial(h->arena);
}

struct fc_history *fc_history_ref(struct fc_history *h)
{
	if (h)
		__atomic_add_fetch(&h->refs, 1, __ATOMIC_RELAXED);
	return h;
}

static void growing_free(struct growing *g)
{
	if (!g)
		return;
	free(g->dur.v);
	free(g->delay.v);
	free(g->rerun.v);
	free(g);
}

void fc_history_unref(struct fc_history *h)
{
	if (!h || __atomic_sub_fetch(&h->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; !h->finished && i < h->n; i++)
		growing_free(h->e[i].g);
	for (size_t i = 0; i < h->ndays; i++)
		free(h->days[i]);
	for (size_t c = 0; c < SIZE_CLASSES; c++) {
		free(h->size_dur[c].v);
		free(h->size_delay[c].v);
	}
	free(h->days);
	free(h->e);
	free(h->slot);
	free(h->str);
	free(h->sslot);
	arena_free(h->arena);
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
	if (known(dur_ms))
		vec_push(&e->g->dur, dur_ms);
	/* A start delay may be negative (started early): keep it. */
	if (delay_ms != BT_NO_TIME)
		vec_push(&e->g->delay, delay_ms);
	h->str[e->g->sa].closes++;
	if (module && known(dur_ms)) {
		struct entry *m = intern(h, K_MODULE, module, payment_type);

		vec_push(&m->g->dur, dur_ms);
		if (delay_ms != BT_NO_TIME)
			vec_push(&m->g->delay, delay_ms);
	}
	note_day(h, business_day);
	h->closes++;
}

void fc_history_add_rerun(struct fc_history *h, const char *biller_id,
			  const char *payment_type, int64_t dur_ms)
{
	if (h->finished || !biller_id || !known(dur_ms))
		return;
	vec_push(&intern(h, K_BILLER, biller_id,
			 payment_type ? payment_type : "")->g->rerun, dur_ms);
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

/* Copy v to at (an empty vector has no array to copy from). */
static void put(fc_ms *at, const struct vec *v)
{
	if (v->n)
		memcpy(at, v->v, v->n * sizeof *at);
}

/* An entry's arrays, sorted (a module's thinned), into one arena block,
 * a biller's order of its closes after them. */
static void pack(struct fc_history *h, struct entry *e)
{
	struct growing *g = e->g;
	size_t nrank = e->kind == K_BILLER ? g->dur.n : 0, total;
	fc_ms *at = NULL;

	sort_ms(g->delay.v, g->delay.n);
	sort_ms(g->rerun.v, g->rerun.n);
	if (e->kind == K_MODULE) {
		sort_ms(g->dur.v, g->dur.n);
		vec_thin(&g->dur);
		vec_thin(&g->delay);
	}
	total = g->dur.n + g->delay.n + g->rerun.n;
	if (total)
		at = arena_alloc(h->arena, total * sizeof *at +
				 nrank * rank_width(nrank));
	if (nrank)	/* the ranks go after the values, 4-aligned */
		sort_ranked(&g->dur, at + total);
	e->ms = at;
	e->ndur = g->dur.n;
	e->ndelay = g->delay.n;
	e->nrerun = g->rerun.n;
	put(at, &g->dur);
	put(at + e->ndur, &g->delay);
	put(at + e->ndur + e->ndelay, &g->rerun);
	growing_free(g);	/* e->ms took its place */
}

void fc_history_finish(struct fc_history *h)
{
	double days = h->ndays ? (double)h->ndays : 1.0;

	if (h->finished)
		return;
	/* Pool each biller's closes into its size class first: its string's
	 * count says its class, its typed entries hold the closes. */
	for (size_t i = 0; i < h->n; i++) {
		struct entry *e = &h->e[i];
		int c;

		if (e->kind != K_BILLER)
			continue;
		c = size_class((double)h->str[e->g->sa].closes / days);
		vec_append(&h->size_dur[c], &e->g->dur);
		vec_append(&h->size_delay[c], &e->g->delay);
	}
	for (size_t i = 0; i < h->n; i++)
		pack(h, &h->e[i]);
	for (size_t c = 0; c < SIZE_CLASSES; c++) {
		vec_settle(&h->size_dur[c], true);
		vec_settle(&h->size_delay[c], true);
	}
	if (h->n && h->n < h->cap) {
		h->e = xrealloc(h->e, h->n * sizeof *h->e);
		h->cap = h->n;
	}
	settle_slots(h);
	free(h->sslot);
	h->sslot = NULL;
	h->nsslot = 0;
	free(h->str);
	h->str = NULL;
	h->nstr = h->capstr = 0;
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

static size_t vec_bytes(const struct vec *v)
{
	return (size_t)v->cap * sizeof *v->v;
}

size_t fc_history_bytes(const struct fc_history *h)
{
	size_t n = sizeof *h + arena_room(h->arena);

	n += h->cap * sizeof *h->e + h->nslot * sizeof *h->slot;
	n += h->capstr * sizeof *h->str + h->nsslot * sizeof *h->sslot;
	n += h->ndays * sizeof *h->days;
	for (size_t i = 0; i < h->ndays; i++)
		n += strlen(h->days[i]) + 1;
	for (size_t c = 0; c < SIZE_CLASSES; c++)
		n += vec_bytes(&h->size_dur[c]) + vec_bytes(&h->size_delay[c]);
	for (size_t i = 0; !h->finished && i < h->n; i++)
		n += sizeof *h->e[i].g + vec_bytes(&h->e[i].g->dur) +
		     vec_bytes(&h->e[i].g->delay) + vec_bytes(&h->e[i].g->rerun);
	return n;
}

size_t fc_history_recent(const struct fc_history *h, const char *biller_id,
			 const char *payment_type, fc_ms *ms, size_t max)
{
	const struct entry *e = biller_id
		? lookup(h, K_BILLER, biller_id, payment_type ? payment_type : "")
		: NULL;
	size_t n, first;

	if (!e)
		return 0;
	n = h->finished ? e->ndur : e->g->dur.n;
	first = n > max ? n - max : 0;
	for (size_t i = first; i < n; i++)
		ms[i - first] = h->finished ? e->ms[rank_at(e, i)] : e->g->dur.v[i];
	return n - first;
}

static struct fc_dist dist(const fc_ms *v, size_t n)
{
	struct fc_dist d = { n ? v : NULL, n };

	return d;
}

static struct fc_dist vdist(const struct vec *v)
{
	return dist(v->v, v->n);
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
	if (e && e->ndur >= FC_MIN_CLOSES) {
		*dur = dist(e->ms, e->ndur);
		*delay = dist(e->ms + e->ndur, e->ndelay);
		return FC_BILLER;
	}
	e = from <= FC_MODULE && module
		? lookup(h, K_MODULE, module, payment_type) : NULL;
	if (e && e->ndur >= FC_MIN_CLOSES) {
		*dur = dist(e->ms, e->ndur);
		*delay = dist(e->ms + e->ndur, e->ndelay);
		return FC_MODULE;
	}
	c = size_class((double)batches_tonight);
	if (from <= FC_SIMILAR && batches_tonight &&
	    h->size_dur[c].n >= FC_MIN_CLOSES) {
		*dur = vdist(&h->size_dur[c]);
		*delay = vdist(&h->size_delay[c]);
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
	if (!e || e->nrerun < FC_MIN_CLOSES)
		return false;
	*d = dist(e->ms + e->ndur + e->ndelay, e->nrerun);
	return true;
}
