/*
 * bigdigits.h - numbers drawn large with block characters, for the
 * wallboard.
 *
 * Two bitmap fonts (3x5 and 5x7 pixels) cover the digits and ":.%-"; a
 * style draws one of them with each pixel sx columns wide and sy rows
 * tall, and the last style is plain text on one line.  This module only
 * makes strings (a pixel is U+2588 FULL BLOCK, paper is a space); the
 * caller puts them on the screen, so it is tested without a terminal.
 */
#ifndef BT_BIGDIGITS_H
#define BT_BIGDIGITS_H

#include <stdbool.h>
#include <stddef.h>

enum bigdigits_font {
	BIGFONT_LINE,	/* the text itself, one row */
	BIGFONT_3X5,
	BIGFONT_5X7,
};

struct bigdigits_style {
	enum bigdigits_font font;
	int sx, sy;	/* columns and rows per pixel */
};

/* Every style, the largest first; the last is BIGFONT_LINE. */
extern const struct bigdigits_style bigdigits_styles[];
extern const size_t bigdigits_nstyles;

/* Whether every character of text has a glyph (others draw as blanks). */
bool bigdigits_drawable(const char *text);

/* Columns and rows that text takes in st. */
int bigdigits_width(const struct bigdigits_style *st, const char *text);
int bigdigits_height(const struct bigdigits_style *st);

/* Row `row` (0 .. height - 1) of text in st, exactly bigdigits_width()
 * columns, into buf (NUL-terminated; a FULL BLOCK takes 3 bytes, so n
 * should be 3 * width + 1; a shorter buf gets a shorter row, never a
 * split character).  Returns buf. */
char *bigdigits_row(const struct bigdigits_style *st, const char *text,
		    int row, char *buf, size_t n);

#endif
