/*
 * test_replica.c - polls against a real streaming hot standby.
 *
 * The group set-up makes a database on the pg-env server, fills it, and
 * makes a standby of the whole server with scripts/pg-replica (pg_basebackup
 * -R, its own socket directory).  Each test drives a real poller whose
 * shard has dsn = the primary and replica = the standby, and waits for
 * conditions on its health and snapshots; nothing is mocked.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "core/config.h"
#include "core/snapshot.h"
#include "data/shard_poller.h"
#include "data/shard_query.h"
#include "query/query_rerun.h"
#include "../pgtest.h"

static struct {
	char db[64];
	char host[1100];	/* the primary's PGHOST, quoted for a DSN */
	char rdir[256];		/* the standby's directory and socket */
	bool rmade;
	PGconn *admin;		/* the primary */
	PGconn *radmin;		/* the standby */
	int wake[2];
} env = { .wake = { -1, -1 } };

static struct config cfg;
static struct shard_poller *poller;

static int replica_cmd(const char *what)
{
	char cmd[600];
	const char *src = getenv("top_srcdir");

	snprintf(cmd, sizeof cmd, "'%s/scripts/pg-replica' %s '%s'",
		 src ? src : ".", what, env.rdir);
	return system(cmd);
}

static PGconn *replica_connect(void)
{
	char dsn[400];
	PGconn *c;

	snprintf(dsn, sizeof dsn, "host='%s' dbname=%s user=postgres "
		 "application_name=test_replica", env.rdir, env.db);
	c = PQconnectdb(dsn);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("standby: %s", PQerrorMessage(c));
	return c;
}

static int group_setup(void **state)
{
	(void)state;
	pgtest_host(env.host, sizeof env.host);
	snprintf(env.db, sizeof env.db, "trep_%ld_%u", (long)getpid(),
		 (unsigned)(pgtest_now_ms() & 0xffff));
	snprintf(env.rdir, sizeof env.rdir, "%s/batchtop-replica.%ld",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	pgtest_db_create(env.db, NULL, "batchtop_viewer, batchtop_operator");
	env.admin = pgtest_connect(env.db, "test_replica");
	pgtest_sql(env.admin,
	    "INSERT INTO batchtop.biller VALUES ('rb-1', 'Replica Water', 'UTC', 1, false);"
	    "INSERT INTO batchtop.batch_close (batch_id, biller_id, business_day,"
	    " payment_type, module, scheduled_at, started_at, finished_at, status,"
	    " attempts, error_class, error_message)"
	    " VALUES ('rc-1', 'rb-1', current_date, 'card', 'autopay',"
	    "   now() - interval '30 minutes', now() - interval '30 minutes',"
	    "   now() - interval '20 minutes', 'failed', 1, 'multishard', 'lock wait')");
	pgtest_sql(env.admin, "CREATE TABLE public.tick (at timestamptz)");
	if (replica_cmd("create") != 0)
		fail_msg("scripts/pg-replica create failed");
	env.rmade = true;
	env.radmin = replica_connect();
	if (pipe2(env.wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (env.radmin)
		PQfinish(env.radmin);
	if (env.rmade)
		replica_cmd("destroy");
	if (env.admin)
		PQfinish(env.admin);
	close(env.wake[0]);
	close(env.wake[1]);
	return pgtest_db_drop(env.db);
}

static int per_test(void **state)
{
	(void)state;
	pgtest_config(&cfg);
	cfg.poll_interval = 1;
	return 0;
}

static int per_test_end(void **state)
{
	(void)state;
	shard_poller_free(poller, 5000);
	poller = NULL;
	/* Whatever a failed test left: a standby running and replaying. */
	if (PQstatus(env.radmin) != CONNECTION_OK) {
		replica_cmd("start");
		PQfinish(env.radmin);
		env.radmin = replica_connect();
	}
	PQclear(PQexec(env.radmin, "SELECT pg_wal_replay_resume()"));
	config_free(&cfg);
	return 0;
}

/* A poller on the primary with the standby as its replica. */
static struct shard_poller *start_poller(int max_lag)
{
	char dsn[1300], rdsn[600];
	struct shard_conf sc = { .name = (char *)"r", .dsn = dsn, .replica = rdsn,
				 .replica_max_lag = max_lag, .line = 1 };
	struct shard_poller *p;

	snprintf(dsn, sizeof dsn, "host=%s dbname=%s user=bt_viewer",
		 env.host, env.db);
	snprintf(rdsn, sizeof rdsn, "host='%s' dbname=%s user=bt_viewer",
		 env.rdir, env.db);
	p = shard_poller_new(0, &sc, &cfg, env.wake[1]);
	assert_non_null(p);
	assert_int_equal(shard_poller_start(p), 0);
	return p;
}

/* Wait until a good poll after since (polls_ok) satisfies cond. */
typedef bool (*cond_fn)(const struct shard_health *h,
			const struct snapshot *s);

/* What the standby says of its replay, for a failure's message: its last
 * replayed commit's time, received and replayed LSNs, and whether replay
 * is paused (or why it cannot say). */
static void standby_state(char *out, size_t n)
{
	PGresult *res = PQexec(env.radmin,
		"SELECT concat_ws(' ', coalesce(pg_last_xact_replay_timestamp()"
		"::text, 'none'), pg_last_wal_receive_lsn(),"
		" pg_last_wal_replay_lsn(), pg_is_wal_replay_paused())");

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		snprintf(out, n, "%s", PQgetvalue(res, 0, 0));
	else
		snprintf(out, n, "unknown: %s", PQerrorMessage(env.radmin));
	PQclear(res);
}

static void wait_for(const char *what, unsigned after, cond_fn cond,
		     int wait_ms, struct shard_health *out)
{
	int64_t end = pgtest_now_ms() + wait_ms;
	struct shard_health h;

	for (;;) {
		struct snapshot *s = NULL;
		bool ok;

		shard_poller_read(poller, &s, &h);
		ok = h.state == SHARD_OK && h.polls_ok > after && s &&
		     cond(&h, s);
		snapshot_unref(s);
		if (ok)
			break;
		if (pgtest_now_ms() > end) {
			char standby[300];

			standby_state(standby, sizeof standby);
			fail_msg("%s: not within %d ms (state %d, on replica %d, "
				 "lag %lld, why \"%s\", reason \"%s\"; the "
				 "standby: last replayed commit, received, "
				 "replayed, paused: %s)", what, wait_ms,
				 (int)h.state, h.on_replica,
				 (long long)h.replica_lag_ms, h.replica_why,
				 h.reason, standby);
		}
		pgtest_sleep_ms(50);
	}
	if (out)
		*out = h;
}

static const char *status_of(const struct snapshot *s, const char *id)
{
	const struct batch *t = pgtest_find_batch(s, id);

	return t ? t->kind->status : "";
}

static bool on_replica(const struct shard_health *h, const struct snapshot *s)
{
	return h->on_replica && pgtest_find_batch(s, "rc-1") != NULL;
}

static bool on_primary(const struct shard_health *h, const struct snapshot *s)
{
	(void)s;
	return !h->on_replica && h->replica_why[0];
}

/* The lag is in the health: on the replica as a number, or (when a busy
 * machine let the first measurement come after the bound) as the reason
 * for polling the primary. */
static bool lag_shown(const struct shard_health *h, const struct snapshot *s)
{
	(void)s;
	return (h->on_replica && h->replica_lag_ms != BT_NO_TIME &&
		h->replica_lag_ms >= 1000) ||
	       (!h->on_replica && strstr(h->replica_why, "lagging"));
}

static bool lagging_primary(const struct shard_health *h,
			    const struct snapshot *s)
{
	return !h->on_replica && strstr(h->replica_why, "replica lagging") &&
	       !strcmp(status_of(s, "rc-1"), "running");
}

/* Commit on the primary and wait until the standby has replayed it, so
 * its last replayed commit is now. */
static void replicated_now(void)
{
	int64_t end = pgtest_now_ms() + PGTEST_WAIT_MS;
	char *lsn;
	char q[200];

	/* A real write: a no-op UPDATE may be suppressed and commit
	 * nothing, leaving the replay timestamp where it was. */
	pgtest_sql(env.admin, "INSERT INTO public.tick VALUES (now())");
	/* The insert position, past the commit record: pg-env's server
	 * commits asynchronously (synchronous_commit off), so the write
	 * position pg_current_wal_lsn() gives may still lie before it, and
	 * replay could reach that while the commit is not replayed (the
	 * standby, restarted by an earlier test, then has no replayed
	 * commit at all). */
	lsn = pgtest_sql_text(env.admin,
			      "SELECT pg_current_wal_insert_lsn()::text");
	snprintf(q, sizeof q, "SELECT (pg_last_wal_replay_lsn() >= '%s')::int",
		 lsn);
	free(lsn);
	while (pgtest_sql_int(env.radmin, q) != 1) {
		if (pgtest_now_ms() > end)
			fail_msg("the standby does not replay");
		pgtest_sleep_ms(50);
	}
}

static int64_t batchtop_sessions(PGconn *c)
{
	char q[300];

	snprintf(q, sizeof q, "SELECT count(*) FROM pg_stat_activity WHERE "
		 "application_name = 'batchtop' AND datname = '%s'", env.db);
	return pgtest_sql_int(c, q);
}

/* --- the tests ---------------------------------------------------------------- */

/* The poll session is the standby's, not the primary's; an idle primary
 * (nothing pending) is no lag, however long ago the last commit was. */
static void test_polls_reach_the_replica(void **state)
{
	struct shard_health h;

	(void)state;
	poller = start_poller(2);
	wait_for("polling the replica", 0, on_replica, PGTEST_WAIT_MS, &h);
	assert_int_equal(batchtop_sessions(env.radmin), 1);
	assert_int_equal(batchtop_sessions(env.admin), 0);
	/* Idle for longer than the bound: still the replica, no lag to
	 * speak of (other tests' writes on the same server may leave the
	 * standby a few milliseconds behind at the moment it is asked). */
	pgtest_sleep_ms(3500);
	wait_for("still on the replica", h.polls_ok + 2, on_replica,
		 PGTEST_WAIT_MS, &h);
	assert_true(h.replica_lag_ms >= 0 && h.replica_lag_ms < 1000);
	assert_string_equal(h.replica_why, "");
}

static void test_stopped_replica_falls_back_and_returns(void **state)
{
	struct shard_health h;

	(void)state;
	poller = start_poller(5);
	wait_for("polling the replica", 0, on_replica, PGTEST_WAIT_MS, &h);
	assert_int_equal(replica_cmd("stop"), 0);
	wait_for("fallen back", h.polls_ok, on_primary, PGTEST_WAIT_MS, &h);
	assert_non_null(strstr(h.replica_why, "polling the primary"));
	assert_int_equal(batchtop_sessions(env.admin), 1);
	assert_int_equal(replica_cmd("start"), 0);
	PQfinish(env.radmin);
	env.radmin = replica_connect();
	/* Back within the retry interval (10 s) and a poll. */
	wait_for("back on the replica", h.polls_ok, on_replica,
		 PGTEST_WAIT_MS, &h);
	assert_string_equal(h.replica_why, "");
	assert_int_equal(batchtop_sessions(env.radmin), 1);
}

/* Replay paused with a change pending: the lag shows and grows, the
 * replica's (old) answer is shown, then past the bound the primary's. */
static void test_paused_replay_lag_then_fallback(void **state)
{
	struct shard_health h;

	(void)state;
	pgtest_sql(env.admin, "UPDATE batchtop.batch_close SET status = 'failed'"
		   " WHERE batch_id = 'rc-1'");
	poller = start_poller(8);
	wait_for("polling the replica", 0, on_replica, PGTEST_WAIT_MS, &h);
	replicated_now();
	pgtest_sql(env.radmin, "SELECT pg_wal_replay_pause()");
	pgtest_sql(env.admin, "UPDATE batchtop.batch_close SET status = 'running',"
		   " updated_at = now() WHERE batch_id = 'rc-1'");
	wait_for("lag shown", h.polls_ok, lag_shown, PGTEST_WAIT_MS, &h);
	if (h.on_replica) {	/* the replica's data: not replayed yet */
		struct snapshot *s = NULL;

		shard_poller_read(poller, &s, NULL);
		assert_string_equal(status_of(s, "rc-1"), "failed");
		snapshot_unref(s);
	}
	wait_for("past the bound: the primary", h.polls_ok, lagging_primary,
		 PGTEST_WAIT_MS, &h);
	/* Replay resumed: back to the replica, which now has the change. */
	pgtest_sql(env.radmin, "SELECT pg_wal_replay_resume()");
	wait_for("back on the replica", h.polls_ok, on_replica,
		 PGTEST_WAIT_MS, &h);
	{
		struct snapshot *s = NULL;

		shard_poller_read(poller, &s, NULL);
		assert_string_equal(status_of(s, "rc-1"), "running");
		snapshot_unref(s);
	}
}

static bool lag_over_4s(const struct shard_health *h,
			const struct snapshot *s)
{
	(void)s;
	return h->on_replica && h->replica_lag_ms >= 4000;
}

static bool shows_done(const struct shard_health *h, const struct snapshot *s)
{
	return h->on_replica && !strcmp(status_of(s, "rc-1"), "closed");
}

/* Incremental polls of a lagging replica: a row committed on the primary
 * while replay is paused, its updated_at long behind the replica's clock
 * by the time it is replayed, is still read by a delta poll (the cursor
 * starts from the replayed point, not the replica's now()), well before
 * a full resync could bring it. */
static void test_delta_cursor_waits_for_replay(void **state)
{
	struct shard_health h;

	(void)state;
	cfg.poll_overlap = 1;
	cfg.full_resync_interval = 3600;
	cfg.biller_refresh_interval = 3600;
	pgtest_sql(env.admin, "UPDATE batchtop.batch_close SET status = 'failed',"
		   " updated_at = now() WHERE batch_id = 'rc-1'");
	poller = start_poller(600);
	wait_for("polling the replica", 0, on_replica, PGTEST_WAIT_MS, &h);
	replicated_now();
	pgtest_sql(env.radmin, "SELECT pg_wal_replay_pause()");
	pgtest_sql(env.admin, "UPDATE batchtop.batch_close SET status = 'closed',"
		   " updated_at = now() WHERE batch_id = 'rc-1'");
	wait_for("lag past the overlap", h.polls_ok, lag_over_4s,
		 PGTEST_WAIT_MS, &h);
	pgtest_sql(env.radmin, "SELECT pg_wal_replay_resume()");
	wait_for("the replayed row", h.polls_ok, shows_done, PGTEST_WAIT_MS, &h);
	assert_true(h.polls_delta > 0);
	{
		unsigned full = h.polls_ok - h.polls_delta;

		/* Only the first poll was full: the delta read the row. */
		assert_int_equal(full, 1);
	}
}

/* A rerun asked while the replica lags: the query worker (the primary)
 * answers with the request and re-reads its outcome at once, while the
 * replica's polls do not show it until replay goes on. */
static void test_rerun_outcome_despite_lag(void **state)
{
	char dsn[1300];
	struct shard_query *q;
	struct sq_job *j;
	struct rerun_outcome o;
	struct rerun_reread rr;
	struct shard_health h;
	struct snapshot *s = NULL;
	const struct batch *t;
	long long id;

	(void)state;
	pgtest_sql(env.admin, "DELETE FROM batchtop.rerun_request;"
		   "UPDATE batchtop.batch_close SET status = 'failed',"
		   " updated_at = now() WHERE batch_id = 'rc-1'");
	/* Before the poller starts: its thread reads cfg. */
	cfg.query_timeout = 5;
	poller = start_poller(600);
	wait_for("polling the replica", 0, on_replica, PGTEST_WAIT_MS, &h);
	replicated_now();
	pgtest_sql(env.radmin, "SELECT pg_wal_replay_pause()");
	snprintf(dsn, sizeof dsn, "host=%s dbname=%s user=bt_operator",
		 env.host, env.db);
	q = pgtest_worker("r", dsn, &cfg, env.wake[1]);
	j = query_rerun_request_job(1, "batch_close", "rc-1", "test_replica",
				    "lagging replica");
	j->write = true;
	shard_query_submit(q, j);
	j = pgtest_take(q);
	assert_non_null(j->res);
	query_rerun_outcome(j->res, &o);
	assert_non_null(o.outcome);
	assert_string_equal(o.outcome, "created");
	id = o.request_id;
	assert_true(id > 0);
	sq_job_free(j);
	/* The re-read of the outcome (a read job) is the primary's too. */
	j = query_rerun_reread_job(2, "batch_close", "rc-1", 0);
	shard_query_submit(q, j);
	j = pgtest_take(q);
	assert_non_null(j->res);
	query_rerun_reread(j->res, &rr);
	assert_int_equal(rr.request_no, id);
	sq_job_free(j);
	shard_query_free(q, 5000);
	/* Two more polls of the replica: it has not seen the request. */
	wait_for("polls go on", h.polls_ok + 2, on_replica, PGTEST_WAIT_MS, &h);
	assert_true(h.replica_lag_ms > 0);
	shard_poller_read(poller, &s, NULL);
	t = pgtest_batch(s, "rc-1");
	assert_true(batch_rerun_id(t) < id);
	snapshot_unref(s);
	pgtest_sql(env.radmin, "SELECT pg_wal_replay_resume()");
	for (int64_t end = pgtest_now_ms() + PGTEST_WAIT_MS;;) {
		s = NULL;
		shard_poller_read(poller, &s, NULL);
		t = pgtest_batch(s, "rc-1");
		if (batch_rerun_id(t) == id) {
			snapshot_unref(s);
			break;
		}
		snapshot_unref(s);
		if (pgtest_now_ms() > end)
			fail_msg("the replica never showed request %lld", id);
		pgtest_sleep_ms(50);
	}
}

/* batchtop --once --format json as a user runs it: the shard object
 * says whether the replica was read, and why not. */
static char *once_json(void)
{
	char conf[300], cmd[700], *out = calloc(1, 65536);
	const char *bin = getenv("BATCHTOP_BIN");
	size_t len = 0, r;
	FILE *f;

	assert_non_null(bin);
	snprintf(conf, sizeof conf, "%s.conf", env.rdir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "[batchtop]\nconnect_timeout = 2\n[shard.r]\n"
		"dsn = host=%s dbname=%s user=bt_viewer\n"
		"replica = host='%s' dbname=%s user=bt_viewer\n",
		env.host, env.db, env.rdir, env.db);
	fclose(f);
	snprintf(cmd, sizeof cmd, "'%s' -c '%s' --once --format json "
		 "</dev/null", bin, conf);
	f = popen(cmd, "r");
	assert_non_null(f);
	while ((r = fread(out + len, 1, 65535 - len, f)) > 0)
		len += r;
	pclose(f);
	unlink(conf);
	return out;
}

static void test_once_json_says_which_server(void **state)
{
	char *out;

	(void)state;
	out = once_json();
	/* The lag is a number; how big depends on how busy the machine is
	 * (the standby may not have replayed the last seed yet), which is
	 * what replica_max_lag bounds, not this test. */
	if (!strstr(out, "\"in_use\":\ttrue") ||
	    !strstr(out, "\"lag_ms\":\t") ||
	    strstr(out, "\"lag_ms\":\tnull"))
		fail_msg("replica not in use: %s", out);
	/* A standby refuses LISTEN; neither server is behind a pooler. */
	if (!strstr(out, "\"listen\":\t\"polling_only\"") ||
	    !strstr(out, "\"pooler\":\t\"none\""))
		fail_msg("no listen or pooler said: %s", out);
	free(out);
	assert_int_equal(replica_cmd("stop"), 0);
	out = once_json();
	if (!strstr(out, "\"in_use\":\tfalse") ||
	    !strstr(out, "replica unreachable: polling the primary") ||
	    !strstr(out, "\"state\":\t\"ok\"") ||
	    !strstr(out, "\"listen\":\t\"listening\""))
		fail_msg("no fallback said: %s", out);
	free(out);
	assert_int_equal(replica_cmd("start"), 0);
	PQfinish(env.radmin);
	env.radmin = replica_connect();
}

#define REPLICA_TEST(f) cmocka_unit_test_setup_teardown(f, per_test, per_test_end)

int main(void)
{
	const struct CMUnitTest tests[] = {
		REPLICA_TEST(test_polls_reach_the_replica),
		REPLICA_TEST(test_stopped_replica_falls_back_and_returns),
		REPLICA_TEST(test_paused_replay_lag_then_fallback),
		REPLICA_TEST(test_delta_cursor_waits_for_replay),
		REPLICA_TEST(test_rerun_outcome_despite_lag),
		REPLICA_TEST(test_once_json_says_which_server),
	};
	int rc = pgtest_need_server("test_replica");

	if (rc)
		return rc;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
