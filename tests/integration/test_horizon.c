/*
 * test_horizon.c - how far back an incremental poll reaches on a shard
 * with batchtop.poll_delta_since() (doc/contract.md), on a real
 * PostgreSQL: back to the oldest transaction that was open when the last
 * poll looked, so a writer open longer than the margin is still caught by
 * a delta; about the margin only when writers are short, with fewer held
 * rows sent; poll_overlap when the shard cannot tell (a function owner that
 * cannot see every session, a REPEATABLE READ default, a session that does
 * not report its activity); and a writer that
 * commits while a poll reads the activity is seen, by that poll's snapshot.
 *
 * The reach is read from the poller's debug log ("cursor -1.0 s (oldest
 * transaction), 12 held"), as an operator would.
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

#include "data/log.h"
#include "query/query_poll.h"
#include "../pgtest.h"

static struct {
	char db[64];
	char name[32];		/* the poller's shard name, in the log */
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

	snprintf(T.db, sizeof T.db, "th_%ld_%.20s", (long)getpid(), tag);
	snprintf(T.name, sizeof T.name, "hz-%.20s", tag);
	pgtest_db_create(T.db, NULL, "batchtop_viewer");
	T.admin = pgtest_connect(T.db, "test_horizon");
	snprintf(q, sizeof q,
		 "INSERT INTO batchtop.biller SELECT 'b' || i, 'Biller ' || i,"
		 " 'UTC', 1, false FROM generate_series(1, %d) i;"
		 "INSERT INTO batchtop.batch_close (batch_id, biller_id,"
		 " business_day, payment_type, module, scheduled_at, status,"
		 " attempts) SELECT 'b' || i || '-' || k, 'b' || i, current_date,"
		 " (ARRAY['card','ach'])[k], 'close',"
		 " now() - interval '1 hour' + k * interval '10 min', 'scheduled', 0"
		 " FROM generate_series(1, %d) i, generate_series(1, 2) k;"
		 "ANALYZE batchtop.biller; ANALYZE batchtop.batch_close;", n, n);
	pgtest_sql(T.admin, q);
}

static void start_poller(void)
{
	char dsn[1400], host[1100];

	pgtest_host(host, sizeof host);
	snprintf(dsn, sizeof dsn, "host=%s dbname=%s user=bt_viewer", host, T.db);
	T.p = pgtest_poller(0, T.name, dsn, &T.cfg, T.wake[1]);
}

static int setup(void **state)
{
	(void)state;
	pgtest_config(&T.cfg);
	/* Nothing but a delta can show a change in these tests. */
	T.cfg.poll_overlap = 10;
	T.cfg.full_resync_interval = 600;
	T.cfg.biller_refresh_interval = 600;
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

/* One incremental poll's line of the log. */
struct reach {
	double back_s;		/* how far before the last poll's clock */
	char why[48];
	long held;		/* batch ids sent as held unchanged */
	bool read;		/* it read the sessions (poll_delta_since()) */
};

/* The incremental polls of T.name logged so far, at most max. */
static size_t reaches(struct reach *out, size_t max)
{
	char line[1024], key[64];
	size_t n = 0;
	FILE *f;

	log_flush();
	f = fopen(T.logpath, "r");
	assert_non_null(f);
	snprintf(key, sizeof key, "shard %s: incremental poll", T.name);
	while (n < max && fgets(line, sizeof line, f)) {
		const char *c = strstr(line, ", cursor -");

		if (!strstr(line, key))
			continue;
		if (!c || sscanf(c, ", cursor -%lf s (%47[^)]), %ld held",
				 &out[n].back_s, out[n].why, &out[n].held) != 3)
			fail_msg("a delta's line without its reach: %s", line);
		out[n].read = strstr(c, ", sessions read") != NULL;
		n++;
	}
	fclose(f);
	return n;
}

/* Waits until the log has more than n incremental polls of T.name. */
static size_t polls_after(size_t n, struct reach *out, size_t max)
{
	int64_t end = pgtest_now_ms() + PGTEST_WAIT_MS;
	size_t got;

	while ((got = reaches(out, max)) <= n) {
		if (pgtest_now_ms() >= end)
			fail_msg("no incremental poll after the %zu-th", n);
		pgtest_sleep_ms(50);
	}
	return got;
}

/* Whether the log says poll_delta_since() failed for T.name. */
static bool since_failed(void)
{
	char line[1024], key[64];
	bool found = false;
	FILE *f;

	log_flush();
	f = fopen(T.logpath, "r");
	assert_non_null(f);
	snprintf(key, sizeof key, "shard %s: poll_delta_since()", T.name);
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, key) != NULL;
	fclose(f);
	return found;
}

typedef bool (*pred_fn)(const struct snapshot *s, const void *arg);

/* The first snapshot for which pred holds within ms, or a failed test. */
static struct snapshot *expect_for(pred_fn pred, const void *arg, int ms,
				   const char *what)
{
	int64_t end = pgtest_now_ms() + ms;
	struct shard_health h;

	for (;;) {
		struct snapshot *s = NULL;

		shard_poller_read(T.p, &s, &h);
		if (s && h.state == SHARD_OK && pred(s, arg))
			return s;
		snapshot_unref(s);
		if (pgtest_now_ms() >= end) {
			fail_msg("not %s within %d ms: state %d, reason \"%s\"",
				 what, ms, (int)h.state, h.reason);
			abort();	/* not reached */
		}
		drain_wake();
		pgtest_sleep_ms(10);
	}
}

static bool is_delta(const struct snapshot *s, const void *arg)
{
	(void)arg;
	return s->delta;
}

static bool batch_failed(const struct snapshot *s, const void *arg)
{
	const struct batch *t = pgtest_find_batch(s, arg);

	return t && !strcmp(t->kind->status, "failed");
}

/* A writer's transaction updates a batch (updated_at = its start) and
 * stays open 5 s, half of poll_overlap: the polls meanwhile reach back to
 * its start, so the delta after its commit shows the change, long before
 * the full resync.  A cursor of the margin alone would miss it. */
static void test_open_writer(void **state)
{
	struct reach r[256];
	struct snapshot *s;
	PGconn *w;
	int64_t committed;
	size_t n;
	double most = 0;

	(void)state;
	shard_make("open", 20);
	start_poller();
	s = expect_for(is_delta, NULL, PGTEST_WAIT_MS, "a delta");
	snapshot_unref(s);

	w = pgtest_connect(T.db, "test_horizon_writer");
	pgtest_sql(w, "BEGIN; UPDATE batchtop.batch_close SET status = 'failed'"
		   " WHERE batch_id = 'b5-1'");
	n = reaches(r, 256);
	pgtest_sleep_ms(5000);
	n = polls_after(n, r, 256);
	pgtest_sql(w, "COMMIT");
	committed = pgtest_now_ms();
	PQfinish(w);

	s = expect_for(batch_failed, "b5-1", T.cfg.poll_interval * 1000 + 5000,
		       "showing the 5 s writer's change at the next poll");
	assert_true(s->delta);
	fprintf(stderr, "# a 5 s writer's change shown %lld ms after commit,"
		" by an incremental poll\n",
		(long long)(pgtest_now_ms() - committed));
	snapshot_unref(s);
	/* While it was open, the cursor followed its start. */
	for (size_t i = 0; i < n; i++)
		if (!strcmp(r[i].why, "oldest transaction") && r[i].back_s > most)
			most = r[i].back_s;
	fprintf(stderr, "# the furthest reach while it was open: %.1f s\n", most);
	assert_true(most >= 3.0);
	assert_true(most <= T.cfg.poll_overlap);
	assert_false(since_failed());
}

/* Churn of short transactions, two batches every 100 ms for ms. */
static void churn(int ms, int *k)
{
	int64_t end = pgtest_now_ms() + ms;
	char q[256];

	while (pgtest_now_ms() < end) {
		snprintf(q, sizeof q, "UPDATE batchtop.batch_close SET attempts ="
			 " attempts + 1 WHERE batch_id IN ('b%d-1', 'b%d-2')",
			 1 + *k % 200, 1 + *k % 200);
		pgtest_sql(T.admin, q);
		(*k)++;
		pgtest_sleep_ms(100);
	}
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/* The median held count of r[from, to). */
static long median_held(const struct reach *r, size_t from, size_t to)
{
	long v[256];
	size_t n = 0;

	for (size_t i = from; i < to && n < 256; i++)
		v[n++] = r[i].held;
	assert_true(n > 0);
	qsort(v, n, sizeof *v, cmp_long);
	return v[n / 2];
}

/* Short writers: each steady poll reaches back about the margin, and
 * sends the ids of the batches changed in about a second, not in
 * poll_overlap.  Then poll_horizon()'s owner loses sight of the other
 * sessions: NULL, and the polls reach back poll_overlap, and say so. */
static void test_short_writers_then_blind(void **state)
{
	struct reach r[256];
	size_t n0, n1, n2, n3;
	long near, far;
	int k = 0;

	(void)state;
	shard_make("short", 200);
	start_poller();
	snapshot_unref(expect_for(is_delta, NULL, PGTEST_WAIT_MS, "a delta"));
	n0 = polls_after(0, r, 256);
	churn(6000, &k);
	n1 = polls_after(n0, r, 256);
	for (size_t i = n0; i < n1; i++) {
		if (strcmp(r[i].why, "oldest transaction"))
			fail_msg("poll %zu reached back for \"%s\"", i, r[i].why);
		/* The margin, the polls that kept the horizon, and what a
		 * short transaction adds on a loaded machine. */
		assert_true(r[i].back_s >= 0.9 &&
			    r[i].back_s < 3.0 + QUERY_POLL_HORIZON_REUSE *
					      T.cfg.poll_interval);
	}
	near = median_held(r, n0, n1);
	/* Every (QUERY_POLL_HORIZON_REUSE + 1)-th poll reads the sessions,
	 * the others keep the horizon it read. */
	{
		size_t nread = 0;

		for (size_t i = n0; i < n1; i++)
			nread += r[i].read;
		fprintf(stderr, "# %zu of %zu steady polls read the sessions\n",
			nread, n1 - n0);
		assert_true(nread > 0);
		assert_true(nread * 2 <= n1 - n0 + 1);
	}

	pgtest_sql(T.admin, "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles"
		   " WHERE rolname = 'bt_horizon_blind') THEN"
		   " CREATE ROLE bt_horizon_blind NOLOGIN; END IF; END$$;"
		   "ALTER FUNCTION batchtop.poll_horizon() OWNER TO"
		   " bt_horizon_blind");
	/* Past the first poll without a horizon (after the polls that keep
	 * the last one), and one poll_overlap for the held rows to build
	 * up. */
	n2 = polls_after(n1 + 1 + QUERY_POLL_HORIZON_REUSE, r, 256);
	churn(T.cfg.poll_overlap * 1000 + 3000, &k);
	n3 = polls_after(n2, r, 256);
	for (size_t i = n2; i < n3; i++) {
		if (strcmp(r[i].why, "poll_overlap"))
			fail_msg("blind poll %zu reached back for \"%s\"", i,
				 r[i].why);
		assert_true(r[i].back_s == T.cfg.poll_overlap);
	}
	far = median_held(r, n3 - (n3 - n2) / 3, n3);
	fprintf(stderr, "# held ids sent per steady poll, median: %ld reaching"
		" back to the oldest transaction, %ld reaching back"
		" poll_overlap (%d s)\n", near, far, T.cfg.poll_overlap);
	assert_true(near * 3 < far);
	assert_false(since_failed());
	pgtest_sql(T.admin, "ALTER FUNCTION batchtop.poll_horizon() OWNER TO"
		   " batchtop_horizon");
}

/* A poller whose transactions default to REPEATABLE READ: its snapshot
 * is taken before the activity is read, so there is no horizon. */
static void test_repeatable_read(void **state)
{
	struct reach r[64];
	char q[256];
	size_t n;

	(void)state;
	shard_make("rr", 20);
	snprintf(q, sizeof q, "ALTER DATABASE \"%s\" SET"
		 " default_transaction_isolation = 'repeatable read'", T.db);
	pgtest_sql(T.admin, q);
	start_poller();
	n = polls_after(3, r, 64);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(r[i].why, "poll_overlap"))
			fail_msg("poll %zu under REPEATABLE READ reached back"
				 " for \"%s\"", i, r[i].why);
		assert_true(r[i].back_s == T.cfg.poll_overlap);
	}
	assert_false(since_failed());
}

/* A writer's session that does not report its activity (track_activities
 * off: no xact_start shown) hides its transaction's start: no horizon
 * while it is connected. */
static void test_untracked(void **state)
{
	struct reach r[128];
	PGconn *w;
	size_t n;

	(void)state;
	shard_make("untracked", 20);
	start_poller();
	n = polls_after(2, r, 128);
	w = pgtest_connect(T.db, "test_horizon_untracked");
	pgtest_sql(w, "SET track_activities = off");
	pgtest_sql(w, "BEGIN");
	pgtest_sql(w, "UPDATE batchtop.batch_close SET attempts = 3"
		   " WHERE batch_id = 'b2-1'");
	/* The poll in flight may have looked before it, and the polls
	 * after it keep that horizon (QUERY_POLL_HORIZON_REUSE). */
	n = polls_after(n + 3 + QUERY_POLL_HORIZON_REUSE, r, 128);
	for (size_t i = n - 2; i < n; i++) {
		if (strcmp(r[i].why, "poll_overlap"))
			fail_msg("poll %zu beside an untracked session reached"
				 " back for \"%s\"", i, r[i].why);
		assert_true(r[i].back_s == T.cfg.poll_overlap);
	}
	pgtest_sql(w, "COMMIT");
	PQfinish(w);
	assert_false(since_failed());
}

/* The order of the activity read (A) and the delta's snapshot (S): a
 * writer that began before a poll and commits just before the poll reads
 * the activity is seen by neither if S came first.  The test holds the
 * poll at the start of poll_horizon() (a copy that waits on an advisory
 * lock, then calls the real one), commits the writer, lets the poll go:
 * its snapshot, taken after A, shows the change. */
static void test_order(void **state)
{
	PGconn *w, *locker;
	struct snapshot *s;
	char q[512];

	(void)state;
	shard_make("order", 20);
	pgtest_sql(T.admin, "ALTER FUNCTION batchtop.poll_horizon() RENAME TO"
		   " poll_horizon_real;"
		   "CREATE FUNCTION batchtop.poll_horizon() RETURNS bigint"
		   " LANGUAGE plpgsql VOLATILE AS $$BEGIN"
		   " PERFORM pg_advisory_xact_lock_shared(4242);"
		   " RETURN batchtop.poll_horizon_real(); END$$;"
		   "GRANT EXECUTE ON FUNCTION batchtop.poll_horizon()"
		   " TO batchtop_viewer");
	start_poller();
	snapshot_unref(expect_for(is_delta, NULL, PGTEST_WAIT_MS, "a delta"));

	w = pgtest_connect(T.db, "test_horizon_writer");
	pgtest_sql(w, "BEGIN; UPDATE batchtop.batch_close SET status = 'failed'"
		   " WHERE batch_id = 'b7-2'");
	/* Older than the margin before the poll it will race. */
	pgtest_sleep_ms(2500);
	locker = pgtest_connect(T.db, "test_horizon_locker");
	pgtest_sql(locker, "SELECT pg_advisory_lock(4242)");
	snprintf(q, sizeof q, "SELECT count(*) FROM pg_stat_activity WHERE"
		 " datname = '%s' AND wait_event = 'advisory'", T.db);
	for (int64_t end = pgtest_now_ms() + PGTEST_WAIT_MS;;) {
		if (pgtest_sql_int(T.admin, q) > 0)
			break;
		assert_true(pgtest_now_ms() < end);
		pgtest_sleep_ms(5);
	}
	pgtest_sql(w, "COMMIT");
	pgtest_sql(locker, "SELECT pg_advisory_unlock(4242)");
	PQfinish(w);
	PQfinish(locker);

	s = expect_for(batch_failed, "b7-2", PGTEST_WAIT_MS,
		       "showing the change committed while the poll read the"
		       " activity");
	assert_true(s->delta);
	snapshot_unref(s);
	assert_false(since_failed());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_writers_then_blind,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeatable_read, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_untracked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
	};
	int rc = pgtest_need_server("test_horizon");

	if (rc)
		return rc;
	if (pipe2(T.wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return 1;
	snprintf(T.logpath, sizeof T.logpath, "tests/integration/test_horizon.%ld.dbg",
		 (long)getpid());
	if (log_open(T.logpath, LOG_DEBUG) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	log_close();
	if (!rc)
		unlink(T.logpath);
	return rc;
}
