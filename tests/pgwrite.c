/*
 * pgwrite.c - the write-path tests' shared set-up (see pgwrite.h).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "pgtest.h"
#include "pgwrite.h"

int pgwrite_open(struct pgwrite *w, const char *prefix, const char *app,
		 const char *seed)
{
	w->wake[0] = w->wake[1] = -1;
	pgtest_host(w->host, sizeof w->host);
	snprintf(w->db, sizeof w->db, "%s_%ld_%u", prefix, (long)getpid(),
		 (unsigned)(pgtest_now_ms() & 0xffff));
	pgtest_db_create(w->db, NULL, "batchtop_viewer, batchtop_operator");
	w->admin = pgtest_connect(w->db, app);
	if (seed)
		pgtest_sql(w->admin, seed);
	if (pipe2(w->wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

int pgwrite_close(struct pgwrite *w)
{
	int rc;

	if (w->admin)
		PQfinish(w->admin);
	w->admin = NULL;
	rc = pgtest_db_drop(w->db);
	if (w->wake[0] >= 0)
		close(w->wake[0]);
	if (w->wake[1] >= 0)
		close(w->wake[1]);
	w->wake[0] = w->wake[1] = -1;
	return rc;
}

void pgwrite_reset(struct pgwrite *w, const char *reset, struct config *cfg)
{
	if (reset)
		pgtest_sql(w->admin, reset);
	config_defaults(cfg);
	cfg->query_timeout = 5;
	cfg->connect_timeout = 3;
}

void pgwrite_dsn(const struct pgwrite *w, char *dst, size_t n,
		 const char *user)
{
	snprintf(dst, n, "host=%s dbname=%s user=%s", w->host, w->db, user);
}

struct shard_query *pgwrite_worker(struct pgwrite *w, const char *user,
				   const struct config *cfg)
{
	char dsn[1300];

	pgwrite_dsn(w, dsn, sizeof dsn, user);
	return pgtest_worker("t", dsn, cfg, w->wake[1]);
}

struct sq_job *pgwrite_take(struct shard_query *q, unsigned id)
{
	struct sq_job *done = pgtest_take(q);

	assert_int_equal(done->id, id);
	return done;
}

struct sq_job *pgwrite_run(struct shard_query *q, struct sq_job *job)
{
	return pgwrite_take(q, shard_query_submit(q, job));
}
