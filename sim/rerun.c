/*
 * rerun.c - the rerun queue worker (see rerun.h).
 *
 * The contract has no started_at for a request, so when each one started
 * is kept in memory (struct rerun_slot on the shard).  A request found
 * running without a slot (the simulator was restarted) starts its clock
 * again; a slot whose request is no longer running is dropped.
 */
#include "rerun.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advance.h"
#include "names.h"
#include "rng.h"

#define PICK_PER_TICK "4"

static struct rerun_slot *slot_find(struct shard *s, int64_t id)
{
	for (size_t i = 0; i < s->nreruns; i++)
		if (s->reruns[i].request_id == id)
			return &s->reruns[i];
	return NULL;
}

/* Start (or restart) the clock of a request; its fate comes from the seed. */
static struct rerun_slot *slot_start(struct shard *s, const struct sim_config *cfg,
				     int64_t id, double server_now)
{
	struct rerun_slot *sl = slot_find(s, id);
	struct rng r;
	char key[32];

	if (!sl) {
		if (s->nreruns == s->capreruns) {
			s->capreruns = s->capreruns ? s->capreruns * 2 : 8;
			s->reruns = sim_xrealloc(s->reruns, s->capreruns * sizeof *s->reruns);
		}
		sl = &s->reruns[s->nreruns++];
	}
	snprintf(key, sizeof key, "rerun:%" PRId64, id);
	rng_init_keyed(&r, cfg->seed, key, 0);
	sl->request_id = id;
	sl->started = server_now;
	/* 2-6 s at the default speed: 2-6 platform minutes. */
	sl->duration = (120.0 + 240.0 * rng_unit(&r)) / cfg->speed;
	sl->fails = rng_unit(&r) < 0.10;
	return sl;
}

static void slot_drop(struct shard *s, int64_t id)
{
	for (size_t i = 0; i < s->nreruns; i++)
		if (s->reruns[i].request_id == id) {
			s->reruns[i] = s->reruns[--s->nreruns];
			return;
		}
}

static bool end_request(struct shard *s, const char *id, bool done, const char *result)
{
	const char *params[3] = { id, done ? "done" : "failed", result };

	if (done)
		s->counts.reruns_done++;
	else
		s->counts.reruns_failed++;
	return shard_exec(s,
		"UPDATE batchtop.rerun_request SET status = $2, finished_at = now(), result = $3 "
		"WHERE request_id = $1::bigint", 3, params);
}

static bool start_batch(struct shard *s, const char *id, const char *batch, const char *by)
{
	const char *params[1] = { batch };
	PGresult *res;
	bool ok;

	res = shard_query(s,
		"UPDATE batchtop.batch_close AS b SET status = 'running', started_at = now(), "
		"finished_at = NULL, attempts = b.attempts + 1, updated_at = now() "
		"WHERE b.batch_id = $1 RETURNING b.biller_id, b.attempts", 1, params);
	if (!res)
		return false;
	if (PQntuples(res) == 0) {
		PQclear(res);
		shard_log(s, NULL, batch, "error", "rerun request #%s: there is no batch %s", id, batch);
		return end_request(s, id, false, "the batch no longer exists");
	}
	shard_log(s, PQgetvalue(res, 0, 0), batch, "info",
		  "rerun request #%s from %s picked up by the batch-close worker; attempt %s started",
		  id, by, PQgetvalue(res, 0, 1));
	ok = true;
	PQclear(res);
	return ok;
}

static bool start_invoice(struct shard *s, const char *id, const char *invoice, const char *by)
{
	const char *params[1] = { invoice };
	PGresult *res;

	res = shard_query(s,
		"SELECT f.biller_id, coalesce(max(f.amount_cents), 0) FROM batchtop.autopay_failure AS f "
		"WHERE f.invoice_id = $1 GROUP BY f.biller_id ORDER BY f.biller_id LIMIT 1", 1, params);
	if (!res)
		return false;
	if (PQntuples(res) == 0) {
		PQclear(res);
		shard_log(s, NULL, NULL, "error", "rerun request #%s: there is no failed invoice %s",
			  id, invoice);
		return end_request(s, id, false, "the invoice is not among the autopay failures");
	}
	shard_log(s, PQgetvalue(res, 0, 0), NULL, "info",
		  "rerun request #%s from %s: autopay payment of invoice %s ($%.2f) resubmitted",
		  id, by, invoice, strtod(PQgetvalue(res, 0, 1), NULL) / 100.0);
	PQclear(res);
	return true;
}

bool rerun_pickup(struct shard *s, const struct sim_config *cfg, double server_now)
{
	PGresult *res;
	bool ok = true;

	/* A request queued before its target was held waits for the release
	 * (contract v3), as a real worker's would. */
#define PICK_SQL(held) \
		"WITH picked AS (UPDATE batchtop.rerun_request AS r SET status = 'running' " \
		"  WHERE r.request_id IN (SELECT q.request_id FROM batchtop.rerun_request AS q " \
		"    WHERE q.status = 'pending' " held " ORDER BY q.requested_at, q.request_id " \
		"    LIMIT " PICK_PER_TICK " FOR UPDATE SKIP LOCKED) " \
		"  RETURNING r.request_id AS id, r.requested_at AS at, coalesce(r.kind, '') AS kind, " \
		"    coalesce(r.target_id, '') AS target, coalesce(r.requested_by, 'someone') AS who) " \
		"SELECT id, kind, target, who FROM picked ORDER BY at, id"
	res = shard_query(s, s->holds ? PICK_SQL(
		"AND CASE q.kind WHEN 'batch_close' THEN batchtop.batch_hold(q.target_id) "
		"  WHEN 'autopay_invoice' THEN batchtop.invoice_hold(q.target_id) END IS NULL")
		: PICK_SQL(""), 0, NULL);
#undef PICK_SQL
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res) && ok; i++) {
		const char *id = PQgetvalue(res, i, 0), *kind = PQgetvalue(res, i, 1);
		const char *target = PQgetvalue(res, i, 2), *by = PQgetvalue(res, i, 3);

		sim_debug("%s: rerun request #%s (%s %s) picked up", shard_label(s), id, kind, target);
		if (strcmp(kind, "batch_close") == 0) {
			ok = start_batch(s, id, target, by);
		} else if (strcmp(kind, "autopay_invoice") == 0) {
			ok = start_invoice(s, id, target, by);
		} else {
			shard_log(s, NULL, NULL, "error", "rerun request #%s has unknown kind '%s'", id, kind);
			ok = end_request(s, id, false, "unknown kind of rerun");
			continue;
		}
		slot_start(s, cfg, strtoll(id, NULL, 10), server_now);
	}
	PQclear(res);
	return ok;
}

static bool finish_batch(struct shard *s, const struct sim_config *cfg, const char *id,
			 const char *batch, bool fails)
{
	const char *params[1] = { batch };
	PGresult *res;
	char *result;
	bool ok;

	res = shard_query(s,
		"SELECT b.biller_id, b.attempts, coalesce(bl.is_demo, false), "
		"  (SELECT count(*) FROM batchtop.batch_close AS o WHERE o.status = 'running') "
		"FROM batchtop.batch_close AS b LEFT JOIN batchtop.biller AS bl ON bl.biller_id = b.biller_id "
		"WHERE b.batch_id = $1", 1, params);
	if (!res)
		return false;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return end_request(s, id, false, "the batch no longer exists");
	}
	if (fails) {
		char *msg = advance_fail(s, cfg, batch, PQgetvalue(res, 0, 0),
					 atoi(PQgetvalue(res, 0, 1)), atoi(PQgetvalue(res, 0, 3)),
					 PQgetvalue(res, 0, 2)[0] == 't');

		PQclear(res);
		if (!msg)
			return false;
		ok = end_request(s, id, false, msg);
		free(msg);
		return ok;
	}
	result = sim_xasprintf("batch closed on attempt %s", PQgetvalue(res, 0, 1));
	shard_log(s, PQgetvalue(res, 0, 0), batch, "info", "rerun request #%s done: %s", id, result);
	PQclear(res);
	ok = shard_exec(s,
		"UPDATE batchtop.batch_close SET status = 'closed', finished_at = now(), "
		"updated_at = now() WHERE batch_id = $1", 1, params) &&
	     end_request(s, id, true, result);
	s->counts.closed++;
	free(result);
	return ok;
}

static bool finish_invoice(struct shard *s, const struct sim_config *cfg, const char *id,
			   const char *invoice, bool fails)
{
	const char *params[2] = { invoice, fails ? "needs_rerun" : "rerun_done" };
	PGresult *res;
	char *result;
	bool ok;

	res = shard_query(s,
		"UPDATE batchtop.autopay_failure AS f SET invoice_status = $2 "
		"WHERE f.invoice_id = $1 AND f.invoice_status IN ('rerun_pending', 'needs_rerun') "
		"RETURNING f.biller_id, coalesce(f.amount_cents, 0)", 2, params);
	if (!res)
		return false;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return end_request(s, id, false, "the invoice no longer needs a rerun");
	}
	if (fails) {
		struct rng r;

		rng_init_keyed(&r, cfg->seed, invoice, 77);
		result = sim_xasprintf("%s", names_autopay_exception(&r, false));
		shard_log(s, PQgetvalue(res, 0, 0), NULL, "error",
			  "rerun request #%s failed: invoice %s: %s", id, invoice, result);
	} else {
		result = sim_xasprintf("payment of $%.2f collected",
				       strtod(PQgetvalue(res, 0, 1), NULL) / 100.0);
		shard_log(s, PQgetvalue(res, 0, 0), NULL, "info",
			  "rerun request #%s done: invoice %s: %s", id, invoice, result);
	}
	PQclear(res);
	ok = end_request(s, id, !fails, result);
	free(result);
	return ok;
}

bool rerun_finish(struct shard *s, const struct sim_config *cfg, double server_now)
{
	PGresult *res;
	bool ok = true;
	int n;
	int64_t *seen;

	res = shard_query(s,
		"SELECT r.request_id, coalesce(r.kind, ''), coalesce(r.target_id, '') "
		"FROM batchtop.rerun_request AS r WHERE r.status = 'running' "
		"ORDER BY r.request_id", 0, NULL);
	if (!res)
		return false;
	n = PQntuples(res);
	seen = sim_xmalloc((size_t)(n ? n : 1) * sizeof *seen);
	for (int i = 0; i < n; i++)
		seen[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	for (int i = 0; i < n && ok; i++) {
		const char *id = PQgetvalue(res, i, 0), *kind = PQgetvalue(res, i, 1);
		const char *target = PQgetvalue(res, i, 2);
		int64_t rid = seen[i];
		struct rerun_slot *sl = slot_find(s, rid);

		if (!sl)
			sl = slot_start(s, cfg, rid, server_now);
		if (server_now - sl->started < sl->duration)
			continue;
		if (strcmp(kind, "batch_close") == 0)
			ok = finish_batch(s, cfg, id, target, sl->fails);
		else if (strcmp(kind, "autopay_invoice") == 0)
			ok = finish_invoice(s, cfg, id, target, sl->fails);
		else
			ok = end_request(s, id, false, "unknown kind of rerun");
		sim_debug("%s: rerun request #%s finished", shard_label(s), id);
		slot_drop(s, rid);
	}
	/* Forget requests that are no longer running (ended by someone else). */
	for (size_t j = 0; j < s->nreruns;) {
		bool found = false;

		for (int i = 0; i < n && !found; i++)
			found = seen[i] == s->reruns[j].request_id;
		if (found)
			j++;
		else
			s->reruns[j] = s->reruns[--s->nreruns];
	}
	free(seen);
	PQclear(res);
	return ok;
}
