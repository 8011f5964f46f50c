/*
 * textwrap.h - cutting sanitized UTF-8 text into screen lines, for the
 * screens that wrap long messages (biller detail, log viewer) or scroll
 * them sideways.  Widths are display columns (wcwidth), never bytes.
 */
#ifndef BT_TEXTWRAP_H
#define BT_TEXTWRAP_H

#include <stddef.h>

/*
 * The bytes of s that make its first line when wrapped at cols (>= 1)
 * columns: up to and including the last space that fits, or cut inside a
 * word longer than a line; at least one character while s is not empty,
 * 0 when it is.  *width (may be NULL) gets the line's columns.  The next
 * line starts at s + the result.
 */
size_t textwrap_line(const char *s, int cols, int *width);

/* s after its first cols display columns; a wide character that the edge
 * cuts in two is skipped too. */
const char *textwrap_skip(const char *s, int cols);

#endif
