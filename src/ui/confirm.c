/*
 * confirm.c - the confirmation dialog (see confirm.h): a box over the
 * screen underneath, which keeps drawing and updating below it.
 *
 * There is one dialog at a time; its state (an instance of the screen) is
 * the opener's struct confirm plus what the user has typed->  The dialog
 * never acts itself: it hands the answer to the opener once, after it has
 * closed->
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "ui/confirm.h"
#include "ui/draw.h"
#include "ui/lineedit.h"
#include "ui/screen.h"
#include "core/text.h"
#include "core/xalloc.h"

struct dialog {
	bool answered;
	struct confirm c;
	char title[160];
	char prompt[200];
	char expect[32];
	bool has_expect;
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
	if (c->expect) {
		d->has_expect = true;
		snprintf(d->expect, sizeof d->expect, "%s", c->expect);
	}
	lineedit_init(&d->typed, NULL, sizeof d->expect - 1);
}

/* Close the box, then tell the opener. */
static void finish(struct app *app, struct dialog *d, bool yes)
{
	struct confirm c = d->c;
	char typed[sizeof d->typed.text];

	snprintf(typed, sizeof typed, "%s",
		 d->has_expect ? d->typed.text : (yes ? "y" : ""));
	d->answered = true;
	screen_pop(app);		/* frees d */
	if (c.answer)
		c.answer(app, c.ctx, yes, typed);
}

static void confirm_leave(struct app *app, void *st)
{
	struct dialog *d = st;

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

static void confirm_draw(struct app *app, void *st)
{
	struct dialog *d = st;
	const struct screen_slot *below = screen_below(app);
	size_t n = d->c.nlines ? d->c.nlines(d->c.ctx) : 0;
	int w = COLS - 4 > 118 ? 118 : COLS - 4;
	int x = (COLS - w) / 2;
	int room = LINES - 5;		/* rows 2 .. LINES-2 */
	int inner = room - 4 - (d->has_expect ? 1 : 0);
	int h, y;
	char buf[1024];

	if (below && below->s->draw)
		below->s->draw(app, below->st);
	if (inner < 1)
		inner = 1;
	if ((int)n > inner)
		n = (size_t)inner;
	h = (int)n + 4 + (d->has_expect ? 1 : 0);
	y = 2 + (room - h) / 2;
	if (y < 2)
		y = 2;
	box_edge(y, x, w, "\u250c", "\u2500", "\u2510", d->title);
	for (int r = 1; r < h - 1; r++) {
		draw_text(y + r, x, 1, "\u2502", A_BOLD, 0);
		draw_text(y + r, x + 1, w - 2, "", 0, 0);
		draw_text(y + r, x + w - 1, 1, "\u2502", A_BOLD, 0);
	}
	for (size_t i = 0; i < n; i++) {
		enum paint p = PAINT_NORMAL;

		buf[0] = '\0';
		d->c.line(app, d->c.ctx, i, buf, sizeof buf, &p);
		/* A line cut by its maker's snprintf may end inside a
		 * character: end it before that character. */
		if (strlen(buf) == sizeof buf - 1)
			buf[text_utf8_trim(buf, sizeof buf - 1)] = '\0';
		draw_fmt(y + 1 + (int)i, x + 2, w - 4, draw_attr(p), "%s", buf);
	}
	draw_text(y + 1 + (int)n + 1, x + 2, w - 4, d->prompt, A_BOLD, 0);
	if (d->has_expect)
		lineedit_draw(&d->typed, y + (int)n + 3, x + 2, w - 4, "> ",
			      A_BOLD);
	box_edge(y + h - 1, x, w, "\u2514", "\u2500", "\u2518", NULL);
}

static bool confirm_key(struct app *app, void *st, enum action act, int key)
{
	struct dialog *d = st;

	(void)act;
	if (!d->has_expect) {
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
