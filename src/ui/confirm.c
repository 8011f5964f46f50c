/*
 * confirm.c - the confirmation dialog (see confirm.h): a box over the
 * screen underneath, which keeps drawing and updating below it.
 *
 * The box is as wide as its longest line needs, up to the terminal's
 * width less a margin, and every line wraps (core/textwrap) instead of
 * being cut: a confirmation must show each fact whole.  Continuation rows
 * hang under the line's value (after its label column).  When the lines
 * need more rows than the terminal has, the box shows the lines that fit
 * whole and says how many rows are missing, never a line cut short.
 *
 * There is one dialog at a time; its state (an instance of the screen) is
 * the opener's struct confirm plus what the user has typed.  The dialog
 * never acts itself: it hands the answer to the opener once, after it has
 * closed.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ui/confirm.h"
#include "ui/draw.h"
#include "ui/lineedit.h"
#include "ui/screen.h"
#include "core/text.h"
#include "core/textwrap.h"
#include "core/xalloc.h"

#define BOX_MARGIN 2	/* columns left free on each side of the box */
#define BOX_MIN_W 40
#define BOX_PAD 2	/* columns between the box's edge and its text */
#define LINE_MAX 4096	/* bytes of one line: a long error fits whole */

struct dialog {
	bool answered;
	struct confirm c;
	char title[160];
	char prompt[200];
	char *expect;		/* what must be typed, whole; NULL: y or n */
	struct lineedit typed;
};

bool confirm_is_open(const struct app *app)
{
	return screen_find(app, &screen_confirm) != NULL;
}

bool confirm_open(struct app *app, const struct confirm *c)
{
	if (confirm_is_open(app))
		return false;
	return screen_push(app, &screen_confirm, c);
}

void *confirm_ctx(const struct app *app,
		  void (*answer)(struct app *, void *, bool, const char *))
{
	const struct screen_slot *s = screen_find(app, &screen_confirm);
	const struct dialog *d = s ? s->st : NULL;

	return d && !d->answered && d->c.answer == answer ? d->c.ctx : NULL;
}

static void confirm_enter(struct app *app, void *st, const void *arg)
{
	struct dialog *d = st;
	const struct confirm *c = arg;

	(void)app;
	d->c = *c;
	text_sanitize_into(d->title, sizeof d->title, c->title ? c->title : "Confirm",
			   (size_t)-1);
	text_sanitize_into(d->prompt, sizeof d->prompt, c->prompt ? c->prompt : "",
			   (size_t)-1);
	/* What must be typed is compared whole: a copy cut short would let
	 * its first bytes confirm. */
	d->expect = c->expect ? xstrdup(c->expect) : NULL;
	lineedit_init(&d->typed, NULL, 0);
}

/* Close the box, then tell the opener. */
static void finish(struct app *app, struct dialog *d, bool yes)
{
	struct confirm c = d->c;
	char typed[sizeof d->typed.text];

	snprintf(typed, sizeof typed, "%s",
		 d->expect ? d->typed.text : (yes ? "y" : ""));
	d->answered = true;
	screen_pop(app);		/* frees d */
	if (c.answer)
		c.answer(app, c.ctx, yes, typed);
}

static void confirm_leave(struct app *app, void *st)
{
	struct dialog *d = st;

	free(d->expect);
	d->expect = NULL;
	/* Left without an answer (batchtop is quitting): that is a no. */
	if (!d->answered) {
		d->answered = true;
		if (d->c.answer)
			d->c.answer(app, d->c.ctx, false, "");
	}
}

static void confirm_update(struct app *app, void *st)
{
	const struct screen_slot *below = screen_below(app);

	(void)st;
	if (below && below->s->update)
		below->s->update(app, below->st);
}

static void box_edge(int y, int x, int w, const char *left, const char *fill,
		   const char *right, const char *title)
{
	char buf[1600];
	size_t j = 0, fl = strlen(fill);
	int cols = 0;

	j += (size_t)snprintf(buf + j, sizeof buf - j, "%s", left);
	cols++;
	if (title && *title) {
		j += (size_t)snprintf(buf + j, sizeof buf - j, "%s %s ", fill, title);
		cols += 3 + text_width(title);
	}
	for (; cols < w - 1 && j + fl + 8 < sizeof buf; cols++) {
		memcpy(buf + j, fill, fl);
		j += fl;
	}
	snprintf(buf + j, sizeof buf - j, "%s", right);
	draw_text(y, x, w, buf, A_BOLD, 0);
}

/* Line i of the opener, sanitized, into buf (LINE_MAX bytes). */
static enum paint get_line(struct app *app, const struct dialog *d, size_t i,
			   char *buf)
{
	char raw[LINE_MAX];
	enum paint p = PAINT_NORMAL;

	raw[0] = '\0';
	d->c.line(app, d->c.ctx, i, raw, sizeof raw, &p);
	/* A line cut by its maker's snprintf may end inside a character:
	 * end it before that character. */
	if (strlen(raw) == sizeof raw - 1)
		raw[text_utf8_trim(raw, sizeof raw - 1)] = '\0';
	text_sanitize_into(buf, LINE_MAX, raw, (size_t)-1);
	return p;
}

/* Where the continuation rows of s start: after a label column ("Batch
 * ", "  error    ": a word or two then a run of spaces, in the first 16
 * columns), else two columns in from the line's own indent. */
static int hang(const char *s, int tw)
{
	int lead = 0, col, indent;

	while (s[lead] == ' ')
		lead++;
	indent = lead + 2;
	for (col = lead; s[col] && col < 16; col++)
		if (s[col] == ' ' && s[col + 1] == ' ') {
			while (s[col] == ' ')
				col++;
			indent = col;
			break;
		}
	return indent > tw / 2 ? tw / 2 : indent;
}

/* Rows of s wrapped at tw columns with hanging indent; drawn at (y, x)
 * unless y < 0. */
static int wrap(const char *s, int y, int x, int tw, attr_t attr)
{
	int indent = hang(s, tw), rows = 0;
	char piece[LINE_MAX];

	if (!*s) {
		if (y >= 0)
			draw_text(y, x, tw, "", attr, 0);
		return 1;
	}
	while (*s) {
		int in = rows ? indent : 0;
		size_t len = textwrap_line(s, tw - in, NULL);

		if (y >= 0) {
			memcpy(piece, s, len);
			piece[len] = '\0';
			draw_text(y + rows, x + in, tw - in, piece, attr, 0);
		}
		s += len;
		while (*s == ' ')
			s++;	/* a row starts at its indent, not in padding */
		rows++;
	}
	return rows;
}

/* The box's width: what its widest line needs, within the terminal. */
static int box_width(struct app *app, const struct dialog *d, size_t n)
{
	int most = COLS - 2 * BOX_MARGIN, w = text_width(d->prompt);
	char buf[LINE_MAX];

	if (text_width(d->title) + 4 > w)
		w = text_width(d->title) + 4;
	for (size_t i = 0; i < n && w < most; i++) {
		get_line(app, d, i, buf);
		if (text_width(buf) > w)
			w = text_width(buf);
	}
	w += 2 * BOX_PAD;
	if (w < BOX_MIN_W)
		w = BOX_MIN_W;
	return w > most ? (most > 4 ? most : 4) : w;
}

static void confirm_draw(struct app *app, void *st)
{
	struct dialog *d = st;
	const struct screen_slot *below = screen_below(app);
	size_t n = d->c.nlines ? d->c.nlines(d->c.ctx) : 0, shown = 0;
	int w = box_width(app, d, n), tw = w - 2 * BOX_PAD;
	int x = (COLS - w) / 2;
	int room = LINES - 5;		/* rows 2 .. LINES-2 */
	int prompt_rows = wrap(d->prompt, -1, 0, tw, 0);
	int inner = room - 3 - prompt_rows - (d->expect ? 1 : 0);
	int need = 0, used = 0, h, y, r;
	char buf[LINE_MAX];

	if (below && below->s->draw)
		below->s->draw(app, below->st);
	for (size_t i = 0; i < n; i++) {
		get_line(app, d, i, buf);
		need += wrap(buf, -1, 0, tw, 0);
	}
	if (need <= inner) {
		shown = n;
		used = need;
	} else {
		/* Whole lines only, and a row to say what is missing. */
		for (; shown < n; shown++) {
			get_line(app, d, shown, buf);
			r = wrap(buf, -1, 0, tw, 0);
			if (used + r > inner - 1)
				break;
			used += r;
		}
		used++;
	}
	if (used < 1)
		used = 1;
	h = used + 3 + prompt_rows + (d->expect ? 1 : 0);
	y = 2 + (room - h) / 2;
	if (y < 2)
		y = 2;
	box_edge(y, x, w, "\u250c", "\u2500", "\u2510", d->title);
	for (r = 1; r < h - 1; r++) {
		draw_text(y + r, x, 1, "\u2502", A_BOLD, 0);
		draw_text(y + r, x + 1, w - 2, "", 0, 0);
		draw_text(y + r, x + w - 1, 1, "\u2502", A_BOLD, 0);
	}
	r = y + 1;
	for (size_t i = 0; i < shown; i++) {
		enum paint p = get_line(app, d, i, buf);

		r += wrap(buf, r, x + BOX_PAD, tw, draw_attr(p));
	}
	if (shown < n) {
		snprintf(buf, sizeof buf, "(%d more rows do not fit: make the "
			 "terminal larger to read all of it)", need - used + 1);
		wrap(buf, r++, x + BOX_PAD, tw, draw_attr(PAINT_WARN));
	}
	r++;
	r += wrap(d->prompt, r, x + BOX_PAD, tw, A_BOLD);
	if (d->expect)
		lineedit_draw(&d->typed, r, x + BOX_PAD, tw, "> ", A_BOLD);
	box_edge(y + h - 1, x, w, "\u2514", "\u2500", "\u2518", NULL);
}

static bool confirm_key(struct app *app, void *st, enum action act, int key)
{
	struct dialog *d = st;

	(void)act;
	if (!d->expect) {
		finish(app, d, key == 'y');
		return true;
	}
	switch (lineedit_key(&d->typed, key)) {
	case LE_ENTER:
		finish(app, d, strcmp(d->typed.text, d->expect) == 0);
		break;
	case LE_CANCEL:
	case LE_IGNORED:	/* any other key is a no, as without expect */
		finish(app, d, false);
		break;
	default:
		break;
	}
	return true;
}

const struct screen screen_confirm = {
	/* It reads raw keys and has no bindings of its own: "y" or typed
	 * text are not actions a keymap could move elsewhere. */
	.name = "generic",
	.state_size = sizeof(struct dialog),
	.enter = confirm_enter,
	.leave = confirm_leave,
	.update = confirm_update,
	.draw = confirm_draw,
	.key = confirm_key,
};
