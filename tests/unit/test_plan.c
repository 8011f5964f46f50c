/*
 * test_plan.c - the pure parts of the staged bulk rerun (src/write/plan.c):
 * the order, the in-flight cap per shard, following a request through the
 * polls, the estimate, and the marks; and, through the real dialog, that
 * confirming or declining a plan of 10,000 batches writes its 10,000 audit
 * lines with one fsync (it was one per line, seconds of a frozen screen).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "write/action_loop.h"
#include "write/audit.h"
#include "core/biller_status.h"
#include "fixtures.h"
#include "write/plan.h"
#include "screens/plan_dialog.h"
#include "write/rerun.h"
#include "data/shard_query.h"
#include "ui/screen.h"
#include "core/snapshot.h"
#include "core/xalloc.h"

#define MIN(m) ((int64_t)(m) * 60000)

static struct plan_item item(int shard, const char *batch, int prio,
			     int64_t deadline)
{
	struct plan_item it;

	memset(&it, 0, sizeof it);
	it.shard = shard;
	it.shard_name = (char *)"s";
	it.batch_id = (char *)batch;
	it.biller_id = (char *)batch;
	it.biller_name = (char *)batch;
	it.priority = prio;
	it.deadline = deadline;
	it.median_ms = BT_NO_TIME;
	it.state = PI_WAITING;
	return it;
}

static void test_order(void **state)
{
	struct plan_item v[6] = {
		item(0, "e", 3, MIN(10)),
		item(1, "a", BT_NO_INT, MIN(1)),
		item(0, "b", 1, BT_NO_TIME),
		item(2, "c", 1, MIN(30)),
		item(1, "d", 1, MIN(20)),
		item(0, "f", 3, MIN(5)),
	};
	const char *want[6] = { "d", "c", "b", "f", "e", "a" };

	(void)state;
	plan_sort(v, 6);
	for (int i = 0; i < 6; i++)
		assert_string_equal(v[i].batch_id, want[i]);
}

/* Release like plan_tick does, then finish requests one at a time: the
 * cap holds on every shard at every step, and everything gets sent. */
static void test_cap(void **state)
{
	struct plan_item v[9];
	const int cap = 2;
	int sent = 0, steps = 0;
	long last[3] = { -1, -1, -1 };

	(void)state;
	for (int i = 0; i < 9; i++) {
		static char names[9][8];

		snprintf(names[i], sizeof names[i], "b%d", i);
		v[i] = item(i % 3, names[i], 1 + i % 2, MIN(i));
	}
	plan_sort(v, 9);
	while (sent < 9 && steps++ < 100) {
		for (int s = 0; s < 3; s++) {
			long k;

			while ((k = plan_next(v, 9, s, cap)) >= 0) {
				/* Within a shard, items go in plan order. */
				assert_true(k > last[s]);
				last[s] = k;
				v[k].state = PI_SENDING;
				sent++;
			}
			assert_true(plan_inflight(v, 9, s) <= cap);
		}
		/* The first in-flight item answers, runs, then is done. */
		for (int i = 0; i < 9; i++) {
			if (v[i].state == PI_SENDING) {
				v[i].state = PI_PENDING;
				v[i].request_id = 100 + i;
				plan_observe(&v[i], 100 + i, "running");
				assert_int_equal(v[i].state, PI_RUNNING);
				plan_observe(&v[i], 100 + i, "done");
				assert_int_equal(v[i].state, PI_DONE);
				break;
			}
		}
	}
	assert_int_equal(sent, 9);
	for (int s = 0; s < 3; s++) {
		assert_int_equal(plan_next(v, 9, s, cap), -1);	/* none waits */
		assert_true(plan_inflight(v, 9, s) <= cap);
	}
}

static void test_observe(void **state)
{
	struct plan_item it = item(0, "x", 1, MIN(1));

	(void)state;
	it.state = PI_PENDING;
	it.request_id = 7;
	plan_observe(&it, 5, "done");		/* an older request: not ours */
	assert_int_equal(it.state, PI_PENDING);
	plan_observe(&it, 0, "");		/* the poll has not seen it */
	assert_int_equal(it.state, PI_PENDING);
	plan_observe(&it, 7, "queued-somewhere");	/* unknown: still in flight */
	assert_int_equal(it.state, PI_PENDING);
	assert_true(plan_state_inflight(it.state));
	plan_observe(&it, 7, "failed");
	assert_int_equal(it.state, PI_FAILED);
	assert_true(plan_state_final(it.state));

	it.state = PI_RUNNING;
	plan_observe(&it, 9, "pending");	/* a newer one: ours ended */
	assert_int_equal(it.state, PI_DONE);

	/* Sending and unknown wait for their answer, not for the poll. */
	it.state = PI_UNKNOWN;
	plan_observe(&it, 7, "done");
	assert_int_equal(it.state, PI_UNKNOWN);
	assert_true(plan_state_inflight(PI_UNKNOWN));
	assert_false(plan_state_inflight(PI_WAITING));
	assert_false(plan_state_inflight(PI_CANCELLED));
}

static void test_makespan(void **state)
{
	struct plan_item v[4] = {
		item(0, "a", 1, 0), item(0, "b", 1, 0), item(0, "c", 1, 0),
		item(1, "d", 1, 0),
	};

	(void)state;
	v[0].median_ms = MIN(10);
	v[1].median_ms = MIN(10);
	v[2].median_ms = MIN(10);
	assert_int_equal(plan_makespan(v, 4, 0, 2, MIN(5)), MIN(20));
	assert_int_equal(plan_makespan(v, 4, 0, 1, MIN(5)), MIN(30));
	assert_int_equal(plan_makespan(v, 4, 0, 3, MIN(5)), MIN(10));
	/* Unknown median: the default. */
	assert_int_equal(plan_makespan(v, 4, 1, 2, MIN(5)), MIN(5));
	/* Finished items take no time. */
	v[0].state = PI_DONE;
	assert_int_equal(plan_makespan(v, 4, 0, 1, MIN(5)), MIN(20));
}

static void test_marks(void **state)
{
	(void)state;
	assert_int_equal(plan_mark_count(), 0);
	assert_true(plan_mark_toggle(0, "b1"));
	assert_true(plan_mark_toggle(1, "b1"));	/* another shard */
	assert_true(plan_is_marked(0, "b1"));
	assert_true(plan_is_marked(1, "b1"));
	assert_false(plan_is_marked(2, "b1"));
	assert_int_equal(plan_mark_count(), 2);
	assert_false(plan_mark_toggle(0, "b1"));
	assert_false(plan_is_marked(0, "b1"));
	assert_int_equal(plan_mark_count(), 1);
	plan_marks_clear();
	assert_int_equal(plan_mark_count(), 0);
	plan_shutdown();
}

/* --- a plan through the dialog ------------------------------------------- */

#define BIG 10000

static char tmpdir[64];

/* The screen under the dialog: the stack needs a bottom. */
static const struct screen bottom = { .name = "grid" };

struct fixture {
	struct config cfg;
	struct app app;
	char audit[128];
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One shard with n failed non-demo billers, marked; the plan's dialog up. */
static void big_plan(struct fixture *f, size_t n)
{
	int64_t now = fx_utc(2026, 11, 1, 20, 0);
	struct snapshot *s = fx_snapshot(0, "east", now, 0);
	char id[32];

	memset(f, 0, sizeof *f);
	snprintf(tmpdir, sizeof tmpdir, "/tmp/bt-plan-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(f->audit, sizeof f->audit, "%s/audit.log", tmpdir);
	config_defaults(&f->cfg);
	f->cfg.audit_log = xstrdup(f->audit);
	f->app.cfg = &f->cfg;
	f->app.now = now;
	f->app.npollers = 1;
	f->app.gens = xcalloc(1, sizeof *f->app.gens);
	for (size_t i = 0; i < n; i++) {
		snprintf(id, sizeof id, "b%zu", i);
		fx_add_biller(s, id, id, "UTC", 1 + (int)(i % 3));
		fx_add_batch_for(s, BS_FAILED, now);
	}
	fx_seal(s);
	view_init(&f->app.view, 1, &f->cfg);
	view_set_snapshot(&f->app.view, 0, s);
	snapshot_unref(s);
	f->app.stack[0] = (struct screen_slot){ .s = &bottom };
	f->app.depth = 1;
	rerun_init(&f->app);
	assert_int_equal(plan_mark_failed(&f->app), n);
	plan_dialog_open(&f->app);
	assert_int_equal(f->app.depth, 2);	/* the dialog is up */
}

static void type(struct fixture *f, const char *keys)
{
	for (; *keys; keys++) {
		const struct screen_slot *top = screen_top(&f->app);

		assert_ptr_equal(top->s, &screen_confirm);
		top->s->key(&f->app, top->st, ACT_NONE, *keys);
	}
}

static size_t count_lines(const char *path, const char *needle)
{
	FILE *fp = fopen(path, "r");
	char line[2048];
	size_t k = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof line, fp))
		if (strstr(line, needle))
			k++;
	fclose(fp);
	return k;
}

static void big_done(struct fixture *f)
{
	char cmd[128];

	actions_shutdown();
	rerun_shutdown();
	view_free(&f->app.view);
	free(f->app.gens);
	config_free(&f->cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
}

static void test_decline_one_fsync(void **state)
{
	struct fixture f;
	unsigned long before;
	double t0;

	(void)state;
	big_plan(&f, BIG);
	before = audit_fsync_count();
	t0 = now_ms();
	type(&f, "\x1b");	/* Esc */
	fprintf(stderr, "# declining a plan of %d batches took %.1f ms\n", BIG,
		now_ms() - t0);
	assert_int_equal(f.app.depth, 1);	/* the dialog closed */
	assert_int_equal(audit_fsync_count() - before, 1);
	assert_int_equal(count_lines(f.audit, "\"event\":\"cancel\""), BIG);
	assert_non_null(strstr(f.app.message, "nothing sent"));
	big_done(&f);
}

static void test_confirm_one_fsync(void **state)
{
	struct fixture f;
	unsigned long before;
	char count[16], *msg;
	double t0;

	(void)state;
	big_plan(&f, BIG);
	snprintf(count, sizeof count, "%d\n", BIG);
	before = audit_fsync_count();
	t0 = now_ms();
	type(&f, count);
	fprintf(stderr, "# confirming a plan of %d batches took %.1f ms\n", BIG,
		now_ms() - t0);
	assert_int_equal(f.app.depth, 1);
	/* The confirmation of every batch is on disk in one sync; the first
	 * send then finds no query worker here and pauses the plan before
	 * its own line is written. */
	assert_int_equal(audit_fsync_count() - before, 1);
	assert_int_equal(count_lines(f.audit, "\"event\":\"confirm\""), BIG);
	assert_int_equal(count_lines(f.audit, "\"event\":\"request\""), 0);

	/* Quitting now leaves all of them: one more sync records them. */
	assert_int_equal(plan_waiting(), BIG);
	before = audit_fsync_count();
	msg = actions_abandon(&f.app, "quit");
	assert_int_equal(audit_fsync_count() - before, 1);
	assert_int_equal(plan_waiting(), 0);
	assert_int_equal(count_lines(f.audit, "\"outcome\":\"abandoned\""), BIG);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "quit with 10000 batches of a plan not sent "
			       "yet:\n  east "));
	assert_non_null(strstr(msg, "  ... and 9980 more batches\n"));
	assert_non_null(strstr(msg, f.audit));
	free(msg);
	assert_null(actions_abandon(&f.app, "quit"));	/* nothing left */
	big_done(&f);
}

/* --- R while a plan runs ---------------------------------------------------- */

static struct sq_job *sent_jobs[64];
static size_t nsent;

/* Requests queued (the medians' reads go the same way). */
static size_t requests(void)
{
	size_t k = 0;

	for (size_t i = 0; i < nsent; i++)
		k += sent_jobs[i]->kind == JOB_RERUN;
	return k;
}

static unsigned fake_submit(struct app *app, int shard, struct sq_job *job)
{
	(void)app;
	assert_true(nsent < 64);
	job->id = (unsigned)nsent + 1;
	job->shard = shard;
	sent_jobs[nsent++] = job;
	return job->id;
}

/* The shard's latest snapshot: n failed billers b0..b(n-1). */
static void poll_failed(struct fixture *f, size_t n)
{
	struct snapshot *s = fx_snapshot(0, "east", f->app.now, 0);
	char id[32];

	for (size_t i = 0; i < n; i++) {
		snprintf(id, sizeof id, "b%zu", i);
		fx_add_biller(s, id, id, "UTC", 1);
		fx_add_batch_for(s, BS_FAILED, f->app.now);
	}
	fx_seal(s);
	view_set_snapshot(&f->app.view, 0, s);
	snapshot_unref(s);
	f->app.gens[0]++;
}

static void test_join_running_plan(void **state)
{
	struct fixture f;
	struct plan_summary p;
	unsigned long before;
	size_t waiting;

	(void)state;
	nsent = 0;
	rerun_set_submit(fake_submit);
	big_plan(&f, 3);
	before = audit_fsync_count();
	type(&f, "3\n");
	assert_int_equal(f.app.depth, 1);
	/* The cap (2) went out at once: one sync for the confirmation, one
	 * for both request lines; one waits. */
	assert_int_equal(requests(), 2);
	assert_int_equal(audit_fsync_count() - before, 2);
	assert_int_equal(count_lines(f.audit, "\"event\":\"request\""), 2);
	assert_int_equal(plan_waiting(), 1);
	waiting = plan_waiting();

	/* Two more failures come; R proposes them as an addition (no
	 * refusal), asking for their count, leaving the three alone. */
	poll_failed(&f, 5);
	plan_dialog_open(&f.app);
	assert_int_equal(f.app.depth, 2);
	assert_true(plan_proposal(&p));
	assert_true(p.joining);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.running, 3);
	assert_string_equal(p.items[0].biller_id, "b3");
	/* Nothing of it goes before it is confirmed. */
	plan_tick(&f.app);
	assert_int_equal(plan_waiting(), waiting);

	/* A wrong count adds nothing and keeps the plan running. */
	type(&f, "1\n");
	assert_int_equal(f.app.depth, 1);
	assert_non_null(strstr(f.app.message, "nothing added to the running plan"));
	assert_int_equal(plan_waiting(), waiting);
	assert_int_equal(count_lines(f.audit, "\"event\":\"cancel\""), 2);
	assert_false(plan_proposal(&p));

	/* The right count: its own confirm lines, one sync, then it waits
	 * behind the plan's own batch. */
	plan_dialog_open(&f.app);
	assert_int_equal(f.app.depth, 2);
	before = audit_fsync_count();
	type(&f, "2\n");
	assert_int_equal(f.app.depth, 1);
	assert_int_equal(audit_fsync_count() - before, 1);
	assert_int_equal(count_lines(f.audit, "\"event\":\"confirm\""), 5);
	assert_int_equal(plan_waiting(), waiting + 2);
	assert_non_null(strstr(f.app.message, "2 batches added"));
	assert_int_equal(requests(), 2);	/* the cap is still full */

	/* Nothing new: R says so. */
	plan_dialog_open(&f.app);
	assert_int_equal(f.app.depth, 1);
	assert_non_null(strstr(f.app.message, "nothing to add"));

	for (size_t i = 0; i < nsent; i++)
		sq_job_free(sent_jobs[i]);
	rerun_set_submit(NULL);
	big_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_observe),
		cmocka_unit_test(test_makespan),
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_decline_one_fsync),
		cmocka_unit_test(test_confirm_one_fsync),
		cmocka_unit_test(test_join_running_plan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
