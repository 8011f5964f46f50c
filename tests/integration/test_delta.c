/*
 * test_delta.c - incremental polls of a contract-v2 shard, on a real
 * PostgreSQL: a full poll, then polls that read only what changed and
 * share the rest; the delta query's plan (index scans only) and server
 * time; a writer whose transaction outlives the cursor's margin, caught by
 * the full resync within its bound; deletions at the resync; a v1 shard
 * polled in full and saying so.
 */
#include "autoconf.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/hold.h"
#include "core/note.h"
#include "data/log.h"
#include "query/query_poll.h"
#include "query/query_zones.h"
#include "../pgtest.h"

static struct {
	char db[64];
	char logpath[256];
	int wake[2];
	PGconn *admin;
	struct config cfg;
	struct shard_poller *p;
} T;

static void drain_wake(void)
{
	char buf[256];

	while (read(T.wake[0], buf, sizeof buf) > 0)
		;
}

/* A database with n billers, each with two batches tonight. */
static void shard_make(const char *tag, int n)
{
	char q[1024];

	snprintf(T.db, sizeof T.db, "td_%ld_%.20s", (long)getpid(), tag);
	pgtest_db_create(T.db, NULL, "batchtop_viewer");
	T.admin = pgtest_connect(T.db, "test_delta");
	snprintf(q, sizeof q,
		 "INSERT INTO batchtop.biller SELECT 'b' || i, 'Biller ' || i,"
		 " (ARRAY['America/Chicago','America/New_York','UTC'])[1 + i %% 3],"
		 " 1 + i %% 3, false FROM generate_series(1, %d) i;"
		 "INSERT INTO batchtop.batch_close (batch_id, biller_id,"
		 " business_day, payment_type, module, scheduled_at, status,"
		 " attempts) SELECT 'b' || i || '-' || k, 'b' || i, current_date,"
		 " (ARRAY['card','ach'])[k], 'close',"
		 " now() - interval '1 hour' + k * interval '10 min', 'scheduled', 0"
		 " FROM generate_series(1, %d) i, generate_series(1, 2) k;"
		 "INSERT INTO batchtop.autopay_run SELECT 'r' || i, 'b' || i,"
		 " now() - interval '2 hours', 10, i %% 2"
		 " FROM generate_series(1, %d) i;"
		 "INSERT INTO batchtop.rerun_request (kind, target_id,"
		 " requested_by, requested_at, status, finished_at)"
		 " SELECT 'batch_close', 'b' || i || '-1', 'amy',"
		 " now() - interval '3 hours', 'done', now() - interval '170 min'"
		 " FROM generate_series(1, %d, 10) i;"
		 "ANALYZE batchtop.biller; ANALYZE batchtop.batch_close;"
		 "ANALYZE batchtop.autopay_run; ANALYZE batchtop.rerun_request;",
		 n, n, n, n);
	pgtest_sql(T.admin, q);
}

static void start_poller(void)
{
	char dsn[1400], host[1100];

	pgtest_host(host, sizeof host);
	snprintf(dsn, sizeof dsn, "host=%s dbname=%s user=bt_viewer", host, T.db);
	T.p = pgtest_poller(0, "delta", dsn, &T.cfg, T.wake[1]);
}

static int setup(void **state)
{
	(void)state;
	pgtest_config(&T.cfg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (T.p)
		shard_poller_free(T.p, 3000);
	T.p = NULL;
	if (T.admin)
		PQfinish(T.admin);
	T.admin = NULL;
	if (T.db[0])
		pgtest_db_drop(T.db);
	T.db[0] = '\0';
	drain_wake();
	return 0;
}

typedef bool (*pred_fn)(const struct shard_health *h,
			const struct snapshot *s, const void *arg);

/* The first snapshot for which pred holds, within ms (NULL if none). */
static struct snapshot *wait_for(pred_fn pred, const void *arg, int ms,
				 struct shard_health *h)
{
	int64_t end = pgtest_now_ms() + ms;

	for (;;) {
		struct snapshot *s = NULL;

		shard_poller_read(T.p, &s, h);
		if (s && h->state == SHARD_OK && pred(h, s, arg))
			return s;
		snapshot_unref(s);
		if (pgtest_now_ms() >= end)
			return NULL;
		drain_wake();
		pgtest_sleep_ms(10);
	}
}

/* wait_for, failing the test when pred does not hold in time. */
static struct snapshot *expect_for(pred_fn pred, const void *arg, int ms,
				   struct shard_health *h, const char *what)
{
	struct snapshot *s = wait_for(pred, arg, ms, h);

	if (!s) {
		fail_msg("not %s within %d ms: state %d, polls ok %u, reason"
			 " \"%s\"", what, ms, (int)h->state, h->polls_ok,
			 h->reason);
		abort();	/* not reached: fail_msg does not return */
	}
	return s;
}

static bool any(const struct shard_health *h, const struct snapshot *s,
		const void *arg)
{
	(void)h, (void)s, (void)arg;
	return true;
}

/* An incremental poll that found nothing changed (once the rows loaded
 * are older than the cursor's margin). */
static bool delta_idle(const struct shard_health *h,
		       const struct snapshot *s, const void *arg)
{
	(void)h;
	return s != arg && s->delta && s->rows_read == 1;
}

/* Batch arg's status is "failed". */
static bool batch_failed(const struct shard_health *h,
			 const struct snapshot *s, const void *arg)
{
	const struct batch *t = pgtest_find_batch(s, arg);

	(void)h;
	return t && !strcmp(t->kind->status, "failed");
}

static bool batch_running(const struct shard_health *h,
			  const struct snapshot *s, const void *arg)
{
	const struct batch *t = pgtest_find_batch(s, arg);

	(void)h;
	return t && !strcmp(t->kind->status, "running");
}

static bool batch_gone(const struct shard_health *h,
		       const struct snapshot *s, const void *arg)
{
	(void)h;
	return !pgtest_find_batch(s, arg);
}

/* Full, then incremental: an unchanged poll reads one row and shares the
 * arrays; a change re-reads one biller and shares every other. */
static void test_full_then_delta(void **state)
{
	struct shard_health h;
	struct snapshot *full, *idle, *idle2, *changed;
	const struct biller *b7;

	(void)state;
	T.cfg.poll_overlap = 1;
	shard_make("basic", 50);
	start_poller();
	full = expect_for(any, NULL, PGTEST_WAIT_MS, &h, "full");
	assert_false(full->delta);
	assert_int_equal(h.contract, 3);	/* the reference is v3 (holds) */
	assert_int_equal(full->nbillers, 50);
	assert_int_equal(full->nbatches, 100);

	idle = expect_for(delta_idle, NULL, PGTEST_WAIT_MS, &h, "idle");
	assert_int_equal(idle->rows_read, 1);	/* the clock row alone */
	assert_int_equal(idle->nchanged, 0);
	assert_int_equal(idle->names_id, full->names_id);
	/* The next idle poll shares the arrays themselves. */
	idle2 = expect_for(delta_idle, idle, PGTEST_WAIT_MS, &h, "idle again");
	assert_ptr_equal(idle2->chunks, idle->chunks);
	assert_ptr_equal(snapshot_biller(idle2, 0)->batches, snapshot_biller(idle, 0)->batches);
	snapshot_unref(idle2);
	assert_true(idle->server_now > full->server_now);

	pgtest_sql(T.admin, "UPDATE batchtop.batch_close SET status = 'failed',"
		   " error_class = 'multishard' WHERE batch_id = 'b7-2'");
	changed = expect_for(batch_failed, "b7-2", PGTEST_WAIT_MS, &h, "changed");
	assert_true(changed->delta);
	assert_int_equal(changed->nchanged, 1);
	assert_int_equal(changed->rows_read, 2);	/* b7's two batches */
	assert_int_equal(changed->nbillers, 50);
	assert_int_equal(changed->nbatches, 100);
	assert_int_equal(changed->names_id, full->names_id);
	b7 = pgtest_biller(changed, "b7");
	assert_string_equal(b7->last_error_class, "multishard");
	/* Every other biller's strings are the idle poll's, not copies. */
	assert_ptr_equal(pgtest_biller(changed, "b8")->name,
			 pgtest_biller(idle, "b8")->name);
	assert_ptr_not_equal(b7->name, pgtest_biller(idle, "b7")->name);
	/* Interned: one copy of each payment type per shard. */
	assert_ptr_equal(pgtest_batch(changed, "b7-2")->kind->payment_type,
			 pgtest_batch(full, "b9-2")->kind->payment_type);
	assert_string_equal(pgtest_batch(full, "b7-2")->kind->status, "scheduled");

	/* A new rerun request re-reads its batch's biller. */
	pgtest_sql(T.admin, "INSERT INTO batchtop.rerun_request (kind, target_id,"
		   " requested_by, status) VALUES ('batch_close', 'b9-1', 'amy',"
		   " 'pending')");
	snapshot_unref(changed);
	for (int64_t end = pgtest_now_ms() + PGTEST_WAIT_MS;;) {
		changed = expect_for(any, NULL, PGTEST_WAIT_MS, &h, "changed");
		if (!strcmp(batch_rerun_status(pgtest_batch(changed, "b9-1")), "pending"))
			break;
		snapshot_unref(changed);
		assert_true(pgtest_now_ms() < end);
		pgtest_sleep_ms(50);
	}
	assert_true(changed->delta);
	assert_string_equal(batch_rerun_by(pgtest_batch(changed, "b9-1")), "amy");
	assert_true(h.polls_delta >= 2);
	snapshot_unref(changed);
	snapshot_unref(idle);
	snapshot_unref(full);
}

/* The delta query's plan on 10,000 billers: index scans only; and its
 * server time, planning and execution, printed for the record. */
static double plan_ms(const char *sql, int n, const char *const *params,
		      bool print_plan, bool *seq)
{
	char q[8192];
	PGresult *r;
	double ms = -1, plan = 0;

	snprintf(q, sizeof q, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) %s", sql);
	r = pgtest_sqlp(T.admin, q, n, params);
	*seq = false;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *line = PQgetvalue(r, i, 0);

		if (strstr(line, "Seq Scan"))
			*seq = true;
		if (print_plan)
			fprintf(stderr, "#   %s\n", line);
		if (!strncmp(line, "Planning Time: ", 15))
			plan = atof(line + 15);
		if (!strncmp(line, "Execution Time: ", 16))
			ms = atof(line + 16);
	}
	PQclear(r);
	return ms < 0 ? ms : plan + ms;
}

/* The server's log lines that reach the client (auto_explain's plans). */
static char notices[1 << 16];

static void keep_notice(void *arg, const PGresult *res)
{
	size_t len = strlen(notices);

	(void)arg;
	snprintf(notices + len, sizeof notices - len, "%s",
		 PQresultErrorMessage(res));
}

/* poll_delta()'s own statements, as the session's cached generic plans
 * run them (auto_explain, after the five custom plans a cache may try):
 * index scans only (strict), printed; or none on the billers or the
 * batches. */
static void fn_plans(const char *const *params, bool strict)
{
	PQnoticeReceiver old = PQsetNoticeReceiver(T.admin, keep_notice, NULL);
	bool bad;

	for (int i = 0; i < 6; i++)
		PQclear(pgtest_sqlp(T.admin, query_poll_delta_fn_sql, 6, params));
	pgtest_sql(T.admin, "LOAD 'auto_explain';"
		   "SET auto_explain.log_min_duration = 0;"
		   "SET auto_explain.log_nested_statements = on;"
		   "SET client_min_messages = log");
	notices[0] = '\0';
	PQclear(pgtest_sqlp(T.admin, query_poll_delta_fn_sql, 6, params));
	pgtest_sql(T.admin, "SET client_min_messages = warning;"
		   "SET auto_explain.log_min_duration = -1");
	PQsetNoticeReceiver(T.admin, old, NULL);
	/* At 1,000 billers a few rerun requests are a page, which a scan
	 * reads faster than an index; the billers and the batches are not. */
	bad = strict ? strstr(notices, "Seq Scan") != NULL
		     : strstr(notices, "Seq Scan on biller") ||
		       strstr(notices, "Seq Scan on batch_close");
	if (strict || bad)
		fprintf(stderr, "# poll_delta()'s plans:\n%s", notices);
	assert_non_null(strstr(notices, "batch_close_updated_at_idx"));
	if (bad)
		fail_msg("poll_delta() scans a table sequentially");
	/* Tonight's batches, all of them, to keep a changed biller's. */
	if (strict && strstr(notices, "batch_close_scheduled_at_idx"))
		fail_msg("poll_delta() reads batches by their scheduled_at");
}

static void measure(int n, bool check_plan)
{
	char *zones;
	char cursor[32];
	const char *params[6];
	double best_delta = 1e9, best_full = 1e9, best_fn = 1e9;
	bool seq;

	shard_make(check_plan ? "plan" : "small", n);
	{
		PGresult *z = pgtest_sqlp(T.admin, query_poll_zones_sql, 0, NULL);

		zones = query_poll_zones(z);
		assert_non_null(zones);
		assert_true(query_poll_has_version(z));
		PQclear(z);
	}
	snprintf(cursor, sizeof cursor, "%lld", (long long)pgtest_sql_int(T.admin,
		 "SELECT (extract(epoch FROM now()) * 1000)::bigint"));
	/* Steady state: a few changes since the cursor. */
	pgtest_sql(T.admin, "UPDATE batchtop.batch_close SET attempts = 1"
		   " WHERE batch_id IN ('b1-1', 'b2-2', 'b3-1')");
	params[0] = "12";
	params[1] = "45";
	params[2] = zones;
	params[3] = cursor;
	params[4] = "{}";	/* holding nothing: the most it re-reads */
	params[5] = "{}";
	for (int i = 0; i < 5; i++) {
		double d = plan_ms(query_poll_delta_sql, 6, params,
				   check_plan && i == 0, &seq);

		if (check_plan && seq)
			fail_msg("the delta query scans a table sequentially");
		if (d < best_delta)
			best_delta = d;
	}
	/* The same through poll_delta(), its plans cached after the first
	 * calls: the execution time of the call is all of the function's. */
	for (int i = 0; i < 8; i++) {
		double d = plan_ms(query_poll_delta_fn_sql, 6, params, false,
				   &seq);

		if (d < best_fn)
			best_fn = d;
	}
	/* Index scans only at 1,000 billers too, where a sequential scan
	 * of the billers is what a generic plan would pick for "= ANY". */
	fn_plans(params, check_plan);
	params[3] = "10";	/* poll_overlap */
	for (int i = 0; i < 2; i++) {
		double d = plan_ms(query_poll_sql, 4, params, false, &seq);

		if (d < best_full)
			best_full = d;
	}
	fprintf(stderr, "# %d billers: server time of a poll (EXPLAIN ANALYZE,"
		" planning + execution, best of several): incremental %.2f ms (3 billers changed),"
		" through poll_delta() %.2f ms, full %.2f ms\n", n, best_delta,
		best_fn, best_full);
	assert_true(best_delta >= 0);
	/* Relative, so a loaded machine does not fail it: at 10,000 billers
	 * a steady-state poll costs a small fraction of a full one. */
	if (check_plan && best_delta * 10 > best_full)
		fail_msg("incremental %.2f ms is not a tenth of full %.2f ms",
			 best_delta, best_full);
	free(zones);
}

static void test_plan_10000(void **state)
{
	(void)state;
	measure(10000, true);
}

static void test_time_1000(void **state)
{
	(void)state;
	measure(1000, false);
}

/* Within the default 10 s overlap, a biller is re-read once per change,
 * not on every poll the overlap reaches: the rows it holds as they are
 * (their signatures) are not re-sent.  A change that keeps updated_at (a
 * writer that set it ahead; or one that waited on another's row lock, whose
 * updated_at then stays the first one's) is a change all the same. */
static void test_watermark(void **state)
{
	struct shard_health h;
	struct snapshot *full, *changed, *idle, *again;

	(void)state;
	assert_int_equal(T.cfg.poll_overlap, 10);
	shard_make("watermark", 50);
	start_poller();
	full = expect_for(any, NULL, PGTEST_WAIT_MS, &h, "full");
	/* The autopay runs and rerun requests just loaded are re-read for
	 * the overlap (they have no signature: they seldom change). */
	idle = expect_for(delta_idle, full, PGTEST_WAIT_MS, &h, "idle");
	snapshot_unref(idle);

	pgtest_sql(T.admin, "UPDATE batchtop.batch_close SET status = 'failed'"
		   " WHERE batch_id = 'b7-2'");
	changed = expect_for(batch_failed, "b7-2", PGTEST_WAIT_MS, &h, "changed");
	assert_true(changed->delta);
	assert_int_equal(changed->nchanged, 1);
	/* The next polls are within 10 s of the change: nothing re-read. */
	idle = expect_for(delta_idle, changed, PGTEST_WAIT_MS, &h, "idle");
	assert_true(idle->server_now - pgtest_batch(idle, "b7-2")->updated_at
		    < 10000);
	assert_string_equal(pgtest_batch(idle, "b7-2")->kind->status, "failed");
	snapshot_unref(idle);

	/* The same updated_at, another status. */
	pgtest_sql(T.admin, "UPDATE batchtop.batch_close SET updated_at ="
		   " now() + interval '1 hour' WHERE batch_id = 'b8-1'");
	snapshot_unref(changed);
	changed = expect_for(any, NULL, PGTEST_WAIT_MS, &h, "b8 changed");
	while (pgtest_batch(changed, "b8-1")->updated_at < changed->server_now) {
		snapshot_unref(changed);
		changed = expect_for(any, NULL, PGTEST_WAIT_MS, &h, "b8 changed");
	}
	pgtest_sql(T.admin, "UPDATE batchtop.batch_close SET status = 'running'"
		   " WHERE batch_id = 'b8-1'");
	again = expect_for(batch_running, "b8-1", PGTEST_WAIT_MS, &h,
			   "the change under the same updated_at");
	assert_true(again->delta);
	assert_int_equal(pgtest_batch(again, "b8-1")->updated_at,
			 pgtest_batch(changed, "b8-1")->updated_at);
	snapshot_unref(again);
	snapshot_unref(changed);
	snapshot_unref(full);
}

/* A writer holds its transaction open for 20 s around an update, so the
 * row's updated_at is 20 s older than its commit: past the cursor's
 * margin, so only the full resync can see it, within its bound. */
static void test_long_writer(void **state)
{
	struct shard_health h;
	struct snapshot *s;
	PGconn *w;
	int64_t committed, shown, bound;

	(void)state;
	T.cfg.full_resync_interval = 10;
	T.cfg.poll_overlap = 1;
	shard_make("writer", 20);
	start_poller();
	s = expect_for(any, NULL, PGTEST_WAIT_MS, &h, "s");
	snapshot_unref(s);

	w = pgtest_connect(T.db, "test_delta_writer");
	pgtest_sql(w, "BEGIN; UPDATE batchtop.batch_close SET status = 'failed'"
		   " WHERE batch_id = 'b5-1'");
	pgtest_sleep_ms(20000);
	pgtest_sql(w, "COMMIT");
	committed = pgtest_now_ms();
	PQfinish(w);
	assert_true(pgtest_sql_int(T.admin, "SELECT (extract(epoch FROM"
		    " clock_timestamp() - updated_at))::int FROM"
		    " batchtop.batch_close WHERE batch_id = 'b5-1'") >= 19);

	/* The resync bound, plus one poll, plus slack for a loaded machine. */
	bound = (int64_t)T.cfg.full_resync_interval * 1000 +
		(int64_t)T.cfg.poll_interval * 1000 + 5000;
	s = expect_for(batch_failed, "b5-1", (int)bound, &h,
		       "showing the long writer's change within the resync bound");
	shown = pgtest_now_ms();
	fprintf(stderr, "# a 20 s writer's change shown %lld ms after commit"
		" (bound %lld ms), by a %s poll\n", (long long)(shown - committed),
		(long long)bound, s->delta ? "incremental" : "full");
	assert_false(s->delta);	/* the margin could not have caught it */
	snapshot_unref(s);
}

/* A deleted batch is gone at the next full poll. */
static void test_deleted(void **state)
{
	struct shard_health h;
	struct snapshot *s, *after;
	int64_t deleted;

	(void)state;
	T.cfg.full_resync_interval = 10;
	T.cfg.poll_overlap = 1;
	shard_make("deleted", 20);
	start_poller();
	/* Once the loaded rows are older than the margin, no delta re-reads
	 * b3 for another reason. */
	s = expect_for(delta_idle, NULL, PGTEST_WAIT_MS, &h, "idle");
	assert_non_null(pgtest_find_batch(s, "b3-2"));
	pgtest_sql(T.admin, "DELETE FROM batchtop.batch_close WHERE batch_id = 'b3-2'");
	deleted = pgtest_now_ms();
	after = expect_for(batch_gone, "b3-2",
			   T.cfg.full_resync_interval * 1000 + 6000, &h,
			   "rid of a deleted batch by the next full poll");
	assert_false(after->delta);
	assert_int_equal(after->nbatches, 39);
	fprintf(stderr, "# a deleted batch disappeared after %lld ms\n",
		(long long)(pgtest_now_ms() - deleted));
	snapshot_unref(after);
	snapshot_unref(s);
}

/* A v1 shard (no contract_version()) is polled in full and says so. */
static void test_v1(void **state)
{
	struct shard_health h;
	struct snapshot *s, *next;

	(void)state;
	shard_make("v1", 10);
	pgtest_sql(T.admin, "DROP FUNCTION batchtop.contract_version()");
	start_poller();
	s = expect_for(any, NULL, PGTEST_WAIT_MS, &h, "s");
	assert_int_equal(h.contract, 1);
	pgtest_sql(T.admin, "UPDATE batchtop.batch_close SET status = 'failed'"
		   " WHERE batch_id = 'b2-1'");
	next = expect_for(batch_failed, "b2-1", PGTEST_WAIT_MS, &h, "next");
	assert_false(next->delta);
	assert_int_equal(next->nbillers, 10);
	assert_int_equal(next->nchanged, 10);
	assert_int_equal(h.polls_delta, 0);
	assert_true(h.polls_ok >= 2);
	snapshot_unref(next);
	snapshot_unref(s);
}

/* Two snapshots of which the second kept the first's holds and notes, not
 * re-reading them (shard_poller.c, extras_due()). */
static bool extras_kept(const struct snapshot *a, const struct snapshot *b)
{
	return a->holds_read && b->holds_read && a->notes_read &&
	       b->notes_read && b->holds_home == a->holds_home &&
	       b->notes_home == a->notes_home;
}

/* The next snapshot after *prev (a later poll), or a failed test. */
static struct snapshot *next_poll(struct snapshot *prev, struct shard_health *h)
{
	int64_t end = pgtest_now_ms() + PGTEST_WAIT_MS;

	for (;;) {
		struct snapshot *s = expect_for(any, NULL, PGTEST_WAIT_MS, h, "a poll");

		if (s != prev)
			return s;
		snapshot_unref(s);
		assert_true(pgtest_now_ms() < end);
		pgtest_sleep_ms(20);
	}
}

/* Polls until two in a row are delta polls that kept the holds and notes;
 * returns the second (the first is unreferenced). */
static struct snapshot *expect_kept(struct snapshot *s, struct shard_health *h)
{
	int64_t end = pgtest_now_ms() + PGTEST_WAIT_MS;

	for (;;) {
		struct snapshot *n = next_poll(s, h);
		bool kept = n->delta && extras_kept(s, n);

		snapshot_unref(s);
		s = n;
		if (kept)
			return s;
		if (pgtest_now_ms() >= end)
			fail_msg("holds and notes re-read by every poll");
	}
}

static bool hold_reason(const struct shard_health *h, const struct snapshot *s,
			const void *arg)
{
	(void)h;
	return s->nholds >= 1 && !strcmp(s->holds[0].reason, arg);
}

static bool notes_n(const struct shard_health *h, const struct snapshot *s,
		    const void *arg)
{
	(void)h;
	return s->notes_read && s->nnotes == *(const size_t *)arg;
}

static bool batch_closed(const struct shard_health *h,
			 const struct snapshot *s, const void *arg)
{
	const struct batch *t = pgtest_find_batch(s, arg);

	(void)h;
	return t && !strcmp(t->kind->status, "closed");
}

/* Whether biller's acknowledgement in s stands. */
static bool ack_open(const struct snapshot *s, const char *biller)
{
	for (size_t i = 0; i < s->nnotes; i++)
		if (!strcmp(s->notes[i].biller_id, biller) && s->notes[i].open)
			return true;
	return false;
}

/* Contract v3: a steady poll reads the holds and notes only when they
 * moved, or while an active hold's counts can move with the batches;
 * always on a full poll. */
static void test_extras_skipped(void **state)
{
	struct shard_health h;
	struct snapshot *s, *n;
	size_t two = 2, three = 3;

	(void)state;
	T.cfg.poll_overlap = 1;
	T.cfg.full_resync_interval = 10;
	shard_make("extras", 20);
	pgtest_sql(T.admin, "INSERT INTO batchtop.hold (biller_id, kind, reason,"
		   " placed_by, ended_at, ended_by, ended_how) VALUES ('b3',"
		   " 'batch_close', 'first', 'amy', now(), 'bob', 'released');"
		   "INSERT INTO batchtop.note (biller_id, kind, author, body)"
		   " VALUES ('b3', 'note', 'amy', 'hello')");
	start_poller();
	s = expect_for(any, NULL, PGTEST_WAIT_MS, &h, "full");
	assert_false(s->delta);
	assert_int_equal(s->nholds, 1);
	assert_int_equal(s->nnotes, 1);
	/* Nothing moved: kept, the same arena, not a copy. */
	s = expect_kept(s, &h);
	assert_int_equal(s->nholds, 1);
	assert_string_equal(s->holds[0].reason, "first");
	assert_int_equal(s->nnotes, 1);
	snapshot_unref(s);

	/* A hold changed: read again by the next delta. */
	pgtest_sql(T.admin, "UPDATE batchtop.hold SET reason = 'second'");
	s = expect_for(hold_reason, "second", PGTEST_WAIT_MS, &h, "hold re-read");
	assert_true(s->delta);
	snapshot_unref(s);
	pgtest_sql(T.admin, "INSERT INTO batchtop.note (biller_id, kind, author,"
		   " body) VALUES ('b4', 'note', 'amy', 'again')");
	s = expect_for(notes_n, &two, PGTEST_WAIT_MS, &h, "notes re-read");
	assert_true(s->delta);
	s = expect_kept(s, &h);

	/* A standing acknowledgement ends when its batch closes: the poll
	 * that re-reads the batch reads the notes too. */
	pgtest_sql(T.admin, "INSERT INTO batchtop.note (biller_id, batch_id,"
		   " kind, author) VALUES ('b6', 'b6-1', 'acknowledged', 'amy')");
	snapshot_unref(s);
	s = expect_for(notes_n, &three, PGTEST_WAIT_MS, &h, "acknowledged");
	assert_true(ack_open(s, "b6"));
	/* Just after a full poll, so that a delta sees the close. */
	for (int64_t end = pgtest_now_ms() + 15000; s->delta;) {
		n = next_poll(s, &h);
		snapshot_unref(s);
		s = n;
		assert_true(pgtest_now_ms() < end);
	}
	s = expect_kept(s, &h);
	pgtest_sql(T.admin, "UPDATE batchtop.batch_close SET status = 'closed'"
		   " WHERE batch_id = 'b6-1'");
	snapshot_unref(s);
	s = expect_for(batch_closed, "b6-1", PGTEST_WAIT_MS, &h, "closed");
	assert_true(s->delta);
	assert_false(ack_open(s, "b6"));

	/* An active hold: its counts follow the batches, read every poll. */
	pgtest_sql(T.admin, "INSERT INTO batchtop.hold (biller_id, kind, reason,"
		   " placed_by) VALUES ('b5', 'batch_close', 'active', 'amy')");
	snapshot_unref(s);
	s = expect_for(hold_reason, "active", PGTEST_WAIT_MS, &h, "active hold");
	for (int i = 0; i < 3; i++) {
		n = next_poll(s, &h);
		assert_ptr_not_equal(n->holds_home, s->holds_home);
		snapshot_unref(s);
		s = n;
	}

	/* Released: kept again, then read afresh by the full resync. */
	pgtest_sql(T.admin, "UPDATE batchtop.hold SET ended_at = now(),"
		   " ended_by = 'bob', ended_how = 'released' WHERE ended_at IS NULL");
	s = expect_kept(s, &h);
	for (int64_t end = pgtest_now_ms() + 15000;;) {
		n = next_poll(s, &h);
		if (!n->delta) {
			assert_ptr_not_equal(n->holds_home, s->holds_home);
			assert_ptr_not_equal(n->notes_home, s->notes_home);
			assert_int_equal(n->nholds, 2);
			assert_int_equal(n->nnotes, 3);
			snapshot_unref(n);
			break;
		}
		assert_true(extras_kept(s, n));
		snapshot_unref(s);
		s = n;
		assert_true(pgtest_now_ms() < end);
	}
	snapshot_unref(s);
}

/* The rows of two results, cell by cell by column name, in order. */
static void same_rows(const PGresult *a, const PGresult *b, const char *what)
{
	if (PQntuples(a) != PQntuples(b))
		fail_msg("%s: %d rows against %d", what, PQntuples(a),
			 PQntuples(b));
	for (int c = 0; c < PQnfields(a); c++) {
		const char *name = PQfname(a, c);
		int cb = PQfnumber(b, name);

		if (cb < 0)
			fail_msg("%s: no column %s", what, name);
		for (int r = 0; r < PQntuples(a); r++) {
			const char *va = PQgetisnull(a, r, c) ? "(null)"
							      : PQgetvalue(a, r, c);
			const char *vb = PQgetisnull(b, r, cb) ? "(null)"
							       : PQgetvalue(b, r, cb);

			if (strcmp(va, vb))
				fail_msg("%s: row %d %s: '%s' against '%s'",
					 what, r, name, va, vb);
		}
	}
}

/* Runs the delta both ways with params, in one transaction (one now()),
 * and compares; returns the rows. */
static int both_ways(const char *const *params, const char *what)
{
	PGresult *st, *fn;
	int n;

	pgtest_sql(T.admin, "BEGIN");
	st = pgtest_sqlp(T.admin, query_poll_delta3_sql, 6, params);
	fn = pgtest_sqlp(T.admin, query_poll_delta_fn_sql, 6, params);
	pgtest_sql(T.admin, "COMMIT");
	n = PQntuples(st);

	same_rows(st, fn, what);
	same_rows(fn, st, what);	/* and no column the statement lacks */
	PQclear(st);
	PQclear(fn);
	return n;
}

/* poll_delta() (sql/contract.sql) returns what the statement does, cell
 * for cell: nothing changed, changes, held rows skipped, a changed row
 * whose signature the client holds stale, a batch whose biller is gone, an
 * unknown zone, rerun requests and autopay runs, holds and notes moving;
 * more than five calls each, so the session's generic plans answer too. */
static void test_fn_same_rows(void **state)
{
	char cursor[32], ids[256], sigs[256];
	const char *params[6];
	PGresult *z;
	char *zones;

	(void)state;
	shard_make("fnrows", 40);
	z = pgtest_sqlp(T.admin, query_poll_zones_sql, 0, NULL);
	zones = query_poll_zones(z);
	assert_true(query_poll_has_delta_fn(z));
	PQclear(z);
	snprintf(cursor, sizeof cursor, "%lld", (long long)pgtest_sql_int(T.admin,
		 "SELECT (extract(epoch FROM now()) * 1000)::bigint"));
	params[0] = "12";
	params[1] = "45";
	params[2] = zones;
	params[3] = cursor;
	params[4] = "{}";
	params[5] = "{}";
	for (int i = 0; i < 7; i++)
		assert_int_equal(both_ways(params, "nothing changed"), 1);

	pgtest_sql(T.admin, "UPDATE batchtop.batch_close SET status = 'failed',"
		   " error_class = 'x', error_message = 'it''s \"bad\"',"
		   " started_at = now(), finished_at = 'infinity'"
		   " WHERE batch_id IN ('b1-1', 'b2-2', 'b3-1');"
		   "UPDATE batchtop.biller SET timezone = 'Mars/Olympus'"
		   " WHERE biller_id = 'b2';"
		   "UPDATE batchtop.biller SET timezone = 'america/chicago'"
		   " WHERE biller_id = 'b3';"
		   "INSERT INTO batchtop.batch_close (batch_id, biller_id,"
		   " business_day, payment_type, module, scheduled_at, status,"
		   " attempts, deadline_at) VALUES ('gone-1', 'nobody',"
		   " current_date, 'card', 'close', now(), 'scheduled', 0,"
		   " now() + interval '1 hour');"
		   "INSERT INTO batchtop.rerun_request (kind, target_id,"
		   " requested_by, status) VALUES ('batch_close', 'b11-1', 'amy',"
		   " 'pending');"
		   "UPDATE batchtop.autopay_run SET failed = 7 WHERE biller_id = 'b21';"
		   "INSERT INTO batchtop.note (biller_id, kind, author, body)"
		   " VALUES ('b4', 'note', 'amy', 'hello')");
	for (int i = 0; i < 7; i++)
		assert_true(both_ways(params, "changed") > 8);

	/* Held as they are: b1-1 and b3-1 are no change, b2-2 (a stale
	 * signature) is. */
	{
		PGresult *r = pgtest_sqlp(T.admin, "SELECT string_agg(CASE"
			" WHEN batch_id = 'b2-2' THEN '1' ELSE"
			" hashtextextended(c::text, 0)::text END, ','"
			" ORDER BY batch_id) FROM batchtop.batch_close c WHERE"
			" batch_id IN ('b1-1', 'b2-2', 'b3-1')", 0, NULL);

		snprintf(sigs, sizeof sigs, "{%s}", PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	snprintf(ids, sizeof ids, "{b1-1,b2-2,b3-1}");
	params[4] = ids;
	params[5] = sigs;
	for (int i = 0; i < 7; i++)
		assert_true(both_ways(params, "held") > 6);
	free(zones);
}

/* The poller calls poll_delta() when the shard has it; one that fails
 * leaves the statement, and the polls go on. */
static bool delta_after(const struct shard_health *h, const struct snapshot *s,
			const void *arg)
{
	(void)s;
	return h->polls_delta > *(const unsigned *)arg;
}

static void test_fn_used_and_fallback(void **state)
{
	struct shard_health h;
	struct snapshot *s;
	unsigned seen;
	char q[512];

	(void)state;
	T.cfg.poll_overlap = 1;
	shard_make("fnused", 10);
	snprintf(q, sizeof q, "ALTER DATABASE \"%s\" SET track_functions = 'pl'",
		 T.db);
	pgtest_sql(T.admin, q);
	start_poller();
	s = expect_for(any, NULL, PGTEST_WAIT_MS, &h, "full");
	snapshot_unref(s);
	seen = h.polls_delta + 2;
	s = expect_for(delta_after, &seen, PGTEST_WAIT_MS, &h, "deltas");
	snapshot_unref(s);
	/* Counted when the poller's session reports, within a second. */
	for (int64_t end = pgtest_now_ms() + PGTEST_WAIT_MS;;) {
		if (pgtest_sql_int(T.admin, "SELECT coalesce(sum(calls), 0) FROM"
				   " pg_stat_user_functions WHERE schemaname ="
				   " 'batchtop' AND funcname = 'poll_delta'") > 0)
			break;
		assert_true(pgtest_now_ms() < end);
		pgtest_sleep_ms(100);
		pgtest_sql(T.admin, "SELECT pg_stat_clear_snapshot()");
	}

	pgtest_sql(T.admin, "DROP FUNCTION batchtop.poll_delta(integer,"
		   " integer, text[], bigint, text[], bigint[]);"
		   "CREATE FUNCTION batchtop.poll_delta(integer, integer, text[],"
		   " bigint, text[], bigint[]) RETURNS TABLE (now_ms bigint)"
		   " LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'broken view';"
		   " END$$;"
		   "GRANT EXECUTE ON FUNCTION batchtop.poll_delta(integer,"
		   " integer, text[], bigint, text[], bigint[]) TO batchtop_viewer");
	pgtest_sql(T.admin, "UPDATE batchtop.batch_close SET status = 'failed'"
		   " WHERE batch_id = 'b5-1'");
	s = expect_for(batch_failed, "b5-1", PGTEST_WAIT_MS, &h, "after broken");
	snapshot_unref(s);
	seen = h.polls_delta + 2;
	s = expect_for(delta_after, &seen, PGTEST_WAIT_MS, &h, "deltas after");
	assert_int_equal(h.state, SHARD_OK);
	snapshot_unref(s);
}

/* The deltas send only the zones of the billers held (query_zones.h);
 * a biller that shows up, or moves, in a zone outside that list is shown
 * in its zone by the very poll that brings it, which asked again with
 * every zone; a zone the server does not know stays unknown. */
static bool biller_in(const struct shard_health *h, const struct snapshot *s,
		      const void *arg)
{
	(void)h;
	return pgtest_find_biller(s, arg) != NULL;
}

static bool b4_in_paris(const struct shard_health *h,
			const struct snapshot *s, const void *arg)
{
	const struct biller *b = pgtest_find_biller(s, "b4");

	(void)h, (void)arg;
	return b && !strcmp(b->timezone, "Europe/Paris");
}

static bool mars_attempted(const struct shard_health *h,
			   const struct snapshot *s, const void *arg)
{
	const struct batch *t = pgtest_find_batch(s, "mars-1");

	(void)h, (void)arg;
	return t && t->attempts == 1;
}

static bool zw_attempted(const struct shard_health *h,
			 const struct snapshot *s, const void *arg)
{
	const struct batch *t = pgtest_find_batch(s, "zw-1");

	(void)h, (void)arg;
	return t && t->attempts == 1;
}

static int zone_offset(const char *zone)
{
	char q[256];

	snprintf(q, sizeof q, "SELECT extract(epoch FROM (now() AT TIME ZONE"
		 " '%s') - (now() AT TIME ZONE 'UTC'))::int", zone);
	return (int)pgtest_sql_int(T.admin, q);
}

/* The polls of shard "delta" the log says were asked with every zone
 * name (data/shard_session.c). */
static int every_zone_polls(void)
{
	char line[1024];
	int n = 0;
	FILE *f;

	log_flush();
	f = fopen(T.logpath, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f))
		n += strstr(line, "shard delta: ") && strstr(line, "every zone");
	fclose(f);
	return n;
}

/* The zone names come in parts of a few KB, so that no message of the
 * connection's outgrows libpq's 16 KB buffers (query_poll.c); joined,
 * they are the one literal a single value would be. */
static void test_zone_parts(void **state)
{
	PGresult *z, *one;
	char *zones;

	(void)state;
	shard_make("parts", 3);
	z = pgtest_sqlp(T.admin, query_poll_zones_sql, 0, NULL);
	assert_true(PQntuples(z) > 3);
	for (int r = 0; r < PQntuples(z); r++)
		assert_true(PQgetlength(z, r, 0) < 8192);
	zones = query_poll_zones(z);
	one = pgtest_sqlp(T.admin, "SELECT (SELECT array_agg(DISTINCT"
			  " lower(name) COLLATE \"C\")::text FROM"
			  " pg_timezone_names), to_regprocedure("
			  "'batchtop.contract_version()') IS NOT NULL", 0, NULL);
	assert_non_null(zones);
	assert_string_equal(zones, PQgetvalue(one, 0, 0));
	assert_true(query_poll_has_version(z));
	assert_true(query_poll_has_delta_fn(z));
	free(zones);
	PQclear(z);
	PQclear(one);
}

/* A new connection's short list and unknown zones, read from the shard
 * (query_zones_setup()): what a poll asked with every name says. */
static void test_zone_setup(void **state)
{
	struct zone_set unknown = { 0 };
	struct zone_names *names;
	PGresult *z;
	char *shortz;

	(void)state;
	shard_make("zsetup", 3);
	pgtest_sql(T.admin, "INSERT INTO batchtop.biller VALUES"
		   " ('zw', 'ZW', E'Asia/Seoul\\u200B', 1, false),"
		   " ('up', 'Up', 'ASIA/Tokyo', 1, false),"
		   " ('mars', 'Mars', 'Mars/Olympus', 1, false),"
		   " ('blank', 'Blank', '', 1, false)");
	z = pgtest_sqlp(T.admin, query_poll_zones_sql, 0, NULL);
	names = zone_names_new(query_poll_zones(z));
	PQclear(z);
	z = pgtest_sqlp(T.admin, query_poll_biller_zones_sql, 0, NULL);
	shortz = query_zones_setup(z, names, &unknown);
	PQclear(z);
	assert_string_equal(shortz, "{\"america/chicago\",\"america/new_york\","
			    "\"asia/tokyo\",\"utc\"}");
	assert_int_equal(unknown.n, 3);
	for (size_t i = 0; i < unknown.n; i++)
		assert_true(!strcmp(unknown.zone[i], "Asia/Seoul\u200B") ||
			    !strcmp(unknown.zone[i], "Mars/Olympus") ||
			    !strcmp(unknown.zone[i], ""));
	free(shortz);
	zone_set_clear(&unknown);
	assert_null(query_zones_setup(z = pgtest_sqlp(T.admin,
		query_poll_biller_zones_sql, 0, NULL), NULL, &unknown));
	assert_int_equal(unknown.n, 0);
	PQclear(z);
	zone_names_free(names);
}

static void test_zone_outside_short_list(void **state)
{
	struct shard_health h;
	struct snapshot *full, *s;
	const struct biller *b;
	char *zones, *shortz;
	PGresult *z;

	(void)state;
	T.cfg.poll_overlap = 1;
	shard_make("zones", 20);
	/* A zone that draws as Asia/Seoul, with a zero-width space: unknown. */
	pgtest_sql(T.admin, "INSERT INTO batchtop.biller VALUES ('zw', 'ZW',"
		   " E'Asia/Seoul\\u200B', 1, false);"
		   "INSERT INTO batchtop.batch_close (batch_id, biller_id,"
		   " business_day, payment_type, module, scheduled_at, status,"
		   " attempts) VALUES ('zw-1', 'zw', current_date, 'card',"
		   " 'close', now() - interval '1 hour', 'scheduled', 0)");
	start_poller();
	full = expect_for(any, NULL, PGTEST_WAIT_MS, &h, "full");
	assert_false(pgtest_biller(full, "zw")->tz_known);
	assert_true(pgtest_biller(full, "b1")->tz_known);
	z = pgtest_sqlp(T.admin, query_poll_zones_sql, 0, NULL);
	zones = query_poll_zones(z);
	PQclear(z);
	assert_non_null(zones);
	assert_true(strlen(zones) > 10000);
	shortz = query_zones_short(full, zones);
	assert_string_equal(shortz, "{\"america/chicago\",\"america/new_york\","
			    "\"utc\"}");
	free(shortz);
	s = expect_for(delta_idle, NULL, PGTEST_WAIT_MS, &h, "idle");
	snapshot_unref(s);
	/* The connection read its billers' zones: not even the full poll
	 * needed every name, the unknown zone included. */
	assert_int_equal(every_zone_polls(), 0);

	pgtest_sql(T.admin, "INSERT INTO batchtop.biller VALUES ('tokyo',"
		   " 'Tokyo', 'Asia/Tokyo', 1, false), ('mars', 'Mars',"
		   " 'Mars/Olympus', 1, false);"
		   "INSERT INTO batchtop.batch_close (batch_id, biller_id,"
		   " business_day, payment_type, module, scheduled_at, status,"
		   " attempts) VALUES ('tokyo-1', 'tokyo', current_date, 'card',"
		   " 'close', now(), 'scheduled', 0), ('mars-1', 'mars',"
		   " current_date, 'card', 'close', now(), 'scheduled', 0)");
	s = expect_for(biller_in, "tokyo", PGTEST_WAIT_MS, &h, "tokyo");
	assert_true(s->delta);
	b = pgtest_biller(s, "tokyo");
	assert_true(b->tz_known);
	assert_int_equal(b->utc_offset_s, zone_offset("Asia/Tokyo"));
	assert_true(pgtest_batch(s, "tokyo-1")->local_min != 0);
	assert_false(pgtest_biller(s, "mars")->tz_known);
	snapshot_unref(s);
	assert_true(every_zone_polls() >= 1);

	pgtest_sql(T.admin, "UPDATE batchtop.biller SET timezone ="
		   " 'Europe/Paris' WHERE biller_id = 'b4';"
		   "UPDATE batchtop.batch_close SET attempts = 1"
		   " WHERE batch_id = 'b4-1'");
	s = expect_for(b4_in_paris, NULL, PGTEST_WAIT_MS, &h, "b4 in Paris");
	assert_true(s->delta);
	b = pgtest_biller(s, "b4");
	assert_true(b->tz_known);
	assert_int_equal(b->utc_offset_s, zone_offset("Europe/Paris"));
	/* What the next deltas send: Mars is no zone of the server's. */
	shortz = query_zones_short(s, zones);
	assert_string_equal(shortz, "{\"america/chicago\",\"america/new_york\","
			    "\"asia/tokyo\",\"europe/paris\",\"utc\"}");
	free(shortz);
	snapshot_unref(s);

	/* The unknown zone again: still unknown, and the polls go on. */
	pgtest_sql(T.admin, "UPDATE batchtop.batch_close SET attempts = 1"
		   " WHERE batch_id = 'mars-1'");
	s = expect_for(mars_attempted, NULL, PGTEST_WAIT_MS, &h, "mars again");
	assert_true(s->delta);
	assert_false(pgtest_biller(s, "mars")->tz_known);
	assert_true(pgtest_biller(s, "tokyo")->tz_known);
	snapshot_unref(s);

	/* The zero-width space taken out: the same text on screen, another
	 * zone, and this one the server knows. */
	pgtest_sql(T.admin, "UPDATE batchtop.biller SET timezone = 'Asia/Seoul'"
		   " WHERE biller_id = 'zw';"
		   "UPDATE batchtop.batch_close SET attempts = 1"
		   " WHERE batch_id = 'zw-1'");
	s = expect_for(zw_attempted, NULL, PGTEST_WAIT_MS, &h, "zw fixed");
	assert_true(s->delta);
	b = pgtest_biller(s, "zw");
	assert_true(b->tz_known);
	assert_int_equal(b->utc_offset_s, zone_offset("Asia/Seoul"));
	snapshot_unref(s);
	snapshot_unref(full);
	free(zones);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_then_delta, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extras_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watermark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_10000, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_1000, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fn_same_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fn_used_and_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_setup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_outside_short_list, setup, teardown),
	};
	int rc = pgtest_need_server("test_delta");

	if (rc)
		return rc;
	if (pipe2(T.wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return 1;
	snprintf(T.logpath, sizeof T.logpath, "tests/integration/test_delta.%ld.dbg",
		 (long)getpid());
	if (log_open(T.logpath, LOG_DEBUG) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	log_close();
	if (!rc)
		unlink(T.logpath);
	return rc;
}
