/*
 * grid.c - the live grid: one row per biller, most urgent first.
 *
 * The rows come from app->view (rebuilt by the loop every second and on new
 * data).  This file keeps only what the user did, in the instance's state
 * (struct grid, grid_draw.h): the selection (by shard and biller id, so it
 * can stay on the same biller when rows move), the scroll position, the
 * filter being typed, and the frozen rows while Z holds the display.
 * Columns, cells and the frame are drawn by grid_draw.c.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "screens/grid_draw.h"
#include "screens/hold_dialog.h"
#include "ui/draw.h"
#include "ui/handoff.h"
#include "screens/drilldown.h"
#include "write/plan.h"
#include "write/plan_marks.h"
#include "screens/plan_dialog.h"
#include "write/rerun.h"
#include "screens/rerun_dialog.h"
#include "screens/screens.h"
#include "core/snapshot.h"
#include "core/timefmt.h"
#include "ui/ui_report.h"
#include "core/xalloc.h"

static void remember(struct app *app, struct grid *g)
{
	size_t n = grid_nrows(app, g);

	if (g->cur.sel >= 0 && (size_t)g->cur.sel < n) {
		const struct biller *b = grid_row(app, g, (size_t)g->cur.sel)->b;

		g->has_sel = true;
		g->sel_shard = b->shard_index;
		if (!g->sel_id || strcmp(g->sel_id, b->biller_id)) {
			free(g->sel_id);
			g->sel_id = xstrdup(b->biller_id);
		}
	}
}

static void clamp(struct app *app, struct grid *g)
{
	size_t n;

	n = grid_nrows(app, g);
	listcursor_clamp(&g->cur, n, grid_body_rows());
}

/* --- freezing ------------------------------------------------------------- */

static void freeze(struct app *app, struct grid *g)
{
	struct grid_frozen *fz = &g->fz;
	struct view *v = &app->view;

	fz->on = true;
	fz->since_mono = app->mono;
	fz->nsnaps = v->nsnaps;
	fz->snaps = xcalloc(v->nsnaps ? v->nsnaps : 1, sizeof *fz->snaps);
	for (size_t i = 0; i < v->nsnaps; i++)
		fz->snaps[i] = v->snaps[i] ? snapshot_ref(v->snaps[i]) : NULL;
	/* The copy's countdowns stand at the moment it was frozen. */
	view_retime(v, 0, v->nrows);
	fz->nrows = v->nrows;
	fz->rows = xmalloc((v->nrows ? v->nrows : 1) * sizeof *fz->rows);
	for (size_t i = 0; i < v->nrows; i++)
		fz->rows[i] = *view_row(v, i);
	fz->totals = v->totals;
}

static void thaw(struct grid *g)
{
	struct grid_frozen *fz = &g->fz;

	for (size_t i = 0; i < fz->nsnaps; i++)
		snapshot_unref(fz->snaps[i]);
	free(fz->snaps);
	free(fz->rows);
	memset(fz, 0, sizeof *fz);
}

/* --- the screen ----------------------------------------------------------- */

static void grid_enter(struct app *app, void *st, const void *arg)
{
	(void)app;
	(void)st;
	(void)arg;
}

static void grid_leave(struct app *app, void *st)
{
	struct grid *g = st;

	(void)app;
	thaw(g);
	free(g->sel_id);
	if (g->seen_ready)
		seen_free(&g->seen);
	seen_rows_free(&g->seen_rows);
}

static void grid_update(struct app *app, void *st)
{
	struct grid *g = st;

	grid_seen_update(app, g);	/* live statuses, even while held */
	if (g->fz.on)
		return;		/* held: nothing moves until Z again */
	if (!g->moved) {
		g->cur.sel = 0;
		g->cur.top = 0;
	} else if (g->has_sel) {
		long i = view_find(&app->view, g->sel_shard, g->sel_id);

		if (i >= 0)
			g->cur.sel = i;
	}
	clamp(app, g);
	remember(app, g);
}

static void grid_resize(struct app *app, void *st)
{
	clamp(app, st);
}

static void grid_draw(struct app *app, void *st)
{
	grid_draw_all(app, st);
}

/* --- keys ----------------------------------------------------------------- */

static void refilter(struct app *app, struct grid *g, const char *text)
{
	if (g->fz.on)
		thaw(g);	/* a new filter is new rows */
	view_set_filter(&app->view, text);
	view_rebuild(&app->view, app->now);
	g->cur.sel = 0;
	g->cur.top = 0;
	g->moved = false;
	grid_update(app, g);
}

static bool edit_key(struct app *app, struct grid *g, int key)
{
	switch (lineedit_key(&g->edit, key)) {
	case LE_CANCEL:
		g->editing = false;
		refilter(app, g, g->saved);
		break;
	case LE_ENTER:
		g->editing = false;
		break;
	case LE_CHANGED:
		refilter(app, g, g->edit.text);
		break;
	case LE_MOVED:
	case LE_IGNORED:
		break;
	}
	app->dirty = true;
	return true;
}

/* The biller of the selected row, as the live view has it now (a frozen
 * row's may be older: actions and their confirmations use fresh data);
 * NULL when there is no row, or when a frozen row's biller is no longer
 * in the shard's latest data (nothing fresh to act on: it says so). */
static const struct biller *selected_biller(struct app *app, struct grid *g)
{
	size_t n = grid_nrows(app, g);
	const struct biller *b;
	long i;

	if (g->cur.sel < 0 || (size_t)g->cur.sel >= n)
		return NULL;
	b = grid_row(app, g, (size_t)g->cur.sel)->b;
	if (!g->fz.on)
		return b;
	i = view_find(&app->view, b->shard_index, b->biller_id);
	if (i < 0)
		screen_message(app, "%s is no longer in its shard's latest data "
			       "(Z resumes)", *b->name ? b->name : b->biller_id);
	return i >= 0 ? view_row(&app->view, (size_t)i)->b : NULL;
}

static void mark(struct app *app, struct grid *g, const struct biller *b)
{
	plan_mark_toggle(b->shard_index, b->biller_id);
	if (app->readonly && !g->told_readonly_marks) {
		/* Marks feed R (a bulk rerun), which read-only cannot send. */
		g->told_readonly_marks = true;
		screen_message(app, "%zu marked, but read-only: marks cannot be "
			       "rerun here (only looked at)", plan_mark_count());
	} else {
		screen_message(app, "%zu marked for a bulk rerun (R)",
			       plan_mark_count());
	}
	g->cur.sel++;
	g->moved = true;
}

static bool resort(struct app *app, struct grid *g)
{
	if (g->fz.on)
		thaw(g);
	view_rebuild(&app->view, app->now);
	grid_update(app, g);
	return true;
}

/* Keys that act on the selected biller; false when act is not one. */
static bool biller_key(struct app *app, struct grid *g, enum action act)
{
	const struct biller *b;

	if (act != ACT_OPEN && act != ACT_LOGS && act != ACT_RERUN &&
	    act != ACT_MARK && act != ACT_HOLD)
		return false;
	b = selected_biller(app, g);
	if (!b)
		return true;
	/* After acting on the top row the selection stays on the top row (the
	 * next most urgent, coming back); on a row moved to by hand it stays
	 * on that biller. */
	if (g->cur.sel == 0)
		g->moved = false;
	switch (act) {
	case ACT_OPEN:
		biller_screen_open(app, b->shard_index, b->biller_id);
		break;
	case ACT_LOGS: {
		const struct row *r = grid_row(app, g, (size_t)g->cur.sel);

		logs_screen_open(app, b->shard_index, b->biller_id, NULL,
				 r->ev.focus ? r->ev.focus->batch_id : NULL);
		break;
	}
	case ACT_RERUN:
		rerun_confirm_batches(app, "grid", b, NULL);
		break;
	case ACT_HOLD:
		hold_dialog_open(app, "grid", b, true);
		break;
	default:
		mark(app, g, b);
		clamp(app, g);
		remember(app, g);
		break;
	}
	return true;
}

/* --- acknowledgements, notes, seen (issue 14) ------------------------------ */

/* A: the failures of the marked billers when there are marks, else of
 * the selected one; n: a note on the selected biller. */
static bool note_key(struct app *app, struct grid *g, enum action act)
{
	const struct biller *b, **list;
	size_t k = 0, nm = plan_mark_count();

	if (act == ACT_MARK_SEEN) {
		seen_mark_all(&g->seen, app->mono, app->now);
		g->nnew = 0;
		screen_message(app, "every change marked seen");
		return true;
	}
	if (act != ACT_ACKNOWLEDGE && act != ACT_NOTE)
		return false;
	if (act == ACT_NOTE || !nm) {
		b = selected_biller(app, g);
		if (!b)
			return true;
		if (act == ACT_NOTE)
			note_dialog_note(app, "grid", b, NULL);
		else
			note_dialog_ack(app, "grid", &b, 1, NULL);
		return true;
	}
	list = xcalloc(nm, sizeof *list);
	for (size_t i = 0; i < nm; i++) {
		int shard;
		const char *id;
		long at;

		if (!plan_mark_get(i, &shard, &id))
			continue;
		at = view_find(&app->view, shard, id);
		if (at >= 0)
			list[k++] = view_row(&app->view, (size_t)at)->b;
	}
	note_dialog_ack(app, "grid", list, k, NULL);
	free(list);
	return true;
}

static bool grid_key(struct app *app, void *st, enum action act, int key)
{
	struct grid *g = st;
	size_t n;

	if (g->seen_ready)
		seen_key(&g->seen, app->mono, app->now);
	n = grid_nrows(app, g);
	if (g->editing)
		return edit_key(app, g, key);
	if (listcursor_key(&g->cur, act, n, grid_body_rows())) {
		g->moved = act != ACT_HOME && g->cur.sel > 0;
		remember(app, g);
		return true;
	}
	if (biller_key(app, g, act) || note_key(app, g, act))
		return true;
	switch (act) {
	case ACT_FREEZE:
		if (g->fz.on) {
			thaw(g);
			grid_update(app, g);
		} else {
			freeze(app, g);
		}
		return true;
	case ACT_SORT_NEXT:
		app->view.sort = (enum sort_key)((app->view.sort + 1) % SORT__COUNT);
		resort(app, g);
		screen_message(app, "sorted by %s", sort_key_name(app->view.sort));
		return true;
	case ACT_SORT_REVERSE:
		app->view.reverse = !app->view.reverse;
		return resort(app, g);
	case ACT_TOGGLE_DEMO:
		app->view.show_demo = !app->view.show_demo;
		resort(app, g);
		screen_message(app, "demo billers %s", app->view.show_demo
			   ? "shown (never counted in the totals)" : "hidden");
		return true;
	case ACT_FILTER:
		g->editing = true;
		snprintf(g->saved, sizeof g->saved, "%s", app->view.filter);
		lineedit_init(&g->edit, app->view.filter, sizeof app->view.filter - 1);
		return true;
	case ACT_BACK:
		if (g->fz.on) {
			thaw(g);
			grid_update(app, g);
		} else if (app->view.filter[0]) {
			refilter(app, g, "");
		}
		return true;	/* nothing under the grid to go back to */
	case ACT_MISSED:
		screen_push(app, &screen_missed, NULL);
		return true;
	case ACT_FORECAST:
		screen_push(app, &screen_forecast, NULL);
		return true;
	case ACT_MARK_FAILED:
		screen_message(app, "%zu marked: every failed non-demo biller (R reruns "
			   "them as a plan)%s", plan_mark_failed(app),
			   app->readonly ? "; read-only: marks cannot be rerun here" : "");
		return true;
	case ACT_BULK_RERUN:
		plan_dialog_open(app);
		return true;
	case ACT_AUTOPAY:
		screen_push(app, &screen_autopay, NULL);
		return true;
	case ACT_HOLDS:
		screen_push(app, &screen_holds, NULL);
		return true;
	case ACT_PLAN_PAUSE:
		plan_pause(app, &ui_report);
		return true;
	case ACT_PLAN_CANCEL:
		plan_cancel(app, &ui_report);
		return true;
	case ACT_HANDOFF:
		handoff_start(app);
		return true;
	default:
		return false;
	}
}

const struct screen screen_grid = {
	.name = "grid",
	.state_size = sizeof(struct grid),
	.enter = grid_enter,
	.leave = grid_leave,
	.update = grid_update,
	.draw = grid_draw,
	.key = grid_key,
	.resize = grid_resize,
};
