/*
 * test_textwrap.c - wrapping and sideways scrolling by display columns:
 * breaks at spaces, words longer than a line, wide characters, and the
 * empty string.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "core/textwrap.h"
#include "fixtures.h"

/* The lines of s wrapped at cols, joined with '|'. */
static const char *wrapped(const char *s, int cols)
{
	static char out[512];
	size_t n = 0;

	out[0] = '\0';
	while (*s) {
		size_t len = textwrap_line(s, cols, NULL);

		assert_true(len > 0);
		if (n)
			out[n++] = '|';
		memcpy(out + n, s, len);
		n += len;
		out[n] = '\0';
		s += len;
	}
	return out;
}

static void test_breaks_at_spaces(void **state)
{
	assert_string_equal(wrapped("the batch close failed", 10),
			    "the batch |close |failed");
	assert_string_equal(wrapped("short", 10), "short");
	assert_string_equal(wrapped("exactly10!", 10), "exactly10!");
	assert_string_equal(wrapped("aaa bbb", 4), "aaa |bbb");
}

static void test_long_words_are_cut(void **state)
{
	assert_string_equal(wrapped("deadlock_detected_on_relation", 10),
			    "deadlock_d|etected_on|_relation");
	assert_string_equal(wrapped("x", 1), "x");
}

static void test_wide_characters(void **state)
{
	int w;

	/* Three wide characters (6 columns) in 5 columns: two, then one. */
	assert_int_equal(textwrap_line("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, &w), 6);
	assert_int_equal(w, 4);
	/* A wide character wider than the line still makes progress. */
	assert_int_equal(textwrap_line("\xe6\x97\xa5", 1, &w), 3);
	assert_int_equal(textwrap_line("", 10, &w), 0);
	assert_int_equal(w, 0);
}

static void test_skip(void **state)
{
	assert_string_equal(textwrap_skip("abcdef", 2), "cdef");
	assert_string_equal(textwrap_skip("abc", 10), "");
	assert_string_equal(textwrap_skip("abc", 0), "abc");
	/* "é" is two bytes, one column. */
	assert_string_equal(textwrap_skip("\xc3\xa9t\xc3\xa9", 2), "\xc3\xa9");
	/* A wide character cut by the edge goes whole. */
	assert_string_equal(textwrap_skip("\xe6\x97\xa5z", 1), "z");
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_breaks_at_spaces),
		cmocka_unit_test(test_long_words_are_cut),
		cmocka_unit_test(test_wide_characters),
		cmocka_unit_test(test_skip),
	};

	if (!fx_utf8_locale())
		return 99;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
