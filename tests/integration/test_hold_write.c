/*
 * test_hold_write.c - batchtop's own hold calls (query/query_hold_write.h)
 * against a real shard with contract v3, through the real query worker:
 *   - a read-only session, as an operator: place_hold is answered 25006
 *     (read-only transaction) and no hold is recorded, whatever
 *     batchtop's code is driven to do;
 *   - a read job (the read-only session) calling place_hold: 25006;
 *   - read-only mode (cfg.readonly): the write job is refused before any
 *     session exists;
 *   - a viewer: 42501, nothing recorded;
 *   - an operator: placed, then exists for the same selection; released,
 *     then already;
 *   - the invoices an autopay hold keeps back are those its write-off
 *     reaches: written_off, then request_rerun refuses the invoice.
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

#include <cmocka.h>
#include <libpq-fe.h>

#include "core/config.h"
#include "data/pgconn.h"
#include "data/shard_query.h"
#include "query/query_hold_write.h"
#include "query/query_rerun.h"
#include "../pgtest.h"
#include "../pgwrite.h"

static struct pgwrite env;

static struct config cfg;

static long holds(void)
{
	return pgtest_sql_int(env.admin, "SELECT count(*) FROM batchtop.hold");
}

static int group_setup(void **state)
{
	(void)state;
	return pgwrite_open(&env, "th", "test_hold_write",
	    "INSERT INTO batchtop.biller VALUES ('th-b1', 'Test Water', 'UTC', 1, false);"
	    "INSERT INTO batchtop.autopay_run (run_id, biller_id, run_at, payments, failed)"
	    " VALUES ('th-r1', 'th-b1', now() - interval '1 hour', 10, 2);"
	    "INSERT INTO batchtop.autopay_failure VALUES"
	    " ('th-i1', 'th-b1', 'th-r1', 1250, 'card declined', 'needs_rerun'),"
	    " ('th-i2', 'th-b1', 'th-r1', 900, 'card declined', 'paid_other');");
}

static int group_teardown(void **state)
{
	(void)state;
	return pgwrite_close(&env);
}

static int per_test(void **state)
{
	(void)state;
	pgwrite_reset(&env, "DELETE FROM batchtop.write_off;"
		      " DELETE FROM batchtop.hold;"
		      " UPDATE batchtop.autopay_failure SET invoice_status = 'needs_rerun'"
		      "  WHERE invoice_id = 'th-i1'", &cfg);
	return 0;
}

static int per_test_end(void **state)
{
	(void)state;
	config_free(&cfg);
	return 0;
}

static struct sq_job *place(bool write, const char *kind)
{
	struct sq_job *j = query_hold_place_job(1, "th-b1", kind, NULL, NULL,
						"processor down", "test_hold",
						NULL, NULL, NULL);

	j->write = write;
	return j;
}

/* The outcome word of a finished call, and its id in id (may be NULL). */
static const char *outcome(const struct sq_job *j, char *id, size_t n)
{
	struct hold_outcome o;

	assert_int_equal(j->status, SQ_OK);
	query_hold_outcome(j->res, &o);
	assert_non_null(o.outcome);
	if (id)
		snprintf(id, n, "%s", o.id ? o.id : "");
	return o.outcome;
}

static void test_readonly_session(void **state)
{
	struct pgconn c = { 0 };
	char dsn[1300], reason[200];
	struct sq_job *j = place(true, "batch_close");
	bool sent, dead, stop;
	PGresult *r;

	(void)state;
	pgwrite_dsn(&env, dsn, sizeof dsn, "bt_operator");
	c.name = "t";
	c.dsn = dsn;
	c.cfg = &cfg;
	c.readonly = true;
	c.ctl_fd = -1;
	assert_int_equal(pgconn_open(&c, reason, sizeof reason), 0);
	r = pgconn_exec(&c, j->sql, j->nparams, (const char *const *)j->params,
			reason, sizeof reason, &sent, &dead, &stop);
	sq_job_free(j);
	assert_null(r);
	assert_string_equal(c.sqlstate, "25006");
	pgconn_close(&c);
	assert_int_equal(holds(), 0);
}

static void test_read_job_and_readonly_mode(void **state)
{
	struct shard_query *q;
	struct sq_job *j;

	(void)state;
	q = pgwrite_worker(&env, "bt_operator", &cfg);
	j = pgwrite_run(q, place(false, "batch_close"));
	assert_int_equal(j->status, SQ_ERROR);
	assert_string_equal(j->sqlstate, "25006");
	sq_job_free(j);
	shard_query_free(q, 3000);

	cfg.readonly = true;
	q = pgwrite_worker(&env, "bt_operator", &cfg);
	j = pgwrite_run(q, place(true, "batch_close"));
	assert_int_equal(j->status, SQ_REFUSED);
	assert_non_null(strstr(j->error, "read-only"));
	assert_int_equal(j->backend_pid, 0);
	sq_job_free(j);
	shard_query_free(q, 3000);
	assert_int_equal(holds(), 0);
}

static void test_viewer_refused(void **state)
{
	struct shard_query *q = pgwrite_worker(&env, "bt_viewer", &cfg);
	struct sq_job *j;

	(void)state;
	j = pgwrite_run(q, place(true, "batch_close"));
	assert_int_equal(j->status, SQ_ERROR);
	assert_string_equal(j->sqlstate, "42501");
	sq_job_free(j);
	shard_query_free(q, 3000);
	assert_int_equal(holds(), 0);
}

static void test_place_exists_release_already(void **state)
{
	struct shard_query *q = pgwrite_worker(&env, "bt_operator", &cfg);
	struct sq_job *j;
	char id[32], again[32];

	(void)state;
	j = pgwrite_run(q, place(true, "batch_close"));
	assert_string_equal(outcome(j, id, sizeof id), "placed");
	sq_job_free(j);
	j = pgwrite_run(q, place(true, "batch_close"));
	assert_string_equal(outcome(j, again, sizeof again), "exists");
	assert_string_equal(again, id);
	sq_job_free(j);
	assert_int_equal(holds(), 1);

	j = pgwrite_run(q, query_hold_release_job(1, id, "test_hold"));
	assert_string_equal(outcome(j, NULL, 0), "released");
	sq_job_free(j);
	j = pgwrite_run(q, query_hold_release_job(1, id, "test_hold"));
	assert_string_equal(outcome(j, NULL, 0), "already");
	sq_job_free(j);
	assert_int_equal(pgtest_sql_int(env.admin, "SELECT count(*) FROM "
					 "batchtop.hold WHERE ended_by = 'test_hold'"), 1);
	shard_query_free(q, 3000);
}

static void test_write_off_then_rerun_refused(void **state)
{
	struct shard_query *q = pgwrite_worker(&env, "bt_operator", &cfg);
	struct sq_job *j;
	const char *inv;
	int64_t cents;
	char id[32];

	(void)state;
	j = pgwrite_run(q, place(true, "autopay_invoice"));
	assert_string_equal(outcome(j, id, sizeof id), "placed");
	sq_job_free(j);

	/* Only the invoice that needs a rerun is kept back. */
	j = pgwrite_run(q, query_hold_invoices_job(1, id));
	assert_int_equal(j->status, SQ_OK);
	assert_true(query_hold_invoices_row(j, 0, &inv, &cents));
	assert_string_equal(inv, "th-i1");
	assert_int_equal(cents, 1250);
	assert_false(query_hold_invoices_row(j, 1, &inv, &cents));
	sq_job_free(j);

	j = pgwrite_run(q, query_hold_write_off_job(1, "th-i1", id, "customer left",
					    "test_hold"));
	assert_string_equal(outcome(j, NULL, 0), "written_off");
	sq_job_free(j);
	j = pgwrite_run(q, query_hold_invoices_job(1, id));
	assert_int_equal(PQntuples(j->res), 0);
	sq_job_free(j);

	j = pgwrite_run(q, query_rerun_request_job(1, "autopay_invoice", "th-i1",
					   "test_hold", "try again"));
	assert_int_equal(j->status, SQ_OK);
	{
		struct rerun_outcome o;

		query_rerun_outcome(j->res, &o);
		assert_string_equal(o.outcome, "refused");
	}
	sq_job_free(j);
	shard_query_free(q, 3000);
}

#define HOLD_TEST(fn) cmocka_unit_test_setup_teardown(fn, per_test, per_test_end)

int main(void)
{
	const struct CMUnitTest tests[] = {
		HOLD_TEST(test_readonly_session),
		HOLD_TEST(test_read_job_and_readonly_mode),
		HOLD_TEST(test_viewer_refused),
		HOLD_TEST(test_place_exists_release_already),
		HOLD_TEST(test_write_off_then_rerun_refused),
	};
	int rc = pgtest_need_server("test_hold_write");

	if (rc)
		return rc;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
