/*
 * test_query_row.c - the shared row reader (src/query/query_row.c) and the row
 * parsing of the query files, on real PGresults from a real PostgreSQL.
 *
 * The results come from SELECTs of literal values, so no schema is needed:
 * what is tested is how the reader takes libpq's text apart (names, NULLs,
 * numbers, booleans, infinite times, bytes a sanitizer would change).
 * Without PGHOST the test is skipped (exit 77), unless BATCHTOP_REQUIRE_PG=1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"
#include "query/query_autopay.h"
#include "query/query_detail.h"
#include "query/query_joblog.h"
#include "query/query_missed.h"
#include "query/query_rerun.h"
#include "query/query_row.h"

static PGconn *conn;

static PGresult *query(const char *sql)
{
	PGresult *res = PQexec(conn, sql);

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(conn));
	return res;
}

static void test_text_raw_and_display(void **state)
{
	(void)state;
	/* An id with an escape and a trailing space: a key, kept as sent. */
	PGresult *res = query("SELECT E'b\\x1b[31m ' AS id, NULL::text AS gone,"
			      " 'plain' AS word");
	struct qrow r = qrow_at(res, 0);
	char *dup = qrow_dup(&r, "id"), *shown = qrow_display(&r, "id");

	assert_string_equal(qrow_text(&r, "id"), "b\x1b[31m ");
	assert_string_equal(dup, "b\x1b[31m ");
	assert_int_equal(qrow_len(&r, "id"), 7);
	assert_null(strchr(shown, '\x1b'));	/* drawing never gets the ESC */
	assert_null(qrow_text(&r, "gone"));
	assert_null(qrow_dup(&r, "gone"));
	assert_true(qrow_null(&r, "gone"));
	assert_false(qrow_null(&r, "word"));
	assert_false(r.bad);
	free(dup);
	free(shown);
	PQclear(res);
}

static void test_missing_column_is_bad(void **state)
{
	(void)state;
	PGresult *res = query("SELECT 1 AS one");
	struct qrow r = qrow_at(res, 0);

	assert_int_equal(qrow_int(&r, "one", -1), 1);
	assert_false(r.bad);
	assert_null(qrow_text(&r, "two"));
	assert_true(r.bad);
	r = qrow_at(res, 1);		/* past the last row */
	assert_int_equal(qrow_int(&r, "one", -1), -1);
	assert_true(r.bad);
	PQclear(res);
}

static void test_integers(void **state)
{
	(void)state;
	PGresult *res = query("SELECT 9007199254740993::bigint AS big,"
			      " (-42)::int AS neg, NULL::int AS none,"
			      " '12x'::text AS junk, ''::text AS empty,"
			      " '99999999999999999999'::text AS huge");
	struct qrow r = qrow_at(res, 0);

	assert_int_equal(qrow_int(&r, "big", 0), INT64_C(9007199254740993));
	assert_int_equal(qrow_int(&r, "neg", 0), -42);
	assert_int_equal(qrow_int(&r, "none", 7), 7);
	assert_false(r.bad);		/* NULL is not bad */
	assert_int_equal(qrow_int(&r, "junk", 7), 7);
	assert_true(r.bad);
	r.bad = false;
	assert_int_equal(qrow_int(&r, "empty", 7), 7);
	assert_true(r.bad);
	r.bad = false;
	assert_int_equal(qrow_int(&r, "huge", 7), 7);
	assert_true(r.bad);
	PQclear(res);
}

static void test_booleans(void **state)
{
	(void)state;
	PGresult *res = query("SELECT true AS yes, false AS no,"
			      " NULL::boolean AS unknown, 'yes'::text AS word");
	struct qrow r = qrow_at(res, 0);

	assert_true(qrow_bool(&r, "yes", false));
	assert_false(qrow_bool(&r, "no", true));
	assert_true(qrow_bool(&r, "unknown", true));
	assert_false(r.bad);
	assert_false(qrow_bool(&r, "word", false));
	assert_true(r.bad);
	PQclear(res);
}

static void test_times(void **state)
{
	(void)state;
	PGresult *res = query(
		"SELECT " SQLTIME_MS("'2026-01-02 03:04:05.678+00'::timestamptz")
		" AS t, " SQLTIME_MS("'infinity'::timestamptz") " AS inf,"
		" " SQLTIME_MS("'-infinity'::timestamptz") " AS ninf,"
		" " SQLTIME_MS("NULL::timestamptz") " AS none,"
		" 'soon'::text AS junk");
	struct qrow r = qrow_at(res, 0);
	int64_t t = 0;

	assert_int_equal(qrow_time(&r, "t", &t), SQLTIME_FINITE);
	assert_int_equal(t, INT64_C(1767323045678));
	assert_int_equal(qrow_time(&r, "inf", &t), SQLTIME_INF);
	assert_int_equal(qrow_time(&r, "ninf", &t), SQLTIME_NEG_INF);
	assert_int_equal(qrow_time(&r, "none", &t), SQLTIME_NULL);
	assert_false(r.bad);
	assert_int_equal(qrow_time(&r, "junk", &t), SQLTIME_BAD);
	assert_true(r.bad);
	PQclear(res);
}

/* The missed report's parsing by name: the columns in another order, the
 * biller id kept raw, the display text sanitized. */
static void test_missed_parse(void **state)
{
	(void)state;
	PGresult *res = query(
		"SELECT 3::bigint AS missed, E'b\\x1b1 ' AS biller_id, 1 AS bucket,"
		" E'ach\\x07' AS payment_type, 'web' AS module,"
		" NULL::text AS name, 10::bigint AS closes"
		" UNION ALL SELECT 0, NULL, 0, 'card', 'pos', 'Acme', 4");
	struct missed_rowset rs = { 0 };

	query_missed_parse(&rs, res, 2, "east");
	assert_int_equal(rs.nrows, 2);
	assert_int_equal(rs.rows[0].shard, 2);
	assert_string_equal(rs.rows[0].shard_name, "east");
	assert_int_equal(rs.rows[0].bucket, 1);
	assert_string_equal(rs.rows[0].biller_id, "b\x1b" "1 ");	/* raw */
	assert_null(strchr(rs.rows[0].payment_type, '\a'));
	assert_string_equal(rs.rows[0].module, "web");
	assert_string_equal(rs.rows[0].name, "");
	assert_int_equal(rs.rows[0].closes, 10);
	assert_int_equal(rs.rows[0].missed, 3);
	assert_null(rs.rows[1].biller_id);
	assert_string_equal(rs.rows[1].name, "Acme");
	assert_int_equal(rs.rows[1].closes, 4);
	missed_rowset_free(&rs);
	PQclear(res);
}

/* The drill-down's rows: history capped at max, request text made
 * drawable, an infinite time unknown. */
static void test_detail_parse(void **state)
{
	(void)state;
	PGresult *res = query("SELECT d::date::text AS day, 5::bigint AS closes,"
			      " 1::bigint AS missed"
			      " FROM generate_series('2026-01-01'::date,"
			      "   '2026-01-03', '1 day') d ORDER BY d DESC");
	struct detail_day days[2];
	struct detail_request *r;
	size_t n = 0;

	assert_int_equal(query_detail_history(res, days, 2), 2);
	assert_string_equal(days[0].day, "2026-01-03");
	assert_int_equal(days[1].closes, 5);
	assert_int_equal(days[1].missed, 1);
	PQclear(res);

	res = query("SELECT 'r1' AS request_id, 'batch_close' AS kind,"
		    " E'b\\x1b1' AS target_id, NULL::text AS requested_by,"
		    " 'infinity' AS at_ms, 'done' AS status, E'x\\ny' AS reason,"
		    " NULL::text AS result"
		    " UNION ALL SELECT 'r0', 'autopay_invoice', NULL, 'ann', '1500',"
		    " 'sent', '', 'ok'");
	r = query_detail_requests(res, &n);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].id, "r1");
	assert_null(strchr(r[0].target, '\x1b'));
	assert_string_not_equal(r[0].target, "b1");	/* escaped, not dropped */
	assert_string_equal(r[0].by, "");
	assert_int_equal(r[0].at, BT_NO_TIME);
	assert_null(strchr(r[0].reason, '\n'));
	assert_string_equal(r[0].result, "");
	assert_string_equal(r[1].target, "");
	assert_int_equal(r[1].at, 1500);
	assert_string_equal(r[1].result, "ok");
	query_detail_requests_free(r, n);
	PQclear(res);
}

/* A page of job_log: the table's highest id from the newest page, the
 * empty page's one NULL row skipped, infinite and bad times kept apart. */
static void test_joblog_parse(void **state)
{
	(void)state;
	PGresult *res = query("SELECT NULL::bigint AS log_id, NULL::text AS ts_us,"
			      " NULL::text AS level, NULL::text AS batch_id,"
			      " NULL::text AS message, 41::bigint AS max_id");
	struct log_line *v;
	int64_t max = 7;
	size_t n = 99;

	v = query_joblog_parse(res, JOBLOG_NEWEST, &n, &max);
	assert_int_equal(n, 0);
	assert_int_equal(max, 41);
	free(v);
	PQclear(res);

	res = query("SELECT 50::bigint AS log_id, 'infinity' AS ts_us,"
		    " 'ERROR' AS level, 'b-1' AS batch_id, 'late' AS message"
		    " UNION ALL SELECT 45, '1000000', 'info', NULL, 'ok'"
		    " UNION ALL SELECT 44, 'soon', 'info', NULL, E'a\\x1bb'");
	max = 41;
	v = query_joblog_parse(res, JOBLOG_OLDER, &n, &max);
	assert_int_equal(n, 3);
	assert_int_equal(max, 50);
	assert_int_equal(v[0].id, 50);
	assert_int_equal(v[0].ts, JOBLOG_TS_INF);
	assert_string_equal(v[0].batch_id, "b-1");
	assert_int_equal(v[1].ts, 1000000);
	assert_string_equal(v[1].batch_id, "");
	assert_int_equal(v[2].ts, JOBLOG_TS_BAD);
	assert_null(strchr(v[2].message, '\x1b'));
	for (size_t i = 0; i < n; i++)
		log_line_clear(&v[i]);
	free(v);
	PQclear(res);
}

/* The autopay rows: ids byte for byte, NULLs as "" or unknown. */
static void test_autopay_parse(void **state)
{
	(void)state;
	PGresult *res = query("SELECT E'inv\\x1b1 ' AS invoice_id, 'b1' AS biller_id,"
			      " 1999::bigint AS amount_cents, 'declined' AS exception,"
			      " '-infinity' AS failed_ms, 'needs_rerun' AS status,"
			      " NULL::text AS name, false AS is_demo, true AS known,"
			      " NULL::text AS rr_status, NULL::text AS rr_by"
			      " UNION ALL SELECT 'i2', NULL, NULL, NULL, '2000', 'paid',"
			      " E'Acme\\x07', true, false, 'done', 'ann'");
	size_t n = 0;
	struct ap_row *v = query_autopay_rows(res, 3, &n);

	assert_int_equal(n, 2);
	assert_int_equal(v[0].shard, 3);
	assert_string_equal(v[0].invoice, "inv\x1b" "1 ");
	assert_int_equal(v[0].amount, 1999);
	assert_int_equal(v[0].failed_at, BT_NO_TIME);
	assert_string_equal(v[0].biller, "");
	assert_false(v[0].demo);
	assert_true(v[0].known);
	assert_string_equal(v[0].rr_status, "");
	assert_null(v[0].search);
	assert_string_equal(v[1].biller_id, "");
	assert_int_equal(v[1].amount, -1);
	assert_int_equal(v[1].failed_at, 2000);
	assert_null(strchr(v[1].biller, '\a'));
	assert_true(v[1].demo);
	assert_string_equal(v[1].rr_by, "ann");
	for (size_t i = 0; i < n; i++)
		query_autopay_row_free(&v[i]);
	free(v);
	PQclear(res);
}

/* The rerun answers: an outcome, a re-read that found nothing, the
 * dialog's history with look-alike targets kept apart. */
static void test_rerun_parse(void **state)
{
	(void)state;
	PGresult *res = query("SELECT 12::bigint AS request_id, 'created' AS outcome,"
			      " NULL::text AS detail");
	struct rerun_outcome o;
	struct rerun_reread rr;
	struct rerun_history h[QUERY_RERUN_HISTORY];

	query_rerun_outcome(res, &o);
	assert_string_equal(o.outcome, "created");
	assert_int_equal(o.request_id, 12);
	assert_null(o.detail);
	PQclear(res);

	res = query("SELECT 1 AS busy, NULL::bigint AS request_id,"
		    " NULL::text AS status, NULL::text AS requested_by,"
		    " NULL::text AS at");
	query_rerun_reread(res, &rr);
	assert_true(rr.busy);
	assert_null(rr.request_id);
	assert_int_equal(rr.request_no, 0);
	assert_null(rr.status);
	PQclear(res);

	res = query("SELECT E'b\\u200b1' AS target_id, 'ann' AS requested_by,"
		    " '2026-01-01 00:00:00' AS at, 'done' AS status"
		    " UNION ALL SELECT 'b1', 'bob', '?', 'failed'");
	assert_int_equal(query_rerun_history(res, h, 1), 1);
	query_rerun_history_free(&h[0]);
	assert_int_equal(query_rerun_history(res, h, QUERY_RERUN_HISTORY), 2);
	assert_string_equal(h[0].requested_by, "ann");
	assert_string_not_equal(h[0].target, h[1].target);
	assert_string_equal(h[1].target, "b1");
	assert_string_equal(h[1].status, "failed");
	query_rerun_history_free(&h[0]);
	query_rerun_history_free(&h[1]);
	PQclear(res);
}

/* The spread of close times: median and p90 from one row, NULLs as
 * unknown, a failed job or the end of the rows as false.  (The query
 * itself is checked against the shard's own percentiles in
 * tests/e2e/rerun_dialog.test.) */
static void test_spread_parse(void **state)
{
	struct sq_job job = { .status = SQ_OK };
	struct query_rerun_spread sp;
	const char *id;
	int64_t ms;
	long closes;

	(void)state;
	job.res = query("SELECT 'b1' AS biller_id, 360000::bigint AS median_ms,"
			" 540000::bigint AS p90_ms, 10::bigint AS closes"
			" UNION ALL SELECT NULL, 1000, NULL, 1");
	assert_true(query_rerun_spread_row(&job, 0, &sp));
	assert_string_equal(sp.biller_id, "b1");
	assert_int_equal(sp.median_ms, 360000);
	assert_int_equal(sp.p90_ms, 540000);
	assert_int_equal(sp.closes, 10);
	assert_true(query_rerun_spread_row(&job, 1, &sp));
	assert_string_equal(sp.biller_id, "");
	assert_int_equal(sp.p90_ms, BT_NO_TIME);
	assert_false(query_rerun_spread_row(&job, 2, &sp));
	assert_true(query_rerun_median_row(&job, 0, &id, &ms, &closes));
	assert_int_equal(ms, 360000);
	assert_int_equal(closes, 10);
	job.status = SQ_ERROR;
	assert_false(query_rerun_spread_row(&job, 0, &sp));
	PQclear(job.res);
}

int main(void)
{
	const char *req = getenv("BATCHTOP_REQUIRE_PG");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_raw_and_display),
		cmocka_unit_test(test_missing_column_is_bad),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_missed_parse),
		cmocka_unit_test(test_detail_parse),
		cmocka_unit_test(test_joblog_parse),
		cmocka_unit_test(test_autopay_parse),
		cmocka_unit_test(test_rerun_parse),
		cmocka_unit_test(test_spread_parse),
	};
	int rc;

	if (!getenv("PGHOST")) {
		if (req && !strcmp(req, "1")) {
			fprintf(stderr, "PGHOST not set and BATCHTOP_REQUIRE_PG=1\n");
			return 1;
		}
		fprintf(stderr, "PGHOST not set: skipped\n");
		return 77;
	}
	conn = PQconnectdb("dbname=postgres");
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "cannot connect: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	PQfinish(conn);
	return rc;
}
