/*
 * log.c - diagnostics on stderr, the pacing clock and checked allocation.
 */
#include "sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool verbose;

void sim_set_verbose(bool on)
{
	verbose = on;
}

static void vsay(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static void vsay(const char *fmt, va_list ap)
{
	fputs("batchtop-sim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void sim_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

void sim_debug(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

double sim_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double sim_window_seconds(const struct sim_config *cfg)
{
	return 45.0 * 60.0 / cfg->speed;
}

double sim_file_offset(const struct sim_config *cfg)
{
	return cfg->file_period * 45.0 / 60.0;
}

static void out_of_memory(size_t n)
{
	fprintf(stderr, "batchtop-sim: out of memory (%zu bytes)\n", n);
	exit(1);
}

void *sim_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory(n);
	return p;
}

void *sim_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		out_of_memory(n);
	return q;
}

char *sim_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(sim_xmalloc(n), s, n);
}

char *sim_xasprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory(0);
	s = sim_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

const char *sim_format_seconds(double seconds)
{
	static char bufs[2][32];
	static int which;
	char *b = bufs[which ^= 1];
	long s;

	if (seconds < 0)
		seconds = 0;
	if (seconds < 60) {
		snprintf(b, sizeof bufs[0], "%.1fs", seconds);
		return b;
	}
	s = (long)(seconds + 0.5);
	if (s < 3600)
		snprintf(b, sizeof bufs[0], "%ldm %02lds", s / 60, s % 60);
	else
		snprintf(b, sizeof bufs[0], "%ldh %02ldm", s / 3600, (s % 3600) / 60);
	return b;
}
