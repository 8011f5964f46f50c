/*
 * test_rerun_order.c - the one rerun write path (src/write/rerun_order.c and
 * src/write/rerun.c), driven for real: the audit trail is a real file in a
 * temporary directory, and only the hand-off to the shard's query worker
 * is replaced (rerun_set_submit), so the test sees exactly what would be
 * queued and when.  It checks the order of things:
 *   - the confirm line and the request line are fsynced before the job is
 *     queued, and the answer is audited after;
 *   - when the audit log cannot be written nothing is queued, and after a
 *     failed write nothing more of the order is tried;
 *   - after an unknown outcome nobody may ask again until the re-read of
 *     the shard answered;
 *   - requests released together share one write and one fsync of their
 *     "request" lines, all on disk before the first is queued;
 *   - a created request is named (id, attempt) and shows in the RERUN
 *     column at once, until a poll carries it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "write/action_loop.h"
#include "write/audit.h"
#include "write/rerun.h"
#include "write/rerun_fresh.h"
#include "write/rerun_order.h"
#include "data/shard_query.h"
#include "core/view.h"
#include "core/xalloc.h"
#include "fixtures.h"

static char dir[64], path[128];

/* What the fake worker saw, and what the audit file held at that moment. */
static struct {
	struct sq_job *jobs[8];
	size_t n;
	unsigned next_id;
	size_t requests_on_disk[8];	/* "request" lines in the file */
	unsigned long fsyncs[8];	/* audit_fsync_count() */
} Q;

static struct {
	enum rerun_result results[8];
	size_t n;
} A;

static char said[800];

static size_t count_lines(const char *needle)
{
	FILE *fp = fopen(path, "r");
	char line[2048];
	size_t k = 0;

	if (!fp)
		return 0;
	while (fgets(line, sizeof line, fp))
		if (strstr(line, needle))
			k++;
	fclose(fp);
	return k;
}

static unsigned fake_submit(struct app *app, int shard, struct sq_job *job)
{
	(void)app;
	assert_true(Q.n < 8);
	job->id = ++Q.next_id;
	job->shard = shard;
	Q.requests_on_disk[Q.n] = count_lines("\"event\":\"request\"");
	Q.fsyncs[Q.n] = audit_fsync_count();
	Q.jobs[Q.n++] = job;
	return job->id;
}

static void on_answer(struct app *app, const struct rerun_answer *a,
		      unsigned long tag)
{
	(void)app;
	assert_int_equal(tag, 7);
	if (A.n < 8)
		A.results[A.n++] = a->result;
}

static void collect(struct app *app, enum report_level level, const char *text)
{
	(void)app;
	(void)level;
	snprintf(said, sizeof said, "%s", text);
}

static const struct action_report report = { .message = collect };

struct fixture {
	struct config cfg;
	struct app app;
};

static void start(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	memset(&Q, 0, sizeof Q);
	memset(&A, 0, sizeof A);
	said[0] = '\0';
	snprintf(dir, sizeof dir, "/tmp/bt-order-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/audit.log", dir);
	config_defaults(&f->cfg);
	f->cfg.audit_log = xstrdup(path);
	f->app.cfg = &f->cfg;
	f->app.npollers = 1;
	rerun_init(&f->app);
	rerun_set_submit(fake_submit);
}

static void done(struct fixture *f)
{
	char cmd[128];

	for (size_t i = 0; i < Q.n; i++)
		sq_job_free(Q.jobs[i]);
	rerun_set_submit(NULL);
	view_free(&f->app.view);
	actions_shutdown();
	rerun_shutdown();
	config_free(&f->cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static struct rerun_order *order_of(struct fixture *f, const char *const *ids,
				    size_t n)
{
	struct rerun_target t[8];

	for (size_t i = 0; i < n; i++)
		t[i] = (struct rerun_target){ .shard = 0, .kind = RERUN_BATCH,
					      .id = ids[i], .words = "Acme" };
	return rerun_order_freeze(&f->app, "grid", "a test", t, n);
}

/* A finished job as the worker would hand it back: one row of text
 * columns (NULL values are SQL NULLs). */
static struct sq_job *answer(size_t i, enum sq_status st, const char *const *names,
			     const char *const *values, int ncols)
{
	struct sq_job *job = Q.jobs[i];
	PGresAttDesc att[8];

	Q.jobs[i] = NULL;
	job->status = st;
	if (st != SQ_OK)
		return job;
	memset(att, 0, sizeof att);
	for (int c = 0; c < ncols; c++) {
		att[c].name = (char *)names[c];
		att[c].typid = 25;	/* text */
		att[c].typlen = -1;
		att[c].atttypmod = -1;
	}
	job->res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	assert_non_null(job->res);
	assert_int_equal(PQsetResultAttrs(job->res, ncols, att), 1);
	for (int c = 0; c < ncols; c++)
		if (values[c])
			assert_int_equal(PQsetvalue(job->res, 0, c, (char *)values[c],
						    (int)strlen(values[c])), 1);
		else
			assert_int_equal(PQsetvalue(job->res, 0, c, NULL, -1), 1);
	return job;
}

static void test_audit_before_send(void **state)
{
	static const char *const ids[1] = { "b-1" };
	static const char *const names[3] = { "request_id", "outcome", "detail" };
	static const char *const created[3] = { "41", "created", "queued" };
	struct fixture f;
	struct rerun_order *o;
	unsigned long before;
	char err[300];

	(void)state;
	start(&f);
	o = order_of(&f, ids, 1);
	/* Not confirmed yet: nothing may go. */
	assert_int_equal(rerun_order_send_all(&f.app, o, true, &report, on_answer,
					      7), 0);
	assert_int_equal(Q.n, 0);
	rerun_order_free(o);

	o = order_of(&f, ids, 1);
	before = audit_fsync_count();
	assert_int_equal(rerun_order_answer(&f.app, o, true, "confirmed with y",
					    &report, err, sizeof err), 0);
	assert_int_equal(audit_fsync_count() - before, 1);
	assert_int_equal(count_lines("\"event\":\"confirm\""), 1);
	assert_int_equal(rerun_order_send_all(&f.app, o, true, &report, on_answer,
					      7), 1);
	assert_int_equal(Q.n, 1);
	assert_int_equal(Q.jobs[0]->kind, JOB_RERUN);
	/* When the job was queued its request line was already on disk. */
	assert_int_equal(Q.requests_on_disk[0], 1);
	assert_int_equal(Q.fsyncs[0] - before, 2);
	assert_false(rerun_may_send(&f.app, 0, RERUN_BATCH, "b-1", err, sizeof err));

	rerun_on_job(&f.app, answer(0, SQ_OK, names, created, 3));
	assert_int_equal(A.n, 1);
	assert_int_equal(A.results[0], RR_CREATED);
	assert_int_equal(count_lines("\"outcome\":\"created\""), 1);
	assert_non_null(strstr(said, "created"));
	assert_true(rerun_may_send(&f.app, 0, RERUN_BATCH, "b-1", err, sizeof err));
	rerun_order_free(o);
	done(&f);
}

static void test_failed_audit_sends_nothing(void **state)
{
	static const char *const ids[2] = { "b-1", "b-2" };
	struct fixture f;
	struct rerun_order *o;
	char err[300];

	(void)state;
	start(&f);
	/* The trail cannot be written (a directory where the file goes),
	 * even for root. */
	assert_int_equal(mkdir(path, 0700), 0);
	o = order_of(&f, ids, 2);
	assert_int_equal(rerun_order_answer(&f.app, o, true, "confirmed with y",
					    &report, err, sizeof err), -1);
	assert_non_null(strstr(said, "nothing was sent"));
	assert_int_equal(rerun_order_send_all(&f.app, o, true, &report, on_answer,
					      7), 0);
	assert_int_equal(rerun_order_send(&f.app, o, 0, true, &report, on_answer,
					  7, err, sizeof err), -1);
	assert_int_equal(Q.n, 0);
	rerun_order_free(o);

	/* Confirmed on disk, then the trail breaks before the request lines
	 * (one write for both): neither is sent, both say why. */
	assert_int_equal(rmdir(path), 0);
	o = order_of(&f, ids, 2);
	assert_int_equal(rerun_order_answer(&f.app, o, true, "confirmed with y",
					    &report, err, sizeof err), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(rerun_order_send_all(&f.app, o, true, &report, on_answer,
					      7), 0);
	assert_int_equal(Q.n, 0);
	assert_non_null(rerun_order_why(o, 0));
	assert_non_null(strstr(rerun_order_why(o, 0), "audit log"));
	assert_non_null(rerun_order_why(o, 1));
	assert_non_null(strstr(rerun_order_why(o, 1), "audit log"));
	assert_true(rerun_may_send(&f.app, 0, RERUN_BATCH, "b-1", err, sizeof err));
	assert_true(rerun_may_send(&f.app, 0, RERUN_BATCH, "b-2", err, sizeof err));
	assert_int_equal(rerun_unanswered(), 0);
	rerun_order_free(o);
	assert_int_equal(rmdir(path), 0);
	done(&f);
}

static void test_unknown_rereads_first(void **state)
{
	static const char *const ids[1] = { "b-1" };
	static const char *const names[5] = { "busy", "request_id", "status",
					      "requested_by", "at" };
	static const char *const busy[5] = { "1", NULL, NULL, NULL, NULL };
	static const char *const none[5] = { "0", NULL, NULL, NULL, NULL };
	struct fixture f;
	struct rerun_order *o, *again;
	char err[300];

	(void)state;
	start(&f);
	o = order_of(&f, ids, 1);
	assert_int_equal(rerun_order_answer(&f.app, o, true, "confirmed with y",
					    &report, err, sizeof err), 0);
	assert_int_equal(rerun_order_send_all(&f.app, o, false, &report, on_answer,
					      7), 1);
	Q.jobs[0]->backend_pid = 4242;
	rerun_on_job(&f.app, answer(0, SQ_UNKNOWN, NULL, NULL, 0));
	assert_int_equal(A.results[0], RR_UNKNOWN);
	assert_non_null(strstr(said, "re-reading"));	/* always reported */

	/* Nobody may ask again, whatever the path. */
	assert_false(rerun_may_send(&f.app, 0, RERUN_BATCH, "b-1", err, sizeof err));
	assert_non_null(strstr(err, "unknown outcome"));
	again = order_of(&f, ids, 1);
	assert_int_equal(rerun_order_answer(&f.app, again, true, "confirmed with y",
					    &report, err, sizeof err), 0);
	assert_int_equal(rerun_order_send_all(&f.app, again, false, &report,
					      on_answer, 7), 0);
	assert_int_equal(Q.n, 1);	/* nothing new was queued */

	/* The loop's tick starts the re-read; while the lost call still
	 * runs on the server the target stays closed. */
	actions_tick(&f.app);
	assert_int_equal(Q.n, 2);
	assert_int_equal(Q.jobs[1]->kind, JOB_REQUESTS);
	assert_string_equal(Q.jobs[1]->params[2], "4242");
	rerun_on_job(&f.app, answer(1, SQ_OK, names, busy, 5));
	assert_int_equal(A.n, 1);
	assert_false(rerun_may_send(&f.app, 0, RERUN_BATCH, "b-1", err, sizeof err));
	actions_tick(&f.app);
	assert_int_equal(Q.n, 2);	/* the next re-read waits a second */

	/* The next one goes once it is due (a second later); when it finds
	 * no request the target may be asked again, and only then. */
	for (int k = 0; k < 100 && Q.n == 2; k++) {
		usleep(50 * 1000);
		actions_tick(&f.app);
	}
	assert_int_equal(Q.n, 3);
	assert_int_equal(Q.jobs[2]->kind, JOB_REQUESTS);
	assert_false(rerun_may_send(&f.app, 0, RERUN_BATCH, "b-1", err, sizeof err));
	rerun_on_job(&f.app, answer(2, SQ_OK, names, none, 5));
	assert_int_equal(A.n, 2);
	assert_int_equal(A.results[1], RR_REREAD_NONE);
	assert_int_equal(count_lines("\"event\":\"reread\""), 1);
	assert_true(rerun_may_send(&f.app, 0, RERUN_BATCH, "b-1", err, sizeof err));
	rerun_order_free(again);
	again = order_of(&f, ids, 1);
	assert_int_equal(rerun_order_answer(&f.app, again, true, "confirmed with y",
					    &report, err, sizeof err), 0);
	assert_int_equal(rerun_order_send_all(&f.app, again, false, &report,
					      on_answer, 7), 1);
	assert_int_equal(Q.n, 4);
	assert_int_equal(Q.jobs[3]->kind, JOB_RERUN);
	rerun_order_free(again);
	rerun_order_free(o);
	done(&f);
}

/* Several released at once: one write, one fsync, every line on disk
 * before the first job is queued; a target twice in one release is sent
 * once. */
static void test_release_one_fsync(void **state)
{
	static const char *const ids[4] = { "b-1", "b-2", "b-3", "b-1" };
	struct fixture f;
	struct rerun_order *o;
	unsigned long before;
	char err[300];

	(void)state;
	start(&f);
	o = order_of(&f, ids, 4);
	assert_int_equal(rerun_order_answer(&f.app, o, true, "confirmed with y",
					    &report, err, sizeof err), 0);
	before = audit_fsync_count();
	assert_int_equal(rerun_order_send_all(&f.app, o, false, &report, on_answer,
					      7), 3);
	assert_int_equal(audit_fsync_count() - before, 1);
	assert_int_equal(Q.n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(Q.requests_on_disk[i], 3);
		assert_int_equal(Q.fsyncs[i] - before, 1);
	}
	assert_null(rerun_order_why(o, 0));
	assert_non_null(rerun_order_why(o, 3));
	assert_non_null(strstr(rerun_order_why(o, 3), "being sent"));
	assert_int_equal(count_lines("\"event\":\"request\""), 3);
	rerun_order_free(o);
	done(&f);
}

/* One failed biller on shard 0 whose batch has had `attempts`, with the
 * latest request (id, status) a poll saw; its snapshot is the view's. */
static const struct biller *poll_one(struct fixture *f, int attempts,
				     long long rerun_id, const char *status)
{
	int64_t now = fx_utc(2026, 11, 1, 20, 0);
	struct snapshot *s = fx_snapshot(0, "east", now, 0);
	struct batch *t;

	fx_add_biller(s, "acme", "Acme", "UTC", 1);
	t = fx_add_batch_for(s, BS_FAILED, now);
	t->attempts = attempts;
	fx_rerun(s, t, rerun_id, status);
	fx_seal(s);
	view_set_snapshot(&f->app.view, 0, s);
	snapshot_unref(s);
	return snapshot_biller(f->app.view.snaps[0], 0);
}

static void rerun_once(struct fixture *f, const char *id, const char *created)
{
	static const char *const names[3] = { "request_id", "outcome", "detail" };
	const char *values[3] = { created, "created",
				  "rerun of batch east-1 requested by me" };
	const char *const ids[1] = { id };
	struct rerun_order *o = order_of(f, ids, 1);
	char err[300];

	assert_int_equal(rerun_order_answer(&f->app, o, true, "confirmed with y",
					    &report, err, sizeof err), 0);
	assert_int_equal(rerun_order_send_all(&f->app, o, true, &report,
					      on_answer, 7), 1);
	rerun_on_job(&f->app, answer(Q.n - 1, SQ_OK, names, values, 3));
	rerun_order_free(o);
}

static void test_created_at_once(void **state)
{
	struct fixture f;
	const struct biller *b;
	char first[800], words[200];

	(void)state;
	start(&f);
	view_init(&f.app.view, 1, &f.cfg);
	b = poll_one(&f, 1, 0, "");
	assert_string_equal(rerun_biller_word(b), "");

	/* The answer names the request and the attempt, and the RERUN column
	 * and the detail show it before any poll does. */
	rerun_once(&f, b->batches[0].batch_id, "41");
	assert_non_null(strstr(said, "created request 41 (attempt 2): "));
	snprintf(first, sizeof first, "%s", said);
	assert_string_equal(rerun_biller_word(b), "pending");
	assert_true(rerun_fresh_words(&f.app, 0, b->batches[0].batch_id, words,
				      sizeof words));
	assert_non_null(strstr(words, "request 41 pending, attempt 2"));
	actions_tick(&f.app);	/* no poll has it yet: it stays */
	assert_string_equal(rerun_biller_word(b), "pending");

	/* A poll that carries it wins, and the note is forgotten. */
	b = poll_one(&f, 2, 41, "running");
	assert_string_equal(rerun_biller_word(b), "running");
	actions_tick(&f.app);
	assert_null(rerun_fresh_request(&f.app, 0, b->batches[0].batch_id));
	assert_false(rerun_fresh_words(&f.app, 0, b->batches[0].batch_id, words,
				       sizeof words));

	/* It failed again; the second request reads differently. */
	b = poll_one(&f, 2, 41, "failed");
	assert_string_equal(rerun_biller_word(b), "failed");
	rerun_once(&f, b->batches[0].batch_id, "42");
	assert_non_null(strstr(said, "created request 42 (attempt 3): "));
	assert_string_not_equal(said, first);
	assert_string_equal(rerun_biller_word(b), "pending");
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_before_send),
		cmocka_unit_test(test_failed_audit_sends_nothing),
		cmocka_unit_test(test_unknown_rereads_first),
		cmocka_unit_test(test_release_one_fsync),
		cmocka_unit_test(test_created_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
