/*
 * xalloc.h - allocation that cannot fail, and the fatal path.
 *
 * x*() either return memory or call fatal(), which runs the registered
 * cleanup (restoring the terminal) before it prints and exits.  Code that
 * can live with a failed allocation uses plain malloc() and checks.
 */
#ifndef BT_XALLOC_H
#define BT_XALLOC_H

#include <stddef.h>

/* Exit codes shared by every part of batchtop (see batchtop(1)). */
enum bt_exit {
	BT_EXIT_OK = 0,
	BT_EXIT_SOFTWARE = 70,	/* an internal error: a bug */
	BT_EXIT_USAGE = 64,	/* bad command line */
	BT_EXIT_CONFIG = 78,	/* bad configuration or keymap */
	BT_EXIT_NOTTY = 65,	/* interactive mode without a usable terminal */
	BT_EXIT_NOINPUT = 66,	/* batchtop audit: the audit trail cannot be read */
};

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called once by fatal() before it writes anything (restores the terminal). */
void fatal_set_cleanup(void (*fn)(void));
/* Print "batchtop: <message>" to stderr after cleanup, exit BT_EXIT_SOFTWARE. */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
