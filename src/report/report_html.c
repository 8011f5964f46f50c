/*
 * report_html.c - the handoff report as one self-contained HTML page: an
 * inline style sheet, the SVG timeline (report_svg.c) and the tables; no
 * scripts and nothing fetched from anywhere (the Content-Security-Policy
 * says so to the browser too).  Every untrusted string goes through
 * report_put_html().
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/missed_report.h"
#include "report/report_svg.h"
#include "report/report_tables.h"
#include "report/report_text.h"
#include "report/report_writers.h"

static const char style[] =
	"body{font:14px/1.4 sans-serif;margin:1.5em;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0 1.5em}"
	"td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;"
	"vertical-align:top;max-width:40em;overflow-wrap:break-word}"
	"th{background:#eee}.bad{color:#b00;font-weight:bold}"
	"svg text{font:11px sans-serif;fill:#333}svg .tick{text-anchor:middle}"
	"svg .lane{fill:#f6f6f6}svg .grid{stroke:#ddd}"
	"svg .file{stroke:#36c;stroke-dasharray:3 3}"
	"svg .close{fill:#8a8}svg .close.failed{fill:#c33}"
	"svg .close.running{fill:#db3}svg .close.scheduled{fill:#bbb}"
	"svg .failure{fill:#900}svg .rerun{fill:#639}";

/* One <td> of a row. */
static void td(FILE *out, const struct rcell *c)
{
	char t[48];

	switch (c->kind) {
	case RC_TEXT:
		fputs("<td>", out);
		report_html_text(out, c->s && *c->s ? c->s : "-");
		break;
	case RC_ID:
		fputs("<td><code>", out);
		report_html_ident(out, c->s ? c->s : "-");
		fputs("</code>", out);
		break;
	case RC_TIME:
		fprintf(out, "<td>%s", report_time(t, sizeof t, c->v));
		break;
	case RC_NUM:
		fprintf(out, "<td>%lld", c->v);
		break;
	case RC_BAD:
		fputs("<td class=\"bad unreadable\">unreadable: ", out);
		report_html_text(out, c->s);
		break;
	}
	fputs("</td>", out);
}

/* A heading and the table's head row from "A|B|C". */
static void table(FILE *out, const char *h2, const char *cols)
{
	fprintf(out, "<h2>%s</h2>\n<table><tr><th>", h2);
	for (const char *p = cols; *p; p++)
		if (*p == '|')
			fputs("</th><th>", out);
		else
			fputc(*p, out);
	fputs("</th></tr>\n", out);
}

static void put_table(FILE *out, const struct night *n, const struct rtable *t)
{
	struct rcell c[RT_MAX_COLS];
	size_t rows = t->count(n), ncols = rtable_ncols(t);
	bool open;

	if (t->only_if_rows && !rows)
		return;
	table(out, t->title, t->cols);
	for (size_t i = 0; i < rows; i++) {
		if (!t->row(n, i, c, &open))
			continue;
		fprintf(out, "<tr class=\"%s%s\">", t->row_class,
			open ? " open" : "");
		for (size_t k = 0; k < ncols; k++)
			td(out, &c[k]);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void put_summary(FILE *out, const struct night *n)
{
	char a[48], b[48];
	int64_t end = night_wave_end(n);
	struct night_counts c;

	night_count(n, &c);
	fprintf(out, "<ul class=\"summary\"><li>Wave started: %s</li>"
		"<li>Wave ended: %s</li>"
		"<li>Closes: %zu, %zu failed, %zu missed their payment file, "
		"%zu still open</li><li>Reruns: %zu, %zu still pending or running"
		"</li><li>Holds: %zu, %zu still in force; notes: %zu</li></ul>\n",
		report_time(a, sizeof a, night_wave_start(n)),
		end == NIGHT_NO_TIME ? "not yet (closes still open)"
		: report_time(b, sizeof b, end), n->ncloses, night_failures(n),
		c.missed, c.open, n->nreruns, c.reruns_open, n->nholds, c.holds_open, n->nnotes);
}

static void put_missed(FILE *out, const struct night *n)
{
	struct missed_report r;

	night_missed(n, &r);
	table(out, "Missed the payment file", "Shard|Biller|Name|Missed|"
	      "Payment type/module");
	for (size_t i = 0; i < r.ngroups; i++) {
		const struct missed_group *g = &r.groups[i];

		char cnt[48];
		struct rcell c[] = {
			{ .kind = RC_TEXT, .s = g->shard_name },
			{ .kind = RC_ID, .s = g->biller_id },
			{ .kind = RC_TEXT, .s = g->label },
			{ .kind = RC_TEXT, .s = cnt },
		};

		snprintf(cnt, sizeof cnt, "%ld of %ld", g->missed, g->closes);
		fputs("<tr class=\"missed\">", out);
		for (size_t k = 0; k < sizeof c / sizeof c[0]; k++)
			td(out, &c[k]);
		fputs("<td>", out);
		for (size_t k = 0; k < g->nitems; k++) {
			fputs(k ? ", " : "", out);
			report_html_text(out, g->items[k].label);
		}
		fputs("</td></tr>\n", out);
	}
	fprintf(out, "</table>\n<p>%ld of %ld closes (demo billers not counted)"
		" missed their window.</p>\n", r.missed, r.closes);
	missed_report_free(&r);
}

static void put_audit(FILE *out, const struct night *n)
{
	if (*n->audit_error) {
		fprintf(out, "<h2>%s</h2>\n<p class=\"bad\">Not read: ",
			report_table_audit.title);
		report_html_text(out, n->audit_error);
		fputs("</p>\n", out);
		return;
	}
	put_table(out, n, &report_table_audit);
}

int report_write_html(const struct night *n, FILE *out)
{
	char t[48];
	size_t bad = night_unreadable(n);

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src"
	      " 'none'; style-src 'unsafe-inline'; img-src data:\">\n<title>"
	      "batchtop handoff report: ", out);
	report_html_text(out, *n->day ? n->day : "(no closes)");
	fprintf(out, "</title>\n<style>%s</style></head><body>\n", style);
	fputs("<h1>batchtop handoff report: night of ", out);
	report_html_text(out, *n->day ? n->day : "(no closes)");
	fprintf(out, "</h1>\n<p>Made %s.", report_time(t, sizeof t, n->generated));
	if (bad)
		fprintf(out, " <span class=\"bad\">%zu shard%s could not be read:"
			" this report is incomplete.</span>", bad, bad == 1 ? "" : "s");
	fputs("</p>\n", out);
	put_summary(out, n);
	report_svg(n, out);
	put_table(out, n, &report_table_shards);
	put_table(out, n, &report_table_open);
	put_table(out, n, &report_table_failures);
	put_missed(out, n);
	put_table(out, n, &report_table_reruns);
	put_table(out, n, &report_table_holds);
	put_table(out, n, &report_table_write_offs);
	put_table(out, n, &report_table_notes);
	put_audit(out, n);
	fputs("</body></html>\n", out);
	return ferror(out) ? -1 : 0;
}
