/*
 * bench_fleet_view.c - the UI's work per view rebuild at fleet scale:
 * 100 shards x 1,000 billers, about 25 shards' snapshots new at every
 * rebuild, 5 rebuilds a simulated second (scripts/bench-fleet's shape:
 * NOTIFYs bring each shard's poll to once a second, and the UI takes the
 * snapshots at most every 200 ms, src/ui/ui.c).
 *
 * Each shard's night is a model (states and times per batch) from which
 * snapshots are made as the poller makes them: every biller in a home
 * block of its own (core/snapshot.h), a poll's changed billers parsed
 * anew and merged into the last snapshot (snapshot_merge), the others'
 * records handed on.  A new snapshot changes about 1% of its shard's
 * batches (a close starts, finishes, fails).  Each shard has a history
 * of 30 closes per biller, so forecasts decide what is at risk.  It runs
 * twice: with that churn, then with scripts/bench-fleet's (a poll's
 * changed billers have only a batch's attempts moved: a new record with
 * the same states and times); with "states" or "attempts" as its
 * argument, only that one.
 *
 * Per rebuild it times, in CPU time of this process (the machine is
 * shared): view_rebuild(), and the grid screen's update and draw into an
 * off-screen 200x50 terminal, as the UI loop does after a rebuild.  It
 * prints ms per rebuild and per simulated second; the latter over 10 is
 * the per cent of a core the UI thread would spend, and why billers were
 * evaluated and forecasts made.  Exits 0; non-zero only when the setup
 * fails.
 */
#include "autoconf.h"

#include "bench_setup.h"
#include "core/arena.h"
#include "screens/screens.h"
#include "ui/draw.h"

#define NSHARDS 100
#define NBILLERS 1000		/* per shard */
#define MAXT 3			/* batches per biller, at most */
#define PER_SECOND 5		/* rebuilds */
#define NEW_PER_REBUILD 25	/* shards with a new snapshot */
#define WARMUP_S 5
#define SECONDS 40		/* measured, after the warm-up */
#define TERM_ROWS 50
#define TERM_COLS 200

/* --- the night's model ------------------------------------------------------ */

struct mbatch {
	enum batch_state st;
	int attempts;
	int64_t sched, deadline, started, finished;
};

/* What a poll's changed billers changed: a close's state, or (bench-fleet's
 * churn) only its attempts. */
enum churn { CHURN_STATES, CHURN_ATTEMPTS };

struct mbiller {
	int prio, nb;
	struct mbatch t[MAXT];
};

struct mshard {
	char name[16];
	struct mbiller b[NBILLERS];
	struct snapshot *snap;	/* the last one made */
};

static unsigned long long rng = 0x2545F4914F6CDD1DULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)((rng >> 11) % n);
}

/* A batch in the middle of a close night: half closed, a quarter
 * running, most of the rest waiting, a few failed. */
static void new_batch(struct mbatch *t, int64_t now)
{
	const int64_t win = FX_MIN(45);
	unsigned roll = rnd(1000);

	t->started = t->finished = BT_NO_TIME;
	t->attempts = 1;
	if (roll < 500) {
		t->sched = now - FX_MIN(60 + rnd(120));
		t->st = BATCH_CLOSED;
		t->started = t->sched;
		t->finished = t->sched + FX_SEC(300 + rnd(2300));
	} else if (roll < 740) {
		t->sched = now - FX_SEC(rnd(40 * 60));
		t->st = BATCH_RUNNING;
		t->started = t->sched;
	} else if (roll < 990) {
		t->sched = now + FX_SEC(rnd(90 * 60)) - FX_MIN(2);
		t->st = BATCH_SCHEDULED;
	} else {
		t->sched = now - FX_MIN(30 + rnd(60));
		t->st = BATCH_FAILED;
		t->started = t->sched;
		t->finished = t->sched + FX_MIN(1 + rnd(20));
	}
	t->deadline = t->sched + win;
}

/* One poll's worth of news for a biller: a close starts, finishes or
 * fails; one that has closed is left alone. */
static void change_biller(struct mbiller *b, int64_t now, enum churn churn)
{
	struct mbatch *t;

	if (!b->nb)
		return;
	t = &b->t[rnd((unsigned)b->nb)];
	if (churn == CHURN_ATTEMPTS) {
		t->attempts++;
	} else if (t->st == BATCH_SCHEDULED) {
		t->st = BATCH_RUNNING;
		t->started = now;
	} else if (t->st == BATCH_RUNNING) {
		t->st = rnd(20) ? BATCH_CLOSED : BATCH_FAILED;
		t->finished = now;
	} else {
		b->prio = (int)rnd(6);
	}
}

/* Biller b of s moved into a home block of its own with copies of its
 * strings and batch records, as the poller builds one: a later merge
 * hands it on with no reference to s's arena. */
static void rehome(struct biller *b, const char *shard)
{
	struct arena *a = arena_new();
	struct batch *t = b->nbatches ? arena_alloc(a, b->nbatches * sizeof *t) : NULL;

	for (size_t k = 0; k < b->nbatches; k++) {
		struct batch_kind *w = arena_alloc(a, sizeof *w);

		t[k] = b->batches[k];
		t[k].batch_id = arena_strdup(a, t[k].batch_id);
		*w = *t[k].kind;
		w->business_day = arena_strdup(a, w->business_day);
		w->status = arena_strdup(a, w->status);
		/* Interned by the poller: the same address every poll. */
		w->payment_type = "ach";
		w->module = "close";
		t[k].kind = w;
	}
	b->biller_id = arena_strdup(a, b->biller_id);
	b->name = arena_strdup(a, b->name);
	b->timezone = "UTC";
	b->shard = shard;
	b->batches = t;
	b->home = a;
	biller_summarize(b);	/* as the poller does, with its home */
}

/* Shard i's billers (all, or those marked in only) as a poll parses them. */
static struct snapshot *make_part(struct mshard *m, int i, const bool *only,
				  int64_t now)
{
	struct snapshot *s = fx_snapshot(i, m->name, now, 0);
	char id[24], name[48];

	for (int j = 0; j < NBILLERS; j++) {
		const struct mbiller *mb = &m->b[j];
		struct biller *b;

		if (only && !only[j])
			continue;
		snprintf(id, sizeof id, "B-%03d-%04d", i, j);
		snprintf(name, sizeof name, "Biller %c%c %d", 'A' + j % 26,
			 'a' + (j / 26) % 26, i);
		b = fx_add_biller(s, id, name, "UTC", mb->prio);
		b->is_demo = j % 50 == 7;
		for (int k = 0; k < mb->nb; k++) {
			struct batch *t = fx_add_batch(s, mb->t[k].st, mb->t[k].sched,
						       mb->t[k].deadline, mb->t[k].started,
						       mb->t[k].finished);
			char bid[32];

			/* The batch's own id, as every poll reads it (the
			 * fixture numbers batches in the snapshot's order,
			 * which a poll's few changed billers do not keep). */
			snprintf(bid, sizeof bid, "%s-%d", id, k);
			t->batch_id = fx_str(s, bid);
			t->attempts = mb->t[k].attempts;
		}
	}
	fx_seal(s);
	for (size_t j = 0; j < s->nbillers; j++)
		rehome(snapshot_biller_w(s, j), m->name);
	return s;
}

/* 30 business days of closes of 5 to 44 minutes for every biller. */
static struct fc_history *make_history(int i, int64_t now)
{
	struct fc_history *h = fc_history_new(i, now);
	char id[24];

	for (int j = 0; j < NBILLERS; j++) {
		snprintf(id, sizeof id, "B-%03d-%04d", i, j);
		bench_history_add(h, (size_t)j, id, "ach", "close");
	}
	fc_history_finish(h);
	return h;
}

/* A poll of shard i: about 1% of its batches changed, merged. */
static void poll_shard(struct view *v, struct mshard *m, int i, int64_t now,
		       enum churn churn)
{
	static bool which[NBILLERS];
	struct snapshot *d, *s;

	memset(which, 0, sizeof which);
	for (int c = 0; c < NBILLERS / 50; c++) {
		int j = (int)rnd(NBILLERS);

		change_biller(&m->b[j], now, churn);
		which[j] = true;
	}
	d = make_part(m, i, which, now);
	s = snapshot_merge(m->snap, d);
	s->server_now = now;
	snapshot_unref(m->snap);
	m->snap = s;
	view_set_snapshot(v, (size_t)i, s);
}

/* --- timing ----------------------------------------------------------------- */

static void print_stats(const char *what, double *v, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += v[i];
	qsort(v, n, sizeof *v, bench_cmp_double);
	printf("  %-22s mean %7.3f  median %7.3f  p95 %7.3f  max %7.3f ms\n",
	       what, sum / (double)n, v[n / 2], v[(n * 95) / 100], v[n - 1]);
}

/* The fleet's night at now, its first snapshots and histories in the
 * view of app. */
static void night(struct app *app, struct config *cfg, struct mshard *sh,
		  int64_t now)
{
	const char *names[NSHARDS];

	for (int i = 0; i < NSHARDS; i++) {
		snprintf(sh[i].name, sizeof sh[i].name, "shard-%03d", i);
		names[i] = sh[i].name;
		for (int j = 0; j < NBILLERS; j++) {
			struct mbiller *b = &sh[i].b[j];

			b->prio = rnd(10) ? (int)rnd(6) : BT_NO_INT;
			b->nb = rnd(100) < 3 ? 0 : 1 + (int)rnd(MAXT);
			for (int k = 0; k < b->nb; k++)
				new_batch(&b->t[k], now);
		}
	}
	bench_app_init(app, cfg, NSHARDS, names);
	for (int i = 0; i < NSHARDS; i++) {
		struct fc_history *h = make_history(i, now);

		sh[i].snap = make_part(&sh[i], i, NULL, now);
		sh[i].snap->names_id = snapshot_names_id_new();
		view_set_snapshot(&app->view, (size_t)i, sh[i].snap);
		view_set_history(&app->view, (size_t)i, h);
		fc_history_unref(h);
	}
}

/* What the measured rebuilds were asked to do: the view's and the memo's
 * counts at their end less those at their start. */
struct asked {
	size_t evals;
	struct view_why why;
	struct fc_memo_counts fc;
};

static struct asked asked_now(const struct view *v)
{
	return (struct asked){ v->evals, v->why, fc_memo_counts(v->fc.memo) };
}

static void print_asked(const struct asked *a, const struct asked *b, size_t n)
{
	double per = 1.0 / SECONDS;

	printf("  evaluations per rebuild %.0f; per simulated second: every "
	       "biller %.0f, changed %.0f, due %.0f, kept (same input) %.0f\n",
	       (double)(b->evals - a->evals) / (double)n,
	       (double)(b->why.all - a->why.all) * per,
	       (double)(b->why.changed - a->why.changed) * per,
	       (double)(b->why.time - a->why.time) * per,
	       (double)(b->why.kept - a->why.kept) * per);
	printf("  billers of new snapshots per simulated second: visited "
	       "%.0f, in chunks shared with the last one (not looked at) %.0f\n",
	       (double)(b->why.visited - a->why.visited) * per,
	       (double)(b->why.shared - a->why.shared) * per);
	printf("  forecasts per simulated second: memo hits %.0f, made for a "
	       "close it had not %.0f, for one run out %.0f; until_above "
	       "remembered %.0f, made %.0f\n",
	       (double)(b->fc.hits - a->fc.hits) * per,
	       (double)(b->fc.absent - a->fc.absent) * per,
	       (double)(b->fc.expired - a->fc.expired) * per,
	       (double)(b->fc.above_hits - a->fc.above_hits) * per,
	       (double)(b->fc.above - a->fc.above) * per);
}

/* What the rebuilds cost: n of each series, c_* their sums. */
static void report(const struct app *app, enum churn churn,
		   const struct asked *a, const struct asked *b, double *t_view,
		   double *t_grid, double *t_all, size_t n, double c_view,
		   double c_grid)
{
	printf("bench_fleet_view: %d shards x %d billers (%d non-demo), %d new "
	       "snapshots per rebuild, %d rebuilds a simulated second, %d s, "
	       "churn: %s\n",
	       NSHARDS, NBILLERS, app->view.totals.billers, NEW_PER_REBUILD,
	       PER_SECOND, SECONDS, churn == CHURN_ATTEMPTS
	       ? "attempts only (bench-fleet's)" : "states");
	printf("  statuses at the end:");
	for (int st = 0; st < BS__COUNT; st++)
		printf(" %s %d%s", biller_status_label((enum biller_status)st),
		       app->view.totals.by_status[st], st + 1 < BS__COUNT ? "," : "\n");
	printf("  will miss %d\n", app->view.totals.misses);
	{
		size_t due = 0;

		for (size_t i = 0; i < app->view.nsnaps; i++)
			due += app->view.seen[i].due_cap * sizeof *app->view.seen[i].due;
		printf("  the view's own heap: %.1f MB (%zu slots of %zu bytes, "
		       "the due heaps %.1f MB; forecast memo, snapshots and "
		       "histories not counted)\n",
		       (double)view_bytes(&app->view) / 1e6, app->view.slots_cap,
		       sizeof *app->view.slots, (double)due / 1e6);
	}
	print_asked(a, b, n);
	printf("  CPU ms per rebuild:\n");
	print_stats("view_rebuild", t_view, n);
	print_stats("grid update + draw", t_grid, n);
	print_stats("both", t_all, n);
	printf("  CPU ms per simulated second: view %.1f, grid %.1f, both %.1f "
	       "(%.1f%% of a core)\n", c_view / SECONDS, c_grid / SECONDS,
	       (c_view + c_grid) / SECONDS, (c_view + c_grid) / SECONDS / 10);
}

/* One night of the fleet with the given churn, measured and reported. */
static int run(enum churn churn)
{
	enum { N = SECONDS * PER_SECOND };
	static double t_view[N], t_grid[N], t_all[N];
	static struct mshard sh[NSHARDS];
	double c_view = 0, c_grid = 0;
	struct config cfg;
	struct app app;
	const struct screen_slot *grid;
	struct bench_term term;
	int64_t now = fx_utc(2026, 11, 1, 6, 0), mono0;
	int next = 0;
	struct asked a, b;

	rng = 0x2545F4914F6CDD1DULL;	/* the same night each run */
	night(&app, &cfg, sh, now);
	if (!bench_term_open(&term, TERM_ROWS, TERM_COLS, "bench_fleet_view"))
		return 1;
	draw_init(&app);
	app.view.retime_on_read = true;	/* as src/ui/ui.c sets it */
	app.now = now;
	view_rebuild(&app.view, app.now);
	screen_push(&app, &screen_grid, NULL);
	grid = screen_top(&app);

	mono0 = app.mono;
	a = asked_now(&app.view);
	for (int f = -WARMUP_S * PER_SECOND; f < N; f++) {
		double c0, c1, c2;

		/* 200 ms on, both clocks; the shard clocks with it. */
		now += 1000 / PER_SECOND;
		app.now = now;
		app.mono = mono0 + (int64_t)(f + WARMUP_S * PER_SECOND + 1) *
					   (1000 / PER_SECOND);
		for (int k = 0; k < NEW_PER_REBUILD; k++, next = (next + 1) % NSHARDS)
			poll_shard(&app.view, &sh[next], next, now, churn);
		bench_all_healthy(&app);
		if (f == 0)
			a = asked_now(&app.view);

		c0 = bench_cpu_ms();
		view_rebuild(&app.view, app.now);
		c1 = bench_cpu_ms();
		grid->s->update(&app, grid->st);
		grid->s->draw(&app, grid->st);
		wnoutrefresh(stdscr);
		doupdate();
		c2 = bench_cpu_ms();
		if (f < 0)
			continue;
		t_view[f] = c1 - c0;
		t_grid[f] = c2 - c1;
		t_all[f] = c2 - c0;
		c_view += c1 - c0;
		c_grid += c2 - c1;
	}
	b = asked_now(&app.view);
	bench_term_close(&term);

	report(&app, churn, &a, &b, t_view, t_grid, t_all, N, c_view, c_grid);

	screen_pop_all(&app);
	bench_app_free(&app, &cfg);
	for (int i = 0; i < NSHARDS; i++) {
		snapshot_unref(sh[i].snap);
		sh[i].snap = NULL;
	}
	return 0;
}

/* Both churns; "states" or "attempts" as the argument: that one only. */
int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : "";

	if (!bench_utf8_locale())
		fprintf(stderr, "bench_fleet_view: no UTF-8 locale\n");
	if (strcmp(only, "attempts") && run(CHURN_STATES))
		return 1;
	return strcmp(only, "states") ? run(CHURN_ATTEMPTS) : 0;
}
