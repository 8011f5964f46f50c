/*
 * confirm.c - the confirmation dialog (see confirm.h): a box over the
 * screen underneath, which keeps drawing and updating below it.
 *
 * There is one dialog at a time; its state is the opener's struct confirm
 * plus what the user has typed.  The dialog never acts itself: it hands
 * the answer to the opener once, after it has closed.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "ui/confirm.h"
#include "ui/draw.h"
#include "ui/screen.h"
#include "core/text.h"
#include "core/xalloc.h"

static struct {
	bool open;
	bool answered;
	struct confirm c;
	char title[160];
	char prompt[200];
	char expect[32];
	bool has_expect;
	char typed[32];
} d;

bool confirm_is_open(void)
{
	return d.open;
}

bool confirm_open(struct app *app, const struct confirm *c)
{
	int depth = app->depth;

	if (d.open)
		return false;
	memset(&d, 0, sizeof d);
	d.c = *c;
	text_sanitize_into(d.title, sizeof d.title, c->title ? c->title : "Confirm",
			   (size_t)-1);
	text_sanitize_into(d.prompt, sizeof d.prompt, c->prompt ? c->prompt : "",
			   (size_t)-1);
	if (c->expect) {
		d.has_expect = true;
		snprintf(d.expect, sizeof d.expect, "%s", c->expect);
	}
	d.open = true;
	screen_push(app, &screen_confirm);
	if (app->depth == depth) {	/* the stack is full */
		d.open = false;
		return false;
	}
	return true;
}

/* Close the box, then tell the opener. */
static void finish(struct app *app, bool yes)
{
	struct confirm c = d.c;
	char typed[sizeof d.typed];

	snprintf(typed, sizeof typed, "%s", d.has_expect ? d.typed : (yes ? "y" : ""));
	d.answered = true;
	screen_pop(app);
	d.open = false;
	if (c.answer)
		c.answer(app, c.ctx, yes, typed);
}

static void confirm_leave(struct app *app)
{
	/* Left without an answer (batchtop is quitting): that is a no. */
	if (!d.answered) {
		d.answered = true;
		d.open = false;
		if (d.c.answer)
			d.c.answer(app, d.c.ctx, false, "");
	}
	d.open = false;
}

static void confirm_update(struct app *app)
{
	const struct screen *below = screen_below(app);

	if (below && below->update)
		below->update(app);
}

static void confirm_resize(struct app *app)
{
	(void)app;
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

static void confirm_draw(struct app *app)
{
	const struct screen *below = screen_below(app);
	size_t n = d.c.nlines ? d.c.nlines(d.c.ctx) : 0;
	int w = COLS - 4 > 118 ? 118 : COLS - 4;
	int x = (COLS - w) / 2;
	int room = LINES - 5;		/* rows 2 .. LINES-2 */
	int inner = room - 4 - (d.has_expect ? 1 : 0);
	int h, y;
	char buf[1024], shown[80];

	if (below && below->draw)
		below->draw(app);
	if (inner < 1)
		inner = 1;
	if ((int)n > inner)
		n = (size_t)inner;
	h = (int)n + 4 + (d.has_expect ? 1 : 0);
	y = 2 + (room - h) / 2;
	if (y < 2)
		y = 2;
	box_edge(y, x, w, "\u250c", "\u2500", "\u2510", d.title);
	for (int r = 1; r < h - 1; r++) {
		draw_text(y + r, x, 1, "\u2502", A_BOLD, 0);
		draw_text(y + r, x + 1, w - 2, "", 0, 0);
		draw_text(y + r, x + w - 1, 1, "\u2502", A_BOLD, 0);
	}
	for (size_t i = 0; i < n; i++) {
		enum paint p = PAINT_NORMAL;

		buf[0] = '\0';
		d.c.line(app, d.c.ctx, i, buf, sizeof buf, &p);
		/* A line cut by its maker's snprintf may end inside a
		 * character: end it before that character. */
		if (strlen(buf) == sizeof buf - 1)
			buf[text_utf8_trim(buf, sizeof buf - 1)] = '\0';
		draw_fmt(y + 1 + (int)i, x + 2, w - 4, draw_attr(p), "%s", buf);
	}
	draw_text(y + 1 + (int)n + 1, x + 2, w - 4, d.prompt, A_BOLD, 0);
	if (d.has_expect) {
		text_sanitize_into(shown, sizeof shown, d.typed, (size_t)-1);
		draw_fmt(y + (int)n + 3, x + 2, w - 4, A_BOLD, "> %s_", shown);
	}
	box_edge(y + h - 1, x, w, "\u2514", "\u2500", "\u2518", NULL);
}

static bool confirm_key(struct app *app, enum action act, int key)
{
	size_t len = strlen(d.typed);

	(void)act;
	if (!d.has_expect) {
		finish(app, key == 'y');
		return true;
	}
	if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		finish(app, strcmp(d.typed, d.expect) == 0);
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (len > 0)
			d.typed[len - 1] = '\0';
	} else if (key > 32 && key < 127 && len + 1 < sizeof d.typed) {
		d.typed[len] = (char)key;
		d.typed[len + 1] = '\0';
	} else {
		finish(app, false);
	}
	return true;
}

const struct screen screen_confirm = {
	/* It reads raw keys and has no bindings of its own: "y" or typed
	 * text are not actions a keymap could move elsewhere. */
	.name = "generic",
	.leave = confirm_leave,
	.update = confirm_update,
	.draw = confirm_draw,
	.key = confirm_key,
	.resize = confirm_resize,
};
