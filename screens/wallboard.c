/*
 * wallboard.c - the board for a TV or a spare monitor (batchtop --wallboard).
 *
 * Read-only by construction: main() sets readonly, and this screen takes
 * no action key at all; only the bound quit action gets through (with
 * --kiosk it asks "Really quit? y/n" first, and the terminal is in raw
 * mode so Ctrl-C and Ctrl-Z are keys, not signals).  Every other key is swallowed
 * here, so the generic handling in ui.c (help, refresh, back) never runs.
 *
 * Top to bottom:
 *   a title line with the shards' clock and how old the oldest data is;
 *   tiles with large numbers: FAILED, LATE, AT RISK, RUNNING, CLOSED
 *     (non-demo billers only), SUCCESS SO FAR and the time to the next
 *     payment file;
 *   the billers that need attention (failed, late, at risk), most urgent
 *     first, in as many columns as fit, paged every wallboard_page_seconds;
 *   a health strip with every source and the age of its data;
 *   the status bar (READ-ONLY).
 * The size of the digits and the number of tile rows are chosen again on
 * every draw, the largest that fits, so any terminal from 80x24 up works.
 * Nothing here allocates: the board can run for days.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "core/bigdigits.h"
#include "ui/draw.h"
#include "headless/headless.h"
#include "screens/screens.h"
#include "core/text.h"
#include "core/timefmt.h"

enum tile {
	T_FAILED, T_LATE, T_AT_RISK, T_RUNNING, T_CLOSED, T_SUCCESS, T_FILE,
	T__COUNT
};

#define TILE_GAP 2		/* columns between two tiles */
#define LIST_COL_MIN 76		/* narrowest column of the attention list */
#define LIST_COL_GAP 3
#define CONFIRM_MS 10000	/* how long "Really quit? y/n" waits */

struct layout {
	const struct bigdigits_style *style;
	int tile_rows, per_row, tile_w;
	int tiles_y, tiles_h;
	int list_y;		/* the list's heading; its rows follow */
	int list_rows, list_cols, list_col_w;
	int health_y;
};

static struct {
	int page;
	int64_t page_since;	/* monotonic ms when the page was shown */
	bool confirming;	/* kiosk: q was pressed, waiting for y */
	int64_t confirm_until;
} wb;

/* --- what the tiles say ----------------------------------------------- */

static void tile_texts(const struct app *app, char text[T__COUNT][16],
		       char label[T__COUNT][40])
{
	static const enum biller_status counted[] = {
		[T_FAILED] = BS_FAILED, [T_LATE] = BS_LATE,
		[T_AT_RISK] = BS_AT_RISK, [T_RUNNING] = BS_RUNNING,
		[T_CLOSED] = BS_CLOSED,
	};
	static const char *const names[] = {
		[T_FAILED] = "FAILED", [T_LATE] = "LATE", [T_AT_RISK] = "AT RISK",
		[T_RUNNING] = "RUNNING", [T_CLOSED] = "CLOSED",
	};
	const struct totals *t = &app->view.totals;
	bool data = app->now != BT_NO_TIME;
	int pm = headless_success_permille(t);

	for (int i = T_FAILED; i <= T_CLOSED; i++) {
		snprintf(label[i], sizeof label[i], "%s", names[i]);
		if (data)
			snprintf(text[i], sizeof text[i], "%d", t->by_status[counted[i]]);
		else
			snprintf(text[i], sizeof text[i], "-");
	}
	if (t->by_status[BS_CLOSED_LATE])
		snprintf(label[T_CLOSED], sizeof label[T_CLOSED],
			 "CLOSED (+%d late)", t->by_status[BS_CLOSED_LATE]);
	snprintf(label[T_SUCCESS], sizeof label[T_SUCCESS], "SUCCESS SO FAR");
	if (!data || pm < 0)
		snprintf(text[T_SUCCESS], sizeof text[T_SUCCESS], "--");
	else if (pm >= 1000)
		snprintf(text[T_SUCCESS], sizeof text[T_SUCCESS], "100%%");
	else
		snprintf(text[T_SUCCESS], sizeof text[T_SUCCESS], "%d.%d%%",
			 pm / 10, pm % 10);
	snprintf(label[T_FILE], sizeof label[T_FILE], "NEXT FILE :%02d",
		 app->cfg->payment_file_minute);
	if (data)
		fmt_countdown(text[T_FILE], sizeof text[T_FILE],
			      next_payment_file_ms(app->now,
						   app->cfg->payment_file_minute,
						   app->cfg->payment_file_period));
	else
		snprintf(text[T_FILE], sizeof text[T_FILE], "-");
}

static attr_t tile_attr(const struct app *app, enum tile t)
{
	static const enum biller_status st[] = {
		[T_FAILED] = BS_FAILED, [T_LATE] = BS_LATE,
		[T_AT_RISK] = BS_AT_RISK, [T_RUNNING] = BS_RUNNING,
		[T_CLOSED] = BS_CLOSED,
	};

	if (t >= T_SUCCESS)
		return A_BOLD;
	if (!app->view.totals.by_status[st[t]])
		return draw_attr(PAINT_DIM);
	return draw_attr(draw_status_paint(st[t])) | A_BOLD;
}

/* --- layout ------------------------------------------------------------ */

static bool roomy(void)
{
	return LINES >= 30;	/* room for blank lines between the parts */
}

/* The largest digits that fit, with the fewest rows of tiles. */
static void layout(struct layout *L, char text[T__COUNT][16],
		   char label[T__COUNT][40])
{
	int fixed = 4 + (roomy() ? 2 : 0);	/* title, list heading, health, bar */
	int list_min = LINES / 4 > 5 ? LINES / 4 : 5;
	int avail = LINES - fixed - list_min;

	memset(L, 0, sizeof *L);
	L->style = &bigdigits_styles[bigdigits_nstyles - 1];
	L->tile_rows = 2;
	for (size_t s = 0; s < bigdigits_nstyles; s++) {
		const struct bigdigits_style *st = &bigdigits_styles[s];

		for (int r = 1; r <= 3; r++) {
			int per = (T__COUNT + r - 1) / r;
			int w = (COLS - (per - 1) * TILE_GAP) / per;
			int h = r * (1 + bigdigits_height(st)) + (r - 1);
			bool fits = h <= avail;

			/* "CLOSED (+N late)" may be cut; "CLOSED" may not. */
			for (int t = 0; fits && t < T__COUNT; t++)
				fits = bigdigits_width(st, text[t]) <= w &&
				       (t == T_CLOSED ? 6 : text_width(label[t])) <= w;
			if (fits) {
				L->style = st;
				L->tile_rows = r;
				goto found;
			}
		}
	}
found:
	L->per_row = (T__COUNT + L->tile_rows - 1) / L->tile_rows;
	L->tile_w = (COLS - (L->per_row - 1) * TILE_GAP) / L->per_row;
	L->tiles_y = roomy() ? 2 : 1;
	L->tiles_h = L->tile_rows * (1 + bigdigits_height(L->style)) +
		     (L->tile_rows - 1);
	L->list_y = L->tiles_y + L->tiles_h + (roomy() ? 1 : 0);
	L->health_y = LINES - 2;
	L->list_rows = L->health_y - L->list_y - 1;
	if (L->list_rows < 0)
		L->list_rows = 0;
	L->list_cols = (COLS + LIST_COL_GAP) / (LIST_COL_MIN + LIST_COL_GAP);
	if (L->list_cols < 1)
		L->list_cols = 1;
	if (L->list_cols > 4)
		L->list_cols = 4;
	L->list_col_w = (COLS - (L->list_cols - 1) * LIST_COL_GAP) / L->list_cols;
}

/* --- drawing ------------------------------------------------------------ */

static void draw_title(struct app *app)
{
	char right[160], clock[16], asof[16], age[16];
	int64_t oldest = BT_NO_TIME;
	attr_t a = 0;

	for (size_t i = 0; i < app->view.nsnaps; i++) {
		const struct snapshot *s = app->view.snaps[i];

		if (s && s->server_now != BT_NO_TIME &&
		    (oldest == BT_NO_TIME || s->server_now < oldest))
			oldest = s->server_now;
	}
	draw_text(0, 0, COLS, "BATCH CLOSES TONIGHT", A_BOLD, 0);
	if (app->now == BT_NO_TIME || oldest == BT_NO_TIME) {
		snprintf(right, sizeof right, "waiting for the shards to answer");
		a = draw_attr(PAINT_WARN);
	} else {
		fmt_clock(clock, sizeof clock, app->now, 0);
		fmt_clock(asof, sizeof asof, oldest, 0);
		fmt_age(age, sizeof age, app->now - oldest);
		snprintf(right, sizeof right, "%s UTC   data as of %s (%s ago)",
			 clock, asof, age);
		if (app->now - oldest > (int64_t)app->cfg->stale_after * 1000)
			a = draw_attr(PAINT_WARN);
	}
	if (text_width(right) < COLS - 22)
		draw_text(0, COLS - text_width(right), text_width(right), right, a, 0);
}

static void draw_tiles(struct app *app, const struct layout *L,
		       char text[T__COUNT][16], char label[T__COUNT][40])
{
	int h = bigdigits_height(L->style);
	char row[1024];

	for (int t = 0; t < T__COUNT; t++) {
		int r = t / L->per_row, c = t % L->per_row;
		int in_row = r == L->tile_rows - 1 ? T__COUNT - r * L->per_row
						     : L->per_row;
		/* A shorter last row is centred. */
		int x0 = (L->per_row - in_row) * (L->tile_w + TILE_GAP) / 2;
		int x = x0 + c * (L->tile_w + TILE_GAP);
		int y = L->tiles_y + r * (h + 2);
		attr_t a = tile_attr(app, (enum tile)t);

		draw_text(y, x, L->tile_w, label[t], draw_attr(PAINT_HEADER), 0);
		for (int i = 0; i < h; i++) {
			bigdigits_row(L->style, text[t], i, row, sizeof row);
			draw_text(y + 1 + i, x, text_width(row), row, a, 0);
		}
	}
}

/* "12:34 left", "late 5:00" (no deadline: nothing). */
static void left_text(char *buf, size_t n, const struct row *r)
{
	char t[16];

	buf[0] = '\0';
	if (r->ev.focus && r->ev.focus->deadline_inf &&
	    r->ev.status != BS_CLOSED && r->ev.status != BS_NONE) {
		snprintf(buf, n, "%s", r->ev.focus->deadline_inf > 0 ? "never"
				       : "late \u221e");
		return;
	}
	if (!r->ev.focus || r->ev.focus->deadline_at == BT_NO_TIME)
		return;
	fmt_countdown(t, sizeof t, r->ev.time_left);
	if (r->ev.time_left < 0)
		snprintf(buf, n, "late %s", t);
	else
		snprintf(buf, n, "%s left", t);
}

static void draw_item(int y, int x, int w, const struct row *r)
{
	const struct biller *b = r->b;
	int shard_w = text_width(b->shard) > 12 ? 12 : text_width(b->shard);
	int err_w = w >= 90 ? 14 : 0;
	/* status, name, shard, priority, time: each with a space after it */
	int name_w = w - 9 - 1 - (shard_w + 1) - 3 - 12 - (err_w ? err_w + 1 : 0);
	char buf[256], left[32];

	if (name_w < 8)
		name_w = 8;
	draw_text(y, x, 8, biller_status_label(r->ev.status),
		  draw_attr(draw_status_paint(r->ev.status)), 0);
	x += 9;
	view_name_cell(buf, sizeof buf, b, false);
	draw_text(y, x, name_w, buf, A_BOLD, 0);
	x += name_w + 1;
	draw_text(y, x, shard_w, b->shard, 0, 0);
	x += shard_w + 1;
	if (b->priority == BT_NO_INT || b->priority < 0 || b->priority > 9)
		snprintf(buf, sizeof buf, "P?");
	else
		snprintf(buf, sizeof buf, "P%d", b->priority);
	draw_text(y, x, 2, buf, 0, 0);
	x += 3;
	left_text(left, sizeof left, r);
	draw_text(y, x, 12, left, r->ev.time_left < 0 ? draw_attr(PAINT_LATE) : 0, 1);
	x += 13;
	if (err_w)
		draw_text(y, x, err_w, b->last_error_class, draw_attr(PAINT_DIM), 0);
}

/* The attention list: the first rows of the risk-sorted view. */
static void draw_list(struct app *app, const struct layout *L)
{
	const struct totals *t = &app->view.totals;
	long n = (long)t->by_status[BS_FAILED] + t->by_status[BS_LATE] +
		 t->by_status[BS_AT_RISK];
	long cap = (long)L->list_rows * L->list_cols;
	long pages = cap > 0 ? (n + cap - 1) / cap : 1;
	char head[200], page[64];

	if (n > (long)app->view.nrows)
		n = (long)app->view.nrows;	/* never past the rows */
	if (pages < 1)
		pages = 1;
	if (wb.page >= pages)
		wb.page = 0;
	move(L->list_y, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	attrset(A_NORMAL);
	if (n)
		snprintf(head, sizeof head,
			 "NEEDS ATTENTION: %d failed, %d late, %d at risk",
			 t->by_status[BS_FAILED], t->by_status[BS_LATE],
			 t->by_status[BS_AT_RISK]);
	else
		snprintf(head, sizeof head, "NEEDS ATTENTION: none");
	draw_text(L->list_y, 1, COLS - 16, head, draw_attr(PAINT_HEADER), 0);
	if (pages > 1) {
		snprintf(page, sizeof page, "page %d/%ld", wb.page + 1, pages);
		draw_text(L->list_y, COLS - 14, 13, page, draw_attr(PAINT_HEADER), 1);
	}
	if (!n) {
		const char *why = app->now == BT_NO_TIME
				  ? "no shard has answered yet"
				  : "every biller is closed, on time or scheduled";

		if (L->list_rows > 0)
			draw_text(L->list_y + 1, 1, COLS - 2, why,
				  draw_attr(app->now == BT_NO_TIME ? PAINT_WARN
								 : PAINT_OK), 0);
		return;
	}
	for (long k = 0; k < cap; k++) {
		long idx = wb.page * cap + k;
		int col = (int)(k / L->list_rows), line = (int)(k % L->list_rows);

		if (idx >= n)
			break;
		draw_item(L->list_y + 1 + line,
			  col * (L->list_col_w + LIST_COL_GAP), L->list_col_w,
			  &app->view.rows[idx]);
	}
}

/* Every source's health: shards and New Relic, as on the grid's header. */
static void draw_health(struct app *app, const struct layout *L)
{
	draw_health_line(app, L->health_y, 20);
}

static void wallboard_draw(struct app *app, void *st)
{
	char text[T__COUNT][16], label[T__COUNT][40];
	struct layout L;

	(void)st;
	tile_texts(app, text, label);
	layout(&L, text, label);
	erase();
	draw_title(app);
	draw_tiles(app, &L, text, label);
	draw_list(app, &L);
	draw_health(app, &L);
	draw_statusbar(app, app->kiosk ? "wallboard (kiosk): read-only, no actions"
				       : "wallboard: read-only, no actions  q quit");
}

/* --- the rest of the table ------------------------------------------------ */

static void wallboard_enter(struct app *app, void *st, const void *arg)
{
	(void)st;
	(void)arg;
	/* The board always shows the non-demo billers by risk, whatever the
	 * [ui] settings say. */
	app->view.sort = SORT_RISK;
	app->view.reverse = false;
	app->view.show_demo = false;
	view_set_filter(&app->view, "");
	view_rebuild(&app->view, app->now);
	/* A kiosk is left alone with a keyboard: Ctrl-C, Ctrl-Z and
	 * Ctrl-backslash become keys like any other (and do nothing), so only
	 * q, then y, ends it (or a signal from whoever runs it).  endwin()
	 * restores the terminal's modes. */
	if (app->kiosk)
		raw();
	wb.page = 0;
	wb.page_since = mono_ms();
	wb.confirming = false;
}

static void wallboard_update(struct app *app, void *st)
{
	int64_t now = mono_ms();

	(void)st;
	if (now - wb.page_since >= (int64_t)app->cfg->wallboard_page_seconds * 1000) {
		wb.page++;	/* the draw wraps it to the first page */
		wb.page_since = now;
	}
	if (wb.confirming && now >= wb.confirm_until) {
		wb.confirming = false;
		app->message[0] = '\0';
	}
}

static bool wallboard_key(struct app *app, void *st, enum action act, int key)
{
	(void)st;
	if (wb.confirming) {
		wb.confirming = false;
		app->message[0] = '\0';
		if (key == 'y' || key == 'Y')
			app->quit = true;
		return true;
	}
	if (act != ACT_QUIT)
		return true;	/* no action keys on the board */
	if (!app->kiosk)
		return false;	/* the loop quits */
	wb.confirming = true;
	wb.confirm_until = mono_ms() + CONFIRM_MS;
	screen_message(app, "Really quit? y/n");
	app->message_until = wb.confirm_until;
	return true;
}

const struct screen screen_wallboard = {
	.name = "wallboard",
	.enter = wallboard_enter,
	.update = wallboard_update,
	.draw = wallboard_draw,
	.key = wallboard_key,
};
