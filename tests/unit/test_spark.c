/*
 * test_spark.c - the sparkline helper (src/ui/spark.c): levels on a fixed
 * scale, the full cell kept for values that reach it, the ASCII fallback,
 * the last `width` values kept, and whole glyphs when the buffer is short.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ui/spark.h"

static void test_levels(void **state)
{
	(void)state;
	assert_int_equal(spark_level(-1, 45), 0);
	assert_int_equal(spark_level(10, 0), 0);
	assert_int_equal(spark_level(0, 45), 1);
	assert_int_equal(spark_level(44.9, 45), SPARK_LEVELS - 1);
	assert_int_equal(spark_level(45, 45), SPARK_LEVELS);
	assert_int_equal(spark_level(90, 45), SPARK_LEVELS);
	for (double v = 0; v < 45; v += 0.5)
		assert_true(spark_level(v + 0.5, 45) >= spark_level(v, 45));
	assert_true(spark_level(30, 45) > spark_level(10, 45));
}

static void test_glyphs(void **state)
{
	(void)state;
	assert_string_equal(spark_glyph(1, true), "\u2581");
	assert_string_equal(spark_glyph(SPARK_LEVELS, true), "\u2588");
	assert_string_equal(spark_glyph(0, true), " ");
	assert_string_equal(spark_glyph(99, false), " ");
	/* ASCII: one byte per level, all different, all printable. */
	for (int a = 0; a <= SPARK_LEVELS; a++) {
		const char *g = spark_glyph(a, false);

		assert_int_equal(strlen(g), 1);
		assert_true(g[0] >= 0x20 && g[0] < 0x7f);
		for (int b = 0; b < a; b++)
			assert_string_not_equal(g, spark_glyph(b, false));
	}
}

static void test_line(void **state)
{
	const double v[] = { 5, 10, 20, 30, 40, 45, 50, -1 };
	char out[64];

	(void)state;
	assert_int_equal(spark_line(out, sizeof out, v, 8, 40, 45, false), 8);
	assert_string_equal(out, "_.:=*## ");
	assert_int_equal(spark_line(out, sizeof out, v, 8, 3, 45, false), 3);
	assert_string_equal(out, "## ");
	assert_int_equal(spark_line(out, sizeof out, v, 8, 40, 45, true), 8);
	assert_int_equal(strlen(out), 7 * 3 + 1);
	assert_int_equal(memcmp(out + 15, "\u2588\u2588 ", 7), 0);
	assert_int_equal(spark_line(out, sizeof out, v, 0, 40, 45, true), 0);
	assert_string_equal(out, "");
}

static void test_short_buffer(void **state)
{
	const double v[] = { 45, 45, 45 };
	char out[8];

	(void)state;
	/* Room for two three-byte glyphs and the NUL, not a third. */
	assert_int_equal(spark_line(out, sizeof out, v, 3, 10, 45, true), 2);
	assert_string_equal(out, "\u2588\u2588");
	assert_int_equal(spark_line(out, 1, v, 3, 10, 45, true), 0);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_glyphs),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_short_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
