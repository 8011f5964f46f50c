/*
 * fuzz_text.c - libFuzzer target for the text sanitizer and width helpers.
 *
 * Arbitrary bytes go through text_sanitize(); the result must be valid
 * UTF-8 free of every character the sanitizer promises to drop, must not
 * change when sanitized again, and bounded copies must be the longest
 * prefix that fits without splitting a character.  text_width() and
 * text_fit() then run on the result (and on the raw bytes, which must not
 * crash them) and the fitted text must fill exactly the asked columns.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

/* Strictly decode one UTF-8 character; returns its length, 0 if invalid. */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2, c = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		len = 3, c = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		len = 4, c = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
		return 0;
	*cp = c;
	return len;
}

static int forbidden(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) ||
	       c == 0x061C || (c >= 0x200B && c <= 0x200F) ||
	       (c >= 0x202A && c <= 0x202E) || c == 0x2060 ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF ||
	       (c >= 0xFFF9 && c <= 0xFFFB) || c == 0x2028 || c == 0x2029 ||
	       (c & 0xFFFE) == 0xFFFE;
}

/* Valid UTF-8 with nothing forbidden; returns the character count. */
static size_t check_clean(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, chars = 0;

	CHECK(strlen(s) == len);
	while (i < len) {
		uint32_t c;
		size_t n = utf8_decode(p + i, len - i, &c);

		CHECK(n > 0);
		CHECK(!forbidden(c));
		i += n;
		chars++;
	}
	return chars;
}

/* Length of the character that starts at s (valid UTF-8). */
static size_t char_len(const char *s)
{
	uint32_t c;

	return utf8_decode((const unsigned char *)s, strlen(s), &c);
}

static void check_into(const char *data, size_t size, const char *full,
		       size_t fulllen, size_t dstsz)
{
	/* Exactly dstsz bytes, so ASan catches a write past the end. */
	char *dst = malloc(dstsz ? dstsz : 1);
	size_t n;

	CHECK(dst != NULL);
	n = text_sanitize_into(dst, dstsz, data, size);
	if (dstsz == 0) {
		CHECK(n == 0);
	} else {
		CHECK(n < dstsz);
		CHECK(strlen(dst) == n);
		CHECK(n <= fulllen && memcmp(dst, full, n) == 0);
		/* The next character would not have fitted. */
		if (n < fulllen)
			CHECK(n + char_len(full + n) > dstsz - 1);
	}
	free(dst);
}

static void check_fit(const char *s, int cols, int right, int exact)
{
	size_t dstsz = (size_t)(cols > 0 ? cols : 0) * 4 + 1;
	char *dst = malloc(dstsz);
	size_t n;
	int w = text_width(s);

	CHECK(dst != NULL);
	n = text_fit(dst, dstsz, s, cols, right);
	CHECK(n < dstsz);
	CHECK(strlen(dst) == n);
	if (cols <= 0) {
		CHECK(n == 0);
	} else if (exact) {
		size_t slen = strlen(s);

		CHECK(text_width(dst) == cols);
		if (w <= cols && slen <= n) {
			/* Fitted untouched, or cut for bytes with a "~". */
			if (right)
				CHECK(memcmp(dst + n - slen, s, slen) == 0 ||
				      dst[n - 1] == '~');
			else
				CHECK(memcmp(dst, s, slen) == 0 ||
				      dst[n - 1] == '~');
		} else {
			CHECK(dst[n - 1] == '~');
		}
	}
	free(dst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	const char *in = (const char *)data;
	char *clean, *again, *raw;
	size_t len, sizes[6], i;
	int w, cols[6];

	if (!init) {
		if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
			abort();
		init = 1;
	}

	clean = text_sanitize(in, size);
	len = strlen(clean);
	i = check_clean(clean, len);
	CHECK(len <= 3 * size);

	again = text_sanitize(clean, (size_t)-1);
	CHECK(strcmp(again, clean) == 0);
	free(again);

	sizes[0] = 0;
	sizes[1] = 1;
	sizes[2] = 2;
	sizes[3] = 3;
	sizes[4] = size > 0 ? data[0] % 64 : 4;
	sizes[5] = len + 1;
	for (i = 0; i < 6; i++)
		check_into(in, size, clean, len, sizes[i]);

	w = text_width(clean);
	CHECK(w >= 0 && (size_t)w <= 2 * len);
	cols[0] = 0;
	cols[1] = 1;
	cols[2] = w > 0 ? w - 1 : -1;
	cols[3] = w;
	cols[4] = w + 1;
	cols[5] = size > 1 ? data[1] % 40 : 2;
	for (i = 0; i < 6; i++) {
		check_fit(clean, cols[i], 0, 1);
		check_fit(clean, cols[i], 1, 1);
	}

	CHECK(text_contains_ci(clean, ""));
	CHECK(text_contains_ci(clean, clean));
	if (len > 0) {
		size_t half = len / 2;

		while (half > 0 && ((unsigned char)clean[half] & 0xC0) == 0x80)
			half--;
		CHECK(text_contains_ci(clean, clean + half));
	}
	free(clean);

	/* Unsanitized text must not crash the width helpers either. */
	raw = malloc(size + 1);
	CHECK(raw != NULL);
	memcpy(raw, data, size);
	raw[size] = '\0';
	(void)text_width(raw);
	for (i = 0; i < 6; i++)
		check_fit(raw, cols[i], (int)(i & 1), 0);
	(void)text_contains_ci(raw, raw + size / 2);
	free(raw);
	return 0;
}
