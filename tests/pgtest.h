/*
 * pgtest.h - what the integration tests against a real PostgreSQL share:
 * clocks for waiting on conditions, admin SQL that fails the test when it
 * fails, throwaway databases with the shard contract, and pollers and query
 * workers started the way batchtop starts them.
 *
 * The server is the one the libpq variables name (scripts/pg-env start
 * exports PGHOST and friends).  Every helper that can fail calls cmocka's
 * fail_msg, so a test reads as its steps; what a failed test leaves behind
 * is the caller's teardown's to undo.
 */
#ifndef BATCHTOP_PGTEST_H
#define BATCHTOP_PGTEST_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/config.h"
#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"
#include "data/shard_poller.h"
#include "data/shard_query.h"

/* How long a condition may take to hold on a loaded machine. */
#define PGTEST_WAIT_MS 20000

int64_t pgtest_now_ms(void);		/* CLOCK_MONOTONIC */
void pgtest_sleep_ms(int ms);

/* Whether there is a server to test against: 0 when PGHOST is set; else
 * says so on stderr and returns the exit status for main, 77 (skipped) or
 * 1 when BATCHTOP_REQUIRE_PG=1. */
int pgtest_need_server(const char *prog);

/* A connection to db as the admin role (PGUSER), named app. */
PGconn *pgtest_connect(const char *db, const char *app);
/* Run sql with text parameters; the result (caller clears) is OK. */
PGresult *pgtest_sqlp(PGconn *c, const char *sql, int n,
		      const char *const *params);
/* Run sql, which may be several statements. */
void pgtest_sql(PGconn *c, const char *sql);
/* The first value of sql's result, copied (caller frees). */
char *pgtest_sql_text(PGconn *c, const char *sql);
int64_t pgtest_sql_int(PGconn *c, const char *sql);

/* PGHOST written for a conninfo value: in single quotes, ' and \ escaped. */
void pgtest_host(char *dst, size_t n);

/* Create database name (encoding NULL: the server's default) with
 * sql/contract.sql loaded by psql ($BATCHTOP_PGBIN/psql, else psql) from
 * $top_srcdir, and CONNECT granted to roles ("batchtop_viewer", ...). */
void pgtest_db_create(const char *name, const char *encoding,
		      const char *roles);
/* Drop it whoever is connected; returns 0, or -1 having said why. */
int pgtest_db_drop(const char *name);

/* The defaults with the short timeouts the tests wait on. */
void pgtest_config(struct config *cfg);

/* A started poller or query worker for shard name on dsn (the caller
 * frees it); cfg must outlive it. */
struct shard_poller *pgtest_poller(int index, const char *name,
				   const char *dsn, const struct config *cfg,
				   int wake_fd);
struct shard_query *pgtest_worker(const char *name, const char *dsn,
				  const struct config *cfg, int wake_fd);
/* The next finished job of q (the caller frees it), waiting for it. */
struct sq_job *pgtest_take(struct shard_query *q);

/* A biller or batch of a snapshot by id: find returns NULL when there is
 * none; the others fail the test. */
const struct biller *pgtest_find_biller(const struct snapshot *s,
					const char *id);
const struct batch *pgtest_find_batch(const struct snapshot *s,
				      const char *id);
const struct biller *pgtest_biller(const struct snapshot *s, const char *id);
const struct batch *pgtest_batch(const struct snapshot *s, const char *id);

#endif
