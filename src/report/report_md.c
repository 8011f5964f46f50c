/*
 * report_md.c - the handoff report as Markdown (GitHub's tables), for a
 * ticket or a chat.  Untrusted text only ever sits inside a table cell or
 * after a bold label, escaped by report_put_md(); nothing from a shard
 * starts a line.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/missed_report.h"
#include "report/report_writers.h"
#include "report/report_text.h"

/* "| a | b |" cells: text, an identifier, or a time. */
static void cell(FILE *out, const char *raw)
{
	fputs(" ", out);
	report_md_text(out, raw && *raw ? raw : "-");
	fputs(" |", out);
}

static void cell_id(FILE *out, const char *raw)
{
	fputs(" ", out);
	if (raw)
		report_md_ident(out, raw);
	else
		fputs("-", out);
	fputs(" |", out);
}

static void cell_time(FILE *out, int64_t ms)
{
	char t[48];

	fprintf(out, " %s |", report_time(t, sizeof t, ms));
}

static void header(FILE *out, const char *cols)
{
	int n = 0;

	fprintf(out, "\n| %s |\n|", cols);
	for (const char *p = cols; *p; p++)
		n += *p == '|';
	for (int i = 0; i <= n; i++)
		fputs(" --- |", out);
	fputs("\n", out);
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

static void put_shards(FILE *out, const struct night *n)
{
	fputs("\n## Shards\n", out);
	header(out, "Shard | Read | Business day | Notes and holds");
	for (size_t i = 0; i < n->nshards; i++) {
		const struct night_shard *s = &n->shards[i];

		fputs("|", out);
		cell(out, s->name);
		if (s->read)
			fputs(" yes |", out);
		else {
			fputs(" **UNREADABLE:** ", out);
			report_md_text(out, s->error);
			fputs(" |", out);
		}
		cell(out, s->day);
		fprintf(out, " %s |\n", !s->read ? "-"
			: s->has_notes || s->has_holds ? "contract v3"
			: "contract v2: no holds/notes");
	}
}

static void put_close_row(FILE *out, const struct night *n,
			  const struct night_close *c)
{
	char att[16];

	fputs("|", out);
	cell(out, night_shard_name(n, c->shard));
	cell_id(out, c->biller_id);
	cell(out, c->name);
	cell_id(out, c->batch_id);
	cell(out, c->status);
	cell_time(out, c->scheduled);
	cell_time(out, c->finished);
	snprintf(att, sizeof att, "%d", c->attempts);
	cell(out, att);
	cell(out, c->error_class);
	cell(out, c->error_message);
	fputs("\n", out);
}

#define CLOSE_COLS "Shard | Biller | Name | Batch | Status | Scheduled | " \
	"Finished | Attempts | Error | Message"

static void put_failures(FILE *out, const struct night *n)
{
	fputs("\n## Failures\n", out);
	header(out, CLOSE_COLS);
	for (size_t i = 0; i < n->ncloses; i++) {
		const struct night_close *c = &n->closes[i];

		if (!strcmp(c->status, "failed") || c->error_class || c->error_message)
			put_close_row(out, n, c);
	}
}

static void put_missed(FILE *out, const struct night *n)
{
	struct missed_report r;
	char cnt[48];

	night_missed(n, &r);
	fprintf(out, "\n## Missed the payment file\n\n%ld of %ld closes "
		"(demo billers not counted) missed their window.\n",
		r.missed, r.closes);
	header(out, "Shard | Biller | Name | Missed | Payment type/module");
	for (size_t i = 0; i < r.ngroups; i++) {
		const struct missed_group *g = &r.groups[i];

		fputs("|", out);
		cell(out, g->shard_name);
		cell_id(out, g->biller_id);
		cell(out, g->label);
		snprintf(cnt, sizeof cnt, "%ld of %ld", g->missed, g->closes);
		cell(out, cnt);
		fputs(" ", out);
		for (size_t k = 0; k < g->nitems; k++) {
			fputs(k ? ", " : "", out);
			report_md_text(out, g->items[k].label);
		}
		fputs(" |\n", out);
	}
	missed_report_free(&r);
}

static void put_reruns(FILE *out, const struct night *n)
{
	char id[32];

	fputs("\n## Reruns\n", out);
	header(out, "Shard | Request | Kind | Target | Asked by | Asked at | "
	       "Status | Finished | Result | Reason");
	for (size_t i = 0; i < n->nreruns; i++) {
		const struct night_rerun *r = &n->reruns[i];

		fputs("|", out);
		cell(out, night_shard_name(n, r->shard));
		snprintf(id, sizeof id, "%lld", r->request_id);
		cell(out, id);
		cell(out, r->kind);
		cell_id(out, r->target_id);
		cell(out, r->requested_by);
		cell_time(out, r->requested);
		cell(out, r->status);
		cell_time(out, r->finished);
		cell(out, r->result);
		cell(out, r->reason);
		fputs("\n", out);
	}
}

static void put_holds(FILE *out, const struct night *n)
{
	char id[32];

	fputs("\n## Holds\n", out);
	header(out, "Shard | Hold | Biller | Kind | Days | Reason | Placed by | "
	       "Placed | Ended");
	for (size_t i = 0; i < n->nholds; i++) {
		const struct night_hold *h = &n->holds[i];
		char days[64], t[48];

		fputs("|", out);
		cell(out, night_shard_name(n, h->shard));
		snprintf(id, sizeof id, "%lld", h->hold_id);
		cell(out, id);
		cell_id(out, h->biller_id ? h->biller_id : "(every biller)");
		cell(out, h->kind);
		snprintf(days, sizeof days, "%.16s..%.16s",
			 h->day_from ? h->day_from : "", h->day_to ? h->day_to : "");
		cell(out, days);
		cell(out, h->reason);
		cell(out, h->placed_by);
		cell_time(out, h->placed);
		if (h->ended == NIGHT_NO_TIME) {
			fputs(" in force |\n", out);
			continue;
		}
		fprintf(out, " %s ", report_time(t, sizeof t, h->ended));
		report_md_text(out, h->ended_how);
		fputs(" ", out);
		report_md_text(out, h->ended_by);
		fputs(" |\n", out);
	}
}

static void put_write_offs(FILE *out, const struct night *n)
{
	char id[32];

	if (!n->nwrite_offs)
		return;
	fputs("\n## Written off\n", out);
	header(out, "Shard | Invoice | Biller | Hold | Reason | Written by | When");
	for (size_t i = 0; i < n->nwrite_offs; i++) {
		const struct night_write_off *w = &n->write_offs[i];

		fputs("|", out);
		cell(out, night_shard_name(n, w->shard));
		cell_id(out, w->invoice_id);
		cell_id(out, w->biller_id);
		snprintf(id, sizeof id, "%lld", w->hold_id);
		cell(out, id);
		cell(out, w->reason);
		cell(out, w->written_by);
		cell_time(out, w->written);
		fputs("\n", out);
	}
}

static void put_notes(FILE *out, const struct night *n)
{
	fputs("\n## Notes\n", out);
	header(out, "Shard | Time | Biller | Batch | Kind | Author | Text");
	for (size_t i = 0; i < n->nnotes; i++) {
		const struct night_note *x = &n->notes[i];

		fputs("|", out);
		cell(out, night_shard_name(n, x->shard));
		cell_time(out, x->created);
		cell_id(out, x->biller_id);
		cell_id(out, x->batch_id);
		cell(out, x->kind);
		cell(out, x->author);
		cell(out, x->body);
		fputs("\n", out);
	}
}

static void put_open(FILE *out, const struct night *n)
{
	fputs("\n## Still open\n", out);
	header(out, CLOSE_COLS);
	for (size_t i = 0; i < n->ncloses; i++)
		if (night_close_open(&n->closes[i]))
			put_close_row(out, n, &n->closes[i]);
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

static void put_audit(FILE *out, const struct night *n)
{
	fputs("\n## Audit trail (this machine)\n", out);
	if (*n->audit_error) {
		fputs("\n**Not read:** ", out);
		report_md_text(out, n->audit_error);
		fputs("\n", out);
		return;
	}
	header(out, "Time | Who | Event | Shard | Kind | Target | Outcome | Detail");
	for (size_t i = 0; i < n->naudit; i++) {
		const struct night_audit *a = &n->audit[i];

		fputs("|", out);
		cell_time(out, a->time);
		cell(out, a->user);
		cell(out, a->event);
		cell(out, a->shard);
		cell(out, a->kind);
		cell_id(out, a->target);
		cell(out, a->outcome);
		cell(out, a->detail && *a->detail ? a->detail : a->reason);
		fputs("\n", out);
	}
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
	put_shards(out, n);
	put_open(out, n);
	put_failures(out, n);
	put_missed(out, n);
	put_reruns(out, n);
	put_holds(out, n);
	put_write_offs(out, n);
	put_notes(out, n);
	put_audit(out, n);
	return ferror(out) ? -1 : 0;
}
