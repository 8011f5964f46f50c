/*
 * forecast.c - the night ahead (f on the grid): minute by minute for the
 * rest of the night, how many closes each shard is predicted to be running
 * (their p50 intervals, core/ahead.h), and which closes are predicted to
 * miss their deadline.  The overlap is what the seeds say makes closes
 * fail (multishard) and run slow, so the peaks are where to look.
 *
 * Data flow: on every update (the view rebuilt: new snapshots, or the
 * clock's tick) the night is built again from the view's snapshots and
 * histories, at most once a second; what is drawn is copied into the
 * instance's state at once (text and times), so nothing here points into
 * a snapshot the view may have let go of.  A minute is a 60th of
 * payment_file_period, as the payment-file minute is.
 *
 * Lines, one scrolling list: the predicted misses (by deadline), a blank
 * line, then the rows of the night.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "core/ahead.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "ui/draw.h"
#include "ui/listcursor.h"
#include "screens/screens.h"

#define REBUILD_MS 1000
#define TIME_W 9		/* "23:41:05 " */
#define SHARD_W_MIN 10
#define SHARD_W_MAX 24

struct miss_line {
	char name[160];		/* biller name (or id), raw: drawn sanitized */
	char what[96];		/* payment type/module */
	size_t shard;
	int64_t deadline, eta;
	int pct;
};

/* One instance of the screen (its state_size bytes). */
struct forecast_st {
	struct listcursor view;		/* top: the first line shown */
	int64_t built_mono;		/* 0: never */
	int64_t from, step;
	size_t nrows, nshards;
	int *running;			/* nrows x nshards */
	int peak;
	struct miss_line *misses;
	size_t nmisses;
	size_t counted, unforecast;
	bool clock;			/* a shard has answered */
};

static void drop(struct forecast_st *F)
{
	free(F->running);
	free(F->misses);
	F->running = NULL;
	F->misses = NULL;
	F->nrows = F->nmisses = 0;
}

static int64_t step_ms(const struct app *app)
{
	return (int64_t)app->cfg->payment_file_period * 1000 / 60;
}

/* Build the night again and keep a copy of what is drawn. */
static void rebuild(struct app *app, struct forecast_st *F)
{
	struct ahead n;

	drop(F);
	ahead_build(&n, &app->view, app->now, step_ms(app));
	F->clock = app->now != BT_NO_TIME;
	F->from = n.from;
	F->step = n.step;
	F->nrows = n.nrows;
	F->nshards = n.nshards;
	F->peak = n.peak;
	F->counted = n.counted;
	F->unforecast = n.unforecast;
	F->running = n.running;		/* plain counts: taken over */
	n.running = NULL;
	F->misses = xcalloc(n.nmisses ? n.nmisses : 1, sizeof *F->misses);
	for (size_t i = 0; i < n.nmisses; i++) {
		const struct ahead_miss *m = &n.misses[i];
		struct miss_line *l = &F->misses[i];

		snprintf(l->name, sizeof l->name, "%s",
			 m->b->name[0] ? m->b->name : m->b->biller_id);
		snprintf(l->what, sizeof l->what, "%s/%s", m->t->kind->payment_type, m->t->kind->module);
		l->shard = m->shard;
		l->deadline = m->t->deadline_at;
		l->eta = m->eta_p50;
		l->pct = (int)(m->p_miss * 100.0 + 0.5);
	}
	F->nmisses = n.nmisses;
	ahead_free(&n);
	F->built_mono = app->mono > 0 ? app->mono : mono_ms();
}

static void forecast_enter(struct app *app, void *st, const void *arg)
{
	(void)arg;
	rebuild(app, st);
}

static void forecast_leave(struct app *app, void *st)
{
	(void)app;
	drop(st);
}

static void forecast_update(struct app *app, void *st)
{
	struct forecast_st *F = st;
	int64_t now = app->mono > 0 ? app->mono : mono_ms();

	if (now - F->built_mono >= REBUILD_MS)
		rebuild(app, F);
}

static int body_rows(void)
{
	return LINES - 6;	/* header 2, title, summary, headings, status */
}

static size_t nlines(const struct forecast_st *F)
{
	return F->nmisses + (F->nmisses ? 1 : 0) + F->nrows;
}

/* "23:41" for a minute of an hour, "23:41:05" when a minute is shorter. */
static void row_time(char *buf, size_t n, const struct forecast_st *F, int64_t at)
{
	fmt_clock(buf, n, at, 0);
	if (F->step >= 60000 && strlen(buf) > 5)
		buf[5] = '\0';
}

static int shard_w(const struct forecast_st *F)
{
	int w = F->nshards ? (COLS - TIME_W) / (int)F->nshards : SHARD_W_MAX;

	return w < SHARD_W_MIN ? SHARD_W_MIN : w > SHARD_W_MAX ? SHARD_W_MAX : w;
}

/* How many shard columns fit. */
static size_t shards_shown(const struct forecast_st *F)
{
	size_t fit = (size_t)((COLS - TIME_W) / shard_w(F));

	return fit < F->nshards ? fit : F->nshards;
}

#define MISS_NAME_W 32

/* "Slow Water Works   will miss by 10m (92%)  deadline 23:45  ETA 23:55
 * east  card/autopay": the ETA is the p50, the percentage P(miss). */
static void draw_miss(struct app *app, int y, const struct forecast_st *F,
		      const struct miss_line *l)
{
	char dl[16], eta[16], by[16], line[512];
	const char *shard = l->shard < app->cfg->nshards ? app->cfg->shards[l->shard].name : "?";

	row_time(dl, sizeof dl, F, l->deadline);
	if (l->eta != BT_NO_TIME && l->eta > l->deadline) {
		row_time(eta, sizeof eta, F, l->eta);
		fmt_age(by, sizeof by, l->eta - l->deadline);
	} else {
		snprintf(eta, sizeof eta, "?");
		snprintf(by, sizeof by, "?");
	}
	text_printf(line, sizeof line,
		    "will miss by %s (%d%%)  deadline %s  ETA %s  %s  %s",
		    by, l->pct, dl, eta, shard, l->what);
	draw_text(y, 0, MISS_NAME_W, l->name, A_BOLD, 0);
	draw_text(y, MISS_NAME_W + 1, COLS - MISS_NAME_W - 1, line, draw_attr(PAINT_LATE), 0);
}

/* One row of the night: the time, then each shard's count and a bar. */
static void draw_row(int y, const struct forecast_st *F, size_t r, bool utf8)
{
	char t[16], cell[SHARD_W_MAX * 4 + 16];
	int w = shard_w(F), barw = w - 5;
	size_t shown = shards_shown(F), due = 0;
	int64_t at = F->from + (int64_t)r * F->step;

	row_time(t, sizeof t, F, at);
	for (size_t i = 0; i < F->nmisses; i++)
		due += F->misses[i].deadline >= at && F->misses[i].deadline < at + F->step;
	draw_text(y, 0, TIME_W - 1, t, due ? A_BOLD : 0, 0);
	for (size_t s = 0; s < shown; s++) {
		int c = F->running[r * F->nshards + s];
		int len = F->peak > 0 ? (c * barw + F->peak - 1) / F->peak : 0;
		size_t used = (size_t)snprintf(cell, sizeof cell, "%3d ", c);

		for (int k = 0; k < len && used + 4 < sizeof cell; k++) {
			const char *g = utf8 ? "\u2588" : "#";

			memcpy(cell + used, g, strlen(g) + 1);
			used += strlen(g);
		}
		draw_text(y, TIME_W + (int)s * w, w - 1, cell,
			  c ? 0 : draw_attr(PAINT_DIM), 0);
	}
	if (due && TIME_W + (int)shown * w + 12 < COLS) {
		snprintf(cell, sizeof cell, "< %zu due", due);
		draw_text(y, TIME_W + (int)shown * w, COLS - TIME_W - (int)shown * w, cell,
			  draw_attr(PAINT_LATE), 0);
	}
}

static void draw_heads(struct app *app, const struct forecast_st *F)
{
	char buf[600];
	int w = shard_w(F);
	size_t shown = shards_shown(F);

	if (!F->clock)
		snprintf(buf, sizeof buf, "no shard has answered yet");
	else if (!F->counted && !F->unforecast)
		snprintf(buf, sizeof buf, "no close is open tonight");
	else
		text_printf(buf, sizeof buf,
			    "%zu open close%s forecast from history, %zu predicted to miss; "
			    "%zu without history not counted%s",
			    F->counted, F->counted == 1 ? "" : "s", F->nmisses, F->unforecast,
			    shown < F->nshards ? "; widen the terminal for every shard" : "");
	draw_text(3, 0, COLS, buf, F->unforecast ? draw_attr(PAINT_WARN) : 0, 0);
	move(4, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	attrset(A_NORMAL);
	draw_text(4, 0, TIME_W - 1, "TIME", draw_attr(PAINT_HEADER), 0);
	for (size_t s = 0; s < shown; s++)
		draw_text(4, TIME_W + (int)s * w, w - 1, app->cfg->shards[s].name,
			  draw_attr(PAINT_HEADER), 0);
}

static void forecast_draw(struct app *app, void *st)
{
	struct forecast_st *F = st;
	static const struct key_hint hints[] = {
		{ ACT_DOWN, "scroll" }, { ACT_END, "bottom" }, { ACT_HOME, "top" },
		{ ACT_BACK, "back" },
	};
	int rows = body_rows();
	bool utf8 = draw_utf8();
	char title[200], step[16];

	/* A scroll, not a selection: top is the line kept in view. */
	F->view.sel = F->view.top;
	listcursor_clamp(&F->view, nlines(F), rows);
	erase();
	draw_header(app);
	fmt_age(step, sizeof step, F->step);
	snprintf(title, sizeof title,
		 "THE NIGHT AHEAD  closes predicted running on each shard (p50), a row every %s", step);
	move(2, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	draw_text(2, 0, COLS, title, draw_attr(PAINT_HEADER), 0);
	draw_heads(app, F);
	for (int i = 0; i < rows; i++) {
		long k = F->view.top + i;

		if (k < (long)F->nmisses)
			draw_miss(app, 5 + i, F, &F->misses[k]);
		else if (F->nmisses && k == (long)F->nmisses)
			continue;	/* the blank line between */
		else if (k < (long)nlines(F))
			draw_row(5 + i, F, (size_t)(k - (long)F->nmisses - (F->nmisses ? 1 : 0)),
				 utf8);
	}
	draw_footer(app, "forecast", hints, sizeof hints / sizeof hints[0]);
}

static bool forecast_key(struct app *app, void *st, enum action act, int key)
{
	struct forecast_st *F = st;
	long page = body_rows() > 1 ? body_rows() - 1 : 1;

	(void)key;
	switch (act) {
	case ACT_UP: F->view.top--; break;
	case ACT_DOWN: F->view.top++; break;
	case ACT_PAGE_UP: F->view.top -= page; break;
	case ACT_PAGE_DOWN: F->view.top += page; break;
	case ACT_HOME: F->view.top = 0; break;
	case ACT_END: F->view.top = (long)nlines(F); break;	/* clamped: the last page */
	case ACT_BACK:
		screen_pop(app);
		return true;
	default:
		return false;
	}
	F->view.sel = F->view.top;
	listcursor_clamp(&F->view, nlines(F), body_rows());
	return true;
}

const struct screen screen_forecast = {
	.name = "forecast",
	.state_size = sizeof(struct forecast_st),
	.enter = forecast_enter,
	.leave = forecast_leave,
	.update = forecast_update,
	.draw = forecast_draw,
	.key = forecast_key,
};
