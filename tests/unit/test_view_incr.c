/*
 * test_view_incr.c - the incremental rebuild (core/view.c) against a full
 * one, over a simulated hour.
 *
 * Two views get the same snapshots, histories and options.  One is rebuilt
 * the way the UI does it, once a "second", evaluating only what is due;
 * the other is invalidated before every rebuild, so it evaluates every
 * biller and sorts every row, and has no forecast memo: it is the plain
 * definition.  After every step their rows (order, billers, evaluations,
 * name ranks, whether someone acted) and totals must be the same.
 *
 * The night is random with a fixed seed: batches start, close, fail and
 * are rerun, new ones are scheduled, a poll brings a close whose attempts
 * or rerun request alone moved (a new record, the same input), holds come
 * and go, reruns are asked
 * for by the dashboard alone, billers appear, a history is read again,
 * the filter, sort and demo switch change, and time moves by a second, by
 * odd amounts of milliseconds, or straight to the instant a deadline
 * passes or a running close crosses the at-risk share of its window.  A
 * row whose next re-evaluation instant is computed wrong shows its old
 * status after that instant and fails the comparison.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ahead.h"
#include "core/arena.h"
#include "core/biller_status.h"
#include "core/config.h"
#include "core/forecast.h"
#include "core/hold.h"
#include "core/seen.h"
#include "core/snapshot.h"
#include "core/view.h"
#include "fixtures.h"

#define T0 fx_utc(2026, 3, 10, 2, 0)
#define NSHARDS 3
#define MAXB 48		/* billers per shard, at most */
#define MAXT 3		/* batches per biller, at most */
#define HOUR FX_HOUR(1)

static const char *const shard_names[NSHARDS] = { "eu1", "us-east", "apac" };

/* --- the night's model, from which snapshots are made ---------------------- */

struct mbatch {
	enum batch_state st;
	int64_t sched, deadline, started, finished;
	int attempts;
	int rerun;		/* a rerun request: 0 none, 1 pending, 2 done */
};

struct mbiller {
	int prio;
	bool demo;
	int nb;
	struct mbatch t[MAXT];
	bool asked;		/* the dashboard asked for a rerun itself */
};

struct mshard {
	struct mbiller b[MAXB];
	int n;
	int held;		/* biller with a hold on its closes, or -1 */
	uint64_t names_id;
};

struct world {
	struct mshard sh[NSHARDS];
	unsigned long long rng;
	int64_t now;
	int at_risk_pct;
	uint64_t asked_gen;	/* changes with every mbiller.asked */
};

static unsigned rnd(struct world *w, unsigned n)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return (unsigned)((w->rng >> 11) % n);
}

static void new_batch(struct world *w, struct mbatch *t, int64_t now)
{
	int64_t win = FX_MIN(20 + rnd(w, 40));
	unsigned roll = rnd(w, 10);

	t->sched = now - FX_MIN(90) + FX_SEC(rnd(w, 150 * 60));
	t->deadline = t->sched + win;
	t->started = t->finished = BT_NO_TIME;
	if (t->sched > now || roll < 3) {
		t->st = BATCH_SCHEDULED;
	} else if (roll < 8) {
		t->st = BATCH_RUNNING;
		t->started = t->sched + FX_SEC(rnd(w, 120));
		if (t->started > now)
			t->started = now;
	} else {
		t->st = BATCH_CLOSED;
		t->started = t->sched;
		t->finished = t->sched + FX_SEC(rnd(w, 3600));
		if (t->finished > now)
			t->finished = now;
	}
}

static void new_biller(struct world *w, struct mbiller *b, int64_t now)
{
	memset(b, 0, sizeof *b);
	b->prio = rnd(w, 8) ? (int)rnd(w, 4) : BT_NO_INT;
	b->demo = rnd(w, 12) == 0;
	b->nb = (int)rnd(w, MAXT + 1);
	for (int k = 0; k < b->nb; k++)
		new_batch(w, &b->t[k], now);
}

/* One biller's night moves on: a close starts, finishes, fails, is rerun,
 * takes another attempt and nothing else (bench-fleet's churn), or a new
 * one is scheduled. */
static void change_biller(struct world *w, struct mbiller *b, int64_t now)
{
	struct mbatch *t;

	if (b->nb && rnd(w, 4) == 0) {
		b->t[rnd(w, (unsigned)b->nb)].attempts++;
		return;
	}
	/* Someone asks the shard for a rerun of a failed close, or the shard
	 * ends it: the rerun column only, a new record otherwise the same. */
	for (int k = 0; k < b->nb; k++)
		if (b->t[k].st == BATCH_FAILED && rnd(w, 2) == 0) {
			b->t[k].rerun = (b->t[k].rerun + 1) % 3;
			return;
		}
	if (!b->nb || rnd(w, 6) == 0) {
		if (b->nb < MAXT)
			new_batch(w, &b->t[b->nb++], now);
		return;
	}
	t = &b->t[rnd(w, (unsigned)b->nb)];
	switch (t->st) {
	case BATCH_SCHEDULED:
		t->st = BATCH_RUNNING;
		t->started = now;
		break;
	case BATCH_RUNNING:
		t->st = rnd(w, 5) ? BATCH_CLOSED : BATCH_FAILED;
		t->finished = now;
		break;
	case BATCH_FAILED:
		t->st = BATCH_RUNNING;
		t->started = now;
		t->finished = BT_NO_TIME;
		break;
	default:
		b->prio = (int)rnd(w, 4);	/* a closed one: new priority */
		break;
	}
}

/* Shard i as a full poll reads it, or (only not NULL) as an incremental
 * poll does: only the billers marked, to be merged (snapshot_merge). */
static struct snapshot *make_part(struct world *w, int i, const bool *only)
{
	struct mshard *m = &w->sh[i];
	struct snapshot *s = fx_snapshot(i, shard_names[i], w->now, 1000 + i);
	char id[32], name[48];

	for (int j = 0; j < m->n; j++) {
		const struct mbiller *mb = &m->b[j];
		struct biller *b;

		if (only && !only[j])
			continue;
		snprintf(id, sizeof id, "%s-%02d", shard_names[i], j);
		/* Names repeat across shards: the rank's tie-breakers count. */
		snprintf(name, sizeof name, "Biller %c%d", 'A' + j % 7, j % 5);
		b = fx_add_biller(s, id, name, "UTC", mb->prio);
		b->is_demo = mb->demo;
		b->home = s->arena;	/* as the poller does: merges share it */
		for (int k = 0; k < mb->nb; k++) {
			const struct mbatch *t = &mb->t[k];
			struct batch *x = fx_add_batch(s, t->st, t->sched, t->deadline,
						       t->started, t->finished);
			char bid[40];

			/* Its own id, the same in every poll (the fixture
			 * numbers the snapshot's batches, which a poll of a
			 * few billers does not keep). */
			snprintf(bid, sizeof bid, "%s/%d", id, k);
			x->batch_id = fx_str(s, bid);
			x->attempts = t->attempts;
			if (t->rerun)
				fx_rerun(s, x, 100 + k, t->rerun == 1 ? "pending" : "done");
		}
	}
	if (m->held >= 0 && m->held < m->n) {
		struct hold *h = arena_alloc(s->arena, sizeof *h);

		memset(h, 0, sizeof *h);
		h->hold_id = 1;
		h->kind = HOLD_BATCH_CLOSE;
		snprintf(id, sizeof id, "%s-%02d", shard_names[i], m->held);
		h->biller_id = fx_str(s, id);
		h->placed_at = w->now;
		h->expires_at = h->ended_at = BT_NO_TIME;
		s->holds = h;
		s->nholds = 1;
		s->holds_read = true;
	}
	fx_seal(s);
	s->names_id = m->names_id;
	return s;
}

static struct snapshot *make_snapshot(struct world *w, int i)
{
	return make_part(w, i, NULL);
}

/* A history of 30 days of closes for billers of shard i (every one when
 * all, else every other one: the rest get the fixed rule), read at now. */
static struct fc_history *make_history(struct world *w, int i, bool all)
{
	struct fc_history *h = fc_history_new(i, w->now);
	char id[32], day[16];

	for (int j = 0; j < w->sh[i].n; j++) {
		if (!all && j % 2)
			continue;
		snprintf(id, sizeof id, "%s-%02d", shard_names[i], j);
		for (int d = 30; d >= 1; d--) {
			snprintf(day, sizeof day, "%d", -d);
			fc_history_add(h, id, day, "ach", "close",
				       FX_SEC(rnd(w, 600)), FX_MIN(5 + rnd(w, 50)));
		}
	}
	fc_history_finish(h);
	return h;
}

/* The dashboard's own word on reruns: what it asked for, or the shard's. */
static bool asked(const struct biller *b, void *ctx)
{
	struct world *w = ctx;
	int j = atoi(strrchr(b->biller_id, '-') + 1);

	return w->sh[b->shard_index].b[j].asked || view_rerun_open(b, NULL);
}

static uint64_t asked_gen(void *ctx)
{
	return ((struct world *)ctx)->asked_gen;
}

/* --- the two views ---------------------------------------------------------- */

static void both_snapshot(struct view *a, struct view *b, struct world *w, int i)
{
	struct snapshot *s = make_snapshot(w, i);

	view_set_snapshot(a, (size_t)i, s);
	view_set_snapshot(b, (size_t)i, s);
	snapshot_unref(s);
}

/* An incremental poll: the changed billers merged into the last snapshot,
 * the others' batches handed on byte for byte. */
static void both_delta(struct view *a, struct view *b, struct world *w, int i,
		       const bool *changed)
{
	struct snapshot *s = snapshot_merge(a->snaps[i], make_part(w, i, changed));

	view_set_snapshot(a, (size_t)i, s);
	view_set_snapshot(b, (size_t)i, s);
	snapshot_unref(s);
}

static void both_history(struct view *a, struct view *b, struct world *w, int i,
			 bool all)
{
	struct fc_history *h = make_history(w, i, all);

	view_set_history(a, (size_t)i, h);
	view_set_history(b, (size_t)i, h);
	fc_history_unref(h);
}

static void expect_same(const struct view *inc, const struct view *ref,
			int step, int64_t now)
{
	if (inc->nrows != ref->nrows ||
	    memcmp(&inc->totals, &ref->totals, sizeof inc->totals)) {
		print_error("step %d (T0%+lld ms): %zu rows or totals differ from "
			    "%zu rows of the full rebuild\n", step,
			    (long long)(now - T0), inc->nrows, ref->nrows);
		/* Side by side: the first line that differs names the row. */
		for (size_t i = 0; i < inc->nrows || i < ref->nrows; i++)
			print_error("  %s %s | %s %s filter '%s'\n",
				    i < inc->nrows ? view_row(inc, i)->b->biller_id : "-",
				    i < inc->nrows ? biller_status_label(view_row(inc, i)->ev.status) : "-",
				    i < ref->nrows ? view_row(ref, i)->b->biller_id : "-",
				    i < ref->nrows ? biller_status_label(view_row(ref, i)->ev.status) : "-",
				    inc->filter);
		fail();
	}
	for (size_t i = 0; i < ref->nrows; i++) {
		const struct row *x = view_row(inc, i), *y = view_row(ref, i);

		if (x->b != y->b || x->rank != y->rank || x->acted != y->acted ||
		    x->ev.status != y->ev.status || x->ev.focus != y->ev.focus ||
		    x->ev.time_left != y->ev.time_left ||
		    x->ev.permille != y->ev.permille || x->ev.hold != y->ev.hold ||
		    x->ev.by_forecast != y->ev.by_forecast) {
			print_error("step %d (T0%+lld ms), row %zu: %s %s (%d, "
				    "left %lld, pm %d) where the full rebuild has "
				    "%s %s (%d, left %lld, pm %d)\n", step,
				    (long long)(now - T0), i, x->b->biller_id,
				    biller_status_label(x->ev.status), x->acted,
				    (long long)x->ev.time_left, x->ev.permille,
				    y->b->biller_id, biller_status_label(y->ev.status),
				    y->acted, (long long)y->ev.time_left,
				    y->ev.permille);
			fail();
		}
	}
}

/* The header's "will miss", kept per biller by the incremental rebuild
 * (totals.misses), against a count of every close afresh at now with no
 * memo (ahead_count_misses() on the reference view): a count kept past a
 * deadline, a forecast's change or a new snapshot shows here. */
static void expect_misses(const struct view *inc, const struct view *ref,
			  int step, int64_t now, size_t *with)
{
	size_t direct = ahead_count_misses(ref, now);

	if ((size_t)inc->totals.misses != direct) {
		print_error("step %d (T0%+lld ms): %d predicted misses kept, "
			    "%zu counted afresh\n", step, (long long)(now - T0),
			    inc->totals.misses, direct);
		fail();
	}
	*with += direct > 0;
}

/* The "new since" count of the grid (seen_observe_view(), which observes
 * only the rows the view says changed) against seen_observe() of every
 * row into a table of its own, at every step. */
struct seen_pair {
	struct seen every, inc;
	struct seen_rows rows;
	size_t with;		/* steps with rows marked */
	size_t passes;		/* seen_observe_view() calls */
};

static void expect_seen(struct seen_pair *sp, const struct view *v, int step,
			int64_t mono)
{
	size_t direct = 0, kept;

	for (size_t i = 0; i < v->nrows; i++)
		direct += seen_observe(&sp->every, view_row(v, i)->b->shard_index,
				       view_row(v, i)->b->biller_id,
				       view_row(v, i)->ev.status, mono).changed;
	kept = seen_observe_view(&sp->inc, &sp->rows, v, mono);
	sp->passes++;
	if (kept != direct) {
		print_error("step %d: %zu rows marked new kept, %zu observing "
			    "every row\n", step, kept, direct);
		fail();
	}
	sp->with += direct > 0;
}

/* The reference moves for both: `c`, or a key and its quiet minute. */
static void move_seen(struct seen_pair *sp, struct world *w, int64_t mono)
{
	unsigned roll = rnd(w, 100);

	if (roll == 0) {
		seen_mark_all(&sp->every, mono, w->now);
		seen_mark_all(&sp->inc, mono, w->now);
	} else if (roll < 4) {
		seen_key(&sp->every, mono, w->now);
		seen_key(&sp->inc, mono, w->now);
	}
	seen_tick(&sp->every, mono);
	seen_tick(&sp->inc, mono);
}

/* The next "interesting" instant after now: a deadline, or where a
 * running close's share of its window passes at_risk_pct; 0 if none. */
static int64_t next_edge(struct world *w)
{
	struct mshard *m = &w->sh[rnd(w, NSHARDS)];
	struct mbiller *b;
	struct mbatch *t;
	int64_t at;

	if (!m->n)
		return 0;
	b = &m->b[rnd(w, (unsigned)m->n)];
	if (!b->nb)
		return 0;
	t = &b->t[rnd(w, (unsigned)b->nb)];
	if (rnd(w, 2))
		at = t->deadline;
	else
		at = t->sched + (t->deadline - t->sched) * w->at_risk_pct / 100;
	/* The instant itself, or a millisecond either side. */
	at += (int64_t)rnd(w, 3) - 1;
	return at > w->now && at - w->now < FX_MIN(5) ? at : 0;
}

/* Mostly forward; now and then back by up to three seconds, as the
 * clock estimate steps when a slower shard answered last (the view's
 * time then stands: the rows are compared at inc.last_now). */
static void step_time(struct world *w)
{
	unsigned roll = rnd(w, 20);
	int64_t at = 0;

	if (roll < 4)
		at = next_edge(w);
	if (!at)
		at = w->now + (roll < 14 ? FX_SEC(1) : 1 + (int64_t)rnd(w, 30000));
	if (rnd(w, 25) == 0)
		at = w->now - 1 - (int64_t)rnd(w, 3000);
	w->now = at;
}

static void change_world(struct view *inc, struct view *ref, struct world *w)
{
	static const char *const filters[] = { "", "at risk", "late", "us-east", "biller a" };
	static const enum sort_key sorts[] = { SORT_RISK, SORT_TIME_LEFT, SORT_NAME,
					       SORT_PRIORITY, SORT_SHARD };

	for (int i = 0; i < NSHARDS; i++) {
		struct mshard *m = &w->sh[i];
		bool changed = false, which[MAXB] = { false };

		if (rnd(w, 4))
			continue;	/* this shard's poll brought nothing */
		for (int c = (int)rnd(w, 4); c > 0 && m->n; c--, changed = true) {
			int j = (int)rnd(w, (unsigned)m->n);

			change_biller(w, &m->b[j], w->now);
			which[j] = true;
		}
		if (rnd(w, 10) == 0) {
			m->held = m->held >= 0 ? -1 : (int)rnd(w, (unsigned)m->n);
			changed = true;
		}
		if (rnd(w, 40) == 0 && m->n < MAXB) {
			which[m->n] = true;
			new_biller(w, &m->b[m->n++], w->now);
			m->names_id = snapshot_names_id_new();
			changed = true;
		}
		/* Mostly incremental polls; now and then a full one, or one
		 * that re-read the same rows (new strings, same values). */
		if (rnd(w, 5) == 0)
			both_snapshot(inc, ref, w, i);
		else if (changed || rnd(w, 2) == 0)
			both_delta(inc, ref, w, i, which);
	}
	if (rnd(w, 30) == 0) {		/* the dashboard asks for a rerun */
		struct mshard *m = &w->sh[rnd(w, NSHARDS)];

		if (m->n) {
			m->b[rnd(w, (unsigned)m->n)].asked ^= true;
			w->asked_gen++;
		}
	}
	if (rnd(w, 150) == 0)
		both_history(inc, ref, w, 1, true);
	if (rnd(w, 40) == 0) {
		const char *f = filters[rnd(w, sizeof filters / sizeof filters[0])];

		view_set_filter(inc, f);
		view_set_filter(ref, f);
	}
	if (rnd(w, 60) == 0)
		inc->sort = ref->sort = sorts[rnd(w, sizeof sorts / sizeof sorts[0])];
	if (rnd(w, 80) == 0)
		inc->reverse = ref->reverse = !inc->reverse;
	if (rnd(w, 80) == 0)
		inc->show_demo = ref->show_demo = !inc->show_demo;
}

static void init(struct view *v, int64_t stale_s)
{
	struct config cfg;

	config_defaults(&cfg);
	view_init(v, NSHARDS, &cfg);
	config_free(&cfg);
	v->fc.stale_ms = stale_s * 1000;	/* goes stale within the hour */
}

static void run_night(unsigned long long seed, bool with_gen)
{
	struct world *w = calloc(1, sizeof *w);
	struct view inc, ref;
	struct seen_pair *sp, *rare;
	size_t steps = 0, with_misses = 0, back = 0;

	assert_non_null(w);
	w->rng = seed;
	w->now = T0;
	init(&inc, 1500);
	init(&ref, 1500);
	w->at_risk_pct = inc.at_risk_pct;
	/* The plain definition: every forecast computed afresh. */
	fc_memo_free(ref.fc.memo);
	ref.fc.memo = NULL;
	/* As the TUI has it: the countdowns are brought to now when read
	 * (here, every row before the comparison). */
	inc.retime_on_read = true;
	inc.rerun_open = ref.rerun_open = asked;
	/* The incremental view asks its skipped shards only when this moved
	 * (without it: at every rebuild). */
	if (with_gen)
		inc.rerun_gen = asked_gen;
	inc.rerun_open_ctx = ref.rerun_open_ctx = w;
	for (int i = 0; i < NSHARDS; i++) {
		w->sh[i].n = 24 + (int)rnd(w, MAXB - 24);
		w->sh[i].held = -1;
		w->sh[i].names_id = snapshot_names_id_new();
		for (int j = 0; j < w->sh[i].n; j++)
			new_biller(w, &w->sh[i].b[j], w->now);
		both_snapshot(&inc, &ref, w, i);
	}
	both_history(&inc, &ref, w, 1, true);
	both_history(&inc, &ref, w, 2, false);

	/* Monotonic time for the marks: the shard clock, less a minute so
	 * that a quiet minute passes within the hour. */
	sp = calloc(1, sizeof *sp);
	assert_non_null(sp);
	seen_init(&sp->every, w->now, w->now);
	seen_init(&sp->inc, w->now, w->now);
	sp->every.quiet_ms = sp->inc.quiet_ms = FX_MIN(2);
	/* A reader seldom called, whose reference never moves: many
	 * rebuilds' changes read from the log at once. */
	rare = calloc(1, sizeof *rare);
	assert_non_null(rare);
	seen_init(&rare->every, w->now, w->now);
	seen_init(&rare->inc, w->now, w->now);
	while (w->now < T0 + HOUR) {
		view_rebuild(&inc, w->now);
		view_invalidate(&ref);
		view_rebuild(&ref, inc.last_now);
		view_retime(&inc, 0, inc.nrows);
		expect_same(&inc, &ref, (int)steps, inc.last_now);
		expect_misses(&inc, &ref, (int)steps, inc.last_now, &with_misses);
		back += inc.last_now != w->now;
		if (rnd(w, 3) == 0)	/* the grid's pass, once a second */
			expect_seen(sp, &inc, (int)steps, w->now);
		if (steps % 37 == 36)
			expect_seen(rare, &inc, (int)steps, w->now);
		move_seen(sp, w, w->now);
		steps++;
		step_time(w);
		change_world(&inc, &ref, w);
	}
	/* It was incremental: far fewer evaluations than the full one, and
	 * shards skipped whole. */
	print_message("seed %llx: %zu steps, %zu evaluations against %zu, "
		      "%zu shards skipped (%zu with their due slots looked at), "
		      "rows marked new at %zu passes, %zu evaluations kept for "
		      "the same input, %zu billers of new snapshots in shared "
		      "chunks against %zu visited\n",
		      seed, steps, inc.evals, ref.evals, inc.skipped, inc.due_only,
		      sp->with, inc.why.kept, inc.why.shared, inc.why.visited);
	assert_true(steps > 300);
	assert_true(inc.evals * 3 < ref.evals);
	assert_true(inc.why.kept > 50);
	/* New snapshots were walked chunk by chunk (view.c, refresh_chunks),
	 * and the rows were still a full rebuild's. */
	assert_true(inc.why.shared > 1000);
	assert_true(back > 5);	/* the clock stepped back, and stood */
	/* Shards whose time came had only their due slots looked at. */
	assert_true(inc.due_only * 10 > steps);
	assert_int_equal(inc.why.all + inc.why.changed + inc.why.time, inc.evals);
	assert_true(inc.skipped * 4 > steps);
	assert_true(sp->with > 10);
	/* Most passes read only the rows the view logged as changed. */
	print_message("seed %llx: %zu of %zu passes observed every row, %zu "
		      "read every slot\n", seed, sp->rows.full, sp->passes,
		      sp->rows.scans);
	assert_true(sp->rows.full > 0 && sp->rows.full * 2 < sp->passes);
	seen_free(&rare->every);
	seen_free(&rare->inc);
	seen_rows_free(&rare->rows);
	free(rare);
	seen_free(&sp->every);
	seen_free(&sp->inc);
	seen_rows_free(&sp->rows);
	free(sp);
	/* The night had predicted misses to count, most of the time. */
	print_message("seed %llx: misses predicted at %zu steps\n", seed, with_misses);
	assert_true(with_misses * 2 > steps);
	view_free(&inc);
	view_free(&ref);
	free(w);
}

static void test_incremental_matches_full(void **state)
{
	(void)state;
	run_night(0x9E3779B97F4A7C15ULL, true);
	run_night(0xD1B54A32D192ED03ULL, true);
	run_night(0x2545F4914F6CDD1DULL, false);
}

/* A second passing with nothing new evaluates nothing and keeps the
 * order; the countdowns still tick. */
/* The "new since" count once more billers changed between two calls than
 * the view's log of changes holds (3,000 running closes all turned late
 * while nobody looked): every slot is read, and the count is the one
 * observing every row gives; then the log serves again. */
static void test_seen_after_log_fills(void **state)
{
	struct snapshot *s = fx_snapshot(0, "s0", T0, T0);
	struct seen_pair *sp = calloc(1, sizeof *sp);
	struct view v;
	char id[16];

	(void)state;
	assert_non_null(sp);
	init(&v, 0);
	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof id, "B-%05d", i);
		fx_add_biller(s, id, id, "UTC", 1);
		/* Late at T0 + 40 min, the even ones; the odd at + 60 min. */
		fx_add_batch(s, BATCH_RUNNING, T0 - FX_MIN(1),
			     T0 + FX_MIN(i % 2 ? 60 : 40), T0 - FX_MIN(1),
			     BT_NO_TIME);
	}
	view_set_snapshot(&v, 0, fx_seal(s));
	snapshot_unref(s);
	seen_init(&sp->every, T0, T0);
	seen_init(&sp->inc, T0, T0);
	view_rebuild(&v, T0);
	expect_seen(sp, &v, 0, T0);
	assert_int_equal(sp->rows.full, 1);
	view_rebuild(&v, T0 + FX_MIN(50));	/* 1,500 late: more than the log */
	assert_true(v.changes_cap < 1500);
	expect_seen(sp, &v, 1, T0 + FX_MIN(50));
	assert_int_equal(sp->rows.scans, 1);
	view_rebuild(&v, T0 + FX_MIN(70));	/* 1,500 more, in two rebuilds */
	view_rebuild(&v, T0 + FX_MIN(71));
	expect_seen(sp, &v, 2, T0 + FX_MIN(71));
	assert_int_equal(sp->rows.scans, 2);
	/* A few at a time: read from the log alone. */
	view_rebuild(&v, T0 + FX_MIN(72));
	expect_seen(sp, &v, 3, T0 + FX_MIN(72));
	assert_int_equal(sp->rows.full, 1);
	assert_int_equal(sp->rows.scans, 2);
	assert_true(sp->with >= 3);
	seen_free(&sp->every);
	seen_free(&sp->inc);
	seen_rows_free(&sp->rows);
	free(sp);
	view_free(&v);
}

static void test_steady_second_evaluates_nothing(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	struct view v;
	size_t evals;
	int64_t left;

	(void)state;
	assert_non_null(w);
	w->rng = 42;
	w->now = T0;
	init(&v, 0);
	w->sh[0].n = 1;
	w->sh[0].held = -1;
	w->sh[0].b[0].nb = 1;
	w->sh[0].b[0].prio = 1;
	/* Running, 10% of a 40-minute window used: at risk at 75%. */
	w->sh[0].b[0].t[0] = (struct mbatch){ BATCH_RUNNING, T0 - FX_MIN(4),
					      T0 + FX_MIN(36), T0 - FX_MIN(4),
					      BT_NO_TIME, 0, 0 };
	{
		struct snapshot *s = make_snapshot(w, 0);

		view_set_snapshot(&v, 0, s);
		snapshot_unref(s);
	}
	view_rebuild(&v, T0);
	assert_int_equal(v.nrows, 1);
	assert_int_equal(view_row(&v, 0)->ev.status, BS_RUNNING);
	left = view_row(&v, 0)->ev.time_left;
	evals = v.evals;
	view_rebuild(&v, T0 + FX_SEC(1));
	assert_int_equal(v.evals, evals);
	assert_int_equal(view_row(&v, 0)->ev.time_left, left - FX_SEC(1));
	/* The clock estimate steps back a little (another shard answered
	 * last): the view's time stands, nothing is evaluated. */
	view_rebuild(&v, T0 + 500);
	assert_int_equal(v.evals, evals);
	assert_true(v.last_now == T0 + FX_SEC(1));
	assert_int_equal(view_row(&v, 0)->ev.time_left, left - FX_SEC(1));
	/* Set back by a minute: taken as it is, every biller evaluated. */
	view_rebuild(&v, T0 - FX_MIN(1));
	assert_int_equal(v.evals, evals + 1);
	assert_true(v.last_now == T0 - FX_MIN(1));
	assert_int_equal(view_row(&v, 0)->ev.time_left, left + FX_MIN(1));
	view_rebuild(&v, T0 + FX_SEC(1));
	evals = v.evals;
	/* More than 75% of the window is 751 permille of 40 minutes:
	 * 30:02.4 after the start, 26:02.4 from T0, to the millisecond. */
	assert_int_equal(v.at_risk_pct, 75);
	view_rebuild(&v, T0 + FX_SEC(26 * 60 + 2) + 399);
	assert_int_equal(v.evals, evals);
	assert_int_equal(view_row(&v, 0)->ev.status, BS_RUNNING);
	assert_int_equal(view_row(&v, 0)->ev.permille, 750);
	view_rebuild(&v, T0 + FX_SEC(26 * 60 + 2) + 400);
	assert_int_equal(v.evals, evals + 1);
	assert_int_equal(view_row(&v, 0)->ev.status, BS_AT_RISK);
	assert_int_equal(view_row(&v, 0)->ev.permille, 751);
	view_free(&v);
	free(w);
}

/* Two closes at risk by the fixed rule, their windows used at different
 * rates: which one decides the row changes with no new data, between
 * deadlines, and the row shows the riskier one. */
static void test_two_risks_change_focus(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	struct mbiller *b;
	struct snapshot *s;
	struct view v;

	(void)state;
	assert_non_null(w);
	w->now = T0;
	init(&v, 0);
	w->sh[0].n = 1;
	w->sh[0].held = -1;
	b = &w->sh[0].b[0];
	b->nb = 2;
	/* 800 permille of an hour at T0, 866 at T0+4min. */
	b->t[0] = (struct mbatch){ BATCH_RUNNING, T0 - FX_MIN(48), T0 + FX_MIN(12),
				   T0 - FX_MIN(48), BT_NO_TIME, 0, 0 };
	/* 775 permille of 40 minutes at T0, 875 at T0+4min. */
	b->t[1] = (struct mbatch){ BATCH_RUNNING, T0 - FX_MIN(31), T0 + FX_MIN(9),
				   T0 - FX_MIN(31), BT_NO_TIME, 0, 0 };
	s = make_snapshot(w, 0);
	view_set_snapshot(&v, 0, s);
	view_rebuild(&v, T0);
	assert_int_equal(view_row(&v, 0)->ev.status, BS_AT_RISK);
	assert_ptr_equal(view_row(&v, 0)->ev.focus, &snapshot_biller(s, 0)->batches[0]);
	view_rebuild(&v, T0 + FX_MIN(4));
	assert_int_equal(view_row(&v, 0)->ev.status, BS_AT_RISK);
	assert_ptr_equal(view_row(&v, 0)->ev.focus, &snapshot_biller(s, 0)->batches[1]);
	assert_int_equal(view_row(&v, 0)->ev.permille, 875);
	snapshot_unref(s);
	view_free(&v);
	free(w);
}

/* A poll whose only news of a biller is another attempt of a close: a
 * new record, parsed anew, with the same states and times.  Its
 * evaluation, its forecasts and the instant it is due stand (no
 * evaluation, no forecast asked), its row shows the new record, and the
 * rows are those of a rebuild from scratch. */
static void test_attempts_only_keeps_evaluation(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	struct view v, ref;
	struct fc_memo_counts c0, c1;
	size_t evals;
	bool which[MAXB] = { false };

	(void)state;
	assert_non_null(w);
	w->rng = 7;
	w->now = T0;
	init(&v, 0);
	init(&ref, 0);
	fc_memo_free(ref.fc.memo);
	ref.fc.memo = NULL;
	w->sh[1].n = 8;
	w->sh[1].held = -1;
	w->sh[1].names_id = snapshot_names_id_new();
	for (int j = 0; j < 8; j++) {
		struct mbiller *b = &w->sh[1].b[j];

		b->prio = j % 3;
		b->nb = 2;
		/* One running, one waiting: both forecast (shard 1 has a
		 * history of every biller). */
		b->t[0] = (struct mbatch){ BATCH_RUNNING, T0 - FX_MIN(10 + j),
					   T0 + FX_MIN(35 - j), T0 - FX_MIN(10 + j),
					   BT_NO_TIME, 1, 0 };
		b->t[1] = (struct mbatch){ BATCH_SCHEDULED, T0 + FX_MIN(5 * j),
					   T0 + FX_MIN(5 * j + 45), BT_NO_TIME,
					   BT_NO_TIME, 0, 0 };
	}
	both_snapshot(&v, &ref, w, 1);
	both_history(&v, &ref, w, 1, true);
	view_rebuild(&v, w->now);
	evals = v.evals;
	c0 = fc_memo_counts(v.fc.memo);

	w->now += FX_SEC(1);
	w->sh[1].b[3].t[0].attempts++;
	w->sh[1].b[5].t[1].attempts++;
	which[3] = which[5] = true;
	both_delta(&v, &ref, w, 1, which);
	view_rebuild(&v, w->now);
	c1 = fc_memo_counts(v.fc.memo);
	assert_int_equal(v.evals, evals);
	assert_int_equal(v.why.kept, 2);
	assert_true(c1.hits == c0.hits && c1.absent == c0.absent &&
		    c1.expired == c0.expired);
	/* Every row's focus is a batch of its own record, moved over. */
	for (size_t i = 0; i < v.nrows; i++)
		assert_true(view_row(&v, i)->ev.focus >= view_row(&v, i)->b->batches &&
			    view_row(&v, i)->ev.focus < view_row(&v, i)->b->batches +
						 view_row(&v, i)->b->nbatches);
	view_rebuild(&ref, w->now);
	view_retime(&v, 0, v.nrows);
	expect_same(&v, &ref, 1, w->now);
	{
		long i = view_find(&v, 1, "us-east-03");

		assert_true(i >= 0);
		assert_int_equal(view_row(&v, i)->b->batches[0].attempts, 2);
		assert_ptr_equal(view_row(&v, i)->b, snapshot_biller(v.snaps[1], 3));
	}
	/* A change it reads is evaluated: the waiting close starts. */
	w->now += FX_SEC(1);
	w->sh[1].b[3].t[1].st = BATCH_RUNNING;
	w->sh[1].b[3].t[1].started = w->now;
	memset(which, 0, sizeof which);
	which[3] = true;
	both_delta(&v, &ref, w, 1, which);
	view_rebuild(&v, w->now);
	assert_int_equal(v.evals, evals + 1);
	assert_int_equal(v.why.changed, 1);
	view_invalidate(&ref);
	view_rebuild(&ref, w->now);
	view_retime(&v, 0, v.nrows);
	expect_same(&v, &ref, 2, w->now);
	view_free(&v);
	view_free(&ref);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incremental_matches_full),
		cmocka_unit_test(test_steady_second_evaluates_nothing),
		cmocka_unit_test(test_two_risks_change_focus),
		cmocka_unit_test(test_attempts_only_keeps_evaluation),
		cmocka_unit_test(test_seen_after_log_fills),
	};

	if (!fx_utf8_locale())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
