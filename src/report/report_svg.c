/*
 * report_svg.c - the HTML report's picture of the night: an inline SVG
 * timeline, one lane per shard.
 *
 * Every close is one bar (class "close") from its start (else its
 * schedule) to its finish (else the report while it runs, its deadline
 * while it has not started, its start when it failed), stacked on four
 * rows of its shard's lane; every failed close one dot ("failure") where
 * it ended; every rerun one triangle ("rerun") when it was asked; every
 * payment file one vertical line ("file") across the lanes.  Tests count the marks by class, so each
 * thing is exactly one element of its class.  Labels and tooltips
 * (<title>) are untrusted text, escaped like the rest of the page.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "report/report_svg.h"
#include "report/report_text.h"

#define SVG_W 1000
#define LEFT 130		/* the shard names */
#define RIGHT 40
#define TOP 28			/* the time axis */
#define LANE 44
#define MAX_FILES 2000		/* a compressed night's files, enough */

struct scale {
	int64_t from, to;
};

static double xof(const struct scale *s, int64_t t)
{
	double span = (double)(s->to > s->from ? s->to - s->from : 1);

	if (t < s->from)
		t = s->from;
	if (t > s->to)
		t = s->to;
	return LEFT + (double)(t - s->from) * (SVG_W - LEFT - RIGHT) / span;
}

/* A fixed class for the shard's status word: the word itself is text. */
static const char *status_class(const char *st)
{
	static const char *const known[] = { "closed", "failed", "running",
					     "scheduled", "held" };

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (st && !strcmp(st, known[i]))
			return known[i];
	return "other";
}

static void title(FILE *out, const char *a, const char *b, const char *c)
{
	fputs("<title>", out);
	report_html_text(out, a);
	fputs(" ", out);
	report_html_ident(out, b);
	fputs(" ", out);
	report_html_text(out, c);
	fputs("</title>", out);
}

static void put_axis(FILE *out, const struct scale *s, int height)
{
	char t[32];
	int64_t step = (s->to - s->from) / 6;

	for (int i = 0; i <= 6; i++) {
		int64_t at = s->from + step * i;
		double x = xof(s, at);

		fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\""
			" y2=\"%d\"/>", x, TOP - 4, x, height);
		fprintf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%d\">%s</text>\n",
			x, TOP - 10, report_clock(t, sizeof t, at));
	}
}

static void put_lanes(FILE *out, const struct night *n)
{
	for (size_t i = 0; i < n->nshards; i++) {
		int y = TOP + (int)i * LANE;

		fprintf(out, "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\""
			" height=\"%d\"/>", LEFT, y, SVG_W - LEFT - RIGHT, LANE - 4);
		fprintf(out, "<text class=\"shard\" x=\"4\" y=\"%d\">", y + LANE / 2);
		report_html_text(out, n->shards[i].name);
		fputs(n->shards[i].read ? "" : " (unreadable)", out);
		fputs("</text>\n", out);
	}
}

static void put_close(FILE *out, const struct night *n, const struct scale *s,
		      const struct night_close *c, size_t k)
{
	int64_t a = c->started != NIGHT_NO_TIME ? c->started : c->scheduled;
	int64_t b = c->finished;
	double x0, x1;
	int y = TOP + c->shard * LANE + 4 + (int)(k % 4) * 9;

	/* Not finished: a failed close stopped where it started (it is not
	 * running), a started one runs until now, one not started is due at
	 * its deadline. */
	if (b == NIGHT_NO_TIME && !strcmp(c->status, "failed"))
		b = a;
	else if (b == NIGHT_NO_TIME)
		b = c->started != NIGHT_NO_TIME || c->deadline == NIGHT_NO_TIME
			? n->generated : c->deadline;
	if (b == NIGHT_NO_TIME || b < a)
		b = a;
	x0 = xof(s, a);
	x1 = xof(s, b);
	fprintf(out, "<rect class=\"close %s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\""
		" height=\"7\">", status_class(c->status), x0, y,
		x1 - x0 < 2 ? 2.0 : x1 - x0);
	title(out, c->name, c->batch_id, c->status);
	fputs("</rect>\n", out);
}

static void put_failure(FILE *out, const struct scale *s,
			const struct night_close *c)
{
	int64_t t = c->finished != NIGHT_NO_TIME ? c->finished
		    : c->started != NIGHT_NO_TIME ? c->started : c->scheduled;

	fprintf(out, "<circle class=\"failure\" cx=\"%.1f\" cy=\"%d\" r=\"4\">",
		xof(s, t), TOP + c->shard * LANE + LANE - 10);
	title(out, c->name, c->batch_id, c->error_message ? c->error_message
					 : c->error_class);
	fputs("</circle>\n", out);
}

static void put_rerun(FILE *out, const struct scale *s,
		      const struct night_rerun *r)
{
	double x = xof(s, r->requested);
	int y = TOP + r->shard * LANE + LANE - 6;

	fprintf(out, "<polygon class=\"rerun\" points=\"%.1f,%d %.1f,%d %.1f,%d\">",
		x, y - 9, x - 5, y, x + 5, y);
	title(out, r->requested_by, r->target_id, r->status);
	fputs("</polygon>\n", out);
}

void report_svg(const struct night *n, FILE *out)
{
	struct scale s;
	int height = TOP + (int)(n->nshards ? n->nshards : 1) * LANE;
	int64_t *files = xcalloc(MAX_FILES, sizeof *files);
	size_t nfiles;

	night_span(n, &s.from, &s.to);
	if (s.from == NIGHT_NO_TIME)
		s.from = s.to = n->generated;
	if (s.to - s.from < 60000)
		s.to = s.from + 60000;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\""
		" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\""
		" aria-label=\"closes per shard over the night\">\n",
		SVG_W, height + 6, SVG_W, height + 6);
	put_lanes(out, n);
	put_axis(out, &s, height);
	nfiles = night_payment_files(n, s.from, s.to, files, MAX_FILES);
	if (nfiles > MAX_FILES)
		nfiles = MAX_FILES;
	for (size_t i = 0; i < nfiles; i++)
		fprintf(out, "<line class=\"file\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\""
			" y2=\"%d\"/>\n", xof(&s, files[i]), TOP - 4,
			xof(&s, files[i]), height);
	free(files);
	for (size_t i = 0; i < n->ncloses; i++)
		put_close(out, n, &s, &n->closes[i], i);
	for (size_t i = 0; i < n->ncloses; i++)
		if (!strcmp(n->closes[i].status, "failed"))
			put_failure(out, &s, &n->closes[i]);
	for (size_t i = 0; i < n->nreruns; i++)
		if (n->reruns[i].requested != NIGHT_NO_TIME)
			put_rerun(out, &s, &n->reruns[i]);
	fputs("</svg>\n", out);
}
