/*
 * draw.c - colours, fitted text, and the header and status bar that every
 * screen shares.
 */
#include "autoconf.h"

#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/draw.h"
#include "ui/keymap.h"
#include "ui/screen.h"
#include "data/newrelic.h"
#include "core/text.h"
#include "core/timefmt.h"

static attr_t paints[PAINT__COUNT];

void draw_init(struct app *app)
{
	static const struct {
		enum paint p;
		short fg, bg;
		attr_t extra;
		attr_t mono;
	} table[] = {
		{ PAINT_FAILED, COLOR_RED, -1, A_BOLD, A_BOLD },
		{ PAINT_LATE, COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
		{ PAINT_AT_RISK, COLOR_YELLOW, -1, A_BOLD, A_BOLD },
		{ PAINT_RUNNING, COLOR_CYAN, -1, 0, 0 },
		{ PAINT_CLOSED, COLOR_GREEN, -1, 0, 0 },
		{ PAINT_CLOSED_LATE, COLOR_YELLOW, -1, 0, A_UNDERLINE },
		{ PAINT_DIM, -1, -1, A_DIM, A_DIM },
		{ PAINT_HEADER, COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
		{ PAINT_SELECTED, COLOR_BLACK, COLOR_WHITE, 0, A_REVERSE },
		{ PAINT_BAD, COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
		{ PAINT_WARN, COLOR_YELLOW, -1, A_BOLD, A_BOLD },
		{ PAINT_OK, COLOR_GREEN, -1, 0, 0 },
		{ PAINT_HELD, COLOR_BLUE, -1, A_BOLD, A_UNDERLINE },
	};
	const char *nc = getenv("NO_COLOR");
	bool color = app->cfg->color && !(nc && *nc) && has_colors();

	if (color && start_color() == OK) {
		use_default_colors();
	} else {
		color = false;
	}
	app->color = color;
	memset(paints, 0, sizeof paints);
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		short pair = (short)(i + 1);

		if (color && pair < COLOR_PAIRS) {
			init_pair(pair, table[i].fg, table[i].bg);
			paints[table[i].p] = COLOR_PAIR(pair) | table[i].extra;
		} else {
			paints[table[i].p] = table[i].mono;
		}
	}
}

attr_t draw_attr(enum paint p)
{
	return (unsigned)p < PAINT__COUNT ? paints[p] : 0;
}

enum paint draw_status_paint(enum biller_status s)
{
	switch (s) {
	case BS_FAILED: return PAINT_FAILED;
	case BS_LATE: return PAINT_LATE;
	case BS_AT_RISK: return PAINT_AT_RISK;
	case BS_OTHER: return PAINT_WARN;
	case BS_RUNNING: return PAINT_RUNNING;
	case BS_CLOSED: return PAINT_CLOSED;
	case BS_CLOSED_LATE: return PAINT_CLOSED_LATE;
	case BS_HELD: return PAINT_HELD;
	case BS_SCHEDULED:
	case BS_NONE:
	case BS__COUNT:
		break;
	}
	return PAINT_NORMAL;
}

/* Text is sanitized here once more, whatever the caller did: identifiers
 * are kept raw in the data (they are keys), so this is the one place that
 * keeps them, and anything else that slipped through, from the terminal.
 * Sanitized text comes out unchanged. */
void draw_text(int y, int x, int cols, const char *s, attr_t attr, int right)
{
	char clean[4096], buf[1024];

	if (cols <= 0)
		return;
	if (cols > 250)
		cols = 250;
	text_sanitize_into(clean, sizeof clean, s, (size_t)-1);
	text_fit(buf, sizeof buf, clean, cols, right);
	attrset(attr);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
}

void draw_fmt(int y, int x, int cols, attr_t attr, const char *fmt, ...)
{
	char raw[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof raw)	/* cut: not inside a character */
		raw[text_utf8_trim(raw, sizeof raw - 1)] = '\0';
	draw_text(y, x, cols, raw, attr, 0);
}

bool draw_too_small(void)
{
	if (COLS >= DRAW_MIN_COLS && LINES >= DRAW_MIN_ROWS)
		return false;
	erase();
	draw_fmt(0, 0, COLS, A_BOLD, "batchtop needs %dx%d;", DRAW_MIN_COLS,
		 DRAW_MIN_ROWS);
	draw_fmt(1, 0, COLS, 0, "this terminal is %dx%d.", COLS, LINES);
	draw_fmt(2, 0, COLS, 0, "Enlarge it; q goes back (on the grid: quits).");
	return true;
}

bool draw_health_text(const struct app *app, size_t i, char *buf, size_t n,
		      enum paint *paint)
{
	const struct shard_health *h = &app->health[i];
	const char *name = shard_poller_name(app->pollers[i]);
	int64_t age = shard_health_age(h, app->mono);
	bool stale = age < 0 || age > (int64_t)app->cfg->stale_after * 1000;
	char a[16], since[16];
	const char *v1, *pool;

	fmt_age(since, sizeof since, app->mono - h->since_mono);
	if (age >= 0)
		fmt_age(a, sizeof a, age);
	switch (h->state) {
	case SHARD_CONNECTING:
		snprintf(buf, n, "%s connecting %s", name, since);
		*paint = PAINT_WARN;
		return true;
	case SHARD_DOWN:
		if (age >= 0)
			text_printf(buf, n, "%s DOWN %s, data %s old: %s", name,
				    since, a, h->reason);
		else
			text_printf(buf, n, "%s DOWN %s: %s", name, since, h->reason);
		*paint = PAINT_BAD;
		return true;
	case SHARD_FAILING:
		text_printf(buf, n, "%s STALE %s: %s", name, age >= 0 ? a : "",
			    h->reason);
		*paint = PAINT_WARN;
		return true;
	case SHARD_OK:
		break;
	}
	if (stale) {
		snprintf(buf, n, "%s STALE %s (no answer yet)", name, a);
		*paint = PAINT_WARN;
		return true;
	}
	/* Not a fault, but the operator of a v1 shard should know why it
	 * costs more to watch (doc/contract.md, "Version 2"). */
	v1 = h->contract == 1 ? ", contract v1: full polls"
	     : h->contract == 2 ? ", contract v2: no holds/notes" : "";
	/* Through a transaction pooler changes show at the next poll, not
	 * at once, unless listen_dsn carries the NOTIFYs. */
	pool = !h->pooled ? "" : h->listening ? ", via pooler, LISTEN via "
		"listen_dsn" : ", via pooler: polling only";
	if (i < app->view.nsnaps && app->view.snaps[i] && app->view.snaps[i]->nbad) {
		/* Malformed rows are kept and marked; say how many. */
		size_t nbad = app->view.snaps[i]->nbad;

		snprintf(buf, n, "%s ok %s, %zu bad row%s%s%s", name, a, nbad,
			 nbad == 1 ? "" : "s", v1, pool);
		*paint = PAINT_WARN;
		return true;
	}
	if (h->replica && h->replica_why[0]) {
		/* Polling the primary is not a fault, but the load the
		 * replica was meant to take is back on it. */
		text_printf(buf, n, "%s ok %s, %s%s%s", name, a, h->replica_why,
			    v1, pool);
		*paint = PAINT_WARN;
		return true;
	}
	if (h->on_replica && h->replica_lag_ms > 0) {
		char lag[16];

		fmt_age(lag, sizeof lag, h->replica_lag_ms);
		snprintf(buf, n, "%s ok %s, replica lag %s%s%s", name, a, lag, v1,
			 pool);
		*paint = PAINT_OK;
		return true;
	}
	snprintf(buf, n, "%s ok %s%s%s", name, a, v1, pool);
	*paint = PAINT_OK;
	return false;
}

bool draw_nr_health_text(const struct app *app, char *buf, size_t n,
			 enum paint *paint)
{
	char t[240];

	if (!app->nr || !app->nr_health) {
		snprintf(buf, n, "New Relic not configured");
		*paint = PAINT_DIM;
		return false;
	}
	newrelic_health_text(app->nr_health, app->mono, t, sizeof t);
	text_printf(buf, n, "New Relic %s", t);
	*paint = app->nr_health->state == NEWRELIC_ERROR ? PAINT_BAD
		 : strcmp(t, "ok") ? PAINT_WARN : PAINT_OK;
	return *paint != PAINT_OK;
}

/* The shards, then New Relic when it is configured. */
static bool health_item(const struct app *app, size_t i, char *buf, size_t n,
			enum paint *paint)
{
	if (i < app->npollers)
		return draw_health_text(app, i, buf, n, paint);
	return draw_nr_health_text(app, buf, n, paint);
}

bool draw_utf8(void)
{
	static int utf8 = -1;

	if (utf8 < 0) {
		const char *cs = nl_langinfo(CODESET);

		utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	}
	return utf8;
}

/* One item of the header's first line. */
struct hitem {
	char text[96];
	attr_t attr;
	int keep;	/* kept first: 0 most important */
	bool right;	/* in the right-hand group */
	bool on;
};

/* Turn items on, most important first, while they fit with two spaces
 * between each two. */
static void header_fit(struct hitem *it, size_t n)
{
	int used = 0;

	for (int k = 0; k <= 16; k++)
		for (size_t i = 0; i < n; i++) {
			int w = text_width(it[i].text);

			if (it[i].keep != k || !it[i].text[0])
				continue;
			if (used + w + (used ? 2 : 0) > COLS)
				return;	/* nothing less important either */
			used += w + (used ? 2 : 0);
			it[i].on = true;
		}
}

void draw_header_as(struct app *app, const struct totals *t, int64_t frozen_ms)
{
	draw_header_news(app, t, frozen_ms, NULL);
}

void draw_header_news(struct app *app, const struct totals *t,
		      int64_t frozen_ms, const char *news)
{
	/* HELD (contract v3) only when some biller is held. */
	static const enum biller_status shown[] = {
		BS_FAILED, BS_LATE, BS_AT_RISK, BS_HELD, BS_RUNNING, BS_SCHEDULED,
		BS_CLOSED_LATE, BS_CLOSED,
	};
	static const int keep[] = { 2, 3, 4, 5, 7, 8, 9, 10 };
	struct hitem it[18];
	size_t n = 0;
	/* Counted by the view per rebuild (frozen: as of the freeze, like the
	 * other totals beside it). */
	int misses = t->misses;
	int x = 0, rx = COLS;
	char clock[16], left[16], age[16];

	memset(it, 0, sizeof it);
	it[n++] = (struct hitem){ .text = "batchtop", .attr = A_BOLD, .keep = 6 };
	for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++, n++) {
		enum biller_status s = shown[i];

		if (s == BS_HELD && !t->by_status[s]) {
			n--;
			continue;
		}
		snprintf(it[n].text, sizeof it[n].text, "%s %d",
			 biller_status_label(s), t->by_status[s]);
		it[n].attr = t->by_status[s] && (s <= BS_AT_RISK || s == BS_HELD)
				     ? draw_attr(draw_status_paint(s))
				     : (t->by_status[s] ? 0 : draw_attr(PAINT_DIM));
		it[n].keep = keep[i];
		/* The closes predicted to miss, beside AT RISK and as
		 * important: only when there are some (issue 13). */
		if (s == BS_AT_RISK && misses) {
			n++;
			snprintf(it[n].text, sizeof it[n].text, "%d will miss", misses);
			it[n].attr = draw_attr(PAINT_LATE) | A_BOLD;
			it[n].keep = keep[i];
		}
	}
	if (news && news[0]) {	/* "3 new since 01:12" (core/seen.h) */
		snprintf(it[n].text, sizeof it[n].text, "%s", news);
		it[n].attr = A_BOLD;
		it[n++].keep = 5;
	}
	if (frozen_ms >= 0) {
		fmt_countdown(age, sizeof age, frozen_ms);
		snprintf(it[n].text, sizeof it[n].text, "FROZEN %s %s Z to resume",
			 age, draw_utf8() ? "\u2014" : "-");
		it[n].attr = draw_attr(PAINT_BAD) | A_BOLD;
		it[n++].right = true;
	}
	if (app->now != BT_NO_TIME) {
		fmt_clock(clock, sizeof clock, app->now, 0);
		fmt_countdown(left, sizeof left,
			      next_payment_file_ms(app->now, app->cfg->payment_file_minute,
						   app->cfg->payment_file_period));
		snprintf(it[n].text, sizeof it[n].text, "file :%02d in %s",
			 app->cfg->payment_file_minute, left);
		it[n].keep = 1;
		it[n++].right = true;
		snprintf(it[n].text, sizeof it[n].text, "%s UTC", clock);
		it[n].keep = 5;
		it[n++].right = true;
	} else {
		snprintf(it[n].text, sizeof it[n].text, "no shard has answered yet");
		it[n].keep = 1;
		it[n++].right = true;
	}
	header_fit(it, n);
	move(0, 0);
	clrtoeol();
	for (size_t i = 0; i < n; i++) {
		int w = text_width(it[i].text);

		if (!it[i].on || it[i].right)
			continue;
		draw_text(0, x, w, it[i].text, it[i].attr, 0);
		x += w + 2;
	}
	for (size_t i = n; i-- > 0;) {
		int w = text_width(it[i].text);

		if (!it[i].on || !it[i].right)
			continue;
		rx -= w;
		draw_text(0, rx, w, it[i].text, it[i].attr, 0);
		rx -= 2;
	}
	draw_health_line(app, 1, 24);
}

void draw_header(struct app *app)
{
	draw_header_as(app, &app->view.totals, -1);
}

void draw_health_line(struct app *app, int y, int min_share)
{
	size_t nitems = app->npollers + (app->nr ? 1 : 0);
	char h[256];
	enum paint p;
	int nbad = 0, okw = 0, share, x = 0;

	move(y, 0);
	clrtoeol();
	for (size_t i = 0; i < nitems; i++) {
		if (health_item(app, i, h, sizeof h, &p))
			nbad++;
		else
			okw += text_width(h) + 2;
	}
	share = nbad ? (COLS - okw) / nbad - 2 : 0;
	if (share < min_share)
		share = min_share;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < nitems && x < COLS; i++) {
			bool bad = health_item(app, i, h, sizeof h, &p);
			int w = text_width(h);

			if (bad != (pass == 0))
				continue;
			if (bad && w > share)
				w = share;
			if (w > COLS - x)
				w = COLS - x;
			draw_text(y, x, w, h, draw_attr(p), 0);
			x += w + 2;
		}
	}
}

void draw_statusbar(struct app *app, const char *hint)
{
	int y = LINES - 1, ro = 0;

	move(y, 0);
	clrtoeol();
	if (app->readonly) {
		ro = 10;
		draw_text(y, COLS - ro, ro, " READ-ONLY", draw_attr(PAINT_BAD), 0);
	}
	if (screen_message_shown(app))
		draw_text(y, 0, COLS - ro, screen_message_shown(app), A_BOLD, 0);
	else
		draw_text(y, 0, COLS - ro, hint, draw_attr(PAINT_DIM), 0);
}

/* "Enter", "l", "Space": a key as the footer names it (keymap's names
 * without the brackets). */
static void footer_key(int key, char *buf, size_t n)
{
	char name[32];
	size_t len;

	keymap_key_name(key, name, sizeof name);
	len = strlen(name);
	if (len > 2 && name[0] == '<' && name[len - 1] == '>')
		snprintf(buf, n, "%.*s", (int)(len - 2), name + 1);
	else
		snprintf(buf, n, "%s", name);
}

/* Append "KEY label" for act to buf when a key does it and it fits in
 * cols columns; returns whether it was added. */
static bool footer_add(const struct app *app, const char *screen,
		       enum action act, const char *label, int cols,
		       char *buf, size_t bufsz)
{
	char key[32], item[96];
	int key_code = keymap_key_for(app->km, screen, act);
	size_t len = strlen(buf);

	if (key_code < 0)
		return false;
	footer_key(key_code, key, sizeof key);
	snprintf(item, sizeof item, "%s%s %s", len ? "  " : "", key, label);
	if (text_width(buf) + text_width(item) > cols || len + strlen(item) >= bufsz)
		return false;
	memcpy(buf + len, item, strlen(item) + 1);
	return true;
}

void draw_footer_text(const struct app *app, const char *screen,
		      const struct key_hint *hints, size_t n, int cols,
		      char *buf, size_t bufsz)
{
	char tail[96] = "";
	int room;

	buf[0] = '\0';
	if (bufsz == 0)
		return;
	/* Help and quit go last but are placed first, so they always fit. */
	footer_add(app, screen, ACT_HELP, "help", cols, tail, sizeof tail);
	footer_add(app, screen, ACT_QUIT, "quit", cols, tail, sizeof tail);
	room = cols - (tail[0] ? text_width(tail) + 2 : 0);
	for (size_t i = 0; i < n; i++)
		footer_add(app, screen, hints[i].act, hints[i].label, room, buf,
			   bufsz);
	if (tail[0] && strlen(buf) + strlen(tail) + 3 < bufsz)
		snprintf(buf + strlen(buf), bufsz - strlen(buf), "%s%s",
			 buf[0] ? "  " : "", tail);
}

void draw_footer(struct app *app, const char *screen,
		 const struct key_hint *hints, size_t n)
{
	char buf[512];

	draw_footer_text(app, screen, hints, n, COLS - (app->readonly ? 11 : 0),
			 buf, sizeof buf);
	draw_statusbar(app, buf);
}
