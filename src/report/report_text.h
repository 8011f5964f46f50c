/*
 * report_text.h - untrusted strings made safe for each report format.
 *
 * Every string from a shard or the audit trail goes through one of these
 * on its way out.  Text is sanitized (core/text.h: no controls, valid
 * UTF-8) and cut; an identifier is spelled out instead (text_escape), so
 * two ids that differ only in an invisible character stay two.  Then the
 * format's own escaping: HTML (also inside SVG) turns & < > " ' into
 * references; Markdown turns & < > into references (no HTML gets through)
 * and puts a backslash before every character Markdown could read as
 * markup (pipes that would end a table cell, backticks, a leading #...).
 */
#ifndef BT_REPORT_TEXT_H
#define BT_REPORT_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* How much of a text the Markdown and HTML reports show. */
#define REPORT_TEXT_SHOWN 600

/* A sanitized copy of s (NULL: ""), cut to at most max bytes at a
 * character boundary with "..." after a cut.  The caller frees. */
char *report_text(const char *s, size_t max);
/* An identifier spelled out (text_escape; NULL: "").  The caller frees. */
char *report_ident(const char *s);

/* Print clean text (from the two above) escaped for HTML / Markdown. */
void report_put_html(FILE *out, const char *clean);
void report_put_md(FILE *out, const char *clean);

/* The same in one step from raw text (cut to REPORT_TEXT_SHOWN) or a raw
 * identifier. */
void report_html_text(FILE *out, const char *raw);
void report_html_ident(FILE *out, const char *raw);
void report_md_text(FILE *out, const char *raw);
void report_md_ident(FILE *out, const char *raw);

/* "2026-11-21 23:05:00Z" of epoch ms, or "-" for no time. */
char *report_time(char *buf, size_t n, int64_t ms);
/* "23:05:00" of epoch ms (UTC), or "-". */
char *report_clock(char *buf, size_t n, int64_t ms);

#endif
