/*
 * forecast_hist.c - the history forecasts are made from (forecast.h).
 *
 * Two kinds of entry, each keyed by two strings: a biller and payment type
 * (its closes sorted with each one's place in the order added, its start
 * delays, its reruns) and a module and payment type (every close of that
 * module pooled).  Each distinct string is kept once, with the number of
 * closes added for it as a biller (for its size class).
 *
 * While it is filled (struct hist_fill) a history grows vectors for each
 * entry, keeps its strings in an arena and indexes entries and strings in
 * hash tables of their own.  fc_history_finish() pools the billers by size
 * class (closes per business day of the history, floor(log2)), sorts every
 * array, thins each pool to FC_POOL_MAX evenly spaced quantiles, and lays
 * out the lot in one exactly sized block (core/hist_block.h); the filling
 * state is freed.  After that nothing changes, so any thread may read it.
 *
 * Values are fc_ms (32-bit ms, clamped: forecast.h says why that is
 * enough).  A biller's closes are kept once, sorted, since every forecast
 * wants them so; the order they were added in (only the sparkline asks,
 * fc_history_recent) is each close's place in the sorted array, a byte a
 * close while a biller has at most 256 (two up to 65,536, else four).
 * So a close costs 4 bytes of duration, 4 of delay and 1 of order, where
 * int64_t arrays as added and sorted cost 24.  A biller too thin to
 * forecast from (fewer than FC_MIN_CLOSES closes of a type: every biller
 * of a two-day history) keeps only its durations, as added: 4 bytes.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/forecast.h"
#include "core/hist_block.h"
#include "core/xalloc.h"

#define SIZE_CLASSES 16

struct vec {
	fc_ms *v;
	uint32_t n, cap;
};

/* While filling: an entry's key (string indexes) and arrays as they grow
 * (dur in the order added). */
struct fill_entry {
	uint32_t sa, sb, kind;
	struct vec dur, delay, rerun;
};

/* A slot of a filling hash table: index + 1 (0: empty) and the hash's top
 * half, so a probe that misses reads no entry. */
struct slot {
	uint32_t idx, tag;
};

struct fill_str {
	const char *s;		/* in the fill's arena */
	uint32_t closes;	/* added as a biller's */
};

/* What a history needs only until it is finished. */
struct hist_fill {
	struct arena *arena;	/* the strings */
	struct fill_entry *e;
	size_t n, cap;
	struct slot *slot;	/* nslot a power of 2 */
	size_t nslot;
	struct fill_str *str;	/* distinct strings */
	size_t nstr, capstr;
	struct slot *sslot;	/* their index */
	size_t nsslot;
	char **days;		/* distinct business days seen */
	size_t ndays;
	struct vec size_dur[SIZE_CLASSES], size_delay[SIZE_CLASSES];
};

/* A size class's pool in the block: dur durations at `at` of its values,
 * delay delays after them. */
struct pool {
	uint32_t at, dur, delay;
};

struct fc_history {
	int refs;		/* atomic */
	int shard;
	int64_t read_at;
	uint64_t serial;	/* the fill arena's, for life */
	size_t closes;
	struct hist_fill *fill;	/* NULL once finished */
	struct hist_block blk;
	struct pool pool[SIZE_CLASSES];
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

static size_t vec_bytes(const struct vec *v)
{
	return (size_t)v->cap * sizeof *v->v;
}

static int cmp_ms(const void *a, const void *b)
{
	fc_ms x = *(const fc_ms *)a, y = *(const fc_ms *)b;

	return (x > y) - (x < y);
}

static void sort_ms(struct vec *v)
{
	if (v->n > 1)
		qsort(v->v, v->n, sizeof *v->v, cmp_ms);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sort v, writing at rank (hist_block_rank_width(v->n) bytes each) where
 * the i-th value as added went: each value keyed with its index, so equal
 * values keep their order and the sort is qsort's alone. */
static void sort_ranked(struct vec *v, void *rank)
{
	size_t n = v->n, w = hist_block_rank_width(n);
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

static uint64_t str_hash(const char *s)
{
	return hist_block_hash(HB_BILLER, s, "");
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

static struct slot *find_entry(const struct hist_fill *f, enum hb_kind k,
			       const char *a, const char *b, uint64_t hv)
{
#define SAME_ENTRY(j) (f->e[j].kind == (uint32_t)k && \
		       !strcmp(f->str[f->e[j].sa].s, a) && \
		       !strcmp(f->str[f->e[j].sb].s, b))
	PROBE(f->slot, f->nslot, hv, SAME_ENTRY)
#undef SAME_ENTRY
}

/* A table of twice as many slots, or the first one, holding keys
 * 0..count-1 of hash hash_of(j). */
static struct slot *regrow(struct slot *old, size_t *nslot, size_t count,
			   uint64_t (*hash_of)(const struct hist_fill *, size_t),
			   const struct hist_fill *f)
{
	struct slot *t;

	free(old);
	*nslot = *nslot ? *nslot * 2 : 256;
	t = xcalloc(*nslot, sizeof *t);
	for (size_t j = 0; j < count; j++) {
		uint64_t hv = hash_of(f, j);
		size_t i = hv & (*nslot - 1);

		while (t[i].idx)
			i = (i + 1) & (*nslot - 1);
		t[i].idx = (uint32_t)(j + 1);
		t[i].tag = (uint32_t)(hv >> 32);
	}
	return t;
}

static uint64_t entry_hash(const struct hist_fill *f, size_t j)
{
	const struct fill_entry *e = &f->e[j];

	return hist_block_hash((enum hb_kind)e->kind, f->str[e->sa].s,
			       f->str[e->sb].s);
}

static uint64_t nth_str_hash(const struct hist_fill *f, size_t j)
{
	return str_hash(f->str[j].s);
}

static struct slot *find_str(const struct hist_fill *f, const char *s,
			     uint64_t hv)
{
#define SAME_STR(j) (!strcmp(f->str[j].s, s))
	PROBE(f->sslot, f->nsslot, hv, SAME_STR)
#undef SAME_STR
}

/* The index of the one copy of s. */
static uint32_t intern_str(struct hist_fill *f, const char *s)
{
	uint64_t hv = str_hash(s);
	struct slot *sl;

	if (!f->nsslot)
		f->sslot = regrow(NULL, &f->nsslot, 0, nth_str_hash, f);
	sl = find_str(f, s, hv);
	if (sl->idx)
		return sl->idx - 1;
	if (f->nstr == f->capstr) {
		f->capstr = f->capstr ? f->capstr * 2 : 64;
		f->str = xrealloc(f->str, f->capstr * sizeof *f->str);
	}
	f->str[f->nstr].s = arena_memdup(f->arena, s, strlen(s));
	f->str[f->nstr].closes = 0;
	sl->idx = (uint32_t)++f->nstr;
	sl->tag = (uint32_t)(hv >> 32);
	if (f->nstr * 2 > f->nsslot)
		f->sslot = regrow(f->sslot, &f->nsslot, f->nstr, nth_str_hash, f);
	return (uint32_t)(f->nstr - 1);
}

static struct fill_entry *fill_find(const struct hist_fill *f, enum hb_kind k,
				    const char *a, const char *b)
{
	const struct slot *s;

	if (!f->nslot)
		return NULL;
	s = find_entry(f, k, a, b, hist_block_hash(k, a, b));
	return s->idx ? &f->e[s->idx - 1] : NULL;
}

static struct fill_entry *intern(struct hist_fill *f, enum hb_kind k,
				 const char *a, const char *b)
{
	uint64_t hv = hist_block_hash(k, a, b);
	struct slot *sl;
	struct fill_entry *e;

	if (!f->nslot)
		f->slot = regrow(NULL, &f->nslot, 0, entry_hash, f);
	sl = find_entry(f, k, a, b, hv);
	if (sl->idx)
		return &f->e[sl->idx - 1];
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->e = xrealloc(f->e, f->cap * sizeof *f->e);
	}
	e = &f->e[f->n++];
	memset(e, 0, sizeof *e);
	e->kind = (uint32_t)k;
	e->sa = intern_str(f, a);
	e->sb = intern_str(f, b);
	sl->idx = (uint32_t)f->n;
	sl->tag = (uint32_t)(hv >> 32);
	if (f->n * 2 > f->nslot)
		f->slot = regrow(f->slot, &f->nslot, f->n, entry_hash, f);
	return e;
}

struct fc_history *fc_history_new(int shard_index, int64_t read_at)
{
	struct fc_history *h = xcalloc(1, sizeof *h);

	h->refs = 1;
	h->shard = shard_index;
	h->read_at = read_at;
	h->fill = xcalloc(1, sizeof *h->fill);
	h->fill->arena = arena_new();
	/* The arena's serial outlives it: serials are never handed out
	 * twice, so the history keeps its own after finish frees the arena. */
	h->serial = arena_serial(h->fill->arena);
	return h;
}

uint64_t fc_history_serial(const struct fc_history *h)
{
	return h->serial;
}

struct fc_history *fc_history_ref(struct fc_history *h)
{
	if (h)
		__atomic_add_fetch(&h->refs, 1, __ATOMIC_RELAXED);
	return h;
}

static void fill_free(struct hist_fill *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->e[i].dur.v);
		free(f->e[i].delay.v);
		free(f->e[i].rerun.v);
	}
	for (size_t i = 0; i < f->ndays; i++)
		free(f->days[i]);
	for (size_t c = 0; c < SIZE_CLASSES; c++) {
		free(f->size_dur[c].v);
		free(f->size_delay[c].v);
	}
	free(f->days);
	free(f->e);
	free(f->slot);
	free(f->str);
	free(f->sslot);
	arena_free(f->arena);
	free(f);
}

void fc_history_unref(struct fc_history *h)
{
	if (!h || __atomic_sub_fetch(&h->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	fill_free(h->fill);
	hist_block_free(&h->blk);
	free(h);
}

static void note_day(struct hist_fill *f, const char *day)
{
	if (!day || !day[0])
		return;
	/* Business days are few (a month); the last one is the likeliest. */
	for (size_t i = f->ndays; i-- > 0;)
		if (!strcmp(f->days[i], day))
			return;
	f->days = xrealloc(f->days, (f->ndays + 1) * sizeof *f->days);
	f->days[f->ndays++] = xstrdup(day);
}

static bool known(int64_t ms)
{
	return ms != BT_NO_TIME && ms >= 0;
}

void fc_history_add(struct fc_history *h, const char *biller_id,
		    const char *business_day, const char *payment_type,
		    const char *module, int64_t delay_ms, int64_t dur_ms)
{
	struct hist_fill *f = h->fill;
	struct fill_entry *e;

	if (!f || !biller_id)
		return;
	if (!payment_type)
		payment_type = "";
	e = intern(f, HB_BILLER, biller_id, payment_type);
	if (known(dur_ms))
		vec_push(&e->dur, dur_ms);
	/* A start delay may be negative (started early): keep it. */
	if (delay_ms != BT_NO_TIME)
		vec_push(&e->delay, delay_ms);
	f->str[e->sa].closes++;
	if (module && known(dur_ms)) {
		struct fill_entry *m = intern(f, HB_MODULE, module, payment_type);

		vec_push(&m->dur, dur_ms);
		if (delay_ms != BT_NO_TIME)
			vec_push(&m->delay, delay_ms);
	}
	note_day(f, business_day);
	h->closes++;
}

void fc_history_add_rerun(struct fc_history *h, const char *biller_id,
			  const char *payment_type, int64_t dur_ms)
{
	if (!h->fill || !biller_id || !known(dur_ms))
		return;
	vec_push(&intern(h->fill, HB_BILLER, biller_id,
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

/* Copy v to at (an empty vector has no array to copy from). */
static void put(fc_ms *at, const struct vec *v)
{
	if (v->n)
		memcpy(at, v->v, v->n * sizeof *at);
}

/* Sort an entry's arrays (a ranked biller's closes wait for
 * sort_ranked) and drop what no answer reads: the delays of a pool too
 * thin to forecast from (pick_from passes it by on its closes' count
 * alone), reruns too few for fc_history_reruns, a module's closes too few
 * to pick.  A thin biller keeps its closes as added, for
 * fc_history_recent, which is all that reads them. */
static void settle_entry(struct fill_entry *e)
{
	if (e->dur.n < FC_MIN_CLOSES) {
		e->delay.n = 0;
		if (e->kind == HB_MODULE)
			e->dur.n = 0;
	}
	if (e->rerun.n < FC_MIN_CLOSES)
		e->rerun.n = 0;
	sort_ms(&e->delay);
	sort_ms(&e->rerun);
	if (e->kind == HB_MODULE) {
		sort_ms(&e->dur);
		vec_thin(&e->dur);
		vec_thin(&e->delay);
	}
}

/* Pool each biller's closes into its size class (its string's count says
 * its class), then sort every array and thin the pools, in place. */
static void settle(struct hist_fill *f)
{
	double days = f->ndays ? (double)f->ndays : 1.0;

	for (size_t i = 0; i < f->n; i++) {
		struct fill_entry *e = &f->e[i];
		int c;

		if (e->kind != HB_BILLER)
			continue;
		c = size_class((double)f->str[e->sa].closes / days);
		vec_append(&f->size_dur[c], &e->dur);
		vec_append(&f->size_delay[c], &e->delay);
	}
	for (size_t i = 0; i < f->n; i++)
		settle_entry(&f->e[i]);
	for (size_t c = 0; c < SIZE_CLASSES; c++) {
		sort_ms(&f->size_dur[c]);
		vec_thin(&f->size_dur[c]);
		sort_ms(&f->size_delay[c]);
		vec_thin(&f->size_delay[c]);
	}
}

/* Each distinct string into the block, its offset at off[its index]. */
static void lay_strings(struct hist_block *b, const struct hist_fill *f,
			uint32_t *off)
{
	size_t at = 0;

	for (size_t i = 0; i < f->nstr; i++) {
		size_t len = strlen(f->str[i].s) + 1;

		memcpy(b->str + at, f->str[i].s, len);
		off[i] = (uint32_t)at;
		at += len;
	}
}

/* Number the distinct payment types of the entries, first come first
 * numbered, into type[their string's index]: *ntypes of them in the
 * block's table, HB_TYPES_MAX for any past it. */
static void number_types(const struct hist_fill *f, uint32_t *type,
			 size_t *ntypes)
{
	*ntypes = 0;
	for (size_t i = 0; i < f->nstr; i++)
		type[i] = UINT32_MAX;
	for (size_t i = 0; i < f->n; i++) {
		uint32_t *t = &type[f->e[i].sb];

		if (*t != UINT32_MAX)
			continue;
		*t = *ntypes < HB_TYPES_MAX ? (uint32_t)(*ntypes)++
					    : HB_TYPES_MAX;
	}
}

void fc_history_finish(struct fc_history *h)
{
	struct hist_fill *f = h->fill;
	size_t words = 0, str_bytes = 0, at = 0, ntypes;
	uint32_t *off, *type;

	if (!f)
		return;
	settle(f);
	/* A string's offset in the block, and its number as a type. */
	off = xmalloc((f->nstr ? f->nstr : 1) * 2 * sizeof *off);
	type = off + f->nstr;
	number_types(f, type, &ntypes);
	for (size_t i = 0; i < f->n; i++)
		words += hist_block_words((enum hb_kind)f->e[i].kind,
					  type[f->e[i].sb], f->e[i].dur.n,
					  f->e[i].delay.n, f->e[i].rerun.n);
	for (size_t c = 0; c < SIZE_CLASSES; c++)
		words += f->size_dur[c].n + f->size_delay[c].n;
	for (size_t i = 0; i < f->nstr; i++)
		str_bytes += strlen(f->str[i].s) + 1;
	hist_block_alloc(&h->blk, f->n, ntypes, words, str_bytes);
	lay_strings(&h->blk, f, off);
	for (size_t i = 0; i < f->n; i++) {
		struct fill_entry *e = &f->e[i];
		enum hb_kind k = (enum hb_kind)e->kind;
		size_t nd = e->dur.n, ny = e->delay.n, nr = e->rerun.n;
		size_t t = type[e->sb];
		fc_ms *v = hist_block_put(&h->blk, i, k, off[e->sa], t,
					  off[e->sb], at, nd, ny, nr);

		if (hist_block_ranked(k, nd))	/* ranks after the values */
			sort_ranked(&e->dur, v + nd + ny + nr);
		if (v) {
			put(v, &e->dur);
			put(v + nd, &e->delay);
			put(v + nd + ny, &e->rerun);
		}
		at += hist_block_words(k, t, nd, ny, nr);
	}
	for (size_t c = 0; c < SIZE_CLASSES; c++) {
		struct pool *p = &h->pool[c];

		p->at = (uint32_t)at;
		p->dur = f->size_dur[c].n;
		p->delay = f->size_delay[c].n;
		if (p->dur + p->delay) {
			put(h->blk.ms + at, &f->size_dur[c]);
			put(h->blk.ms + at + p->dur, &f->size_delay[c]);
		}
		at += (size_t)p->dur + p->delay;
	}
	hist_block_index(&h->blk);
	free(off);
	fill_free(f);
	h->fill = NULL;
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

static size_t fill_bytes(const struct hist_fill *f)
{
	size_t n = sizeof *f + arena_room(f->arena);

	n += f->cap * sizeof *f->e + f->nslot * sizeof *f->slot;
	n += f->capstr * sizeof *f->str + f->nsslot * sizeof *f->sslot;
	n += f->ndays * sizeof *f->days;
	for (size_t i = 0; i < f->ndays; i++)
		n += strlen(f->days[i]) + 1;
	for (size_t c = 0; c < SIZE_CLASSES; c++)
		n += vec_bytes(&f->size_dur[c]) + vec_bytes(&f->size_delay[c]);
	for (size_t i = 0; i < f->n; i++)
		n += vec_bytes(&f->e[i].dur) + vec_bytes(&f->e[i].delay) +
		     vec_bytes(&f->e[i].rerun);
	return n;
}

size_t fc_history_bytes(const struct fc_history *h)
{
	return sizeof *h + (h->fill ? fill_bytes(h->fill) : h->blk.bytes);
}

/* The entry of (k, a, b) in a finished history, found. */
static bool find(const struct fc_history *h, enum hb_kind k, const char *a,
		 const char *b, struct hb_view *v)
{
	const struct hb_entry *e;

	if (!h || h->fill || !a)
		return false;
	e = hist_block_find(&h->blk, k, a, b ? b : "");
	if (!e)
		return false;
	*v = hist_block_view(&h->blk, e);
	return true;
}

size_t fc_history_recent(const struct fc_history *h, const char *biller_id,
			 const char *payment_type, fc_ms *ms, size_t max)
{
	const char *type = payment_type ? payment_type : "";
	const struct fill_entry *e;
	struct hb_view v;
	size_t first;

	if (!biller_id)
		return 0;
	if (h->fill) {	/* before finish: the closes as added */
		e = fill_find(h->fill, HB_BILLER, biller_id, type);
		if (!e)
			return 0;
		first = e->dur.n > max ? e->dur.n - max : 0;
		for (size_t i = first; i < e->dur.n; i++)
			ms[i - first] = e->dur.v[i];
		return e->dur.n - first;
	}
	if (!find(h, HB_BILLER, biller_id, type, &v))
		return 0;
	first = v.ndur > max ? v.ndur - max : 0;
	for (size_t i = first; i < v.ndur; i++)
		ms[i - first] = hist_block_ranked(HB_BILLER, v.ndur)
			? v.ms[hist_block_rank_at(&v, i)] : v.ms[i];
	return v.ndur - first;
}

static struct fc_dist dist(const fc_ms *v, size_t n)
{
	struct fc_dist d = { n ? v : NULL, n };

	return d;
}

/* The first pool from level `from` on (FC_BILLER, FC_MODULE, FC_SIMILAR)
 * with at least FC_MIN_CLOSES closes. */
static enum fc_source pick_from(const struct fc_history *h, enum fc_source from,
				const char *biller_id, const char *payment_type,
				const char *module, size_t batches_tonight,
				struct fc_dist *dur, struct fc_dist *delay)
{
	const struct pool *p;
	struct hb_view v;

	dur->ms = delay->ms = NULL;
	dur->n = delay->n = 0;
	if (!h || h->fill)
		return FC_NONE;
	if (from <= FC_BILLER &&
	    find(h, HB_BILLER, biller_id, payment_type, &v) &&
	    v.ndur >= FC_MIN_CLOSES) {
		*dur = dist(v.ms, v.ndur);
		*delay = dist(v.ms + v.ndur, v.ndelay);
		return FC_BILLER;
	}
	if (from <= FC_MODULE && find(h, HB_MODULE, module, payment_type, &v) &&
	    v.ndur >= FC_MIN_CLOSES) {
		*dur = dist(v.ms, v.ndur);
		*delay = dist(v.ms + v.ndur, v.ndelay);
		return FC_MODULE;
	}
	p = &h->pool[size_class((double)batches_tonight)];
	if (from <= FC_SIMILAR && batches_tonight && p->dur >= FC_MIN_CLOSES) {
		*dur = dist(h->blk.ms + p->at, p->dur);
		*delay = dist(h->blk.ms + p->at + p->dur, p->delay);
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
	struct hb_view v;

	d->ms = NULL;
	d->n = 0;
	if (!find(h, HB_BILLER, biller_id, payment_type, &v) ||
	    v.nrerun < FC_MIN_CLOSES)
		return false;
	*d = dist(v.ms + v.ndur + v.ndelay, v.nrerun);
	return true;
}
