/*
 * test_rerun.c - the write path of reruns against a real PostgreSQL:
 * whatever batchtop's code is driven to do, a read-only session cannot
 * record a request, and read-only mode never opens a session at all.
 *
 *   - pgconn with a read-only session, as an operator: request_rerun is
 *     answered 25006 (read-only transaction) and nothing is recorded;
 *   - shard_query, a read job (the read-only session) calling request_rerun
 *     as an operator: SQ_ERROR with 25006, nothing recorded;
 *   - shard_query with cfg.readonly = true: the write job is refused
 *     without a connection (its DSN points nowhere, and the server sees no
 *     batchtop session);
 *   - shard_query write jobs: created, then duplicate; as a viewer: 42501;
 *   - a write whose session dies mid-call ends SQ_UNKNOWN and names the
 *     server process, and nothing was recorded.
 *
 * Needs PGHOST (scripts/pg-env start); skipped (77) without it unless
 * BATCHTOP_REQUIRE_PG=1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "core/config.h"
#include "data/pgconn.h"
#include "data/shard_query.h"
#include "query/query_rerun.h"
#include "../pgtest.h"
#include "../pgwrite.h"

static struct pgwrite env;

static long requests(void)
{
	return pgtest_sql_int(env.admin, "SELECT count(*) FROM batchtop.rerun_request");
}

/* The running test's config, made by per_test with timeouts roomier than
 * pgtest_config's (a write must not time out); a test may change it. */
static struct config cfg;

/* --- set-up ------------------------------------------------------------------ */

static int group_setup(void **state)
{
	(void)state;
	return pgwrite_open(&env, "tr", "test_rerun",
	    "INSERT INTO batchtop.biller VALUES ('tr-b1', 'Test Water', 'UTC', 1, false);"
	    "INSERT INTO batchtop.batch_close (batch_id, biller_id, business_day,"
	    " payment_type, module, scheduled_at, started_at, finished_at, status,"
	    " attempts, error_class, error_message)"
	    " SELECT id, 'tr-b1', current_date, 'card', 'autopay',"
	    "   now() - interval '30 minutes', now() - interval '30 minutes',"
	    "   now() - interval '20 minutes', 'failed', 1, 'multishard', 'lock wait'"
	    " FROM unnest(ARRAY['tr-1', 'tr-2', 'tr-3', 'tr-4', 'tr-5']) AS id;");
}

static int group_teardown(void **state)
{
	(void)state;
	return pgwrite_close(&env);
}

static int per_test(void **state)
{
	(void)state;
	pgwrite_reset(&env, "DELETE FROM batchtop.rerun_request", &cfg);
	return 0;
}

static int per_test_end(void **state)
{
	(void)state;
	config_free(&cfg);
	return 0;
}

/* --- driving a query worker ------------------------------------------------------- */

/* The rerun action's own request (query_rerun.h); write false sends the
 * same statement as a read job, on the read-only session. */
static struct sq_job *request(bool write, const char *target)
{
	struct sq_job *j = query_rerun_request_job(1, "batch_close", target,
						   "test_rerun", "test");

	j->write = write;
	return j;
}

/* The outcome word of a finished request job. */
static const char *outcome(const struct sq_job *j)
{
	struct rerun_outcome o;

	query_rerun_outcome(j->res, &o);
	assert_non_null(o.outcome);
	return o.outcome;
}

/* --- the tests --------------------------------------------------------------------- */

static void test_pgconn_readonly_session(void **state)
{
	struct pgconn c = { 0 };
	char dsn[1300], reason[200];
	struct sq_job *j = request(true, "tr-1");
	bool sent, dead, stop;
	PGresult *r;

	(void)state;
	pgwrite_dsn(&env, dsn, sizeof dsn, "bt_operator");
	c.name = "t";
	c.dsn = dsn;
	c.cfg = &cfg;
	c.readonly = true;
	c.ctl_fd = -1;
	assert_int_equal(pgconn_open(&c, reason, sizeof reason), 0);
	r = pgconn_exec(&c, j->sql, j->nparams, (const char *const *)j->params,
			reason, sizeof reason, &sent, &dead, &stop);
	sq_job_free(j);
	assert_null(r);
	assert_string_equal(c.sqlstate, "25006");
	assert_false(dead);
	assert_non_null(strstr(reason, "read-only"));
	pgconn_close(&c);
	assert_int_equal(requests(), 0);
}

static void test_read_job_cannot_write(void **state)
{
	struct shard_query *q;
	struct sq_job *j;

	(void)state;
	q = pgwrite_worker(&env, "bt_operator", &cfg);
	/* A read job runs on the read-only session, even as an operator. */
	j = pgwrite_run(q, request(false, "tr-1"));
	assert_int_equal(j->status, SQ_ERROR);
	assert_string_equal(j->sqlstate, "25006");
	sq_job_free(j);
	shard_query_free(q, 3000);
	assert_int_equal(requests(), 0);
}

static void test_readonly_mode_opens_nothing(void **state)
{
	struct shard_query *q;
	struct sq_job *j;
	int64_t start;

	(void)state;
	cfg.readonly = true;
	/* A server that does not exist: a connection attempt would fail with
	 * an error, not be refused. */
	q = pgtest_worker("t", "host=/nonexistent/bt-test-nowhere dbname=x user=bt_operator",
			  &cfg, env.wake[1]);
	start = pgtest_now_ms();
	j = pgwrite_run(q, request(true, "tr-1"));
	assert_int_equal(j->status, SQ_REFUSED);
	assert_non_null(strstr(j->error, "read-only"));
	assert_true(pgtest_now_ms() - start < 1000);
	sq_job_free(j);
	shard_query_free(q, 3000);

	/* The real server, as an operator: still refused, and no session of
	 * batchtop ever appears on it. */
	q = pgwrite_worker(&env, "bt_operator", &cfg);
	for (int i = 0; i < 3; i++) {
		j = pgwrite_run(q, request(true, "tr-1"));
		assert_int_equal(j->status, SQ_REFUSED);
		assert_int_equal(j->backend_pid, 0);
		sq_job_free(j);
	}
	assert_int_equal(pgtest_sql_int(env.admin, "SELECT count(*) FROM pg_stat_activity"
				  " WHERE application_name = 'batchtop'"
				  " AND datname = current_database()"), 0);
	shard_query_free(q, 3000);
	assert_int_equal(requests(), 0);
}

static void test_write_created_duplicate_viewer(void **state)
{
	struct shard_query *q;
	struct sq_job *j;

	(void)state;
	q = pgwrite_worker(&env, "bt_operator", &cfg);
	j = pgwrite_run(q, request(true, "tr-2"));
	assert_int_equal(j->status, SQ_OK);
	assert_string_equal(outcome(j), "created");
	assert_true(j->backend_pid > 0);
	sq_job_free(j);
	j = pgwrite_run(q, request(true, "tr-2"));
	assert_int_equal(j->status, SQ_OK);
	assert_string_equal(outcome(j), "duplicate");
	{
		struct rerun_outcome o;

		query_rerun_outcome(j->res, &o);
		assert_non_null(o.detail);
		assert_non_null(strstr(o.detail, "test_rerun"));
	}
	sq_job_free(j);
	shard_query_free(q, 3000);
	assert_int_equal(requests(), 1);

	/* A viewer may not: 42501, nothing recorded. */
	q = pgwrite_worker(&env, "bt_viewer", &cfg);
	j = pgwrite_run(q, request(true, "tr-3"));
	assert_int_equal(j->status, SQ_ERROR);
	assert_string_equal(j->sqlstate, "42501");
	sq_job_free(j);
	shard_query_free(q, 3000);
	assert_int_equal(requests(), 1);
}

/* The call waits on the target's advisory lock (held here); its server
 * process is then terminated: the answer is lost. */
static void test_lost_answer_is_unknown(void **state)
{
	struct shard_query *q;
	struct sq_job *j;
	unsigned id;
	int64_t end;
	long pid = 0;

	(void)state;
	cfg.query_timeout = 20;
	pgtest_sql(env.admin, "SELECT pg_advisory_lock(hashtext('batchtop.request_rerun'),"
		       " hashtext('batch_close:tr-4'))");
	q = pgwrite_worker(&env, "bt_operator", &cfg);
	id = shard_query_submit(q, request(true, "tr-4"));
	end = pgtest_now_ms() + PGTEST_WAIT_MS;
	while (!pid && pgtest_now_ms() < end) {
		pgtest_sleep_ms(20);
		pid = pgtest_sql_int(env.admin, "SELECT coalesce(max(pid), 0) FROM pg_stat_activity"
			       " WHERE application_name = 'batchtop' AND wait_event_type = 'Lock'"
			       " AND query LIKE '%request_rerun%'");
	}
	assert_true(pid > 0);
	{
		char q2[128];

		snprintf(q2, sizeof q2, "SELECT pg_terminate_backend(%ld)", pid);
		pgtest_sql(env.admin, q2);
	}
	pgtest_sql(env.admin, "SELECT pg_advisory_unlock_all()");
	j = pgwrite_take(q, id);
	assert_int_equal(j->status, SQ_UNKNOWN);
	assert_int_equal(j->backend_pid, (int)pid);
	sq_job_free(j);
	assert_int_equal(requests(), 0);

	/* The next write reconnects and is answered: safe to retry. */
	j = pgwrite_run(q, request(true, "tr-4"));
	assert_int_equal(j->status, SQ_OK);
	assert_string_equal(outcome(j), "created");
	sq_job_free(j);
	shard_query_free(q, 3000);
	assert_int_equal(requests(), 1);
}

/* A test between per_test and per_test_end. */
#define RERUN_TEST(fn) cmocka_unit_test_setup_teardown(fn, per_test, per_test_end)

int main(void)
{
	const struct CMUnitTest tests[] = {
		RERUN_TEST(test_pgconn_readonly_session),
		RERUN_TEST(test_read_job_cannot_write),
		RERUN_TEST(test_readonly_mode_opens_nothing),
		RERUN_TEST(test_write_created_duplicate_viewer),
		RERUN_TEST(test_lost_answer_is_unknown),
	};
	int rc = pgtest_need_server("test_rerun");

	if (rc)
		return rc;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
