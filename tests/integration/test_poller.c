/*
 * test_poller.c - the shard poller against a real PostgreSQL.
 *
 * Needs a server (scripts/pg-env start exports PGHOST and friends); without
 * PGHOST the test is skipped (exit 77), unless BATCHTOP_REQUIRE_PG=1.
 *
 * Each test makes its own databases, named tp_<pid>_<random>_<tag> so that
 * parallel runs never meet, loads sql/contract.sql into them with psql, fills them
 * over an admin libpq connection, and drives real pollers (as bt_viewer)
 * through the public API only: it reads their health and snapshots in a
 * loop until a condition holds or a generous deadline passes.  Whatever a
 * test leaves behind when an assertion fails (pollers, connections, a
 * stopped backend) is undone by the per-test teardown; the databases are
 * dropped by the group teardown.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "core/config.h"
#include "data/log.h"
#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"
#include "data/shard_poller.h"
#include "../pgtest.h"

/* --- the environment of one run ------------------------------------------ */

#define MAX_DBS 24
#define MAX_LIVE 8

static struct {
	char pghost[512];
	unsigned run_id;		/* with the pid, names this run's databases */
	int wake[2];			/* the pollers' wake pipe */
	char logdir[64];
	char logpath[128];
	char dbs[MAX_DBS][64];		/* made by this run, dropped at the end */
	int ndbs;
} env = { .wake = { -1, -1 } };

/* What the running test owns, for the per-test teardown. */
static struct {
	struct shard_poller *p;
	struct config cfg;		/* the poller keeps a pointer to it */
} live[MAX_LIVE];
static PGconn *conns[MAX_LIVE];
static int stopped_pid;			/* a backend we SIGSTOPped, or 0 */
static int saved_stderr = -1;

/* t's local scheduled time as text (each call overwrites the last). */
static const char *lsched(const struct batch *t)
{
	static char buf[BATCH_LOCAL_SCHED_LEN];

	return batch_local_sched(t, buf);
}

/* --- SQL helpers ---------------------------------------------------------- */

/* The same, closed by the per-test teardown if the test fails. */
static PGconn *test_connect(const char *db)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		if (!conns[i]) {
			conns[i] = pgtest_connect(db, "test_poller");
			return conns[i];
		}
	}
	fail_msg("too many connections in one test");
	return NULL;
}

static void test_disconnect(PGconn *c)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (conns[i] == c)
			conns[i] = NULL;
	PQfinish(c);
}

/* The expected epoch ms of a batch's column, from the server itself. */
static int64_t batch_ms(PGconn *c, const char *batch_id, const char *expr)
{
	char q[512];

	snprintf(q, sizeof q, "SELECT (extract(epoch FROM %s) * 1000)::bigint"
		 " FROM batchtop.batch_close WHERE batch_id = '%s'", expr, batch_id);
	return pgtest_sql_int(c, q);
}

/* Make database tp_<pid>_<tag> with the contract; returns its name. */
static const char *db_create(const char *tag)
{
	char *name;

	assert_true(env.ndbs < MAX_DBS);
	name = env.dbs[env.ndbs];
	snprintf(name, sizeof env.dbs[0], "tp_%ld_%04x_%s", (long)getpid(),
		 env.run_id, tag);
	env.ndbs++;
	pgtest_db_create(name, NULL, "batchtop_viewer");
	return name;
}

/* A libpq DSN for db as user (bt_viewer unless given), with extra words. */
static void dsn_for(char *dst, size_t n, const char *db, const char *extra)
{
	char host[1100];

	pgtest_host(host, sizeof host);
	snprintf(dst, n, "host=%s dbname=%s %s", host, db,
		 extra ? extra : "user=bt_viewer");
}

/* --- driving pollers ---------------------------------------------------- */

static struct shard_poller *poller_start(int index, const char *name,
					 const char *dsn,
					 const struct config *cfg)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i].p)
			continue;
		live[i].cfg = *cfg;
		live[i].p = pgtest_poller(index, name, dsn, &live[i].cfg,
					  env.wake[1]);
		return live[i].p;
	}
	fail_msg("too many pollers in one test");
	return NULL;
}

static void poller_free(struct shard_poller *p)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i].p == p)
			live[i].p = NULL;
	shard_poller_free(p, 3000);
}

/* A condition on what a poller shows. */
typedef bool (*pred_fn)(const struct shard_health *h, const struct snapshot *s,
			const void *arg);

/* Read p every 10 ms until pred holds or ms pass; returns whether it held.
 * *h gets the last health; *s (if s) the last snapshot, which the caller
 * unrefs. */
static bool wait_until(struct shard_poller *p, pred_fn pred, const void *arg,
		       int ms, struct shard_health *h, struct snapshot **s)
{
	int64_t end = pgtest_now_ms() + ms;

	for (;;) {
		struct snapshot *snap = NULL;
		bool held;

		shard_poller_read(p, &snap, h);
		held = pred(h, snap, arg);
		if (held || pgtest_now_ms() >= end) {
			if (s)
				*s = snap;
			else
				snapshot_unref(snap);
			return held;
		}
		snapshot_unref(snap);
		pgtest_sleep_ms(10);
	}
}

static bool is_ok(const struct shard_health *h, const struct snapshot *s,
		  const void *arg)
{
	(void)arg;
	return h->state == SHARD_OK && s;
}

static bool is_down(const struct shard_health *h, const struct snapshot *s,
		    const void *arg)
{
	(void)s;
	(void)arg;
	return h->state == SHARD_DOWN && h->reason[0];
}

static bool not_ok(const struct shard_health *h, const struct snapshot *s,
		   const void *arg)
{
	(void)s;
	(void)arg;
	return h->state != SHARD_OK && h->state != SHARD_CONNECTING;
}

static bool not_ok_or_ok(const struct shard_health *h,
			 const struct snapshot *s, const void *arg)
{
	(void)s;
	(void)arg;
	return h->state != SHARD_CONNECTING;
}

/* arg: const unsigned *, the polls_ok to reach, in state OK. */
static bool polls_reach(const struct shard_health *h, const struct snapshot *s,
			const void *arg)
{
	return is_ok(h, s, NULL) && h->polls_ok >= *(const unsigned *)arg;
}

static const char *state_name(enum shard_state st)
{
	switch (st) {
	case SHARD_CONNECTING: return "CONNECTING";
	case SHARD_OK: return "OK";
	case SHARD_FAILING: return "FAILING";
	case SHARD_DOWN: return "DOWN";
	}
	return "?";
}

/* Wait for pred or fail saying where the poller is. */
static struct snapshot *expect(struct shard_poller *p, pred_fn pred,
			       const void *arg, const char *what,
			       struct shard_health *h)
{
	struct snapshot *s = NULL;

	if (!wait_until(p, pred, arg, PGTEST_WAIT_MS, h, &s)) {
		snapshot_unref(s);
		fail_msg("shard %s: not %s after %d ms: state %s, polls ok %u, "
			 "failed %u, reason \"%s\"", shard_poller_name(p), what,
			 PGTEST_WAIT_MS, state_name(h->state), h->polls_ok,
			 h->polls_failed, h->reason);
	}
	return s;
}

static struct snapshot *expect_ok(struct shard_poller *p, struct shard_health *h)
{
	return expect(p, is_ok, NULL, "OK", h);
}

static void drain_wake(void)
{
	char buf[256];

	while (read(env.wake[0], buf, sizeof buf) > 0)
		;
}

/* The pid of the poller's backend on db (0 if none). */
static int backend_pid(PGconn *c, const char *db)
{
	const char *params[1] = { db };
	PGresult *r = pgtest_sqlp(c, "SELECT pid FROM pg_stat_activity"
			   " WHERE application_name = 'batchtop' AND datname = $1",
			   1, params);
	int pid = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;

	PQclear(r);
	return pid;
}

/* Whether the log written so far holds needle. */
static bool log_contains(const char *needle)
{
	FILE *f;
	char line[2048];
	bool found = false;

	log_flush();	/* the log is written by a thread of its own */
	f = fopen(env.logpath, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/* --- stderr capture: a poller must never write to the terminal ----------- */

static FILE *capture_file;

static void capture_stderr(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	assert_non_null(capture_file);
	saved_stderr = dup(2);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fileno(capture_file), 2) >= 0);
}

static void restore_stderr(void)
{
	if (saved_stderr < 0)
		return;
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	saved_stderr = -1;
}

/* Restore stderr; returns what was written meanwhile (caller frees). */
static char *captured_stderr(void)
{
	long n;
	char *text;

	restore_stderr();
	fseek(capture_file, 0, SEEK_END);
	n = ftell(capture_file);
	rewind(capture_file);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	if (n > 0 && fread(text, 1, (size_t)n, capture_file) != (size_t)n)
		text[0] = '\0';
	fclose(capture_file);
	capture_file = NULL;
	return text;
}

/* --- the usual start of a test ------------------------------------------ */

/* Most tests start alike: a database of their own (named by the tag their
 * entry in main gives), an admin connection to it, the short timeouts of
 * pgtest_config and bt_viewer's DSN.  shard_setup makes them; the per-test
 * teardown closes the connection, the group teardown drops the database. */
struct shard {
	const char *db;
	PGconn *c;
	struct config cfg;		/* poller_start copies it */
	char dsn[1200];
};

static int shard_setup(void **state)
{
	static struct shard sh;

	sh.db = db_create(*state);
	sh.c = test_connect(sh.db);
	pgtest_config(&sh.cfg);
	dsn_for(sh.dsn, sizeof sh.dsn, sh.db, NULL);
	*state = &sh;
	return 0;
}

/* --- 1. basic ------------------------------------------------------------- */

static void test_basic(void **state)
{
	struct shard *sh = *state;
	struct shard_health h;
	struct shard_poller *p;
	struct snapshot *s;
	const struct biller *b;
	const struct batch *t;
	char buf[64];
	char *want;
	int64_t srv_now;

	pgtest_sql(sh->c, "INSERT INTO batchtop.biller VALUES"
	    " ('b-ny', 'Acme Power', 'America/New_York', 1, false),"
	    " ('b-in', 'Tata Water', 'Asia/Kolkata', 2, false),"
	    " ('b-utc', 'Zulu Gas', 'UTC', 3, true),"
	    " ('b-idle', 'Idle Co', 'Europe/Paris', 4, false)");
	pgtest_sql(sh->c, "INSERT INTO batchtop.batch_close (batch_id, biller_id,"
	    " business_day, payment_type, module, scheduled_at, deadline_at,"
	    " started_at, finished_at, status, attempts, error_class,"
	    " error_message) VALUES"
	    " ('ny-1', 'b-ny', '2026-03-01', 'card', 'close',"
	    "  now() - interval '1 hour', NULL, now() - interval '50 minutes',"
	    "  NULL, 'running', 2, NULL, NULL),"
	    " ('ny-2', 'b-ny', '2026-03-02', 'ach', 'settle',"
	    "  now() + interval '2 hours', now() + interval '3 hours', NULL,"
	    "  NULL, 'scheduled', 0, NULL, NULL),"
	    " ('ny-3', 'b-ny', '2026-03-01', 'card', 'close',"
	    "  now() - interval '3 hours', NULL, now() - interval '3 hours',"
	    "  now() - interval '2 hours', 'failed', 3, 'db_timeout', 'boom'),"
	    " ('ny-old', 'b-ny', '2026-02-20', 'card', 'close',"
	    "  now() - interval '100 hours', NULL, NULL, NULL, 'closed', 1,"
	    "  NULL, NULL),"
	    " ('ny-future', 'b-ny', '2026-03-09', 'card', 'close',"
	    "  now() + interval '100 hours', NULL, NULL, NULL, 'scheduled', 0,"
	    "  NULL, NULL),"
	    " ('in-1', 'b-in', '2026-03-01', 'card', 'close',"
	    "  now() - interval '20 minutes', NULL, NULL, NULL, 'scheduled', 0,"
	    "  NULL, NULL),"
	    " ('utc-1', 'b-utc', '2026-03-01', 'card', 'close',"
	    "  now() - interval '5 hours', now() - interval '4 hours',"
	    "  now() - interval '5 hours', now() - interval '4 hours 30 minutes',"
	    "  'closed', 1, NULL, NULL)");
	pgtest_sql(sh->c, "INSERT INTO batchtop.autopay_run VALUES"
	    " ('r1', 'b-ny', now() - interval '2 days', 50, 1),"
	    " ('r2', 'b-ny', now() - interval '1 hour', 100, 7)");

	sh->cfg.window_minutes = 45;
	drain_wake();
	p = poller_start(3, "basic", sh->dsn, &sh->cfg);
	assert_string_equal(shard_poller_name(p), "basic");
	s = expect_ok(p, &h);
	srv_now = pgtest_sql_int(sh->c, "SELECT (extract(epoch FROM now()) * 1000)::bigint");

	/* The UI was woken. */
	assert_true(read(env.wake[0], buf, sizeof buf) > 0);

	assert_int_equal(s->shard_index, 3);
	assert_string_equal(s->shard, "basic");
	assert_true(s->taken_mono != 0);
	/* The server's clock, read before ours. */
	assert_true(s->server_now != BT_NO_TIME);
	assert_true(s->server_now <= srv_now);
	assert_true(srv_now - s->server_now < PGTEST_WAIT_MS);
	assert_int_equal(h.state, SHARD_OK);
	assert_true(h.polls_ok >= 1);
	assert_true(h.last_ok_mono != BT_NO_TIME);
	assert_true(h.poll_ms >= 0);
	assert_string_equal(h.reason, "");

	/* Billers: all four, sorted by id, the idle one without batches. */
	assert_int_equal(s->nbillers, 4);
	assert_string_equal(snapshot_biller(s, 0)->biller_id, "b-idle");
	assert_string_equal(snapshot_biller(s, 1)->biller_id, "b-in");
	assert_string_equal(snapshot_biller(s, 2)->biller_id, "b-ny");
	assert_string_equal(snapshot_biller(s, 3)->biller_id, "b-utc");
	b = pgtest_biller(s, "b-idle");
	assert_int_equal(b->nbatches, 0);
	assert_true(b->known);
	assert_int_equal(b->ap_payments, BT_NO_INT);
	assert_int_equal(b->ap_run_at, BT_NO_TIME);

	b = pgtest_biller(s, "b-ny");
	assert_string_equal(b->name, "Acme Power");
	assert_string_equal(b->timezone, "America/New_York");
	assert_string_equal(b->shard, "basic");
	assert_int_equal(b->shard_index, 3);
	assert_int_equal(b->priority, 1);
	assert_false(b->is_demo);
	assert_true(b->known);
	assert_true(b->tz_known);
	assert_int_equal(b->utc_offset_s, pgtest_sql_int(sh->c,
		"SELECT extract(epoch FROM utc_offset)::int FROM pg_timezone_names"
		" WHERE name = 'America/New_York'"));
	/* Tonight only, by scheduled time: ny-3, ny-1, ny-2. */
	assert_int_equal(b->nbatches, 3);
	assert_string_equal(b->batches[0].batch_id, "ny-3");
	assert_string_equal(b->batches[1].batch_id, "ny-1");
	assert_string_equal(b->batches[2].batch_id, "ny-2");
	assert_null(pgtest_find_batch(s, "ny-old"));
	assert_null(pgtest_find_batch(s, "ny-future"));
	assert_int_equal(b->n_closed, 0);
	assert_int_equal(b->attempts_max, 3);
	assert_string_equal(b->last_error_class, "db_timeout");
	assert_int_equal(b->ap_payments, 100);
	assert_int_equal(b->ap_failed, 7);
	assert_int_equal(b->ap_run_at, pgtest_sql_int(sh->c,
		"SELECT (extract(epoch FROM run_at) * 1000)::bigint"
		" FROM batchtop.autopay_run WHERE run_id = 'r2'"));
	assert_true(biller_search_has(b, "acme power"));
	assert_true(biller_search_has(b, "b-ny"));
	assert_true(biller_search_has(b, "america/new_york"));
	assert_false(biller_search_has(b, "Acme"));	/* lower-cased */

	b = pgtest_biller(s, "b-utc");
	assert_true(b->is_demo);
	assert_int_equal(b->priority, 3);
	assert_true(b->tz_known);
	assert_int_equal(b->utc_offset_s, 0);
	assert_int_equal(b->n_closed, 1);
	assert_string_equal(b->last_error_class, "");

	/* A running batch with a derived deadline. */
	t = pgtest_batch(s, "ny-1");
	b = pgtest_biller(s, "b-ny");	/* the batch is among its own */
	assert_true(b->nbatches && t >= b->batches && t < b->batches + b->nbatches);
	assert_string_equal(t->kind->business_day, "2026-03-01");
	assert_string_equal(t->kind->payment_type, "card");
	assert_string_equal(t->kind->module, "close");
	assert_string_equal(t->kind->status, "running");
	assert_int_equal(t->state, BATCH_RUNNING);
	assert_int_equal(t->attempts, 2);
	assert_string_equal(t->kind->error_class, "");
	assert_string_equal(t->error_message, "");
	assert_int_equal(t->scheduled_at, batch_ms(sh->c, "ny-1", "scheduled_at"));
	assert_false(t->deadline_given);
	assert_int_equal(t->deadline_at, t->scheduled_at + 45 * 60000);
	assert_int_equal(t->started_at, batch_ms(sh->c, "ny-1", "started_at"));
	assert_int_equal(t->finished_at, BT_NO_TIME);
	assert_int_equal(t->updated_at, batch_ms(sh->c, "ny-1", "updated_at"));
	want = pgtest_sql_text(sh->c, "SELECT to_char(scheduled_at AT TIME ZONE"
			" 'America/New_York', 'HH24:MI') FROM batchtop.batch_close"
			" WHERE batch_id = 'ny-1'");
	assert_string_equal(lsched(t), want);
	free(want);

	/* A given deadline is kept. */
	t = pgtest_batch(s, "ny-2");
	assert_true(t->deadline_given);
	assert_int_equal(t->deadline_at, batch_ms(sh->c, "ny-2", "deadline_at"));
	assert_int_equal(t->state, BATCH_SCHEDULED);
	assert_string_equal(t->kind->business_day, "2026-03-02");
	assert_string_equal(t->kind->payment_type, "ach");
	assert_string_equal(t->kind->module, "settle");

	t = pgtest_batch(s, "ny-3");
	assert_int_equal(t->state, BATCH_FAILED);
	assert_string_equal(t->kind->error_class, "db_timeout");
	assert_string_equal(t->error_message, "boom");
	assert_int_equal(t->finished_at, batch_ms(sh->c, "ny-3", "finished_at"));

	/* A half-hour zone. */
	t = pgtest_batch(s, "in-1");
	want = pgtest_sql_text(sh->c, "SELECT to_char(scheduled_at AT TIME ZONE"
			" 'Asia/Kolkata', 'HH24:MI') FROM batchtop.batch_close"
			" WHERE batch_id = 'in-1'");
	assert_string_equal(lsched(t), want);
	free(want);
	assert_int_equal(pgtest_biller(s, "b-in")->utc_offset_s, 19800);

	t = pgtest_batch(s, "utc-1");
	assert_int_equal(t->state, BATCH_CLOSED);
	assert_true(t->deadline_given);

	snapshot_unref(s);
	poller_free(p);
}

/* local_sched across DST changes: fixed dates, so "tonight" is made wide. */
static void test_dst(void **state)
{
	struct shard *sh = *state;
	struct shard_health h;
	struct shard_poller *p;
	struct snapshot *s;
	static const struct {
		const char *id, *at, *local;
	} rows[] = {
		/* New York falls back at 06:00Z on 2026-11-01: 01:30 twice. */
		{ "fb-1", "2026-11-01 05:30+00", "01:30" },
		{ "fb-2", "2026-11-01 06:30+00", "01:30" },
		{ "fb-3", "2026-11-01 04:59+00", "00:59" },
		/* ... and springs forward at 07:00Z on 2027-03-14: no 02:xx. */
		{ "sf-1", "2027-03-14 06:59+00", "01:59" },
		{ "sf-2", "2027-03-14 07:00+00", "03:00" },
	};

	pgtest_sql(sh->c, "INSERT INTO batchtop.biller VALUES"
	    " ('b-ny', 'Acme Power', 'America/New_York', 1, false)");
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *params[2] = { rows[i].id, rows[i].at };

		PQclear(pgtest_sqlp(sh->c, "INSERT INTO batchtop.batch_close (batch_id,"
			     " biller_id, business_day, payment_type, module,"
			     " scheduled_at, status) VALUES ($1, 'b-ny',"
			     " '2026-11-01', 'card', 'close', $2, 'scheduled')",
			     2, params));
	}
	/* The loader caps night_hours at 72; the poller does not need to. */
	sh->cfg.night_hours = 30 * 366 * 24;
	p = poller_start(0, "dst", sh->dsn, &sh->cfg);
	s = expect_ok(p, &h);
	assert_int_equal(s->nbatches, sizeof rows / sizeof rows[0]);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct batch *t = pgtest_batch(s, rows[i].id);

		if (strcmp(lsched(t), rows[i].local))
			fail_msg("%s at %s: local_sched \"%s\", want \"%s\"",
				 rows[i].id, rows[i].at, lsched(t),
				 rows[i].local);
	}
	/* Same local time, an hour apart. */
	assert_int_equal(pgtest_batch(s, "fb-2")->scheduled_at -
			 pgtest_batch(s, "fb-1")->scheduled_at, 3600000);
	snapshot_unref(s);
	poller_free(p);
}

/* --- 2. strange data ------------------------------------------------------ */

/* Whether s is valid UTF-8 free of C0, DEL, C1 and bidi controls. */
static void assert_clean(const char *what, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	assert_non_null(s);
	for (size_t i = 0; u[i]; i++) {
		const char *bad = NULL;

		if (u[i] < 0x20 || u[i] == 0x7f)
			bad = "a C0 control or DEL";
		else if (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			bad = "a C1 control";
		else if (u[i] == 0xe2 && u[i + 1] == 0x80 &&
			 u[i + 2] >= 0xaa && u[i + 2] <= 0xae)
			bad = "a bidi embedding or override";
		else if (u[i] == 0xe2 && u[i + 1] == 0x81 &&
			 u[i + 2] >= 0xa6 && u[i + 2] <= 0xa9)
			bad = "a bidi isolate";
		if (bad)
			fail_msg("%s holds %s at byte %zu", what, bad, i);
		if (u[i] >= 0x80) {
			size_t need = u[i] >= 0xf0 ? 4 : u[i] >= 0xe0 ? 3 : 2;

			if (u[i] < 0xc2 || u[i] > 0xf4)
				fail_msg("%s: bad UTF-8 lead byte at %zu", what, i);
			for (size_t k = 1; k < need; k++)
				if ((u[i + k] & 0xc0) != 0x80)
					fail_msg("%s: bad UTF-8 at %zu", what, i);
			i += need - 1;
		}
	}
}

/* A polled biller's home was sized from its rows (query_poll.c): every
 * byte of it used, none spilled, but for a bad row's note. */
static void assert_home_exact(const struct biller *b)
{
	bool bad = false;

	for (size_t j = 0; j < b->nbatches; j++)
		bad = bad || batch_is_bad(&b->batches[j]);
	assert_non_null(b->home);
	if (!bad && arena_used(b->home) != arena_room(b->home))
		fail_msg("biller %s: %zu bytes used of a home of %zu",
			 b->name, arena_used(b->home), arena_room(b->home));
}

static void assert_snapshot_clean(const struct snapshot *s)
{
	assert_clean("shard", s->shard);
	for (size_t i = 0; i < s->nbillers; i++) {
		const struct biller *b = snapshot_biller(s, i);

		/* Ids are kept raw (core/snapshot.h): not checked here. */
		assert_clean("name", b->name);
		assert_clean("timezone", b->timezone);
		{
			char *text = biller_search_text(b);

			assert_clean("search", text);
			free(text);
		}
		assert_clean("last_error_class", b->last_error_class);
		assert_home_exact(b);
	}
	struct batch_iter it = { s, 0, 0 };

	for (const struct batch *t; (t = batch_iter_next(&it)); ) {
		assert_clean("business_day", t->kind->business_day);
		assert_clean("payment_type", t->kind->payment_type);
		assert_clean("module", t->kind->module);
		assert_clean("status", t->kind->status);
		assert_clean("error_class", t->kind->error_class);
		assert_clean("error_message", t->error_message);
		assert_clean("local_sched", lsched(t));
	}
}

#define EVIL "\x1b[2J\r\n\t\x7f\x07\xc2\x9b" "31m\xe2\x80\xae\xe2\x81\xa6"

static void test_strange_data(void **state)
{
	struct shard *sh = *state;
	struct shard_health h;
	struct shard_poller *p;
	struct snapshot *s;
	const struct biller *b;
	const struct batch *t;
	char *longname;
	PGresult *r;

	{
		const char *params[3] = { "b-" EVIL "x", "Evil" EVIL "Corp",
					  "UTC" EVIL };

		PQclear(pgtest_sqlp(sh->c, "INSERT INTO batchtop.biller VALUES"
			     " ($1, $2, $3, 1, false)", 3, params));
	}
	{
		const char *params[6] = { "evil-1", "b-" EVIL "x", "card" EVIL,
					  "mod" EVIL, "failed" EVIL, "msg" EVIL "end" };

		PQclear(pgtest_sqlp(sh->c, "INSERT INTO batchtop.batch_close (batch_id,"
			     " biller_id, business_day, payment_type, module,"
			     " scheduled_at, status, error_class, error_message)"
			     " VALUES ($1, $2, current_date, $3, $4, now(), $5,"
			     " 'weird' || chr(27) || 'class', $6)", 6, params));
	}
	/* Invalid UTF-8 cannot even be stored in a UTF8 database. */
	{
		const char *params[1] = { "bad\xff\xfe" };

		r = PQexecParams(sh->c, "INSERT INTO batchtop.biller VALUES"
				 " ('b-bad', $1, 'UTC', 1, false)", 1, NULL, params,
				 NULL, NULL, 0);
		assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
		PQclear(r);
	}
	longname = malloc(20001);
	assert_non_null(longname);
	memset(longname, 'L', 20000);
	longname[20000] = '\0';
	{
		const char *params[1] = { longname };

		PQclear(pgtest_sqlp(sh->c, "INSERT INTO batchtop.biller VALUES"
			     " ('b-long', $1, '', 5, false)", 1, params));
	}
	free(longname);
	pgtest_sql(sh->c, "INSERT INTO batchtop.biller VALUES"
	    " ('b-mars', 'Olympus Mons Utility', 'Mars/Olympus', 2, false),"
	    " ('b-empty', '', 'UTC', 32767, true),"
	    " ('b-lower', 'Lower Case Zone', 'america/new_york', 3, false)");
	pgtest_sql(sh->c, "INSERT INTO batchtop.batch_close (batch_id, biller_id,"
	    " business_day, payment_type, module, scheduled_at, status,"
	    " attempts, error_class, error_message) VALUES"
	    " ('mars-1', 'b-mars', current_date, 'card', 'close', now(),"
	    "  'paused', 2147483647, 'quantum_flux', NULL),"
	    " ('ghost-1', 'ghost', current_date, '', '', now(), '', -1, '', ''),"
	    " ('empty-1', 'b-empty', '1999-12-31', 'card', 'close',"
	    "  now() - interval '1 hour', 'closed', 0, NULL, NULL),"
	    " ('lower-1', 'b-lower', current_date, 'card', 'close', now(),"
	    "  'RUNNING', 1, NULL, NULL)");

	p = poller_start(1, "strange", sh->dsn, &sh->cfg);
	s = expect_ok(p, &h);
	assert_snapshot_clean(s);
	assert_int_equal(s->nbillers, 6);

	/* Controls are gone or replaced, the visible text stays. */
	b = NULL;
	for (size_t i = 0; i < s->nbillers; i++)
		if (strstr(snapshot_biller(s, i)->name, "Evil"))
			b = snapshot_biller(s, i);
	if (!b) {
		fail_msg("the biller named Evil... is missing");
		return;
	}
	/* The id is a key: byte for byte as stored, controls and all. */
	assert_string_equal(b->biller_id, "b-" EVIL "x");
	assert_non_null(strstr(b->name, "Evil"));
	assert_non_null(strstr(b->name, "Corp"));
	assert_false(b->tz_known);
	assert_int_equal(b->nbatches, 1);
	t = &b->batches[0];
	assert_string_equal(t->batch_id, "evil-1");
	assert_int_equal(t->state, BATCH_OTHER);	/* "failed" + junk */
	assert_true(!strncmp(t->kind->status, "failed", 6));
	assert_true(!strncmp(t->kind->error_class, "weird", 5));
	assert_non_null(strstr(t->error_message, "end"));
	assert_string_equal(lsched(t), "");

	/* An unknown status and error class are shown as they are; an
	 * unknown zone is no crash. */
	b = pgtest_biller(s, "b-mars");
	assert_false(b->tz_known);
	assert_int_equal(b->utc_offset_s, 0);
	assert_string_equal(b->timezone, "Mars/Olympus");
	t = pgtest_batch(s, "mars-1");
	assert_int_equal(t->state, BATCH_OTHER);
	assert_string_equal(t->kind->status, "paused");
	assert_string_equal(t->kind->error_class, "quantum_flux");
	assert_string_equal(t->error_message, "");
	assert_int_equal(t->attempts, 2147483647);
	assert_string_equal(lsched(t), "");
	assert_int_equal(t->started_at, BT_NO_TIME);
	assert_int_equal(t->finished_at, BT_NO_TIME);
	assert_string_equal(b->last_error_class, "quantum_flux");

	/* Status is case-sensitive text: "RUNNING" is not "running". */
	t = pgtest_batch(s, "lower-1");
	assert_int_equal(t->state, BATCH_OTHER);
	assert_string_equal(t->kind->status, "RUNNING");
	/* A zone name in the wrong case is still the zone, as PostgreSQL
	 * takes it (and it is shown as the shard spelled it). */
	b = pgtest_biller(s, "b-lower");
	assert_true(b->tz_known);
	assert_string_equal(b->timezone, "america/new_york");
	assert_true(b->utc_offset_s == -4 * 3600 || b->utc_offset_s == -5 * 3600);
	assert_int_equal(strlen(lsched(t)), 5);

	/* A batch whose biller row is missing. */
	b = pgtest_biller(s, "ghost");
	assert_false(b->known);
	assert_string_equal(b->name, "");
	assert_string_equal(b->timezone, "");
	assert_false(b->tz_known);
	assert_int_equal(b->priority, BT_NO_INT);
	assert_false(b->is_demo);
	assert_int_equal(b->nbatches, 1);
	t = &b->batches[0];
	assert_string_equal(t->batch_id, "ghost-1");
	assert_int_equal(t->state, BATCH_OTHER);
	assert_string_equal(t->kind->status, "");
	assert_int_equal(t->attempts, -1);
	assert_string_equal(lsched(t), "");
	assert_false(t->deadline_given);
	assert_int_equal(t->deadline_at - t->scheduled_at,
			 (int64_t)sh->cfg.window_minutes * 60000);

	b = pgtest_biller(s, "b-empty");
	assert_string_equal(b->name, "");
	assert_int_equal(b->priority, 32767);
	assert_string_equal(pgtest_batch(s, "empty-1")->kind->business_day, "1999-12-31");

	/* A biller without batches tonight, with a huge name. */
	b = pgtest_biller(s, "b-long");
	assert_int_equal(b->nbatches, 0);
	assert_int_equal(strlen(b->name), 20000);
	assert_false(b->tz_known);

	/* PostgreSQL's zone names are case-insensitive, the poll's join is
	 * not; whichever it is, the row must be consistent. */
	b = pgtest_biller(s, "b-lower");
	if (b->tz_known)
		assert_string_not_equal(lsched(pgtest_batch(s, "lower-1")), "");
	else
		assert_string_equal(lsched(pgtest_batch(s, "lower-1")), "");

	snapshot_unref(s);
	poller_free(p);
}

/* --- 3. reconnect ----------------------------------------------------------- */

static void test_reconnect(void **state)
{
	struct shard *sh = *state;
	struct shard_health h;
	struct shard_poller *p;
	struct snapshot *s, *first;
	unsigned ok_before, target;
	int pid, pid2 = 0;
	const char *params[1];
	char pidtext[16];
	int64_t end;

	pgtest_sql(sh->c, "INSERT INTO batchtop.biller VALUES ('b1', 'One', 'UTC', 1, false)");
	pgtest_sql(sh->c, "INSERT INTO batchtop.batch_close (batch_id, biller_id,"
	    " business_day, payment_type, module, scheduled_at, status)"
	    " VALUES ('k1', 'b1', current_date, 'card', 'close', now(), 'running')");
	p = poller_start(0, "reconnect", sh->dsn, &sh->cfg);
	first = expect_ok(p, &h);
	ok_before = h.polls_ok;
	pid = backend_pid(sh->c, sh->db);
	assert_true(pid > 0);

	snprintf(pidtext, sizeof pidtext, "%d", pid);
	params[0] = pidtext;
	PQclear(pgtest_sqlp(sh->c, "SELECT pg_terminate_backend($1::int)", 1, params));

	/* Back to OK on a new backend, the data there all along. */
	end = pgtest_now_ms() + PGTEST_WAIT_MS;
	for (;;) {
		struct snapshot *cur = NULL;

		shard_poller_read(p, &cur, &h);
		assert_non_null(cur);
		assert_int_equal(cur->nbatches, 1);
		snapshot_unref(cur);
		if (h.state == SHARD_OK && h.polls_ok > ok_before + 1) {
			pid2 = backend_pid(sh->c, sh->db);
			if (pid2 > 0 && pid2 != pid)
				break;
		}
		if (pgtest_now_ms() > end)
			fail_msg("no reconnect: state %s, polls ok %u (was %u),"
				 " reason \"%s\", backend %d (was %d)",
				 state_name(h.state), h.polls_ok, ok_before,
				 h.reason, pid2, pid);
		pgtest_sleep_ms(10);
	}
	target = h.polls_ok + 2;
	s = expect(p, polls_reach, &target, "polling again", &h);
	assert_int_equal(s->nbatches, 1);
	assert_string_equal(snapshot_biller(s, 0)->batches[0].batch_id, "k1");
	assert_string_equal(h.reason, "");
	snapshot_unref(s);
	snapshot_unref(first);
	poller_free(p);
}

/* Replace table batchtop.NAME by a view over it that calls fn() on each
 * row (a real shard may implement the contract as views). */
static void wrap_in_view(PGconn *c, const char *name, const char *fn_body)
{
	char q[2048];

	snprintf(q, sizeof q, "CREATE FUNCTION batchtop.%s_hook() RETURNS boolean"
		 " LANGUAGE plpgsql VOLATILE AS $fn$ BEGIN %s RETURN true; END"
		 " $fn$", name, fn_body);
	pgtest_sql(c, q);
	snprintf(q, sizeof q, "ALTER TABLE batchtop.%s RENAME TO %s_t", name, name);
	pgtest_sql(c, q);
	snprintf(q, sizeof q, "CREATE VIEW batchtop.%s AS SELECT * FROM"
		 " batchtop.%s_t WHERE batchtop.%s_hook()", name, name, name);
	pgtest_sql(c, q);
	snprintf(q, sizeof q, "GRANT SELECT ON batchtop.%s TO batchtop_viewer", name);
	pgtest_sql(c, q);
}

/* Nothing may reach the terminal while curses owns it: not the server's
 * notices and warnings, not the FATAL of a terminated backend. */
static void test_quiet(void **state)
{
	struct shard *sh = *state;
	struct shard_health h;
	struct shard_poller *p;
	struct snapshot *s;
	char pidtext[16];
	const char *params[1] = { pidtext };
	unsigned target;
	int pid;
	char *err;

	wrap_in_view(sh->c, "biller", "RAISE NOTICE 'chatty notice';"
		     " RAISE WARNING 'chatty warning';");
	pgtest_sql(sh->c, "INSERT INTO batchtop.biller_t VALUES ('b1', 'One', 'UTC', 1, false)");
	capture_stderr();
	p = poller_start(0, "quiet", sh->dsn, &sh->cfg);
	s = expect_ok(p, &h);
	assert_int_equal(s->nbillers, 1);
	snapshot_unref(s);
	pid = backend_pid(sh->c, sh->db);
	assert_true(pid > 0);
	snprintf(pidtext, sizeof pidtext, "%d", pid);
	PQclear(pgtest_sqlp(sh->c, "SELECT pg_terminate_backend($1::int)", 1, params));
	target = h.polls_ok + 2;
	s = expect(p, polls_reach, &target, "OK again", &h);
	snapshot_unref(s);
	poller_free(p);

	err = captured_stderr();
	if (*err) {
		char copy[512];

		snprintf(copy, sizeof copy, "%s", err);
		free(err);
		fail_msg("the poller wrote to stderr:\n%s", copy);
	}
	free(err);
}

/* --- 4. hung shard ----------------------------------------------------------- */

/* arg: the snapshot that must stay published. */
static bool failing_same_snap(const struct shard_health *h,
			      const struct snapshot *s, const void *arg)
{
	return not_ok(h, s, NULL) && s == arg;
}

static void test_hung_lock(void **state)
{
	const char *dba = db_create("hung_a");
	const char *dbb = db_create("hung_b");
	PGconn *ca = test_connect(dba), *cb = test_connect(dbb), *locker;
	struct config cfg;
	struct shard_health ha, hb;
	struct shard_poller *pa, *pb;
	struct snapshot *sa, *sb, *cur;
	char dsna[1200], dsnb[1200];
	unsigned b_at_fail, target;
	int64_t t0, t_fail, end;

	(void)state;
	pgtest_sql(ca, "INSERT INTO batchtop.biller VALUES ('ba', 'A', 'UTC', 1, false)");
	pgtest_sql(cb, "INSERT INTO batchtop.biller VALUES ('bb', 'B', 'UTC', 1, false)");
	pgtest_config(&cfg);
	dsn_for(dsna, sizeof dsna, dba, NULL);
	dsn_for(dsnb, sizeof dsnb, dbb, NULL);
	pa = poller_start(0, "A", dsna, &cfg);
	pb = poller_start(1, "B", dsnb, &cfg);
	sa = expect_ok(pa, &ha);
	sb = expect_ok(pb, &hb);
	snapshot_unref(sb);
	assert_string_equal(snapshot_biller(sa, 0)->biller_id, "ba");

	locker = test_connect(dba);
	pgtest_sql(locker, "BEGIN");
	pgtest_sql(locker, "LOCK TABLE batchtop.batch_close IN ACCESS EXCLUSIVE MODE");
	t0 = pgtest_now_ms();

	/* A leaves OK, says why, and keeps what it had. */
	cur = expect(pa, failing_same_snap, sa, "failing", &ha);
	snapshot_unref(cur);
	t_fail = pgtest_now_ms();
	print_message("# A left OK %lld ms after the lock: %s \"%s\"\n",
		      (long long)(t_fail - t0), state_name(ha.state), ha.reason);
	if (!strstr(ha.reason, "timeout") && !strstr(ha.reason, "cancel"))
		fail_msg("reason does not say timeout: \"%s\"", ha.reason);

	/* B goes on publishing new snapshots meanwhile; A stays put. */
	shard_poller_read(pb, NULL, &hb);
	b_at_fail = hb.polls_ok;
	end = pgtest_now_ms() + PGTEST_WAIT_MS;
	for (;;) {
		shard_poller_read(pa, &cur, &ha);
		assert_ptr_equal(cur, sa);
		snapshot_unref(cur);
		assert_int_not_equal(ha.state, SHARD_OK);
		shard_poller_read(pb, NULL, &hb);
		/* Long enough for A to have tried at least once more. */
		if (hb.polls_ok >= b_at_fail + 3 &&
		    pgtest_now_ms() - t_fail > (cfg.query_timeout + 1) * 1000)
			break;
		if (pgtest_now_ms() > end)
			fail_msg("B stopped while A hung: polls ok %u (was %u),"
				 " state %s", hb.polls_ok, b_at_fail,
				 state_name(hb.state));
		pgtest_sleep_ms(20);
	}
	assert_int_equal(hb.state, SHARD_OK);
	assert_true(ha.polls_failed >= 1);

	/* Release: A recovers. */
	pgtest_sql(locker, "ROLLBACK");
	target = ha.polls_ok + 1;
	cur = expect(pa, polls_reach, &target, "recovered", &ha);
	assert_ptr_not_equal(cur, sa);
	assert_string_equal(snapshot_biller(cur, 0)->biller_id, "ba");
	assert_string_equal(ha.reason, "");
	snapshot_unref(cur);
	snapshot_unref(sa);
	poller_free(pa);
	poller_free(pb);
	test_disconnect(locker);
	test_disconnect(ca);
	test_disconnect(cb);
}

/* Whether the poller's backend on db is idle (between polls). */
static bool backend_idle(PGconn *c, const char *db)
{
	const char *params[1] = { db };
	PGresult *r = pgtest_sqlp(c, "SELECT 1 FROM pg_stat_activity"
			   " WHERE application_name = 'batchtop' AND datname = $1"
			   " AND state = 'idle'", 1, params);
	bool idle = PQntuples(r) == 1;

	PQclear(r);
	return idle;
}

/* A backend that stops answering at all (SIGSTOP): only the poller's own
 * deadline and cancel can get it out. */
static void test_hung_backend(void **state)
{
	struct shard *sh = *state;
	struct shard_health h;
	struct shard_poller *p;
	struct snapshot *s, *first;
	unsigned failed_before, target;
	int pid;
	int64_t t0, end;

	pgtest_sql(sh->c, "INSERT INTO batchtop.biller VALUES ('b1', 'One', 'UTC', 1, false)");
	sh->cfg.poll_interval = 30;		/* polls only when refreshed */
	p = poller_start(0, "stopped", sh->dsn, &sh->cfg);
	first = expect_ok(p, &h);
	pid = backend_pid(sh->c, sh->db);
	assert_true(pid > 0);
	/* Stop it between polls, so that it holds nothing others wait for. */
	end = pgtest_now_ms() + PGTEST_WAIT_MS;
	while (!backend_idle(sh->c, sh->db)) {
		if (pgtest_now_ms() > end)
			fail_msg("the poller's backend is never idle");
		pgtest_sleep_ms(10);
	}
	if (kill(pid, SIGSTOP) < 0) {
		/* pg-env runs the server as us (or as postgres under root). */
		snapshot_unref(first);
		fail_msg("cannot stop the backend %d: %s", pid, strerror(errno));
	}
	stopped_pid = pid;
	failed_before = h.polls_failed;
	t0 = pgtest_now_ms();
	shard_poller_refresh(p);

	/* The poll gives up after query_timeout + slack, then reconnects to a
	 * new backend; the stopped one never answers.  The data stays. */
	end = pgtest_now_ms() + PGTEST_WAIT_MS;
	for (;;) {
		shard_poller_read(p, &s, &h);
		assert_ptr_equal(s, first);
		snapshot_unref(s);
		if (h.polls_failed > failed_before)
			break;
		if (pgtest_now_ms() > end)
			fail_msg("the poll of a stopped backend never failed:"
				 " state %s", state_name(h.state));
		pgtest_sleep_ms(10);
	}
	print_message("# stopped backend: poll failed after %lld ms\n",
		      (long long)(pgtest_now_ms() - t0));
	assert_true(pgtest_now_ms() - t0 >= sh->cfg.query_timeout * 1000);
	assert_true(log_contains("shard stopped: no answer in"));

	target = h.polls_ok + 1;
	s = expect(p, polls_reach, &target, "OK on a new backend", &h);
	assert_int_equal(s->nbillers, 1);
	assert_int_not_equal(backend_pid(sh->c, sh->db), pid);
	snapshot_unref(s);
	snapshot_unref(first);
	poller_free(p);

	kill(pid, SIGCONT);
	stopped_pid = 0;
}

/* --- 5, 6. bad credentials, missing shards, bad DSNs ------------------------ */

static void test_wrong_password(void **state)
{
	const char *db = db_create("auth");
	struct config cfg;
	struct shard_health h;
	struct shard_poller *bad, *good;
	struct snapshot *s;
	char dsn_bad[1200], dsn_good[1200];

	(void)state;
	pgtest_config(&cfg);
	dsn_for(dsn_bad, sizeof dsn_bad, db,
		"user=bt_secret password=wr0ng-Pw-xyzzy");
	dsn_for(dsn_good, sizeof dsn_good, db,
		"user=bt_secret password=sekret-pw-123");
	bad = poller_start(0, "badpw", dsn_bad, &cfg);
	good = poller_start(1, "goodpw", dsn_good, &cfg);

	s = expect(bad, is_down, NULL, "DOWN", &h);
	assert_null(s);
	print_message("# wrong password: \"%s\"\n", h.reason);
	assert_non_null(strstr(h.reason, "authentication"));
	assert_null(strstr(h.reason, "wr0ng"));
	assert_null(strstr(h.reason, "xyzzy"));

	s = expect_ok(good, &h);
	snapshot_unref(s);

	/* It keeps trying, and stays DOWN. */
	{
		unsigned target = h.polls_ok + 2;
		struct shard_health hb;

		s = expect(good, polls_reach, &target, "polling", &h);
		snapshot_unref(s);
		shard_poller_read(bad, &s, &hb);
		assert_null(s);
		assert_int_equal(hb.state, SHARD_DOWN);
		assert_true(hb.polls_failed >= 1);
	}
	poller_free(bad);
	poller_free(good);
	assert_false(log_contains("wr0ng"));
	assert_false(log_contains("sekret"));
}

static void test_bad_shards(void **state)
{
	const char *db = db_create("bad");
	PGconn *c = test_connect(db);
	struct config cfg;
	struct shard_health h;
	struct shard_poller *good, *nope, *empty, *garbage, *unterminated, *uri;
	struct snapshot *s;
	char dsn_good[1200], dsn_nope[1200], dsn_uri[1400];
	unsigned target;

	(void)state;
	pgtest_sql(c, "INSERT INTO batchtop.biller VALUES ('b1', 'One', 'UTC', 1, false)");
	pgtest_config(&cfg);
	dsn_for(dsn_good, sizeof dsn_good, db, NULL);
	dsn_for(dsn_nope, sizeof dsn_nope, "nope_does_not_exist", NULL);
	snprintf(dsn_uri, sizeof dsn_uri,
		 "postgresql://bt_viewer:hunter3@/nope_does_not_exist?host=%s",
		 env.pghost);
	good = poller_start(0, "good", dsn_good, &cfg);
	nope = poller_start(1, "nope", dsn_nope, &cfg);
	empty = poller_start(2, "empty", "host=", &cfg);
	garbage = poller_start(3, "garbage", "this is not a dsn", &cfg);
	unterminated = poller_start(4, "unterminated",
				    "dbname='unterminated password=hunter2", &cfg);
	uri = poller_start(5, "uri", dsn_uri, &cfg);

	s = expect(nope, is_down, NULL, "DOWN", &h);
	assert_null(s);
	print_message("# missing database: \"%s\"\n", h.reason);
	assert_non_null(strstr(h.reason, "nope_does_not_exist"));

	/* An empty host means libpq's default socket directory: DOWN here,
	 * unless a system server happens to listen there. */
	s = expect(empty, not_ok_or_ok, NULL, "decided", &h);
	snapshot_unref(s);
	print_message("# \"host=\": %s \"%s\"\n", state_name(h.state), h.reason);

	s = expect(garbage, is_down, NULL, "DOWN", &h);
	assert_null(s);
	print_message("# garbage: \"%s\"\n", h.reason);
	assert_null(strstr(h.reason, "this is not"));

	s = expect(unterminated, is_down, NULL, "DOWN", &h);
	assert_null(s);
	print_message("# unterminated: \"%s\"\n", h.reason);
	assert_null(strstr(h.reason, "hunter2"));
	assert_non_null(strstr(h.reason, "unterminated"));	/* the shard's name */

	s = expect(uri, is_down, NULL, "DOWN", &h);
	assert_null(s);
	print_message("# uri: \"%s\"\n", h.reason);
	assert_null(strstr(h.reason, "hunter3"));

	/* The good shard is not held up by any of them. */
	s = expect_ok(good, &h);
	snapshot_unref(s);
	target = h.polls_ok + 3;
	s = expect(good, polls_reach, &target, "polling", &h);
	assert_int_equal(s->nbillers, 1);
	snapshot_unref(s);

	poller_free(good);
	poller_free(nope);
	poller_free(empty);
	poller_free(garbage);
	poller_free(unterminated);
	poller_free(uri);
	assert_false(log_contains("hunter2"));
	assert_false(log_contains("hunter3"));
	test_disconnect(c);
}

/* An empty shard answers too. */
static void test_empty_shard(void **state)
{
	struct shard *sh = *state;
	struct shard_health h;
	struct shard_poller *p;
	struct snapshot *s;

	p = poller_start(0, "empty", sh->dsn, &sh->cfg);
	s = expect_ok(p, &h);
	assert_int_equal(s->nbillers, 0);
	assert_int_equal(s->nbatches, 0);
	snapshot_unref(s);
	poller_free(p);
}

/* --- 7. the session, seen from the server ----------------------------------- */

static void test_session(void **state)
{
	struct shard *sh = *state;
	struct shard_health h;
	struct shard_poller *p;
	struct snapshot *s;
	unsigned target;
	const char *params[1] = { sh->db };
	int64_t end;

	p = poller_start(0, "session", sh->dsn, &sh->cfg);
	s = expect_ok(p, &h);
	snapshot_unref(s);

	/* One backend, as bt_viewer, named batchtop; and between polls it
	 * never sits in an open transaction. */
	target = h.polls_ok + 2;
	end = pgtest_now_ms() + PGTEST_WAIT_MS;
	while (h.polls_ok < target && pgtest_now_ms() < end) {
		PGresult *r = pgtest_sqlp(sh->c, "SELECT usename, application_name, state,"
				   " query FROM pg_stat_activity"
				   " WHERE datname = $1 AND pid <> pg_backend_pid()"
				   " AND backend_type = 'client backend'", 1, params);

		assert_int_equal(PQntuples(r), 1);
		assert_string_equal(PQgetvalue(r, 0, 0), "bt_viewer");
		assert_string_equal(PQgetvalue(r, 0, 1), "batchtop");
		if (strcmp(PQgetvalue(r, 0, 2), "idle") &&
		    strcmp(PQgetvalue(r, 0, 2), "active"))
			fail_msg("the poller's backend is \"%s\"",
				 PQgetvalue(r, 0, 2));
		/* It only ever reads (or listens). */
		if (strncmp(PQgetvalue(r, 0, 3), "SELECT ", 7) &&
		    strncmp(PQgetvalue(r, 0, 3), "WITH ", 5) &&
		    strcmp(PQgetvalue(r, 0, 3), "LISTEN batchtop"))
			fail_msg("the poller ran \"%.60s\"", PQgetvalue(r, 0, 3));
		PQclear(r);
		pgtest_sleep_ms(50);
		shard_poller_read(p, NULL, &h);
	}
	assert_true(h.polls_ok >= target);
	poller_free(p);
}

/* --- 8, 9. early polls: NOTIFY and refresh ---------------------------------- */

/* arg: const char *, a batch that must be closed. */
static bool batch_closed(const struct shard_health *h, const struct snapshot *s,
			 const void *arg)
{
	const struct batch *t;

	(void)h;
	t = s ? pgtest_find_batch(s, arg) : NULL;
	return t && t->state == BATCH_CLOSED;
}

/* arg: const int *, the attempts batch n1 must show. */
static bool n1_attempts(const struct shard_health *h, const struct snapshot *s,
			const void *arg)
{
	const struct batch *t;

	(void)h;
	t = s ? pgtest_find_batch(s, "n1") : NULL;
	return t && t->attempts == *(const int *)arg;
}

static void test_notify(void **state)
{
	struct shard *sh = *state;
	struct shard_health h;
	struct shard_poller *p;
	struct snapshot *s;
	unsigned target, polls_before;
	int want = 20;
	int64_t t0, took;

	pgtest_sql(sh->c, "INSERT INTO batchtop.biller VALUES ('b1', 'One', 'UTC', 1, false)");
	pgtest_sql(sh->c, "INSERT INTO batchtop.batch_close (batch_id, biller_id,"
	    " business_day, payment_type, module, scheduled_at, status)"
	    " VALUES ('n1', 'b1', current_date, 'card', 'close', now(), 'running')");
	sh->cfg.poll_interval = 30;
	p = poller_start(0, "notify", sh->dsn, &sh->cfg);
	s = expect_ok(p, &h);
	assert_int_equal(pgtest_batch(s, "n1")->state, BATCH_RUNNING);
	snapshot_unref(s);
	assert_int_equal(h.polls_ok, 1);

	t0 = pgtest_now_ms();
	pgtest_sql(sh->c, "UPDATE batchtop.batch_close SET status = 'closed',"
	    " finished_at = now() WHERE batch_id = 'n1'");
	target = 2;
	s = expect(p, polls_reach, &target, "woken by NOTIFY", &h);
	took = pgtest_now_ms() - t0;
	print_message("# NOTIFY: new snapshot after %lld ms\n", (long long)took);
	assert_true(took < 10000);
	assert_int_equal(pgtest_batch(s, "n1")->state, BATCH_CLOSED);
	assert_int_not_equal(pgtest_batch(s, "n1")->finished_at, BT_NO_TIME);
	snapshot_unref(s);

	/* A burst of 20 commits: the last one is seen soon, in a few polls,
	 * not one per commit. */
	pgtest_sleep_ms(1200);
	polls_before = h.polls_ok;
	for (int i = 0; i < want; i++)
		pgtest_sql(sh->c, "UPDATE batchtop.batch_close SET attempts = attempts + 1");
	s = NULL;
	if (!wait_until(p, n1_attempts, &want, 10000, &h, &s)) {
		int seen = s ? pgtest_batch(s, "n1")->attempts : -1;

		snapshot_unref(s);
		fail_msg("after a burst of %d updates the poller shows %d of them"
			 " (%u polls since)", want, seen, h.polls_ok - polls_before);
	}
	snapshot_unref(s);
	print_message("# burst of %d commits: %u polls\n", want,
		      h.polls_ok - polls_before);
	assert_true(h.polls_ok - polls_before <= 4);
	poller_free(p);
}

/* A NOTIFY that arrives while a poll runs (after the poll's snapshot was
 * taken) must still bring the next poll forward. */
static void test_notify_during_poll(void **state)
{
	struct shard *sh = *state;
	struct shard_health h;
	struct shard_poller *p;
	struct snapshot *s;
	const char *params[1] = { sh->db };
	unsigned target;
	int64_t t0, end;
	bool seen;

	/* Each poll sleeps 1 s reading the billers. */
	wrap_in_view(sh->c, "biller", "PERFORM pg_sleep(1);");
	pgtest_sql(sh->c, "INSERT INTO batchtop.biller_t VALUES ('b1', 'One', 'UTC', 1, false)");
	pgtest_sql(sh->c, "INSERT INTO batchtop.batch_close (batch_id, biller_id,"
	    " business_day, payment_type, module, scheduled_at, status)"
	    " VALUES ('r1', 'b1', current_date, 'card', 'close', now(), 'running')");
	sh->cfg.poll_interval = 30;
	p = poller_start(0, "race", sh->dsn, &sh->cfg);
	s = expect_ok(p, &h);
	snapshot_unref(s);

	/* Start a poll and commit a change while it sleeps.  The poll must
	 * read the biller: a delta reads only the billers whose rows changed
	 * since the last poll read them. */
	pgtest_sql(sh->c, "UPDATE batchtop.batch_close SET attempts = 1");
	shard_poller_refresh(p);
	end = pgtest_now_ms() + PGTEST_WAIT_MS;
	for (;;) {
		PGresult *r = pgtest_sqlp(sh->c, "SELECT 1 FROM pg_stat_activity"
				   " WHERE application_name = 'batchtop'"
				   " AND datname = $1 AND wait_event = 'PgSleep'",
				   1, params);
		int n = PQntuples(r);

		PQclear(r);
		if (n == 1)
			break;
		if (pgtest_now_ms() > end)
			fail_msg("the refreshed poll never ran");
		pgtest_sleep_ms(10);
	}
	pgtest_sql(sh->c, "UPDATE batchtop.batch_close SET status = 'closed'");
	t0 = pgtest_now_ms();
	target = 2;
	s = expect(p, polls_reach, &target, "done with the slow poll", &h);
	snapshot_unref(s);

	seen = wait_until(p, batch_closed, "r1", 12000, &h, NULL);
	print_message("# NOTIFY during a poll: %s after %lld ms (%u polls)\n",
		      seen ? "seen" : "NOT seen", (long long)(pgtest_now_ms() - t0),
		      h.polls_ok);
	if (!seen)
		fail_msg("a NOTIFY that came during a poll was ignored: the"
			 " change is not shown 12 s later (poll_interval 30 s)");
	poller_free(p);
}

static void test_refresh(void **state)
{
	struct shard *sh = *state;
	struct shard_health h;
	struct shard_poller *p;
	struct snapshot *s;
	unsigned target;
	int64_t t0, took;

	sh->cfg.poll_interval = 30;
	p = poller_start(0, "refresh", sh->dsn, &sh->cfg);
	s = expect_ok(p, &h);
	assert_int_equal(s->nbillers, 0);
	snapshot_unref(s);
	assert_int_equal(h.polls_ok, 1);

	/* A change without NOTIFY (biller has no trigger) is seen only when
	 * asked for. */
	pgtest_sql(sh->c, "INSERT INTO batchtop.biller VALUES ('b1', 'One', 'UTC', 1, false)");
	pgtest_sleep_ms(1500);
	shard_poller_read(p, &s, &h);
	assert_int_equal(h.polls_ok, 1);
	assert_int_equal(s->nbillers, 0);
	snapshot_unref(s);

	t0 = pgtest_now_ms();
	shard_poller_refresh(p);
	target = 2;
	s = expect(p, polls_reach, &target, "refreshed", &h);
	took = pgtest_now_ms() - t0;
	print_message("# refresh: new snapshot after %lld ms\n", (long long)took);
	assert_true(took < 10000);
	assert_int_equal(s->nbillers, 1);
	snapshot_unref(s);
	poller_free(p);
}

/* --- setup and teardown ------------------------------------------------------ */

static int group_setup(void **state)
{
	PGconn *c;

	(void)state;
	snprintf(env.pghost, sizeof env.pghost, "%s", getenv("PGHOST"));
	if (getrandom(&env.run_id, sizeof env.run_id, 0) != sizeof env.run_id)
		env.run_id = (unsigned)pgtest_now_ms();
	env.run_id &= 0xffff;
	c = PQconnectdb("dbname=postgres options='-c client_min_messages=warning'");
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "test_poller: PGHOST=%s but no server answers: %s",
			env.pghost, PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	PQfinish(c);
	if (pipe2(env.wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	snprintf(env.logdir, sizeof env.logdir, "/tmp/test_poller.XXXXXX");
	if (!mkdtemp(env.logdir))
		return -1;
	snprintf(env.logpath, sizeof env.logpath, "%s/log", env.logdir);
	if (log_open(env.logpath, LOG_DEBUG) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	int bad = 0;

	(void)state;
	for (int i = 0; i < env.ndbs; i++)
		if (pgtest_db_drop(env.dbs[i]) < 0)
			bad = 1;
	log_close();
	if (getenv("TEST_POLLER_KEEP_LOG"))
		fprintf(stderr, "test_poller: log kept in %s\n", env.logpath);
	else {
		unlink(env.logpath);
		rmdir(env.logdir);
	}
	close(env.wake[0]);
	close(env.wake[1]);
	return bad ? -1 : 0;
}

/* Undo what a failed test left behind. */
static int test_teardown(void **state)
{
	(void)state;
	restore_stderr();
	if (capture_file) {
		fclose(capture_file);
		capture_file = NULL;
	}
	if (stopped_pid) {
		kill(stopped_pid, SIGCONT);
		stopped_pid = 0;
	}
	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i].p) {
			shard_poller_free(live[i].p, 3000);
			live[i].p = NULL;
		}
		if (conns[i]) {
			PQfinish(conns[i]);
			conns[i] = NULL;
		}
	}
	return 0;
}

/* A test started by shard_setup on database tag. */
#define SHARD_TEST(fn, tag) \
	cmocka_unit_test_prestate_setup_teardown(fn, shard_setup, \
						 test_teardown, (void *)(tag))

/* --- 2b. infinite and malformed values ------------------------------------ */

/* 'infinity' is a legal timestamp: one row with it must not blank the
 * shard (the epoch of it cannot be cast to bigint).  Each odd row is kept
 * and shown as it is; the failed billers around it still show. */
static void test_infinite_times(void **state)
{
	struct shard *sh = *state;
	struct shard_health h;
	struct shard_poller *p;
	struct snapshot *s;
	const struct batch *t;
	struct biller_eval ev;

	pgtest_sql(sh->c, "INSERT INTO batchtop.biller VALUES"
	    " ('inf-fail-1', 'Failed One', 'UTC', 1, false),"
	    " ('inf-fail-2', 'Failed Two', 'UTC', 1, false),"
	    " ('inf-never', 'Never Due', 'UTC', 2, false),"
	    " ('inf-past', 'Always Due', 'UTC', 2, false),"
	    " ('inf-start', 'Odd Start', 'UTC', 3, false)");
	pgtest_sql(sh->c, "INSERT INTO batchtop.batch_close (batch_id, biller_id,"
	    " business_day, payment_type, module, scheduled_at, deadline_at,"
	    " started_at, finished_at, status, attempts, updated_at) VALUES"
	    " ('f-1', 'inf-fail-1', current_date, 'card', 'close', now(), NULL,"
	    "  now(), now(), 'failed', 1, now()),"
	    " ('f-2', 'inf-fail-2', current_date, 'card', 'close', now(), NULL,"
	    "  now(), now(), 'failed', 1, now()),"
	    " ('never-1', 'inf-never', current_date, 'card', 'close',"
	    "  now() - interval '3 hours', 'infinity', now(), NULL, 'running', 1,"
	    "  now()),"
	    " ('past-1', 'inf-past', current_date, 'card', 'close', now(),"
	    "  '-infinity', NULL, NULL, 'scheduled', 0, now()),"
	    " ('start-1', 'inf-start', current_date, 'card', 'close', now(), NULL,"
	    "  'infinity', '-infinity', 'failed', 2, 'infinity')");
	/* A rerun request and an autopay run with infinite times, too. */
	pgtest_sql(sh->c, "INSERT INTO batchtop.rerun_request (kind, target_id, requested_by,"
	    " requested_at, status) VALUES ('batch_close', 'f-1', 'amy',"
	    " 'infinity', 'pending')");
	pgtest_sql(sh->c, "INSERT INTO batchtop.autopay_run (run_id, biller_id, run_at,"
	    " payments, failed) VALUES ('r-1', 'inf-fail-2', '-infinity', 10, 1)");

	p = poller_start(0, "infinite", sh->dsn, &sh->cfg);
	s = expect_ok(p, &h);
	assert_int_equal(s->nbillers, 5);
	assert_int_equal(s->nbatches, 5);

	/* The failed billers still show, failed. */
	biller_eval(pgtest_biller(s, "inf-fail-1"), s->server_now, 75, &ev);
	assert_int_equal(ev.status, BS_FAILED);
	assert_false(batch_is_bad(pgtest_batch(s, "f-1")));
	assert_int_equal(batch_rerun_at(pgtest_batch(s, "f-1")), BT_NO_TIME);
	assert_string_equal(batch_rerun_status(pgtest_batch(s, "f-1")), "pending");
	biller_eval(pgtest_biller(s, "inf-fail-2"), s->server_now, 75, &ev);
	assert_int_equal(ev.status, BS_FAILED);
	assert_int_equal(pgtest_biller(s, "inf-fail-2")->ap_run_at, BT_NO_TIME);
	assert_int_equal(pgtest_biller(s, "inf-fail-2")->ap_payments, 10);

	/* A deadline of infinity: never late, hours after it started. */
	t = pgtest_batch(s, "never-1");
	assert_int_equal(t->deadline_inf, 1);
	assert_int_equal(t->deadline_at, BT_NO_TIME);
	assert_true(t->deadline_given);
	assert_false(batch_is_bad(t));
	biller_eval(pgtest_biller(s, "inf-never"), s->server_now, 75, &ev);
	assert_int_equal(ev.status, BS_RUNNING);

	/* A deadline of -infinity has always passed. */
	t = pgtest_batch(s, "past-1");
	assert_int_equal(t->deadline_inf, -1);
	biller_eval(pgtest_biller(s, "inf-past"), s->server_now, 75, &ev);
	assert_int_equal(ev.status, BS_LATE);

	/* Infinite start, finish and update times are malformed: the row
	 * is kept with its status, marked, and counted. */
	t = pgtest_batch(s, "start-1");
	assert_int_equal(t->state, BATCH_FAILED);
	assert_int_equal(t->attempts, 2);
	assert_int_equal(t->started_at, BT_NO_TIME);
	assert_int_equal(t->finished_at, BT_NO_TIME);
	assert_true(batch_is_bad(t));
	assert_string_equal(t->kind->bad, "started_at 'infinity'; finished_at "
			    "'-infinity'; updated_at 'infinity'");
	assert_int_equal(t->deadline_inf, 0);
	assert_true(t->deadline_at != BT_NO_TIME);
	assert_int_equal(s->nbad, 1);
	snapshot_unref(s);
	poller_free(p);
}

/* --- 10. sleeping: what wakes a poller, and what does not ---------------- */

#define MAX_TIDS 256

/* The ids of this process's threads; how many (at most MAX_TIDS). */
static int thread_ids(int *ids)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while (n < MAX_TIDS && (e = readdir(d)))
		if (e->d_name[0] != '.')
			ids[n++] = atoi(e->d_name);
	closedir(d);
	return n;
}

/* The threads of now[] that were not in before[]: the poller's. */
static int new_threads(const int *before, int nb, int *now, int nn)
{
	int k = 0;

	for (int i = 0; i < nn; i++) {
		bool old = false;

		for (int j = 0; j < nb && !old; j++)
			old = now[i] == before[j];
		if (!old)
			now[k++] = now[i];
	}
	return k;
}

/* How often the threads ids[] went to sleep (voluntary context switches,
 * /proc/self/task/TID/status), summed. */
static long sleeps_of(const int *ids, int n)
{
	long sum = 0;

	for (int i = 0; i < n; i++) {
		char path[64], line[128];
		FILE *f;

		snprintf(path, sizeof path, "/proc/self/task/%d/status", ids[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof line, f))
			if (!strncmp(line, "voluntary_ctxt_switches:", 24))
				sum += atol(line + 24);
		fclose(f);
	}
	return sum;
}

/* NOTIFYs that arrive before notify_min_interval has passed since the last
 * poll began can only bring the next poll to that time: the poller reads
 * them then, and does not wake for each (poller_wait.c).  Twenty of them,
 * 100 ms apart, used to cost twenty wake-ups; the poll they ask for still
 * comes at notify_min_interval, not at poll_interval. */
static void test_notify_asleep(void **state)
{
	struct shard *sh = *state;
	struct shard_health h;
	struct shard_poller *p;
	struct snapshot *s;
	int before[MAX_TIDS], mine[MAX_TIDS], nb, nm;
	unsigned target = 2;
	long sleeps;
	int64_t t_ok, spent, took;

	sh->cfg.poll_interval = 60;
	sh->cfg.notify_min_interval = 10;
	nb = thread_ids(before);
	p = poller_start(0, "asleep", sh->dsn, &sh->cfg);
	s = expect_ok(p, &h);
	t_ok = pgtest_now_ms();
	snapshot_unref(s);
	assert_int_equal(h.polls_ok, 1);
	nm = new_threads(before, nb, mine, thread_ids(mine));
	assert_true(nm >= 1);

	sleeps = sleeps_of(mine, nm);
	for (int i = 0; i < 20; i++) {
		pgtest_sql(sh->c, "NOTIFY batchtop");
		pgtest_sleep_ms(100);
	}
	sleeps = sleeps_of(mine, nm) - sleeps;
	spent = pgtest_now_ms() - t_ok;
	shard_poller_read(p, NULL, &h);
	print_message("# 20 NOTIFYs in %lld ms: the poller slept %ld times, "
		      "%u polls\n", (long long)spent, sleeps, h.polls_ok);
	/* Only if the burst ended before notify_min_interval: a machine so
	 * loaded that 20 statements took 8 s says nothing here. */
	if (spent < 8000) {
		assert_int_equal(h.polls_ok, 1);
		if (sleeps >= 10)
			fail_msg("the poller woke %ld times for 20 NOTIFYs that "
				 "could not bring its poll forward", sleeps);
	}

	s = expect(p, polls_reach, &target, "polled for the NOTIFYs", &h);
	took = pgtest_now_ms() - t_ok;
	snapshot_unref(s);
	print_message("# the NOTIFYs' poll came %lld ms after the first\n",
		      (long long)took);
	/* Not before notify_min_interval (less the first poll's own time),
	 * and long before poll_interval. */
	assert_true(took >= 9000);
	assert_true(took < 30000);
	poller_free(p);
}

/* A stop reaches a poller that sleeps until a poll an hour away, both
 * while it waits for notify_min_interval (its control pipe alone) and
 * after (its socket too). */
static void test_stop_asleep(void **state)
{
	struct shard *sh = *state;
	struct shard_health h;
	struct shard_poller *p;
	struct snapshot *s;
	const int gaps[2] = { 600, 0 };

	for (int i = 0; i < 2; i++) {
		int64_t t0, took;

		sh->cfg.poll_interval = 3600;
		sh->cfg.notify_min_interval = gaps[i];
		p = poller_start(0, "stop", sh->dsn, &sh->cfg);
		s = expect_ok(p, &h);
		snapshot_unref(s);
		pgtest_sleep_ms(300);	/* asleep now */
		t0 = pgtest_now_ms();
		poller_free(p);
		took = pgtest_now_ms() - t0;
		print_message("# notify_min_interval %d: stopped in %lld ms\n",
			      gaps[i], (long long)took);
		assert_true(took < 2000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SHARD_TEST(test_basic, "basic"),
		SHARD_TEST(test_dst, "dst"),
		SHARD_TEST(test_strange_data, "strange"),
		SHARD_TEST(test_infinite_times, "infinite"),
		SHARD_TEST(test_reconnect, "reconnect"),
		SHARD_TEST(test_quiet, "quiet"),
		cmocka_unit_test_teardown(test_hung_lock, test_teardown),
		SHARD_TEST(test_hung_backend, "stopped"),
		cmocka_unit_test_teardown(test_wrong_password, test_teardown),
		cmocka_unit_test_teardown(test_bad_shards, test_teardown),
		SHARD_TEST(test_empty_shard, "empty"),
		SHARD_TEST(test_session, "session"),
		SHARD_TEST(test_notify, "notify"),
		SHARD_TEST(test_notify_during_poll, "notify_race"),
		SHARD_TEST(test_refresh, "refresh"),
		SHARD_TEST(test_notify_asleep, "asleep"),
		SHARD_TEST(test_stop_asleep, "stop_asleep"),
	};
	int rc = pgtest_need_server("test_poller");

	if (rc)
		return rc;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
