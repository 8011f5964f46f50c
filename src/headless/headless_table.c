/*
 * headless_table.c - `--once` for people: a header with the totals and the shards,
 * then one line per biller in risk order, its cells fitted to columns.
 */
#include "autoconf.h"

#include <stdio.h>

#include "app/app.h"
#include "headless/headless_table.h"
#include "headless/headless_words.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "core/view.h"

/* s fitted to w columns, then a space. */
static void cell(FILE *out, const char *s, int w, int right)
{
	char buf[1024];

	if (w > 250)
		w = 250;
	text_fit(buf, sizeof buf, s, w, right);
	fprintf(out, "%s ", buf);
}

static int widest(const struct app *app, int which, int min, int max)
{
	int w = min;

	for (size_t i = 0; i < app->view.nrows; i++) {
		const struct biller *b = view_row(&app->view, i)->b;
		int bw = which == 0 ? text_width(b->name) + (b->is_demo ? 7 : 0)
			 : which == 1 ? text_width(b->shard)
				      : text_width(b->timezone) + 1;

		if (bw > w)
			w = bw;
	}
	return w > max ? max : w;
}

static void table_header(const struct app *app, FILE *out)
{
	static const enum biller_status shown[] = {
		BS_FAILED, BS_LATE, BS_AT_RISK, BS_OTHER, BS_HELD, BS_RUNNING,
		BS_SCHEDULED, BS_CLOSED_LATE, BS_CLOSED,
	};
	const struct totals *t = &app->view.totals;
	char clock[16], left[16];
	int pm = headless_success_permille(t);

	if (app->now != BT_NO_TIME) {
		fmt_clock(clock, sizeof clock, app->now, 0);
		fmt_countdown(left, sizeof left,
			      next_payment_file_ms(app->now,
						   app->cfg->payment_file_minute,
						   app->cfg->payment_file_period));
		fprintf(out, "batchtop %s UTC (shards' clock); next payment file :%02d in %s\n",
			clock, app->cfg->payment_file_minute, left);
	} else {
		fprintf(out, "batchtop: no shard answered\n");
	}
	for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
		if ((shown[i] != BS_OTHER && shown[i] != BS_HELD) ||
		    t->by_status[shown[i]])
			fprintf(out, "%s %d  ", biller_status_label(shown[i]),
				t->by_status[shown[i]]);
	fprintf(out, "of %d billers (%d demo not counted)", t->billers, t->demo);
	if (pm >= 0)
		fprintf(out, "; success so far %d.%d%%", pm / 10, pm % 10);
	fprintf(out, "\n");
	for (size_t i = 0; i < app->npollers; i++) {
		const struct shard_health *h = &app->health[i];

		if (h->state == SHARD_OK)
			fprintf(out, "shard %s: ok, %zu billers, polled in %lld ms\n",
				app->cfg->shards[i].name,
				app->view.snaps[i] ? app->view.snaps[i]->nbillers : 0,
				(long long)h->poll_ms);
		else
			fprintf(out, "shard %s: %s%s%s\n", app->cfg->shards[i].name,
				headless_state_words(h->state), h->reason[0] ? ": " : "",
				h->reason);
	}
}

int headless_table_print(const struct app *app, FILE *out)
{
	int name_w = widest(app, 0, 6, 40), shard_w = widest(app, 1, 5, 20);
	int tz_w = widest(app, 2, 4, 24);
	char buf[320], t[16], lt[BATCH_LOCAL_SCHED_LEN];

	table_header(app, out);
	fputc('\n', out);
	cell(out, "STATUS", 11, 0);
	cell(out, "BILLER", name_w, 0);
	cell(out, "SHARD", shard_w, 0);
	cell(out, "ZONE", tz_w, 0);
	cell(out, "P", 1, 1);
	cell(out, "DONE", 5, 1);
	cell(out, "LOCAL", 5, 0);
	cell(out, "LEFT", 10, 1);
	cell(out, "TRY", 3, 1);
	cell(out, "ERROR", 17, 0);
	fprintf(out, "AP%%\n");
	for (size_t i = 0; i < app->view.nrows; i++) {
		const struct row *r = view_row(&app->view, i);
		const struct biller *b = r->b;
		int64_t ms = 0;
		int pct = biller_autopay_pct(b);

		/* The grid's own cells (view.h), fitted to this table. */
		cell(out, view_status_text(r), 11, 0);
		view_name_cell(buf, sizeof buf, b, true);	/* escapes the id */
		cell(out, buf, name_w, 0);
		cell(out, b->shard, shard_w, 0);
		view_zone_cell(buf, sizeof buf, b);
		cell(out, buf, tz_w, 0);
		view_priority_cell(buf, sizeof buf, b);
		cell(out, buf, 1, 1);
		view_done_cell(buf, sizeof buf, b);
		cell(out, buf, 5, 1);
		cell(out, r->ev.focus ? batch_local_sched(r->ev.focus, lt) : "",
		     5, 0);
		buf[0] = '\0';
		if (headless_late_by(r, app->now, &ms))
			snprintf(buf, sizeof buf, "late %s", fmt_countdown(t, sizeof t, ms));
		else if (headless_time_left(r, app->now, &ms))
			fmt_countdown(buf, sizeof buf, ms);
		cell(out, buf, 10, 1);
		view_attempts_cell(buf, sizeof buf, b);
		cell(out, buf, 3, 1);
		cell(out, b->last_error_class, 17, 0);
		if (pct >= 0)
			fprintf(out, "%d%%\n", pct);
		else
			fprintf(out, "-\n");
	}
	if (!app->view.nrows)
		fprintf(out, "(no billers)\n");
	return ferror(out) ? -1 : 0;
}
