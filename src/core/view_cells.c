/*
 * view_cells.c - the text of the grid's and the headless table's cells
 * (view.h), apart from the building and sorting of the rows (view.c).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/timefmt.h"
#include "core/view.h"

long view_find(const struct view *v, int shard_index, const char *biller_id)
{
	if (!biller_id)
		return -1;
	for (size_t i = 0; i < v->nrows; i++)
		if (view_row(v, i)->b->shard_index == shard_index &&
		    !strcmp(view_row(v, i)->b->biller_id, biller_id))
			return (long)i;
	return -1;
}

size_t view_name_cell(char *buf, size_t n, const struct biller *b, bool demo_tag)
{
	char *id;
	size_t w;

	if (b->known)
		return text_printf(buf, n, "%s%s", b->name,
				   demo_tag && b->is_demo ? " [demo]" : "");
	id = text_escape(b->biller_id);
	w = text_printf(buf, n, "(no biller row) %s", id);
	free(id);
	return w;
}

size_t view_zone_cell(char *buf, size_t n, const struct biller *b)
{
	return text_printf(buf, n, "%s%s", b->tz_known ? "" : "?", b->timezone);
}

size_t view_priority_cell(char *buf, size_t n, const struct biller *b)
{
	if (b->priority == BT_NO_INT)
		return text_printf(buf, n, "?");
	if (b->priority >= 0 && b->priority <= 9)
		return text_printf(buf, n, "%d", b->priority);
	return text_printf(buf, n, "+");
}

size_t view_done_cell(char *buf, size_t n, const struct biller *b)
{
	if (!b->nbatches)
		return text_printf(buf, n, "%s", "");
	return text_printf(buf, n, "%d/%zu", b->n_closed, b->nbatches);
}

size_t view_attempts_cell(char *buf, size_t n, const struct biller *b)
{
	if (b->attempts_max == BT_NO_INT)
		return text_printf(buf, n, "%s", "");
	return text_printf(buf, n, "%d", b->attempts_max);
}

const char *view_status_text(const struct row *r)
{
	return r->ev.status == BS_OTHER && r->ev.focus
		       ? r->ev.focus->kind->status : biller_status_label(r->ev.status);
}

void view_choose_columns(const struct view_col *c, size_t n, int cols, int *width)
{
	int total = 0, extra, maxdrop = 0, maxgrow = 0;

	for (size_t i = 0; i < n; i++) {
		width[i] = c[i].shown ? c[i].min : 0;
		total += width[i] ? width[i] + 1 : 0;
		maxdrop = c[i].drop > maxdrop ? c[i].drop : maxdrop;
		maxgrow = c[i].grow > maxgrow ? c[i].grow : maxgrow;
	}
	for (int d = 1; total - 1 > cols && d <= maxdrop; d++)
		for (size_t i = 0; i < n; i++)
			if (c[i].drop == d && width[i]) {
				total -= width[i] + 1;
				width[i] = 0;
			}
	extra = cols - (total - 1);
	for (int gr = 1; gr <= maxgrow && extra > 0; gr++)
		for (size_t i = 0; i < n && extra > 0; i++) {
			int add = c[i].want - width[i];

			if (c[i].grow != gr || !width[i] || add <= 0)
				continue;
			add = add > extra ? extra : add;
			width[i] += add;
			extra -= add;
		}
}

/* Bytes of the first characters of s that fit in cols columns. */
static size_t fit_bytes(const char *s, int cols, int *used)
{
	size_t i = 0;
	int w = 0;

	while (s[i]) {
		int cw;
		size_t len = text_char_width(s + i, &cw);

		if (!len || w + cw > cols)
			break;
		w += cw;
		i += len;
	}
	*used = w;
	return i;
}

size_t view_cut_middle(char *buf, size_t n, const char *s, int cols)
{
	int used, cw;
	size_t head, tail;

	if (text_width(s) <= cols || cols < 3)
		return text_printf(buf, n, "%s", s);
	/* Half the start, an ellipsis, the rest from the end: the end tells
	 * names that share a start apart ("Granite Falls Water/Power"). */
	head = fit_bytes(s, (cols - 1) / 2, &used);
	tail = head;
	while (s[tail] && text_width(s + tail) > cols - 1 - used)
		tail += text_char_width(s + tail, &cw);
	return text_printf(buf, n, "%.*s\u2026%s", (int)head, s, s + tail);
}

/* The LEFT cell: the time to the focus batch's deadline, or how late. */
size_t view_left_cell(char *buf, size_t n, const struct row *r)
{
	char t[16];

	buf[0] = '\0';
	if (r->ev.focus && r->ev.focus->deadline_inf &&
	    r->ev.status != BS_CLOSED && r->ev.status != BS_NONE &&
	    r->ev.status != BS_HELD) {
		/* 'infinity': it never goes late; '-infinity': always late. */
		snprintf(buf, n, "%s", r->ev.focus->deadline_inf > 0 ? "never"
				       : "late \u221e");
		return strlen(buf);
	}
	if (!r->ev.focus || r->ev.focus->deadline_at == BT_NO_TIME)
		return strlen(buf);
	if (r->ev.status == BS_CLOSED || r->ev.status == BS_NONE ||
	    r->ev.status == BS_HELD)
		return strlen(buf);
	if (r->ev.status == BS_CLOSED_LATE || r->ev.time_left < 0)
		snprintf(buf, n, "late %s", fmt_countdown(t, sizeof t, r->ev.time_left));
	else
		fmt_countdown(buf, n, r->ev.time_left);
	return strlen(buf);
}

bool view_row_forecast(const struct view *v, const struct row *r, int64_t now,
		       struct forecast *f)
{
	const struct batch *t = r->ev.focus;

	f->source = FC_NONE;
	if (!t || r->ev.status == BS_FAILED || r->ev.status == BS_LATE ||
	    (t->state != BATCH_RUNNING && t->state != BATCH_SCHEDULED))
		return false;
	forecast_batch(view_history(v, (size_t)r->b->shard_index), r->b, t,
		       now, &v->fc, f);
	return f->source != FC_NONE && f->eta_p50 != BT_NO_TIME;
}

size_t view_eta_cell(char *buf, size_t n, const struct view *v,
		     const struct row *r, const struct forecast *f,
		     int64_t now, bool *miss)
{
	int64_t p50, p95;
	char a[16], b[16];

	buf[0] = '\0';
	if (miss)
		*miss = false;
	if (f->source == FC_NONE || f->eta_p50 == BT_NO_TIME)
		return 0;
	if (forecast_will_miss(f, r->ev.focus, &v->fc)) {
		if (miss)
			*miss = true;
		snprintf(buf, n, "will miss");
		return strlen(buf);
	}
	p50 = f->eta_p50 > now ? f->eta_p50 - now : 0;
	p95 = f->eta_p95 > now ? f->eta_p95 - now : 0;
	fmt_countdown(a, sizeof a, p50);
	/* The p95 too when it is a different answer: minutes later and a
	 * fifth as long again, or past the deadline the p50 makes. */
	if ((p95 - p50 > 2 * 60 * 1000 && p95 - p50 > p50 / 5) ||
	    (!r->ev.focus->deadline_inf && r->ev.focus->deadline_at != BT_NO_TIME &&
	     f->eta_p50 <= r->ev.focus->deadline_at &&
	     f->eta_p95 > r->ev.focus->deadline_at))
		snprintf(buf, n, "%s/%s", a, fmt_countdown(b, sizeof b, p95));
	else
		snprintf(buf, n, "%s", a);
	return strlen(buf);
}
