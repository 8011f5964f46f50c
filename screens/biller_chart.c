/*
 * biller_chart.c - a batch's recent durations as a sparkline (see
 * biller_chart.h): "last 14 closes ▂▃▅▂▇▃▄█▃▂▁▃▄▅ ▸▆ 12m so far (full: the
 * 45m window)".  The scale is the window, not the longest close, so a
 * full cell means the close missed and half a cell means half the window;
 * tonight's close is the last cell, after a marker, so it stands apart
 * from the history it is compared with.
 */
#include "autoconf.h"

#include <stdio.h>

#include "core/forecast.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "screens/biller_chart.h"
#include "ui/draw.h"
#include "ui/spark.h"

#define DEFAULT_WINDOW_MS (45 * 60 * 1000LL)

/* How long t has run (running) or took (finished tonight); -1 when it
 * has not started or the times are unknown. */
static int64_t current_ms(const struct batch *t, int64_t now)
{
	if (t->started_at == BT_NO_TIME)
		return -1;
	if (t->state == BATCH_RUNNING)
		return now != BT_NO_TIME && now > t->started_at ? now - t->started_at : 0;
	if (t->finished_at != BT_NO_TIME && t->finished_at >= t->started_at)
		return t->finished_at - t->started_at;
	return -1;
}

bool biller_chart_words(char *buf, size_t n, const struct app *app,
			const struct biller *b, const struct batch *t)
{
	const struct fc_history *h = view_history(&app->view, (size_t)b->shard_index);
	fc_ms ms[BILLER_CHART_CLOSES];
	double v[BILLER_CHART_CLOSES];
	char line[BILLER_CHART_CLOSES * 4 + 8], mark[8], cur[16], win[16];
	size_t have, k = 0;
	int64_t window = DEFAULT_WINDOW_MS, c;
	bool utf8 = draw_utf8();

	buf[0] = '\0';
	if (!h || batch_is_bad(t))
		return false;
	have = fc_history_recent(h, b->biller_id, t->kind->payment_type, ms,
				 BILLER_CHART_CLOSES);
	if (!have)
		return false;
	if (!t->deadline_inf && t->deadline_at != BT_NO_TIME && t->scheduled_at != BT_NO_TIME &&
	    t->deadline_at > t->scheduled_at)
		window = t->deadline_at - t->scheduled_at;
	for (size_t i = 0; i < have; i++)
		v[k++] = (double)ms[i];
	spark_line(line, sizeof line, v, k, BILLER_CHART_CLOSES, (double)window, utf8);
	c = current_ms(t, app->now);
	fmt_age(win, sizeof win, window);
	if (c < 0) {
		text_printf(buf, n, "last %zu close%s %s  %s not started (full: the %s window)",
			    k, k == 1 ? "" : "s", line, utf8 ? "\u25b8" : ">", win);
		return true;
	}
	snprintf(mark, sizeof mark, "%s", spark_glyph(spark_level((double)c, (double)window), utf8));
	fmt_age(cur, sizeof cur, c);
	text_printf(buf, n, "last %zu close%s %s  %s%s %s %s (full: the %s window)",
		    k, k == 1 ? "" : "s", line, utf8 ? "\u25b8" : ">", mark, cur,
		    t->state == BATCH_RUNNING ? "so far" : "tonight", win);
	return true;
}
