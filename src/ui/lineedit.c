/*
 * lineedit.c - the one line editor (see lineedit.h).
 *
 * Keys arrive from getch() as bytes, so a UTF-8 character comes as two to
 * four keys; they are inserted as they come and the cursor always steps
 * over whole characters (continuation bytes are 10xxxxxx).
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "core/text.h"
#include "ui/draw.h"
#include "ui/lineedit.h"

#define CTRL(c) ((c) & 0x1f)

static size_t limit(const struct lineedit *e)
{
	return e->max && e->max < LINEEDIT_MAX - 1 ? e->max : LINEEDIT_MAX - 1;
}

void lineedit_init(struct lineedit *e, const char *text, size_t max)
{
	memset(e, 0, sizeof *e);
	e->max = max;
	if (text) {
		size_t n = strlen(text);

		if (n > limit(e))
			n = text_utf8_trim(text, limit(e));
		memcpy(e->text, text, n);
		e->len = e->cur = n;
	}
	e->text[e->len] = '\0';
}

static bool is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

static size_t prev_char(const struct lineedit *e, size_t at)
{
	while (at > 0 && is_cont((unsigned char)e->text[--at]))
		;
	return at;
}

static size_t next_char(const struct lineedit *e, size_t at)
{
	if (at < e->len)
		at++;
	while (at < e->len && is_cont((unsigned char)e->text[at]))
		at++;
	return at;
}

/* Remove the bytes [from, to). */
static enum lineedit_result cut(struct lineedit *e, size_t from, size_t to)
{
	if (from >= to)
		return LE_MOVED;
	memmove(e->text + from, e->text + to, e->len - to + 1);
	e->len -= to - from;
	e->cur = from;
	return LE_CHANGED;
}

/* The bytes of the UTF-8 character that lead byte c starts. */
static size_t seq_len(unsigned char c)
{
	if ((c & 0xe0) == 0xc0)
		return 2;
	if ((c & 0xf0) == 0xe0)
		return 3;
	if ((c & 0xf8) == 0xf0)
		return 4;
	return 1;
}

/* A character is inserted byte by byte, so room is kept for all of it
 * when its first byte comes: a character that does not fit is refused
 * whole, and its other bytes, which then continue nothing, are dropped
 * (never half a character in the text). */
static enum lineedit_result insert(struct lineedit *e, char c)
{
	if (is_cont((unsigned char)c)) {
		size_t lead = prev_char(e, e->cur);

		if (e->cur == 0 || is_cont((unsigned char)e->text[lead]) ||
		    seq_len((unsigned char)e->text[lead]) <= e->cur - lead)
			return LE_MOVED;
	} else if (e->len + seq_len((unsigned char)c) > limit(e)) {
		return LE_MOVED;
	}
	memmove(e->text + e->cur + 1, e->text + e->cur, e->len - e->cur + 1);
	e->text[e->cur++] = c;
	e->len++;
	return LE_CHANGED;
}

static size_t word_start(const struct lineedit *e)
{
	size_t at = e->cur;

	while (at > 0 && e->text[at - 1] == ' ')
		at--;
	while (at > 0 && e->text[at - 1] != ' ')
		at--;
	return at;
}

enum lineedit_result lineedit_key(struct lineedit *e, int key)
{
	switch (key) {
	case '\n': case '\r': case KEY_ENTER:
		return LE_ENTER;
	case 27:
		return LE_CANCEL;
	case KEY_LEFT: case CTRL('b'):
		e->cur = prev_char(e, e->cur);
		return LE_MOVED;
	case KEY_RIGHT: case CTRL('f'):
		e->cur = next_char(e, e->cur);
		return LE_MOVED;
	case KEY_HOME: case CTRL('a'):
		e->cur = 0;
		return LE_MOVED;
	case KEY_END: case CTRL('e'):
		e->cur = e->len;
		return LE_MOVED;
	case KEY_BACKSPACE: case 127: case CTRL('h'):
		return cut(e, prev_char(e, e->cur), e->cur);
	case KEY_DC: case CTRL('d'):
		return cut(e, e->cur, next_char(e, e->cur));
	case CTRL('u'):
		return cut(e, 0, e->cur);
	case CTRL('k'):
		return cut(e, e->cur, e->len);
	case CTRL('w'):
		return cut(e, word_start(e), e->cur);
	default:
		break;
	}
	/* Text: printable ASCII and the bytes of UTF-8 characters. */
	if ((key >= 32 && key < 127) || (key >= 128 && key < 256))
		return insert(e, (char)key);
	return LE_IGNORED;
}

void lineedit_draw(const struct lineedit *e, int y, int x, int width,
		   const char *prefix, int attr)
{
	char before[LINEEDIT_MAX * 4], at[16], after[LINEEDIT_MAX * 4];
	char head[LINEEDIT_MAX];
	size_t next = next_char(e, e->cur);
	int pw = prefix ? text_width(prefix) : 0;
	int room = width - pw - 1;	/* one column for the cursor */
	int bw, col;
	const char *b;

	memcpy(head, e->text, e->cur);
	head[e->cur] = '\0';
	text_sanitize_into(before, sizeof before, head, (size_t)-1);
	snprintf(at, sizeof at, "%.*s", (int)(next - e->cur), e->text + e->cur);
	text_sanitize_into(after, sizeof after, e->text + next, (size_t)-1);
	/* Keep the cursor in view: drop characters from the left of the
	 * text before it while it does not fit. */
	b = before;
	bw = text_width(b);
	while (room > 0 && bw > room && *b) {
		int cols;

		b += text_char_width(b, &cols);
		bw -= cols;
	}
	draw_text(y, x, width, "", (attr_t)attr, 0);
	col = x;
	if (pw) {
		draw_text(y, col, pw, prefix, (attr_t)attr, 0);
		col += pw;
	}
	draw_text(y, col, width - (col - x), b, (attr_t)attr, 0);
	col += bw;
	if (col - x < width) {
		char shown[16];

		text_sanitize_into(shown, sizeof shown, at, (size_t)-1);
		draw_text(y, col, 1, shown[0] ? shown : "_",
			  (attr_t)attr | (shown[0] ? A_REVERSE : 0), 0);
		col += shown[0] ? text_width(shown) : 1;
	}
	if (col - x < width)
		draw_text(y, col, width - (col - x), after, (attr_t)attr, 0);
}
