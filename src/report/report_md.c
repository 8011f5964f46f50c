/*
 * report_md.c - the handoff report as Markdown (GitHub's tables), for a
 * ticket or a chat.  Untrusted text only ever sits inside a table cell or
 * after a bold label, escaped by report_put_md(); nothing from a shard
 * starts a line.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/missed_report.h"
#include "report/report_tables.h"
#include "report/report_text.h"
#include "report/report_writers.h"

/* One cell of a "| a | b |" row. */
static void cell(FILE *out, const struct rcell *c)
{
	char t[48];

	fputs(" ", out);
	switch (c->kind) {
	case RC_TEXT:
		report_md_text(out, c->s && *c->s ? c->s : "-");
		break;
	case RC_ID:
		if (c->s)
			report_md_ident(out, c->s);
		else
			fputs("-", out);
		break;
	case RC_TIME:
		fputs(report_time(t, sizeof t, c->v), out);
		break;
	case RC_NUM:
		fprintf(out, "%lld", c->v);
		break;
	case RC_BAD:
		fputs("**UNREADABLE:** ", out);
		report_md_text(out, c->s);
		break;
	}
	fputs(" |", out);
}

/* The head row and its rule, from "A|B|C". */
static void head_row(FILE *out, const char *cols)
{
	fputs("\n| ", out);
	for (const char *p = cols; *p; p++)
		if (*p == '|')
			fputs(" | ", out);
		else
			fputc(*p, out);
	fputs(" |\n|", out);
	for (const char *p = cols; ; p++) {
		if (*p == '|' || !*p)
			fputs(" --- |", out);
		if (!*p)
			break;
	}
	fputs("\n", out);
}

static void put_table(FILE *out, const struct night *n, const struct rtable *t)
{
	struct rcell c[RT_MAX_COLS];
	size_t rows = t->count(n), ncols = rtable_ncols(t);
	bool open;

	if (t->only_if_rows && !rows)
		return;
	fprintf(out, "\n## %s\n", t->title);
	head_row(out, t->cols);
	for (size_t i = 0; i < rows; i++) {
		if (!t->row(n, i, c, &open))
			continue;
		fputs("|", out);
		for (size_t k = 0; k < ncols; k++)
			cell(out, &c[k]);
		fputs("\n", out);
	}
}

static void put_summary(FILE *out, const struct night *n)
{
	char a[48], b[48];
	int64_t end = night_wave_end(n);
	struct night_counts c;

	night_count(n, &c);
	fprintf(out, "- **Wave started:** %s\n",
		report_time(a, sizeof a, night_wave_start(n)));
	fprintf(out, "- **Wave ended:** %s\n", end == NIGHT_NO_TIME
		? "not yet (closes still open)" : report_time(b, sizeof b, end));
	fprintf(out, "- **Closes:** %zu, %zu failed, %zu missed their payment "
		"file, %zu still open\n", n->ncloses, night_failures(n), c.missed, c.open);
	fprintf(out, "- **Reruns:** %zu, %zu still pending or running\n",
		n->nreruns, c.reruns_open);
	fprintf(out, "- **Holds:** %zu, %zu still in force; **notes:** %zu\n",
		n->nholds, c.holds_open, n->nnotes);
}

/* After the table of open closes, what else is not finished. */
static void put_open_rest(FILE *out, const struct night *n)
{
	for (size_t i = 0; i < n->nreruns; i++) {
		const struct night_rerun *r = &n->reruns[i];

		if (!night_rerun_open(r))
			continue;
		fprintf(out, "\n- **Rerun %lld:** shard ", r->request_id);
		report_md_text(out, night_shard_name(n, r->shard));
		fputs(", ", out);
		report_md_ident(out, r->target_id);
		fputs(" ", out);
		report_md_text(out, r->status);
		fputs("\n", out);
	}
	for (size_t i = 0; i < n->nholds; i++)
		if (night_hold_open(&n->holds[i])) {
			fprintf(out, "\n- **Hold %lld in force:** ", n->holds[i].hold_id);
			report_md_text(out, n->holds[i].reason);
			fputs("\n", out);
		}
}

static void put_missed(FILE *out, const struct night *n)
{
	struct missed_report r;
	struct rcell c[4];

	night_missed(n, &r);
	fprintf(out, "\n## Missed the payment file\n\n%ld of %ld closes "
		"(demo billers not counted) missed their window.\n",
		r.missed, r.closes);
	head_row(out, "Shard|Biller|Name|Missed|Payment type/module");
	for (size_t i = 0; i < r.ngroups; i++) {
		const struct missed_group *g = &r.groups[i];
		char cnt[48];

		snprintf(cnt, sizeof cnt, "%ld of %ld", g->missed, g->closes);
		c[0] = (struct rcell){ .kind = RC_TEXT, .s = g->shard_name };
		c[1] = (struct rcell){ .kind = RC_ID, .s = g->biller_id };
		c[2] = (struct rcell){ .kind = RC_TEXT, .s = g->label };
		c[3] = (struct rcell){ .kind = RC_TEXT, .s = cnt };
		fputs("|", out);
		for (size_t k = 0; k < 4; k++)
			cell(out, &c[k]);
		fputs(" ", out);
		for (size_t k = 0; k < g->nitems; k++) {
			fputs(k ? ", " : "", out);
			report_md_text(out, g->items[k].label);
		}
		fputs(" |\n", out);
	}
	missed_report_free(&r);
}

static void put_audit(FILE *out, const struct night *n)
{
	if (*n->audit_error) {
		fprintf(out, "\n## %s\n\n**Not read:** ", report_table_audit.title);
		report_md_text(out, n->audit_error);
		fputs("\n", out);
		return;
	}
	put_table(out, n, &report_table_audit);
}

int report_write_md(const struct night *n, FILE *out)
{
	char t[48];

	fputs("# batchtop handoff report: night of ", out);
	report_md_text(out, *n->day ? n->day : "(no closes)");
	fprintf(out, "\n\nMade %s.", report_time(t, sizeof t, n->generated));
	if (night_unreadable(n))
		fprintf(out, "  **%zu shard%s could not be read: this report is "
			"incomplete.**", night_unreadable(n),
			night_unreadable(n) == 1 ? "" : "s");
	fputs("\n\n", out);
	put_summary(out, n);
	put_table(out, n, &report_table_shards);
	put_table(out, n, &report_table_open);
	put_open_rest(out, n);
	put_table(out, n, &report_table_failures);
	put_missed(out, n);
	put_table(out, n, &report_table_reruns);
	put_table(out, n, &report_table_holds);
	put_table(out, n, &report_table_write_offs);
	put_table(out, n, &report_table_notes);
	put_audit(out, n);
	return ferror(out) ? -1 : 0;
}
