/*
 * backtest.c - how good are the forecasts?  Replays a shard's past closes
 * through batchtop's own estimator (src/core/forecast.c) and compares what
 * it said with what happened.  scripts/backtest seeds a shard with
 * batchtop-sim and feeds this program its history; see README.md.
 *
 * Input (stdin), one finished close a line, tab-separated, as
 * scripts/backtest's query writes it: batch_id, biller_id, business_day,
 * payment_type, module, then scheduled_at, deadline_at, started_at and
 * finished_at in epoch milliseconds.
 *
 * For every business day after the first --warmup ones, the history is
 * the closes of the --history days before it, as batchtop would have read
 * it that night.  Each close of the day is then forecast at every "minute"
 * from its scheduled time until it finished (or its deadline passed), as
 * scheduled before its start and running after it, just as the grid sees
 * it.  A minute is --minute milliseconds (scripts/backtest gives the
 * simulator's: 60000 / --speed), else a 45th of the close's window
 * (scheduled to deadline), so a history compressed by the simulator's
 * --speed replays in its own minutes; since the simulator's windows end
 * at the :45 file run, 15 to 45 minutes after a close is due, the window
 * is a minute's measure only for a close due at the hour.  Then:
 *   - calibration: the forecasts binned by P(miss), with the share of
 *     them whose close really missed its deadline;
 *   - "will miss" and "at risk" 20 minutes before the deadline: of the
 *     closes still open then, precision and recall of each call;
 *   - the Brier score of all forecasts (0 is perfect, 0.25 a coin).
 */
#include "autoconf.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/forecast.h"
#include "core/xalloc.h"

#define BINS 10
#define WINDOW_MINUTES 45

struct past {
	char *batch_id, *biller_id, *day, *ptype, *module;
	int64_t sched, deadline, started, finished;
};

struct opts {
	int history_days;	/* days of history behind each forecast */
	int warmup;		/* first days used only as history */
	int lead_minutes;	/* "20 minutes before the deadline" */
	int minute_ms;		/* a platform minute; 0: a 45th of the window */
	struct forecast_opts fc;
};

struct tally {
	long n[BINS], missed[BINS];
	double p_sum[BINS];
	double brier;
	long forecasts, no_forecast;
	long closes, closes_missed;
	/* At the lead time: called, called and missed, missed. */
	long will_tp, will_fp, at_risk_tp, at_risk_fp, lead_missed, lead_open;
};

static int cmp_past(const void *a, const void *b)
{
	const struct past *x = a, *y = b;
	int c = strcmp(x->day, y->day);

	if (c)
		return c;
	return (x->sched > y->sched) - (x->sched < y->sched);
}

static bool parse_line(char *line, struct past *p)
{
	char *f[9];
	int n = 0;

	for (char *s = line; n < 9; n++) {
		f[n] = s;
		s = strchr(s, '\t');
		if (!s) {
			n++;
			break;
		}
		*s++ = '\0';
	}
	if (n != 9)
		return false;
	p->batch_id = xstrdup(f[0]);
	p->biller_id = xstrdup(f[1]);
	p->day = xstrdup(f[2]);
	p->ptype = xstrdup(f[3]);
	p->module = xstrdup(f[4]);
	p->sched = strtoll(f[5], NULL, 10);
	p->deadline = strtoll(f[6], NULL, 10);
	p->started = strtoll(f[7], NULL, 10);
	p->finished = strtoll(f[8], NULL, 10);
	return p->deadline > p->sched && p->finished >= p->started;
}

static struct past *read_closes(FILE *in, size_t *n, long *skipped)
{
	struct past *v = NULL;
	size_t cap = 0;
	char *line = NULL;
	size_t linecap = 0;
	ssize_t len;

	*n = 0;
	*skipped = 0;
	while ((len = getline(&line, &linecap, in)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = xrealloc(v, cap * sizeof *v);
		}
		if (parse_line(line, &v[*n]))
			(*n)++;
		else
			(*skipped)++;
	}
	free(line);
	if (*n > 1)	/* v is NULL when nothing was read */
		qsort(v, *n, sizeof *v, cmp_past);
	return v;
}

/* The history batchtop would have had before the day starting at first:
 * the closes of the days [from, first), oldest first. */
static struct fc_history *history_before(const struct past *v, size_t from, size_t first)
{
	struct fc_history *h = fc_history_new(0, v[first].sched);

	for (size_t i = from; i < first; i++)
		fc_history_add(h, v[i].biller_id, v[i].day, v[i].ptype, v[i].module,
			       v[i].started - v[i].sched, v[i].finished - v[i].started);
	fc_history_finish(h);
	return h;
}

/* The open close p as the grid would have seen it at now; its words in
 * k. */
static void as_seen(const struct past *p, int64_t now, struct batch *t,
		    struct batch_kind *k)
{
	memset(t, 0, sizeof *t);
	t->batch_id = p->batch_id;
	k->business_day = p->day;
	k->payment_type = p->ptype;
	k->module = p->module;
	k->error_class = t->error_message = k->bad = "";
	t->kind = k;
	t->rerun = NULL;
	t->attempts = now < p->started ? 0 : 1;
	t->deadline_given = true;
	t->scheduled_at = p->sched;
	t->deadline_at = p->deadline;
	t->finished_at = BT_NO_TIME;
	t->updated_at = now;
	if (now < p->started) {
		t->state = BATCH_SCHEDULED;
		k->status = "scheduled";
		t->started_at = BT_NO_TIME;
	} else {
		t->state = BATCH_RUNNING;
		k->status = "running";
		t->started_at = p->started;
	}
}

static void count(struct tally *y, double p, bool missed)
{
	int bin = (int)(p * BINS);

	if (bin >= BINS)
		bin = BINS - 1;
	y->n[bin]++;
	y->missed[bin] += missed;
	y->p_sum[bin] += p;
	y->brier += (p - missed) * (p - missed);
	y->forecasts++;
}

/* Replay one close of a day: its biller has nbatches closes that day. */
static void replay(const struct fc_history *h, const struct past *p, size_t nbatches,
		   const struct opts *o, struct tally *y)
{
	struct biller b;
	struct batch t;
	struct batch_kind k;
	struct forecast f;
	int64_t minute = o->minute_ms ? o->minute_ms : (p->deadline - p->sched) / WINDOW_MINUTES;
	int64_t lead = p->deadline - o->lead_minutes * minute;
	int64_t end = p->finished < p->deadline ? p->finished : p->deadline;
	bool missed = p->finished > p->deadline;

	memset(&b, 0, sizeof b);
	b.biller_id = p->biller_id;
	b.name = b.timezone = b.shard = b.last_error_class = "";
	b.known = true;
	b.batches = &t;
	b.nbatches = nbatches;
	y->closes++;
	y->closes_missed += missed;
	if (minute <= 0)
		return;
	for (int64_t now = p->sched; now < end; now += minute) {
		as_seen(p, now, &t, &k);
		forecast_miss(h, &b, &t, now, &o->fc, &f);
		if (f.source == FC_NONE || f.p_miss < 0)
			y->no_forecast++;
		else
			count(y, f.p_miss, missed);
	}
	/* The call at the lead time, for the closes still open then. */
	if (p->finished <= lead)
		return;
	as_seen(p, lead, &t, &k);
	forecast_batch(h, &b, &t, lead, &o->fc, &f);
	y->lead_open++;
	y->lead_missed += missed;
	if (forecast_will_miss(&f, &t, &o->fc)) {
		y->will_tp += missed;
		y->will_fp += !missed;
	}
	if (forecast_at_risk(&f, &o->fc)) {
		y->at_risk_tp += missed;
		y->at_risk_fp += !missed;
	}
}

/* Closes of biller_id in v[first, last). */
static size_t batches_of(const struct past *v, size_t first, size_t last, const char *biller_id)
{
	size_t n = 0;

	for (size_t i = first; i < last; i++)
		n += strcmp(v[i].biller_id, biller_id) == 0;
	return n;
}

static void run(const struct past *v, size_t n, const struct opts *o, struct tally *y,
		long *ndays, long *replayed)
{
	size_t *starts = xmalloc((n + 1) * sizeof *starts);
	size_t days = 0;

	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i].day, v[i - 1].day) != 0)
			starts[days++] = i;
	starts[days] = n;
	*ndays = (long)days;
	*replayed = 0;
	for (size_t d = (size_t)o->warmup; d < days; d++) {
		size_t from = d > (size_t)o->history_days ? starts[d - (size_t)o->history_days] : 0;
		struct fc_history *h = history_before(v, from, starts[d]);

		for (size_t i = starts[d]; i < starts[d + 1]; i++)
			replay(h, &v[i], batches_of(v, starts[d], starts[d + 1], v[i].biller_id), o, y);
		fc_history_unref(h);
		(*replayed)++;
	}
	free(starts);
}

static double pct(long a, long b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

static void report(const struct tally *y, const struct opts *o, long ndays, long replayed)
{
	long will = y->will_tp + y->will_fp, risk = y->at_risk_tp + y->at_risk_fp;

	printf("backtest: %ld business days, %ld replayed (history: up to %d days before each)\n",
	       ndays, replayed, o->history_days);
	printf("closes: %ld, missed their deadline: %ld (%.0f%%)\n", y->closes, y->closes_missed,
	       pct(y->closes_missed, y->closes));
	printf("forecasts: %ld (one a minute while a close is open), without one (fixed rule): %ld\n",
	       y->forecasts, y->no_forecast);
	printf("calibration (predicted P(miss) against what happened):\n");
	for (int i = 0; i < BINS; i++)
		printf("  %3d-%3d%% bin: %6ld forecasts, %6ld missed (%3.0f%%), mean prediction %3.0f%%\n",
		       i * 100 / BINS, (i + 1) * 100 / BINS, y->n[i], y->missed[i],
		       pct(y->missed[i], y->n[i]), y->n[i] ? 100.0 * y->p_sum[i] / (double)y->n[i] : 0.0);
	printf("brier score: %.4f\n", y->forecasts ? y->brier / (double)y->forecasts : 0.0);
	printf("%d minutes before the deadline: %ld closes still open, %ld of them missed\n",
	       o->lead_minutes, y->lead_open, y->lead_missed);
	printf("  will miss (P >= %d%% or p50 past the deadline): %ld called, precision %.0f%% (%ld of %ld), recall %.0f%% (%ld of %ld)\n",
	       o->fc.will_miss_pct, will, pct(y->will_tp, will), y->will_tp, will,
	       pct(y->will_tp, y->lead_missed), y->will_tp, y->lead_missed);
	printf("  at risk (P >= %d%%): %ld called, precision %.0f%% (%ld of %ld), recall %.0f%% (%ld of %ld)\n",
	       o->fc.at_risk_pct, risk, pct(y->at_risk_tp, risk), y->at_risk_tp, risk,
	       pct(y->at_risk_tp, y->lead_missed), y->at_risk_tp, y->lead_missed);
}

static void usage(FILE *out)
{
	fputs("usage: backtest [--history DAYS] [--warmup DAYS] [--lead MINUTES]\n"
	      "                [--at-risk PCT] [--will-miss PCT] [--minute MS] < closes.tsv\n"
	      "Replays past closes (tab-separated, see scripts/backtest) through\n"
	      "batchtop's forecast and prints its calibration and precision/recall.\n", out);
}

static int int_arg(const char *s, int lo, int hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "backtest: '%s' is not a number from %d to %d\n", s, lo, hi);
		exit(64);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "history", required_argument, NULL, 'H' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "lead", required_argument, NULL, 'l' },
		{ "at-risk", required_argument, NULL, 'r' },
		{ "will-miss", required_argument, NULL, 'm' },
		{ "minute", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .history_days = 30, .warmup = 5, .lead_minutes = 20,
			  .fc = { .at_risk_pct = 30, .will_miss_pct = 90, .stale_ms = 0 } };
	struct tally y;
	struct past *v;
	size_t n;
	long skipped, ndays, replayed;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'H': o.history_days = int_arg(optarg, 1, 366); break;
		case 'w': o.warmup = int_arg(optarg, 1, 366); break;
		case 'l': o.lead_minutes = int_arg(optarg, 1, WINDOW_MINUTES); break;
		case 'r': o.fc.at_risk_pct = int_arg(optarg, 1, 100); break;
		case 'm': o.fc.will_miss_pct = int_arg(optarg, 1, 100); break;
		case 'M': o.minute_ms = int_arg(optarg, 1, 3600000); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 64;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 64;
	}
	memset(&y, 0, sizeof y);
	v = read_closes(stdin, &n, &skipped);
	if (skipped)
		fprintf(stderr, "backtest: %ld malformed lines skipped\n", skipped);
	run(v, n, &o, &y, &ndays, &replayed);
	if (!replayed) {
		fprintf(stderr, "backtest: %ld business days of history; need more than --warmup %d\n",
			ndays, o.warmup);
		return 1;
	}
	report(&y, &o, ndays, replayed);
	for (size_t i = 0; i < n; i++) {
		free(v[i].batch_id);
		free(v[i].biller_id);
		free(v[i].day);
		free(v[i].ptype);
		free(v[i].module);
	}
	free(v);
	return 0;
}
