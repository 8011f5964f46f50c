/*
 * advance.c - start, finish and fail batch closes (see advance.h).
 *
 * Tonight's closes follow the history's model (duration.h): a due close
 * starts after its start delay, and runs for its biller's typical duration
 * with its own noise (now and then a slow outlier), stretched by the load
 * of its wave counted as seed.c counts the history's, so batchtop's
 * forecasts from that history fit what happens live.  Whether it fails is
 * drawn against --fail-rate (a failure ends it part way); so that a demo
 * shows a failure within its first minute, the third close to finish on a
 * shard in a run fails if none has yet (demo billers excluded: their
 * failures are the false alarms).
 */
#include "advance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "names.h"
#include "rng.h"

/* The key of a biller (for its size) or of one of its closes (for the
 * close's own draws): its shard's number and the biller's, as seed.c keys
 * it, then the rest of the id.  So a close of a scratch database of
 * another name has the size its history was seeded with, and the same
 * biller's close of the same day draws the same noise and delay on any
 * shard that is first on its simulator's command line: only the load
 * differs. */
static void shard_key(const struct shard *s, const char *id, char *key, size_t n)
{
	size_t len = strlen(s->db);
	char *end;
	long num;

	if (strncmp(id, s->db, len) == 0 && strncmp(id + len, "-b", 2) == 0) {
		num = strtol(id + len + 2, &end, 10);
		if ((*end == '\0' || *end == '-') && num > 0) {
			snprintf(key, n, "shard%d-b%03ld%s", s->number, num, end);
			return;
		}
	}
	snprintf(key, n, "%s", id);
}

/* The load of b's wave, as seed.c's history counts it: the closes of its
 * business day scheduled within DURATION_LOAD_RADIUS platform seconds of
 * it, past DURATION_LOAD_FREE.  $1 is the radius in real seconds. */
#define LOAD_OVER_SQL \
	"greatest((SELECT count(*) FROM batchtop.batch_close AS o " \
	"  WHERE o.business_day = b.business_day " \
	"  AND o.scheduled_at BETWEEN b.scheduled_at - $1::float8 * interval '1 second' " \
	"  AND b.scheduled_at + $1::float8 * interval '1 second') - 1 - $2::int, 0)"

static void load_params(const struct sim_config *cfg, char *radius, size_t nr, char *free_,
			size_t nf)
{
	snprintf(radius, nr, "%.6f", DURATION_LOAD_RADIUS / cfg->speed);
	snprintf(free_, nf, "%d", DURATION_LOAD_FREE);
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

static bool start_one(struct shard *s, const char *batch_id)
{
	const char *params[1] = { batch_id };
	PGresult *res;

	/* The hold check is in the same statement as the start, so a hold
	 * placed at this moment either sees the batch running or keeps it. */
	res = shard_query(s, s->holds ?
		"UPDATE batchtop.batch_close AS b "
		"SET status = 'running', started_at = now(), finished_at = NULL, "
		"    attempts = b.attempts + 1, updated_at = now() "
		"WHERE b.batch_id = $1 AND b.status = 'scheduled' "
		"  AND batchtop.batch_hold(b.batch_id) IS NULL "
		"RETURNING b.batch_id, b.biller_id, b.payment_type, b.module, b.attempts, "
		"  coalesce((SELECT bl.name FROM batchtop.biller AS bl WHERE bl.biller_id = b.biller_id), b.biller_id), "
		"  coalesce(to_char(b.deadline_at, 'HH24:MI:SS TZ'), 'unknown')" :
		"UPDATE batchtop.batch_close AS b "
		"SET status = 'running', started_at = now(), finished_at = NULL, "
		"    attempts = b.attempts + 1, updated_at = now() "
		"WHERE b.batch_id = $1 AND b.status = 'scheduled' "
		"RETURNING b.batch_id, b.biller_id, b.payment_type, b.module, b.attempts, "
		"  coalesce((SELECT bl.name FROM batchtop.biller AS bl WHERE bl.biller_id = b.biller_id), b.biller_id), "
		"  coalesce(to_char(b.deadline_at, 'HH24:MI:SS TZ'), 'unknown')",
		1, params);
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

bool advance_start_due(struct shard *s, const struct sim_config *cfg)
{
	char radius[32], free_[16];
	const char *params[2] = { radius, free_ };
	PGresult *res;
	bool ok = true;

	if (!hold_step(s))
		return false;
	/* A due close starts after its start delay (duration.h: drawn, plus
	 * the wait its wave's load adds), as the history's did. */
	load_params(cfg, radius, sizeof radius, free_, sizeof free_);
	res = shard_query(s,
		"SELECT b.batch_id, b.biller_id, b.attempts, "
		"  extract(epoch FROM now() - b.scheduled_at)::float8, " LOAD_OVER_SQL " "
		"FROM batchtop.batch_close AS b "
		"WHERE b.status = 'scheduled' AND b.scheduled_at <= now() "
		"ORDER BY b.scheduled_at, b.batch_id", 2, params);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res) && ok; i++) {
		const char *batch = PQgetvalue(res, i, 0);
		double since = strtod(PQgetvalue(res, i, 3), NULL);
		struct duration_plan p;
		char key[128], bkey[200];

		shard_key(s, PQgetvalue(res, i, 1), key, sizeof key);
		shard_key(s, batch, bkey, sizeof bkey);
		duration_plan_close(cfg->seed, key, bkey, atoi(PQgetvalue(res, i, 2)) + 1,
				    atoi(PQgetvalue(res, i, 4)), cfg->fail_rate, &p);
		if (since >= p.delay / cfg->speed)
			ok = start_one(s, batch);
	}
	PQclear(res);
	return ok;
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
	char radius[32], free_[16];
	const char *params[2] = { radius, free_ };
	PGresult *res;
	int n;
	bool ok = true;

	load_params(cfg, radius, sizeof radius, free_, sizeof free_);
	res = shard_query(s,
		"SELECT b.batch_id, b.biller_id, b.attempts, "
		"  extract(epoch FROM now() - coalesce(b.started_at, b.updated_at))::float8, "
		"  extract(epoch FROM coalesce(b.deadline_at, b.scheduled_at + interval '45 minutes') "
		"    - now())::float8, "
		"  coalesce(bl.is_demo, false), " LOAD_OVER_SQL " "
		"FROM batchtop.batch_close AS b "
		"LEFT JOIN batchtop.biller AS bl ON bl.biller_id = b.biller_id "
		"WHERE b.status = 'running' AND NOT EXISTS (SELECT 1 FROM batchtop.rerun_request AS r "
		"  WHERE r.kind = 'batch_close' AND r.target_id = b.batch_id AND r.status = 'running') "
		"ORDER BY b.started_at, b.batch_id", 2, params);
	if (!res)
		return false;
	n = PQntuples(res);
	for (int i = 0; i < n && ok; i++) {
		const char *batch = PQgetvalue(res, i, 0), *biller = PQgetvalue(res, i, 1);
		int attempt = atoi(PQgetvalue(res, i, 2));
		double elapsed = strtod(PQgetvalue(res, i, 3), NULL);
		double left = strtod(PQgetvalue(res, i, 4), NULL);
		bool demo = PQgetvalue(res, i, 5)[0] == 't';
		struct duration_plan p;
		char key[200], bkey[200];
		double runs;

		shard_key(s, biller, key, sizeof key);
		shard_key(s, batch, bkey, sizeof bkey);
		duration_plan_close(cfg->seed, key, bkey, attempt, atoi(PQgetvalue(res, i, 6)),
				    cfg->fail_rate, &p);
		runs = p.duration / cfg->speed * (p.fails ? p.fail_frac : 1.0);
		snprintf(key, sizeof key, "%s#%d", batch, attempt);
		if (elapsed < runs) {
			double win = elapsed + left;

			if (win > 0 && elapsed >= 0.8 * win && !warned(s, key, true))
				shard_log(s, biller, batch, "warn",
					  "still running at 80%% of its window, %s before the deadline",
					  sim_format_seconds(left));
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
