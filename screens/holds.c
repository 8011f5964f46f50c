/*
 * holds.c - every hold of every shard in one list: what it selects, why,
 * who placed it and how long ago, what it keeps back now (batches,
 * invoices, their value) and how fast that grows, and its expiry or
 * "DUE" once that has passed (a hold never releases itself).
 *
 * Data flow: the pollers read each shard's holds into its snapshot
 * (core/hold.h); this screen rebuilds its rows from the latest snapshots
 * every time it draws or a key moves it, so pointers into a snapshot
 * never outlive the turn.  Marks are kept by (shard, hold id) and survive
 * every poll.  The actions on the marks (u: the staged release, x: the
 * write-off) are in holds_actions.c.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "core/hold.h"
#include "core/snapshot.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "screens/autopay.h"
#include "screens/holds.h"
#include "screens/screens.h"
#include "ui/draw.h"
#include "ui/ui_report.h"
#include "write/hold_order.h"
#include "write/plan_release.h"

#define FIRST_ROW 4

static const char *const sort_names[HS__COUNT] = {
	"placed (oldest first)", "value", "expiry", "shard",
};

static unsigned long opened;

bool holds_marked(const struct holds_st *H, int shard, int64_t hold_id)
{
	for (size_t i = 0; i < H->nmarks; i++)
		if (H->marks[i].shard == shard && H->marks[i].hold_id == hold_id)
			return true;
	return false;
}

static void toggle_mark(struct holds_st *H, int shard, int64_t hold_id)
{
	for (size_t i = 0; i < H->nmarks; i++)
		if (H->marks[i].shard == shard && H->marks[i].hold_id == hold_id) {
			H->marks[i] = H->marks[--H->nmarks];
			return;
		}
	H->marks = xrealloc(H->marks, (H->nmarks + 1) * sizeof *H->marks);
	H->marks[H->nmarks++] = (struct hold_mark){ shard, hold_id };
}

static void who_words(const struct snapshot *s, const struct hold *h,
		      char *buf, size_t n)
{
	if (!h->biller_id) {
		snprintf(buf, n, "every biller");
		return;
	}
	for (size_t i = 0; i < s->nbillers; i++)
		if (!strcmp(snapshot_biller(s, i)->biller_id, h->biller_id) &&
		    *snapshot_biller(s, i)->name) {
			snprintf(buf, n, "%s", snapshot_biller(s, i)->name);
			return;
		}
	text_sanitize_into(buf, n, h->biller_id, (size_t)-1);
}

static bool shown(const struct holds_st *H, const struct snapshot *s,
		  const struct hold_row *r)
{
	const struct hold *h = r->h;

	if (!H->filter[0])
		return true;
	return text_contains_ci(r->who, H->filter) ||
	       text_contains_ci(h->reason, H->filter) ||
	       text_contains_ci(h->placed_by, H->filter) ||
	       text_contains_ci(h->kind_text, H->filter) ||
	       (h->biller_id && text_contains_ci(h->biller_id, H->filter)) ||
	       (h->payment_type && text_contains_ci(h->payment_type, H->filter)) ||
	       (h->module && text_contains_ci(h->module, H->filter)) ||
	       text_contains_ci(s->shard, H->filter);
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

/* Active holds first; then the key; then shard and hold id. */
static int cmp_rows(const struct hold_row *a, const struct hold_row *b,
		    enum holds_sort k)
{
	int c = (int)!hold_active(a->h) - (int)!hold_active(b->h);

	if (c)
		return c;
	switch (k) {
	case HS_PLACED:
		c = cmp_i64(a->h->placed_at, b->h->placed_at);
		break;
	case HS_VALUE:
		c = cmp_i64(b->h->held_cents, a->h->held_cents);
		break;
	case HS_EXPIRY:
		/* No expiry sorts last: as if at the end of time. */
		c = cmp_i64(a->h->expires_at == BT_NO_TIME ? INT64_MAX
			    : a->h->expires_at, b->h->expires_at == BT_NO_TIME
			    ? INT64_MAX : b->h->expires_at);
		break;
	case HS_SHARD:
	case HS__COUNT:
		break;
	}
	if (!c)
		c = a->shard - b->shard;
	if (!c)
		c = cmp_i64(a->h->hold_id, b->h->hold_id);
	return c;
}

static void sort_rows(struct holds_st *H)
{
	/* Insertion sort: a few dozen holds, and stable. */
	for (size_t i = 1; i < H->nrows; i++) {
		struct hold_row r = H->rows[i];
		size_t j = i;

		while (j > 0) {
			int c = cmp_rows(&H->rows[j - 1], &r, H->sort);

			if (H->reverse)
				c = -c;
			if (c <= 0)
				break;
			H->rows[j] = H->rows[j - 1];
			j--;
		}
		H->rows[j] = r;
	}
}

void holds_rows(struct app *app, struct holds_st *H)
{
	H->nrows = 0;
	for (size_t si = 0; si < app->view.nsnaps; si++) {
		const struct snapshot *s = app->view.snaps[si];

		for (size_t i = 0; s && s->holds_read && i < s->nholds; i++) {
			struct hold_row r = { .shard = (int)si, .h = &s->holds[i],
					      .now = s->server_now };

			who_words(s, r.h, r.who, sizeof r.who);
			if (!shown(H, s, &r))
				continue;
			if (H->nrows == H->cap) {
				H->cap = H->cap ? H->cap * 2 : 32;
				H->rows = xrealloc(H->rows, H->cap * sizeof *H->rows);
			}
			H->rows[H->nrows++] = r;
		}
	}
	sort_rows(H);
	listcursor_clamp(&H->lc, H->nrows, LINES - FIRST_ROW - 2);
}

/* --- drawing ------------------------------------------------------------------- */

static void selection_words(const struct hold *h, char *buf, size_t n)
{
	char pt[40], mod[40];

	text_sanitize_into(pt, sizeof pt, h->payment_type ? h->payment_type
			   : "any", (size_t)-1);
	text_sanitize_into(mod, sizeof mod, h->module ? h->module : "any",
			   (size_t)-1);
	if (h->day_from || h->day_to)
		snprintf(buf, n, "%s/%s %s..%s", pt, mod,
			 h->day_from ? h->day_from : "", h->day_to ? h->day_to : "");
	else
		snprintf(buf, n, "%s/%s", pt, mod);
}

/* "in 3h", "DUE 12m", "-" (none), or how it ended. */
static void expiry_words(const struct hold_row *r, char *buf, size_t n)
{
	const struct hold *h = r->h;
	char t[16];

	if (!hold_active(h))
		snprintf(buf, n, "%s by %s", *h->ended_how ? h->ended_how : "ended",
			 h->ended_by);
	else if (h->expires_at == BT_NO_TIME)
		snprintf(buf, n, "-");
	else if (hold_due(h, r->now))
		snprintf(buf, n, "DUE %s", fmt_age(t, sizeof t, r->now - h->expires_at));
	else
		snprintf(buf, n, "in %s", fmt_countdown(t, sizeof t,
							  h->expires_at - r->now));
}

/* The held value per hour since the hold was placed. */
static void rate_words(const struct hold_row *r, char *buf, size_t n)
{
	int64_t ms = r->now - r->h->placed_at;
	char money[32];

	if (!hold_active(r->h) || r->h->held_cents <= 0 || ms < 60000) {
		snprintf(buf, n, "-");
		return;
	}
	autopay_money(money, sizeof money,
		      (long long)(r->h->held_cents * 3600000 / ms));
	snprintf(buf, n, "%.30s/h", money);
}

static void draw_row(const struct app *app, const struct holds_st *H, int y,
		     const struct hold_row *r, bool sel)
{
	const struct hold *h = r->h;
	const struct snapshot *s = app->view.snaps[r->shard];
	char sel_w[120], exp[64], rate[48], money[32], age[16], line[700];
	char id[32];
	bool checking;
	attr_t at;

	/* A release or write-off of it lost its answer: "?" until a poll
	 * re-read the shard's holds (write/hold_order.h). */
	snprintf(id, sizeof id, "%" PRId64, h->hold_id);
	checking = hold_order_hold_is_checking(r->shard, id);
	at = sel ? draw_attr(PAINT_SELECTED)
	     : !hold_active(h) ? draw_attr(PAINT_DIM)
	     : hold_due(h, r->now) || checking ? draw_attr(PAINT_WARN) : A_NORMAL;

	selection_words(h, sel_w, sizeof sel_w);
	expiry_words(r, exp, sizeof exp);
	rate_words(r, rate, sizeof rate);
	autopay_money(money, sizeof money, h->held_cents);
	fmt_age(age, sizeof age, r->now - h->placed_at);
	snprintf(line, sizeof line, "%c%c%6" PRId64 " %-8.8s %-20.20s %-15.15s "
		 "%-18.18s %4d %4d %12s %10s %5s %-12.12s %-10.10s %s",
		 holds_marked(H, r->shard, h->hold_id) ? '*' : ' ',
		 checking ? '?' : ' ', h->hold_id,
		 s->shard, r->who, h->kind_text, sel_w, h->n_batches,
		 h->n_invoices, money, rate, age, exp, h->placed_by, h->reason);
	draw_text(y, 0, COLS, line, at, 0);
}

static void holds_draw(struct app *app, void *st)
{
	struct holds_st *H = st;
	static const struct key_hint hints[] = {
		{ ACT_MARK, "mark" }, { ACT_RELEASE, "release" },
		{ ACT_WRITE_OFF, "write off" }, { ACT_FILTER, "filter" },
		{ ACT_SORT_NEXT, "sort" }, { ACT_BACK, "back" },
	};
	char line[300];
	int page = LINES - FIRST_ROW - 2;
	size_t active = 0, due = 0, v2 = 0;

	holds_rows(app, H);
	erase();
	draw_header(app);
	for (size_t si = 0; si < app->view.nsnaps; si++) {
		const struct snapshot *s = app->view.snaps[si];

		v2 += s && !s->holds_read;
		for (size_t i = 0; s && i < s->nholds; i++) {
			active += hold_active(&s->holds[i]);
			due += hold_due(&s->holds[i], s->server_now);
		}
	}
	snprintf(line, sizeof line, "Holds: %zu active, %zu due for release, %zu "
		 "marked; sorted by %s%s%s%s", active, due, H->nmarks,
		 sort_names[H->sort], H->reverse ? " (reversed)" : "",
		 v2 ? "; contract v2 shards have no holds" : "",
		 H->filter[0] ? "; filtered" : "");
	draw_text(1, 0, COLS, line, A_BOLD, 0);
	if (plan_release_line(line, sizeof line))
		draw_text(2, 0, COLS, line, draw_attr(PAINT_RUNNING), 0);
	draw_text(FIRST_ROW - 1, 0, COLS, "  HOLD   SHARD    WHO                  "
		  "KIND            SELECTION          BATS  INV        VALUE     "
		  "GROWS   AGE EXPIRY       BY         REASON",
		  draw_attr(PAINT_HEADER), 0);
	for (int i = 0; i < page && H->lc.top + i < (long)H->nrows; i++)
		draw_row(app, H, FIRST_ROW + i, &H->rows[H->lc.top + i],
			 H->lc.top + i == H->lc.sel);
	if (!H->nrows)
		draw_text(FIRST_ROW, 2, COLS - 2, H->filter[0] ? "no hold matches "
			  "the filter" : "no holds on any shard",
			  draw_attr(PAINT_DIM), 0);
	if (H->editing)
		lineedit_draw(&H->edit, LINES - 1, 0, COLS, "/", A_NORMAL);
	else if (H->wo_editing)
		lineedit_draw(&H->wo_reason, LINES - 1, 0, COLS,
			      "write-off reason: ", A_NORMAL);
	else
		draw_footer(app, "holds", hints, sizeof hints / sizeof hints[0]);
}

/* --- keys ---------------------------------------------------------------------- */

static bool edit_key(struct app *app, struct holds_st *H, int key)
{
	switch (lineedit_key(&H->edit, key)) {
	case LE_ENTER:
		H->editing = false;
		break;
	case LE_CANCEL:
		H->editing = false;
		H->filter[0] = '\0';
		break;
	default:
		break;
	}
	snprintf(H->filter, sizeof H->filter, "%s", H->editing || H->filter[0]
		 ? H->edit.text : "");
	H->lc.sel = 0;
	holds_rows(app, H);
	return true;
}

static bool reason_key(struct app *app, struct holds_st *H, int key)
{
	switch (lineedit_key(&H->wo_reason, key)) {
	case LE_ENTER:
		H->wo_editing = false;
		holds_write_off_reason(app, H);
		break;
	case LE_CANCEL:
		H->wo_editing = false;
		screen_message(app, "nothing written off");
		break;
	default:
		break;
	}
	return true;
}

static void mark_all(struct app *app, struct holds_st *H)
{
	bool all = true;

	for (size_t i = 0; i < H->nrows; i++)
		if (hold_active(H->rows[i].h) &&
		    !holds_marked(H, H->rows[i].shard, H->rows[i].h->hold_id))
			all = false;
	for (size_t i = 0; i < H->nrows; i++) {
		const struct hold_row *r = &H->rows[i];

		if (hold_active(r->h) &&
		    holds_marked(H, r->shard, r->h->hold_id) == all)
			toggle_mark(H, r->shard, r->h->hold_id);
	}
	screen_message(app, "%zu holds marked", H->nmarks);
}

static bool holds_key(struct app *app, void *st, enum action act, int key)
{
	struct holds_st *H = st;

	if (H->editing)
		return edit_key(app, H, key);
	if (H->wo_editing)
		return reason_key(app, H, key);
	holds_rows(app, H);
	if (listcursor_key(&H->lc, act, H->nrows, LINES - FIRST_ROW - 2))
		return true;
	switch (act) {
	case ACT_MARK:
		if (H->nrows && hold_active(H->rows[H->lc.sel].h)) {
			toggle_mark(H, H->rows[H->lc.sel].shard,
				    H->rows[H->lc.sel].h->hold_id);
			listcursor_move(&H->lc, 1, H->nrows, LINES - FIRST_ROW - 2);
		} else if (H->nrows) {
			screen_message(app, "that hold has ended: nothing to mark");
		}
		return true;
	case ACT_MARK_ALL:
		mark_all(app, H);
		return true;
	case ACT_SORT_NEXT:
		H->sort = (enum holds_sort)((H->sort + 1) % HS__COUNT);
		screen_message(app, "sorted by %s", sort_names[H->sort]);
		return true;
	case ACT_SORT_REVERSE:
		H->reverse = !H->reverse;
		return true;
	case ACT_FILTER:
		H->editing = true;
		lineedit_init(&H->edit, H->filter, sizeof H->filter - 1);
		return true;
	case ACT_RELEASE:
		holds_release(app, H);
		return true;
	case ACT_WRITE_OFF:
		holds_write_off(app, H);
		return true;
	case ACT_PLAN_PAUSE:
		plan_release_pause(app, &ui_report);
		return true;
	case ACT_PLAN_CANCEL:
		plan_release_cancel(app, &ui_report);
		return true;
	case ACT_BACK:
		if (H->filter[0]) {
			H->filter[0] = '\0';
			return true;
		}
		screen_pop(app);
		return true;
	default:
		return false;
	}
}

static void holds_enter(struct app *app, void *st, const void *arg)
{
	struct holds_st *H = st;

	(void)app;
	(void)arg;
	H->id = ++opened;
}

static void holds_leave(struct app *app, void *st)
{
	struct holds_st *H = st;

	(void)app;
	free(H->rows);
	free(H->marks);
	holds_write_off_free(H);
}

const struct screen screen_holds = {
	.name = "holds",
	.state_size = sizeof(struct holds_st),
	.enter = holds_enter,
	.leave = holds_leave,
	.draw = holds_draw,
	.key = holds_key,
};
