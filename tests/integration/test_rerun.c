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

#include "config.h"
#include "pgconn.h"
#include "shard_query.h"

#define WAIT_MS 20000

static const char request_sql[] =
	"SELECT request_id, outcome, detail FROM batchtop.request_rerun($1, $2, $3, $4)";

static struct {
	char db[64];
	char host[1100];
	int wake[2];
	PGconn *admin;
} env = { .wake = { -1, -1 } };

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static PGconn *connect_db(const char *db)
{
	const char *const kw[] = { "dbname", "application_name", "options", NULL };
	const char *const vals[] = { db, "test_rerun", "-c client_min_messages=warning",
				     NULL };
	PGconn *c = PQconnectdbParams(kw, vals, 0);

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot connect to %s: %s", db, PQerrorMessage(c));
	return c;
}

static void sql(PGconn *c, const char *text)
{
	PGresult *r = PQexec(c, text);

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		char msg[1024];

		snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
		PQclear(r);
		fail_msg("SQL failed: %s\n  in: %s", msg, text);
	}
	PQclear(r);
}

static long sql_long(PGconn *c, const char *text)
{
	PGresult *r = PQexec(c, text);
	long v;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1) {
		PQclear(r);
		fail_msg("no value from: %s", text);
	}
	v = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

static long requests(void)
{
	return sql_long(env.admin, "SELECT count(*) FROM batchtop.rerun_request");
}

static void dsn_for(char *dst, size_t n, const char *user)
{
	snprintf(dst, n, "host='%s' dbname=%s user=%s", env.host, env.db, user);
}

static void test_config(struct config *cfg)
{
	config_defaults(cfg);
	cfg->query_timeout = 5;
	cfg->connect_timeout = 3;
}

/* --- set-up ------------------------------------------------------------------ */

static int group_setup(void **state)
{
	const char *pghost = getenv("PGHOST");
	const char *srcdir = getenv("top_srcdir");
	const char *pgbin = getenv("BATCHTOP_PGBIN");
	char cmd[4096], q[256];
	PGconn *c;

	(void)state;
	if (!pghost || !*pghost) {
		if (getenv("BATCHTOP_REQUIRE_PG") &&
		    !strcmp(getenv("BATCHTOP_REQUIRE_PG"), "1")) {
			fprintf(stderr, "BATCHTOP_REQUIRE_PG=1 but PGHOST is not set\n");
			return -1;
		}
		printf("1..0 # SKIP PGHOST is not set\n");
		exit(77);
	}
	for (size_t i = 0, j = 0; pghost[i] && j + 3 < sizeof env.host; i++) {
		if (pghost[i] == '\'' || pghost[i] == '\\')
			env.host[j++] = '\\';
		env.host[j++] = pghost[i];
		env.host[j] = '\0';
	}
	snprintf(env.db, sizeof env.db, "tr_%ld_%u", (long)getpid(),
		 (unsigned)(now_ms() & 0xffff));
	c = connect_db("postgres");
	snprintf(q, sizeof q, "CREATE DATABASE \"%s\"", env.db);
	sql(c, q);
	PQfinish(c);
	/* Names made by this test only: no quoting needed beyond '...'. */
	snprintf(cmd, sizeof cmd, "'%s%spsql' -X -q -v ON_ERROR_STOP=1 -d '%s' -f "
		 "'%s/sql/contract.sql' >/dev/null", pgbin && *pgbin ? pgbin : "",
		 pgbin && *pgbin ? "/" : "", env.db, srcdir && *srcdir ? srcdir : ".");
	if (system(cmd) != 0) {
		fprintf(stderr, "loading the contract failed: %s\n", cmd);
		return -1;
	}
	env.admin = connect_db(env.db);
	snprintf(q, sizeof q, "GRANT CONNECT ON DATABASE \"%s\" TO batchtop_viewer, "
		 "batchtop_operator", env.db);
	sql(env.admin, q);
	sql(env.admin,
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
	char q[256];
	PGconn *c;

	(void)state;
	if (env.admin)
		PQfinish(env.admin);
	c = connect_db("postgres");
	snprintf(q, sizeof q, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", env.db);
	sql(c, q);
	PQfinish(c);
	close(env.wake[0]);
	close(env.wake[1]);
	return 0;
}

static int per_test(void **state)
{
	(void)state;
	sql(env.admin, "DELETE FROM batchtop.rerun_request");
	return 0;
}

/* --- driving a query worker ------------------------------------------------------- */

/* The finished job id of q, waiting for it. */
static struct sq_job *take(struct shard_query *q, unsigned id)
{
	int64_t end = now_ms() + WAIT_MS;

	for (;;) {
		struct sq_job *done = shard_query_take(q);

		if (done) {
			assert_int_equal(done->id, id);
			return done;
		}
		if (now_ms() > end)
			fail_msg("job %u did not finish in %d ms", id, WAIT_MS);
		sleep_ms(10);
	}
}

static struct sq_job *run(struct shard_query *q, struct sq_job *job)
{
	return take(q, shard_query_submit(q, job));
}

static struct shard_query *worker(const char *dsn, struct config *cfg)
{
	struct shard_conf sc = { .name = (char *)"t", .dsn = (char *)dsn, .line = 1 };
	struct shard_query *q = shard_query_new(0, &sc, cfg, env.wake[1]);

	assert_non_null(q);
	assert_int_equal(shard_query_start(q), 0);
	return q;
}

static struct sq_job *request(bool write, const char *target)
{
	const char *params[4] = { "batch_close", target, "test_rerun", "test" };

	return sq_job_new(1, write, request_sql, 4, params);
}

/* --- the tests --------------------------------------------------------------------- */

static void test_pgconn_readonly_session(void **state)
{
	struct config cfg;
	struct pgconn c = { 0 };
	char dsn[1300], reason[200];
	const char *params[4] = { "batch_close", "tr-1", "test_rerun", "ro" };
	bool sent, dead, stop;
	PGresult *r;

	(void)state;
	test_config(&cfg);
	dsn_for(dsn, sizeof dsn, "bt_operator");
	c.name = "t";
	c.dsn = dsn;
	c.cfg = &cfg;
	c.readonly = true;
	c.ctl_fd = -1;
	assert_int_equal(pgconn_open(&c, reason, sizeof reason), 0);
	r = pgconn_exec(&c, request_sql, 4, params, reason, sizeof reason, &sent,
			&dead, &stop);
	assert_null(r);
	assert_string_equal(c.sqlstate, "25006");
	assert_false(dead);
	assert_non_null(strstr(reason, "read-only"));
	pgconn_close(&c);
	assert_int_equal(requests(), 0);
	config_free(&cfg);
}

static void test_read_job_cannot_write(void **state)
{
	struct config cfg;
	char dsn[1300];
	struct shard_query *q;
	struct sq_job *j;

	(void)state;
	test_config(&cfg);
	dsn_for(dsn, sizeof dsn, "bt_operator");
	q = worker(dsn, &cfg);
	/* A read job runs on the read-only session, even as an operator. */
	j = run(q, request(false, "tr-1"));
	assert_int_equal(j->status, SQ_ERROR);
	assert_string_equal(j->sqlstate, "25006");
	sq_job_free(j);
	shard_query_free(q, 3000);
	assert_int_equal(requests(), 0);
	config_free(&cfg);
}

static void test_readonly_mode_opens_nothing(void **state)
{
	struct config cfg;
	char dsn[1300];
	struct shard_query *q;
	struct sq_job *j;
	int64_t start;

	(void)state;
	test_config(&cfg);
	cfg.readonly = true;
	/* A server that does not exist: a connection attempt would fail with
	 * an error, not be refused. */
	q = worker("host=/nonexistent/bt-test-nowhere dbname=x user=bt_operator", &cfg);
	start = now_ms();
	j = run(q, request(true, "tr-1"));
	assert_int_equal(j->status, SQ_REFUSED);
	assert_non_null(strstr(j->error, "read-only"));
	assert_true(now_ms() - start < 1000);
	sq_job_free(j);
	shard_query_free(q, 3000);

	/* The real server, as an operator: still refused, and no session of
	 * batchtop ever appears on it. */
	dsn_for(dsn, sizeof dsn, "bt_operator");
	q = worker(dsn, &cfg);
	for (int i = 0; i < 3; i++) {
		j = run(q, request(true, "tr-1"));
		assert_int_equal(j->status, SQ_REFUSED);
		assert_int_equal(j->backend_pid, 0);
		sq_job_free(j);
	}
	assert_int_equal(sql_long(env.admin, "SELECT count(*) FROM pg_stat_activity"
				  " WHERE application_name = 'batchtop'"
				  " AND datname = current_database()"), 0);
	shard_query_free(q, 3000);
	assert_int_equal(requests(), 0);
	config_free(&cfg);
}

static void test_write_created_duplicate_viewer(void **state)
{
	struct config cfg;
	char dsn[1300];
	struct shard_query *q;
	struct sq_job *j;

	(void)state;
	test_config(&cfg);
	dsn_for(dsn, sizeof dsn, "bt_operator");
	q = worker(dsn, &cfg);
	j = run(q, request(true, "tr-2"));
	assert_int_equal(j->status, SQ_OK);
	assert_string_equal(PQgetvalue(j->res, 0, 1), "created");
	assert_true(j->backend_pid > 0);
	sq_job_free(j);
	j = run(q, request(true, "tr-2"));
	assert_int_equal(j->status, SQ_OK);
	assert_string_equal(PQgetvalue(j->res, 0, 1), "duplicate");
	assert_non_null(strstr(PQgetvalue(j->res, 0, 2), "test_rerun"));
	sq_job_free(j);
	shard_query_free(q, 3000);
	assert_int_equal(requests(), 1);

	/* A viewer may not: 42501, nothing recorded. */
	dsn_for(dsn, sizeof dsn, "bt_viewer");
	q = worker(dsn, &cfg);
	j = run(q, request(true, "tr-3"));
	assert_int_equal(j->status, SQ_ERROR);
	assert_string_equal(j->sqlstate, "42501");
	sq_job_free(j);
	shard_query_free(q, 3000);
	assert_int_equal(requests(), 1);
	config_free(&cfg);
}

/* The call waits on the target's advisory lock (held here); its server
 * process is then terminated: the answer is lost. */
static void test_lost_answer_is_unknown(void **state)
{
	struct config cfg;
	char dsn[1300];
	struct shard_query *q;
	struct sq_job *j;
	unsigned id;
	int64_t end;
	long pid = 0;

	(void)state;
	test_config(&cfg);
	cfg.query_timeout = 20;
	sql(env.admin, "SELECT pg_advisory_lock(hashtext('batchtop.request_rerun'),"
		       " hashtext('batch_close:tr-4'))");
	dsn_for(dsn, sizeof dsn, "bt_operator");
	q = worker(dsn, &cfg);
	id = shard_query_submit(q, request(true, "tr-4"));
	end = now_ms() + WAIT_MS;
	while (!pid && now_ms() < end) {
		sleep_ms(20);
		pid = sql_long(env.admin, "SELECT coalesce(max(pid), 0) FROM pg_stat_activity"
			       " WHERE application_name = 'batchtop' AND wait_event_type = 'Lock'"
			       " AND query LIKE '%request_rerun%'");
	}
	assert_true(pid > 0);
	{
		char q2[128];

		snprintf(q2, sizeof q2, "SELECT pg_terminate_backend(%ld)", pid);
		sql(env.admin, q2);
	}
	sql(env.admin, "SELECT pg_advisory_unlock_all()");
	j = take(q, id);
	assert_int_equal(j->status, SQ_UNKNOWN);
	assert_int_equal(j->backend_pid, (int)pid);
	sq_job_free(j);
	assert_int_equal(requests(), 0);

	/* The next write reconnects and is answered: safe to retry. */
	j = run(q, request(true, "tr-4"));
	assert_int_equal(j->status, SQ_OK);
	assert_string_equal(PQgetvalue(j->res, 0, 1), "created");
	sq_job_free(j);
	shard_query_free(q, 3000);
	assert_int_equal(requests(), 1);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pgconn_readonly_session, per_test),
		cmocka_unit_test_setup(test_read_job_cannot_write, per_test),
		cmocka_unit_test_setup(test_readonly_mode_opens_nothing, per_test),
		cmocka_unit_test_setup(test_write_created_duplicate_viewer, per_test),
		cmocka_unit_test_setup(test_lost_answer_is_unknown, per_test),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
