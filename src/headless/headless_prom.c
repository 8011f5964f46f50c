/*
 * headless_prom.c - the collected snapshot as Prometheus metrics.
 *
 * One pass over the view's rows fills a struct prom_shard per configured
 * shard (billers by status, batches by the status text the shard sent,
 * autopay sums; demo billers only counted apart), then every metric family
 * is printed in turn: # HELP, # TYPE, then its samples, shard by shard in
 * configuration order, so two runs diff line by line.  Every metric is a
 * gauge, since each is a count of tonight that may go down.
 *
 * New Relic's health is there only when it is configured.  A shard that
 * was not read has batchtop_shard_up 0 and no counts at all:
 * an absent series is the truth, a 0 would be a lie.  Statuses come from
 * the shards, so they are sanitized, cut to HEADLESS_PROM_LABEL_MAX bytes
 * and escaped; and at most PROM_STATUS_MAX distinct ones are listed per
 * shard, the rest are summed in batchtop_batches_unlisted, so a shard that
 * puts an id into its status text cannot flood the time-series database.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "headless/headless_prom.h"
#include "headless/headless_words.h"
#include "data/newrelic.h"
#include "core/hold.h"
#include "core/text.h"
#include "core/xalloc.h"

#define PROM_STATUS_MAX 32

struct prom_status {
	char label[HEADLESS_PROM_LABEL_MAX + 1];
	long n;
};

struct prom_shard {
	bool seen;			/* a snapshot was read */
	long billers[BS__COUNT];	/* non-demo billers */
	long demo;
	struct prom_status status[PROM_STATUS_MAX];
	size_t nstatus;
	long unlisted;			/* batches past PROM_STATUS_MAX statuses */
	long ap_payments, ap_failed;	/* latest runs of non-demo billers */
	int ap_billers;			/* billers with a latest run */
	long holds_active, holds_due;	/* contract v3 */
	long held_batches, held_invoices, held_cents;
};

char *headless_prom_label_value(char *dst, size_t n, const char *s)
{
	if (n > HEADLESS_PROM_LABEL_MAX + 1)
		n = HEADLESS_PROM_LABEL_MAX + 1;
	text_sanitize_into(dst, n, s ? s : "", (size_t)-1);
	return dst;
}

void headless_prom_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '"')
			fputs("\\\"", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void count_status(struct prom_shard *ps, const char *text)
{
	char label[HEADLESS_PROM_LABEL_MAX + 1];

	/* Two texts that are the same once cut are one series. */
	headless_prom_label_value(label, sizeof label, text);
	for (size_t i = 0; i < ps->nstatus; i++)
		if (!strcmp(ps->status[i].label, label)) {
			ps->status[i].n++;
			return;
		}
	if (ps->nstatus == PROM_STATUS_MAX) {
		ps->unlisted++;
		return;
	}
	memcpy(ps->status[ps->nstatus].label, label, sizeof label);
	ps->status[ps->nstatus++].n = 1;
}

static int status_cmp(const void *a, const void *b)
{
	return strcmp(((const struct prom_status *)a)->label,
		      ((const struct prom_status *)b)->label);
}

static struct prom_shard *prom_tally(const struct app *app)
{
	struct prom_shard *ps = xcalloc(app->npollers ? app->npollers : 1,
					sizeof *ps);

	for (size_t i = 0; i < app->npollers; i++) {
		const struct snapshot *snap = i < app->view.nsnaps ? app->view.snaps[i] : NULL;

		ps[i].seen = snap != NULL;
		for (size_t k = 0; snap && k < snap->nholds; k++) {
			const struct hold *h = &snap->holds[k];

			if (!hold_active(h))
				continue;
			ps[i].holds_active++;
			ps[i].holds_due += hold_due(h, snap->server_now);
			ps[i].held_batches += h->n_batches;
			ps[i].held_invoices += h->n_invoices;
			ps[i].held_cents += (long)h->held_cents;
		}
	}
	for (size_t i = 0; i < app->view.nrows; i++) {
		const struct row *r = view_row(&app->view, i);
		const struct biller *b = r->b;
		struct prom_shard *s;

		if (b->shard_index < 0 || (size_t)b->shard_index >= app->npollers)
			continue;
		s = &ps[b->shard_index];
		if (b->is_demo) {
			s->demo++;
			continue;
		}
		s->billers[r->ev.status]++;
		for (size_t j = 0; j < b->nbatches; j++)
			count_status(s, b->batches[j].kind->status);
		if (b->ap_payments != BT_NO_INT && b->ap_failed != BT_NO_INT) {
			s->ap_payments += b->ap_payments;
			s->ap_failed += b->ap_failed;
			s->ap_billers++;
		}
	}
	for (size_t i = 0; i < app->npollers; i++)
		qsort(ps[i].status, ps[i].nstatus, sizeof ps[i].status[0],
		      status_cmp);
	return ps;
}

/* --- printing ---------------------------------------------------------------- */

static void family(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* name{shard="...",status="..."} and a space; status may be NULL. */
static void series(FILE *out, const char *name, const char *shard,
		   const char *status)
{
	fprintf(out, "%s{shard=\"", name);
	headless_prom_escape(out, shard);
	if (status) {
		fputs("\",status=\"", out);
		headless_prom_escape(out, status);
	}
	fputs("\"} ", out);
}

static void sample(FILE *out, const char *name, const char *shard,
		   const char *status, long v)
{
	series(out, name, shard, status);
	fprintf(out, "%ld\n", v);
}

static const char *shard_name(const struct app *app, size_t i)
{
	return app->cfg->shards[i].name;
}

static void print_health(const struct app *app, FILE *out)
{
	family(out, "batchtop_shard_up",
	       "Whether the shard's last poll answered (1) or not (0).");
	for (size_t i = 0; i < app->npollers; i++)
		sample(out, "batchtop_shard_up", shard_name(app, i), NULL,
		       app->health[i].state == SHARD_OK);
	family(out, "batchtop_shard_data_age_seconds",
	       "Seconds since the shard's last good poll, plus the replay lag of the replica it read; absent when there was none.");
	for (size_t i = 0; i < app->npollers; i++) {
		const struct shard_health *h = &app->health[i];

		if (h->last_ok_mono == BT_NO_TIME)
			continue;
		series(out, "batchtop_shard_data_age_seconds", shard_name(app, i),
		       NULL);
		fprintf(out, "%.3f\n", (double)shard_health_age(h, app->mono) / 1000.0);
	}
	family(out, "batchtop_shard_poll_duration_seconds",
	       "How long the shard's last good poll took.");
	for (size_t i = 0; i < app->npollers; i++) {
		const struct shard_health *h = &app->health[i];

		if (h->last_ok_mono == BT_NO_TIME)
			continue;
		series(out, "batchtop_shard_poll_duration_seconds",
		       shard_name(app, i), NULL);
		fprintf(out, "%.3f\n", (double)h->poll_ms / 1000.0);
	}
}

/* Only with a [newrelic] section: without one there is no such source. */
static void print_newrelic(const struct app *app, FILE *out)
{
	const struct newrelic_health *h = app->nr_health;

	if (!h)
		return;
	family(out, "batchtop_newrelic_up",
	       "Whether New Relic's last errors query answered (1) or not (0).");
	fprintf(out, "batchtop_newrelic_up %d\n", h->state == NEWRELIC_OK);
	family(out, "batchtop_newrelic_data_age_seconds",
	       "Seconds since New Relic's last good answer; absent when there was none.");
	if (h->last_ok_mono != INT64_MIN)
		fprintf(out, "batchtop_newrelic_data_age_seconds %.3f\n",
			(double)(app->mono - h->last_ok_mono) / 1000.0);
}

/* A family with one sample per shard read: the long at offset off of
 * each shard's tally. */
static void per_shard(const struct app *app, const struct prom_shard *ps,
		      FILE *out, const char *name, const char *help, size_t off)
{
	family(out, name, help);
	for (size_t i = 0; i < app->npollers; i++)
		if (ps[i].seen)
			sample(out, name, shard_name(app, i), NULL,
			       *(const long *)(const void *)((const char *)&ps[i] + off));
}

static void print_counts(const struct app *app, const struct prom_shard *ps,
			 FILE *out)
{
	family(out, "batchtop_billers",
	       "Non-demo billers by their status tonight, per shard.");
	for (size_t i = 0; i < app->npollers; i++)
		for (int s = 0; ps[i].seen && s < BS__COUNT; s++)
			sample(out, "batchtop_billers", shard_name(app, i),
			       headless_status_token((enum biller_status)s),
			       ps[i].billers[s]);
	per_shard(app, ps, out, "batchtop_demo_billers",
		  "Demo billers, left out of every other count.",
		  offsetof(struct prom_shard, demo));
	family(out, "batchtop_batches",
	       "Tonight's batches of non-demo billers by the status the shard gives.");
	for (size_t i = 0; i < app->npollers; i++)
		for (size_t j = 0; ps[i].seen && j < ps[i].nstatus; j++)
			sample(out, "batchtop_batches", shard_name(app, i),
			       ps[i].status[j].label, ps[i].status[j].n);
	per_shard(app, ps, out, "batchtop_batches_unlisted",
		  "Batches not in batchtop_batches: their shard sent too many distinct statuses.",
		  offsetof(struct prom_shard, unlisted));
}

static void print_holds(const struct app *app, const struct prom_shard *ps,
			FILE *out)
{
	per_shard(app, ps, out, "batchtop_holds_active",
		  "Active holds of the shard (contract v3; 0 without holds).",
		  offsetof(struct prom_shard, holds_active));
	per_shard(app, ps, out, "batchtop_holds_due",
		  "Active holds past their expiry: due for release.",
		  offsetof(struct prom_shard, holds_due));
	per_shard(app, ps, out, "batchtop_held_batches",
		  "Batches the active holds hold now, summed over the holds.",
		  offsetof(struct prom_shard, held_batches));
	per_shard(app, ps, out, "batchtop_held_invoices",
		  "Autopay invoices the active holds hold now.",
		  offsetof(struct prom_shard, held_invoices));
	per_shard(app, ps, out, "batchtop_held_cents",
		  "The amount of those invoices, in cents.",
		  offsetof(struct prom_shard, held_cents));
}

static void print_autopay(const struct app *app, const struct prom_shard *ps,
			  FILE *out)
{
	per_shard(app, ps, out, "batchtop_autopay_payments",
		  "Payments in the latest autopay run of each non-demo biller, summed per shard.",
		  offsetof(struct prom_shard, ap_payments));
	per_shard(app, ps, out, "batchtop_autopay_failed_payments",
		  "Failed payments of those runs, summed per shard.",
		  offsetof(struct prom_shard, ap_failed));
	family(out, "batchtop_autopay_failure_ratio",
	       "Failed over all payments of those runs (0..1); absent without payments.");
	for (size_t i = 0; i < app->npollers; i++) {
		if (!ps[i].seen || ps[i].ap_payments <= 0)
			continue;
		series(out, "batchtop_autopay_failure_ratio", shard_name(app, i),
		       NULL);
		fprintf(out, "%.6g\n",
			(double)ps[i].ap_failed / (double)ps[i].ap_payments);
	}
}

int headless_prom_print(const struct app *app, int64_t wall_ms, FILE *out)
{
	struct prom_shard *ps = prom_tally(app);

	family(out, "batchtop_info", "The batchtop that wrote these metrics.");
	fprintf(out, "batchtop_info{version=\"");
	headless_prom_escape(out, PACKAGE_VERSION);
	fprintf(out, "\"} 1\n");
	family(out, "batchtop_generated_timestamp_seconds",
	       "When batchtop collected these metrics (local clock, Unix time).");
	fprintf(out, "batchtop_generated_timestamp_seconds %.3f\n",
		(double)wall_ms / 1000.0);
	print_health(app, out);
	print_newrelic(app, out);
	print_counts(app, ps, out);
	print_autopay(app, ps, out);
	print_holds(app, ps, out);
	free(ps);
	return ferror(out) ? -1 : 0;
}
