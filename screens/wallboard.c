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
 *   the billers that need attention (failed, late, at risk; the heading
 *     also counts the closes predicted to miss), most urgent first,
 *     in as many columns as fit, paged every wallboard_page_seconds;
 *   a health strip with every source and the age of its data;
 *   the status bar (READ-ONLY).
 * The size of the digits and the number of tile rows are chosen again on
 * every draw, the largest that fit, so any terminal from 80x24 up works:
 * the list asks for the rows its billers need (up to a quarter of the
 * screen; more page), and the digits take the rest of the height.  In a
 * row of tiles each tile gets the columns its number needs plus an even
 * share of the spare, so a wide number (29.6%) has room and never runs
 * into its neighbour.  The list then spreads over as many columns as it
 * needs to fill its rows.  The page and the kiosk's question are the
 * screen's own state (st).  Nothing allocates: the board can run for days.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "core/bigdigits.h"
#include "ui/draw.h"
#include "ui/keymap.h"
#include "headless/headless.h"
#include "screens/screens.h"
#include "core/text.h"
#include "core/timefmt.h"

enum tile {
	T_FAILED, T_LATE, T_AT_RISK, T_RUNNING, T_CLOSED, T_SUCCESS, T_FILE,
	T__COUNT
};

#define TILE_GAP 2		/* columns between two tiles */
#define LIST_COL_MIN 64		/* narrowest column of the attention list */
#define LIST_COL_GAP 3
#define LIST_COLS_MAX 4
#define CONFIRM_MS 10000	/* how long "Really quit? y/n" waits */

/* How the tiles are shared out over rows, tried in this order for each
 * size of digits: the fewest rows first, and with two or three rows the
 * wide numbers (success, next file) also on a row of their own. */
struct split {
	int rows;
	int in_row[3];
};
static const struct split splits[] = {
	{ 1, { 7 } },
	{ 2, { 4, 3 } }, { 2, { 5, 2 } },
	{ 3, { 3, 3, 1 } }, { 3, { 3, 2, 2 } },
};

struct layout {
	const struct bigdigits_style *style;
	const struct split *split;
	int tile_x[T__COUNT], tile_w[T__COUNT], tile_row[T__COUNT];
	int tiles_y, tiles_h;
	int list_y;		/* the list's heading; its rows follow */
	int list_rows, list_cols, list_col_w;
	int health_y;
};

struct wb {
	int page;
	int64_t page_since;	/* monotonic ms when the page was shown */
	bool confirming;	/* kiosk: q was pressed, waiting for y */
	int64_t confirm_until;
};

/* --- what the tiles say ----------------------------------------------- */

/* "FAILED — 5 acknowledged": how many of the failures someone is on
 * (contract v3 notes), so support can tell a worked night from one
 * nobody has seen.  The tile may cut it; "FAILED" always fits. */
static void acked_label(const struct totals *t, char *buf, size_t n)
{
	if (t->failed_acked > 0)
		snprintf(buf, n, "FAILED %s %d acknowledged",
			 draw_utf8() ? "\u2014" : "-", t->failed_acked);
}

/* " (5 acknowledged)" for the list's heading, "" when none is. */
static const char *acked_words(const struct totals *t, char *buf, size_t n)
{
	buf[0] = '\0';
	if (t->failed_acked > 0)
		snprintf(buf, n, " (%d acknowledged)", t->failed_acked);
	return buf;
}

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
	acked_label(t, label[T_FAILED], sizeof label[T_FAILED]);
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

/* Columns tile t needs in st: its number, and its label ("CLOSED (+N
 * late)" may be cut; "CLOSED" may not). */
static int tile_need(const struct bigdigits_style *st, int t,
		     char text[T__COUNT][16], char label[T__COUNT][40])
{
	int w = bigdigits_width(st, text[t]);
	int l = t == T_CLOSED || t == T_FAILED ? 6 : text_width(label[t]);

	return w > l ? w : l;
}

/* The fewest spare columns a tile has beyond its digits.  With TILE_GAP
 * that is more than the widest blank inside a number (a '1' has a pixel
 * of paper on each side, then the glyph gap: "11" leaves about 2.5
 * pixels), so two numbers never read as one. */
static int tile_sep(const struct bigdigits_style *st)
{
	return 2 * st->sx + 1 + (st->sx + 1) / 2;
}

/* Lay out tiles first .. first + k - 1 as one row in st: each gets what
 * it needs plus an even share of the spare.  False when they do not fit
 * with tile_sep() spare columns each.  L may be NULL (only asking). */
static bool tile_row(struct layout *L, const struct bigdigits_style *st,
		     int first, int k, char text[T__COUNT][16],
		     char label[T__COUNT][40])
{
	int need[T__COUNT], sum = 0, spare, x = 0;

	for (int i = 0; i < k; i++)
		sum += need[i] = tile_need(st, first + i, text, label);
	spare = COLS - sum - (k - 1) * TILE_GAP;
	if (spare < k * tile_sep(st))
		return false;
	for (int i = 0; L && i < k; i++) {
		L->tile_x[first + i] = x;
		L->tile_w[first + i] = need[i] + spare / k +
				       (i == k - 1 ? spare % k : 0);
		x += L->tile_w[first + i] + TILE_GAP;
	}
	return true;
}

/* Whether the tiles fit in st shared out as sp (and where, into L). */
static bool tiles_fit(struct layout *L, const struct bigdigits_style *st,
		      const struct split *sp, char text[T__COUNT][16],
		      char label[T__COUNT][40])
{
	for (int r = 0, first = 0; r < sp->rows; first += sp->in_row[r++]) {
		if (!tile_row(L, st, first, sp->in_row[r], text, label))
			return false;
		for (int i = 0; L && i < sp->in_row[r]; i++)
			L->tile_row[first + i] = r;
	}
	return true;
}

static int tiles_height(const struct bigdigits_style *st, int rows)
{
	return rows * (1 + bigdigits_height(st)) + (rows - 1);
}

/* How many billers the attention list has (never past the rows). */
static long attention_count(const struct app *app)
{
	const struct totals *t = &app->view.totals;
	long n = (long)t->by_status[BS_FAILED] + t->by_status[BS_LATE] +
		 t->by_status[BS_AT_RISK];

	return n > (long)app->view.nrows ? (long)app->view.nrows : n;
}

static int list_cols_max(void)
{
	int c = (COLS + LIST_COL_GAP) / (LIST_COL_MIN + LIST_COL_GAP);

	return c < 1 ? 1 : c > LIST_COLS_MAX ? LIST_COLS_MAX : c;
}

/* The largest digits that fit above the rows the list asks for, with the
 * fewest rows of tiles (splits[]); then the list takes what is left. */
static void layout(struct layout *L, const struct app *app,
		   char text[T__COUNT][16], char label[T__COUNT][40])
{
	int fixed = 4 + (roomy() ? 2 : 0);	/* title, list heading, health, bar */
	int list_min = LINES / 4 > 5 ? LINES / 4 : 5;
	long n = attention_count(app);
	long need = (n + list_cols_max() - 1) / list_cols_max();
	int ask = need < 1 ? 1 : need < list_min ? (int)need : list_min;
	int avail = LINES - fixed - ask;
	long cols;

	memset(L, 0, sizeof *L);
	L->style = &bigdigits_styles[bigdigits_nstyles - 1];
	L->split = &splits[1];
	for (size_t s = 0; s < bigdigits_nstyles; s++) {
		const struct bigdigits_style *st = &bigdigits_styles[s];

		for (size_t k = 0; k < sizeof splits / sizeof splits[0]; k++)
			if (tiles_height(st, splits[k].rows) <= avail &&
			    tiles_fit(NULL, st, &splits[k], text, label)) {
				L->style = st;
				L->split = &splits[k];
				goto found;
			}
	}
found:
	/* Even plain text too wide (it is not, from 80 columns): the tiles
	 * are laid out all the same and cut. */
	if (!tiles_fit(L, L->style, L->split, text, label))
		for (int t = 0; t < T__COUNT; t++) {
			int per = (T__COUNT + 1) / 2;
			int k = t < per ? per : T__COUNT - per;

			L->tile_w[t] = (COLS - (k - 1) * TILE_GAP) / k;
			L->tile_x[t] = (t < per ? t : t - per) *
				       (L->tile_w[t] + TILE_GAP);
			L->tile_row[t] = t < per ? 0 : 1;
		}
	L->tiles_y = roomy() ? 2 : 1;
	L->tiles_h = tiles_height(L->style, L->split->rows);
	L->list_y = L->tiles_y + L->tiles_h + (roomy() ? 1 : 0);
	L->health_y = LINES - 2;
	L->list_rows = L->health_y - L->list_y - 1;
	if (L->list_rows < 0)
		L->list_rows = 0;
	/* As many columns as the billers need to fill the rows, so a short
	 * list gets wide rows (with room for the error class). */
	cols = L->list_rows > 0 ? (n + L->list_rows - 1) / L->list_rows : 1;
	L->list_cols = cols < 1 ? 1 : cols > list_cols_max() ? list_cols_max()
							     : (int)cols;
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
	char row[2048];

	for (int t = 0; t < T__COUNT; t++) {
		int x = L->tile_x[t], w = L->tile_w[t];
		int y = L->tiles_y + L->tile_row[t] * (h + 2);
		attr_t a = tile_attr(app, (enum tile)t);

		draw_text(y, x, w, label[t], draw_attr(PAINT_HEADER), 0);
		for (int i = 0; i < h; i++) {
			bigdigits_row(L->style, text[t], i, row, sizeof row);
			draw_text(y + 1 + i, x, w, row, a, 0);
		}
	}
}

/* "12:34 left", "late 5:00" (no deadline: nothing). */
static void left_text(char *buf, size_t n, const struct row *r)
{
	size_t len = view_left_cell(buf, n, r);

	if (len && buf[0] >= '0' && buf[0] <= '9')
		snprintf(buf + len, n - len, " left");
}

static void draw_item(int y, int x, int w, const struct row *r)
{
	const struct biller *b = r->b;
	int shard_w = text_width(b->shard) > 12 ? 12 : text_width(b->shard);
	/* status, name, shard, priority, time: each with a space after it;
	 * the name and the error class share the rest, the name first. */
	int rest = w - 9 - (shard_w + 1) - 3 - 13;
	int name_w = rest, err_w = 0;
	char buf[256], left[32];

	if (rest >= 16 + 1 + 10) {
		name_w = rest * 11 / 20 < 16 ? 16 : rest * 11 / 20;
		if (name_w > 40)
			name_w = 40;
		err_w = rest - name_w - 1;
	}
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
	if (err_w && b->last_error_class)
		draw_text(y, x, err_w, b->last_error_class, draw_attr(PAINT_DIM), 0);
}

/* The attention list: the first rows of the risk-sorted view. */
static void draw_list(struct app *app, struct wb *wb, const struct layout *L)
{
	const struct totals *t = &app->view.totals;
	long n = attention_count(app);
	long cap = (long)L->list_rows * L->list_cols;
	long pages = cap > 0 ? (n + cap - 1) / cap : 1;
	char head[200], page[64], acked[40];
	int per_col;

	if (pages < 1)
		pages = 1;
	if (wb->page >= pages)
		wb->page = 0;
	move(L->list_y, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	attrset(A_NORMAL);
	if (n) {
		int len = snprintf(head, sizeof head,
				   "NEEDS ATTENTION: %d failed%s, %d late, %d at risk",
				   t->by_status[BS_FAILED],
				   acked_words(t, acked, sizeof acked),
				   t->by_status[BS_LATE], t->by_status[BS_AT_RISK]);
		/* The closes predicted to miss (issue 13), when there are any:
		 * the view's count, kept per rebuild (never a walk of every
		 * close per frame). */
		if (t->misses && len > 0 && (size_t)len < sizeof head)
			snprintf(head + len, sizeof head - (size_t)len, ", %d will miss",
				 t->misses);
	} else
		snprintf(head, sizeof head, "NEEDS ATTENTION: none");
	/* Held billers wait for a release: counted apart, never as failing. */
	if (t->by_status[BS_HELD])
		snprintf(head + strlen(head), sizeof head - strlen(head),
			 "   HELD %d", t->by_status[BS_HELD]);
	draw_text(L->list_y, 1, COLS - 16, head, draw_attr(PAINT_HEADER), 0);
	if (pages > 1) {
		snprintf(page, sizeof page, "page %d/%ld", wb->page + 1, pages);
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
	/* All on one page: the columns share the billers evenly. */
	per_col = n <= cap ? (int)((n + L->list_cols - 1) / L->list_cols)
			   : L->list_rows;
	for (long k = 0; k < cap; k++) {
		long idx = wb->page * cap + k;
		int col = (int)(k / per_col), line = (int)(k % per_col);

		if (idx >= n)
			break;
		view_retime(&app->view, (size_t)idx, 1);	/* drawn: now */
		draw_item(L->list_y + 1 + line,
			  col * (L->list_col_w + LIST_COL_GAP), L->list_col_w,
			  view_row(&app->view, idx));
	}
}

/* Every source's health: shards and New Relic, as on the grid's header. */
static void draw_health(struct app *app, const struct layout *L)
{
	draw_health_line(app, L->health_y, 20);
}

/* What the board is, then the one key it takes, named from the active
 * keymap as draw_footer() names keys.  Not draw_footer() itself: that
 * always offers "? help", and the board swallows help like every other
 * action (a kiosk must not open screens). */
static void draw_keys(struct app *app)
{
	int key = keymap_key_for(app->km, "wallboard", ACT_QUIT);
	char name[32] = "", bar[160];
	size_t len;

	if (key >= 0)
		keymap_key_name(key, name, sizeof name);
	len = strlen(name);
	if (len > 2 && name[0] == '<' && name[len - 1] == '>') {
		memmove(name, name + 1, len - 2);
		name[len - 2] = '\0';
	}
	snprintf(bar, sizeof bar, "wallboard%s: read-only, no actions%s%s%s",
		 app->kiosk ? " (kiosk)" : "", *name ? "  " : "", name,
		 !*name ? "" : app->kiosk ? " quit (asks first)" : " quit");
	draw_statusbar(app, bar);
}

static void wallboard_draw(struct app *app, void *st)
{
	char text[T__COUNT][16], label[T__COUNT][40];
	struct layout L;

	tile_texts(app, text, label);
	layout(&L, app, text, label);
	erase();
	draw_title(app);
	draw_tiles(app, &L, text, label);
	draw_list(app, st, &L);
	draw_health(app, &L);
	draw_keys(app);
}

/* --- the rest of the table ------------------------------------------------ */

static void wallboard_enter(struct app *app, void *st, const void *arg)
{
	struct wb *wb = st;

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
	wb->page = 0;
	wb->page_since = mono_ms();
	wb->confirming = false;
}

static void wallboard_update(struct app *app, void *st)
{
	struct wb *wb = st;
	int64_t now = mono_ms();

	if (now - wb->page_since >= (int64_t)app->cfg->wallboard_page_seconds * 1000) {
		wb->page++;	/* the draw wraps it to the first page */
		wb->page_since = now;
	}
	if (wb->confirming && now >= wb->confirm_until) {
		wb->confirming = false;
		app->message[0] = '\0';
	}
}

static bool wallboard_key(struct app *app, void *st, enum action act, int key)
{
	struct wb *wb = st;

	if (wb->confirming) {
		wb->confirming = false;
		app->message[0] = '\0';
		if (key == 'y' || key == 'Y')
			app->quit = true;
		return true;
	}
	if (act != ACT_QUIT)
		return true;	/* no action keys on the board */
	if (!app->kiosk)
		return false;	/* the loop quits */
	wb->confirming = true;
	wb->confirm_until = mono_ms() + CONFIRM_MS;
	screen_message(app, "Really quit? y/n");
	app->message_until = wb->confirm_until;
	return true;
}

const struct screen screen_wallboard = {
	.name = "wallboard",
	.state_size = sizeof(struct wb),
	.enter = wallboard_enter,
	.update = wallboard_update,
	.draw = wallboard_draw,
	.key = wallboard_key,
};
