/*
 * forecast_memo.c - forecast_miss() answers remembered (forecast.h): a
 * set-associative table keyed by a close's shard and batch id, holding
 * each answer with the instant it stops holding.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/forecast.h"

/* One remembered forecast_miss(): the check of the batch id and
 * everything else it read, and the answer, packed into 24 bytes: a fleet
 * has hundreds of thousands of open closes, every one of them in the
 * memo.  The check is the whole key, all 64 bits of it (0 is an empty
 * entry): a shorter one was looked at, but at a few thousand lookups of
 * eight ways a second, 32 bits would match another close's answer within
 * days.  The instants are kept as ms past the memo's base (m->base): an
 * answer that holds past what 32 bits reach is not kept.  The answers'
 * own validity (decide_until) is kept as ms past valid_until: without it
 * an answer found here said they held only till valid_until, and the
 * view looked at the close again then (bench-fleet). */
struct memo_entry {
	uint64_t check;
	float p_miss;
	uint32_t valid;		/* valid_until - base, VALID_FOREVER */
	uint32_t decide;	/* decide_until - valid_until, DECIDE_* */
	uint32_t closes : 12, longer : 12;	/* pools: FC_POOL_MAX at most */
	uint32_t source : 2;
	uint32_t beyond : 1, stale : 1, tail_wider : 1;
};
_Static_assert(sizeof(struct memo_entry) == 24, "a memo entry is 24 bytes");
_Static_assert(FC_SIMILAR < 4, "a source is kept in 2 bits");
_Static_assert(FC_POOL_MAX <= 4095, "a pool's closes are kept in 12 bits");

/* closes and longer past this are not kept (pools are thinned to
 * FC_POOL_MAX: none is). */
#define CLOSES_MAX 4095u

/* valid for valid_until INT64_MAX; past VALID_MAX the answer is not
 * kept.  The base is REBASE_BEFORE before the first now the memo keeps an
 * answer at (shards' clocks differ a little), and moves, dropping every
 * answer, when a now is REBASE_AFTER past it: 49 days of ms minus both
 * leaves about 20 days ahead of any now for an answer to hold. */
#define VALID_FOREVER UINT32_MAX
#define VALID_MAX (UINT32_MAX - 1)
#define REBASE_BEFORE (7 * 86400000LL)
#define REBASE_AFTER (22 * 86400000LL)

/* decide for decide_until INT64_MAX (for good); a later decide_until
 * than DECIDE_MAX ms past valid_until is kept as that (sooner: the view
 * only looks again sooner). */
#define DECIDE_FOREVER UINT32_MAX
#define DECIDE_MAX (UINT32_MAX - 1)

static uint32_t decide_of(int64_t valid_until, int64_t decide_until)
{
	if (decide_until == INT64_MAX)
		return valid_until == INT64_MAX ? 0 : DECIDE_FOREVER;
	if (decide_until <= valid_until)
		return 0;
	return decide_until - valid_until > DECIDE_MAX
		       ? DECIDE_MAX : (uint32_t)(decide_until - valid_until);
}

/* Ways of a set (consecutive entries: three cache lines). */
#define MEMO_WAYS 8

/* One remembered forecast_until_above(): a check of the close as
 * memo_check() makes it with the pm mixed in, and the answer.  Asked only
 * of billers with more than one close at risk, so the table has an
 * eighth of the entries, two ways a set. */
struct above_entry {
	uint64_t check;
	int64_t until;
};

#define ABOVE_WAYS 2

/* The sets are as many as asked for, not a power of two: at 100 shards
 * two slots per open close were 340,000, and the power of two above them
 * 524,288 (16.8 MB).  A set is picked by the top half of the hash times
 * the sets (a multiply and a shift, as cheap as the mask it replaces). */
struct fc_memo {
	struct memo_entry *e;
	size_t nsets;
	int64_t base;		/* of the entries' instants, when based */
	bool based;
	struct above_entry *a;
	size_t nasets;
	struct fc_memo_counts n;
};

/* The set of hash v among n. */
static size_t set_of(uint64_t v, size_t n)
{
	return (size_t)(((v >> 32) * (uint64_t)n) >> 32);
}

/* Sets for slots answers: at least 8 (64 slots); an eighth as many
 * above_entry sets of ABOVE_WAYS, at least 8. */
static size_t memo_sets(size_t slots)
{
	size_t n = (slots + MEMO_WAYS - 1) / MEMO_WAYS;

	return n < 8 ? 8 : n > UINT32_MAX ? UINT32_MAX : n;
}

static size_t above_sets(size_t nsets)
{
	size_t n = nsets * MEMO_WAYS / 8 / ABOVE_WAYS;

	return n < 8 ? 8 : n;
}

/* m's tables replaced by empty ones of nsets sets; false (m unchanged)
 * when out of memory. */
static bool memo_alloc(struct fc_memo *m, size_t nsets)
{
	size_t nasets = above_sets(nsets);
	struct memo_entry *e = calloc(nsets * MEMO_WAYS, sizeof *e);
	struct above_entry *a = calloc(nasets * ABOVE_WAYS, sizeof *a);

	if (!e || !a) {
		free(e);
		free(a);
		return false;
	}
	free(m->e);
	free(m->a);
	m->e = e;
	m->nsets = nsets;
	m->based = false;
	m->a = a;
	m->nasets = nasets;
	return true;
}

struct fc_memo *fc_memo_new(size_t slots)
{
	struct fc_memo *m = calloc(1, sizeof *m);

	if (m && !memo_alloc(m, memo_sets(slots))) {
		free(m);
		return NULL;
	}
	return m;
}

size_t fc_memo_slots_for(size_t nopen)
{
	/* A slot and a quarter per open close (with reserve's eighth, 1.4;
	 * 2.25 at four ways).  Sets by a hash of the id hold a number of
	 * closes that varies about their mean (here 5.7 of 8 ways) and keep
	 * the changed closes' old answers a while; the slots past the
	 * closes are for that. */
	return nopen + nopen / 4;
}

void fc_memo_reserve(struct fc_memo *m, size_t slots)
{
	if (!m || slots <= m->nsets * MEMO_WAYS)
		return;
	/* An eighth more than asked: a count of open closes that grows by
	 * a few each rebuild would otherwise drop every answer each time.
	 * Its answers are only a cache: they are asked for again, and the
	 * smaller one still answers when there is no room. */
	(void)memo_alloc(m, memo_sets(slots + slots / 8));
}

size_t fc_memo_slots(const struct fc_memo *m)
{
	return m ? m->nsets * MEMO_WAYS : 0;
}

size_t fc_memo_bytes(const struct fc_memo *m)
{
	if (!m)
		return 0;
	return sizeof *m + m->nsets * MEMO_WAYS * sizeof *m->e +
	       m->nasets * ABOVE_WAYS * sizeof *m->a;
}

struct fc_memo_counts fc_memo_counts(const struct fc_memo *m)
{
	return m ? m->n : (struct fc_memo_counts){ 0 };
}

void fc_memo_free(struct fc_memo *m)
{
	if (!m)
		return;
	free(m->e);
	free(m->a);
	free(m);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static uint64_t text_hash(uint64_t h, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return mix(h, 0);
}

/* Everything forecast_miss() reads of the close, by value (idh: its
 * batch id's text_hash): the texts, not their addresses, so that a close
 * a poll parsed again with nothing it reads changed (a new attempt count,
 * a new updated_at: bench-fleet's churn) finds its answer, and no freed
 * string's address reused for another can find the old one's; the
 * history by its serial, which no other history has had. */
static uint64_t memo_check(uint64_t idh, const struct fc_history *h,
			   const struct biller *b, const struct batch *t)
{
	uint64_t c = mix(idh, h ? fc_history_serial(h) : 0);

	c = text_hash(c, b->biller_id);
	c = text_hash(c, t->kind->payment_type);
	c = text_hash(c, t->kind->module);
	c = mix(c, batch_is_bad(t));
	c = mix(c, (uint64_t)t->scheduled_at);
	c = mix(c, (uint64_t)t->started_at);
	c = mix(c, (uint64_t)t->deadline_at);
	c = mix(c, (uint64_t)t->state * 4 + (uint64_t)(t->deadline_inf + 1));
	c = mix(c, b->nbatches);
	return c ? c : 1;	/* 0: an empty entry */
}

/* Where close t of h's shard is looked for: by the shard and the id's
 * text, so that the same close has the same place in every snapshot,
 * parsed again or not, and shards that use the same ids (copies of one
 * database: bench-fleet's) do not share places. */
static uint64_t id_hash(const struct fc_history *h, const struct batch *t)
{
	return text_hash(mix(0xcbf29ce484222325ull,
			     h ? (uint64_t)fc_history_shard(h) : 0), t->batch_id);
}

/* The entry's answer into out, as forecast_miss() gave it. */
static void memo_answer(const struct fc_memo *m, const struct memo_entry *e,
			struct forecast *out)
{
	out->source = (enum fc_source)e->source;
	out->closes = e->closes;
	out->longer = e->longer;
	out->beyond = e->beyond;
	out->tail_wider = e->tail_wider;
	out->stale = e->stale;
	out->start_p50 = out->eta_p50 = out->eta_p95 = BT_NO_TIME;
	out->p_miss = e->p_miss;
	if (e->valid == VALID_FOREVER) {
		out->valid_until = out->decide_until = INT64_MAX;
		return;
	}
	out->valid_until = m->base + e->valid;
	out->decide_until = e->decide == DECIDE_FOREVER
			    ? INT64_MAX : out->valid_until + e->decide;
}

/* Does the entry's answer hold at now? */
static bool memo_holds(const struct fc_memo *m, const struct memo_entry *e,
		       int64_t now)
{
	return e->valid == VALID_FOREVER || now < m->base + e->valid;
}

/* Where a new answer of set e goes: an empty way, else one run out (no
 * use to anybody: asked again it is made again), else the one used
 * longest ago. */
static int memo_victim(const struct fc_memo *m, const struct memo_entry *e,
		       int64_t now)
{
	for (int w = MEMO_WAYS - 1; w > 0; w--)
		if (!e[w].check || !memo_holds(m, &e[w], now))
			return w;
	return MEMO_WAYS - 1;
}

/* Answer out, made at now, as an entry of m (false: it does not fit, and
 * is not kept).  The base is set, or moved, here. */
static bool memo_pack(struct fc_memo *m, uint64_t check, int64_t now,
		      const struct forecast *out, struct memo_entry *x)
{
	int64_t until = out->valid_until;

	if (!m->based || now < m->base || now - m->base > REBASE_AFTER) {
		if (now < INT64_MIN / 2 || now > INT64_MAX / 2)
			return false;	/* no clock to speak of */
		if (m->based)
			memset(m->e, 0, m->nsets * MEMO_WAYS * sizeof *m->e);
		m->base = now - REBASE_BEFORE;
		m->based = true;
	}
	if (out->closes > CLOSES_MAX || out->longer > CLOSES_MAX ||
	    (until != INT64_MAX &&
	     (until < m->base || until - m->base > VALID_MAX)))
		return false;
	*x = (struct memo_entry){
		.check = check,
		.valid = until == INT64_MAX ? VALID_FOREVER
					    : (uint32_t)(until - m->base),
		.decide = decide_of(until, out->decide_until),
		.p_miss = (float)out->p_miss,
		.closes = (uint32_t)out->closes, .longer = (uint32_t)out->longer,
		.source = (uint32_t)out->source & 3,
		.beyond = out->beyond, .stale = out->stale,
		.tail_wider = out->tail_wider,
	};
	return true;
}

void forecast_miss_memo(struct fc_memo *m, const struct fc_history *h,
			const struct biller *b, const struct batch *t,
			int64_t now, const struct forecast_opts *o,
			struct forecast *out)
{
	struct memo_entry *e, x;
	uint64_t check, idh;
	int w;

	if (!m || !t) {
		forecast_miss(h, b, t, now, o, out);
		return;
	}
	idh = id_hash(h, t);
	e = &m->e[set_of(idh, m->nsets) * MEMO_WAYS];
	check = memo_check(idh, h, b, t);
	/* MEMO_WAYS ways, the one used last first: a hit moves to the
	 * first, a new answer goes to the first and pushes the others down
	 * to an empty way, one run out, or out of the last.  So an answer
	 * nobody asks for again (a close that changed: a new check in its
	 * id's set) goes within MEMO_WAYS answers, even one that would hold
	 * for good.  Sets by a hash of the id hold a number of closes that
	 * varies; the more ways, the less a set's count strays from its mean
	 * and the fewer answers are pushed out before they are asked again
	 * (two ways were too few at a slot per open close: bench-fleet). */
	for (w = 0; w < MEMO_WAYS && e[w].check != check; w++)
		;
	if (w < MEMO_WAYS) {
		x = e[w];
		memmove(e + 1, e, (size_t)w * sizeof *e);
		e[0] = x;
		if (memo_holds(m, e, now)) {
			m->n.hits++;
			memo_answer(m, e, out);
			return;
		}
		m->n.expired++;
	} else {
		m->n.absent++;
	}
	forecast_miss(h, b, t, now, o, out);
	if (!memo_pack(m, check, now, out, &x))
		return;
	/* memo_pack() may have dropped every answer (a new base). */
	if (e[0].check != check) {
		w = memo_victim(m, e, now);
		memmove(e + 1, e, (size_t)w * sizeof *e);
	}
	e[0] = x;
	/* What a remembered answer says, exactly: p_miss as stored. */
	out->p_miss = e->p_miss;
}

static struct above_entry *above_set(struct fc_memo *m, const struct fc_history *h,
				     const struct biller *b, const struct batch *t,
				     int pm, uint64_t *check)
{
	uint64_t idh = id_hash(h, t);

	*check = mix(memo_check(idh, h, b, t), (uint64_t)(unsigned)pm);
	if (!*check)
		*check = 1;
	/* By the check, pm and all: a close asked at two pms (two billers'
	 * risks, a risk that grew) takes two sets. */
	return &m->a[set_of(*check, m->nasets) * ABOVE_WAYS];
}

bool fc_memo_above_find(struct fc_memo *m, const struct fc_history *h,
			const struct biller *b, const struct batch *t, int pm,
			int64_t now, int64_t *until)
{
	struct above_entry *a;
	uint64_t check;

	if (!m)
		return false;
	a = above_set(m, h, b, t, pm, &check);
	for (int w = 0; w < ABOVE_WAYS; w++) {
		if (a[w].check == check && now < a[w].until) {
			m->n.above_hits++;
			*until = a[w].until;
			return true;
		}
	}
	return false;
}

void fc_memo_above_keep(struct fc_memo *m, const struct fc_history *h,
			const struct biller *b, const struct batch *t, int pm,
			int64_t until)
{
	struct above_entry *a;
	uint64_t check;

	if (!m)
		return;
	m->n.above++;
	a = above_set(m, h, b, t, pm, &check);
	/* The newest first; one of the same check (run out) is replaced. */
	if (a[0].check != check)
		a[1] = a[0];
	a[0] = (struct above_entry){ .check = check, .until = until };
}
