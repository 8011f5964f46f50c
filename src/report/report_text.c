/*
 * report_text.c - escaping for the report formats (see report_text.h).
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/night.h"
#include "core/text.h"
#include "core/xalloc.h"
#include "report/report_text.h"

char *report_text(const char *s, size_t max)
{
	char *clean = text_sanitize(s, (size_t)-1);
	size_t len = strlen(clean);

	if (len > max && max > 3) {
		len = text_utf8_trim(clean, max - 3);
		memcpy(clean + len, "...", 4);
	}
	return clean;
}

char *report_ident(const char *s)
{
	return text_escape(s ? s : "");
}

void report_put_html(FILE *out, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
}

void report_put_md(FILE *out, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		/* CommonMark lets any ASCII punctuation be escaped; these are
		 * the ones that can start or end markup inline or in a table
		 * cell.  The writers never start a line with untrusted text,
		 * so a leading - or 1. cannot make a list. */
		case '\\': case '`': case '*': case '_': case '[': case ']':
		case '(': case ')': case '#': case '|': case '~': case '!':
			fputc('\\', out);
			fputc(*s, out);
			break;
		default: fputc(*s, out);
		}
}

void report_html_text(FILE *out, const char *raw)
{
	char *t = report_text(raw, REPORT_TEXT_SHOWN);

	report_put_html(out, t);
	free(t);
}

void report_html_ident(FILE *out, const char *raw)
{
	char *t = report_ident(raw);

	report_put_html(out, t);
	free(t);
}

void report_md_text(FILE *out, const char *raw)
{
	char *t = report_text(raw, REPORT_TEXT_SHOWN);

	report_put_md(out, t);
	free(t);
}

void report_md_ident(FILE *out, const char *raw)
{
	char *t = report_ident(raw);

	report_put_md(out, t);
	free(t);
}

/* The UTC fields of ms; false for no time. */
static bool utc(int64_t ms, struct tm *tm)
{
	time_t t;

	if (ms == NIGHT_NO_TIME)	/* INT64_MIN: no arithmetic on it */
		return false;
	t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	return gmtime_r(&t, tm) != NULL;
}

char *report_time(char *buf, size_t n, int64_t ms)
{
	struct tm tm;

	if (!utc(ms, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%SZ", &tm))
		snprintf(buf, n, "-");
	return buf;
}

char *report_clock(char *buf, size_t n, int64_t ms)
{
	struct tm tm;

	if (!utc(ms, &tm) || !strftime(buf, n, "%H:%M:%S", &tm))
		snprintf(buf, n, "-");
	return buf;
}
