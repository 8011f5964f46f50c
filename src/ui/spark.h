/*
 * spark.h - a few values as a one-line chart: one cell per value, its
 * height in eighths of a cell (the Unicode lower blocks, or ASCII
 * characters of growing weight when the terminal is not UTF-8).
 *
 * Pure: the caller draws the text and picks the attributes (the current
 * close marked, the ones past the deadline in colour).  The scale is the
 * caller's too, so that a full cell means something fixed (the close
 * window) rather than the largest value of the day.
 */
#ifndef BT_SPARK_H
#define BT_SPARK_H

#include <stdbool.h>
#include <stddef.h>

#define SPARK_LEVELS 8

/* The level of v on a cell that stands for `full`: 1 (the floor) to
 * SPARK_LEVELS - 1 below full, SPARK_LEVELS at full or more; 0 when v is
 * unknown (< 0) or full is not positive. */
int spark_level(double v, double full);

/* The glyph of a level: "\u2581".."\u2588" in UTF-8, one of "_.-:=+*#"
 * otherwise, and a space for level 0.  A static string. */
const char *spark_glyph(int level, bool utf8);

/* The chart of v[0..n) (oldest first) in out: the last `width` values
 * when there are more, one glyph each, NUL-terminated and cut at a whole
 * glyph when outsz is short.  Returns the number of cells written. */
size_t spark_line(char *out, size_t outsz, const double *v, size_t n, size_t width,
		  double full, bool utf8);

#endif
