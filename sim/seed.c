/*
 * seed.c - what a shard looks like at the start of a night (see seed.h).
 *
 * Everything is drawn from one rng stream per shard, keyed by the seed and
 * the shard's position on the command line, so the same seed gives the same
 * billers, schedules and failures.  Ids carry the database name as prefix
 * (shard1-b007) so they stay unique when batchtop merges shards.
 *
 * Tonight is compressed by --speed: a few closes are due within the first
 * seconds, the rest at their billers' local schedules (the 23:00 wave of
 * each time zone, some earlier in the evening, some after midnight), as
 * each past day of the history has them, with the long quiet gaps between
 * the zones' waves shortened.  Times are offsets that the SQL adds to the
 * server's now().  Each
 * close's deadline is a payment-file run of the compressed clock (:45 of a
 * --file-period "hour", counted from midnight UTC), the first one at least
 * 15 platform minutes after it is due; a close due earlier than 45 minutes
 * before that run waits for the hour to begin.  So batchtop, counting down
 * to the same runs (payment_file_period), shows LEFT and the next file on
 * one clock.
 * History is compressed the same way: its windows and durations are
 * platform minutes at --speed, placed at each biller's local schedule of
 * each past day, so the estimates drawn from it fit tonight's clock; its
 * deadlines are the :45 file runs as tonight's (15 to 45 minutes after a
 * close is due, a close due before the hour waiting for it).
 * A past close's duration follows duration.h: the biller's size, noise
 * and outliers drawn here, then the load of its wave (the closes of the
 * shard scheduled near it that day) applied by the shard in one UPDATE.
 * Night after night (seed_night), the billers stay and each night draws
 * its closes and autopay run from a stream keyed by its number.
 */
#include "seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "names.h"
#include "rng.h"
#include "rows.h"

#define MAX_PAIRS 3
#define HISTORY_WINDOW 2700.0	/* 45 minutes */
#define TONIGHT_GAP_MAX "900.0"	/* platform seconds; > DURATION_LOAD_RADIUS */
/* A past day's closes run at its billers' local evenings, the last of them
 * (Honolulu, after midnight) about 36 hours after its UTC midnight.  Tonight
 * is played from now, whatever the hour, and batchtop counts as tonight
 * what is scheduled within night_hours (12 by default) of now: a past day
 * is seeded only once all of it is that far behind, or after midnight UTC
 * yesterday's history would land in tonight's grid beside tonight's closes
 * (twice the batches, and a benchmark whose figures depend on the hour). */
#define HISTORY_CLEAR "48 hours"

struct seed_biller {
	char id[96];
	struct biller_profile p;
	bool demo;
	int invoices;			/* the biller's size (duration.h) */
	int npairs;
	int pairs[MAX_PAIRS];		/* payment type + 2 * module */
	double local_start[MAX_PAIRS];	/* seconds after local midnight */
};

/* Per-run facts every step needs. */
struct seed_ctx {
	struct shard *s;
	const struct sim_config *cfg;
	struct rng r;
	char today[16];		/* YYYYMMDD of tonight's business day */
	char day[16];		/* the same as YYYY-MM-DD */
	int night;		/* 1 for the first night of the shard */
	struct seed_biller *b;
	int nb;
};

static const char *pair_type(int pair)
{
	return names_payment_type(pair % NAMES_PAYMENT_TYPES);
}

static const char *pair_module(int pair)
{
	return names_module(pair / NAMES_PAYMENT_TYPES);
}

static bool reset_tables(struct shard *s)
{
	if (!shard_exec(s, "TRUNCATE batchtop.job_log, batchtop.batch_close, "
			"batchtop.biller, batchtop.autopay_run, batchtop.autopay_failure, "
			"batchtop.rerun_request RESTART IDENTITY", 0, NULL))
		return false;
	/* Contract v3: the holds of the old data go with it. */
	if (s->holds && !shard_exec(s, "TRUNCATE batchtop.hold, batchtop.write_off "
				    "RESTART IDENTITY", 0, NULL))
		return false;
	s->next_log_id = 1;
	sim_warn("%s: reset: emptied the batchtop tables", shard_label(s));
	return true;
}

static bool name_taken(const struct seed_ctx *c, int upto, const char *name)
{
	for (int i = 0; i < upto; i++)
		if (strcmp(c->b[i].p.name, name) == 0)
			return true;
	return false;
}

static void plan_billers(struct seed_ctx *c)
{
	static const int npairs_w[] = { 35, 40, 25 };
	bool any_demo = false;
	int n = c->cfg->billers;

	c->nb = n;
	c->b = sim_xmalloc((size_t)n * sizeof *c->b);
	memset(c->b, 0, (size_t)n * sizeof *c->b);
	for (int i = 0; i < n; i++) {
		c->b[i].demo = rng_unit(&c->r) < 0.10;
		any_demo |= c->b[i].demo;
	}
	/* About one in ten is a demo biller, and a demo always has one. */
	if (!any_demo && n >= 5)
		c->b[n > 9 ? 9 : n - 1].demo = true;

	for (int i = 0; i < n; i++) {
		struct seed_biller *b = &c->b[i];
		bool utf8 = !b->demo && (i == 4 || rng_unit(&c->r) < 0.06);
		int order[NAMES_PAYMENT_TYPES * NAMES_MODULES];
		int tries = 0;

		snprintf(b->id, sizeof b->id, "%s-b%03d", c->s->db, i + 1);
		{
			/* Keyed by position, not by id, so a shard of another
			 * name (a backtest's scratch database) has the same
			 * billers' sizes. */
			char key[32];

			snprintf(key, sizeof key, "shard%d-b%03d", c->s->number, i + 1);
			b->invoices = duration_invoices(c->cfg->seed, key);
		}
		do
			names_biller(&c->r, i + 1, b->demo, utf8 && tries < 3, &b->p);
		while (name_taken(c, i, b->p.name) && ++tries < 40);
		if (name_taken(c, i, b->p.name)) {
			size_t len = strlen(b->p.name);

			snprintf(b->p.name + len, sizeof b->p.name - len, " #%d", i + 1);
		}

		/* Pick 1-3 distinct (payment type, module) pairs. */
		for (int k = 0; k < NAMES_PAYMENT_TYPES * NAMES_MODULES; k++)
			order[k] = k;
		b->npairs = 1 + (int)rng_weighted(&c->r, npairs_w, 3);
		for (int k = 0; k < b->npairs; k++) {
			int j = rng_range(&c->r, k, NAMES_PAYMENT_TYPES * NAMES_MODULES - 1);
			int t = order[k];
			static const int when_w[] = { 60, 25, 15 };

			order[k] = order[j];
			order[j] = t;
			b->pairs[k] = order[k];
			/* Local schedule: 23:00 wave, earlier evening, after midnight. */
			switch (rng_weighted(&c->r, when_w, 3)) {
			case 0:
				b->local_start[k] = 23 * 3600 + rng_range(&c->r, 0, 30) * 60;
				break;
			case 1:
				b->local_start[k] = 22 * 3600 + rng_range(&c->r, 0, 59) * 60;
				break;
			default:
				b->local_start[k] = 24 * 3600 + rng_range(&c->r, 0, 59) * 60;
				break;
			}
		}
	}
}

static bool insert_billers(struct seed_ctx *c)
{
	struct rows t;
	bool ok;

	rows_init(&t, 5);
	for (int i = 0; i < c->nb; i++) {
		rows_add(&t, c->b[i].id);
		rows_add(&t, c->b[i].p.name);
		rows_add(&t, c->b[i].p.timezone);
		rows_addf(&t, "%d", c->b[i].p.priority);
		rows_add(&t, c->b[i].demo ? "true" : "false");
	}
	ok = shard_bulk(c->s,
		"INSERT INTO batchtop.biller (biller_id, name, timezone, priority, is_demo) "
		"SELECT v.id, v.name, v.tz, v.prio::smallint, v.demo::boolean "
		"FROM (VALUES %s) AS v(id, name, tz, prio, demo)", &t);
	rows_free(&t);
	return ok;
}

/* Real seconds from now until a close of tonight is due, for the few due
 * right away (the first three of the shard and about one in twenty more,
 * so a demo has work from its first seconds); -1 for the others, which
 * keep their biller's schedule (insert_tonight). */
static double tonight_right_away(struct seed_ctx *c, int nth, double first_span)
{
	if (nth < 3 || rng_unit(&c->r) < 0.05)
		return 0.2 + rng_unit(&c->r) * (first_span - 0.2);
	return -1;
}

static bool insert_tonight(struct seed_ctx *c, int *count)
{
	const struct sim_config *cfg = c->cfg;
	double first_span = 10.0 * (cfg->speed > 60.0 ? 60.0 / cfg->speed : 1.0);
	struct rows t;
	bool ok;
	int nth = 0;

	rows_init(&t, 13);
	for (int i = 0; i < c->nb; i++) {
		const struct seed_biller *b = &c->b[i];

		for (int k = 0; k < b->npairs; k++) {
			double now = tonight_right_away(c, nth++, first_span);

			rows_addf(&t, "%s-%s-%s-%s", b->id, c->today,
				  pair_type(b->pairs[k]), pair_module(b->pairs[k]));
			rows_add(&t, b->id);
			rows_add(&t, pair_type(b->pairs[k]));
			rows_add(&t, pair_module(b->pairs[k]));
			rows_add(&t, b->p.timezone);
			rows_addf(&t, "%.0f", b->local_start[k]);
			if (now >= 0)
				rows_addf(&t, "%.3f", now);
			else
				rows_add(&t, NULL);
			rows_addf(&t, "%.3f", first_span);
			rows_addf(&t, "%.6f", cfg->speed);
			rows_addf(&t, "%.3f", sim_window_seconds(cfg));
			rows_addf(&t, "%.3f", cfg->file_period);
			rows_addf(&t, "%.3f", sim_file_offset(cfg));
			rows_add(&t, c->day);
		}
	}
	*count = nth;
	/* Tonight has the history's shape: each close at its biller's local
	 * schedule (so per time zone waves, not one dense UTC wave, and the
	 * same neighbours, hence the same load, as on a past day), in UTC
	 * order from the first of them, compressed by --speed.  A quiet gap
	 * longer than TONIGHT_GAP_MAX platform seconds (more than the load's
	 * radius, so no close's neighbours change) loses its whole hours, so
	 * a European biller's 22:00 does not leave the demo idle until the
	 * American waves, and every close keeps its minute of the hour: with
	 * the default --file-period its window to the :45 file is the one it
	 * has on a past day (insert_history).  d: the first file run (k * period + offset, from
	 * the epoch, which is a midnight) at least 15 platform minutes after
	 * the close is due; the close is due no earlier than a window before
	 * it. */
	ok = shard_bulk(c->s,
		"WITH v AS (SELECT * FROM (VALUES %s) AS v(id, biller, ptype, module, tz, loc, "
		"  now, span, spd, win, per, fo, day)), "
		"t AS (SELECT v.id, (v.day::date + v.loc::float8 * interval '1 second') "
		"  AT TIME ZONE v.tz AS at FROM v WHERE v.now IS NULL), "
		"g AS (SELECT t.id, t.at, coalesce(extract(epoch FROM t.at - "
		"  lag(t.at) OVER (ORDER BY t.at, t.id)), 0)::float8 AS gap, "
		"  extract(epoch FROM min(t.at) OVER ())::float8 AS t0 FROM t), "
		"p AS (SELECT g.id, g.t0, sum(CASE WHEN g.gap > " TONIGHT_GAP_MAX " THEN g.gap - 3600 * "
		"  floor((g.gap - " TONIGHT_GAP_MAX ") / 3600) ELSE g.gap END) "
		"  OVER (ORDER BY g.at, g.id) AS plat FROM g), "
		/* The first scheduled close at its own minute of the compressed
		 * hour: a: real seconds until then. */
		"a AS (SELECT v.span::float8 + (q.x - v.per::float8 * floor(q.x / v.per::float8)) AS lead "
		"  FROM v CROSS JOIN LATERAL (SELECT (SELECT min(p.t0) FROM p) AS t0) AS f "
		"  CROSS JOIN LATERAL (SELECT (f.t0 - 3600 * floor(f.t0 / 3600)) / v.spd::float8 "
		"    - extract(epoch FROM now()) - v.span::float8 AS x) AS q LIMIT 1), "
		"x AS (SELECT v.*, coalesce(v.now::float8, "
		"  coalesce((SELECT a.lead FROM a), v.span::float8) + p.plat / v.spd::float8) "
		"  AS off FROM v LEFT JOIN p ON p.id = v.id) "
		"INSERT INTO batchtop.batch_close (batch_id, biller_id, business_day, "
		"payment_type, module, scheduled_at, deadline_at, status, attempts, updated_at) "
		"SELECT x.id, x.biller, x.day::date, x.ptype, x.module, "
		"greatest(now() + x.off * interval '1 second', "
		"         d.at - x.win::float8 * interval '1 second'), d.at, "
		"'scheduled', 0, now() "
		"FROM x CROSS JOIN LATERAL (SELECT to_timestamp(ceil((extract(epoch FROM now()) "
		"  + x.off + x.win::float8 * 15 / 45 - x.fo::float8) / x.per::float8) "
		"  * x.per::float8 + x.fo::float8) AS at) AS d", &t);
	rows_free(&t);
	return ok;
}

static bool insert_autopay(struct seed_ctx *c)
{
	static const char *const statuses[] = { "needs_rerun", "paid_other", "not_eligible" };
	static const int status_w[] = { 75, 15, 10 };
	struct rows runs, fails;
	bool ok;
	/* Each night's invoices are numbered apart from the others'. */
	long invoice = 1000001 + (long)(c->night - 1) * 1000000;

	rows_init(&runs, 5);
	rows_init(&fails, 6);
	for (int i = 0; i < c->nb; i++) {
		const struct seed_biller *b = &c->b[i];
		int payments = rng_range(&c->r, 50, 2000);
		bool systemic = rng_unit(&c->r) < 1.0 / 6.0;
		double share = systemic ? 0.10 + 0.20 * rng_unit(&c->r)
					: 0.05 * rng_unit(&c->r);
		int failed = (int)(payments * share + 0.5);
		char run_id[128];

		snprintf(run_id, sizeof run_id, "%s-ap-%s", b->id, c->today);
		rows_add(&runs, run_id);
		rows_add(&runs, b->id);
		rows_addf(&runs, "%d", rng_range(&c->r, 600, 12600));
		rows_addf(&runs, "%d", payments);
		rows_addf(&runs, "%d", failed);
		for (int f = 0; f < failed; f++) {
			double u = rng_unit(&c->r);

			rows_addf(&fails, "%s-inv-%07ld", c->s->db, invoice++);
			rows_add(&fails, b->id);
			rows_add(&fails, run_id);
			rows_addf(&fails, "%ld", 1500L + (long)(u * u * 58500.0));
			rows_add(&fails, names_autopay_exception(&c->r, systemic));
			rows_add(&fails, statuses[rng_weighted(&c->r, status_w, 3)]);
		}
	}
	ok = shard_bulk(c->s,
		"INSERT INTO batchtop.autopay_run (run_id, biller_id, run_at, payments, failed) "
		"SELECT v.id, v.biller, now() - v.ago::float8 * interval '1 second', "
		"v.payments::int, v.failed::int "
		"FROM (VALUES %s) AS v(id, biller, ago, payments, failed)", &runs) &&
	     shard_bulk(c->s,
		"INSERT INTO batchtop.autopay_failure (invoice_id, biller_id, run_id, "
		"amount_cents, exception, invoice_status) "
		"SELECT v.inv, v.biller, v.run, v.amount::bigint, v.exc, v.status "
		"FROM (VALUES %s) AS v(inv, biller, run, amount, exc, status)", &fails);
	rows_free(&runs);
	rows_free(&fails);
	return ok;
}

/* One finished close of a past business day: its own start delay and
 * duration (size and noise); apply_load() stretches them by the wave. */
static void add_history_close(struct seed_ctx *c, struct rows *t, const struct seed_biller *b,
			      int k, const char *day, const char *daytag)
{
	double speed = c->cfg->speed;
	double delay = duration_start_delay(&c->r);
	double dur = duration_base(b->invoices) * duration_noise(&c->r);
	bool rerun = rng_unit(&c->r) < 0.07;

	if (rerun)	/* the failed attempt, then the whole close again */
		dur *= 1.3 + 0.5 * rng_unit(&c->r);
	/* Platform seconds to real ones, as tonight's. */
	delay /= speed;
	dur /= speed;

	rows_addf(t, "%s-%s-%s-%s", b->id, daytag, pair_type(b->pairs[k]), pair_module(b->pairs[k]));
	rows_add(t, b->id);
	rows_add(t, day);
	rows_add(t, pair_type(b->pairs[k]));
	rows_add(t, pair_module(b->pairs[k]));
	rows_add(t, b->p.timezone);
	rows_addf(t, "%.0f", b->local_start[k]);
	rows_addf(t, "%.3f", delay);
	rows_addf(t, "%.3f", dur);
	rows_addf(t, "%.3f", HISTORY_WINDOW / speed);
	rows_add(t, rerun ? "2" : "1");
	if (rerun) {
		char batch_id[160];
		const char *cls = names_error_class(&c->r);
		char *msg;

		snprintf(batch_id, sizeof batch_id, "%s-%s-%s-%s", b->id, daytag,
			 pair_type(b->pairs[k]), pair_module(b->pairs[k]));
		msg = names_error_message(&c->r, cls, batch_id, c->s->db, 0);
		rows_add(t, cls);
		rows_add(t, msg);
		free(msg);
	} else {
		rows_add(t, NULL);
		rows_add(t, NULL);
	}
}

/* The wave's load, as the shard saw it: each past close's neighbours are
 * the closes of its day scheduled within DURATION_LOAD_RADIUS of it;
 * past DURATION_LOAD_FREE of them its start is delayed and its duration
 * stretched (duration_load_factor's rule, in SQL).  Only the rows this
 * seeding wrote (their ids carry the database name) are touched. */
static bool apply_load(struct seed_ctx *c)
{
	char radius[32], free_[16], step[32], max[32], dstep[32];
	const char *params[6] = { radius, free_, step, max, dstep, c->s->db };
	double speed = c->cfg->speed;

	snprintf(radius, sizeof radius, "%.3f", DURATION_LOAD_RADIUS);
	snprintf(free_, sizeof free_, "%d", DURATION_LOAD_FREE);
	snprintf(step, sizeof step, "%.4f", DURATION_LOAD_STEP);
	snprintf(max, sizeof max, "%.4f", DURATION_LOAD_MAX);
	snprintf(dstep, sizeof dstep, "%.4f", DURATION_DELAY_STEP / speed);
	return shard_exec(c->s,
		"WITH w AS (SELECT b.batch_id, greatest(count(*) OVER (PARTITION BY b.business_day "
		"    ORDER BY b.scheduled_at RANGE BETWEEN $1::float8 * interval '1 second' PRECEDING "
		"    AND $1::float8 * interval '1 second' FOLLOWING) - 1 - $2::int, 0) AS over "
		"  FROM batchtop.batch_close AS b WHERE b.business_day < current_date "
		"  AND left(b.batch_id, length($6) + 1) = $6 || '-'), "
		"x AS (SELECT w.batch_id, w.over * $5::float8 * interval '1 second' AS wait, "
		"  least(1 + $3::float8 * w.over, $4::float8) AS f FROM w) "
		"UPDATE batchtop.batch_close AS b SET started_at = b.started_at + x.wait, "
		"  finished_at = b.started_at + x.wait + (b.finished_at - b.started_at) * x.f, "
		"  updated_at = b.started_at + x.wait + (b.finished_at - b.started_at) * x.f "
		"FROM x WHERE x.batch_id = b.batch_id", 6, params);
}

static bool insert_history(struct seed_ctx *c)
{
	char ndays[16];
	const char *params[1] = { ndays };
	PGresult *days;
	struct rows t;
	bool ok;

	if (c->cfg->history_days <= 0)
		return true;
	snprintf(ndays, sizeof ndays, "%d", c->cfg->history_days);
	days = shard_query(c->s,
		"SELECT d::text, to_char(d, 'YYYYMMDD') FROM "
		"(SELECT current_date - i AS d FROM generate_series(1, $1::int * 2 + 9) AS i) AS x "
		"WHERE extract(isodow FROM d) < 6 "
		"AND d::timestamp AT TIME ZONE 'UTC' + interval '" HISTORY_CLEAR "' <= now() "
		"ORDER BY d DESC LIMIT $1::int", 1, params);
	if (!days)
		return false;
	rows_init(&t, 13);
	for (int d = 0; d < PQntuples(days); d++)
		for (int i = 0; i < c->nb; i++)
			for (int k = 0; k < c->b[i].npairs; k++)
				add_history_close(c, &t, &c->b[i], k,
						  PQgetvalue(days, d, 0), PQgetvalue(days, d, 1));
	PQclear(days);
	ok = shard_bulk(c->s,
		"INSERT INTO batchtop.batch_close (batch_id, biller_id, business_day, "
		"payment_type, module, scheduled_at, deadline_at, started_at, finished_at, "
		"status, attempts, error_class, error_message, updated_at) "
		"SELECT v.id, v.biller, v.day::date, v.ptype, v.module, s.t, "
		"s.t + v.win::float8 * w.frac * interval '1 second', "
		"s.t + v.delay::float8 * interval '1 second', "
		"s.t + (v.delay::float8 + v.dur::float8) * interval '1 second', "
		"'closed', v.attempts::int, v.eclass, v.emsg, "
		"s.t + (v.delay::float8 + v.dur::float8) * interval '1 second' "
		"FROM (VALUES %s) AS v(id, biller, day, ptype, module, tz, loc, delay, dur, win, "
		"attempts, eclass, emsg) "
		"CROSS JOIN LATERAL (SELECT (v.day::date + v.loc::float8 * interval '1 second') "
		"AT TIME ZONE v.tz AS l) AS o "
		/* The :45 file at least 15 minutes after it, as tonight's. */
		"CROSS JOIN LATERAL (SELECT to_timestamp(ceil((extract(epoch FROM o.l) - 1800) / 3600) "
		"  * 3600 + 2700) AS d) AS f "
		"CROSS JOIN LATERAL (SELECT greatest(o.l, f.d - interval '45 minutes') AS t) AS s "
		"CROSS JOIN LATERAL (SELECT extract(epoch FROM f.d - s.t)::float8 / 2700 AS frac) AS w", &t);
	rows_free(&t);
	return ok && apply_load(c);
}

/* job_log lines for what the seeding made, derived in SQL from the rows. */
static bool log_seeded(struct seed_ctx *c)
{
	char base[32];
	const char *params[2] = { base, c->s->db };

	snprintf(base, sizeof base, "%lld", (long long)c->s->next_log_id);
	if (!shard_exec(c->s,
		"INSERT INTO batchtop.job_log (log_id, logged_at, biller_id, batch_id, level, message) "
		"SELECT $1::bigint - 1 + row_number() OVER (ORDER BY x.t, b.batch_id, x.n), "
		"x.t, b.biller_id, b.batch_id, x.level, x.message "
		"FROM batchtop.batch_close AS b CROSS JOIN LATERAL (VALUES "
		" (1, b.started_at, 'info', "
		"  format('batch close started: %s/%s, attempt 1', b.payment_type, b.module)), "
		" (2, CASE WHEN b.attempts > 1 THEN b.started_at + (b.finished_at - b.started_at) * 0.4 END, "
		"  'error', 'attempt 1 failed: ' || b.error_message), "
		" (3, CASE WHEN b.attempts > 1 THEN b.started_at + (b.finished_at - b.started_at) * 0.5 END, "
		"  'info', format('rerun requested by on-call; attempt %s started', b.attempts)), "
		" (4, b.finished_at, CASE WHEN b.finished_at > b.deadline_at THEN 'warn' ELSE 'info' END, "
		"  CASE WHEN b.finished_at > b.deadline_at "
		"   THEN format('batch closed %s min after its deadline; the :45 payment file run was missed', "
		"               ceil(extract(epoch FROM b.finished_at - b.deadline_at) / 60)) "
		"   ELSE format('batch closed in %s min', ceil(extract(epoch FROM b.finished_at - b.started_at) / 60)) "
		"  END)) AS x(n, t, level, message) "
		"WHERE b.business_day < current_date AND x.t IS NOT NULL "
		"AND left(b.batch_id, length($2) + 1) = $2 || '-'", 2, params))
		return false;
	if (!shard_reload_log_id(c->s))
		return false;

	snprintf(base, sizeof base, "%lld", (long long)c->s->next_log_id);
	if (!shard_exec(c->s,
		"INSERT INTO batchtop.job_log (log_id, logged_at, biller_id, batch_id, level, message) "
		"SELECT $1::bigint - 1 + row_number() OVER (ORDER BY r.run_at, r.run_id), "
		"r.run_at, r.biller_id, NULL, "
		"CASE WHEN r.failed * 10 >= r.payments THEN 'warn' ELSE 'info' END, "
		"format('autopay run %s finished: %s payments, %s failed (%s%%)', r.run_id, "
		"       r.payments, r.failed, round(100.0 * r.failed / greatest(r.payments, 1), 1)) "
		"FROM batchtop.autopay_run AS r "
		"WHERE left(r.run_id, length($2) + 1) = $2 || '-'", 2, params))
		return false;
	return shard_reload_log_id(c->s);
}

static bool seed_all(struct seed_ctx *c)
{
	PGresult *res;
	int closes = 0;

	res = shard_query(c->s, "SELECT to_char(current_date, 'YYYYMMDD'), current_date::text",
			  0, NULL);
	if (!res)
		return false;
	snprintf(c->today, sizeof c->today, "%s", PQgetvalue(res, 0, 0));
	snprintf(c->day, sizeof c->day, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	c->night = 1;

	plan_billers(c);
	if (!insert_billers(c) || !insert_tonight(c, &closes) ||
	    !insert_autopay(c) || !insert_history(c) || !log_seeded(c))
		return false;
	shard_log(c->s, NULL, NULL, "info",
		  "batch-close scheduler: %d closes of %d billers scheduled for business day %s",
		  closes, c->nb, c->today);
	sim_warn("%s: seeded %d billers, %d closes tonight, %d past business days",
		 shard_label(c->s), c->nb, closes, c->cfg->history_days);
	return true;
}

bool seed_night(struct shard *s, const struct sim_config *cfg, const char *day, int night)
{
	struct seed_ctx c = { .s = s, .cfg = cfg, .night = night };
	int closes = 0;
	bool ok;

	/* The same billers as the first night: the same stream, drawn the
	 * same way; then the night's own stream. */
	rng_init_keyed(&c.r, cfg->seed, "shard", (uint64_t)s->number);
	plan_billers(&c);
	rng_init_keyed(&c.r, cfg->seed, "night",
		       (uint64_t)s->number * 100000u + (uint64_t)night);
	snprintf(c.day, sizeof c.day, "%s", day);
	snprintf(c.today, sizeof c.today, "%.4s%.2s%.2s", day, day + 5, day + 8);
	ok = insert_tonight(&c, &closes) && insert_autopay(&c);
	if (ok) {
		shard_log(s, NULL, NULL, "info",
			  "batch-close scheduler: %d closes of %d billers scheduled for business day %s",
			  closes, c.nb, c.today);
		sim_warn("%s: night %d: %d closes scheduled for business day %s",
			 shard_label(s), night, closes, c.day);
	}
	free(c.b);
	return ok;
}

bool seed_prepare(struct shard *s, const struct sim_config *cfg)
{
	struct seed_ctx c = { .s = s, .cfg = cfg };
	PGresult *res;
	bool ok = false;

	rng_init_keyed(&c.r, cfg->seed, "shard", (uint64_t)s->number);
	if (!shard_begin(s))
		return false;
	if (cfg->reset && !reset_tables(s))
		goto out;
	if (!cfg->no_seed) {
		res = shard_query(s, "SELECT count(*) FROM batchtop.biller", 0, NULL);
		if (!res)
			goto out;
		if (strcmp(PQgetvalue(res, 0, 0), "0") != 0)
			sim_warn("%s: already has %s billers; not seeding (--reset starts over)",
				 shard_label(s), PQgetvalue(res, 0, 0));
		else if (!seed_all(&c)) {
			PQclear(res);
			goto out;
		}
		PQclear(res);
	}
	ok = shard_flush_logs(s) && shard_commit(s);
out:
	if (!ok)
		shard_rollback(s);
	free(c.b);
	return ok;
}
