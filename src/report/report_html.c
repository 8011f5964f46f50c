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
#include <string.h>

#include "core/missed_report.h"
#include "report/report_svg.h"
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

static void td(FILE *out, const char *raw)
{
	fputs("<td>", out);
	report_html_text(out, raw && *raw ? raw : "-");
	fputs("</td>", out);
}

static void td_id(FILE *out, const char *raw)
{
	fputs("<td><code>", out);
	report_html_ident(out, raw ? raw : "-");
	fputs("</code></td>", out);
}

static void td_time(FILE *out, int64_t ms)
{
	char t[48];

	fprintf(out, "<td>%s</td>", report_time(t, sizeof t, ms));
}

static void td_num(FILE *out, long long v)
{
	fprintf(out, "<td>%lld</td>", v);
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

static void put_shards(FILE *out, const struct night *n)
{
	table(out, "Shards", "Shard|Read|Business day|Notes and holds");
	for (size_t i = 0; i < n->nshards; i++) {
		const struct night_shard *s = &n->shards[i];

		fputs("<tr class=\"shard\">", out);
		td(out, s->name);
		if (s->read) {
			fputs("<td>yes</td>", out);
		} else {
			fputs("<td class=\"bad unreadable\">unreadable: ", out);
			report_html_text(out, s->error);
			fputs("</td>", out);
		}
		td(out, s->day);
		fprintf(out, "<td>%s</td></tr>\n", !s->read ? "-"
			: s->has_notes || s->has_holds ? "contract v3"
			: "contract v2: no holds/notes");
	}
	fputs("</table>\n", out);
}

#define CLOSE_COLS "Shard|Biller|Name|Batch|Status|Scheduled|Finished|" \
	"Attempts|Error|Message"

static void put_close_row(FILE *out, const struct night *n,
			  const struct night_close *c, const char *cls)
{
	fprintf(out, "<tr class=\"%s\">", cls);
	td(out, night_shard_name(n, c->shard));
	td_id(out, c->biller_id);
	td(out, c->name);
	td_id(out, c->batch_id);
	td(out, c->status);
	td_time(out, c->scheduled);
	td_time(out, c->finished);
	td_num(out, c->attempts);
	td(out, c->error_class);
	td(out, c->error_message);
	fputs("</tr>\n", out);
}

static void put_closes(FILE *out, const struct night *n)
{
	table(out, "Still open", CLOSE_COLS);
	for (size_t i = 0; i < n->ncloses; i++)
		if (night_close_open(&n->closes[i]))
			put_close_row(out, n, &n->closes[i], "open");
	fputs("</table>\n", out);
	table(out, "Failures", CLOSE_COLS);
	for (size_t i = 0; i < n->ncloses; i++) {
		const struct night_close *c = &n->closes[i];

		if (!strcmp(c->status, "failed") || c->error_class || c->error_message)
			put_close_row(out, n, c, "failure");
	}
	fputs("</table>\n", out);
}

static void put_missed(FILE *out, const struct night *n)
{
	struct missed_report r;

	night_missed(n, &r);
	table(out, "Missed the payment file", "Shard|Biller|Name|Missed|"
	      "Payment type/module");
	for (size_t i = 0; i < r.ngroups; i++) {
		const struct missed_group *g = &r.groups[i];

		fputs("<tr class=\"missed\">", out);
		td(out, g->shard_name);
		td_id(out, g->biller_id);
		td(out, g->label);
		fprintf(out, "<td>%ld of %ld</td><td>", g->missed, g->closes);
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

static void put_reruns(FILE *out, const struct night *n)
{
	table(out, "Reruns", "Shard|Request|Kind|Target|Asked by|Asked at|"
	      "Status|Finished|Result|Reason");
	for (size_t i = 0; i < n->nreruns; i++) {
		const struct night_rerun *r = &n->reruns[i];

		fprintf(out, "<tr class=\"rerun%s\">",
			night_rerun_open(r) ? " open" : "");
		td(out, night_shard_name(n, r->shard));
		td_num(out, r->request_id);
		td(out, r->kind);
		td_id(out, r->target_id);
		td(out, r->requested_by);
		td_time(out, r->requested);
		td(out, r->status);
		td_time(out, r->finished);
		td(out, r->result);
		td(out, r->reason);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void put_holds_notes(FILE *out, const struct night *n)
{
	table(out, "Holds", "Shard|Hold|Biller|Kind|From|To|Reason|Placed by|"
	      "Placed|Ended|How|By");
	for (size_t i = 0; i < n->nholds; i++) {
		const struct night_hold *h = &n->holds[i];

		fprintf(out, "<tr class=\"hold%s\">", night_hold_open(h) ? " open" : "");
		td(out, night_shard_name(n, h->shard));
		td_num(out, h->hold_id);
		td_id(out, h->biller_id ? h->biller_id : "(every biller)");
		td(out, h->kind);
		td(out, h->day_from);
		td(out, h->day_to);
		td(out, h->reason);
		td(out, h->placed_by);
		td_time(out, h->placed);
		td_time(out, h->ended);
		td(out, h->ended_how);
		td(out, h->ended_by);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
	if (n->nwrite_offs) {
		table(out, "Written off", "Shard|Invoice|Biller|Hold|Reason|"
		      "Written by|When");
		for (size_t i = 0; i < n->nwrite_offs; i++) {
			const struct night_write_off *w = &n->write_offs[i];

			fputs("<tr class=\"write-off\">", out);
			td(out, night_shard_name(n, w->shard));
			td_id(out, w->invoice_id);
			td_id(out, w->biller_id);
			td_num(out, w->hold_id);
			td(out, w->reason);
			td(out, w->written_by);
			td_time(out, w->written);
			fputs("</tr>\n", out);
		}
		fputs("</table>\n", out);
	}
	table(out, "Notes", "Shard|Time|Biller|Batch|Kind|Author|Text");
	for (size_t i = 0; i < n->nnotes; i++) {
		const struct night_note *x = &n->notes[i];

		fputs("<tr class=\"note\">", out);
		td(out, night_shard_name(n, x->shard));
		td_time(out, x->created);
		td_id(out, x->biller_id);
		td_id(out, x->batch_id);
		td(out, x->kind);
		td(out, x->author);
		td(out, x->body);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void put_audit(FILE *out, const struct night *n)
{
	if (*n->audit_error) {
		fputs("<h2>Audit trail (this machine)</h2>\n<p class=\"bad\">"
		      "Not read: ", out);
		report_html_text(out, n->audit_error);
		fputs("</p>\n", out);
		return;
	}
	table(out, "Audit trail (this machine)", "Time|Who|Event|Shard|Kind|"
	      "Target|Outcome|Detail");
	for (size_t i = 0; i < n->naudit; i++) {
		const struct night_audit *a = &n->audit[i];

		fputs("<tr class=\"audit\">", out);
		td_time(out, a->time);
		td(out, a->user);
		td(out, a->event);
		td(out, a->shard);
		td(out, a->kind);
		td_id(out, a->target);
		td(out, a->outcome);
		td(out, a->detail && *a->detail ? a->detail : a->reason);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
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
	put_shards(out, n);
	put_closes(out, n);
	put_missed(out, n);
	put_reruns(out, n);
	put_holds_notes(out, n);
	put_audit(out, n);
	fputs("</body></html>\n", out);
	return ferror(out) ? -1 : 0;
}
