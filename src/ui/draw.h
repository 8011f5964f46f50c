/*
 * draw.h - drawing helpers shared by the screens (UI thread only).
 *
 * Colours are looked up by meaning, never by number, so NO_COLOR and
 * color = false need only one switch here.  Status is always spelled in
 * text as well; colour only repeats it.
 */
#ifndef BT_DRAW_H
#define BT_DRAW_H

#include <curses.h>

#include "app/app.h"
#include "ui/actions.h"
#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"

enum paint {
	PAINT_NORMAL,
	PAINT_FAILED,
	PAINT_LATE,
	PAINT_AT_RISK,
	PAINT_RUNNING,
	PAINT_CLOSED,
	PAINT_CLOSED_LATE,
	PAINT_DIM,		/* demo billers, absent values */
	PAINT_HEADER,		/* column headings and bars */
	PAINT_SELECTED,
	PAINT_BAD,		/* a shard down, READ-ONLY */
	PAINT_WARN,		/* stale data */
	PAINT_OK,
	PAINT_HELD,		/* held by a hold: waits, is not failing */
	PAINT__COUNT
};

/* Set up colour pairs (if enabled and possible). */
void draw_init(struct app *app);
attr_t draw_attr(enum paint p);
enum paint draw_status_paint(enum biller_status s);

/* Put text at (y, x) fitted to exactly cols columns.  It is sanitized on
 * the way (so a raw identifier may be passed); sanitized text is drawn as
 * it is. */
void draw_text(int y, int x, int cols, const char *s, attr_t attr, int right);
/* Like draw_text for a printf result (cut only between characters). */
void draw_fmt(int y, int x, int cols, attr_t attr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The two header lines (totals, clock, shard health) at rows 0 and 1.
 * Items are kept apart by two spaces; when they do not all fit the least
 * important go first (closed, closed late, scheduled, running, the name).
 * After AT RISK, "3 will miss" counts the closes predicted to miss
 * (core/night.h) when there are any. */
void draw_header(struct app *app);
/* The same with totals t, and, when frozen_ms >= 0, "FROZEN m:ss — Z to
 * resume" (the grid held still for that long). */
void draw_header_as(struct app *app, const struct totals *t, int64_t frozen_ms);
/* The same with news (NULL: none) among the counts: the grid's "3 new
 * since 01:12". */
void draw_header_news(struct app *app, const struct totals *t,
		      int64_t frozen_ms, const char *news);
/* Whether the terminal's character set is UTF-8 (else ASCII fallbacks). */
bool draw_utf8(void);
/* Every source's health on row y (the shards, then New Relic when it is
 * configured), the troubled ones first, each cut to its share of what the
 * healthy ones leave, but to no less than min_share columns. */
void draw_health_line(struct app *app, int y, int min_share);
/* The status bar on the last row: the hint, or a message, plus READ-ONLY. */
void draw_statusbar(struct app *app, const char *hint);

/* The keys a screen names in its footer: an action and a word for it. */
struct key_hint {
	enum action act;
	const char *label;		/* "detail", "rerun" */
};
/* The footer of screen: "KEY label" for each hint whose action some key
 * does on that screen in the active keymap (so a user's bindings show as
 * they are, and an unbound action is left out), as many as fit the width
 * after "? help  q quit", which always fit; then the status bar as
 * draw_statusbar() draws it. */
void draw_footer(struct app *app, const char *screen,
		 const struct key_hint *hints, size_t n);
/* The same text into buf (for tests and the headless help). */
void draw_footer_text(const struct app *app, const char *screen,
		      const struct key_hint *hints, size_t n, int cols,
		      char *buf, size_t bufsz);

/* The smallest terminal batchtop draws in. */
#define DRAW_MIN_COLS 80
#define DRAW_MIN_ROWS 24
/* Draw the "too small" notice; returns true if the terminal is too small. */
bool draw_too_small(void);

/* One shard's health in a few words ("ok 3s", "DOWN 2m: ...", ...) and
 * whether its data is stale.  buf gets the text. */
bool draw_health_text(const struct app *app, size_t shard, char *buf,
		      size_t n, enum paint *paint);
/* The same for New Relic ("New Relic ok", "New Relic error: ..."); true
 * when it is not ok.  Only meaningful when app->nr is set. */
bool draw_nr_health_text(const struct app *app, char *buf, size_t n,
			 enum paint *paint);

#endif
