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
#include <errno.h>
#include <fcntl.h>
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

static struct {
	char db[64];
	char host[1100];
	int wake[2];
	PGconn *admin;
} env = { .wake = { -1, -1 } };

static long requests(void)
{
	return pgtest_sql_int(env.admin, "SELECT count(*) FROM batchtop.rerun_request");
}

static void dsn_for(char *dst, size_t n, const char *user)
{
	snprintf(dst, n, "host=%s dbname=%s user=%s", env.host, env.db, user);
}

/* The running test's config, made by per_test with timeouts roomier than
 * pgtest_config's (a write must not time out); a test may change it. */
static struct config cfg;

/* --- set-up ------------------------------------------------------------------ */

static int group_setup(void **state)
{
	(void)state;
	pgtest_host(env.host, sizeof env.host);
	snprintf(env.db, sizeof env.db, "tr_%ld_%u", (long)getpid(),
		 (unsigned)(pgtest_now_ms() & 0xffff));
	pgtest_db_create(env.db, NULL, "batchtop_viewer, batchtop_operator");
	env.admin = pgtest_connect(env.db, "test_rerun");
	pgtest_sql(env.admin,
	    "INSERT INTO batchtop.biller VALUES ('tr-b1', 'Test Water', 'UTC', 1, false);"
	    "INSERT INTO batchtop.batch_close (batch_id, biller_id, business_day,"
	    " payment_type, module, scheduled_at, started_at, finished_at, status,"
	    " attempts, error_class, error_message)"
	    " SELECT id, 'tr-b1', current_date, 'card', 'autopay',"
	    "   now() - interval '30 minutes', now() - interval '30 minutes',"
	    "   now() - interval '20 minutes', 'failed', 1, 'multishard', 'lock wait'"
	    " FROM unnest(ARRAY['tr-1', 'tr-2', 'tr-3', 'tr-4', 'tr-5']) AS id;");
	if (pipe2(env.wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	int rc;

	(void)state;
	if (env.admin)
		PQfinish(env.admin);
	rc = pgtest_db_drop(env.db);
	close(env.wake[0]);
	close(env.wake[1]);
	return rc;
}

static int per_test(void **state)
{
	(void)state;
	pgtest_sql(env.admin, "DELETE FROM batchtop.rerun_request");
	config_defaults(&cfg);
	cfg.query_timeout = 5;
	cfg.connect_timeout = 3;
	return 0;
}

static int per_test_end(void **state)
{
	(void)state;
	config_free(&cfg);
	return 0;
}

/* --- driving a query worker ------------------------------------------------------- */

/* The finished job id of q, waiting for it. */
static struct sq_job *take(struct shard_query *q, unsigned id)
{
	struct sq_job *done = pgtest_take(q);

	assert_int_equal(done->id, id);
	return done;
}

static struct sq_job *run(struct shard_query *q, struct sq_job *job)
{
	return take(q, shard_query_submit(q, job));
}

/* A started query worker on the test database as user. */
static struct shard_query *worker_as(const char *user, const struct config *c)
{
	char dsn[1300];

	dsn_for(dsn, sizeof dsn, user);
	return pgtest_worker("t", dsn, c, env.wake[1]);
}

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
	dsn_for(dsn, sizeof dsn, "bt_operator");
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
	q = worker_as("bt_operator", &cfg);
	/* A read job runs on the read-only session, even as an operator. */
	j = run(q, request(false, "tr-1"));
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
	j = run(q, request(true, "tr-1"));
	assert_int_equal(j->status, SQ_REFUSED);
	assert_non_null(strstr(j->error, "read-only"));
	assert_true(pgtest_now_ms() - start < 1000);
	sq_job_free(j);
	shard_query_free(q, 3000);

	/* The real server, as an operator: still refused, and no session of
	 * batchtop ever appears on it. */
	q = worker_as("bt_operator", &cfg);
	for (int i = 0; i < 3; i++) {
		j = run(q, request(true, "tr-1"));
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
	q = worker_as("bt_operator", &cfg);
	j = run(q, request(true, "tr-2"));
	assert_int_equal(j->status, SQ_OK);
	assert_string_equal(outcome(j), "created");
	assert_true(j->backend_pid > 0);
	sq_job_free(j);
	j = run(q, request(true, "tr-2"));
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
	q = worker_as("bt_viewer", &cfg);
	j = run(q, request(true, "tr-3"));
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
	q = worker_as("bt_operator", &cfg);
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
	j = take(q, id);
	assert_int_equal(j->status, SQ_UNKNOWN);
	assert_int_equal(j->backend_pid, (int)pid);
	sq_job_free(j);
	assert_int_equal(requests(), 0);

	/* The next write reconnects and is answered: safe to retry. */
	j = run(q, request(true, "tr-4"));
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
