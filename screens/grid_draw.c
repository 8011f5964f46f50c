/*
 * grid_draw.c - the grid's columns, cells and frame (state in grid_draw.h).
 *
 * Columns are chosen for each frame by view_choose_columns(): one empty
 * for every row on screen (no mark, no rerun, no error...) is not drawn,
 * the least needed are dropped when the rest would not fit, and the name
 * and the error get the room that is left first.  A cut name keeps its
 * start and its end ("Granite Fa…ls Water"), so two billers never show
 * as the same cut string.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "screens/grid_draw.h"
#include "ui/draw.h"
#include "data/newrelic.h"
#include "write/hold_order.h"
#include "write/plan.h"
#include "write/rerun.h"
#include "core/note.h"
#include "core/text.h"
#include "core/timefmt.h"

static const struct {
	const char *title;
	int min, want;
	int right;
	int drop;		/* 0: never dropped; else dropped in this order */
	int grow;		/* 0: min only; else given room in this order */
	bool hide_empty;	/* not drawn while empty on every row shown */
} columns[GC__COUNT] = {
	[GC_STATUS] = { "STATUS", 11, 11, 0, 0, 0, false },
	[GC_NAME] = { "BILLER", 14, 40, 0, 0, 1, false },
	[GC_SHARD] = { "SHARD", 5, 5, 0, 0, 3, false },
	/* "*": marked; "?": a hold call on it lost its answer (checking) */
	[GC_MARK] = { "M", 1, 1, 0, 0, 0, true },
	[GC_ACK] = { "ACK", 3, 4, 0, 0, 0, true },	/* "✓AL": acknowledged */
	[GC_RERUN] = { "RERUN", 7, 7, 0, 0, 0, true },	/* latest request */
	[GC_TZ] = { "ZONE", 10, 19, 0, 1, 4, false },
	[GC_PRIO] = { "P", 1, 1, 1, 0, 0, false },
	[GC_CLOSED] = { "DONE", 5, 5, 1, 0, 0, false },
	[GC_SCHED] = { "LOCAL", 5, 5, 0, 3, 0, false },
	[GC_BAR] = { "WINDOW", 8, 20, 0, 5, 5, false },
	[GC_LEFT] = { "LEFT", 10, 10, 1, 0, 0, false },
	/* The forecast finish (core/forecast.h), only with a history. */
	[GC_ETA] = { "ETA", 11, 11, 1, 3, 0, true },
	[GC_ATT] = { "TRY", 3, 3, 1, 2, 0, true },
	[GC_ERR] = { "ERROR", 10, 24, 0, 6, 2, true },
	[GC_AP] = { "AP%", 4, 4, 1, 4, 0, true },
	[GC_NR] = { "NR ERRS", 7, 7, 1, 3, 0, true },	/* only with New Relic */
};

/* The column that shows each sort key's order (the arrow goes there). */
static enum gcol sorted_column(enum sort_key k)
{
	switch (k) {
	case SORT_NAME: return GC_NAME;
	case SORT_SHARD: return GC_SHARD;
	case SORT_PRIORITY: return GC_PRIO;
	case SORT_TIME_LEFT: return GC_LEFT;
	case SORT_AUTOPAY: return GC_AP;
	case SORT_RISK:
	case SORT__COUNT: break;
	}
	return GC_STATUS;
}

int grid_body_rows(void)
{
	/* Two header lines, headings, the plan's line, the status bar. */
	return LINES - 4 - (plan_has_line() ? 1 : 0);
}

size_t grid_nrows(const struct app *app, const struct grid *g)
{
	return g->fz.on ? g->fz.nrows : app->view.nrows;
}

const struct row *grid_row(const struct app *app, const struct grid *g, size_t i)
{
	return g->fz.on ? &g->fz.rows[i] : view_row(&app->view, i);
}

/* --- cells ---------------------------------------------------------------- */

static bool shard_stale(const struct app *app, int shard, int64_t *age)
{
	const struct shard_health *h = &app->health[shard];

	*age = h->last_ok_mono == BT_NO_TIME ? 0 : app->mono - h->last_ok_mono;
	return h->state != SHARD_OK ||
	       *age > (int64_t)app->cfg->stale_after * 1000;
}

static void cell_bar(char *buf, size_t n, const struct row *r, int w)
{
	int fill = 0;
	size_t j = 0;

	if (r->ev.status == BS_NONE || !r->ev.focus) {
		buf[0] = '\0';
		return;
	}
	if (r->ev.status == BS_CLOSED) {
		snprintf(buf, n, "done");
		return;
	}
	fill = r->ev.permille >= 1000 ? w : r->ev.permille * w / 1000;
	for (int i = 0; i < w && j + 4 < n; i++) {
		const char *c = i < fill ? "\u2588" : "\u00b7";

		memcpy(buf + j, c, strlen(c));
		j += strlen(c);
	}
	buf[j] = '\0';
}

static void cell_error(char *buf, size_t n, const struct biller *b)
{
	size_t nbad = 0;

	for (size_t i = 0; i < b->nbatches; i++)
		nbad += batch_is_bad(&b->batches[i]);
	text_printf(buf, n, "%s%s%s", nbad ? "bad row" : "",
		    nbad && *b->last_error_class ? " " : "", b->last_error_class);
}

/* --- acknowledgements and the new-since marks (issue 14) ---------------- */

/* The snapshot row r points into: a frozen one's, or the live view's. */
static const struct snapshot *row_snap(const struct app *app,
				       const struct grid *g, const struct row *r)
{
	size_t i = (size_t)r->b->shard_index;

	if (g->fz.on)
		return i < g->fz.nsnaps ? g->fz.snaps[i] : NULL;
	return i < app->view.nsnaps ? app->view.snaps[i] : NULL;
}

static struct seen_mark row_seen(const struct app *app, const struct grid *g,
				 const struct row *r)
{
	if (!g->seen_ready)
		return (struct seen_mark){ false, false };
	return seen_lookup(&g->seen, r->b->shard_index, r->b->biller_id,
			   app->mono);
}

/* "✓AL" when every failure of the row's biller has a standing
 * acknowledgement (AL: the latest's author); "·AL" when only some have,
 * or the biller has none failed but an acknowledgement still stands. */
static void cell_ack(const struct app *app, const struct grid *g,
		     const struct row *r, char *buf, size_t n)
{
	const struct snapshot *s = row_snap(app, g, r);
	const struct note *all = note_biller_ack(s, r->b), *some = all;
	const struct note *v;
	size_t k;
	char ini[8];

	if (!all) {
		v = note_of_biller(s, r->b->biller_id, &k);
		for (size_t i = k; i-- > 0 && !some;)
			if (v[i].kind == NOTE_ACK && v[i].open)
				some = &v[i];
	}
	if (!some)
		return;
	note_initials(some->author, ini, sizeof ini);
	snprintf(buf, n, "%s%s", all ? (draw_utf8() ? "\u2713" : "+")
				     : (draw_utf8() ? "\u00b7" : "~"), ini);
}

void grid_seen_update(struct app *app, struct grid *g)
{
	bool moved;

	if (!g->seen_ready) {
		seen_init(&g->seen, app->mono, app->now);
		g->seen_ready = true;
	}
	moved = seen_tick(&g->seen, app->mono);
	/* A reference taken before any shard answered has no shard time:
	 * the shard's clock now, less the time gone since, is its time. */
	if ((g->seen.ref_wall == BT_NO_TIME || g->seen.ref_wall <= 0) &&
	    app->now != BT_NO_TIME)
		g->seen.ref_wall = app->now - (app->mono - g->seen.ref_mono);
	/* The view is rebuilt on every shard's poll (100 a second on a large
	 * fleet), and a lookup per row is two cache misses (the id, the
	 * entry): the rows on screen are observed every time, so what is
	 * drawn is marked at once; the others, and the count, once a
	 * second, in which a change's mark is at most a second late. */
	if (!moved && app->mono / 1000 == g->seen_all_second) {
		size_t top = g->cur.top > 0 ? (size_t)g->cur.top : 0;
		size_t end = top + (size_t)(grid_body_rows() > 0 ? grid_body_rows() : 0);

		for (size_t i = top; i < end && i < app->view.nrows; i++) {
			const struct row *r = view_row(&app->view, i);

			seen_observe(&g->seen, r->b->shard_index, r->b->biller_id,
				     r->ev.status, app->mono);
		}
		return;
	}
	g->seen_all_second = app->mono / 1000;
	/* Those whose status changed since (every one when the reference
	 * moved), and the count of all. */
	g->nnew = seen_observe_view(&g->seen, &g->seen_rows, &app->view, app->mono);
}

/* The text of column c of row r, w columns wide, into buf. */
static void cell_text(const struct app *app, const struct grid *g,
		      const struct row *r, enum gcol c, int w, char *buf,
		      size_t n)
{
	const struct biller *b = r->b;
	struct forecast f;
	int64_t age;
	char t[16], name[256];

	buf[0] = '\0';
	switch (c) {
	case GC_STATUS: text_printf(buf, n, "%s", view_status_text(r)); break;
	case GC_MARK:
		/* Checking lasts until a poll re-read the shard's holds
		 * (write/hold_order.h): h on the row is refused till then. */
		snprintf(buf, n, "%s%s",
			 plan_is_marked(b->shard_index, b->biller_id) ? "*" : "",
			 hold_order_biller_is_checking(b->shard_index, b->biller_id)
				 ? "?" : "");
		break;
	case GC_RERUN: snprintf(buf, n, "%s", rerun_biller_word(b)); break;
	case GC_ACK: cell_ack(app, g, r, buf, n); break;
	case GC_NAME:
		view_name_cell(name, sizeof name, b, true);
		view_cut_middle(buf, n, name, w);
		break;
	case GC_SHARD:
		if (shard_stale(app, b->shard_index, &age))
			text_printf(buf, n, "%s ~%s", b->shard, fmt_age(t, sizeof t, age));
		else
			text_printf(buf, n, "%s", b->shard);
		break;
	case GC_TZ: view_zone_cell(buf, n, b); break;
	case GC_PRIO: view_priority_cell(buf, n, b); break;
	case GC_CLOSED: view_done_cell(buf, n, b); break;
	case GC_SCHED:
		if (r->ev.focus) {
			char lt[BATCH_LOCAL_SCHED_LEN];

			batch_local_sched(r->ev.focus, lt);
			snprintf(buf, n, "%s", lt[0] ? lt : "--:--");
		}
		break;
	case GC_BAR: cell_bar(buf, n, r, w); break;
	case GC_LEFT: view_left_cell(buf, n, r); break;
	case GC_ETA:
		if (view_row_forecast(&app->view, r, app->now, &f))
			view_eta_cell(buf, n, &app->view, r, &f, app->now, NULL);
		break;
	case GC_ATT: view_attempts_cell(buf, n, b); break;
	case GC_ERR: cell_error(buf, n, b); break;
	case GC_AP:
		if (biller_autopay_pct(b) >= 0)
			snprintf(buf, n, "%d%%", biller_autopay_pct(b));
		break;
	case GC_NR:
		if (app->nr_errs)
			snprintf(buf, n, "%lld", (long long)newrelic_errors_count(
						    app->nr_errs, b->biller_id));
		break;
	case GC__COUNT: break;
	}
}

/* The colour of an unselected, non-demo cell that says something. */
static attr_t cell_attr(const struct app *app, const struct row *r, enum gcol c,
			const char *text)
{
	const struct biller *b = r->b;
	bool open = r->ev.status != BS_CLOSED && r->ev.status != BS_NONE;
	int64_t age;

	switch (c) {
	case GC_STATUS: return draw_attr(draw_status_paint(r->ev.status));
	case GC_RERUN:
		return !strcmp(text, "unknown") || !strcmp(text, "failed")
			       ? draw_attr(PAINT_WARN) : 0;
	case GC_SHARD:
		return shard_stale(app, b->shard_index, &age) ? draw_attr(PAINT_WARN) : 0;
	case GC_BAR:
		if (r->ev.permille >= 1000 && r->ev.status != BS_CLOSED)
			return draw_attr(PAINT_LATE);
		return r->ev.status == BS_AT_RISK ||
			       (r->ev.permille > app->cfg->at_risk_pct * 10 &&
				r->ev.status != BS_CLOSED) ? draw_attr(PAINT_AT_RISK) : 0;
	case GC_LEFT:
		return r->ev.time_left < 0 && open ? draw_attr(PAINT_LATE) : 0;
	case GC_ETA:
		return !strcmp(text, "will miss") ? draw_attr(PAINT_LATE) | A_BOLD
		       : r->ev.status == BS_AT_RISK ? draw_attr(PAINT_AT_RISK) : 0;
	case GC_ERR:
		return !strncmp(text, "bad row", 7) ? draw_attr(PAINT_WARN) : 0;
	case GC_AP:
		return biller_autopay_pct(b) >= app->cfg->autopay_alert_pct
			       ? draw_attr(PAINT_FAILED) : 0;
	case GC_NR: return strcmp(text, "0") && text[0] ? draw_attr(PAINT_WARN) : 0;
	case GC_ACK: return text[0] ? A_BOLD : 0;
	case GC_MARK: return strchr(text, '?') ? draw_attr(PAINT_WARN) | A_BOLD : 0;
	default: return 0;
	}
}

static void draw_row(struct app *app, struct grid *g, int y, const struct row *r,
		     bool selected)
{
	attr_t base = selected ? draw_attr(PAINT_SELECTED)
			       : (r->b->is_demo ? draw_attr(PAINT_DIM) : 0);
	int x = 0;
	char buf[256];

	/* A new failure stands out for a few seconds wherever the
	 * selection is (core/seen.h), then calms down by itself. */
	if (!selected && !r->b->is_demo && row_seen(app, g, r).flash)
		base = A_REVERSE | A_BOLD;

	move(y, 0);
	attrset(base);
	hline(' ', COLS);
	for (int c = 0; c < GC__COUNT; c++) {
		int w = g->width[c];
		attr_t a = base;

		if (!w)
			continue;
		cell_text(app, g, r, (enum gcol)c, w, buf, sizeof buf);
		if (c == GC_AP && !buf[0])
			snprintf(buf, sizeof buf, "-");
		if (!selected && !r->b->is_demo && !(base & A_REVERSE))
			a = cell_attr(app, r, (enum gcol)c, buf) | base;
		/* New since the operator looked: the name is underlined, an
		 * attribute and not a column, so the rows keep their shape
		 * (and every pattern that reads them). */
		if (c == GC_NAME && row_seen(app, g, r).changed)
			a |= A_UNDERLINE | A_BOLD;
		draw_text(y, x, w, buf, a, columns[c].right);
		x += w + 1;
	}
	attrset(A_NORMAL);
}

/* --- columns -------------------------------------------------------------- */

/* Which hideable columns say something on the rows on screen. */
static void columns_with_content(const struct app *app, const struct grid *g,
				 bool *has)
{
	size_t n = grid_nrows(app, g);
	int page = grid_body_rows();
	char buf[256];

	for (int c = 0; c < GC__COUNT; c++)
		has[c] = !columns[c].hide_empty;
	for (long i = g->cur.top; i < g->cur.top + page && i < (long)n; i++)
		for (int c = 0; c < GC__COUNT; c++)
			if (!has[c]) {
				cell_text(app, g, grid_row(app, g, (size_t)i), (enum gcol)c, 40,
					  buf, sizeof buf);
				has[c] = buf[0] != '\0';
			}
}

/* 2 when a row on screen is both marked and checking ("*?"), else 1. */
static int mark_width(const struct app *app, const struct grid *g)
{
	size_t n = grid_nrows(app, g);
	int page = grid_body_rows();

	for (long i = g->cur.top; i < g->cur.top + page && i < (long)n; i++) {
		const struct biller *b = grid_row(app, g, (size_t)i)->b;

		if (hold_order_biller_is_checking(b->shard_index, b->biller_id) &&
		    plan_is_marked(b->shard_index, b->biller_id))
			return 2;
	}
	return 1;
}

static void layout(struct app *app, struct grid *g)
{
	struct view_col spec[GC__COUNT];
	bool has[GC__COUNT];
	int shard_len = 5;
	enum gcol sorted = sorted_column(app->view.sort);

	for (size_t i = 0; i < app->npollers; i++) {
		int w = text_width(shard_poller_name(app->pollers[i]));

		shard_len = w > shard_len ? w : shard_len;
	}
	columns_with_content(app, g, has);
	for (int c = 0; c < GC__COUNT; c++) {
		spec[c] = (struct view_col){
			.min = columns[c].min, .want = columns[c].want,
			.drop = columns[c].drop, .grow = columns[c].grow,
			.shown = has[c],
		};
		/* The sorted column's title has room for its arrow. */
		if (c == (int)sorted && spec[c].min < text_width(columns[c].title) + 1)
			spec[c].min = text_width(columns[c].title) + 1;
		if (spec[c].want < spec[c].min)
			spec[c].want = spec[c].min;
	}
	spec[GC_SHARD].min = shard_len > spec[GC_SHARD].min ? shard_len : spec[GC_SHARD].min;
	spec[GC_SHARD].want = shard_len + 4;	/* room for " ~12s" when stale */
	if (spec[GC_MARK].shown)
		spec[GC_MARK].min = spec[GC_MARK].want = mark_width(app, g);
	spec[GC_NR].shown = spec[GC_NR].shown && app->nr;
	view_choose_columns(spec, GC__COUNT, COLS, g->width);
}

static void draw_headings(struct app *app, struct grid *g, int y)
{
	enum gcol sorted = sorted_column(app->view.sort);
	bool up = !app->view.reverse, utf8 = draw_utf8();
	char title[32];
	int x = 0;

	move(y, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	for (int c = 0; c < GC__COUNT; c++) {
		if (!g->width[c])
			continue;
		/* The arrow goes before the title, which stays whole. */
		snprintf(title, sizeof title, "%s%s", c != (int)sorted ? ""
			 : utf8 ? (up ? "\u25b2" : "\u25bc") : (up ? "^" : "v"),
			 columns[c].title);
		draw_text(y, x, g->width[c], title, draw_attr(PAINT_HEADER) |
			  (c == (int)sorted ? A_BOLD : 0), columns[c].right);
		x += g->width[c] + 1;
	}
	attrset(A_NORMAL);
}

/* --- the frame ------------------------------------------------------------ */

static const struct key_hint hints[] = {
	{ ACT_OPEN, "detail" }, { ACT_LOGS, "logs" }, { ACT_RERUN, "rerun" },
	{ ACT_MARK, "mark" }, { ACT_MARK_FAILED, "mark failed" },
	{ ACT_BULK_RERUN, "plan" }, { ACT_FILTER, "filter" },
	{ ACT_SORT_NEXT, "sort" }, { ACT_FREEZE, "freeze" },
	/* Last: the first to go when narrow (the help lists them). */
	{ ACT_ACKNOWLEDGE, "ack" }, { ACT_NOTE, "note" },
	{ ACT_MARK_SEEN, "all seen" },
};

/* Columns the footer's main keys want ("Enter detail  l logs  r rerun
 * Space mark  ? help  q quit") before the status words get any. */
#define KEYS_ROOM 60

static void draw_bar(struct app *app, struct grid *g, size_t n)
{
	char hint[512], keys[400];
	const struct view *v = &app->view;
	int w;

	if (plan_status_line(hint, sizeof hint)) {	/* messages never cover it */
		move(LINES - 2, 0);
		clrtoeol();
		draw_text(LINES - 2, 0, COLS, hint, A_BOLD, 0);
	}
	if (g->editing) {
		move(LINES - 1, 0);
		clrtoeol();
		lineedit_draw(&g->edit, LINES - 1, 0, COLS, "filter: ", A_BOLD);
		return;
	}
	/* The counts and the filter; the sort and demo words too when the
	 * keys still have the room they need (the header's arrow shows the
	 * sort in any case). */
	w = snprintf(hint, sizeof hint, "%zu/%d billers  sort:%s%s  demo:%s%s%s  ",
		     n, v->totals.billers + (v->show_demo ? v->totals.demo : 0),
		     sort_key_name(v->sort), v->reverse ? " (rev)" : "",
		     v->show_demo ? "shown" : "hidden",
		     v->filter[0] ? "  filter:" : "", v->filter);
	if (COLS - text_width(hint) - (app->readonly ? 11 : 0) < KEYS_ROOM)
		w = snprintf(hint, sizeof hint, "%zu/%d billers%s%s  ", n,
			     v->totals.billers + (v->show_demo ? v->totals.demo : 0),
			     v->filter[0] ? "  filter:" : "", v->filter);
	draw_footer_text(app, "grid", hints, sizeof hints / sizeof hints[0],
			 COLS - text_width(hint) - (app->readonly ? 11 : 0),
			 keys, sizeof keys);
	snprintf(hint + w, sizeof hint - (size_t)w, "%s", keys);
	draw_statusbar(app, hint);
}

void grid_draw_all(struct app *app, struct grid *g)
{
	size_t n = grid_nrows(app, g);
	const struct view *v = &app->view;
	int page = grid_body_rows();
	char news[64] = "", at[16];

	/* The rows on screen, brought to now (the view leaves the others:
	 * src/ui/ui.c sets retime_on_read); a frozen copy keeps its time. */
	if (!g->fz.on && g->cur.top >= 0 && page > 0)
		view_retime(&app->view, (size_t)g->cur.top, (size_t)page);
	layout(app, g);
	erase();
	/* The reference's shard time is unknown when it was taken before any
	 * shard answered: that was batchtop's start. */
	if (g->nnew && g->seen.ref_wall != BT_NO_TIME && g->seen.ref_wall > 0) {
		fmt_clock(at, sizeof at, g->seen.ref_wall, 0);
		snprintf(news, sizeof news, "%zu new since %.5s", g->nnew, at);
	} else if (g->nnew) {
		snprintf(news, sizeof news, "%zu new since start", g->nnew);
	}
	draw_header_news(app, g->fz.on ? &g->fz.totals : &v->totals,
			 g->fz.on ? app->mono - g->fz.since_mono : -1, news);
	draw_headings(app, g, 2);
	for (int i = 0; i < page && g->cur.top + i < (long)n; i++) {
		long idx = g->cur.top + i;

		draw_row(app, g, 3 + i, grid_row(app, g, (size_t)idx), idx == g->cur.sel);
	}
	if (n == 0) {
		const char *why = v->filter[0] ? "no biller matches the filter"
				  : v->totals.billers + v->totals.demo
					  ? "only demo billers tonight (d shows them)"
					  : "no data yet";
		draw_text(4, 2, COLS - 4, why, draw_attr(PAINT_DIM), 0);
	}
	draw_bar(app, g, n);
}
