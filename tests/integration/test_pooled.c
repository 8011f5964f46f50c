/*
 * test_pooled.c - pgconn with pooled = true (pooler = transaction), against
 * the test server itself: what pgbouncer.test cannot see from outside.
 * Each statement carries its own SET LOCAL timeouts and read-only guard,
 * nothing stays in the session, an error leaves the session usable (the
 * implicit transaction was rolled back at the Sync), and no startup
 * options are sent.
 */
#include "autoconf.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "data/pgconn.h"
#include "../pgtest.h"

static struct {
	char db[64];
	int ctl[2];
	struct config cfg;
	struct pgconn c;
	char dsn[400];
} env;

/* A pooled connection to the test database; readonly as asked. */
static void open_pooled(bool readonly)
{
	char reason[200];

	env.c = (struct pgconn){ .name = "pooled", .dsn = env.dsn,
				 .cfg = &env.cfg, .readonly = readonly,
				 .pooled = true, .ctl_fd = env.ctl[0] };
	if (pgconn_open(&env.c, reason, sizeof reason) != 0)
		fail_msg("connect: %s", reason);
}

/* One value of sql on the pooled connection, copied; NULL on an error
 * (reason then says why). */
static char *value(const char *sql, char *reason, size_t n)
{
	bool sent, dead, stop;
	PGresult *res = pgconn_exec(&env.c, sql, 0, NULL, reason, n, &sent,
				    &dead, &stop);
	char *v;

	assert_false(stop);
	if (!res)
		return NULL;
	v = strdup(PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	return v;
}

static void expect_row(const char *sql, const char *want)
{
	char reason[200];
	char *v = value(sql, reason, sizeof reason);

	if (!v)
		fail_msg("%s: %s", sql, reason);
	if (strcmp(v, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", sql, v, want);
	free(v);
}

static int teardown(void **state)
{
	(void)state;
	pgconn_close(&env.c);
	pgconn_cancel_release(&env.c.own_cancel);
	return 0;
}

/* The settings hold inside each statement's own transaction, and only
 * there: the session itself has none of them (no startup options, no
 * session SET that a pooler would hand to another client). */
static void test_settings_per_statement(void **state)
{
	(void)state;
	open_pooled(true);
	expect_row("SELECT current_setting('statement_timeout')", "2s");
	expect_row("SELECT current_setting('lock_timeout')", "2s");
	expect_row("SELECT current_setting('transaction_read_only')", "on");
	expect_row("SELECT current_setting('jit')", "off");
	/* The startup packet carried no options: the session's own values
	 * are the server's defaults, seen by a plain statement. */
	{
		PGresult *res = PQexec(env.c.conn, "SELECT current_setting("
			"'statement_timeout') || ',' || current_setting("
			"'default_transaction_read_only')");

		assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
		assert_string_equal(PQgetvalue(res, 0, 0), "0,off");
		PQclear(res);
	}
}

/* A read-only connection cannot write; the error is a plain answer and
 * the next statement runs (the transaction was rolled back). */
static void test_read_only_guard(void **state)
{
	char reason[200];
	char *v;

	(void)state;
	open_pooled(true);
	v = value("CREATE TABLE pooled_should_not_exist (i int)", reason,
		  sizeof reason);
	assert_null(v);
	assert_string_equal(env.c.sqlstate, "25006");
	assert_non_null(strstr(reason, "read-only transaction"));
	assert_int_equal(PQtransactionStatus(env.c.conn), PQTRANS_IDLE);
	expect_row("SELECT 41 + 1", "42");
}

/* A write connection writes, in its own transaction: committed at the
 * Sync; a failing statement leaves nothing behind. */
static void test_write_commits(void **state)
{
	char reason[200];
	char *v;

	(void)state;
	open_pooled(false);
	expect_row("SELECT current_setting('transaction_read_only')", "off");
	expect_row("CREATE TABLE pooled_w (i int PRIMARY KEY)", "");
	expect_row("INSERT INTO pooled_w VALUES (1) RETURNING i", "1");
	v = value("INSERT INTO pooled_w VALUES (2), (1)", reason, sizeof reason);
	assert_null(v);
	assert_string_equal(env.c.sqlstate, "23505");
	assert_int_equal(PQtransactionStatus(env.c.conn), PQTRANS_IDLE);
	expect_row("SELECT string_agg(i::text, ',') FROM pooled_w", "1");
	expect_row("DROP TABLE pooled_w", "");
}

/* A statement that runs past statement_timeout is stopped by the server,
 * from the SET LOCAL, not by our own deadline. */
static void test_server_timeout(void **state)
{
	char reason[200];
	char *v;
	int64_t t0;

	(void)state;
	open_pooled(true);
	t0 = pgtest_now_ms();
	v = value("SELECT pg_sleep(30)", reason, sizeof reason);
	assert_null(v);
	print_message("# after %lld ms: %s\n",
		      (long long)(pgtest_now_ms() - t0), reason);
	assert_string_equal(env.c.sqlstate, "57014");
	assert_non_null(strstr(reason, "statement timeout"));
	expect_row("SELECT 'still usable'", "still usable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_settings_per_statement, teardown),
		cmocka_unit_test_teardown(test_read_only_guard, teardown),
		cmocka_unit_test_teardown(test_write_commits, teardown),
		cmocka_unit_test_teardown(test_server_timeout, teardown),
	};
	char host[160];
	int rc = pgtest_need_server("test_pooled");

	if (rc)
		return rc;
	snprintf(env.db, sizeof env.db, "bt_test_pooled_%d", (int)getpid());
	pgtest_db_create(env.db, NULL, "batchtop_viewer, batchtop_operator");
	pgtest_host(host, sizeof host);
	snprintf(env.dsn, sizeof env.dsn, "host=%s dbname=%s", host, env.db);
	pgtest_config(&env.cfg);
	if (pipe2(env.ctl, O_CLOEXEC | O_NONBLOCK) < 0)
		return 99;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pgtest_db_drop(env.db);
	config_free(&env.cfg);
	return rc;
}
