/*
 * textwrap.c - wrapping and sideways scrolling of sanitized text (see
 * textwrap.h), measured with text_char_width().
 */
#include "autoconf.h"

#include "core/text.h"
#include "core/textwrap.h"

size_t textwrap_line(const char *s, int cols, int *width)
{
	size_t b = 0, brk = 0;
	int used = 0, brk_used = 0;

	if (cols < 1)
		cols = 1;
	while (s[b]) {
		int w;
		size_t len = text_char_width(s + b, &w);

		if (used + w > cols && b > 0)
			break;
		b += len;
		used += w;
		if (s[b - 1] == ' ') {
			brk = b;
			brk_used = used;
		}
	}
	if (s[b] && brk > 0) {		/* more follows: break at the space */
		b = brk;
		used = brk_used;
	}
	if (width)
		*width = used;
	return b;
}

const char *textwrap_skip(const char *s, int cols)
{
	int used = 0;

	while (*s && used < cols) {
		int w;

		s += text_char_width(s, &w);
		used += w;
	}
	return s;
}
