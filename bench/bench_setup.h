/*
 * bench_setup.h - what the benchmarks (bench_grid.c, bench_fleet_view.c)
 * set up alike: the app around a view with a poller per shard for its
 * name (never started), an off-screen terminal the grid draws into, a
 * history of past closes, and CPU-time clocks and summaries.
 *
 * Header-only (static inline), like tests/unit/fixtures.h beside it: each
 * benchmark is one program.
 */
#ifndef BT_BENCH_SETUP_H
#define BT_BENCH_SETUP_H

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "core/config.h"
#include "core/forecast.h"
#include "core/timefmt.h"
#include "core/view.h"
#include "core/xalloc.h"
#include "data/shard_poller.h"
#include "fixtures.h"
#include "ui/keymap.h"

/* The user's UTF-8 locale, else C.UTF-8; false when there is none. */
static inline bool bench_utf8_locale(void)
{
	if (setlocale(LC_ALL, "") && strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
		return true;
	return setlocale(LC_ALL, "C.UTF-8") != NULL;
}

/* Wall clock, ms. */
static inline double bench_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of this process, ms: what the work costs, less sensitive than
 * the wall clock to other work on a shared machine. */
static inline double bench_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* app (with cfg, its defaults) around a view of nshards shards called
 * names[i]: a real poller each for its name, never started, every shard
 * healthy.  bench_app_free() undoes it. */
static inline void bench_app_init(struct app *app, struct config *cfg,
				  size_t nshards, const char *const *names)
{
	config_defaults(cfg);
	memset(app, 0, sizeof *app);
	app->cfg = cfg;
	app->km = keymap_new_default();
	app->npollers = nshards;
	app->pollers = xcalloc(nshards, sizeof *app->pollers);
	app->health = xcalloc(nshards, sizeof *app->health);
	app->gens = xcalloc(nshards, sizeof *app->gens);
	app->wake[0] = app->wake[1] = -1;
	app->mono = mono_ms();
	for (size_t i = 0; i < nshards; i++) {
		struct shard_conf sc;

		/* Every field zero first: a field added later (replica) is
		 * then unset. */
		memset(&sc, 0, sizeof sc);
		sc.name = xstrdup(names[i]);
		sc.dsn = xstrdup("host=/nonexistent dbname=billing");
		app->pollers[i] = shard_poller_new((int)i, &sc, cfg, -1);
		free(sc.name);
		free(sc.dsn);
		app->health[i].state = SHARD_OK;
		app->health[i].since_mono = app->mono;
		app->health[i].last_ok_mono = app->mono;
	}
	view_init(&app->view, nshards, cfg);
}

/* Every shard answered at the app's mono. */
static inline void bench_all_healthy(struct app *app)
{
	for (size_t i = 0; i < app->npollers; i++)
		app->health[i].last_ok_mono = app->mono;
}

static inline void bench_app_free(struct app *app, struct config *cfg)
{
	view_free(&app->view);
	for (size_t i = 0; i < app->npollers; i++)
		shard_poller_free(app->pollers[i], 0);
	free(app->pollers);
	free(app->health);
	free(app->gens);
	keymap_free(app->km);
	config_free(cfg);
}

/* An off-screen terminal of cols x rows whose output goes to /dev/null,
 * the current one; NULL (having said why, as who) when it cannot be
 * made.  bench_term_close() ends it. */
struct bench_term {
	SCREEN *scr;
	FILE *out, *in;
};

static inline bool bench_term_open(struct bench_term *t, int rows, int cols,
				   const char *who)
{
	char r[16], c[16];

	snprintf(r, sizeof r, "%d", rows);
	snprintf(c, sizeof c, "%d", cols);
	setenv("LINES", r, 1);
	setenv("COLUMNS", c, 1);
	t->out = fopen("/dev/null", "w");
	t->in = fopen("/dev/null", "r");
	if (!t->out || !t->in) {
		fprintf(stderr, "%s: /dev/null: cannot open\n", who);
		return false;
	}
	t->scr = newterm("xterm-256color", t->out, t->in);
	if (!t->scr) {
		fprintf(stderr, "%s: no terminfo entry for xterm-256color\n", who);
		return false;
	}
	set_term(t->scr);
	resize_term(rows, cols);
	if (LINES != rows || COLS != cols) {
		endwin();
		fprintf(stderr, "%s: terminal is %dx%d, not %dx%d\n", who, COLS,
			LINES, cols, rows);
		return false;
	}
	return true;
}

static inline void bench_term_close(struct bench_term *t)
{
	endwin();
	delscreen(t->scr);
	fclose(t->out);
	fclose(t->in);
}

/* 30 business days of closes of biller_id (the i-th biller of its shard)
 * and payment type, 5 to 44 minutes long and started up to two minutes
 * late, as query_history.c would add them. */
static inline void bench_history_add(struct fc_history *h, size_t i,
				     const char *biller_id,
				     const char *payment_type, const char *module)
{
	char day[16];

	for (int d = 30; d >= 1; d--) {
		snprintf(day, sizeof day, "%d", -d);
		fc_history_add(h, biller_id, day, payment_type, module,
			       (int64_t)((i + (size_t)d) % 120) * 1000,
			       FX_MIN(5 + (int64_t)((i * 7 + (size_t)d * 13) % 40)));
	}
}

#endif
