/*
 * test_breaker.c - the circuit breaker of a staged plan: the pure state
 * machine (core/breaker.h: failures in a row, the failure rate over a
 * window, the pause, the one trial and what it decides) and the plan's
 * per-shard breakers (write/plan_breaker.h: each outcome counted once,
 * an unknown outcome never a success, a refusal neither, one audit line
 * per change).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <cmocka.h>

#include "app/app.h"
#include "core/breaker.h"
#include "core/config.h"
#include "core/plan_order.h"
#include "core/xalloc.h"
#include "write/plan_breaker.h"
#include "write/rerun.h"

static const struct breaker_rules rules = {
	.consecutive = 5, .rate_pct = 10, .window = 20, .pause_ms = 120000,
};

static enum breaker_event failure(struct breaker *b, int64_t now)
{
	return breaker_record(b, &rules, true, false, now);
}

static enum breaker_event success(struct breaker *b, int64_t now)
{
	return breaker_record(b, &rules, false, false, now);
}

/* Rate off, so only the run counts. */
static const struct breaker_rules run_only = {
	.consecutive = 5, .rate_pct = 0, .window = 20, .pause_ms = 120000,
};

static void test_consecutive(void **state)
{
	struct breaker b;
	char w[200];

	(void)state;
	breaker_init(&b);
	for (int i = 0; i < 4; i++)
		assert_int_equal(breaker_record(&b, &run_only, true, false, i),
				 BREAKER_NO_CHANGE);
	/* A success ends the run. */
	assert_int_equal(breaker_record(&b, &run_only, false, false, 4),
			 BREAKER_NO_CHANGE);
	for (int i = 0; i < 4; i++)
		assert_int_equal(breaker_record(&b, &run_only, true, false, 5 + i),
				 BREAKER_NO_CHANGE);
	assert_true(breaker_may_send(&b));
	assert_int_equal(breaker_record(&b, &run_only, true, false, 1000),
			 BREAKER_OPENED);
	assert_int_equal(b.state, BREAKER_OPEN);
	assert_false(breaker_may_send(&b));
	assert_int_equal(b.retry_at, 1000 + 120000);
	breaker_words(&b, "east", 1000, w, sizeof w);
	assert_string_equal(w, "east: breaker open after 5 failures in a row, "
			    "retry in 2m");
	breaker_words(&b, "east", 1000 + 30500, w, sizeof w);
	assert_string_equal(w, "east: breaker open after 5 failures in a row, "
			    "retry in 1m 30s");
	/* A late answer of a request sent before it opened changes nothing. */
	assert_int_equal(breaker_record(&b, &run_only, false, false, 2000),
			 BREAKER_NO_CHANGE);
	assert_int_equal(b.state, BREAKER_OPEN);
}

static void test_rate_window(void **state)
{
	struct breaker b;
	char w[200];

	(void)state;
	breaker_init(&b);
	/* Two failures early: the window is not full, the rate waits. */
	assert_int_equal(failure(&b, 0), BREAKER_NO_CHANGE);
	assert_int_equal(failure(&b, 1), BREAKER_NO_CHANGE);
	for (int i = 0; i < 17; i++)
		assert_int_equal(success(&b, 2 + i), BREAKER_NO_CHANGE);
	assert_int_equal(b.seen, 19);
	/* The 20th outcome fills it: 2 of 20 is 10%, but it is a success,
	 * which never opens a breaker. */
	assert_int_equal(success(&b, 19), BREAKER_NO_CHANGE);
	assert_int_equal(b.failed, 2);
	/* The next success pushes the first failure out: 1 of 20. */
	assert_int_equal(success(&b, 20), BREAKER_NO_CHANGE);
	assert_int_equal(b.failed, 1);
	assert_int_equal(b.seen, 20);
	/* A failure in, the second early one out: still 1 of 20. */
	assert_int_equal(failure(&b, 21), BREAKER_NO_CHANGE);
	assert_int_equal(b.failed, 1);
	/* One more: 2 of the last 20 = 10%: open (2 in a row is no run). */
	assert_int_equal(failure(&b, 22), BREAKER_OPENED);
	assert_int_equal(b.cause, BREAKER_BY_RATE);
	breaker_words(&b, "west", 22, w, sizeof w);
	assert_string_equal(w, "west: breaker open after 2 of the last 20 "
			    "failed, retry in 2m");
}

static void test_rate_slides(void **state)
{
	struct breaker b;
	const struct breaker_rules r = {
		.consecutive = 0, .rate_pct = 50, .window = 4, .pause_ms = 1000,
	};

	(void)state;
	breaker_init(&b);
	/* f s s s: 1 of 4; then s: the failure slides out, 0 of 4. */
	assert_int_equal(breaker_record(&b, &r, true, false, 0), BREAKER_NO_CHANGE);
	for (int i = 0; i < 4; i++)
		assert_int_equal(breaker_record(&b, &r, false, false, 0),
				 BREAKER_NO_CHANGE);
	assert_int_equal(b.failed, 0);
	assert_int_equal(breaker_record(&b, &r, true, false, 0), BREAKER_NO_CHANGE);
	/* s s f f: 2 of 4 = 50%. */
	assert_int_equal(breaker_record(&b, &r, true, false, 0), BREAKER_OPENED);
	/* consecutive 0: no run rule at all. */
	breaker_init(&b);
	for (int i = 0; i < 3; i++)
		assert_int_equal(breaker_record(&b, &(struct breaker_rules){
			.consecutive = 0, .rate_pct = 0, .window = 4,
			.pause_ms = 1 }, true, false, 0), BREAKER_NO_CHANGE);
}

static void open_it(struct breaker *b, int64_t now)
{
	breaker_init(b);
	for (int i = 0; i < 5; i++)
		failure(b, now);
	assert_int_equal(b->state, BREAKER_OPEN);
}

static void test_half_open_success(void **state)
{
	struct breaker b;
	char w[200];

	(void)state;
	open_it(&b, 0);
	/* Not before the pause is over. */
	assert_int_equal(breaker_poll(&b, 119999), BREAKER_NO_CHANGE);
	assert_false(breaker_may_send(&b));
	assert_int_equal(breaker_poll(&b, 120000), BREAKER_HALF_OPENED);
	assert_int_equal(breaker_poll(&b, 120001), BREAKER_NO_CHANGE);
	/* Exactly one request. */
	assert_true(breaker_may_send(&b));
	assert_true(breaker_sent(&b));
	assert_false(breaker_may_send(&b));
	assert_false(breaker_sent(&b));
	breaker_words(&b, "east", 120001, w, sizeof w);
	assert_string_equal(w, "east: breaker half-open, one trial request out");
	/* An old request's success is not the trial's. */
	assert_int_equal(breaker_record(&b, &rules, false, false, 121000),
			 BREAKER_NO_CHANGE);
	assert_int_equal(b.state, BREAKER_HALF_OPEN);
	assert_int_equal(breaker_record(&b, &rules, false, true, 122000),
			 BREAKER_RECLOSED);
	assert_int_equal(b.state, BREAKER_CLOSED);
	assert_true(breaker_may_send(&b));
	breaker_words(&b, "east", 122000, w, sizeof w);
	assert_string_equal(w, "");
	/* A fresh start: four failures do not open it again. */
	assert_int_equal(b.run, 0);
	assert_int_equal(b.seen, 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(failure(&b, 123000), BREAKER_NO_CHANGE);
	assert_int_equal(failure(&b, 123000), BREAKER_OPENED);
	assert_int_equal(b.trips, 2);
}

static void test_half_open_failure(void **state)
{
	struct breaker b;
	char w[200];

	(void)state;
	open_it(&b, 0);
	assert_int_equal(breaker_poll(&b, 120000), BREAKER_HALF_OPENED);
	assert_true(breaker_sent(&b));
	assert_int_equal(breaker_record(&b, &rules, true, true, 125000),
			 BREAKER_OPENED);
	assert_int_equal(b.state, BREAKER_OPEN);
	assert_int_equal(b.cause, BREAKER_BY_TRIAL);
	assert_int_equal(b.retry_at, 125000 + 120000);
	assert_false(breaker_may_send(&b));
	breaker_words(&b, "east", 125000, w, sizeof w);
	assert_string_equal(w, "east: breaker open again: the trial request "
			    "failed, retry in 2m");
	/* And the next pause gives the next trial. */
	assert_int_equal(breaker_poll(&b, 245000), BREAKER_HALF_OPENED);
	assert_true(breaker_may_send(&b));
}

static void test_trial_void(void **state)
{
	struct breaker b;

	(void)state;
	open_it(&b, 0);
	breaker_poll(&b, 120000);
	assert_true(breaker_sent(&b));
	/* Refused: no outcome; the next request is the trial. */
	breaker_trial_void(&b);
	assert_int_equal(b.state, BREAKER_HALF_OPEN);
	assert_true(breaker_may_send(&b));
	assert_true(breaker_sent(&b));
}

static void test_wait_words(void **state)
{
	char w[32];

	(void)state;
	breaker_wait_words(0, w, sizeof w);
	assert_string_equal(w, "0s");
	breaker_wait_words(1, w, sizeof w);
	assert_string_equal(w, "1s");
	breaker_wait_words(59000, w, sizeof w);
	assert_string_equal(w, "59s");
	breaker_wait_words(60000, w, sizeof w);
	assert_string_equal(w, "1m");
	breaker_wait_words(61000, w, sizeof w);
	assert_string_equal(w, "1m 01s");
	breaker_wait_words(3600000 + 5 * 60000, w, sizeof w);
	assert_string_equal(w, "1h 05m");
	breaker_wait_words(-5, w, sizeof w);
	assert_string_equal(w, "0s");
}

/* --- the plan's breakers, with a real audit trail ----------------------- */

static char audit_dir[] = "/tmp/bt-breaker-XXXXXX";
static char audit_file[300];

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = xcalloc(1, 65536);

	if (f) {
		size_t n = fread(buf, 1, 65535, f);

		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

static int count_of(const char *hay, const char *needle)
{
	int k = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		k++;
	return k;
}

static char last_said[300];

static void say(struct app *app, enum report_level level, const char *text)
{
	(void)app;
	(void)level;
	snprintf(last_said, sizeof last_said, "%s", text);
}

static const struct action_report report = { say };

#define N_ITEMS 14

static void test_plan_breaker(void **state)
{
	static char name0[] = "s0", name1[] = "s1";
	struct config cfg;
	struct app app;
	struct plan_item items[N_ITEMS];
	struct plan_breaker *pb;
	char w[400], *log;

	(void)state;
	config_defaults(&cfg);
	cfg.breaker_pause = 60;
	cfg.audit_log = audit_file;
	memset(&app, 0, sizeof app);
	app.cfg = &cfg;
	app.mono = 1000;
	rerun_init(&app);	/* finds the audit trail in cfg */
	unlink(audit_file);
	memset(items, 0, sizeof items);
	for (int i = 0; i < N_ITEMS; i++) {
		/* Even on shard 0, odd on 1; 12 and 13 are never sent. */
		items[i].shard = i < 12 ? i % 2 : 0;
		items[i].shard_name = items[i].shard ? name1 : name0;
		items[i].state = PI_WAITING;
	}
	pb = plan_breaker_new(&app, 2);
	/* Send six on each shard. */
	for (size_t i = 0; i < 12; i++) {
		assert_true(plan_breaker_may_send(pb, items[i].shard));
		plan_breaker_sent(pb, i, &items[i]);
		items[i].state = PI_PENDING;
	}
	/* Shard 0: failed, failed, unknown, refused (neither), failed;
	 * shard 1: all done. */
	items[0].state = PI_FAILED;
	items[2].state = PI_FAILED;
	items[4].state = PI_UNKNOWN;
	items[6].state = PI_SKIPPED;
	items[8].state = PI_FAILED;
	for (int i = 1; i < 12; i += 2)
		items[i].state = PI_DONE;
	plan_breaker_tick(pb, &app, items, N_ITEMS, &report);
	assert_true(plan_breaker_may_send(pb, 0));	/* 4 failures so far */
	/* Looked at again, nothing counts twice; the unknown that came back
	 * done is still no success. */
	items[4].state = PI_DONE;
	plan_breaker_tick(pb, &app, items, N_ITEMS, &report);
	assert_true(plan_breaker_may_send(pb, 0));
	assert_false(plan_breaker_words(pb, w, sizeof w));
	items[10].state = PI_FAILED;	/* the fifth */
	plan_breaker_tick(pb, &app, items, N_ITEMS, &report);
	assert_false(plan_breaker_may_send(pb, 0));
	assert_true(plan_breaker_may_send(pb, 1));
	assert_string_equal(last_said, "s0: breaker open after 5 failures in a "
			    "row, retry in 1m");
	assert_true(plan_breaker_words(pb, w, sizeof w));
	assert_string_equal(w, "s0: breaker open after 5 failures in a row, "
			    "retry in 1m");
	app.mono += 15000;
	plan_breaker_tick(pb, &app, items, N_ITEMS, &report);
	assert_true(plan_breaker_words(pb, w, sizeof w));
	assert_string_equal(w, "s0: breaker open after 5 failures in a row, "
			    "retry in 45s");
	log = slurp(audit_file);
	assert_int_equal(count_of(log, "\"event\":\"breaker\""), 1);
	assert_int_equal(count_of(log, "\"outcome\":\"open\""), 1);
	free(log);
	/* The pause is over: half-open, one trial. */
	app.mono += 45000;
	plan_breaker_tick(pb, &app, items, N_ITEMS, &report);
	assert_true(plan_breaker_may_send(pb, 0));
	plan_breaker_sent(pb, 12, &items[12]);
	items[12].state = PI_SENDING;
	assert_false(plan_breaker_may_send(pb, 0));
	/* The send could not go: it is back to waiting, the trial is free. */
	items[12].state = PI_WAITING;
	plan_breaker_tick(pb, &app, items, N_ITEMS, &report);
	assert_true(plan_breaker_may_send(pb, 0));
	plan_breaker_sent(pb, 12, &items[12]);
	items[12].state = PI_DONE;
	plan_breaker_tick(pb, &app, items, N_ITEMS, &report);
	assert_true(plan_breaker_may_send(pb, 0));
	assert_false(plan_breaker_words(pb, w, sizeof w));
	log = slurp(audit_file);
	assert_int_equal(count_of(log, "\"event\":\"breaker\""), 3);
	assert_int_equal(count_of(log, "\"outcome\":\"half-open\""), 1);
	assert_int_equal(count_of(log, "\"outcome\":\"closed\""), 1);
	free(log);
	/* Open again with nothing left waiting there: no trial, no words. */
	for (int k = 0; k < 5; k++) {
		items[k * 2].state = PI_PENDING;
		plan_breaker_sent(pb, (size_t)k * 2, &items[k * 2]);
		items[k * 2].state = PI_FAILED;
	}
	items[13].state = PI_CANCELLED;
	plan_breaker_tick(pb, &app, items, N_ITEMS, &report);
	assert_false(plan_breaker_may_send(pb, 0));
	assert_false(plan_breaker_words(pb, w, sizeof w));
	app.mono += 600000;
	plan_breaker_tick(pb, &app, items, N_ITEMS, &report);
	log = slurp(audit_file);
	assert_int_equal(count_of(log, "\"event\":\"breaker\""), 4);
	assert_int_equal(count_of(log, "\"outcome\":\"half-open\""), 1);
	free(log);
	plan_breaker_free(pb);
	rerun_shutdown();
	cfg.audit_log = NULL;
	config_free(&cfg);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(audit_dir))
		return -1;
	snprintf(audit_file, sizeof audit_file, "%s/audit.log", audit_dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(audit_file);
	rmdir(audit_dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_consecutive),
		cmocka_unit_test(test_rate_window),
		cmocka_unit_test(test_rate_slides),
		cmocka_unit_test(test_half_open_success),
		cmocka_unit_test(test_half_open_failure),
		cmocka_unit_test(test_trial_void),
		cmocka_unit_test(test_wait_words),
		cmocka_unit_test(test_plan_breaker),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
