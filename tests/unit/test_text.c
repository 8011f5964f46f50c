/*
 * test_text.c - unit tests for the text sanitizer and width helpers.
 *
 * Each rule of text.h gets a test: what passes unchanged, what becomes
 * U+FFFD, what is removed, how bounded writes stop, and how text_fit cuts,
 * pads and aligns, including wide characters at the edge.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/text.h"
#include "fixtures.h"

#define R "\xEF\xBF\xBD"	/* U+FFFD */

/* Sanitize in both ways and compare with want. */
static void check_len(const char *in, size_t len, const char *want)
{
	char buf[512];
	char *got = text_sanitize(in, len);
	size_t n;

	assert_string_equal(got, want);
	free(got);
	n = text_sanitize_into(buf, sizeof buf, in, len);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void check(const char *in, const char *want)
{
	check_len(in, (size_t)-1, want);
}

static void test_printable_passes(void **state)
{
	(void)state;
	check("", "");
	check("batch 42 closed: OK", "batch 42 closed: OK");
	check(" !\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~",
	      " !\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~");
	check("Café crème, Ærø, ñandú", "Café crème, Ærø, ñandú");
	check("\xC2\xA0nbsp", "\xC2\xA0nbsp");		/* U+00A0 is printable */
	check("日本語の請求書", "日本語の請求書");
	check("\xF0\x9F\x98\x80 \xF0\x9F\x92\xB8",
	      "\xF0\x9F\x98\x80 \xF0\x9F\x92\xB8");
	check("e\xCC\x81", "e\xCC\x81");		/* combining acute */
	check("\xEF\xBF\xBD", R);			/* U+FFFD itself */
	check("\xF4\x8F\xBF\xBD", "\xF4\x8F\xBF\xBD");	/* U+10FFFD, private use */
	check("\xE2\x9D\xA4\xEF\xB8\x8F", "\xE2\x9D\xA4\xEF\xB8\x8F"); /* VS16 kept */
}

static void test_null_and_len(void **state)
{
	char *s;

	(void)state;
	s = text_sanitize(NULL, 5);
	assert_string_equal(s, "");
	free(s);
	check_len("abcdef", 3, "abc");
	check_len("abc", 0, "");
	check_len("a\0b", 3, "a" R "b");		/* NUL inside len */
	check_len("\xE6\x97\xA5", 2, R);		/* len cuts a character */
}

static void test_c0_controls(void **state)
{
	char in[2] = { 0, 0 };
	int c;

	(void)state;
	check("a\tb", "a b");
	check("\t\t", "  ");
	for (c = 1; c < 0x20; c++) {
		if (c == '\t')
			continue;
		in[0] = (char)c;
		check(in, R);
	}
	check_len("\0", 1, R);
	check("\x7F", R);
	check("a\x7F" "b", "a" R "b");
}

static void test_injections(void **state)
{
	(void)state;
	check("\x1b[2J", R "[2J");			/* clear screen */
	check("\x1b[31mred", R "[31mred");		/* colour */
	check("\x1b]0;pwned\x07", R "]0;pwned" R);	/* OSC title */
	check("\x1b]8;;http://x\x1b\\link", R "]8;;http://x" R "\\link");
	check("paid\rFAILED", "paid" R "FAILED");	/* CR overwrite */
	check("paid\nFAILED", "paid" R "FAILED");
	check("paid\b\b\b\bFAIL", "paid" R R R R "FAIL");
	check("\x9b" "2J", R "2J");			/* raw 8-bit CSI */
	check("\xC2\x9B" "2J", R "2J");			/* C1 CSI in UTF-8 */
	check("\xC2\x9D" "0;t\xC2\x9C", R "0;t" R);	/* C1 OSC .. ST */
	check("\xC2\x85", R);				/* NEL */
	check("a\xE2\x80\xA8" "b\xE2\x80\xA9", "a" R "b" R); /* LS, PS */
}

static void test_c1_controls(void **state)
{
	char in[3] = { '\xC2', 0, 0 };
	char raw[2] = { 0, 0 };
	int c;

	(void)state;
	for (c = 0x80; c <= 0x9F; c++) {
		in[1] = (char)c;
		check(in, R);
		raw[0] = (char)c;
		check(raw, R);
	}
}

static void test_bidi_removed(void **state)
{
	(void)state;
	check("abc\xE2\x80\xAE" "fdp.exe", "abcfdp.exe");	/* RLO */
	check("\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAC\xE2\x80\xAD\xE2\x80\xAE", "");
	check("\xE2\x81\xA6\xE2\x81\xA7\xE2\x81\xA8\xE2\x81\xA9", ""); /* isolates */
	check("x\xE2\x80\x8E" "y\xE2\x80\x8F" "z", "xyz");	/* LRM, RLM */
	check("x\xD8\x9C" "y", "xy");				/* ALM */
}

static void test_invisible_removed(void **state)
{
	(void)state;
	check("pa\xE2\x80\x8Bid", "paid");		/* ZWSP */
	check("pa\xE2\x80\x8C\xE2\x80\x8Did", "paid");	/* ZWNJ, ZWJ */
	check("pa\xE2\x81\xA0id", "paid");		/* word joiner */
	check("\xEF\xBB\xBFpaid", "paid");		/* BOM */
	check("a\xEF\xBF\xB9" "b\xEF\xBF\xBA" "c\xEF\xBF\xBB", "abc");
	check("a\xC2\xAD" "b", "ab");			/* soft hyphen */
	check("a\xF3\xA0\x80\x81\xF3\xA0\x81\xA1" "b", "ab");	/* tags */
}

static void test_noncharacters(void **state)
{
	(void)state;
	check("\xEF\xBF\xBE", R);			/* U+FFFE */
	check("\xEF\xBF\xBF", R);			/* U+FFFF */
	check("\xEF\xB7\x90", R);			/* U+FDD0 */
	check("\xF4\x8F\xBF\xBF", R);			/* U+10FFFF */
	check("\xF0\x9F\xBF\xBE", R);			/* U+1FFFE */
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	/* One U+FFFD per maximal invalid subsequence. */
	check("\xC0\xAF", R R);				/* overlong '/' */
	check("\xC1\xBF", R R);
	check("\xE0\x80\xAF", R R R);			/* overlong, 3 bytes */
	check("\xF0\x80\x80\xAF", R R R R);		/* overlong, 4 bytes */
	check("\xED\xA0\x80", R R R);			/* surrogate D800 */
	check("\xED\xBF\xBF", R R R);			/* surrogate DFFF */
	check("\xED\x9F\xBF", "\xED\x9F\xBF");		/* U+D7FF is fine */
	check("\xF4\x90\x80\x80", R R R R);		/* above U+10FFFF */
	check("\xF5\x80\x80\x80", R R R R);
	check("\xF8\x88\x80\x80\x80", R R R R R);	/* old 5-byte form */
	check("\xFE\xFF", R R);
	check("\x80", R);				/* stray continuation */
	check("a\xBF" "b", "a" R "b");
	check("ab\xE6\x97", "ab" R);			/* truncated at end */
	check("\xF0\x9F\x98", R);
	check("\xC3", R);
	check("\xE6\x97x", R "x");			/* truncated in the middle */
	check("\xF0\x9F\x98\xE6\x97\xA5", R "\xE6\x97\xA5");
	check("\xC3\xC3\xA9", R "\xC3\xA9");
}

static void test_idempotent(void **state)
{
	static const char *const in[] = {
		"\x1b[2J\xC2\x9B\xE2\x80\xAE\xC0\xAF\xED\xA0\x80x\xF4\x90\x80\x80\t",
		"日本\xE6\x97\xF0\x9F\x98\x80\x7F\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		char *once = text_sanitize(in[i], (size_t)-1);
		char *twice = text_sanitize(once, (size_t)-1);

		assert_string_equal(once, twice);
		free(once);
		free(twice);
	}
}

static void test_into_boundaries(void **state)
{
	char buf[8];
	size_t n;

	(void)state;
	/* dstsz 0: nothing written at all. */
	memset(buf, 'X', sizeof buf);
	assert_int_equal(text_sanitize_into(buf, 0, "abc", (size_t)-1), 0);
	assert_int_equal(buf[0], 'X');

	/* A 3-byte character needs dstsz 4. */
	memset(buf, 'X', sizeof buf);
	assert_int_equal(text_sanitize_into(buf, 1, "日", (size_t)-1), 0);
	assert_string_equal(buf, "");
	assert_int_equal(buf[1], 'X');
	memset(buf, 'X', sizeof buf);
	assert_int_equal(text_sanitize_into(buf, 2, "日", (size_t)-1), 0);
	assert_string_equal(buf, "");
	assert_int_equal(buf[1], 'X');
	memset(buf, 'X', sizeof buf);
	assert_int_equal(text_sanitize_into(buf, 3, "日", (size_t)-1), 0);
	assert_string_equal(buf, "");
	assert_int_equal(buf[1], 'X');
	assert_int_equal(buf[2], 'X');
	memset(buf, 'X', sizeof buf);
	assert_int_equal(text_sanitize_into(buf, 4, "日", (size_t)-1), 3);
	assert_string_equal(buf, "日");
	assert_int_equal(buf[4], 'X');

	/* ASCII then a character that does not fit. */
	memset(buf, 'X', sizeof buf);
	n = text_sanitize_into(buf, 3, "a日", (size_t)-1);
	assert_int_equal(n, 1);
	assert_string_equal(buf, "a");
	assert_int_equal(buf[2], 'X');
	n = text_sanitize_into(buf, 2, "ab", (size_t)-1);
	assert_int_equal(n, 1);
	assert_string_equal(buf, "a");
	n = text_sanitize_into(buf, 3, "é", (size_t)-1);
	assert_string_equal(buf, "é");
	assert_int_equal(n, 2);

	/* A U+FFFD that does not fit is not split either. */
	memset(buf, 'X', sizeof buf);
	n = text_sanitize_into(buf, 4, "a\x1b", (size_t)-1);
	assert_int_equal(n, 1);
	assert_string_equal(buf, "a");
	assert_int_equal(buf[2], 'X');

	/* Stop at the first unit that does not fit; no later one. */
	n = text_sanitize_into(buf, 3, "日a", (size_t)-1);
	assert_int_equal(n, 0);
	assert_string_equal(buf, "");

	/* Removed characters cost nothing. */
	n = text_sanitize_into(buf, 2, "\xE2\x80\xAE" "a", (size_t)-1);
	assert_int_equal(n, 1);
	assert_string_equal(buf, "a");

	/* NULL source. */
	n = text_sanitize_into(buf, sizeof buf, NULL, 3);
	assert_int_equal(n, 0);
	assert_string_equal(buf, "");
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(text_width(NULL), 0);
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("é"), 1);
	assert_int_equal(text_width("e\xCC\x81"), 1);		/* combining */
	assert_int_equal(text_width("日本"), 4);
	assert_int_equal(text_width("a日b"), 4);
	assert_int_equal(text_width("\xF0\x9F\x98\x80"), 2);	/* emoji */
	assert_int_equal(text_width(R), 1);
	/* Unsanitized leftovers still count one column each. */
	assert_int_equal(text_width("\x1b"), 1);
	assert_int_equal(text_width("a\xFF" "b"), 3);
	assert_int_equal(text_width("\xE6\x97"), 1);		/* truncated */
}

/* text_fit into a buffer of the documented size; checks the width too. */
static void check_fit(const char *s, int cols, int right, const char *want)
{
	char buf[256];
	size_t n;

	memset(buf, 'X', sizeof buf);
	n = text_fit(buf, (size_t)(cols > 0 ? cols : 0) * 4 + 1, s, cols, right);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	if (cols > 0)
		assert_int_equal(text_width(buf), cols);
}

static void test_fit_ascii(void **state)
{
	(void)state;
	check_fit("ab", 5, 0, "ab   ");
	check_fit("ab", 5, 1, "   ab");
	check_fit("abcde", 5, 0, "abcde");
	check_fit("abcde", 5, 1, "abcde");
	check_fit("abcdef", 5, 0, "abcd~");
	check_fit("abcdef", 5, 1, "abcd~");
	check_fit("abcdef", 1, 0, "~");
	check_fit("a", 1, 0, "a");
	check_fit("", 3, 0, "   ");
	check_fit(NULL, 2, 1, "  ");
	check_fit("abc", 0, 0, "");
	check_fit("abc", -4, 1, "");
}

static void test_fit_wide(void **state)
{
	(void)state;
	check_fit("日本", 4, 0, "日本");
	check_fit("日本", 5, 0, "日本 ");
	check_fit("日本", 5, 1, " 日本");
	check_fit("日本", 3, 0, "日~");
	check_fit("日本語", 5, 0, "日本~");
	/* The second character would need the tilde's column: never half. */
	check_fit("日本語", 4, 0, "日 ~");
	check_fit("日本語", 4, 1, " 日~");
	check_fit("日本", 2, 0, " ~");
	check_fit("日本語", 2, 0, " ~");
	check_fit("日", 1, 0, "~");
	check_fit("a日", 2, 0, "a~");
	check_fit("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 3, 0, "\xF0\x9F\x98\x80~");
	check_fit("é", 3, 1, "  é");
	check_fit("e\xCC\x81xyz", 3, 0, "e\xCC\x81x~");	/* mark stays on e */
	check_fit("ab\xCC\x81", 2, 0, "ab\xCC\x81");
}

static void test_fit_small_dst(void **state)
{
	char buf[16];
	size_t n;

	(void)state;
	memset(buf, 'X', sizeof buf);
	assert_int_equal(text_fit(buf, 0, "abc", 3, 0), 0);
	assert_int_equal(buf[0], 'X');
	assert_int_equal(text_fit(buf, 1, "abc", 3, 0), 0);
	assert_string_equal(buf, "");

	/* Fewer bytes than columns: as many columns as fit. */
	memset(buf, 'X', sizeof buf);
	n = text_fit(buf, 4, "abcdef", 10, 0);
	assert_string_equal(buf, "ab~");
	assert_int_equal(n, 3);
	assert_int_equal(buf[4], 'X');

	/* Many combining marks: bytes run out before columns do. */
	memset(buf, 'X', sizeof buf);
	n = text_fit(buf, 9, "a\xCC\x81\xCC\x81\xCC\x81\xCC\x81\xCC\x81", 2, 0);
	assert_string_equal(buf, "a\xCC\x81\xCC\x81\xCC\x81~");
	assert_int_equal(n, 8);
	assert_int_equal(buf[9], 'X');
	assert_int_equal(text_width(buf), 2);
}

static void test_contains_ci(void **state)
{
	(void)state;
	assert_true(text_contains_ci("Hello World", "world"));
	assert_true(text_contains_ci("Hello World", "WORLD"));
	assert_true(text_contains_ci("Hello World", "o w"));
	assert_true(text_contains_ci("Hello World", "Hello World"));
	assert_true(text_contains_ci("abc", ""));
	assert_true(text_contains_ci("", ""));
	assert_true(text_contains_ci("abc", NULL));
	assert_false(text_contains_ci("", "a"));
	assert_false(text_contains_ci(NULL, "a"));
	assert_false(text_contains_ci("Hello", "xyz"));
	assert_false(text_contains_ci("abc", "bcd"));
	assert_false(text_contains_ci("ab", "abc"));
	assert_true(text_contains_ci("aab", "ab"));
	assert_true(text_contains_ci("Café Noir", "CAFÉ"));
	assert_true(text_contains_ci("ÉTÉ", "été"));
	assert_true(text_contains_ci("Ærø", "æRØ"));
	assert_false(text_contains_ci("\xC3\x97", "\xC3\xB7"));	/* × is not ÷ */
	assert_false(text_contains_ci("é", "e"));
	assert_true(text_contains_ci("日本語", "本"));
	/* Matches start at character boundaries only. */
	assert_false(text_contains_ci("日", "\x97\xA5"));
}

/* text_find_ci: where the first match starts and how many bytes of the
 * haystack it covers (folded letters may differ in case, not in length). */
static void test_find_ci(void **state)
{
	const char *hay = "Log: CAFÉ café Café";
	size_t len = 0;
	const char *at;

	(void)state;
	at = text_find_ci(hay, "café", &len);
	assert_non_null(at);
	assert_int_equal(at - hay, 5);
	assert_int_equal(len, strlen("CAFÉ"));
	at = text_find_ci(at + len, "CAFÉ", &len);
	assert_non_null(at);
	assert_int_equal(at - hay, 11);
	assert_null(text_find_ci(hay, "tea", &len));
	assert_null(text_find_ci(hay, "", &len));
	assert_null(text_find_ci(NULL, "a", &len));
	assert_null(text_find_ci("日", "\x97\xA5", NULL));
	hay = "日本語";
	assert_ptr_equal(text_find_ci(hay, "本", NULL), hay + 3);
}

/* Two ids that sanitize to the same text escape differently, and a clean
 * id escapes to itself. */
static void test_escape(void **state)
{
	(void)state;
	static const struct { const char *in, *want; bool odd; } cases[] = {
		{ "ZW-BATCH", "ZW-BATCH", false },
		{ "ZW-BATCH\u200b", "ZW-BATCH<U+200B>", true },
		{ "\u202eevil", "<U+202E>evil", true },
		{ "a\tb", "a<U+0009>b", true },
		{ "bell\a", "bell<U+0007>", true },
		{ "x\xff\xfey", "x<0xFF><0xFE>y", true },
		{ "cut\xe6\x97", "cut<0xE6><0x97>", true },
		{ "caf\u00e9 \u6771\u4eac", "caf\u00e9 \u6771\u4eac", false },
		{ "", "", false },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = text_escape(cases[i].in);

		assert_string_equal(got, cases[i].want);
		assert_int_equal(text_needs_escape(cases[i].in), cases[i].odd);
		/* What is drawn never needs escaping again. */
		assert_false(text_needs_escape(got));
		free(got);
	}
	{
		char *a = text_sanitize("ZW-BATCH", (size_t)-1);
		char *b = text_sanitize("ZW-BATCH\u200b", (size_t)-1);
		char *ea = text_escape("ZW-BATCH"), *eb = text_escape("ZW-BATCH\u200b");

		assert_string_equal(a, b);	/* why escaping is needed */
		assert_string_not_equal(ea, eb);
		free(a);
		free(b);
		free(ea);
		free(eb);
	}
	assert_false(text_needs_escape(NULL));
}

static void test_utf8_repair(void **state)
{
	(void)state;
	char *r;

	assert_true(text_utf8_valid("ZW-BATCH\u200b\a"));
	assert_false(text_utf8_valid("a\xff"));
	assert_false(text_utf8_valid("\xed\xa0\x80"));
	r = text_utf8_repair("a\xff" "b\u200b\a");
	assert_string_equal(r, "a" R "b\u200b\a");
	assert_true(text_utf8_valid(r));
	free(r);
}

static void test_utf8_char(void **state)
{
	(void)state;

	assert_int_equal(text_utf8_char("a", 1), 1);
	assert_int_equal(text_utf8_char("\u00e9x", 3), 2);
	assert_int_equal(text_utf8_char("\u20ac", 3), 3);
	assert_int_equal(text_utf8_char("\U0001F600", 4), 4);
	assert_int_equal(text_utf8_char("\u20ac", 2), 0);	/* cut short */
	assert_int_equal(text_utf8_char("\xe0\x80\x80", 3), 0);	/* overlong */
	assert_int_equal(text_utf8_char("\xed\xa0\x80", 3), 0);	/* surrogate */
	assert_int_equal(text_utf8_char("\xff", 1), 0);
	assert_int_equal(text_utf8_char("", 0), 0);
}

/* Is s[0..len) valid UTF-8 (for the cut tests)? */
static bool valid_n(const char *s, size_t len)
{
	char *c = strndup(s, len);
	bool ok = text_utf8_valid(c);

	free(c);
	return ok;
}

static void test_utf8_trim(void **state)
{
	(void)state;
	const char *s = "ab\u00e9\u6771\U0001F600";	/* 2 + 2 + 3 + 4 bytes */

	for (size_t len = 0; len <= strlen(s); len++) {
		size_t t = text_utf8_trim(s, len);

		assert_true(t <= len && len - t < 4);
		assert_true(valid_n(s, t));
	}
	assert_int_equal(text_utf8_trim(s, 3), 2);
	assert_int_equal(text_utf8_trim(s, 4), 4);
	assert_int_equal(text_utf8_trim(s, 6), 4);
	assert_int_equal(text_utf8_trim(s, 7), 7);
	assert_int_equal(text_utf8_trim(s, 10), 7);
	assert_int_equal(text_utf8_trim(s, 11), 11);
	assert_int_equal(text_utf8_trim("a\xff", 2), 2);	/* not UTF-8: kept */
}

/* A long multi-byte name into a small buffer ends on a whole character,
 * at every buffer size. */
static void test_printf_cut(void **state)
{
	(void)state;
	char name[400], buf[64];
	size_t len = 0;

	while (len + 3 < sizeof name) {
		memcpy(name + len, "\u6771", 3);	/* 3 bytes */
		len += 3;
	}
	name[len] = '\0';
	for (size_t n = 1; n <= sizeof buf; n++) {
		size_t w = text_printf(buf, n, "%s [demo]", name);

		assert_int_equal(w, strlen(buf));
		assert_true(w < n);
		assert_true(text_utf8_valid(buf));
		assert_true(n - 1 - w < 3);	/* cut no more than one character */
	}
	assert_int_equal(text_printf(buf, sizeof buf, "%s-%d", "x", 7), 3);
	assert_string_equal(buf, "x-7");
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printable_passes),
		cmocka_unit_test(test_null_and_len),
		cmocka_unit_test(test_c0_controls),
		cmocka_unit_test(test_injections),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_bidi_removed),
		cmocka_unit_test(test_invisible_removed),
		cmocka_unit_test(test_noncharacters),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_into_boundaries),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_fit_ascii),
		cmocka_unit_test(test_fit_wide),
		cmocka_unit_test(test_fit_small_dst),
		cmocka_unit_test(test_contains_ci),
		cmocka_unit_test(test_find_ci),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_utf8_repair),
		cmocka_unit_test(test_utf8_char),
		cmocka_unit_test(test_utf8_trim),
		cmocka_unit_test(test_printf_cut),
	};

	/* The width tests need a UTF-8 locale, as batchtop itself does. */
	if (!fx_utf8_locale())
		return 99;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
