/*
 * pgwrite.h - the set-up the tests of batchtop's write paths share
 * (tests/integration/test_rerun.c, test_hold_write.c): one throwaway
 * database with the shard contract per test program, the admin connection
 * that seeds and inspects it, the wake pipe the query workers write to,
 * and workers on it as a given role.  Built on pgtest.h; every helper that
 * can fail fails the test.
 *
 *   static struct pgwrite env;
 *   group set-up:    pgwrite_open(&env, "tr", "test_rerun", seed_sql)
 *   each test:       pgwrite_reset(&env, "DELETE FROM ...", &cfg)
 *   in a test:       q = pgwrite_worker(&env, "bt_operator", &cfg);
 *                    j = pgwrite_run(q, job);
 *   group tear-down: pgwrite_close(&env)
 */
#ifndef BATCHTOP_PGWRITE_H
#define BATCHTOP_PGWRITE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "core/config.h"
#include "data/shard_query.h"

struct pgwrite {
	char db[64];
	char host[1100];	/* PGHOST, quoted for a conninfo value */
	int wake[2];
	PGconn *admin;
};

/* Create database PREFIX_PID_N with the contract, CONNECT granted to the
 * viewer and operator roles, connect to it as the admin (application
 * name app) and run seed (may be NULL).  0, or -1 (cmocka's group set-up
 * result) when the wake pipe cannot be made. */
int pgwrite_open(struct pgwrite *w, const char *prefix, const char *app,
		 const char *seed);
/* Close the admin connection and the pipe, drop the database; 0, or -1
 * having said why. */
int pgwrite_close(struct pgwrite *w);

/* Before each test: run reset (the tables the tests write, emptied) and
 * make cfg the defaults with timeouts roomy enough that a write never
 * times out (query 5 s, connect 3 s).  The test's tear-down frees cfg. */
void pgwrite_reset(struct pgwrite *w, const char *reset, struct config *cfg);

/* The conninfo of the test database as user, into dst. */
void pgwrite_dsn(const struct pgwrite *w, char *dst, size_t n,
		 const char *user);
/* A started query worker on the test database as user (cfg must outlive
 * it; the caller frees it). */
struct shard_query *pgwrite_worker(struct pgwrite *w, const char *user,
				   const struct config *cfg);

/* The next finished job of q, which must be job id (the caller frees). */
struct sq_job *pgwrite_take(struct shard_query *q, unsigned id);
/* Submit job to q and wait for its answer (the caller frees it). */
struct sq_job *pgwrite_run(struct shard_query *q, struct sq_job *job);

#endif
