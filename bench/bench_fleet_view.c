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
 * of 30 closes per biller, so forecasts decide what is at risk.
 *
 * Per rebuild it times, in CPU time of this process (the machine is
 * shared): view_rebuild(), and the grid screen's update and draw into an
 * off-screen 200x50 terminal, as the UI loop does after a rebuild.  It
 * prints ms per rebuild and per simulated second; the latter over 10 is
 * the per cent of a core the UI thread would spend.  Exits 0; non-zero
 * only when the setup fails.
 */
#include "autoconf.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/timefmt.h"
#include "core/view.h"
#include "data/shard_poller.h"
#include "fixtures.h"
#include "screens/screens.h"
#include "ui/draw.h"
#include "ui/keymap.h"

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
	int64_t sched, deadline, started, finished;
};

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
static void change_biller(struct mbiller *b, int64_t now)
{
	struct mbatch *t;

	if (!b->nb)
		return;
	t = &b->t[rnd((unsigned)b->nb)];
	if (t->st == BATCH_SCHEDULED) {
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
	for (size_t k = 0; k < b->nbatches; k++)
		t[k].biller_id = b->biller_id;
	b->name = arena_strdup(a, b->name);
	b->timezone = "UTC";
	b->shard = shard;
	b->search = arena_strdup(a, b->search);
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
		for (int k = 0; k < mb->nb; k++)
			fx_add_batch(s, mb->t[k].st, mb->t[k].sched,
				     mb->t[k].deadline, mb->t[k].started,
				     mb->t[k].finished);
	}
	fx_seal(s);
	for (size_t j = 0; j < s->nbillers; j++)
		rehome(&s->billers[j], m->name);
	return s;
}

/* 30 business days of closes of 5 to 44 minutes for every biller. */
static struct fc_history *make_history(int i, int64_t now)
{
	struct fc_history *h = fc_history_new(i, now);
	char id[24], day[16];

	for (int j = 0; j < NBILLERS; j++) {
		snprintf(id, sizeof id, "B-%03d-%04d", i, j);
		for (int d = 30; d >= 1; d--) {
			snprintf(day, sizeof day, "%d", -d);
			fc_history_add(h, id, day, "ach", "close",
				       (int64_t)((j + d) % 120) * 1000,
				       FX_MIN(5 + (j * 7 + d * 13) % 40));
		}
	}
	fc_history_finish(h);
	return h;
}

/* A poll of shard i: about 1% of its batches changed, merged. */
static void poll_shard(struct view *v, struct mshard *m, int i, int64_t now)
{
	static bool which[NBILLERS];
	struct snapshot *d, *s;

	memset(which, 0, sizeof which);
	for (int c = 0; c < NBILLERS / 50; c++) {
		int j = (int)rnd(NBILLERS);

		change_biller(&m->b[j], now);
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

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void print_stats(const char *what, double *v, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += v[i];
	qsort(v, n, sizeof *v, cmp_double);
	printf("  %-22s mean %7.3f  median %7.3f  p95 %7.3f  max %7.3f ms\n",
	       what, sum / (double)n, v[n / 2], v[(n * 95) / 100], v[n - 1]);
}

static int utf8_locale(void)
{
	if (setlocale(LC_ALL, "") && strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
		return 1;
	return setlocale(LC_ALL, "C.UTF-8") != NULL;
}

/* Pollers for the shards' names (never started) and the app around the
 * view, as bench_grid.c sets them up. */
static void app_setup(struct app *app, struct config *cfg, struct mshard *sh)
{
	config_defaults(cfg);
	memset(app, 0, sizeof *app);
	app->cfg = cfg;
	app->km = keymap_new_default();
	app->npollers = NSHARDS;
	app->pollers = xcalloc(NSHARDS, sizeof *app->pollers);
	app->health = xcalloc(NSHARDS, sizeof *app->health);
	app->gens = xcalloc(NSHARDS, sizeof *app->gens);
	app->wake[0] = app->wake[1] = -1;
	app->mono = mono_ms();
	for (int i = 0; i < NSHARDS; i++) {
		struct shard_conf sc;

		memset(&sc, 0, sizeof sc);
		sc.name = xstrdup(sh[i].name);
		sc.dsn = xstrdup("host=/nonexistent dbname=billing");
		app->pollers[i] = shard_poller_new(i, &sc, cfg, -1);
		free(sc.name);
		free(sc.dsn);
		app->health[i].state = SHARD_OK;
		app->health[i].since_mono = app->mono;
		app->health[i].last_ok_mono = app->mono;
	}
	view_init(&app->view, NSHARDS, cfg);
}

/* The fleet's night at now, its first snapshots and histories in the
 * view of app. */
static void night(struct app *app, struct config *cfg, struct mshard *sh,
		  int64_t now)
{
	for (int i = 0; i < NSHARDS; i++) {
		snprintf(sh[i].name, sizeof sh[i].name, "shard-%03d", i);
		for (int j = 0; j < NBILLERS; j++) {
			struct mbiller *b = &sh[i].b[j];

			b->prio = rnd(10) ? (int)rnd(6) : BT_NO_INT;
			b->nb = rnd(100) < 3 ? 0 : 1 + (int)rnd(MAXT);
			for (int k = 0; k < b->nb; k++)
				new_batch(&b->t[k], now);
		}
	}
	app_setup(app, cfg, sh);
	for (int i = 0; i < NSHARDS; i++) {
		struct fc_history *h = make_history(i, now);

		sh[i].snap = make_part(&sh[i], i, NULL, now);
		sh[i].snap->names_id = snapshot_names_id_new();
		view_set_snapshot(&app->view, (size_t)i, sh[i].snap);
		view_set_history(&app->view, (size_t)i, h);
		fc_history_unref(h);
	}
}

/* What the rebuilds cost: n of each series, c_* their sums. */
static void report(const struct app *app, size_t evals, double *t_view,
		   double *t_grid, double *t_all, size_t n, double c_view,
		   double c_grid)
{
	printf("bench_fleet_view: %d shards x %d billers (%d non-demo), %d new "
	       "snapshots per rebuild, %d rebuilds a simulated second, %d s\n",
	       NSHARDS, NBILLERS, app->view.totals.billers, NEW_PER_REBUILD,
	       PER_SECOND, SECONDS);
	printf("  statuses at the end:");
	for (int st = 0; st < BS__COUNT; st++)
		printf(" %s %d%s", biller_status_label((enum biller_status)st),
		       app->view.totals.by_status[st], st + 1 < BS__COUNT ? "," : "\n");
	printf("  will miss %d; evaluations per rebuild %.0f\n",
	       app->view.totals.misses, (double)evals / (double)n);
	printf("  CPU ms per rebuild:\n");
	print_stats("view_rebuild", t_view, n);
	print_stats("grid update + draw", t_grid, n);
	print_stats("both", t_all, n);
	printf("  CPU ms per simulated second: view %.1f, grid %.1f, both %.1f "
	       "(%.1f%% of a core)\n", c_view / SECONDS, c_grid / SECONDS,
	       (c_view + c_grid) / SECONDS, (c_view + c_grid) / SECONDS / 10);
}

int main(void)
{
	enum { N = SECONDS * PER_SECOND };
	static double t_view[N], t_grid[N], t_all[N];
	static struct mshard sh[NSHARDS];
	double c_view = 0, c_grid = 0;
	struct config cfg;
	struct app app;
	const struct screen_slot *grid;
	SCREEN *scr;
	FILE *out, *in;
	int64_t now = fx_utc(2026, 11, 1, 6, 0), mono0;
	int next = 0;
	size_t evals0;

	if (!utf8_locale())
		fprintf(stderr, "bench_fleet_view: no UTF-8 locale\n");
	night(&app, &cfg, sh, now);

	setenv("LINES", "50", 1);
	setenv("COLUMNS", "200", 1);
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	if (!out || !in) {
		perror("bench_fleet_view: /dev/null");
		return 1;
	}
	scr = newterm("xterm-256color", out, in);
	if (!scr) {
		fprintf(stderr, "bench_fleet_view: no terminfo entry for xterm-256color\n");
		return 1;
	}
	set_term(scr);
	resize_term(TERM_ROWS, TERM_COLS);
	draw_init(&app);
	app.view.retime_on_read = true;	/* as src/ui/ui.c sets it */
	app.now = now;
	view_rebuild(&app.view, app.now);
	screen_push(&app, &screen_grid, NULL);
	grid = screen_top(&app);

	mono0 = app.mono;
	evals0 = app.view.evals;
	for (int f = -WARMUP_S * PER_SECOND; f < N; f++) {
		double c0, c1, c2;

		/* 200 ms on, both clocks; the shard clocks with it. */
		now += 1000 / PER_SECOND;
		app.now = now;
		app.mono = mono0 + (int64_t)(f + WARMUP_S * PER_SECOND + 1) *
					   (1000 / PER_SECOND);
		for (int k = 0; k < NEW_PER_REBUILD; k++, next = (next + 1) % NSHARDS)
			poll_shard(&app.view, &sh[next], next, now);
		for (int i = 0; i < NSHARDS; i++)
			app.health[i].last_ok_mono = app.mono;
		if (f == 0)
			evals0 = app.view.evals;

		c0 = cpu_ms();
		view_rebuild(&app.view, app.now);
		c1 = cpu_ms();
		grid->s->update(&app, grid->st);
		grid->s->draw(&app, grid->st);
		wnoutrefresh(stdscr);
		doupdate();
		c2 = cpu_ms();
		if (f < 0)
			continue;
		t_view[f] = c1 - c0;
		t_grid[f] = c2 - c1;
		t_all[f] = c2 - c0;
		c_view += c1 - c0;
		c_grid += c2 - c1;
	}
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);

	report(&app, app.view.evals - evals0, t_view, t_grid, t_all, N, c_view,
	       c_grid);

	screen_pop_all(&app);
	view_free(&app.view);
	for (int i = 0; i < NSHARDS; i++) {
		shard_poller_free(app.pollers[i], 0);
		snapshot_unref(sh[i].snap);
	}
	free(app.pollers);
	free(app.health);
	free(app.gens);
	keymap_free(app.km);
	config_free(&cfg);
	return 0;
}
