/*
 * pgtest.c - the shared helpers of the PostgreSQL integration tests (see
 * pgtest.h).  Databases are made with CREATE DATABASE over libpq and the
 * contract is loaded with psql, as an operator would load it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "pgtest.h"

int64_t pgtest_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pgtest_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int pgtest_need_server(const char *prog)
{
	const char *host = getenv("PGHOST");
	const char *req = getenv("BATCHTOP_REQUIRE_PG");

	if (host && *host)
		return 0;
	if (req && !strcmp(req, "1")) {
		fprintf(stderr, "%s: BATCHTOP_REQUIRE_PG=1 but PGHOST is not set;"
			" start a server with: eval \"$(scripts/pg-env start)\"\n",
			prog);
		return 1;
	}
	fprintf(stderr, "%s: PGHOST is not set; skipped (start a server with:"
		" eval \"$(scripts/pg-env start)\")\n", prog);
	return 77;
}

PGconn *pgtest_connect(const char *db, const char *app)
{
	const char *const kw[] = { "dbname", "application_name", "options",
				   NULL };
	const char *const vals[] = { db, app, "-c client_min_messages=warning",
				     NULL };
	PGconn *c = PQconnectdbParams(kw, vals, 0);

	if (PQstatus(c) != CONNECTION_OK) {
		char msg[512];

		snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
		PQfinish(c);
		fail_msg("cannot connect to %s: %s", db, msg);
	}
	return c;
}

/* r, when it is OK; else the test fails naming sql. */
static PGresult *checked(PGresult *r, const char *sql)
{
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		char msg[1024];

		snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
		PQclear(r);
		fail_msg("SQL failed: %s\n  in: %s", msg, sql);
	}
	return r;
}

PGresult *pgtest_sqlp(PGconn *c, const char *sql, int n,
		      const char *const *params)
{
	return checked(PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0), sql);
}

void pgtest_sql(PGconn *c, const char *sql)
{
	PQclear(checked(PQexec(c, sql), sql));
}

char *pgtest_sql_text(PGconn *c, const char *sql)
{
	PGresult *r = pgtest_sqlp(c, sql, 0, NULL);
	char *v;

	if (PQntuples(r) < 1 || PQgetisnull(r, 0, 0)) {
		PQclear(r);
		fail_msg("no value from: %s", sql);
	}
	v = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	assert_non_null(v);
	return v;
}

int64_t pgtest_sql_int(PGconn *c, const char *sql)
{
	char *s = pgtest_sql_text(c, sql);
	int64_t v = strtoll(s, NULL, 10);

	free(s);
	return v;
}

void pgtest_host(char *dst, size_t n)
{
	const char *host = getenv("PGHOST");
	size_t j = 0;

	assert_non_null(host);
	assert_true(n >= 3);
	dst[j++] = '\'';
	for (; *host && j + 4 < n; host++) {
		if (*host == '\'' || *host == '\\')
			dst[j++] = '\\';
		dst[j++] = *host;
	}
	dst[j++] = '\'';
	dst[j] = '\0';
}

/* Quote s for a POSIX shell ('...'; ' becomes '\''). */
static void shell_quote(char *dst, size_t n, const char *s)
{
	size_t j = 0;

	if (j + 1 < n)
		dst[j++] = '\'';
	for (; *s && j + 5 < n; s++) {
		if (*s == '\'') {
			memcpy(dst + j, "'\\''", 4);
			j += 4;
		} else {
			dst[j++] = *s;
		}
	}
	if (j + 1 < n)
		dst[j++] = '\'';
	dst[j] = '\0';
}

void pgtest_db_create(const char *name, const char *encoding,
		      const char *roles)
{
	const char *srcdir = getenv("top_srcdir");
	const char *pgbin = getenv("BATCHTOP_PGBIN");
	char sqlfile[1024], psql[1024], qfile[2100], qpsql[2100], qdb[200];
	char cmd[4600], q[512];
	PGconn *c;
	int rc;

	c = pgtest_connect("postgres", "pgtest");
	if (encoding)
		snprintf(q, sizeof q, "CREATE DATABASE \"%s\" ENCODING '%s'"
			 " TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'",
			 name, encoding);
	else
		snprintf(q, sizeof q, "CREATE DATABASE \"%s\"", name);
	pgtest_sql(c, q);
	PQfinish(c);

	snprintf(sqlfile, sizeof sqlfile, "%s/sql/contract.sql",
		 srcdir && *srcdir ? srcdir : ".");
	snprintf(psql, sizeof psql, "%s%spsql", pgbin && *pgbin ? pgbin : "",
		 pgbin && *pgbin ? "/" : "");
	shell_quote(qfile, sizeof qfile, sqlfile);
	shell_quote(qpsql, sizeof qpsql, psql);
	shell_quote(qdb, sizeof qdb, name);
	snprintf(cmd, sizeof cmd, "%s -X -q -v ON_ERROR_STOP=1 -d %s -f %s"
		 " >/dev/null", qpsql, qdb, qfile);
	rc = system(cmd);
	if (rc != 0)
		fail_msg("loading the contract failed (%d): %s", rc, cmd);

	c = pgtest_connect(name, "pgtest");
	snprintf(q, sizeof q, "GRANT CONNECT ON DATABASE \"%s\" TO %s", name,
		 roles);
	pgtest_sql(c, q);
	PQfinish(c);
}

int pgtest_db_drop(const char *name)
{
	PGconn *c = PQconnectdb("dbname=postgres"
				" options='-c client_min_messages=warning'");
	char q[160];
	PGresult *r;
	int rc = 0;

	snprintf(q, sizeof q, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
	r = PQexec(c, q);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "%s: %s", q, PQstatus(c) == CONNECTION_OK ?
			PQresultErrorMessage(r) : PQerrorMessage(c));
		rc = -1;
	}
	PQclear(r);
	PQfinish(c);
	return rc;
}

void pgtest_config(struct config *cfg)
{
	config_defaults(cfg);
	cfg->poll_interval = 1;
	cfg->query_timeout = 2;
	cfg->connect_timeout = 2;
	cfg->backoff_max = 2;
}

struct shard_poller *pgtest_poller(int index, const char *name,
				   const char *dsn, const struct config *cfg,
				   int wake_fd)
{
	struct shard_conf sc = { .name = (char *)name, .dsn = (char *)dsn,
				 .line = 1 };
	struct shard_poller *p = shard_poller_new(index, &sc, cfg, wake_fd);

	assert_non_null(p);
	assert_int_equal(shard_poller_start(p), 0);
	return p;
}

struct shard_query *pgtest_worker(const char *name, const char *dsn,
				  const struct config *cfg, int wake_fd)
{
	struct shard_conf sc = { .name = (char *)name, .dsn = (char *)dsn,
				 .line = 1 };
	struct shard_query *q = shard_query_new(0, &sc, cfg, wake_fd);

	assert_non_null(q);
	assert_int_equal(shard_query_start(q), 0);
	return q;
}

struct sq_job *pgtest_take(struct shard_query *q)
{
	int64_t end = pgtest_now_ms() + PGTEST_WAIT_MS;
	struct sq_job *j;

	while (!(j = shard_query_take(q))) {
		if (pgtest_now_ms() > end)
			fail_msg("no job finished in %d ms", PGTEST_WAIT_MS);
		pgtest_sleep_ms(10);
	}
	return j;
}

const struct biller *pgtest_find_biller(const struct snapshot *s,
					const char *id)
{
	for (size_t i = 0; i < s->nbillers; i++)
		if (!strcmp(snapshot_biller(s, i)->biller_id, id))
			return snapshot_biller(s, i);
	return NULL;
}

const struct biller *pgtest_biller(const struct snapshot *s, const char *id)
{
	const struct biller *b = pgtest_find_biller(s, id);

	if (!b)
		fail_msg("biller %s is not in the snapshot", id);
	return b;
}

const struct batch *pgtest_find_batch(const struct snapshot *s,
				      const char *id)
{
	return snapshot_find_batch(s, id);
}

const struct batch *pgtest_batch(const struct snapshot *s, const char *id)
{
	const struct batch *t = pgtest_find_batch(s, id);

	if (!t)
		fail_msg("batch %s is not in the snapshot", id);
	return t;
}
