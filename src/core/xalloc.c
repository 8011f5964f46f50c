/*
 * xalloc.c - allocation that cannot fail, and the one fatal path.
 *
 * Running out of memory in a dashboard is not something to limp through:
 * fatal() restores the terminal through the registered cleanup, says what
 * happened on stderr and exits.  The cleanup runs at most once.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

static void (*cleanup_fn)(void);

void fatal_set_cleanup(void (*fn)(void))
{
	cleanup_fn = fn;
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	void (*fn)(void) = cleanup_fn;

	cleanup_fn = NULL;
	if (fn)
		fn();
	fputs("batchtop: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(BT_EXIT_SOFTWARE);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		fatal("out of memory (%zu x %zu bytes)", nmemb, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		fatal("out of memory (%zu bytes)", n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = xmalloc(len + 1);

	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;
	char probe[1];

	/* A one-byte buffer, not NULL: gcc -O1 warns on the NULL form. */
	va_start(ap, fmt);
	n = vsnprintf(probe, sizeof probe, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("bad format string \"%s\"", fmt);
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}
