/*
 * headless_csv.c - `--once --format csv`: one line per biller, fields quoted here
 * (RFC 4180), lines ended with CRLF.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "headless/headless_csv.h"
#include "headless/headless_words.h"
#include "core/hold.h"
#include "core/text.h"
#include "core/timefmt.h"

void headless_csv_field(FILE *out, const char *s)
{
	bool quote = false;

	if (!s)
		s = "";
	/* A spreadsheet runs text that starts like a formula. */
	if (s[0] && strchr("=+-@\t\r", s[0]))
		quote = true;
	for (const char *p = s; *p && !quote; p++)
		if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
			quote = true;
	if (!quote) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (s[0] && strchr("=+-@\t\r", s[0]))
		fputc('\'', out);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

static const char *const csv_columns[] = {
	"shard", "biller_id", "name", "is_demo", "timezone", "priority",
	"status", "batches_closed", "batches_total", "local_scheduled",
	"deadline_at", "time_left_ms", "late_by_ms", "attempts_max",
	"last_error_class", "autopay_failed_pct", "held", "hold_id",
};
#define CSV_NCOLUMNS (sizeof csv_columns / sizeof csv_columns[0])

static void csv_int(FILE *out, bool known, int64_t v)
{
	if (known)
		fprintf(out, "%lld", (long long)v);
}

int headless_csv_print(const struct app *app, FILE *out)
{
	char buf[FMT_ISO_MAX], lt[BATCH_LOCAL_SCHED_LEN];

	for (size_t c = 0; c < CSV_NCOLUMNS; c++)
		fprintf(out, "%s%s", c ? "," : "", csv_columns[c]);
	fputs("\r\n", out);
	for (size_t i = 0; i < app->view.nrows; i++) {
		const struct row *r = view_row(&app->view, i);
		const struct biller *b = r->b;
		int64_t left = 0, late = 0;
		bool has_left = headless_time_left(r, app->now, &left);
		bool is_late = headless_late_by(r, app->now, &late);
		int pct = biller_autopay_pct(b);

		/* One field per column of csv_columns, in its order. */
		headless_csv_field(out, b->shard);
		fputc(',', out);
		{
			/* CSV cells are sanitized text; the id is raw. */
			char *id = text_sanitize(b->biller_id, (size_t)-1);

			headless_csv_field(out, id);
			free(id);
		}
		fputc(',', out);
		headless_csv_field(out, b->known ? b->name : "");
		fprintf(out, ",%s,", b->is_demo ? "true" : "false");
		headless_csv_field(out, b->timezone);
		fputc(',', out);
		csv_int(out, b->priority != BT_NO_INT, b->priority);
		fprintf(out, ",%s,%d,%zu,", headless_status_token(r->ev.status),
			b->n_closed, b->nbatches);
		headless_csv_field(out, r->ev.focus ?
				   batch_local_sched(r->ev.focus, lt) : "");
		fputc(',', out);
		if (headless_has_deadline(r))
			fputs(fmt_iso_ms(buf, sizeof buf, r->ev.focus->deadline_at), out);
		fputc(',', out);
		csv_int(out, has_left, left);
		fputc(',', out);
		csv_int(out, is_late, late);
		fputc(',', out);
		csv_int(out, b->attempts_max != BT_NO_INT, b->attempts_max);
		fputc(',', out);
		headless_csv_field(out, b->last_error_class);
		fputc(',', out);
		csv_int(out, pct >= 0, pct);
		fprintf(out, ",%s,", r->ev.status == BS_HELD ? "true" : "false");
		csv_int(out, r->ev.hold != NULL, r->ev.hold ? r->ev.hold->hold_id : 0);
		fputs("\r\n", out);
	}
	return ferror(out) ? -1 : 0;
}
