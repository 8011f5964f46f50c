/*
 * view.c - build, filter and sort the grid's rows.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/timefmt.h"
#include "core/hold.h"
#include "core/note.h"
#include "core/view.h"
#include "core/view_sig.h"
#include "core/xalloc.h"

static char status_lower[BS__COUNT][16];

static void init_status_lower(void)
{
	for (int st = 0; st < BS__COUNT; st++) {
		const char *l = biller_status_label((enum biller_status)st);
		size_t i;

		for (i = 0; l[i] && i + 1 < sizeof status_lower[st]; i++)
			status_lower[st][i] = (char)tolower((unsigned char)l[i]);
		status_lower[st][i] = '\0';
	}
}

void view_init(struct view *v, size_t nshards, const struct config *cfg)
{
	memset(v, 0, sizeof *v);
	v->snaps = xcalloc(nshards ? nshards : 1, sizeof *v->snaps);
	v->nsnaps = nshards;
	v->sort = cfg->sort;
	if (!status_lower[0][0])
		init_status_lower();
	v->show_demo = cfg->show_demo;
	v->at_risk_pct = cfg->at_risk_pct;
	v->hist = xcalloc(nshards ? nshards : 1, sizeof *v->hist);
	v->fc.at_risk_pct = cfg->at_risk_probability;
	v->fc.will_miss_pct = cfg->will_miss_probability;
	/* Three reads missed in a row (and their time-outs): stale. */
	v->fc.stale_ms = ((int64_t)cfg->history_interval * 3 +
			  (int64_t)cfg->query_timeout) * 1000;
	/* Room for the open closes of a small fleet; view_rebuild() makes
	 * more as the snapshots bring more (a miss costs only a forecast). */
	v->fc.memo = fc_memo_new(4096);
	v->seen = xcalloc(nshards ? nshards : 1, sizeof *v->seen);
}

void view_free(struct view *v)
{
	for (size_t i = 0; i < v->nsnaps; i++) {
		snapshot_unref(v->snaps[i]);
		if (v->hist)
			fc_history_unref(v->hist[i]);
	}
	free(v->snaps);
	free(v->hist);
	fc_memo_free(v->fc.memo);
	free(v->slots);
	free(v->due_list);
	for (size_t i = 0; v->seen && i < v->nsnaps; i++) {
		free(v->seen[i].watch);
		free(v->seen[i].due);
		snapshot_unref(v->seen[i].snap);
	}
	free(v->seen);
	free(v->ranks);
	free(v->items);
	free(v->tmp);
	free(v->gone);
	free(v->changes);
	free(v->pos);
	memset(v, 0, sizeof *v);
}

/* Past this many rows moved, a sort from scratch is as cheap as the
 * merge (an eighth of them): v->tmp and v->gone hold no more. */
static size_t merge_max(size_t total)
{
	return total / 8 + 16;
}

size_t view_bytes(const struct view *v)
{
	size_t n = sizeof *v;

	n += v->nsnaps * (sizeof *v->snaps + sizeof *v->hist + sizeof *v->seen);
	n += v->slots_cap * sizeof *v->slots;
	n += v->cap * (sizeof(struct sort_item) + sizeof *v->pos);
	if (v->cap)	/* tmp and gone, as ensure_cap() sized them */
		n += merge_max(v->cap) * (sizeof(struct sort_item) + sizeof *v->gone);
	n += v->nranks * sizeof *v->ranks;
	n += v->changes_cap * sizeof *v->changes;
	n += v->due_list_cap * sizeof *v->due_list;
	for (size_t i = 0; v->seen && i < v->nsnaps; i++)
		n += v->seen[i].due_cap * sizeof *v->seen[i].due +
		     v->seen[i].watch_cap * sizeof *v->seen[i].watch;
	return n;
}

void view_set_history(struct view *v, size_t i, struct fc_history *h)
{
	if (i >= v->nsnaps || v->hist[i] == h)
		return;
	fc_history_unref(v->hist[i]);
	v->hist[i] = fc_history_ref(h);
}

const struct fc_history *view_history(const struct view *v, size_t i)
{
	return v->hist && i < v->nsnaps ? v->hist[i] : NULL;
}

void view_set_snapshot(struct view *v, size_t i, struct snapshot *s)
{
	const struct snapshot *old;

	if (i >= v->nsnaps || v->snaps[i] == s)
		return;
	old = v->snaps[i];
	/* An incremental poll that renamed, added or dropped no biller keeps
	 * the names_id: the ranking still holds. */
	if (!old || !s || !s->names_id || old->names_id != s->names_id)
		v->ranks_dirty = true;
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

bool view_rerun_open(const struct biller *b, void *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < b->nbatches; i++) {
		const char *w = batch_rerun_status(&b->batches[i]);

		if (w && (!strcmp(w, "pending") || !strcmp(w, "running")))
			return true;
	}
	return false;
}

static int row_matches(const struct view *v, const struct row *r)
{
	if (!v->filter[0])
		return 1;
	if (biller_search_has(r->b, v->filter))
		return 1;
	/* Let "failed" or "at risk" find the billers in that state. */
	return strstr(status_lower[r->ev.status], v->filter) != NULL;
}

/* Deadlines are keyed from a base that moves only when now is more than a
 * day away from it (rarely: the first rebuild, a clock that jumps), so the
 * keys of a night stay the same from one rebuild to the next. */
static void update_time_base(struct view *v, int64_t now)
{
	const int64_t day = 86400000;

	if (now == BT_NO_TIME)
		return;
	if (!v->time_base || now - v->time_base > day || v->time_base - now > day)
		v->time_base = now - now % 3600000;
}

/* --- the rebuild ----------------------------------------------------------- */

void view_invalidate(struct view *v)
{
	v->primed = false;
}

static bool same_fc(const struct forecast_opts *a, const struct forecast_opts *b)
{
	return a->at_risk_pct == b->at_risk_pct &&
	       a->will_miss_pct == b->will_miss_pct &&
	       a->stale_ms == b->stale_ms && a->memo == b->memo;
}

static void ensure_cap(struct view *v, size_t total)
{
	/* Exactly the billers there are: the count changes seldom, and a
	 * quarter more left a quarter of the items and slots unused. */
	if (total > v->cap) {
		v->cap = total;
		v->items = xrealloc(v->items, v->cap * sizeof(struct sort_item));
		v->tmp = xrealloc(v->tmp, merge_max(v->cap) * sizeof(struct sort_item));
		v->gone = xrealloc(v->gone, merge_max(v->cap) * sizeof *v->gone);
		v->pos = xrealloc(v->pos, v->cap * sizeof *v->pos);
	}
	/* A quarter of the billers changed between two reads of the log:
	 * reading them all is as cheap. */
	if (total / 4 + 64 > v->changes_cap) {
		v->changes_cap = total / 4 + 64;
		v->changes = xrealloc(v->changes, v->changes_cap * sizeof *v->changes);
	}
	if (total > v->slots_cap) {
		size_t old = v->slots_cap;

		/* New slots start zeroed: a slot's cached flag (in) is
		 * compared before the first evaluation sets it. */
		v->slots_cap = v->cap;
		v->slots = xrealloc(v->slots, v->slots_cap * sizeof *v->slots);
		memset(v->slots + old, 0, (v->slots_cap - old) * sizeof *v->slots);
	}
}

/* How much of the cache the inputs left valid. */
struct rebuild_plan {
	bool all;	/* evaluate every biller */
	bool rekey;	/* compute every sort key again */
	bool refilter;	/* decide every row's place in the filter again */
	size_t nnew;	/* rows that moved, in v->tmp (incremental path) */
	size_t ngone;	/* their old places, in v->gone */
	size_t nmoved;
	size_t merge_max;	/* merge_max(): past it, nothing kept in tmp */
};

static struct rebuild_plan plan_rebuild(struct view *v, int64_t now, size_t total)
{
	struct rebuild_plan p = { .merge_max = merge_max(total) };

	p.all = !v->primed || now == BT_NO_TIME || now < v->last_now ||
		total != v->nslots || v->at_risk_pct != v->last_at_risk_pct ||
		!same_fc(&v->fc, &v->last_fc) ||
		v->rerun_open != v->last_rerun_open ||
		v->rerun_open_ctx != v->last_rerun_open_ctx;
	/* A shard whose biller count changed moves every later slot. */
	for (size_t i = 0; i < v->nsnaps; i++)
		if (v->seen[i].n != (v->snaps[i] ? v->snaps[i]->nbillers : 0))
			p.all = true;
	p.rekey = p.all;
	if (v->ranks_dirty || v->nranks != total) {
		view_rank_billers(v);
		p.rekey = true;
	}
	update_time_base(v, now);
	if (v->time_base != v->last_base || v->sort != v->last_sort ||
	    v->reverse != v->last_reverse)
		p.rekey = true;
	p.refilter = p.rekey || v->show_demo != v->last_show_demo ||
		     strcmp(v->filter, v->last_filter);
	return p;
}

/* Why a shard's billers are looked at: not for its data (only those
 * whose instant came), a new snapshot of the same holds and history
 * (those whose signature changed), or everything. */
enum due { DUE_TIME, DUE_MOVED, DUE_ALL };

/* What a (re)placed evaluation needs besides the status: whether someone
 * acted, whether its failures are acknowledged. */
static void ask_rest(const struct view *v, struct view_slot *sl,
		     const struct snapshot *s, bool ask_acted)
{
	struct row *r = &sl->row;

	if (ask_acted)
		r->acted = (r->ev.status == BS_FAILED || r->ev.status == BS_LATE) &&
			   (v->rerun_open ? v->rerun_open
					  : view_rerun_open)(r->b, v->rerun_open_ctx);
	sl->acked = r->ev.status == BS_FAILED && !r->b->is_demo &&
		    note_biller_ack(s, r->b);
}

/* The slot's predicted misses, counted again when they may have changed:
 * always after an evaluation (fresh), else once now reaches the instant
 * the last count said it holds until. */
static void count_misses(const struct view *v, struct view_slot *sl, size_t i,
			 int64_t now, bool fresh)
{
	size_t n;

	if (!fresh && now < sl->miss_until)
		return;
	sl->miss_until = INT64_MAX;
	n = forecast_biller_misses(v->hist[i], sl->row.b, now, &v->fc, &sl->miss_until);
	sl->misses = (uint16_t)(n > UINT16_MAX ? UINT16_MAX : n);
}

/* How a slot's row changed: not at all; only its pointers (the same
 * biller record in a new snapshot's array: its key and its place in the
 * filter are the same); or more. */
enum change { CH_NONE, CH_MOVED, CH_ROW };

/* Slot sl's evaluation handed on to b, biller j of shard i's snapshot s,
 * whose input is the same: the pointers moved to the new arrays, at the
 * places they had in the old ones (the old record and holds are still
 * there: view_seen.snap).  Whether someone acted is asked again unless
 * acted_current (see refresh_slot). */
static void hand_on(const struct view *v, struct view_slot *sl, size_t i,
		    const struct biller *b, int64_t now, bool acted_current)
{
	const struct snapshot *s = v->snaps[i];
	struct row *r = &sl->row;

	if (r->ev.focus)
		r->ev.focus = &b->batches[r->ev.focus - r->b->batches];
	if (r->ev.hold)
		r->ev.hold = &s->holds[r->ev.hold - v->seen[i].holds];
	r->b = b;
	count_misses(v, sl, i, now, false);
	ask_rest(v, sl, s, !acted_current);
}

/* Bring slot sl (biller j of shard i, slot k) up to now: evaluate it when
 * due, else only whether someone acted (the dashboard's own reruns change
 * that without a new snapshot).  acted_current: rerun_gen is the one
 * shard i's failed and late rows were last asked at, so an unchanged
 * biller handed on to a new snapshot keeps whether someone acted. */
static enum change refresh_slot(struct view *v, struct view_slot *sl, size_t i,
				size_t j, int64_t now, enum due due,
				bool acted_current)
{
	const struct snapshot *s = v->snaps[i];
	struct row *r = &sl->row;
	bool acted;

	if (due == DUE_MOVED && now < r->ev.until) {
		const struct biller *b = snapshot_biller(s, j);
		uint64_t sig = biller_sig(b);

		/* The record it was evaluated from is still there: its
		 * signature is made again rather than kept per slot. */
		if (r->b && sig == biller_sig(r->b)) {
			/* Unchanged: its evaluation, moved to the new arrays.
			 * The same batches: whether someone acted changes
			 * only with the dashboard's own word (rerun_gen). */
			acted = r->acted;
			hand_on(v, sl, i, b, now, acted_current);
			/* A signature of its home says the whole record is the
			 * same (view_sig.c); one of its batches only, not. */
			return sig >> 63 && r->acted == acted ? CH_MOVED : CH_ROW;
		}
		if (r->b && view_same_input(r->b, b)) {
			/* A new record, the same input: the evaluation
			 * stands; its key and filter are made again (the
			 * priority or the name may be new), and whether
			 * someone acted asked if a rerun is new
			 * (rerun_biller_word() for every failed one that
			 * bench-fleet's churn parsed again, before). */
			hand_on(v, sl, i, b, now,
				acted_current && view_same_reruns(r->b, b));
			v->why.kept++;
			return CH_ROW;
		}
		due = DUE_ALL;
		v->why.changed++;
	} else if (due == DUE_ALL) {
		v->why.all++;
	}
	if (due != DUE_TIME || !(now < r->ev.until)) {
		if (due != DUE_ALL)
			v->why.time++;
		r->b = snapshot_biller(s, j);
		biller_eval_all(r->b, s->holds, s->nholds, now, v->at_risk_pct,
				v->hist[i], &v->fc, &r->ev);
		v->evals++;
		count_misses(v, sl, i, now, true);
		ask_rest(v, sl, s, true);
		return CH_ROW;
	}
	count_misses(v, sl, i, now, false);
	if (r->ev.status != BS_FAILED && r->ev.status != BS_LATE)
		return CH_NONE;
	acted = (v->rerun_open ? v->rerun_open : view_rerun_open)(r->b,
								 v->rerun_open_ctx);
	if (acted == r->acted)
		return CH_NONE;
	r->acted = acted;
	return CH_ROW;
}

/* Slot sl counted into its shard's totals (sign 1), or taken out of
 * them (-1: before it is looked at again on its own, refresh_due). */
static void count_slot(struct view_seen *sh, const struct view_slot *sl, int sign)
{
	const struct biller *b = sl->row.b;
	struct totals *t = &sh->totals;
	size_t open = b->nbatches - (size_t)(b->n_closed > 0 ? b->n_closed : 0);

	sh->nopen = sign > 0 ? sh->nopen + open : sh->nopen - open;
	if (b->is_demo) {
		t->demo += sign;
		return;
	}
	t->billers += sign;
	t->misses += sign * (int)sl->misses;
	t->by_status[sl->row.ev.status] += sign;
	t->failed_acked += sign * (int)sl->acked;
}

static void add_totals(struct totals *t, const struct totals *x)
{
	for (int st = 0; st < BS__COUNT; st++)
		t->by_status[st] += x->by_status[st];
	t->billers += x->billers;
	t->demo += x->demo;
	t->failed_acked += x->failed_acked;
	t->misses += x->misses;
}

/* Slot k's row changed at this rebuild, into the log of changes; a full
 * log starts again (a reader then reads every row, once). */
static void log_change(struct view *v, struct view_slot *sl, size_t k)
{
	sl->row.changed = v->rebuilds;
	if (v->nchanges == v->changes_cap) {
		v->nchanges = 0;
		v->changes_gen = v->rebuilds;
		return;
	}
	v->changes[v->nchanges++] = (uint32_t)k;
}

/* Refresh slot k (biller j of shard i), key and filter it as the plan
 * says.  A moved row that is in goes to v->tmp (one that changed in
 * place is read where it is, view_row()). */
static void refresh_one(struct view *v, struct rebuild_plan *p, size_t i,
			size_t j, size_t k, int64_t now, enum due due,
			bool acted_current)
{
	struct view_slot *sl = &v->slots[k];
	enum biller_status was = sl->row.ev.status;
	enum change ch = refresh_slot(v, sl, i, j, now, due, acted_current);
	uint64_t key = sl->key;
	bool in = sl->in;

	sl->row.rank = v->ranks[k];
	sl->row.slot = (uint32_t)k;
	if (ch == CH_ROW || p->rekey) {
		key = view_sort_key(v, &sl->row);
		if (v->reverse)
			key = ~key;
	}
	if (ch == CH_ROW || p->refilter)
		in = (!sl->row.b->is_demo || v->show_demo) &&
		     row_matches(v, &sl->row);
	if (sl->row.ev.status != was || in != sl->in)
		log_change(v, sl, k);
	if (!p->refilter && (key != sl->key || in != sl->in)) {
		/* Out of its place (found by its old key), into the new
		 * order if it is in. */
		p->nmoved++;
		if (sl->in && p->nmoved <= p->merge_max)
			v->gone[p->ngone++] = v->pos[k];
		if (in && p->nmoved <= p->merge_max)
			((struct sort_item *)v->tmp)[p->nnew++] = item_of(key, k);
	}
	sl->key = key;
	sl->in = in;
}

/* Slot k in its shard's watch list, once. */
static void watch(struct view *v, struct view_seen *sh, size_t k)
{
	if (v->slots[k].watched)
		return;
	v->slots[k].watched = true;
	if (sh->nwatch == sh->watch_cap) {
		sh->watch_cap = sh->watch_cap ? sh->watch_cap * 2 : 16;
		sh->watch = xrealloc(sh->watch, sh->watch_cap * sizeof *sh->watch);
	}
	sh->watch[sh->nwatch++] = (uint32_t)k;
}

/* Every slot of shard i (its first at k0): refreshed, counted, and what
 * it holds until.  acted_current: as refresh_slot() says.  A new snapshot
 * of the same billers (DUE_MOVED) keeps the shard's heap, the slots whose
 * instant moved pushed again (most keep theirs: making the heap anew was
 * a sixth of such a shard's cost); else it is made anew. */
static void refresh_shard(struct view *v, struct rebuild_plan *p, size_t i,
			  size_t k0, int64_t now, enum due due, bool acted_current)
{
	const struct snapshot *s = v->snaps[i];
	struct view_seen *sh = &v->seen[i];
	bool keep_heap = due == DUE_MOVED;

	memset(&sh->totals, 0, sizeof sh->totals);
	sh->nopen = 0;
	sh->nwatch = 0;
	v->why.visited += s->nbillers;
	for (size_t j = 0; j < s->nbillers; j++) {
		struct view_slot *sl = &v->slots[k0 + j];
		int64_t was = keep_heap ? view_slot_due(sl) : 0;

		refresh_one(v, p, i, j, k0 + j, now, due, acted_current);
		count_slot(sh, sl, 1);
		sl->watched = false;
		if (sl->row.ev.status == BS_FAILED || sl->row.ev.status == BS_LATE)
			watch(v, sh, k0 + j);
		if (keep_heap && view_slot_due(sl) != was)
			view_due_push(sh, view_slot_due(sl), k0 + j);
	}
	/* Past view_due_bound(), made anew: a heap's room stays as it grew
	 * (12 bytes an entry, 1.2 MB a slot each at 100,000). */
	if (!keep_heap || sh->ndue > view_due_bound(s->nbillers))
		view_due_remake(v, sh, k0, s->nbillers);
	else
		sh->until = sh->ndue ? view_due_at(&sh->due[0]) : INT64_MAX;
}

static int cmp_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return (a > b) - (a < b);
}

/*
 * Shard i (its first slot at k0), whose inputs are the ones its slots were
 * made of, once now reached the instant one of them must be looked at
 * (its heap's top): only those whose instant came are refreshed, their
 * counts taken out of the shard's totals and put back, their next instants
 * pushed; with them, when ask_watch, its failed and late ones, whether
 * someone acted.  Each slot once (refresh_one() files a moved row once).
 * So a second costs the billers whose time came, not their shards'.
 */
static void refresh_due(struct view *v, struct rebuild_plan *p, size_t i,
			size_t k0, int64_t now, bool ask_watch)
{
	struct view_seen *sh = &v->seen[i];
	size_t n = 0, need = sh->ndue + (ask_watch ? sh->nwatch : 0);

	if (need > v->due_list_cap) {
		v->due_list_cap = need * 2;
		v->due_list = xrealloc(v->due_list, v->due_list_cap * sizeof *v->due_list);
	}
	while (sh->ndue && view_due_at(&sh->due[0]) <= now) {
		struct view_due e = view_due_pop(sh);

		/* Else stale: its slot's instant moved since. */
		if (view_slot_due(&v->slots[e.k]) == view_due_at(&e))
			v->due_list[n++] = e.k;
	}
	for (size_t w = 0; ask_watch && w < sh->nwatch; w++)
		v->due_list[n++] = sh->watch[w];
	if (n > 1)
		qsort(v->due_list, n, sizeof *v->due_list, cmp_u32);
	for (size_t x = 0; x < n; x++) {
		size_t k = v->due_list[x];
		struct view_slot *sl = &v->slots[k];
		int64_t was;

		if (x && k == v->due_list[x - 1])
			continue;
		was = view_slot_due(sl);
		count_slot(sh, sl, -1);
		refresh_one(v, p, i, k - k0, k, now, DUE_TIME, false);
		count_slot(sh, sl, 1);
		if (sl->row.ev.status == BS_FAILED || sl->row.ev.status == BS_LATE)
			watch(v, sh, k);
		/* Popped when its time came; else its entry stands, unless
		 * its instant moved. */
		if (was <= now || view_slot_due(sl) != was)
			view_due_push(sh, view_slot_due(sl), k);
	}
	/* Stale entries pile up only as instants move without their time
	 * coming: past view_due_bound(), the heap is made anew. */
	if (sh->ndue > view_due_bound(sh->n))
		view_due_remake(v, sh, k0, sh->n);
	sh->until = sh->ndue ? view_due_at(&sh->due[0]) : INT64_MAX;
}

/*
 * Whether shard i's new snapshot s may be walked chunk by chunk
 * (refresh_chunks): its slots were made of sh->snap, which has the same
 * billers in the same order (the same names_id; nothing to rank, key or
 * filter again), and the same holds and notes arrays, so that a record
 * both share keeps its hold's place and its acknowledgement.
 */
static bool chunks_comparable(const struct rebuild_plan *p,
			      const struct view_seen *sh, const struct snapshot *s)
{
	const struct snapshot *o = sh->snap;

	return !p->rekey && !p->refilter && o && o != s &&
	       o->nbillers == s->nbillers && s->names_id &&
	       o->names_id == s->names_id && sh->holds == s->holds &&
	       sh->nholds == s->nholds && o->notes == s->notes &&
	       o->nnotes == s->nnotes;
}

/*
 * Shard i's new snapshot of the same billers (chunks_comparable), its
 * first slot at k0.  A merge copies only the chunks of records holding a
 * changed or new biller and shares the others (core/snapshot.h): a chunk
 * that is the old snapshot's at the same place holds the very records its
 * slots were evaluated from, with nothing to move over or compare; only
 * the other chunks' billers go the way every biller of refresh_shard()
 * goes, each counted out of the shard's totals and back in.  What else
 * can change for the shared ones without a new record (an instant came,
 * someone acted: rerun_gen) is what refresh_due() looks at for a shard
 * with no new snapshot.  So a poll that changed 19 of 1,000 billers costs
 * about 18 chunks of 8, not 1,000 slots.
 */
static void refresh_chunks(struct view *v, struct rebuild_plan *p, size_t i,
			   size_t k0, int64_t now, bool acted_current)
{
	const struct snapshot *s = v->snaps[i], *o = v->seen[i].snap;
	struct view_seen *sh = &v->seen[i];

	for (size_t j0 = 0; j0 < s->nbillers; j0 += BILLER_CHUNK) {
		size_t j1 = j0 + BILLER_CHUNK < s->nbillers ? j0 + BILLER_CHUNK
							    : s->nbillers;

		if (s->chunks[j0 / BILLER_CHUNK] == o->chunks[j0 / BILLER_CHUNK]) {
			v->why.shared += j1 - j0;
			continue;
		}
		v->why.visited += j1 - j0;
		for (size_t j = j0; j < j1; j++) {
			struct view_slot *sl = &v->slots[k0 + j];
			int64_t was = view_slot_due(sl);

			count_slot(sh, sl, -1);
			refresh_one(v, p, i, j, k0 + j, now, DUE_MOVED, acted_current);
			count_slot(sh, sl, 1);
			if (sl->row.ev.status == BS_FAILED || sl->row.ev.status == BS_LATE)
				watch(v, sh, k0 + j);
			if (view_slot_due(sl) != was)
				view_due_push(sh, view_slot_due(sl), k0 + j);
		}
	}
	/* The copied chunks' slots are current already: what came of
	 * their instants, only found so. */
	refresh_due(v, p, i, k0, now, !acted_current);
}

/*
 * Every shard's slots, as the plan says.  A shard whose snapshot, holds
 * and history are the ones its slots were made of, with nothing to key or
 * filter again, before the earliest instant one of its slots must be
 * looked at again, has the same totals and rows; only whether someone
 * acted on its failed and late rows may have changed (the dashboard's
 * own reruns change it with no new snapshot): those alone are asked, when
 * rerun_gen changed.
 * So a rebuild costs the shards that changed, not the fleet.
 */
static void refresh_slots(struct view *v, struct rebuild_plan *p, int64_t now)
{
	/* Whether someone acted can change with no new snapshot only by the
	 * dashboard's own word, and then rerun_gen says so. */
	bool gen_known = !v->rerun_open || v->rerun_gen;
	uint64_t gen = v->rerun_open && v->rerun_gen ? v->rerun_gen(v->rerun_open_ctx) : 0;
	size_t k = 0;

	memset(&v->totals, 0, sizeof v->totals);
	v->nopen = 0;
	for (size_t i = 0; i < v->nsnaps; k += v->snaps[i] ? v->snaps[i]->nbillers : 0, i++) {
		const struct snapshot *s = v->snaps[i];
		struct view_seen *sh = &v->seen[i];
		enum due due = DUE_TIME;

		if (!s)
			continue;
		if (p->all || sh->hist != v->hist[i])
			due = DUE_ALL;
		else if (sh->snap != s || sh->holds != s->holds ||
			 sh->nholds != s->nholds)
			due = holds_sig(s) == sh->holds_sig ? DUE_MOVED : DUE_ALL;
		if (due == DUE_TIME && !p->rekey && !p->refilter && now < sh->until) {
			for (size_t w = 0; w < sh->nwatch &&
			     (!gen_known || gen != sh->acted_gen); w++)
				refresh_one(v, p, i, sh->watch[w] - k, sh->watch[w],
					    now, DUE_TIME, false);
			v->skipped++;
		} else if (due == DUE_TIME && !p->rekey && !p->refilter) {
			refresh_due(v, p, i, k, now, !gen_known || gen != sh->acted_gen);
			v->skipped++;
			v->due_only++;
		} else if (due == DUE_MOVED && chunks_comparable(p, sh, s)) {
			refresh_chunks(v, p, i, k, now,
				       gen_known && gen == sh->acted_gen);
		} else {
			refresh_shard(v, p, i, k, now, due,
				      gen_known && gen == sh->acted_gen);
		}
		sh->acted_gen = gen;
		add_totals(&v->totals, &sh->totals);
		v->nopen += sh->nopen;
	}
}

static void remember_inputs(struct view *v, int64_t now, size_t total)
{
	for (size_t i = 0; i < v->nsnaps; i++) {
		if (v->seen[i].snap != v->snaps[i]) {
			snapshot_unref(v->seen[i].snap);
			v->seen[i].snap = snapshot_ref(v->snaps[i]);
		}
		v->seen[i].hist = v->hist[i];
		v->seen[i].n = v->snaps[i] ? v->snaps[i]->nbillers : 0;
		v->seen[i].holds = v->snaps[i] ? v->snaps[i]->holds : NULL;
		v->seen[i].nholds = v->snaps[i] ? v->snaps[i]->nholds : 0;
		v->seen[i].holds_sig = v->snaps[i] ? holds_sig(v->snaps[i]) : 0;
	}
	v->nslots = total;
	v->primed = true;
	v->last_now = now;
	v->last_base = v->time_base;
	v->last_sort = v->sort;
	v->last_reverse = v->reverse;
	v->last_show_demo = v->show_demo;
	v->last_at_risk_pct = v->at_risk_pct;
	v->last_fc = v->fc;
	v->last_rerun_open = v->rerun_open;
	v->last_rerun_open_ctx = v->rerun_open_ctx;
	memcpy(v->last_filter, v->filter, sizeof v->filter);
}

/* How far back view_now() may step and still be taken as no step. */
#define VIEW_STEP_BACK_MS 10000

void view_rebuild(struct view *v, int64_t now)
{
	size_t total = 0;
	struct rebuild_plan p;

	/* view_now() follows the shard that answered last, and shards' clock
	 * estimates differ by their polls' latency (and their clocks' skew):
	 * it steps back by some ms whenever the freshest answer is a slower
	 * shard's.  An evaluation holds from its instant on, not before it,
	 * so a step back meant every biller of the fleet evaluated again
	 * (once a minute or more at 20 shards, bench-fleet): the view's time
	 * stands still instead.  A larger step (the clock was set back) is
	 * taken as it comes, and everything evaluated at it. */
	if (v->primed && now != BT_NO_TIME && now < v->last_now &&
	    v->last_now - now <= VIEW_STEP_BACK_MS)
		now = v->last_now;

	for (size_t i = 0; i < v->nsnaps; i++)
		if (v->snaps[i])
			total += v->snaps[i]->nbillers;
	ensure_cap(v, total);
	v->rebuilds++;
	p = plan_rebuild(v, now, total);
	/* Slots may hold other billers (ranked again, or every slot
	 * evaluated: a shard's count changed), or the filter changed: a
	 * reader's per-slot memory (struct row) starts again. */
	if (p.all || p.rekey || p.refilter) {
		v->reshaped = v->rebuilds;
		v->nchanges = 0;
		v->changes_gen = v->rebuilds;
	}
	refresh_slots(v, &p, now);
	/* Memo slots for the closes not closed (the open ones forecasts
	 * are asked about), not for every batch of the night: grown for the
	 * next rebuild, as growing drops its answers. */
	fc_memo_reserve(v->fc.memo, fc_memo_slots_for(v->nopen));
	if (p.refilter || total > (size_t)1 << 20 || p.nmoved > p.merge_max)
		view_sort_all(v, total);
	else if (p.nmoved)
		view_merge_moved(v, p.nnew, v->gone, p.ngone);
	remember_inputs(v, now, total);
	/* The countdowns tick for every row, evaluated or not: here, or
	 * when read. */
	if (!v->retime_on_read)
		view_retime(v, 0, v->nrows);
}

void view_retime(struct view *v, size_t from, size_t n)
{
	const struct sort_item *items = v->items;

	for (size_t i = from; i < v->nrows && i - from < n; i++)
		biller_eval_retime(&v->slots[items[i].idx].row.ev, v->last_now);
}
