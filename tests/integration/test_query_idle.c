/*
 * test_query_idle.c - while someone only watches, batchtop holds one
 * session per shard.
 *
 * The dashboard is set up as batchtop sets it up (app_open, APP_TUI: a
 * poller and a query worker per shard) on two real shards, and the server
 * is asked how many batchtop sessions each has (pg_stat_activity):
 *   - watching only: one per shard, the poller's;
 *   - a biller's detail read on shard 0: two there, still one on shard 1;
 *   - query_idle_timeout later (and not much sooner): one per shard again;
 *   - the next detail reconnects and is answered.
 * And the threads that go with the sessions (/proc/self/task): no query
 * worker thread while only watching, one on shard 0 while its session is
 * open, none again once it has closed.
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
#include <unistd.h>

#include <dirent.h>
#include <pthread.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "app/app.h"
#include "core/config.h"
#include "data/shard_query.h"
#include "query/query_detail.h"
#include "../pgtest.h"

#define IDLE_S 5	/* long enough that the counts right after a job never race it */

static struct {
	char db[2][64];
	PGconn *admin;
} env;

/* batchtop's sessions on shard i right now. */
static long sessions(int i)
{
	char sql[256];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_stat_activity"
		 " WHERE application_name = 'batchtop' AND datname = '%s'",
		 env.db[i]);
	return pgtest_sql_int(env.admin, sql);
}

/* Wait until shard i has want sessions; false when it never does. */
static bool wait_sessions(int i, long want, int ms)
{
	int64_t end = pgtest_now_ms() + ms;

	while (sessions(i) != want) {
		if (pgtest_now_ms() > end)
			return false;
		pgtest_sleep_ms(50);
	}
	return true;
}

/* This process's threads right now. */
static long threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	long n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void *nothing(void *arg)
{
	return arg;
}

/* The threads before batchtop starts any.  A sanitizer's runtime starts a
 * thread of its own with the process's first pthread_create (TSan's
 * background thread): one thread started and joined first lets it. */
static long threads_before(void)
{
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, nothing, NULL), 0);
	pthread_join(t, NULL);
	return threads();
}

/* Wait until the process has want threads; false when it never does. */
static bool wait_threads(long want, int ms)
{
	int64_t end = pgtest_now_ms() + ms;

	while (threads() != want) {
		if (pgtest_now_ms() > end)
			return false;
		pgtest_sleep_ms(50);
	}
	return true;
}

/* Wait until every shard has been polled once. */
static void wait_polled(struct app *app)
{
	int64_t end = pgtest_now_ms() + PGTEST_WAIT_MS;

	for (;;) {
		bool all = true;

		app_collect(app);
		for (size_t i = 0; i < app->npollers; i++)
			all = all && app->health[i].polls_ok > 0;
		if (all)
			return;
		if (pgtest_now_ms() > end)
			fail_msg("the shards were not polled in time");
		pgtest_sleep_ms(50);
	}
}

/* A biller's history, as the drill-down asks for it, on shard i. */
static void read_detail(struct app *app, int i)
{
	struct sq_job *j;

	shard_query_submit(app->queries[i],
			   query_detail_history_job(0, "qi-b1", 45, NULL));
	j = pgtest_take(app->queries[i]);
	assert_int_equal(j->status, SQ_OK);
	sq_job_free(j);
}

static int group_setup(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		snprintf(env.db[i], sizeof env.db[i], "tqi_%ld_%d", (long)getpid(), i);
		pgtest_db_create(env.db[i], NULL, "batchtop_viewer");
	}
	env.admin = pgtest_connect("postgres", "test_query_idle");
	return 0;
}

static int group_teardown(void **state)
{
	int rc = 0;

	(void)state;
	if (env.admin)
		PQfinish(env.admin);
	for (int i = 0; i < 2; i++)
		rc |= pgtest_db_drop(env.db[i]);
	return rc;
}

static void test_one_session_while_watching(void **state)
{
	struct config cfg;
	struct shard_conf shards[2];
	char host[1100], dsn[2][1300];
	struct app app;
	char *why = NULL;
	int64_t idle_from;
	long before;

	(void)state;
	before = threads_before();
	pgtest_config(&cfg);
	cfg.query_idle_timeout = IDLE_S;
	pgtest_host(host, sizeof host);
	for (int i = 0; i < 2; i++) {
		snprintf(dsn[i], sizeof dsn[i], "host=%s dbname=%s user=bt_viewer",
			 host, env.db[i]);
		shards[i] = (struct shard_conf){ .name = env.db[i],
						 .dsn = dsn[i], .line = 1 };
	}
	cfg.shards = shards;
	cfg.nshards = 2;
	assert_int_equal(app_open(&app, &cfg, NULL, APP_TUI, NULL, &why), 0);
	assert_non_null(app.queries);

	wait_polled(&app);
	/* Several polls later, still the poller's session alone. */
	pgtest_sleep_ms(cfg.poll_interval * 2000);
	assert_int_equal(sessions(0), 1);
	assert_int_equal(sessions(1), 1);
	/* The pollers' two threads, and no query worker's. */
	long watching = threads();

	assert_int_equal(watching, before + 2);

	read_detail(&app, 0);
	idle_from = pgtest_now_ms();
	assert_int_equal(sessions(0), 2);
	assert_int_equal(sessions(1), 1);
	assert_int_equal(threads(), watching + 1);

	/* Closed once it has sat unused for the timeout, not before (the
	 * slack is for the wake-up between the job's end and idle_from). */
	assert_true(wait_sessions(0, 1, IDLE_S * 1000 + PGTEST_WAIT_MS));
	assert_true(pgtest_now_ms() - idle_from >= (IDLE_S - 2) * 1000);
	assert_int_equal(sessions(1), 1);
	assert_true(wait_threads(watching, PGTEST_WAIT_MS));

	read_detail(&app, 0);
	assert_int_equal(sessions(0), 2);
	assert_int_equal(threads(), watching + 1);

	app_close(&app);
	assert_true(wait_sessions(0, 0, PGTEST_WAIT_MS));
	cfg.shards = NULL;
	cfg.nshards = 0;
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_session_while_watching),
	};
	int rc = pgtest_need_server("test_query_idle");

	if (rc)
		return rc;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
