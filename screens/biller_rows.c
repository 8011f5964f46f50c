/*
 * biller_rows.c - the detail's batch lines (see biller_rows.h): the
 * cells of one batch of tonight in the columns under the headings, and
 * the paint of its status.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "screens/biller_rows.h"
#include "core/hold.h"
#include "data/history.h"
#include "core/note.h"
#include "core/text.h"
#include "core/timefmt.h"

void biller_hhmm(char *buf, size_t n, int64_t t, int off)
{
	char c[16];

	if (t == BT_NO_TIME) {
		snprintf(buf, n, "-");
		return;
	}
	fmt_clock(c, sizeof c, t, off);
	snprintf(buf, n, "%.5s", c);
}

static void batch_left(char *buf, size_t n, const struct batch *t, int64_t now)
{
	char c[16];

	buf[0] = '\0';
	if (t->state == BATCH_HELD)
		return;		/* it waits for its release, not a deadline */
	if (t->deadline_inf && t->state != BATCH_CLOSED) {
		snprintf(buf, n, "%s", t->deadline_inf > 0 ? "never" : "late \u221e");
		return;
	}
	if (t->deadline_at == BT_NO_TIME)
		return;
	if (t->state == BATCH_CLOSED) {
		if (t->finished_at != BT_NO_TIME && t->finished_at > t->deadline_at)
			snprintf(buf, n, "late %s", fmt_countdown(c, sizeof c,
				 t->finished_at - t->deadline_at));
		else
			snprintf(buf, n, "in time");
	} else if (now != BT_NO_TIME) {
		int64_t d = t->deadline_at - now;

		if (d >= 0)
			fmt_countdown(buf, n, d);
		else
			snprintf(buf, n, "late %s", fmt_countdown(c, sizeof c, -d));
	}
}

/* Is t past its deadline at now?  'infinity' never is, '-infinity' always. */
static bool past_deadline(const struct batch *t, int64_t now)
{
	if (t->deadline_inf)
		return t->deadline_inf < 0;
	return now != BT_NO_TIME && t->deadline_at != BT_NO_TIME &&
	       now > t->deadline_at;
}

enum paint biller_batch_paint(const struct batch *t, int64_t now)
{
	switch (t->state) {
	case BATCH_FAILED: return PAINT_FAILED;
	case BATCH_RUNNING:
		return past_deadline(t, now) ? PAINT_LATE : PAINT_RUNNING;
	case BATCH_CLOSED:
		return t->finished_at != BT_NO_TIME && t->deadline_at != BT_NO_TIME &&
			       t->finished_at > t->deadline_at
			       ? PAINT_CLOSED_LATE : PAINT_CLOSED;
	case BATCH_SCHEDULED:
		return past_deadline(t, now) ? PAINT_LATE : PAINT_NORMAL;
	case BATCH_HELD:
		return PAINT_HELD;
	case BATCH_OTHER:
		break;
	}
	return PAINT_WARN;
}

/* Batch columns: type, module, sched, due, start, end, status, try, left,
 * then the error class takes the rest. */
static const int bw[] = { 6, 9, 5, 5, 5, 5, 9, 3, 10 };
#define NBW (sizeof bw / sizeof bw[0])

void biller_batch_row(char *buf, size_t n, const struct batch *t, int off,
		      int64_t now)
{
	char sched[8], due[8], start[8], end[8], left[24], att[16];
	const char *cells[NBW + 1];
	size_t used = 0;

	biller_hhmm(sched, sizeof sched, t->scheduled_at, off);
	if (t->deadline_inf)
		snprintf(due, sizeof due, "%s", t->deadline_inf > 0 ? "\u221e"
					       : "-\u221e");
	else
		biller_hhmm(due, sizeof due, t->deadline_at, off);
	biller_hhmm(start, sizeof start, t->started_at, off);
	biller_hhmm(end, sizeof end, t->finished_at, off);
	batch_left(left, sizeof left, t, now);
	if (t->attempts == BT_NO_INT)
		snprintf(att, sizeof att, "?");
	else
		snprintf(att, sizeof att, "%d", t->attempts);
	cells[0] = t->kind->payment_type;
	cells[1] = t->kind->module;
	cells[2] = sched;
	cells[3] = due;
	cells[4] = start;
	cells[5] = end;
	cells[6] = t->kind->status;
	cells[7] = att;
	cells[8] = left;
	cells[9] = t->kind->error_class;
	buf[0] = '\0';
	for (size_t c = 0; c < NBW + 1 && used + 1 < n; c++) {
		char fit[256];

		if (c < NBW)
			text_fit(fit, sizeof fit, cells[c], bw[c], c == 7);
		else
			text_printf(fit, sizeof fit, "%s", cells[c]);
		used += text_printf(buf + used, n - used, "%s%s", c ? " " : "", fit);
	}
}

/* Why a batch has no forecast, for the fixed rule's line. */
static const char *no_forecast_why(const struct app *app, int shard)
{
	const char *err = history_error(app->history, (size_t)shard);

	if (!view_history(&app->view, (size_t)shard))
		return !app->history ? "no close history in this mode"
		       : err && *err ? "the close history could not be read"
				     : "the close history has not been read yet";
	return "too few closes of this biller, its module or billers its size";
}

bool biller_forecast_words(char *buf, size_t n, const struct app *app,
			   const struct biller *b, const struct batch *t,
			   int off, enum paint *paint)
{
	const struct forecast_opts *o = &app->view.fc;
	struct forecast f;
	char e50[8], e95[8];
	int pct;

	buf[0] = '\0';
	*paint = PAINT_DIM;
	if (batch_is_bad(t) || app->now == BT_NO_TIME ||
	    (t->state != BATCH_RUNNING && t->state != BATCH_SCHEDULED))
		return false;
	forecast_batch(view_history(&app->view, (size_t)b->shard_index), b, t,
		       app->now, o, &f);
	if (f.source == FC_NONE || f.p_miss < 0) {
		text_printf(buf, n, "fixed rule: at risk past %d%% of its window%s "
			    "(%s)", app->cfg->at_risk_pct,
			    t->state == BATCH_RUNNING ? "" : " once it runs",
			    f.source == FC_NONE ? no_forecast_why(app, b->shard_index)
						: "no deadline to forecast against");
		return true;
	}
	biller_hhmm(e50, sizeof e50, f.eta_p50, off);
	biller_hhmm(e95, sizeof e95, f.eta_p95, off);
	pct = (int)(f.p_miss * 100 + 0.5);
	text_printf(buf, n, "forecast from %zu closes (%s%s%s): ends %s (p95 %s), "
		    "%d%% to miss: %s%s", f.closes, fc_source_words(f.source),
		    f.tail_wider ? ", scaled to this biller's: it has run "
				   "longer than nearly all of its own" : "",
		    f.beyond ? "; it has run longer than all of them" : "",
		    e50, e95, pct,
		    forecast_will_miss(&f, t, o) ? "WILL MISS"
		    : forecast_at_risk(&f, o) ? "AT RISK" : "on track",
		    f.stale ? "; the history is stale" : "");
	*paint = forecast_will_miss(&f, t, o) ? PAINT_LATE
		 : forecast_at_risk(&f, o) ? PAINT_AT_RISK : PAINT_DIM;
	return true;
}

void biller_rows_headings(int y)
{
	static const char *const titles[] = {
		"TYPE", "MODULE", "SCHED", "DUE", "START", "END", "STATUS", "TRY",
		"LEFT", "ERROR",
	};
	int x = 0;

	move(y, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	for (size_t c = 0; c < NBW + 1 && x < COLS; c++) {
		int w = c < NBW ? bw[c] : COLS - x;

		draw_text(y, x, w, titles[c],
			  draw_attr(PAINT_HEADER), c == 7);
		x += w + 1;
	}
	attrset(A_NORMAL);
}


/* "any" for a hold's NULL selection field, else the field. */
static const char *any(const char *s)
{
	return s ? s : "any";
}

void biller_hold_line(char *buf, size_t n, const struct hold *h, int off,
		      int64_t now)
{
	char at[8], exp[8], age[16], days[32];

	biller_hhmm(at, sizeof at, h->placed_at, off);
	biller_hhmm(exp, sizeof exp, h->expires_at, off);
	age[0] = '\0';
	if (h->placed_at != BT_NO_TIME && now != BT_NO_TIME && now >= h->placed_at)
		fmt_countdown(age, sizeof age, now - h->placed_at);
	if (h->day_from || h->day_to)
		snprintf(days, sizeof days, " days %s..%s",
			 h->day_from ? h->day_from : "", h->day_to ? h->day_to : "");
	else
		days[0] = '\0';
	text_printf(buf, n, "  HELD by %s since %s%s%s%s (hold %lld: %s %s/%s%s%s%s): %s; %s%s",
		    h->placed_by[0] ? h->placed_by : "?", at,
		    age[0] ? " (" : "", age, age[0] ? " ago)" : "",
		    (long long)h->hold_id, h->kind_text, any(h->payment_type),
		    any(h->module), days, h->biller_id ? "" : ", every biller",
		    "", h->reason,
		    hold_due(h, now) ? "DUE FOR RELEASE (expired " :
		    h->expires_at != BT_NO_TIME ? "expires " : "no expiry",
		    h->expires_at != BT_NO_TIME ? exp : "");
	if (hold_due(h, now))
		text_printf(buf + strlen(buf), n - strlen(buf), ")");
}

/* --- notes (contract v3) -------------------------------------------------- */

void biller_note_line(char *buf, size_t n, const struct note *x, int off)
{
	char at[16];

	biller_hhmm(at, sizeof at, x->created_at, off);
	/* The kind as the shard wrote it, so an unknown one shows as it is;
	 * author and body were sanitized when parsed; the batch id is a raw
	 * key, text_printf sanitizes it for the screen. */
	text_printf(buf, n, "  %s %-12s %s%s%s%s%s%s", at, x->kind_text,
		    x->author, x->batch_id ? " on " : "",
		    x->batch_id ? x->batch_id : "",
		    x->kind == NOTE_ACK ? (x->open ? " (standing)" : " (ended)")
					: "",
		    x->body[0] ? ": " : "", x->body);
}
