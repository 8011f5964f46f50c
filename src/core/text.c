/*
 * text.c - the sanitizer for untrusted text, and display-width helpers.
 *
 * Data flow: pollers call text_sanitize() on every string from a shard,
 * New Relic or libpq and store the result; the UI thread later measures and
 * fits that sanitized text with text_width() and text_fit() while drawing.
 *
 * The sanitizer is a strict UTF-8 decoder that turns the input into a list
 * of output units, one per input character: the character's own bytes, one
 * space (for TAB), U+FFFD, or nothing (for invisible format characters).
 * It does not depend on the locale, so pollers may call it from any thread.
 *
 * Invalid input becomes one U+FFFD per maximal invalid subsequence, as the
 * Unicode standard recommends: a lead byte followed by the continuation
 * bytes that could still have begun a valid character is one U+FFFD; every
 * other bad byte (0x80-0xC1, 0xF5-0xFF, a stray continuation) is one U+FFFD.
 * So an overlong "\xc0\xaf" gives two, a surrogate "\xed\xa0\x80" gives
 * three, and "\xe6\x97" cut short at the end gives one.
 *
 * Bidi controls and zero-width format characters are removed rather than
 * replaced: they draw nothing in a well-behaved terminal, so removing them
 * keeps the visible text as it was meant to be seen.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* wcwidth() */
#endif

#include "core/text.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/xalloc.h"

static const char replacement[] = "\xEF\xBF\xBD";	/* U+FFFD */

/* What a decoded code point becomes in the output. */
enum cp_fate {
	CP_KEEP,
	CP_REPLACE,
	CP_REMOVE,
};

static enum cp_fate cp_classify(uint32_t cp)
{
	if (cp >= 0x80 && cp <= 0x9F)			/* C1 controls */
		return CP_REPLACE;
	if (cp == 0x2028 || cp == 0x2029)		/* line/paragraph sep. */
		return CP_REPLACE;
	if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
		return CP_REPLACE;			/* noncharacters */
	if (cp == 0x00AD ||				/* soft hyphen */
	    cp == 0x061C ||				/* Arabic letter mark */
	    cp == 0x180E ||				/* Mongolian vowel sep. */
	    (cp >= 0x200B && cp <= 0x200F) ||		/* ZWSP..RLM */
	    (cp >= 0x202A && cp <= 0x202E) ||		/* LRE..RLO */
	    (cp >= 0x2060 && cp <= 0x2064) ||		/* word joiner, invisible ops */
	    (cp >= 0x2066 && cp <= 0x206F) ||		/* LRI..PDI, deprecated */
	    cp == 0xFEFF ||				/* BOM / ZWNBSP */
	    (cp >= 0xFFF9 && cp <= 0xFFFB) ||		/* interlinear annotation */
	    (cp >= 0xE0000 && cp <= 0xE007F))		/* tag characters */
		return CP_REMOVE;
	return CP_KEEP;
}

#define CP_INVALID UINT32_MAX

/*
 * Decode the next character of p[0..n) (n >= 1): returns how many bytes it
 * takes (at least 1) and sets *cp, CP_INVALID for a maximal invalid
 * subsequence (see the top of this file).
 */
static size_t decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char b = p[0];
	unsigned char lo = 0x80, hi = 0xBF;	/* range of the 2nd byte */
	size_t need, i;
	uint32_t c;

	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b >= 0xC2 && b <= 0xDF) {
		need = 2;
		c = b & 0x1F;
	} else if (b >= 0xE0 && b <= 0xEF) {
		need = 3;
		c = b & 0x0F;
		if (b == 0xE0)
			lo = 0xA0;		/* no overlongs */
		else if (b == 0xED)
			hi = 0x9F;		/* no surrogates */
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 4;
		c = b & 0x07;
		if (b == 0xF0)
			lo = 0x90;		/* no overlongs */
		else if (b == 0xF4)
			hi = 0x8F;		/* nothing above U+10FFFF */
	} else {
		*cp = CP_INVALID;		/* 0x80-0xC1, 0xF5-0xFF */
		return 1;
	}
	for (i = 1; i < need && i < n; i++) {
		unsigned char x = p[i];

		if (i == 1 ? (x < lo || x > hi) : (x & 0xC0) != 0x80)
			break;
		c = c << 6 | (x & 0x3F);
	}
	if (i < need) {				/* truncated or broken */
		*cp = CP_INVALID;
		return i;
	}
	*cp = c;
	return need;
}

/*
 * Decode the next input character of p[0..n) (n >= 1).  Sets *out and *outlen
 * to the bytes that replace it (*outlen may be 0) and returns how many
 * input bytes it used (at least 1).
 */
static size_t next_unit(const unsigned char *p, size_t n,
			const char **out, size_t *outlen)
{
	uint32_t cp;
	size_t used = decode(p, n, &cp);

	*out = replacement;
	*outlen = 3;
	if (cp == CP_INVALID)
		return used;
	if (cp < 0x80) {
		if (cp == '\t') {
			*out = " ";
			*outlen = 1;
		} else if (cp >= 0x20 && cp != 0x7F) {
			*out = (const char *)p;
			*outlen = 1;
		}
		return used;
	}
	switch (cp_classify(cp)) {
	case CP_REPLACE:
		break;
	case CP_REMOVE:
		*out = "";
		*outlen = 0;
		break;
	case CP_KEEP:
		*out = (const char *)p;
		*outlen = used;
		break;
	}
	return used;
}

size_t text_sanitize_into(char *dst, size_t dstsz, const char *src, size_t len)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t w = 0;

	if (dstsz == 0)
		return 0;
	if (src == NULL)
		len = 0;
	else if (len == (size_t)-1)
		len = strlen(src);

	while (len > 0) {
		const char *out;
		size_t outlen;
		size_t used = next_unit(p, len, &out, &outlen);

		/* Stop at the first unit that does not fit: skipping it and
		 * writing a shorter later one would drop text silently. */
		if (outlen > dstsz - 1 - w)
			break;
		memcpy(dst + w, out, outlen);
		w += outlen;
		p += used;
		len -= used;
	}
	dst[w] = '\0';
	return w;
}

size_t text_sanitized_len(const char *src, size_t len)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t total = 0, n;

	if (src == NULL)
		len = 0;
	else if (len == (size_t)-1)
		len = strlen(src);

	for (n = len; n > 0;) {
		const char *out;
		size_t outlen;
		size_t used = next_unit(p, n, &out, &outlen);

		total += outlen;	/* at most 3 * len: cannot wrap */
		p += used;
		n -= used;
	}
	return total;
}

char *text_sanitize(const char *src, size_t len)
{
	size_t total;
	char *dst;

	if (src == NULL)
		len = 0;
	else if (len == (size_t)-1)
		len = strlen(src);
	total = text_sanitized_len(src, len);
	dst = xmalloc(total + 1);
	text_sanitize_into(dst, total + 1, src, len);
	return dst;
}

/*
 * Measure the character at s (s[0] != '\0'): returns its length in bytes
 * and sets *cols.  Undecodable bytes (text that skipped the sanitizer, or a
 * locale that is not UTF-8) count as one column for the whole sequence,
 * like the U+FFFD the sanitizer would have put there.
 */
static size_t char_measure(const char *s, int *cols)
{
	unsigned char b = (unsigned char)s[0];
	mbstate_t st;
	wchar_t wc;
	size_t len;
	int w;

	if (b >= 0x20 && b < 0x7F) {		/* the common case */
		*cols = 1;
		return 1;
	}
	/* strnlen: mbrtowc must not look past the terminating NUL. */
	memset(&st, 0, sizeof st);
	len = mbrtowc(&wc, s, strnlen(s, MB_CUR_MAX), &st);
	if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
		/* Skip the lead byte and its continuation bytes. */
		len = 1;
		if (b >= 0xC0)
			while (len < 4 && ((unsigned char)s[len] & 0xC0) == 0x80)
				len++;
		*cols = 1;
		return len;
	}
	w = wcwidth(wc);
	*cols = w < 0 ? 1 : w;
	return len;
}

size_t text_char_width(const char *s, int *cols)
{
	return char_measure(s, cols);
}

int text_width(const char *s)
{
	int total = 0;

	if (s == NULL)
		return 0;
	while (*s != '\0') {
		int w;

		s += char_measure(s, &w);
		if (total > INT_MAX - w)
			return INT_MAX;
		total += w;
	}
	return total;
}

size_t text_fit(char *dst, size_t dstsz, const char *s, int cols, int right)
{
	size_t budget, b = 0, cut_b = 0, pad, w = 0;
	int used = 0, cut_used = 0;
	bool cut = false;

	if (dstsz == 0)
		return 0;
	budget = dstsz - 1;
	if (cols <= 0 || budget == 0) {
		dst[0] = '\0';
		return 0;
	}
	if ((size_t)cols > budget)
		cols = (int)budget;	/* dst too small: as many as fit */
	if (s == NULL)
		s = "";

	/*
	 * One pass finds both where the whole string ends (if it fits) and
	 * where a cut version must end to leave one column for the "~".
	 * Padding is ASCII, so a byte count of content + missing columns
	 * tells whether the result fits in dst.
	 */
	while (s[b] != '\0') {
		int cw;
		size_t len = char_measure(s + b, &cw);

		if (cw > cols - used ||
		    b + len + (size_t)(cols - used - cw) > budget) {
			cut = true;
			break;
		}
		used += cw;
		b += len;
		if (used <= cols - 1) {
			cut_b = b;
			cut_used = used;
		}
	}
	if (cut) {
		b = cut_b;
		used = cut_used + 1;	/* the "~" */
	}

	pad = (size_t)(cols - used);
	if (right) {
		memset(dst, ' ', pad);
		w = pad;
	}
	memcpy(dst + w, s, b);
	w += b;
	if (!right) {
		memset(dst + w, ' ', pad);
		w += pad;
	}
	if (cut)
		dst[w++] = '~';
	dst[w] = '\0';
	return w;
}

/*
 * Read the next unit to compare from p, folded: an ASCII letter lowered,
 * and a two-byte U+0080-U+00FF character as one unit with U+00C0-U+00DE
 * (but not U+00D7) folded to U+00E0-U+00FE.  Any other byte is its own
 * unit, which is enough for an exact match of the rest.
 */
static unsigned fold_next(const unsigned char **pp)
{
	const unsigned char *p = *pp;

	if (p[0] >= 'A' && p[0] <= 'Z') {
		*pp = p + 1;
		return p[0] + ('a' - 'A');
	}
	if ((p[0] == 0xC2 || p[0] == 0xC3) && (p[1] & 0xC0) == 0x80) {
		unsigned cp = (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);

		if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
			cp += 0x20;
		*pp = p + 2;
		return 0x100 | cp;	/* distinct from any single byte */
	}
	*pp = p + 1;
	return p[0];
}

/* Does hay, from h on, begin with needle (folded)?  The end of the match
 * in hay, or NULL. */
static const unsigned char *match_at(const unsigned char *h,
				     const unsigned char *n)
{
	while (*n != '\0') {
		if (*h == '\0' || fold_next(&h) != fold_next(&n))
			return NULL;
	}
	return h;
}

const char *text_find_ci(const char *hay, const char *needle, size_t *len)
{
	const unsigned char *h = (const unsigned char *)hay, *end;

	if (hay == NULL || needle == NULL || needle[0] == '\0')
		return NULL;
	for (; *h != '\0'; h++) {
		if ((*h & 0xC0) == 0x80)	/* not a character start */
			continue;
		if ((end = match_at(h, (const unsigned char *)needle))) {
			if (len)
				*len = (size_t)(end - h);
			return (const char *)h;
		}
	}
	return NULL;
}

bool text_contains_ci(const char *hay, const char *needle)
{
	if (needle == NULL || needle[0] == '\0')
		return true;
	return text_find_ci(hay, needle, NULL) != NULL;
}

/* --- identifiers: shown so that look-alikes differ ------------------------ */

/* Does the next character of p[0..n) come out of the sanitizer as it went
 * in?  *used gets its length. */
static bool unit_is_plain(const unsigned char *p, size_t n, size_t *used)
{
	const char *out;
	size_t outlen;

	*used = next_unit(p, n, &out, &outlen);
	return outlen == *used && out == (const char *)p;
}

bool text_needs_escape(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = s ? strlen(s) : 0;

	while (n > 0) {
		size_t used;

		if (!unit_is_plain(p, n, &used))
			return true;
		p += used;
		n -= used;
	}
	return false;
}

char *text_escape(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = s ? strlen(s) : 0;
	/* The worst case is "<0xFF>" (6 bytes) for every input byte. */
	char *dst = xmalloc(n * 6 + 1), *w = dst;

	while (n > 0) {
		size_t used;
		uint32_t cp;

		if (unit_is_plain(p, n, &used)) {
			memcpy(w, p, used);
			w += used;
		} else if (decode(p, n, &cp), cp != CP_INVALID) {
			w += sprintf(w, "<U+%04X>", (unsigned)cp);
		} else {
			for (size_t i = 0; i < used; i++)
				w += sprintf(w, "<0x%02X>", p[i]);
		}
		p += used;
		n -= used;
	}
	*w = '\0';
	return dst;
}

size_t text_utf8_char(const char *s, size_t n)
{
	uint32_t cp;
	size_t used;

	if (n == 0)
		return 0;
	used = decode((const unsigned char *)s, n, &cp);
	return cp == CP_INVALID ? 0 : used;
}

bool text_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = s ? strlen(s) : 0;

	while (n > 0) {
		uint32_t cp;
		size_t used = decode(p, n, &cp);

		if (cp == CP_INVALID)
			return false;
		p += used;
		n -= used;
	}
	return true;
}

char *text_utf8_repair(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = s ? strlen(s) : 0;
	char *dst = xmalloc(n * 3 + 1), *w = dst;

	while (n > 0) {
		uint32_t cp;
		size_t used = decode(p, n, &cp);

		if (cp == CP_INVALID) {
			memcpy(w, replacement, 3);
			w += 3;
		} else {
			memcpy(w, p, used);
			w += used;
		}
		p += used;
		n -= used;
	}
	*w = '\0';
	return dst;
}

/* --- formatting into fixed buffers ---------------------------------------- */

size_t text_utf8_trim(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = len, need;

	/* The last byte that is not a continuation byte, within 4. */
	while (i > 0 && len - i < 4 && (p[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0 || p[i - 1] < 0xC2 || p[i - 1] > 0xF4)
		return len;	/* ends with ASCII, or no lead byte near */
	i--;
	need = p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : 2;
	return len - i < need ? i : len;
}

size_t text_printf(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;
	size_t len;

	if (n == 0)
		return 0;
	va_start(ap, fmt);
	r = vsnprintf(dst, n, fmt, ap);
	va_end(ap);
	if (r < 0) {
		dst[0] = '\0';
		return 0;
	}
	if ((size_t)r < n)
		return (size_t)r;
	/* Cut: dst holds n - 1 bytes, perhaps ending inside a character. */
	len = text_utf8_trim(dst, n - 1);
	dst[len] = '\0';
	return len;
}
