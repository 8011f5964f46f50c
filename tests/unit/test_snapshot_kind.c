/*
 * test_snapshot_kind.c - a batch's words (struct batch_kind): interned per
 * shard by the poll's parser, one copy per combination, read back exactly
 * as the shard sent them (sanitized), and kept apart where they differ or
 * where the row is bad.  The poll's result is built with libpq's own
 * client-side calls (PQmakeEmptyPGresult, PQsetvalue), so the parser reads
 * a real PGresult without a server.  Also the batch's packed fields: the
 * local scheduled time kept as a minute of the day, the state and the
 * deadline's flags beside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/arena.h"
#include "core/snapshot.h"
#include "query/query_poll.h"

/* The poll's columns that these rows set; the others are NULL. */
static const char *const cols[] = {
	"now_ms", "biller_id", "known", "name", "timezone", "priority",
	"is_demo", "tz_known", "utc_offset_s", "batch_id", "business_day",
	"payment_type", "module", "status", "attempts", "error_class",
	"error_message", "scheduled_ms", "deadline_ms", "deadline_given",
	"started_ms", "finished_ms", "updated_ms", "local_sched",
	"ap_payments", "ap_failed", "ap_run_ms",
	"rr_id", "rr_status", "rr_by", "rr_at_ms", "row_sig",
};
#define NCOLS (int)(sizeof cols / sizeof cols[0])

static PGresult *result_new(void)
{
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc att[NCOLS];

	memset(att, 0, sizeof att);
	for (int i = 0; i < NCOLS; i++) {
		att[i].name = (char *)cols[i];
		att[i].typid = 25;	/* text: the parser reads text */
		att[i].typlen = -1;
		att[i].atttypmod = -1;
	}
	assert_non_null(r);
	assert_int_equal(PQsetResultAttrs(r, NCOLS, att), 1);
	return r;
}

static void set(PGresult *r, int row, const char *col, const char *v)
{
	int c;

	for (c = 0; c < NCOLS && strcmp(cols[c], col); c++)
		;
	assert_true(c < NCOLS);
	assert_int_equal(PQsetvalue(r, row, c, (char *)v,
				    v ? (int)strlen(v) : -1), 1);
}

/* Row `row`: a batch of biller `biller` with these words. */
static void add_row(PGresult *r, int row, const char *biller,
		    const char *batch, const char *day, const char *type,
		    const char *module, const char *status, const char *cls)
{
	set(r, row, "now_ms", "1000000");
	set(r, row, "biller_id", biller);
	set(r, row, "known", "t");
	set(r, row, "name", biller);
	set(r, row, "timezone", "UTC");
	set(r, row, "tz_known", "t");
	set(r, row, "utc_offset_s", "0");
	set(r, row, "batch_id", batch);
	set(r, row, "business_day", day);
	set(r, row, "payment_type", type);
	set(r, row, "module", module);
	set(r, row, "status", status);
	set(r, row, "attempts", "1");
	set(r, row, "error_class", cls);
	set(r, row, "scheduled_ms", "900000");
	set(r, row, "deadline_ms", "990000");
	set(r, row, "deadline_given", "f");
	set(r, row, "updated_ms", "950000");
}

static const struct batch *batch_of(const struct snapshot *s, const char *id)
{
	const struct batch *t = snapshot_find_batch(s, id);

	assert_non_null(t);
	return t;
}

/* Two billers' batches with the same words share one copy; words read
 * back as sent; other words, another copy; NULL words read as "". */
static void test_kind_shared(void **state)
{
	PGresult *r = result_new();
	struct intern *in = intern_new();
	struct snapshot *s;
	const struct batch *a, *b, *c, *d;

	(void)state;
	add_row(r, 0, "b1", "x1", "2026-12-01", "ach", "close", "running", NULL);
	add_row(r, 1, "b1", "x2", "2026-12-01", "card", "close", "failed",
		"timeout");
	add_row(r, 2, "b2", "y1", "2026-12-01", "ach", "close", "running", NULL);
	add_row(r, 3, "b2", "y2", "2026-12-01", "card", "close", "failed",
		"timeout");
	add_row(r, 4, "b3", "z1", NULL, NULL, NULL, "scheduled", NULL);
	s = query_poll_snapshot(r, 0, "s0", 5, in);
	PQclear(r);
	assert_int_equal(s->nbillers, 3);
	a = batch_of(s, "x1");
	b = batch_of(s, "y1");
	c = batch_of(s, "x2");
	d = batch_of(s, "y2");
	assert_ptr_equal(a->kind, b->kind);
	assert_ptr_equal(c->kind, d->kind);
	assert_ptr_not_equal(a->kind, c->kind);
	assert_string_equal(a->kind->business_day, "2026-12-01");
	assert_string_equal(a->kind->payment_type, "ach");
	assert_string_equal(a->kind->module, "close");
	assert_string_equal(a->kind->status, "running");
	assert_string_equal(a->kind->error_class, "");
	assert_string_equal(a->kind->bad, "");
	assert_int_equal(a->state, BATCH_RUNNING);
	assert_string_equal(c->kind->payment_type, "card");
	assert_string_equal(c->kind->status, "failed");
	assert_string_equal(c->kind->error_class, "timeout");
	assert_string_equal(snapshot_biller(s, 2)->batches[0].kind->payment_type, "");
	assert_string_equal(snapshot_biller(s, 2)->batches[0].kind->business_day, "");
	/* The homes were sized right: the words take no room in them. */
	for (size_t i = 0; i < s->nbillers; i++)
		assert_int_equal(arena_used(snapshot_biller(s, i)->home),
				 arena_room(snapshot_biller(s, i)->home));
	/* Three combinations, in the table's own arena, which s holds. */
	assert_int_equal(intern_blobs(in), 3);
	intern_free(in);
	assert_string_equal(d->kind->error_class, "timeout");
	snapshot_unref(s);
}

/* A word is sanitized; one that differs only where sanitizing hides it
 * is another word; a bad row has words of its own that say why. */
static void test_kind_sanitized_and_bad(void **state)
{
	PGresult *r = result_new();
	struct intern *in = intern_new();
	struct snapshot *s;
	const struct batch *a, *b, *c;

	(void)state;
	add_row(r, 0, "b1", "x1", "2026-12-01", "ach\x1b[2J", "close",
		"running", NULL);
	add_row(r, 1, "b1", "x2", "2026-12-01", "ach?[2J", "close", "running",
		NULL);
	add_row(r, 2, "b1", "x3", "2026-12-01", "ach", "close", NULL, NULL);
	s = query_poll_snapshot(r, 0, "s0", 5, in);
	PQclear(r);
	a = batch_of(s, "x1");
	b = batch_of(s, "x2");
	c = batch_of(s, "x3");
	assert_null(strchr(a->kind->payment_type, '\x1b'));
	assert_ptr_not_equal(a->kind, b->kind);
	assert_string_equal(b->kind->payment_type, "ach?[2J");
	assert_true(batch_is_bad(c));
	assert_string_equal(c->kind->bad, "status NULL");
	assert_string_equal(c->kind->status, "");
	assert_int_equal(s->nbad, 1);
	assert_int_equal(intern_blobs(in), 2);	/* the bad row's is its own */
	intern_free(in);
	snapshot_unref(s);
}

/* Without a table (NULL) and past its bound, each batch has words of its
 * own, in its biller's home, still exact. */
static void test_kind_unshared(void **state)
{
	enum { N = 4200 };
	PGresult *r = result_new();
	struct intern *in = intern_new();
	struct snapshot *s, *s2;
	char id[32], type[32];

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof id, "x%d", i);
		snprintf(type, sizeof type, "type%d", i);
		add_row(r, i, "b1", id, "2026-12-01", type, "close", "closed",
			NULL);
	}
	s = query_poll_snapshot(r, 0, "s0", 5, in);
	s2 = query_poll_snapshot(r, 0, "s0", 5, NULL);
	PQclear(r);
	assert_true(intern_full(in));
	assert_true(intern_blobs(in) < N);
	for (int i = 0; i < N; i += 97) {
		snprintf(id, sizeof id, "x%d", i);
		snprintf(type, sizeof type, "type%d", i);
		assert_string_equal(batch_of(s, id)->kind->payment_type, type);
		assert_string_equal(batch_of(s2, id)->kind->payment_type, type);
		assert_int_equal(batch_of(s, id)->state, BATCH_CLOSED);
	}
	assert_string_equal(batch_of(s, "x4199")->kind->module, "close");
	/* Without a table the home has room for every word: no spill. */
	assert_true(arena_used(snapshot_biller(s2, 0)->home) <=
		    arena_room(snapshot_biller(s2, 0)->home));
	intern_free(in);
	snapshot_unref(s);
	snapshot_unref(s2);
}

/* The local scheduled time, kept as a minute of the day (struct batch's
 * local_min), reads back as the shard's "HH:MM" at both ends of the day;
 * NULL and anything not "HH:MM" read as "" (the zone is unknown). */
static void test_local_sched(void **state)
{
	static const struct {
		const char *sent, *back;
	} c[] = {
		{ "00:00", "00:00" }, { "23:59", "23:59" }, { "07:05", "07:05" },
		{ "12:30", "12:30" }, { NULL, "" }, { "", "" }, { "24:00", "" },
		{ "7:05", "" }, { "07:60", "" }, { "07:05:00", "" },
		{ "ab:cd", "" },
	};
	const int n = (int)(sizeof c / sizeof c[0]);
	PGresult *r = result_new();
	struct intern *in = intern_new();
	struct snapshot *s;
	char id[16], lt[BATCH_LOCAL_SCHED_LEN];

	(void)state;
	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof id, "t%d", i);
		add_row(r, i, "b1", id, "2026-12-01", "ach", "close",
			i % 2 ? "failed" : "running", NULL);
		set(r, i, "local_sched", c[i].sent);
		if (i < 2) {	/* a given infinite deadline, both signs */
			set(r, i, "deadline_given", "t");
			set(r, i, "deadline_ms", i ? "-Infinity" : "Infinity");
		}
	}
	s = query_poll_snapshot(r, 0, "s0", 5, in);
	PQclear(r);
	for (int i = 0; i < n; i++) {
		const struct batch *t;

		snprintf(id, sizeof id, "t%d", i);
		t = batch_of(s, id);
		assert_string_equal(batch_local_sched(t, lt), c[i].back);
		assert_int_equal(t->local_min != 0, c[i].back[0] != '\0');
		/* The narrowed fields beside it keep their values. */
		assert_int_equal(t->state, i % 2 ? BATCH_FAILED : BATCH_RUNNING);
		assert_int_equal(t->deadline_given, i < 2);
		assert_int_equal(t->deadline_inf, i == 0 ? 1 : i == 1 ? -1 : 0);
	}
	intern_free(in);
	snapshot_unref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_shared),
		cmocka_unit_test(test_kind_sanitized_and_bad),
		cmocka_unit_test(test_kind_unshared),
		cmocka_unit_test(test_local_sched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
