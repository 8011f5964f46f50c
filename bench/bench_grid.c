/*
 * bench_grid.c - how long one grid frame takes with 10,000 billers.
 *
 * The UI loop rebuilds the view (evaluate every biller, filter, sort) and
 * redraws the grid once a second and on new data.  This builds a night of
 * 10,000 billers over 4 shards in memory (tests/unit/fixtures.h), then
 * times FRAMES frames of exactly that, one simulated second apart, drawing
 * the real grid screen into an off-screen curses terminal of 200x50 whose
 * output goes to /dev/null.  Every other frame a text filter that matches
 * about half of the billers is on, as when someone types one.
 *
 * Prints median, p95 and max milliseconds for the rebuild, the draw and
 * the whole frame, and PASS or OVER TARGET for a median frame of 2 ms.
 * Exits 0 either way; non-zero only when the setup fails.
 */
#include "autoconf.h"

#include "bench_setup.h"
#include "screens/screens.h"
#include "ui/draw.h"

#define NBILLERS 10000
#define NSHARDS 4
#define FRAMES 200
#define NEWDATA_FRAMES 50
#define WARMUP 3
#define TARGET_MS 2.0
#define TERM_ROWS 50
#define TERM_COLS 200
#define FILTER "america/"	/* the zone of about half the billers */

static const char *const shard_names[NSHARDS] = {
	"us-east-1", "us-west-2", "eu-central", "ap-south",
};

/* --- a deterministic night ------------------------------------------------ */

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)((rng >> 11) % n);
}

static const char *const places[] = {
	"Northfield", "Cedar Rapids", "Zürich", "São Paulo", "Lakewood",
	"Øresund", "Riverside", "Malmö", "Springfield", "Łódź", "Harbour Bay",
	"Köln", "Greenville", "Genève", "Fairview", "Ashford",
};
static const char *const trades[] = {
	"Water", "Electric", "Gas & Power", "Telecom", "Waste Services",
	"Energie", "Broadband", "District Heating", "Utilities",
};
static const char *const forms[] = { "Co", "Inc", "LLC", "AG", "Ltd", "S.A." };

static const struct {
	const char *name;
	int offset_s;
} zones[] = {
	{ "America/New_York", -5 * 3600 }, { "America/Chicago", -6 * 3600 },
	{ "America/Denver", -7 * 3600 }, { "America/Los_Angeles", -8 * 3600 },
	{ "Europe/Zurich", 3600 }, { "Europe/London", 0 },
	{ "Asia/Kolkata", 5 * 3600 + 1800 }, { "Asia/Kathmandu", 5 * 3600 + 2700 },
};

static const char *const errors[] = {
	"Timeout", "DeadlockDetected", "FileNotFound", "AuthFailed", "BadRecord",
};

/* One batch of the last biller, in a state and at times typical of the
 * middle of a close night: most closed, many running or waiting, a few
 * late, failed or in a state batchtop does not know. */
static void night_batch(struct snapshot *s, int64_t now)
{
	const int64_t win = FX_MIN(45);
	unsigned roll = rnd(1000);
	struct batch *t;
	int64_t at;

	if (roll < 500) {		/* closed, a few after the deadline */
		at = now - FX_MIN(60 + rnd(120));
		t = fx_add_batch(s, BATCH_CLOSED, at, at + win, at,
				 at + FX_SEC(300 + rnd(rnd(100) < 95 ? 2300 : 4000)));
		t->attempts = 1;
	} else if (roll < 730) {	/* running, a few deep in the window */
		at = now - FX_SEC(rnd(rnd(10) ? 32 * 60 : 48 * 60));
		t = fx_add_batch(s, BATCH_RUNNING, at, at + win, at, BT_NO_TIME);
		t->attempts = 1 + (int)rnd(2);
	} else if (roll < 980) {	/* waiting, a few past their start */
		at = now + FX_SEC(rnd(90 * 60)) - FX_MIN(5);
		t = fx_add_batch(s, BATCH_SCHEDULED, at, at + win, BT_NO_TIME,
				 BT_NO_TIME);
	} else if (roll < 993) {
		at = now - FX_MIN(30 + rnd(60));
		t = fx_add_batch(s, BATCH_FAILED, at, at + win, at,
				 at + FX_MIN(1 + rnd(20)));
		t->attempts = 3;
	} else {
		at = now - FX_MIN(rnd(40));
		t = fx_add_batch(s, BATCH_OTHER, at, at + win, at, BT_NO_TIME);
		fx_kind(t)->status = fx_str(s, rnd(2) ? "paused" : "awaiting_approval");
	}
	if (t->state == BATCH_FAILED || rnd(100) < 2)
		fx_kind(t)->error_class = fx_str(s, errors[rnd(sizeof errors / sizeof errors[0])]);
}

static struct snapshot *night_shard(int index, int first, int count,
				    int64_t now, int64_t mono)
{
	struct snapshot *s = fx_snapshot(index, shard_names[index], now, mono);

	for (int i = first; i < first + count; i++) {
		char id[16], name[96];
		struct biller *b;
		int z = (int)rnd(sizeof zones / sizeof zones[0]);
		int nb = 1 + (int)rnd(3);

		snprintf(id, sizeof id, "B-%05d", i);
		snprintf(name, sizeof name, "%s %s %s",
			 places[rnd(sizeof places / sizeof places[0])],
			 trades[rnd(sizeof trades / sizeof trades[0])],
			 forms[rnd(sizeof forms / sizeof forms[0])]);
		b = fx_add_biller(s, id, name, zones[z].name,
				  rnd(10) ? (int)rnd(6) : BT_NO_INT);
		b->utc_offset_s = zones[z].offset_s;
		b->is_demo = rnd(100) < 2;
		b->known = rnd(500) != 0;
		if (rnd(10) < 6) {
			b->ap_payments = 50 + (int)rnd(5000);
			b->ap_failed = (int)rnd((unsigned)b->ap_payments / 8 + 1);
			b->ap_run_at = now - FX_HOUR(1);
		}
		if (rnd(100) < 3)
			nb = 0;		/* no close tonight */
		for (int k = 0; k < nb; k++)
			night_batch(s, now);
	}
	return fx_seal(s);
}

/* The i-th batch of s (i < s->nbatches), biller by biller: a snapshot
 * has no flat array of them. */
static struct batch *nth_batch(struct snapshot *s, size_t i)
{
	for (size_t j = 0; j < s->nbillers; j++) {
		if (i < snapshot_biller(s, j)->nbatches)
			return &snapshot_biller(s, j)->batches[i];
		i -= snapshot_biller(s, j)->nbatches;
	}
	return NULL;
}

/* Shard 0 again as a poll that changed a few batches would give it: the
 * same night (same rng start), new arrays, n batches closed since. */
static struct snapshot *shard0_again(unsigned long long seed, int64_t night,
				     int64_t now, int64_t mono, int n, int f)
{
	unsigned long long keep = rng;
	struct snapshot *s;

	rng = seed;
	s = night_shard(0, 0, NBILLERS / NSHARDS, night, mono);
	rng = keep;
	for (int k = 0; k < n; k++) {
		struct batch *t = nth_batch(s, ((size_t)f * 131 + (size_t)k * 977) %
					       s->nbatches);

		if (!t)
			break;	/* s has no batches */
		t->state = BATCH_CLOSED;
		t->finished_at = now;
	}
	s->names_id = 1;	/* nobody renamed: the ranking stands */
	s->server_now = now;
	return s;
}

struct stats {
	double median, p95, max;
};

/* Sorts v. */
static struct stats summarize(double *v, size_t n)
{
	struct stats st;
	size_t i95 = (n * 95 + 99) / 100;

	qsort(v, n, sizeof *v, bench_cmp_double);
	st.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	st.p95 = v[i95 ? i95 - 1 : 0];
	st.max = v[n - 1];
	return st;
}

static void print_stats(const char *what, struct stats st)
{
	printf("  %-28s median %7.3f  p95 %7.3f  max %7.3f\n", what,
	       st.median, st.p95, st.max);
}

/* 30 business days of closes of 5 to 44 minutes for every biller and
 * payment type of s, the way query_history.c would add them. */
static void add_history(struct view *v, size_t shard, const struct snapshot *s,
			int64_t now)
{
	struct fc_history *h = fc_history_new((int)shard, now);

	for (size_t i = 0; i < s->nbillers; i++) {
		const struct biller *b = snapshot_biller(s, i);

		for (size_t k = 0; k < b->nbatches; k++)
			bench_history_add(h, i, b->biller_id,
					  b->batches[k].kind->payment_type,
					  b->batches[k].kind->module);
	}
	fc_history_finish(h);
	view_set_history(v, shard, h);
	fc_history_unref(h);
}

/* --- main -------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static double t_rebuild[FRAMES], t_draw[FRAMES], t_total[FRAMES];
	static double t_plain[FRAMES / 2 + 1], t_filtered[FRAMES / 2 + 1];
	static double t_newdata[NEWDATA_FRAMES], t_steady[FRAMES], c_steady[FRAMES];
	static double t_shard[NEWDATA_FRAMES], c_shard[NEWDATA_FRAMES];
	unsigned long long seed0 = 0;
	int64_t night;
	struct config cfg;
	struct app app;
	const struct screen_slot *grid;
	struct bench_term term;
	int64_t now = fx_utc(2026, 11, 1, 6, 0);
	size_t half_rows = 0, all_rows = 0;
	struct stats rebuild, drawn, total;

	(void)argc;
	(void)argv;
	if (!bench_utf8_locale())
		fprintf(stderr, "bench_grid: no UTF-8 locale; names may draw as bytes\n");
	bench_app_init(&app, &cfg, NSHARDS, shard_names);
	night = now;
	for (int i = 0; i < NSHARDS; i++) {
		struct snapshot *s;

		if (i == 0)
			seed0 = rng;
		s = night_shard(i, i * (NBILLERS / NSHARDS),
				NBILLERS / NSHARDS, now, app.mono);
		if (i == 0)
			s->names_id = 1;

		view_set_snapshot(&app.view, (size_t)i, s);
		/* The forecasts' history, as a read would give it (unless
		 * BENCH_NO_HISTORY is set, to compare). */
		if (!getenv("BENCH_NO_HISTORY"))
			add_history(&app.view, (size_t)i, s, now);
		snapshot_unref(s);
	}

	/* An off-screen terminal: curses writes to /dev/null. */
	if (!bench_term_open(&term, TERM_ROWS, TERM_COLS, "bench_grid"))
		return 1;
	draw_init(&app);
	app.now = now;
	view_rebuild(&app.view, app.now);
	screen_push(&app, &screen_grid, NULL);	/* enters and updates */
	grid = screen_top(&app);

	for (int f = -WARMUP; f < FRAMES; f++) {
		double t0, t1, t2;

		/* One second later, and every shard has just answered. */
		now += 1000;
		app.now = now;
		app.mono = mono_ms();
		bench_all_healthy(&app);
		view_set_filter(&app.view, f % 2 ? FILTER : "");

		t0 = bench_wall_ms();
		view_rebuild(&app.view, app.now);
		grid->s->update(&app, grid->st);
		t1 = bench_wall_ms();
		grid->s->draw(&app, grid->st);
		wnoutrefresh(stdscr);
		doupdate();
		t2 = bench_wall_ms();

		if (f < 0)
			continue;
		t_rebuild[f] = t1 - t0;
		if (f % 2)
			t_filtered[f / 2] = t1 - t0;
		else
			t_plain[f / 2] = t1 - t0;
		t_draw[f] = t2 - t1;
		t_total[f] = t2 - t0;
		if (f % 2)
			half_rows = app.view.nrows;
		else
			all_rows = app.view.nrows;
	}

	/* The rebuild alone in a steady state: a second passes, no data
	 * arrives and the filter stays: what the UI pays most seconds. */
	view_set_filter(&app.view, "");
	view_rebuild(&app.view, app.now);
	for (int f = 0; f < FRAMES; f++) {
		double t0, c0;

		now += 1000;
		app.now = now;
		t0 = bench_wall_ms();
		c0 = bench_cpu_ms();
		view_rebuild(&app.view, app.now);
		c_steady[f] = bench_cpu_ms() - c0;
		t_steady[f] = bench_wall_ms() - t0;
	}

	/* The rebuild after one shard's poll changed 25 of its batches:
	 * at 100 x 1,000 and 5 s polls, a fifth of the shards do so every
	 * second. */
	for (int f = 0; f < NEWDATA_FRAMES; f++) {
		struct snapshot *s;
		double t0, c0;

		now += 1000;
		app.now = now;
		s = shard0_again(seed0, night, now, app.mono, 25, f);
		view_set_snapshot(&app.view, 0, s);
		snapshot_unref(s);
		t0 = bench_wall_ms();
		c0 = bench_cpu_ms();
		view_rebuild(&app.view, app.now);
		c_shard[f] = bench_cpu_ms() - c0;
		t_shard[f] = bench_wall_ms() - t0;
	}

	/* Frames right after a poll delivered new snapshots: the billers are
	 * ranked by name again (once per arrival, not per second). */
	for (int f = 0; f < NEWDATA_FRAMES; f++) {
		double t0;

		now += 1000;
		app.now = now;
		app.view.ranks_dirty = true;
		t0 = bench_wall_ms();
		view_rebuild(&app.view, app.now);
		grid->s->update(&app, grid->st);
		grid->s->draw(&app, grid->st);
		wnoutrefresh(stdscr);
		doupdate();
		t_newdata[f] = bench_wall_ms() - t0;
	}

	bench_term_close(&term);

	rebuild = summarize(t_rebuild, FRAMES);
	drawn = summarize(t_draw, FRAMES);
	total = summarize(t_total, FRAMES);
	printf("bench_grid: %d billers (%d non-demo, %d demo) on %d shards, "
	       "%d frames of %dx%d after %d warm-up\n",
	       NBILLERS, app.view.totals.billers, app.view.totals.demo, NSHARDS,
	       FRAMES, TERM_COLS, TERM_ROWS, WARMUP);
	printf("  statuses at the end:");
	for (int st = 0; st < BS__COUNT; st++)
		printf(" %s %d%s", biller_status_label((enum biller_status)st),
		       app.view.totals.by_status[st], st + 1 < BS__COUNT ? "," : "\n");
	printf("  forecasts: %s\n", getenv("BENCH_NO_HISTORY") ? "none (BENCH_NO_HISTORY)"
	       : "from 30 closes per biller and type");
	printf("  rows: %zu unfiltered, %zu with filter \"%s\"\n", all_rows,
	       half_rows, FILTER);
	printf("  ms per frame:\n");
	print_stats("(a) rebuild (+ grid update)", rebuild);
	print_stats("    of which, no filter", summarize(t_plain, (FRAMES + 1) / 2));
	print_stats("    of which, with filter", summarize(t_filtered, FRAMES / 2));
	print_stats("(b) draw (+ doupdate)", drawn);
	print_stats("(c) total", total);
	print_stats("(d) total, frame after new data", summarize(t_newdata, NEWDATA_FRAMES));
	print_stats("(e) rebuild, steady second", summarize(t_steady, FRAMES));
	print_stats("    the same, CPU time", summarize(c_steady, FRAMES));
	print_stats("(f) rebuild, a shard's poll", summarize(t_shard, NEWDATA_FRAMES));
	print_stats("    the same, CPU time", summarize(c_shard, NEWDATA_FRAMES));
	printf("%s: median frame %.3f ms, target %.1f ms\n",
	       total.median <= TARGET_MS ? "PASS" : "OVER TARGET", total.median,
	       TARGET_MS);

	screen_pop_all(&app);
	bench_app_free(&app, &cfg);
	return 0;
}
