/*
 * grid.c - the live grid: one row per biller, most urgent first.
 *
 * The rows come from app->view (rebuilt by the loop every second and on new
 * data).  This file keeps only what the user did: the selection (by shard
 * and biller id, so it stays on the same biller when rows move), the
 * scroll position, and the filter being typed.  Columns that do not fit
 * are dropped in a fixed order, the least needed first.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ui/draw.h"
#include "screens/drilldown.h"
#include "data/newrelic.h"
#include "write/plan.h"
#include "screens/plan_dialog.h"
#include "write/rerun.h"
#include "screens/rerun_dialog.h"
#include "screens/screens.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "ui/ui_report.h"
#include "core/xalloc.h"

enum gcol {
	GC_STATUS, GC_NAME, GC_SHARD, GC_MARK, GC_RERUN, GC_TZ, GC_PRIO,
	GC_CLOSED, GC_SCHED, GC_BAR, GC_LEFT, GC_ATT, GC_ERR, GC_AP, GC_NR, GC__COUNT
};

static const struct {
	const char *title;
	int min, max;
	int right;
	int drop;	/* 0: never dropped; else dropped in this order */
} columns[GC__COUNT] = {
	[GC_STATUS] = { "STATUS", 11, 11, 0, 0 },
	[GC_NAME] = { "BILLER", 14, 40, 0, 0 },
	[GC_SHARD] = { "SHARD", 5, 14, 0, 0 },
	[GC_MARK] = { "M", 1, 1, 0, 0 },	/* "*": marked for a bulk rerun */
	[GC_RERUN] = { "RERUN", 7, 7, 0, 0 },	/* its latest rerun request */
	[GC_TZ] = { "ZONE", 10, 19, 0, 1 },
	[GC_PRIO] = { "P", 1, 1, 1, 0 },
	[GC_CLOSED] = { "DONE", 5, 5, 1, 0 },
	[GC_SCHED] = { "LOCAL", 5, 5, 0, 3 },
	[GC_BAR] = { "WINDOW", 8, 20, 0, 0 },
	[GC_LEFT] = { "LEFT", 10, 10, 1, 0 },
	[GC_ATT] = { "TRY", 3, 3, 1, 2 },
	[GC_ERR] = { "ERROR", 10, 17, 0, 4 },
	[GC_AP] = { "AP%", 4, 4, 1, 5 },
	[GC_NR] = { "NR ERRS", 7, 7, 1, 3 },	/* only with New Relic */
};

static struct {
	long sel, top;
	/* Until the user moves the selection it stays on the first, most
	 * urgent row; after that it follows the same biller.  Home (and a new
	 * filter) go back to the top. */
	bool moved;
	bool has_sel;
	int sel_shard;
	char *sel_id;		/* raw, whole: it is a key */
	bool editing;
	char edit[128];
	char saved[128];
	int width[GC__COUNT];	/* 0: column not shown */
	int layout_cols;
	int shard_len;
} g;

static int body_rows(void)
{
	/* Two header lines, headings, the plan's line, the status bar. */
	return LINES - 4 - (plan_has_line() ? 1 : 0);
}

static void layout(struct app *app)
{
	int total = 0, extra, shard_len = 5;

	for (size_t i = 0; i < app->npollers; i++) {
		int w = text_width(shard_poller_name(app->pollers[i]));

		if (w > shard_len)
			shard_len = w;
	}
	g.shard_len = shard_len;
	for (int c = 0; c < GC__COUNT; c++) {
		g.width[c] = columns[c].min;
		total += g.width[c] + 1;
	}
	if (!app->nr) {		/* no New Relic: no column at all */
		total -= g.width[GC_NR] + 1;
		g.width[GC_NR] = 0;
	}
	/* Drop columns, least needed first, until the rest fits. */
	for (int d = 1; total - 1 > COLS && d <= 5; d++)
		for (int c = 0; c < GC__COUNT; c++)
			if (columns[c].drop == d && g.width[c]) {
				total -= g.width[c] + 1;
				g.width[c] = 0;
			}
	extra = COLS - (total - 1);
	/* Then share what is left, in order of use. */
	{
		static const enum gcol grow[] = { GC_SHARD, GC_NAME, GC_TZ,
						  GC_ERR, GC_BAR, GC_NAME };
		for (size_t k = 0; k < sizeof grow / sizeof grow[0] && extra > 0; k++) {
			enum gcol c = grow[k];
			int want = c == GC_SHARD ? shard_len + 4 : columns[c].max;
			int add;

			if (!g.width[c] || g.width[c] >= want)
				continue;
			add = want - g.width[c];
			if (c == GC_NAME && k == 1)
				add = add > 12 ? 12 : add;	/* more later */
			if (add > extra)
				add = extra;
			g.width[c] += add;
			extra -= add;
		}
	}
	g.layout_cols = COLS;
}

static void remember(struct app *app)
{
	if (g.sel >= 0 && (size_t)g.sel < app->view.nrows) {
		const struct biller *b = app->view.rows[g.sel].b;

		g.has_sel = true;
		g.sel_shard = b->shard_index;
		if (!g.sel_id || strcmp(g.sel_id, b->biller_id)) {
			free(g.sel_id);
			g.sel_id = xstrdup(b->biller_id);
		}
	}
}

static void clamp(struct app *app)
{
	long n = (long)app->view.nrows, page = body_rows();

	if (g.sel >= n)
		g.sel = n - 1;
	if (g.sel < 0)
		g.sel = 0;
	if (g.top > g.sel)
		g.top = g.sel;
	if (page > 0 && g.sel >= g.top + page)
		g.top = g.sel - page + 1;
	if (g.top > n - page)
		g.top = n - page;
	if (g.top < 0)
		g.top = 0;
}

static void grid_enter(struct app *app, void *st, const void *arg)
{
	(void)st;
	(void)arg;
	layout(app);
}

static void grid_update(struct app *app, void *st)
{
	(void)st;
	if (!g.moved) {
		g.sel = 0;
		g.top = 0;
	} else if (g.has_sel) {
		long i = view_find(&app->view, g.sel_shard, g.sel_id);

		if (i >= 0)
			g.sel = i;
	}
	clamp(app);
	remember(app);
}

static void grid_resize(struct app *app, void *st)
{
	(void)st;
	layout(app);
	clamp(app);
}

/* --- cells ---------------------------------------------------------------- */

static bool shard_stale(const struct app *app, int shard, int64_t *age)
{
	const struct shard_health *h = &app->health[shard];

	*age = h->last_ok_mono == BT_NO_TIME ? 0 : app->mono - h->last_ok_mono;
	return h->state != SHARD_OK ||
	       *age > (int64_t)app->cfg->stale_after * 1000;
}

static void cell_left(char *buf, size_t n, const struct row *r)
{
	char t[16];

	buf[0] = '\0';
	if (r->ev.focus && r->ev.focus->deadline_inf &&
	    r->ev.status != BS_CLOSED && r->ev.status != BS_NONE) {
		/* 'infinity': it never goes late; '-infinity': always late. */
		snprintf(buf, n, "%s", r->ev.focus->deadline_inf > 0 ? "never"
				       : "late \u221e");
		return;
	}
	if (!r->ev.focus || r->ev.focus->deadline_at == BT_NO_TIME)
		return;
	switch (r->ev.status) {
	case BS_CLOSED:
	case BS_NONE:
		return;
	case BS_CLOSED_LATE:
		snprintf(buf, n, "late %s", fmt_countdown(t, sizeof t, r->ev.time_left));
		return;
	default:
		if (r->ev.time_left < 0)
			snprintf(buf, n, "late %s",
				 fmt_countdown(t, sizeof t, r->ev.time_left));
		else
			fmt_countdown(buf, n, r->ev.time_left);
	}
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

static void draw_row(struct app *app, int y, const struct row *r, bool selected)
{
	const struct biller *b = r->b;
	attr_t base = selected ? draw_attr(PAINT_SELECTED)
			       : (b->is_demo ? draw_attr(PAINT_DIM) : 0);
	int x = 0;
	char buf[256];
	int64_t age;

	move(y, 0);
	attrset(base);
	hline(' ', COLS);
	for (int c = 0; c < GC__COUNT; c++) {
		int w = g.width[c];
		attr_t a = base;

		if (!w)
			continue;
		buf[0] = '\0';
		switch ((enum gcol)c) {
		case GC_STATUS:
			text_printf(buf, sizeof buf, "%s", view_status_text(r));
			if (!selected && !b->is_demo)
				a = draw_attr(draw_status_paint(r->ev.status));
			break;
		case GC_MARK:
			if (plan_is_marked(b->shard_index, b->biller_id))
				snprintf(buf, sizeof buf, "*");
			break;
		case GC_RERUN:
			snprintf(buf, sizeof buf, "%s", rerun_biller_word(b));
			if (!selected && (!strcmp(buf, "unknown") || !strcmp(buf, "failed")))
				a = draw_attr(PAINT_WARN);
			break;
		case GC_NAME:
			view_name_cell(buf, sizeof buf, b, true);
			break;
		case GC_SHARD:
			if (shard_stale(app, b->shard_index, &age)) {
				char t[16];

				text_printf(buf, sizeof buf, "%s ~%s", b->shard,
					    fmt_age(t, sizeof t, age));
				if (!selected)
					a = draw_attr(PAINT_WARN);
			} else {
				text_printf(buf, sizeof buf, "%s", b->shard);
			}
			break;
		case GC_TZ:
			view_zone_cell(buf, sizeof buf, b);
			break;
		case GC_PRIO:
			view_priority_cell(buf, sizeof buf, b);
			break;
		case GC_CLOSED:
			view_done_cell(buf, sizeof buf, b);
			break;
		case GC_SCHED:
			if (r->ev.focus)
				snprintf(buf, sizeof buf, "%s",
					 r->ev.focus->local_sched[0]
						 ? r->ev.focus->local_sched : "--:--");
			break;
		case GC_BAR:
			cell_bar(buf, sizeof buf, r, w);
			if (!selected && r->ev.permille >= 1000 &&
			    r->ev.status != BS_CLOSED)
				a = draw_attr(PAINT_LATE);
			else if (!selected && r->ev.permille > app->cfg->at_risk_pct * 10 &&
				 r->ev.status != BS_CLOSED)
				a = draw_attr(PAINT_AT_RISK);
			break;
		case GC_LEFT:
			cell_left(buf, sizeof buf, r);
			if (!selected && r->ev.time_left < 0 &&
			    r->ev.status != BS_CLOSED && r->ev.status != BS_NONE)
				a = draw_attr(PAINT_LATE);
			break;
		case GC_ATT:
			view_attempts_cell(buf, sizeof buf, b);
			break;
		case GC_ERR: {
			size_t nbad = 0;

			for (size_t i = 0; i < b->nbatches; i++)
				nbad += batch_is_bad(&b->batches[i]);
			text_printf(buf, sizeof buf, "%s%s%s", nbad ? "bad row" : "",
				    nbad && *b->last_error_class ? " " : "",
				    b->last_error_class);
			if (nbad && !selected)
				a = draw_attr(PAINT_WARN);
			break;
		}
		case GC_AP: {
			int pct = biller_autopay_pct(b);

			if (pct >= 0) {
				snprintf(buf, sizeof buf, "%d%%", pct);
				if (!selected && pct >= app->cfg->autopay_alert_pct)
					a = draw_attr(PAINT_FAILED);
			} else {
				snprintf(buf, sizeof buf, "-");
			}
			break;
		}
		case GC_NR:
			if (app->nr_errs) {
				int64_t n = newrelic_errors_count(app->nr_errs,
								  b->biller_id);

				snprintf(buf, sizeof buf, "%lld", (long long)n);
				if (!selected && n > 0)
					a = draw_attr(PAINT_WARN);
			} else {
				snprintf(buf, sizeof buf, "-");
			}
			break;
		case GC__COUNT:
			break;
		}
		if (selected)
			a = base;
		else if (b->is_demo)
			a = (a & ~A_COLOR) | draw_attr(PAINT_DIM);
		draw_text(y, x, w, buf, a, columns[c].right);
		x += w + 1;
	}
	attrset(A_NORMAL);
}

static void draw_headings(int y)
{
	int x = 0;

	move(y, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	for (int c = 0; c < GC__COUNT; c++) {
		if (!g.width[c])
			continue;
		draw_text(y, x, g.width[c], columns[c].title,
			  draw_attr(PAINT_HEADER), columns[c].right);
		x += g.width[c] + 1;
	}
	attrset(A_NORMAL);
}

static void grid_draw(struct app *app, void *st)
{
	const struct view *v = &app->view;
	int rows = body_rows();
	char hint[256];

	(void)st;
	if (g.layout_cols != COLS)
		layout(app);
	erase();
	draw_header(app);
	draw_headings(2);
	for (int i = 0; i < rows && g.top + i < (long)v->nrows; i++) {
		long idx = g.top + i;

		draw_row(app, 3 + i, &v->rows[idx], idx == g.sel);
	}
	if (v->nrows == 0) {
		const char *why = v->filter[0] ? "no biller matches the filter"
				  : v->totals.billers + v->totals.demo
					  ? "only demo billers tonight (d shows them)"
					  : "no data yet";
		draw_text(4, 2, COLS - 4, why, draw_attr(PAINT_DIM), 0);
	}
	if (plan_status_line(hint, sizeof hint)) {	/* messages never cover it */
		move(LINES - 2, 0);
		clrtoeol();
		draw_text(LINES - 2, 0, COLS, hint, A_BOLD, 0);
	}
	if (g.editing) {
		snprintf(hint, sizeof hint, "filter: %s", g.edit);
		move(LINES - 1, 0);
		clrtoeol();
		draw_text(LINES - 1, 0, COLS, hint, A_BOLD, 0);
		return;
	}
	snprintf(hint, sizeof hint,
		 "%zu/%d billers  sort:%s%s  demo:%s%s%s  ? help  q quit",
		 v->nrows, v->totals.billers + (v->show_demo ? v->totals.demo : 0),
		 sort_key_name(v->sort), v->reverse ? " (rev)" : "",
		 v->show_demo ? "shown" : "hidden",
		 v->filter[0] ? "  filter:" : "", v->filter);
	draw_statusbar(app, hint);
}

/* --- keys ----------------------------------------------------------------- */

static void refilter(struct app *app, const char *text)
{
	view_set_filter(&app->view, text);
	view_rebuild(&app->view, app->now);
	g.sel = 0;
	g.top = 0;
	g.moved = false;
	grid_update(app, NULL);
	remember(app);
}

static bool edit_key(struct app *app, int key)
{
	size_t len = strlen(g.edit);

	if (key == 27) {	/* Esc: back to what it was */
		g.editing = false;
		refilter(app, g.saved);
	} else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		g.editing = false;
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		while (len > 0 && ((unsigned char)g.edit[len - 1] & 0xC0) == 0x80)
			len--;
		if (len > 0)
			len--;
		g.edit[len] = '\0';
		refilter(app, g.edit);
	} else if (key >= 32 && key < 256 && key != 127 && len + 1 < sizeof g.edit) {
		g.edit[len] = (char)key;
		g.edit[len + 1] = '\0';
		refilter(app, g.edit);
	}
	return true;
}

static bool grid_key(struct app *app, void *st, enum action act, int key)
{
	long page = body_rows() > 1 ? body_rows() - 1 : 1;

	(void)st;
	if (g.editing)
		return edit_key(app, key);
	/* Acting on a biller picks it: coming back, the selection is there. */
	if (act == ACT_OPEN || act == ACT_LOGS || act == ACT_RERUN ||
	    act == ACT_MARK)
		g.moved = true;
	switch (act) {
	case ACT_UP: g.sel--; g.moved = g.sel > 0; break;
	case ACT_DOWN: g.sel++; g.moved = true; break;
	case ACT_PAGE_UP: g.sel -= page; g.top -= page; g.moved = g.sel > 0; break;
	case ACT_PAGE_DOWN: g.sel += page; g.top += page; g.moved = true; break;
	case ACT_HOME: g.sel = 0; g.moved = false; break;
	case ACT_END: g.sel = (long)app->view.nrows - 1; g.moved = true; break;
	case ACT_SORT_NEXT:
		app->view.sort = (enum sort_key)((app->view.sort + 1) % SORT__COUNT);
		view_rebuild(&app->view, app->now);
		grid_update(app, NULL);
		screen_message(app, "sorted by %s", sort_key_name(app->view.sort));
		return true;
	case ACT_SORT_REVERSE:
		app->view.reverse = !app->view.reverse;
		view_rebuild(&app->view, app->now);
		grid_update(app, NULL);
		return true;
	case ACT_TOGGLE_DEMO:
		app->view.show_demo = !app->view.show_demo;
		view_rebuild(&app->view, app->now);
		grid_update(app, NULL);
		screen_message(app, "demo billers %s", app->view.show_demo
			   ? "shown (never counted in the totals)" : "hidden");
		return true;
	case ACT_FILTER:
		g.editing = true;
		snprintf(g.saved, sizeof g.saved, "%s", app->view.filter);
		snprintf(g.edit, sizeof g.edit, "%s", app->view.filter);
		return true;
	case ACT_BACK:
		if (app->view.filter[0]) {
			refilter(app, "");
			return true;
		}
		return true;	/* nothing under the grid to go back to */
	case ACT_OPEN:
		if (g.sel >= 0 && (size_t)g.sel < app->view.nrows)
			biller_screen_open(app, app->view.rows[g.sel].b->shard_index,
					   app->view.rows[g.sel].b->biller_id);
		return true;
	case ACT_LOGS:
		if (g.sel >= 0 && (size_t)g.sel < app->view.nrows) {
			const struct row *r = &app->view.rows[g.sel];

			logs_screen_open(app, r->b->shard_index, r->b->biller_id, NULL,
					 r->ev.focus ? r->ev.focus->batch_id : NULL);
		}
		return true;
	case ACT_MISSED:
		screen_push(app, &screen_missed, NULL);
		return true;
	case ACT_RERUN:
		if (g.sel >= 0 && (size_t)g.sel < app->view.nrows)
			rerun_confirm_batches(app, "grid", app->view.rows[g.sel].b, NULL);
		return true;
	case ACT_MARK:
		if (g.sel >= 0 && (size_t)g.sel < app->view.nrows) {
			const struct biller *b = app->view.rows[g.sel].b;

			plan_mark_toggle(b->shard_index, b->biller_id);
			screen_message(app, "%zu marked for a bulk rerun (R)",
				   plan_mark_count());
			g.sel++;
		}
		break;
	case ACT_MARK_FAILED:
		screen_message(app, "%zu marked: every failed non-demo biller (R reruns "
			   "them as a plan)", plan_mark_failed(app));
		return true;
	case ACT_BULK_RERUN:
		plan_dialog_open(app);
		return true;
	case ACT_AUTOPAY:
		screen_push(app, &screen_autopay, NULL);
		return true;
	case ACT_PLAN_PAUSE:
		plan_pause(app, &ui_report);
		return true;
	case ACT_PLAN_CANCEL:
		plan_cancel(app, &ui_report);
		return true;
	default:
		return false;
	}
	clamp(app);
	remember(app);
	return true;
}

const struct screen screen_grid = {
	.name = "grid",
	.enter = grid_enter,
	.update = grid_update,
	.draw = grid_draw,
	.key = grid_key,
	.resize = grid_resize,
};
