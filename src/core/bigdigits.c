/*
 * bigdigits.c - the two bitmap fonts and the rows they make.
 *
 * A glyph is a few strings of '#' (ink) and '.' (paper), one per pixel row,
 * all of the same length; its width is that length.  No glyph has an empty
 * column between two inked ones, so a reader (or a test) can tell glyphs
 * apart by the blank columns between them.  Glyphs are set apart by
 * gap() columns, about half a pixel.
 */
#include "autoconf.h"

#include <string.h>

#include "core/bigdigits.h"

#define INK "\u2588"
#define INK_LEN (sizeof INK - 1)

struct glyph {
	char c;
	const char *rows[7];
};

static const struct glyph font3x5[] = {
	{ '0', { "###", "#.#", "#.#", "#.#", "###" } },
	{ '1', { ".#.", "##.", ".#.", ".#.", "###" } },
	{ '2', { "###", "..#", "###", "#..", "###" } },
	{ '3', { "###", "..#", "###", "..#", "###" } },
	{ '4', { "#.#", "#.#", "###", "..#", "..#" } },
	{ '5', { "###", "#..", "###", "..#", "###" } },
	{ '6', { "###", "#..", "###", "#.#", "###" } },
	{ '7', { "###", "..#", "..#", "..#", "..#" } },
	{ '8', { "###", "#.#", "###", "#.#", "###" } },
	{ '9', { "###", "#.#", "###", "..#", "###" } },
	{ ':', { ".", "#", ".", "#", "." } },
	{ '.', { ".", ".", ".", ".", "#" } },
	{ '%', { "#.#", "..#", ".#.", "#..", "#.#" } },
	{ '-', { "...", "...", "###", "...", "..." } },
	{ ' ', { "..", "..", "..", "..", ".." } },
};

static const struct glyph font5x7[] = {
	{ '0', { ".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###." } },
	{ '1', { "..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###." } },
	{ '2', { ".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####" } },
	{ '3', { "#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###." } },
	{ '4', { "...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#." } },
	{ '5', { "#####", "#....", "####.", "....#", "....#", "#...#", ".###." } },
	{ '6', { "..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###." } },
	{ '7', { "#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..." } },
	{ '8', { ".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###." } },
	{ '9', { ".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.." } },
	{ ':', { ".", ".", "#", ".", "#", ".", "." } },
	{ '.', { ".", ".", ".", ".", ".", ".", "#" } },
	{ '%', { "##..#", "##..#", "...#.", "..#..", ".#...", "#..##", "#..##" } },
	{ '-', { "....", "....", "....", "####", "....", "....", "...." } },
	{ ' ', { "...", "...", "...", "...", "...", "...", "..." } },
};

/* Largest first: by glyph height, then width.  Pixels of 2x1 cells are
 * about square on a terminal; the 1x1 styles are for small screens, the
 * 8x4 one for a wallboard whose attention list is short. */
const struct bigdigits_style bigdigits_styles[] = {
	{ BIGFONT_5X7, 8, 4 },	/* a wall screen with few digits */
	{ BIGFONT_5X7, 6, 3 },
	{ BIGFONT_5X7, 5, 3 },
	{ BIGFONT_5X7, 4, 2 },
	{ BIGFONT_5X7, 3, 2 },
	{ BIGFONT_3X5, 4, 2 },	/* between 14 and 7 rows, for 43 or so */
	{ BIGFONT_3X5, 3, 2 },
	{ BIGFONT_5X7, 2, 1 },
	{ BIGFONT_5X7, 1, 1 },
	{ BIGFONT_3X5, 2, 1 },
	{ BIGFONT_3X5, 1, 1 },
	{ BIGFONT_LINE, 1, 1 },
};
const size_t bigdigits_nstyles = sizeof bigdigits_styles / sizeof bigdigits_styles[0];

static const struct glyph *font_glyphs(enum bigdigits_font f, size_t *n, int *h)
{
	if (f == BIGFONT_3X5) {
		*n = sizeof font3x5 / sizeof font3x5[0];
		*h = 5;
		return font3x5;
	}
	*n = sizeof font5x7 / sizeof font5x7[0];
	*h = 7;
	return font5x7;
}

/* The glyph of c, or NULL. */
static const struct glyph *find(enum bigdigits_font f, char c)
{
	size_t n;
	int h;
	const struct glyph *g = font_glyphs(f, &n, &h);

	for (size_t i = 0; i < n; i++)
		if (g[i].c == c)
			return &g[i];
	return NULL;
}

/* A character without a glyph is drawn as the blank one. */
static const struct glyph *glyph_of(enum bigdigits_font f, char c)
{
	const struct glyph *g = find(f, c);
	size_t n;
	int h;

	if (!g)
		g = find(f, ' ');
	/* Every font has a blank; its first glyph is there in any case. */
	return g ? g : font_glyphs(f, &n, &h);
}

static int gap(const struct bigdigits_style *st)
{
	return (st->sx + 1) / 2;
}

bool bigdigits_drawable(const char *text)
{
	for (const char *p = text; *p; p++)
		if (!find(BIGFONT_3X5, *p) || !find(BIGFONT_5X7, *p))
			return false;
	return true;
}

int bigdigits_width(const struct bigdigits_style *st, const char *text)
{
	int w = 0;

	if (st->font == BIGFONT_LINE)
		return (int)strlen(text);
	for (const char *p = text; *p; p++) {
		if (p != text)
			w += gap(st);
		w += (int)strlen(glyph_of(st->font, *p)->rows[0]) * st->sx;
	}
	return w;
}

int bigdigits_height(const struct bigdigits_style *st)
{
	size_t n;
	int h;

	if (st->font == BIGFONT_LINE)
		return 1;
	font_glyphs(st->font, &n, &h);
	return h * st->sy;
}

/* Append len bytes of s to buf if they fit (leaving room for the NUL). */
static bool put(char *buf, size_t n, size_t *at, const char *s, size_t len)
{
	if (*at + len + 1 > n)
		return false;
	memcpy(buf + *at, s, len);
	*at += len;
	return true;
}

char *bigdigits_row(const struct bigdigits_style *st, const char *text,
		    int row, char *buf, size_t n)
{
	size_t at = 0;
	int pixel_row;

	if (!n)
		return buf;
	buf[0] = '\0';
	if (row < 0 || row >= bigdigits_height(st))
		return buf;
	if (st->font == BIGFONT_LINE) {
		size_t len = strlen(text);

		if (len + 1 > n)
			len = n - 1;
		memcpy(buf, text, len);
		buf[len] = '\0';
		return buf;
	}
	pixel_row = row / st->sy;
	for (const char *p = text; *p; p++) {
		const char *bits = glyph_of(st->font, *p)->rows[pixel_row];

		for (int i = 0; p != text && i < gap(st); i++)
			if (!put(buf, n, &at, " ", 1))
				goto out;
		for (const char *b = bits; *b; b++)
			for (int i = 0; i < st->sx; i++)
				if (!(*b == '#' ? put(buf, n, &at, INK, INK_LEN)
						: put(buf, n, &at, " ", 1)))
					goto out;
	}
out:
	buf[at] = '\0';
	return buf;
}
