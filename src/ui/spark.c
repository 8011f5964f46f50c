/*
 * spark.c - values as a row of block heights (see spark.h).
 */
#include "ui/spark.h"

#include <string.h>

static const char *const blocks[SPARK_LEVELS + 1] = {
	" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
};
/* Light to heavy, read as heights: low marks first, dense ones last. */
static const char *const ascii[SPARK_LEVELS + 1] = {
	" ", "_", ".", "-", ":", "=", "+", "*", "#",
};

int spark_level(double v, double full)
{
	int level;

	if (v < 0 || !(full > 0))
		return 0;
	if (v >= full)
		return SPARK_LEVELS;
	/* Level 1 is the floor, so a short close still shows; the full cell
	 * is kept for values that reach `full` (a close past its window). */
	level = 1 + (int)(v / full * (SPARK_LEVELS - 1));
	return level > SPARK_LEVELS ? SPARK_LEVELS : level;
}

const char *spark_glyph(int level, bool utf8)
{
	if (level < 0 || level > SPARK_LEVELS)
		level = 0;
	return utf8 ? blocks[level] : ascii[level];
}

size_t spark_line(char *out, size_t outsz, const double *v, size_t n, size_t width,
		  double full, bool utf8)
{
	size_t first = n > width ? n - width : 0, cells = 0, used = 0;

	if (outsz == 0)
		return 0;
	out[0] = '\0';
	for (size_t i = first; i < n; i++) {
		const char *g = spark_glyph(spark_level(v[i], full), utf8);
		size_t len = strlen(g);

		if (used + len >= outsz)
			break;
		memcpy(out + used, g, len + 1);
		used += len;
		cells++;
	}
	return cells;
}
