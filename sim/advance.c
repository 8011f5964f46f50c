/*
 * advance.c - start, finish and fail batch closes (see advance.h).
 *
 * A close's attempt runs for a fraction of its window: mostly well inside
 * it, some near the deadline, a few past it.  Whether it fails is drawn
 * against --fail-rate; so that a demo shows a failure within its first
 * minute, the third close to finish on a shard in a run fails if none has
 * yet (demo billers excluded: their failures are the false alarms).
 */
#include "advance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "rng.h"

struct attempt_plan {
	double frac;	/* of the window */
	bool fails;
};

static void plan_attempt(const struct sim_config *cfg, const char *batch_id, int attempt,
			 struct attempt_plan *p)
{
	static const int w[] = { 70, 18, 8, 4 };
	struct rng r;
	double u;

	rng_init_keyed(&r, cfg->seed, batch_id, (uint64_t)attempt);
	u = rng_unit(&r);
	switch (rng_weighted(&r, w, 4)) {
	case 0:
		p->frac = 0.10 + 0.50 * u;	/* well inside */
		break;
	case 1:
		p->frac = 0.60 + 0.30 * u;
		break;
	case 2:
		p->frac = 0.90 + 0.15 * u;	/* near the deadline */
		break;
	default:
		p->frac = 1.05 + 0.55 * u;	/* missed the hour */
		break;
	}
	p->fails = rng_unit(&r) < cfg->fail_rate;
	if (p->fails)	/* a timeout or a lost connection ends it early */
		p->frac *= 0.3 + 0.6 * rng_unit(&r);
}

/* Contract v3, as a real worker honours it: a due close that an active
 * hold selects is not started but set 'held'; a held close that no hold
 * selects any more (released by any path) is 'scheduled' again, and
 * starts below if it is due. */
static bool hold_step(struct shard *s)
{
	PGresult *res;

	if (!s->holds)
		return true;
	res = shard_query(s,
		"UPDATE batchtop.batch_close AS b SET status = 'held' "
		"WHERE b.status = 'scheduled' AND b.scheduled_at <= now() "
		"  AND batchtop.batch_hold(b.batch_id) IS NOT NULL "
		"RETURNING b.batch_id, b.biller_id, batchtop.batch_hold(b.batch_id)", 0, NULL);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res); i++)
		shard_log(s, PQgetvalue(res, i, 1), PQgetvalue(res, i, 0), "warn",
			  "batch close not started: held by hold %s", PQgetvalue(res, i, 2));
	PQclear(res);
	res = shard_query(s,
		"UPDATE batchtop.batch_close AS b SET status = 'scheduled' "
		"WHERE b.status = 'held' AND batchtop.batch_hold(b.batch_id) IS NULL "
		"RETURNING b.batch_id, b.biller_id", 0, NULL);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res); i++)
		shard_log(s, PQgetvalue(res, i, 1), PQgetvalue(res, i, 0), "info",
			  "hold released: batch close scheduled again");
	PQclear(res);
	return true;
}

bool advance_start_due(struct shard *s, const struct sim_config *cfg)
{
	PGresult *res;

	(void)cfg;
	if (!hold_step(s))
		return false;
	/* The hold check is in the same statement as the start, so a hold
	 * placed at this moment either sees the batch running or keeps it. */
	res = shard_query(s, s->holds ?
		"UPDATE batchtop.batch_close AS b "
		"SET status = 'running', started_at = now(), finished_at = NULL, "
		"    attempts = b.attempts + 1, updated_at = now() "
		"WHERE b.status = 'scheduled' AND b.scheduled_at <= now() "
		"  AND batchtop.batch_hold(b.batch_id) IS NULL "
		"RETURNING b.batch_id, b.biller_id, b.payment_type, b.module, b.attempts, "
		"  coalesce((SELECT bl.name FROM batchtop.biller AS bl WHERE bl.biller_id = b.biller_id), b.biller_id), "
		"  coalesce(to_char(b.deadline_at, 'HH24:MI:SS TZ'), 'unknown')" :
		"UPDATE batchtop.batch_close AS b "
		"SET status = 'running', started_at = now(), finished_at = NULL, "
		"    attempts = b.attempts + 1, updated_at = now() "
		"WHERE b.status = 'scheduled' AND b.scheduled_at <= now() "
		"RETURNING b.batch_id, b.biller_id, b.payment_type, b.module, b.attempts, "
		"  coalesce((SELECT bl.name FROM batchtop.biller AS bl WHERE bl.biller_id = b.biller_id), b.biller_id), "
		"  coalesce(to_char(b.deadline_at, 'HH24:MI:SS TZ'), 'unknown')",
		0, NULL);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *batch = PQgetvalue(res, i, 0), *biller = PQgetvalue(res, i, 1);

		shard_log(s, biller, batch, "info", "batch close started for %s: %s/%s, attempt %s",
			  PQgetvalue(res, i, 5), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
			  PQgetvalue(res, i, 4));
		shard_log(s, biller, batch, "debug", "close lock acquired on %s; deadline %s",
			  batch, PQgetvalue(res, i, 6));
		sim_debug("%s: %s started", shard_label(s), batch);
		s->counts.started++;
	}
	PQclear(res);
	return true;
}

static bool warned(struct shard *s, const char *key, bool add)
{
	for (size_t i = 0; i < s->nwarned; i++)
		if (strcmp(s->warned[i], key) == 0)
			return true;
	if (add) {
		if (s->nwarned == s->capwarned) {
			s->capwarned = s->capwarned ? s->capwarned * 2 : 16;
			s->warned = sim_xrealloc(s->warned, s->capwarned * sizeof *s->warned);
		}
		s->warned[s->nwarned++] = sim_xstrdup(key);
	}
	return false;
}

static void unwarn(struct shard *s, const char *key)
{
	for (size_t i = 0; i < s->nwarned; i++)
		if (strcmp(s->warned[i], key) == 0) {
			free(s->warned[i]);
			s->warned[i] = s->warned[--s->nwarned];
			return;
		}
}

static const char *const failure_lead[][2] = {
	{ "multishard", "waiting for the cross-shard settlement lock" },
	{ "db_timeout", "summary query is still running; statement timeout is near" },
	{ "processor_connect", "payment processor did not answer; retrying the connection once" },
	{ "other", "unexpected exception while finishing the batch" },
};

char *advance_fail(struct shard *s, const struct sim_config *cfg, const char *batch_id,
		   const char *biller_id, int attempt, int concurrent, bool demo)
{
	struct rng r;
	const char *cls;
	char *msg;
	const char *params[3];

	rng_init_keyed(&r, cfg->seed, batch_id, 1000u + (uint64_t)attempt);
	cls = names_error_class(&r);
	msg = names_error_message(&r, cls, batch_id, s->db, concurrent);
	params[0] = batch_id;
	params[1] = cls;
	params[2] = msg;
	if (!shard_exec(s,
		"UPDATE batchtop.batch_close SET status = 'failed', finished_at = now(), "
		"error_class = $2, error_message = $3, updated_at = now() "
		"WHERE batch_id = $1", 3, params)) {
		free(msg);
		return NULL;
	}
	for (size_t i = 0; i < sizeof failure_lead / sizeof failure_lead[0]; i++)
		if (strcmp(failure_lead[i][0], cls) == 0)
			shard_log(s, biller_id, batch_id, "warn", "%s", failure_lead[i][1]);
	shard_log(s, biller_id, batch_id, "error", "%s", msg);
	if (demo)
		shard_log(s, biller_id, batch_id, "debug",
			  "demo biller: failure recorded, alert suppressed");
	else
		shard_log(s, biller_id, batch_id, "info",
			  "alert raised to on-call: batch close failed on attempt %d (%s); rerun before :45",
			  attempt, cls);
	sim_debug("%s: %s failed (%s)", shard_label(s), batch_id, cls);
	s->counts.failed++;
	s->failed_this_run++;
	s->finished_this_run++;
	return msg;
}

static bool close_batch(struct shard *s, const char *batch_id, const char *biller_id,
			double elapsed)
{
	const char *params[1] = { batch_id };
	PGresult *res;
	bool late;

	res = shard_query(s,
		"UPDATE batchtop.batch_close AS b SET status = 'closed', finished_at = now(), "
		"updated_at = now() WHERE b.batch_id = $1 "
		"RETURNING extract(epoch FROM now() - coalesce(b.deadline_at, "
		"  b.scheduled_at + interval '45 minutes'))::float8", 1, params);
	if (!res)
		return false;
	if (PQntuples(res) == 1) {
		double over = strtod(PQgetvalue(res, 0, 0), NULL);

		late = over > 0;
		shard_log(s, biller_id, batch_id, "debug", "settlement totals written");
		if (late)
			shard_log(s, biller_id, batch_id, "warn",
				  "batch closed %s after its deadline (took %s); the :45 payment file run was missed",
				  sim_format_seconds(over), sim_format_seconds(elapsed));
		else
			shard_log(s, biller_id, batch_id, "info", "batch closed in %s",
				  sim_format_seconds(elapsed));
		shard_log(s, biller_id, batch_id, "debug", "batch summary email queued");
		sim_debug("%s: %s closed%s", shard_label(s), batch_id, late ? " late" : "");
		s->counts.closed++;
		s->finished_this_run++;
	}
	PQclear(res);
	return true;
}

bool advance_finish_running(struct shard *s, const struct sim_config *cfg)
{
	PGresult *res;
	int n;
	bool ok = true;

	res = shard_query(s,
		"SELECT b.batch_id, b.biller_id, b.attempts, "
		"  extract(epoch FROM now() - coalesce(b.started_at, b.updated_at))::float8, "
		"  extract(epoch FROM coalesce(b.deadline_at, b.scheduled_at + interval '45 minutes') "
		"    - b.scheduled_at)::float8, "
		"  coalesce(bl.is_demo, false) "
		"FROM batchtop.batch_close AS b "
		"LEFT JOIN batchtop.biller AS bl ON bl.biller_id = b.biller_id "
		"WHERE b.status = 'running' AND NOT EXISTS (SELECT 1 FROM batchtop.rerun_request AS r "
		"  WHERE r.kind = 'batch_close' AND r.target_id = b.batch_id AND r.status = 'running') "
		"ORDER BY b.started_at, b.batch_id", 0, NULL);
	if (!res)
		return false;
	n = PQntuples(res);
	for (int i = 0; i < n && ok; i++) {
		const char *batch = PQgetvalue(res, i, 0), *biller = PQgetvalue(res, i, 1);
		int attempt = atoi(PQgetvalue(res, i, 2));
		double elapsed = strtod(PQgetvalue(res, i, 3), NULL);
		double win = strtod(PQgetvalue(res, i, 4), NULL);
		bool demo = PQgetvalue(res, i, 5)[0] == 't';
		struct attempt_plan p;
		char key[200];

		if (win <= 0)
			win = sim_window_seconds(cfg);
		plan_attempt(cfg, batch, attempt, &p);
		snprintf(key, sizeof key, "%s#%d", batch, attempt);
		if (elapsed < p.frac * win) {
			if (elapsed >= 0.8 * win && !warned(s, key, true))
				shard_log(s, biller, batch, "warn",
					  "still running at 80%% of its window, %s before the deadline",
					  sim_format_seconds(win - elapsed));
			continue;
		}
		unwarn(s, key);
		if (!p.fails && !demo && cfg->fail_rate > 0 &&
		    s->failed_this_run == 0 && s->finished_this_run >= 2)
			p.fails = true;
		if (p.fails) {
			char *msg = advance_fail(s, cfg, batch, biller, attempt, n, demo);

			ok = msg != NULL;
			free(msg);
		} else {
			ok = close_batch(s, batch, biller, elapsed);
		}
	}
	PQclear(res);
	return ok;
}
