/*
 * test_faults.c - the data layer against a sick server: a shard that hangs
 * whole (cancel requests swallowed), a SQL_ASCII database with bytes that
 * are not UTF-8, host names that resolve slowly or not at all, and a host
 * name that does resolve.
 *
 * Needs a server (scripts/pg-env start exports PGHOST and friends) and
 * python3 for tests/pgproxy.py, a relay that can play dead; without PGHOST
 * the test is skipped (exit 77), unless BATCHTOP_REQUIRE_PG=1.
 *
 * The slow resolver is this program's own getaddrinfo(): it interposes the
 * one libpq calls, and sleeps for "slow.invalid".  batchtop's lookups go
 * through getaddrinfo_a() and a deadline, so they must not wait for it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "core/config.h"
#include "data/log.h"
#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"
#include "data/pgconn.h"
#include "data/shard_poller.h"
#include "data/shard_query.h"
#include "../pgtest.h"

/* Slack on top of a bound we promise, for a loaded machine. */
#define MARGIN_MS 3000
#define SLOW_NAME "slow.invalid"

static struct {
	char pghost[512];
	char srcdir[1024];
	int wake[2];
	char dbs[8][64];
	int ndbs;
	char logpath[64];
} env = { .wake = { -1, -1 } };

/* What the running test owns, for the per-test teardown. */
static struct {
	pid_t proxies[4];
	char dirs[4][64];
	struct shard_poller *poller;
	struct shard_query *worker;
} live;

/* --- a slow resolver for libpq ------------------------------------------------ */

int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res)
{
	static int (*real)(const char *, const char *, const struct addrinfo *,
			   struct addrinfo **);

	if (node && !strcmp(node, SLOW_NAME)) {
		sleep(30);
		return EAI_AGAIN;
	}
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "getaddrinfo");
	return real(node, service, hints, res);
}

/* --- helpers ------------------------------------------------------------------ */

/* A new database with the contract, and a biller or two. */
static const char *db_create(const char *tag, const char *encoding)
{
	char *name = env.dbs[env.ndbs];
	PGconn *c;

	assert_true(env.ndbs < 8);
	snprintf(name, sizeof env.dbs[0], "tf_%ld_%s", (long)getpid(), tag);
	env.ndbs++;
	pgtest_db_create(name, encoding, "batchtop_viewer");
	c = pgtest_connect(name, "test_faults");
	pgtest_sql(c, "INSERT INTO batchtop.biller VALUES ('b1', 'One', 'UTC', 1, false)");
	PQfinish(c);
	return name;
}

/* Start tests/pgproxy.py in front of the server: on a socket in a new
 * directory (tcp false: *where is that directory) or on a TCP port of
 * 127.0.0.1 (*where is the port).  Returns the slot. */
static int proxy_start(bool tcp, char *where, size_t n)
{
	char target[600], script[1100], ready[80], buf[32];
	int slot = -1;
	pid_t pid;
	int64_t end;

	for (int i = 0; i < 4 && slot < 0; i++)
		if (!live.proxies[i])
			slot = i;
	assert_true(slot >= 0);
	snprintf(live.dirs[slot], sizeof live.dirs[slot], "/tmp/tf_proxy.XXXXXX");
	assert_non_null(mkdtemp(live.dirs[slot]));
	snprintf(ready, sizeof ready, "%s/ready", live.dirs[slot]);
	snprintf(target, sizeof target, "%s/.s.PGSQL.5432", env.pghost);
	snprintf(script, sizeof script, "%s/tests/pgproxy.py", env.srcdir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (tcp)
			execlp("python3", "python3", script, "--target", target,
			       "--listen-tcp", "0", "--ready", ready, (char *)NULL);
		else
			execlp("python3", "python3", script, "--target", target,
			       "--listen-unix", live.dirs[slot], "--ready", ready,
			       (char *)NULL);
		_exit(127);
	}
	live.proxies[slot] = pid;
	end = pgtest_now_ms() + PGTEST_WAIT_MS;
	for (;;) {
		FILE *f = fopen(ready, "r");

		if (f) {
			bool got = fgets(buf, sizeof buf, f) != NULL;

			fclose(f);
			if (got)
				break;
		}
		if (pgtest_now_ms() > end || waitpid(pid, NULL, WNOHANG) == pid)
			fail_msg("pgproxy.py did not start");
		pgtest_sleep_ms(20);
	}
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(where, n, "%s", tcp ? buf : live.dirs[slot]);
	return slot;
}

static void proxy_signal(int slot, int sig)
{
	assert_int_equal(kill(live.proxies[slot], sig), 0);
	pgtest_sleep_ms(200);		/* it looks at its flags every 50 ms */
}

static void proxy_stop(int slot)
{
	char path[128];

	if (!live.proxies[slot])
		return;
	kill(live.proxies[slot], SIGTERM);
	waitpid(live.proxies[slot], NULL, 0);
	live.proxies[slot] = 0;
	snprintf(path, sizeof path, "%s/.s.PGSQL.5432", live.dirs[slot]);
	unlink(path);
	snprintf(path, sizeof path, "%s/ready", live.dirs[slot]);
	unlink(path);
	rmdir(live.dirs[slot]);
}

static struct shard_poller *poller_start(const char *dsn, struct config *cfg)
{
	live.poller = pgtest_poller(0, "sick", dsn, cfg, env.wake[1]);
	return live.poller;
}

static void poller_free(void)
{
	shard_poller_free(live.poller, 3000);
	live.poller = NULL;
}

/* Wait until the poller's state is st with more than *count polls of that
 * kind (ok for SHARD_OK, failed otherwise); false on timeout. */
static bool wait_state(struct shard_poller *p, enum shard_state st,
		       unsigned after, int ms, struct shard_health *h,
		       struct snapshot **snap)
{
	int64_t end = pgtest_now_ms() + ms;

	for (;;) {
		struct snapshot *s = NULL;

		shard_poller_read(p, &s, h);
		if (h->state == st &&
		    (st == SHARD_OK ? h->polls_ok : h->polls_failed) > after &&
		    (st != SHARD_OK || s)) {
			if (snap)
				*snap = s;
			else
				snapshot_unref(s);
			return true;
		}
		snapshot_unref(s);
		if (pgtest_now_ms() > end)
			return false;
		pgtest_sleep_ms(10);
	}
}

/* --- 1. a hung server whose cancel requests are swallowed ------------------ */

static void test_cancel_swallowed_poller(void **state)
{
	const char *db = db_create("hung", NULL);
	struct config cfg;
	struct shard_health h;
	char dir[64], dsn[300];
	int px, bound;
	int64_t t0, took;

	(void)state;
	px = proxy_start(false, dir, sizeof dir);
	pgtest_config(&cfg);
	snprintf(dsn, sizeof dsn, "host=%s dbname=%s user=bt_viewer", dir, db);
	poller_start(dsn, &cfg);
	assert_true(wait_state(live.poller, SHARD_OK, 0, PGTEST_WAIT_MS, &h, NULL));

	proxy_signal(px, SIGUSR1);
	t0 = pgtest_now_ms();
	assert_true(wait_state(live.poller, SHARD_DOWN, h.polls_failed, PGTEST_WAIT_MS,
			       &h, NULL));
	took = pgtest_now_ms() - t0;
	bound = cfg.query_timeout * 1000 + PGCONN_SLACK_MS + PGCONN_CANCEL_MS;
	print_message("# hung server: down after %lld ms (bound %d ms): %s\n",
		      (long long)took, bound, h.reason);
	assert_true(took <= bound + MARGIN_MS);
	assert_non_null(strstr(h.reason, "cancel"));

	/* Still hung: connects time out, and the poller keeps trying. */
	assert_true(wait_state(live.poller, SHARD_DOWN, h.polls_failed, PGTEST_WAIT_MS,
			       &h, NULL));
	print_message("# still hung: %s\n", h.reason);

	proxy_signal(px, SIGUSR2);
	t0 = pgtest_now_ms();
	assert_true(wait_state(live.poller, SHARD_OK, h.polls_ok, PGTEST_WAIT_MS, &h,
			       NULL));
	print_message("# server back: ok again after %lld ms\n",
		      (long long)(pgtest_now_ms() - t0));
	poller_free();
	proxy_stop(px);
}

/* Submit a read and wait for its answer (the caller frees it). */
static struct sq_job *run_read(struct shard_query *q, const char *text,
			       int64_t *took)
{
	struct sq_job *j;
	int64_t t0 = pgtest_now_ms();

	shard_query_submit(q, sq_job_new(0, false, text, 0, NULL));
	j = pgtest_take(q);
	if (took)
		*took = pgtest_now_ms() - t0;
	return j;
}

static void test_cancel_swallowed_worker(void **state)
{
	const char *db = db_create("hungq", NULL);
	struct config cfg;
	struct sq_job *j;
	char dir[64], dsn[300];
	int px, bound;
	int64_t took;

	(void)state;
	px = proxy_start(false, dir, sizeof dir);
	pgtest_config(&cfg);
	snprintf(dsn, sizeof dsn, "host=%s dbname=%s user=bt_viewer", dir, db);
	live.worker = pgtest_worker("sickq", dsn, &cfg, env.wake[1]);

	j = run_read(live.worker, "SELECT 1", NULL);
	assert_int_equal(j->status, SQ_OK);
	sq_job_free(j);

	proxy_signal(px, SIGUSR1);
	j = run_read(live.worker, "SELECT 2", &took);
	bound = cfg.query_timeout * 1000 + PGCONN_SLACK_MS + PGCONN_CANCEL_MS;
	print_message("# hung server: job ended after %lld ms (bound %d ms): %s\n",
		      (long long)took, bound, j->error);
	assert_int_equal(j->status, SQ_ERROR);
	assert_non_null(strstr(j->error, "cancel"));
	assert_true(took <= bound + MARGIN_MS);
	sq_job_free(j);

	proxy_signal(px, SIGUSR2);
	j = run_read(live.worker, "SELECT 3", NULL);
	assert_int_equal(j->status, SQ_OK);
	assert_string_equal(PQgetvalue(j->res, 0, 0), "3");
	sq_job_free(j);
	shard_query_free(live.worker, 3000);
	live.worker = NULL;
	proxy_stop(px);
}

/* --- 4. a SQL_ASCII database --------------------------------------------- */

static void test_sql_ascii(void **state)
{
	const char *db = db_create("ascii", "SQL_ASCII");
	PGconn *c = pgtest_connect(db, "test_faults");
	struct config cfg;
	struct shard_health h;
	struct snapshot *s = NULL;
	const struct biller *b;
	char dsn[1200], host[1100];

	(void)state;
	/* One byte that is not UTF-8 (Latin-1 e acute), and a plain row. */
	pgtest_sql(c, "INSERT INTO batchtop.biller VALUES ('b2', E'Caf\\xe9 Ltd', 'UTC',"
	    " 1, false), ('b3', 'Plain', 'UTC', 2, false)");
	PQfinish(c);
	pgtest_config(&cfg);
	pgtest_host(host, sizeof host);
	snprintf(dsn, sizeof dsn, "host=%s dbname=%s user=bt_viewer", host, db);
	poller_start(dsn, &cfg);
	if (!wait_state(live.poller, SHARD_OK, 0, PGTEST_WAIT_MS, &h, &s))
		fail_msg("SQL_ASCII shard not OK: %s", h.reason);
	assert_int_equal(s->nbillers, 3);
	b = pgtest_biller(s, "b3");
	assert_string_equal(b->name, "Plain");
	b = pgtest_biller(s, "b1");
	assert_string_equal(b->name, "One");
	b = pgtest_biller(s, "b2");
	print_message("# SQL_ASCII name shown as \"%s\"\n", b->name);
	assert_int_equal(strncmp(b->name, "Caf", 3), 0);
	assert_non_null(strstr(b->name, " Ltd"));
	/* What reaches the screen is valid UTF-8 without the raw byte. */
	assert_null(strchr(b->name, '\xe9'));
	snapshot_unref(s);
	poller_free();
}

/* --- 5. host names ------------------------------------------------------- */

static int open_direct(const char *dsn, const struct config *cfg,
		       char *reason, size_t n, int64_t *took)
{
	int ctl[2];
	struct pgconn c = { .name = "dns", .dsn = dsn, .cfg = cfg,
			    .readonly = true };
	int64_t t0 = pgtest_now_ms();
	int r;

	assert_int_equal(pipe2(ctl, O_CLOEXEC | O_NONBLOCK), 0);
	c.ctl_fd = ctl[0];
	r = pgconn_open(&c, reason, n);
	*took = pgtest_now_ms() - t0;
	pgconn_close(&c);
	close(ctl[0]);
	close(ctl[1]);
	return r;
}

/* Connecting to host (a name) fails within connect_timeout; *reason says
 * why. */
static void lookup_fails(const char *what, const char *host, char *reason,
			 size_t n)
{
	struct config cfg;
	char dsn[300];
	int64_t took;
	int r;

	pgtest_config(&cfg);
	snprintf(dsn, sizeof dsn, "host=%s dbname=x user=bt_viewer", host);
	r = open_direct(dsn, &cfg, reason, n, &took);
	print_message("# %s: failed after %lld ms: %s\n", what,
		      (long long)took, reason);
	assert_int_equal(r, 1);
	assert_true(took <= cfg.connect_timeout * 1000 + MARGIN_MS);
}

static void test_slow_lookup(void **state)
{
	char reason[200];

	(void)state;
	lookup_fails("slow lookup", SLOW_NAME, reason, sizeof reason);
	assert_non_null(strstr(reason, SLOW_NAME));
}

static void test_unresolvable(void **state)
{
	char reason[200];

	(void)state;
	lookup_fails("unresolvable", "nonexistent.invalid", reason, sizeof reason);
	assert_non_null(strstr(reason, "cannot resolve host name"));
	assert_non_null(strstr(reason, "nonexistent.invalid"));
}

/* localhost over TCP (through a relay: the test server listens on a Unix
 * socket only), alone and after a name that does not resolve. */
static void test_localhost(void **state)
{
	const char *db = db_create("tcp", NULL);
	struct config cfg;
	struct shard_health h;
	char port[32], dsn[300];
	int px;

	(void)state;
	px = proxy_start(true, port, sizeof port);
	pgtest_config(&cfg);
	snprintf(dsn, sizeof dsn, "host=localhost port=%s dbname=%s"
		 " user=bt_viewer", port, db);
	poller_start(dsn, &cfg);
	if (!wait_state(live.poller, SHARD_OK, 0, PGTEST_WAIT_MS, &h, NULL))
		fail_msg("localhost not OK: %s", h.reason);
	poller_free();

	snprintf(dsn, sizeof dsn, "host=nonexistent.invalid,localhost"
		 " port=%s,%s dbname=%s user=bt_viewer", port, port, db);
	poller_start(dsn, &cfg);
	if (!wait_state(live.poller, SHARD_OK, 0, PGTEST_WAIT_MS, &h, NULL))
		fail_msg("host list not OK: %s", h.reason);
	poller_free();
	proxy_stop(px);
}

/* --- 6. libpq's messages ------------------------------------------------- */

/* libpq glues one message per host tried, each with its "connection to
 * server ... failed:" preamble: the reason is one line of parts. */
static void test_glued_messages(void **state)
{
	struct config cfg;
	char host[256], dsn[600], reason[200];
	int64_t took;

	(void)state;
	pgtest_config(&cfg);
	pgtest_host(host, sizeof host);
	/* host is quoted ('...'): the list goes inside its quotes. */
	snprintf(dsn, sizeof dsn, "host='/nonexistent-bt-dir,%s dbname=bt_no_such_db"
		 " user=bt_viewer", host + 1);
	assert_int_equal(open_direct(dsn, &cfg, reason, sizeof reason, &took), 1);
	print_message("# two hosts: %s\n", reason);
	assert_null(strchr(reason, '\n'));
	assert_null(strchr(reason, '\t'));
	assert_null(strstr(reason, "connection to server"));
	assert_null(strstr(reason, "FATAL"));
	/* The first host's part, "; ", the second's. */
	assert_non_null(strstr(reason, "No such file or directory"));
	assert_non_null(strstr(reason, "; database \"bt_no_such_db\" does not exist"));
	assert_true(strstr(reason, "No such file") < strstr(reason, "; database"));
}

/* A role that must give a password, and none given: the reason says where
 * libpq looks for one, and never holds the password. */
static void test_no_password_hint(void **state)
{
	struct config cfg;
	char host[256], dsn[600], reason[200];
	const char *passfile = getenv("PGPASSFILE"), *password = getenv("PGPASSWORD");
	char *saved_file = passfile ? strdup(passfile) : NULL;
	char *saved_pw = password ? strdup(password) : NULL;
	int64_t took;
	int r;

	(void)state;
	pgtest_config(&cfg);
	pgtest_host(host, sizeof host);
	setenv("PGPASSFILE", "/dev/null", 1);
	unsetenv("PGPASSWORD");
	snprintf(dsn, sizeof dsn, "host=%s dbname=postgres user=bt_secret", host);
	r = open_direct(dsn, &cfg, reason, sizeof reason, &took);
	if (saved_file)
		setenv("PGPASSFILE", saved_file, 1);
	else
		unsetenv("PGPASSFILE");
	if (saved_pw)
		setenv("PGPASSWORD", saved_pw, 1);
	free(saved_file);
	free(saved_pw);
	print_message("# no password: %s\n", reason);
	assert_int_equal(r, 1);
	assert_non_null(strstr(reason, "no password supplied"));
	assert_non_null(strstr(reason, "~/.pgpass"));
	assert_non_null(strstr(reason, "PGPASSFILE"));
	assert_non_null(strstr(reason, "password= in the dsn"));
	assert_null(strstr(reason, "sekret"));
	assert_null(strchr(reason, '\n'));
}

/* --- the run ------------------------------------------------------------------ */

static int teardown(void **state)
{
	(void)state;
	if (live.poller)
		shard_poller_free(live.poller, 3000);
	live.poller = NULL;
	if (live.worker)
		shard_query_free(live.worker, 3000);
	live.worker = NULL;
	for (int i = 0; i < 4; i++) {
		if (live.proxies[i])
			kill(live.proxies[i], SIGUSR2);
		proxy_stop(i);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_cancel_swallowed_poller, teardown),
		cmocka_unit_test_teardown(test_cancel_swallowed_worker, teardown),
		cmocka_unit_test_teardown(test_sql_ascii, teardown),
		cmocka_unit_test_teardown(test_slow_lookup, teardown),
		cmocka_unit_test_teardown(test_unresolvable, teardown),
		cmocka_unit_test_teardown(test_localhost, teardown),
		cmocka_unit_test_teardown(test_glued_messages, teardown),
		cmocka_unit_test_teardown(test_no_password_hint, teardown),
	};
	const char *src = getenv("top_srcdir");
	int fd, rc;

	rc = pgtest_need_server("test_faults");
	if (rc)
		return rc;
	/* tests/pgproxy.py is what plays the sick server: without python3
	 * nothing here is tested, which is a failure, not a skip. */
	if (system("python3 -c pass") != 0) {
		fprintf(stderr, "test_faults: python3 is not installed\n");
		return 99;
	}
	snprintf(env.pghost, sizeof env.pghost, "%s", getenv("PGHOST"));
	snprintf(env.srcdir, sizeof env.srcdir, "%s", src && *src ? src : ".");
	if (pipe2(env.wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return 99;
	snprintf(env.logpath, sizeof env.logpath, "/tmp/test_faults.XXXXXX");
	fd = mkstemp(env.logpath);
	if (fd < 0)
		return 99;
	close(fd);
	if (log_open(env.logpath, LOG_DEBUG) < 0)
		return 99;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	for (int i = 0; i < env.ndbs; i++)
		pgtest_db_drop(env.dbs[i]);
	log_close();
	if (getenv("TEST_FAULTS_KEEP_LOG"))
		fprintf(stderr, "test_faults: log kept in %s\n", env.logpath);
	else
		unlink(env.logpath);
	return rc;
}
