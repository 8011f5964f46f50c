/*
 * test_history.c - the forecasts' history query (src/query/query_history.c)
 * on a real PostgreSQL: its plan at 10,000 billers with 60 days kept and
 * 30 asked for (index scans of batch_close and rerun_request, never a
 * sequential one), its server time, printed for the record and bounded
 * by the query timeout batchtop gives it; the whole read as the poller
 * makes it (data/history.c), parsed into the history the forecasts use,
 * checked against what was seeded; and a read that cannot finish within
 * its bound failing alone, the session still good.
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

#include "core/forecast.h"
#include "data/history.h"
#include "data/pgconn.h"
#include "query/query_history.h"
#include "../pgtest.h"

#define NBILLERS 10000
#define DAYS_KEPT 60
#define DAYS_ASKED 30

static struct {
	char db[64];
	int wake[2];
	PGconn *admin;
	struct config cfg;
} T;

/* Seeded once for every test (it takes a while): biller bI closes once a
 * business day d (1..DAYS_KEPT days ago), of type card or ach, taking
 * 300 + 30 (I mod 50) + 10 (d mod 7) seconds and starting I mod 60
 * seconds late; every tenth biller's close of yesterday (b1, b11, ...)
 * was rerun, in 60 + I mod 100 seconds, and b20's closes of the last five
 * days were rerun in 90 seconds each.  Older reruns (40 to 59 days ago,
 * five per biller) are what a shard keeps, and are not read. */
static int group_setup(void **state)
{
	char q[4096];
	int64_t t0;

	(void)state;
	pgtest_config(&T.cfg);
	snprintf(T.db, sizeof T.db, "th_%ld", (long)getpid());
	pgtest_db_create(T.db, NULL, "batchtop_viewer");
	T.admin = pgtest_connect(T.db, "test_history");
	t0 = pgtest_now_ms();
	snprintf(q, sizeof q,
		 "INSERT INTO batchtop.biller SELECT 'b' || i, 'Biller ' || i,"
		 " 'America/Chicago', 1 + i %% 5, false"
		 " FROM generate_series(1, %d) i;"
		 "INSERT INTO batchtop.batch_close (batch_id, biller_id,"
		 " business_day, payment_type, module, scheduled_at, started_at,"
		 " finished_at, status, attempts)"
		 " SELECT 'b' || i || '-' || d, 'b' || i, current_date - d,"
		 " CASE WHEN i %% 3 = 0 THEN 'card' ELSE 'ach' END, 'm' || i %% 7,"
		 " s, s + (i %% 60) * interval '1 s',"
		 " s + (i %% 60 + 300 + 30 * (i %% 50) + 10 * (d %% 7)) * interval '1 s',"
		 " 'closed', 1"
		 " FROM generate_series(1, %d) i, generate_series(1, %d) d,"
		 " LATERAL (SELECT (current_date - d) + time '23:00' AS s) x;"
		 "INSERT INTO batchtop.rerun_request (kind, target_id, requested_by,"
		 " requested_at, status, finished_at)"
		 " SELECT 'batch_close', 'b' || i || '-1', 'amy', now() - interval '1 day',"
		 " 'done', now() - interval '1 day' + (60 + i %% 100) * interval '1 s'"
		 " FROM generate_series(1, %d, 10) i;"
		 "INSERT INTO batchtop.rerun_request (kind, target_id, requested_by,"
		 " requested_at, status, finished_at)"
		 " SELECT 'batch_close', 'b20-' || d, 'amy', now() - d * interval '1 day',"
		 " 'done', now() - d * interval '1 day' + interval '90 s'"
		 " FROM generate_series(1, 5) d;"
		 /* Old rows keep their old updated_at: no trigger for them. */
		 "ALTER TABLE batchtop.rerun_request DISABLE TRIGGER rerun_request_touch;"
		 "INSERT INTO batchtop.rerun_request (kind, target_id, requested_by,"
		 " requested_at, status, finished_at, updated_at)"
		 " SELECT 'batch_close', 'b' || i || '-' || d, 'amy', t, 'done',"
		 " t + interval '2 min', t + interval '2 min'"
		 " FROM generate_series(1, %d) i, generate_series(40, 59, 4) d,"
		 " LATERAL (SELECT now() - d * interval '1 day' AS t) x;"
		 "ALTER TABLE batchtop.rerun_request ENABLE TRIGGER rerun_request_touch;"
		 "ANALYZE batchtop.biller; ANALYZE batchtop.batch_close;"
		 "ANALYZE batchtop.rerun_request;",
		 NBILLERS, NBILLERS, DAYS_KEPT, NBILLERS, NBILLERS);
	pgtest_sql(T.admin, q);
	fprintf(stderr, "# seeded %d billers x %d days in %lld ms\n", NBILLERS,
		DAYS_KEPT, (long long)(pgtest_now_ms() - t0));
	if (pipe2(T.wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (T.admin)
		PQfinish(T.admin);
	if (T.db[0])
		pgtest_db_drop(T.db);
	return 0;
}

/* Every biller's closes are an index range scan; only the billers
 * themselves (every one is wanted) may be read in sequence. */
static void test_plan_and_time(void **state)
{
	const char *params[2] = { "30", "240" };
	char q[8192];
	double best = 1e12;

	(void)state;
	snprintf(q, sizeof q, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) %s",
		 query_history_sql);
	for (int run = 0; run < 3; run++) {
		PGresult *r = pgtest_sqlp(T.admin, q, 2, params);
		bool idx_close = false;

		for (int i = 0; i < PQntuples(r); i++) {
			const char *line = PQgetvalue(r, i, 0);

			if (run == 0)
				fprintf(stderr, "#   %s\n", line);
			if (strstr(line, "Seq Scan on batch_close") ||
			    strstr(line, "Seq Scan on rerun_request"))
				fail_msg("the history query scans a table in "
					 "sequence: %s", line);
			if (strstr(line, "batch_close_biller_day_idx"))
				idx_close = true;
			if (!strncmp(line, "Execution Time: ", 16) &&
			    atof(line + 16) < best)
				best = atof(line + 16);
		}
		assert_true(idx_close);
		PQclear(r);
	}
	fprintf(stderr, "# history of %d billers x %d days (of %d kept): "
		"server time %.0f ms (EXPLAIN ANALYZE, best of 3)\n", NBILLERS,
		DAYS_ASKED, DAYS_KEPT, best);
	/* The bound that matters: batchtop cancels the read at its query
	 * timeout (default 10 s), so it must finish well inside it. */
	assert_true(best < 10000.0);
}

/* A read-only session as the poller opens one, with a control pipe. */
static void open_session(struct pgconn *c, int ctl[2], char *dsn, size_t dn)
{
	char host[1100], reason[200];

	pgtest_host(host, sizeof host);
	snprintf(dsn, dn, "host=%s dbname=%s user=bt_viewer", host, T.db);
	assert_int_equal(pipe2(ctl, O_CLOEXEC | O_NONBLOCK), 0);
	*c = (struct pgconn){ .name = "history", .dsn = dsn, .cfg = &T.cfg,
			      .readonly = true, .ctl_fd = ctl[0] };
	assert_int_equal(pgconn_open(c, reason, sizeof reason), 0);
}

static void close_session(struct pgconn *c, int ctl[2])
{
	pgconn_close(c);
	pgconn_cancel_release(&c->own_cancel);
	close(ctl[0]);
	close(ctl[1]);
}

/* The read as batchtop makes it: history_read() on the poller's session,
 * parsed on the caller's thread. */
static void test_read_on_the_session(void **state)
{
	char dsn[1400], reason[200];
	struct pgconn c;
	int ctl[2];
	bool dead, stop;
	struct fc_history *h;
	struct fc_dist dur, delay;
	fc_ms ms[DAYS_ASKED + 1];
	int64_t t0;
	size_t n;

	(void)state;
	/* A loaded machine; measured above.  The read's bound is the
	 * shorter of the two. */
	T.cfg.query_timeout = 30;
	T.cfg.poll_interval = 30;
	T.cfg.history_days = DAYS_ASKED;
	open_session(&c, ctl, dsn, sizeof dsn);
	t0 = pgtest_now_ms();
	h = history_read(&c, &T.cfg, 0, 1234, reason, sizeof reason, &dead,
			 &stop);
	assert_non_null(h);
	fprintf(stderr, "# history read on the session: %lld ms, %zu closes\n",
		(long long)(pgtest_now_ms() - t0), fc_history_closes(h));
	close_session(&c, ctl);

	assert_int_equal(fc_history_read_at(h), 1234);
	/* Days 1..30 ago (current_date - 30 is the first one kept). */
	assert_int_equal(fc_history_closes(h), (size_t)NBILLERS * DAYS_ASKED);
	/* b1 (ach): the oldest first, 300 + 30 + 10 (d mod 7) s, d = 30..1. */
	n = fc_history_recent(h, "b1", "ach", ms, DAYS_ASKED + 1);
	assert_int_equal(n, DAYS_ASKED);
	assert_true(ms[0] == (300 + 30 + 10 * (30 % 7)) * 1000LL);
	assert_true(ms[n - 1] == (300 + 30 + 10 * (1 % 7)) * 1000LL);
	assert_int_equal(fc_history_pick(h, "b1", "ach", "m1", 1, &dur, &delay),
			 FC_BILLER);
	assert_true(delay.ms[0] == 1000);	/* 1 mod 60 seconds late */
	/* b11 was rerun once: too few reruns to forecast from alone; b20's
	 * five are enough. */
	assert_false(fc_history_reruns(h, "b11", "ach", &dur));
	assert_true(fc_history_reruns(h, "b20", "ach", &dur));
	assert_int_equal(dur.n, 5);
	assert_true(fc_quantile(&dur, 0.5) == 90000);
	assert_int_equal(fc_history_recent(h, "b0", "ach", ms, DAYS_ASKED + 1), 0);
	fc_history_unref(h);
}

/* A read that cannot finish within its bound (poll_interval, shorter
 * than query_timeout here) fails alone, in about that long, and leaves
 * the session good for the next poll: here it waits on a lock another
 * session holds (its lock_timeout is the same bound). */
static void test_slow_read_is_bounded(void **state)
{
	char dsn[1400], reason[200];
	struct pgconn c;
	int ctl[2];
	bool dead, stop, sent;
	int64_t t0, took;
	PGresult *res;
	struct fc_history *h;

	(void)state;
	T.cfg.query_timeout = 30;
	T.cfg.poll_interval = 1;
	open_session(&c, ctl, dsn, sizeof dsn);
	pgtest_sql(T.admin, "BEGIN");
	pgtest_sql(T.admin, "LOCK TABLE batchtop.batch_close IN ACCESS EXCLUSIVE MODE");
	t0 = pgtest_now_ms();
	h = history_read(&c, &T.cfg, 0, 1234, reason, sizeof reason, &dead,
			 &stop);
	took = pgtest_now_ms() - t0;
	pgtest_sql(T.admin, "ROLLBACK");
	fprintf(stderr, "# a blocked read failed in %lld ms: %s\n",
		(long long)took, reason);
	assert_null(h);
	assert_false(dead);
	assert_false(stop);
	assert_true(took >= 900);
	/* Well before query_timeout (30 s): the server timed it out. */
	assert_true(took < 1000 + PGCONN_SLACK_MS);
	/* The session is still good, and read-only. */
	res = pgconn_exec(&c, "SELECT current_setting('transaction_read_only')",
			  0, NULL, reason, sizeof reason, &sent, &dead, &stop);
	assert_non_null(res);
	assert_string_equal(PQgetvalue(res, 0, 0), "on");
	PQclear(res);
	close_session(&c, ctl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_and_time),
		cmocka_unit_test(test_read_on_the_session),
		cmocka_unit_test(test_slow_read_is_bounded),
	};
	int rc = pgtest_need_server("test_history");

	if (rc)
		return rc;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
