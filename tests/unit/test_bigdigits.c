/*
 * test_bigdigits.c - the wallboard's large numbers: sizes, exact rows of a
 * few glyphs, scaling, the one-line style, and buffers that are too short.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/bigdigits.h"
#include "core/text.h"

#define B "\u2588"

static const struct bigdigits_style small = { BIGFONT_3X5, 1, 1 };
static const struct bigdigits_style large = { BIGFONT_5X7, 1, 1 };
static const struct bigdigits_style large2 = { BIGFONT_5X7, 2, 1 };
static const struct bigdigits_style tall = { BIGFONT_5X7, 4, 2 };
static const struct bigdigits_style line = { BIGFONT_LINE, 1, 1 };

static void test_rows_of_small_glyphs(void **state)
{
	char buf[256];

	(void)state;
	/* "10": a 3-column 1, one column apart, a 3-column 0. */
	assert_string_equal(bigdigits_row(&small, "10", 0, buf, sizeof buf), " " B "  " B B B);
	assert_string_equal(bigdigits_row(&small, "10", 1, buf, sizeof buf), B B "  " B " " B);
	assert_string_equal(bigdigits_row(&small, "10", 4, buf, sizeof buf), B B B " " B B B);
	/* The colon is one pixel wide. */
	assert_string_equal(bigdigits_row(&small, "1:2", 1, buf, sizeof buf), B B "  " B " " "  " B);
	assert_int_equal(bigdigits_width(&small, "1:2"), 3 + 1 + 1 + 1 + 3);
	assert_int_equal(bigdigits_height(&small), 5);
	/* Outside the glyph: an empty row. */
	assert_string_equal(bigdigits_row(&small, "1", 5, buf, sizeof buf), "");
	assert_string_equal(bigdigits_row(&small, "1", -1, buf, sizeof buf), "");
}

static void test_scaling(void **state)
{
	char buf[512];

	(void)state;
	/* Each pixel is sx columns wide and sy rows tall; glyphs are
	 * (sx + 1) / 2 columns apart. */
	assert_int_equal(bigdigits_height(&large), 7);
	assert_int_equal(bigdigits_height(&tall), 14);
	assert_int_equal(bigdigits_width(&large2, "7"), 10);
	assert_int_equal(bigdigits_width(&large2, "77"), 21);
	assert_int_equal(bigdigits_width(&tall, "77"), 42);
	assert_string_equal(bigdigits_row(&large2, "7", 0, buf, sizeof buf),
			    B B B B B B B B B B);
	assert_string_equal(bigdigits_row(&large2, "7", 1, buf, sizeof buf),
			    "        " B B);
	/* Rows 0 and 1 of a style with sy = 2 are the same pixel row. */
	assert_string_equal(bigdigits_row(&tall, "1", 0, buf, sizeof buf),
			    bigdigits_row(&tall, "1", 1, buf + 256, 256));
}

/* Every row of every style has exactly the width the style reports. */
static void test_widths_agree(void **state)
{
	static const char *const texts[] = { "0123456789", "12:34", "97.5%", "-", "--", "100%" };
	char buf[4096];

	(void)state;
	for (size_t s = 0; s < bigdigits_nstyles; s++)
		for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
			for (int r = 0; r < bigdigits_height(&bigdigits_styles[s]); r++) {
				bigdigits_row(&bigdigits_styles[s], texts[t], r, buf, sizeof buf);
				assert_int_equal(text_width(buf),
						 bigdigits_width(&bigdigits_styles[s], texts[t]));
			}
}

/* Styles come largest first and end with one line of text. */
static void test_style_order(void **state)
{
	(void)state;
	assert_true(bigdigits_nstyles >= 3);
	for (size_t s = 1; s < bigdigits_nstyles; s++) {
		const struct bigdigits_style *a = &bigdigits_styles[s - 1];
		const struct bigdigits_style *b = &bigdigits_styles[s];

		assert_true(bigdigits_height(a) > bigdigits_height(b) ||
			    (bigdigits_height(a) == bigdigits_height(b) &&
			     bigdigits_width(a, "0") > bigdigits_width(b, "0")));
	}
	assert_int_equal(bigdigits_styles[bigdigits_nstyles - 1].font, BIGFONT_LINE);
}

/* The largest style: 28 rows, each pixel 8 columns by 4 rows. */
static void test_largest_style(void **state)
{
	const struct bigdigits_style *big = &bigdigits_styles[0];
	char a[512], b[512];

	(void)state;
	assert_int_equal(bigdigits_height(big), 28);
	assert_int_equal(bigdigits_width(big, "1"), 40);
	assert_int_equal(bigdigits_width(big, "11"), 40 + 4 + 40);
	for (int r = 0; r < 4; r++)	/* one pixel row is four rows */
		assert_string_equal(bigdigits_row(big, "7", 0, a, sizeof a),
				    bigdigits_row(big, "7", r, b, sizeof b));
	assert_string_not_equal(a, bigdigits_row(big, "7", 4, b, sizeof b));
}

static void test_line_style(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(bigdigits_height(&line), 1);
	assert_int_equal(bigdigits_width(&line, "97.5%"), 5);
	assert_string_equal(bigdigits_row(&line, "97.5%", 0, buf, sizeof buf), "97.5%");
	assert_string_equal(bigdigits_row(&line, "97.5%", 1, buf, sizeof buf), "");
}

static void test_drawable(void **state)
{
	(void)state;
	assert_true(bigdigits_drawable("0123456789:.%- "));
	assert_false(bigdigits_drawable("12a"));
	assert_true(bigdigits_drawable(""));
}

/* A short buffer gets a shorter row, never half a block character. */
static void test_short_buffer(void **state)
{
	char buf[8];

	(void)state;
	bigdigits_row(&small, "888", 0, buf, sizeof buf);
	assert_string_equal(buf, B B);	/* 6 bytes; a third would not fit */
	bigdigits_row(&small, "8", 0, buf, 1);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_of_small_glyphs),
		cmocka_unit_test(test_scaling),
		cmocka_unit_test(test_widths_agree),
		cmocka_unit_test(test_style_order),
		cmocka_unit_test(test_largest_style),
		cmocka_unit_test(test_line_style),
		cmocka_unit_test(test_drawable),
		cmocka_unit_test(test_short_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
