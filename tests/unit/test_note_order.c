/*
 * test_note_order.c - notes and acknowledgements through the one note
 * write path (src/write/note_order.c), driven for real: the audit trail is
 * a real file in a temporary directory, and only the hand-off to the
 * shard's query worker is replaced (note_order_set_submit).  It checks
 *   - a note still without an answer when batchtop quits is recorded as
 *     abandoned ("unanswered": it may or may not have been written), once,
 *     and is named in the words for stderr and the quit question;
 *   - a note that was answered is not;
 *   - once the notes are forgotten at exit, a late answer is dropped
 *     without touching them.
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
#include "write/note_order.h"
#include "write/rerun.h"
#include "data/shard_query.h"
#include "core/view.h"
#include "core/xalloc.h"

static char dir[64], path[128];

/* What the fake worker was handed. */
static struct {
	struct sq_job *jobs[8];
	size_t n;
	unsigned next_id;
} Q;

static unsigned fake_submit(struct app *app, int shard, struct sq_job *job)
{
	(void)app;
	assert_true(Q.n < 8);
	job->id = ++Q.next_id;
	job->shard = shard;
	Q.jobs[Q.n++] = job;
	return job->id;
}

/* Audit lines holding every one of the (up to three) needles. */
static size_t count_lines(const char *a, const char *b, const char *c)
{
	FILE *fp = fopen(path, "r");
	char line[4096];
	size_t k = 0;

	if (!fp)
		return 0;
	while (fgets(line, sizeof line, fp))
		if (strstr(line, a) && (!b || strstr(line, b)) &&
		    (!c || strstr(line, c)))
			k++;
	fclose(fp);
	return k;
}

static void say(struct app *app, enum report_level level, const char *text)
{
	(void)app;
	(void)level;
	(void)text;
}

static const struct action_report report = { .message = say };

struct fixture {
	struct config cfg;
	struct app app;
};

static void start(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	memset(&Q, 0, sizeof Q);
	snprintf(dir, sizeof dir, "/tmp/bt-note-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/audit.log", dir);
	config_defaults(&f->cfg);
	f->cfg.audit_log = xstrdup(path);
	f->app.cfg = &f->cfg;
	f->app.npollers = 1;
	rerun_init(&f->app);
	note_order_set_submit(fake_submit);
}

static void done(struct fixture *f)
{
	char cmd[128];

	note_order_set_submit(NULL);
	actions_shutdown();
	rerun_shutdown();
	view_free(&f->app.view);
	config_free(&f->cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Acknowledge two failed batches of one biller: two jobs queued. */
static void send_two(struct fixture *f)
{
	const struct note_target t[] = {
		{ .shard = 0, .biller_id = "b-1", .batch_id = "batch-a" },
		{ .shard = 0, .biller_id = "b-1", .batch_id = "batch-b" },
	};
	char why[300];

	assert_int_equal(note_order_send(&f->app, "grid", "acknowledged",
					 "on it", t, 2, &report, why, sizeof why),
			 2);
	assert_int_equal(Q.n, 2);
	assert_int_equal(count_lines("\"event\":\"note\"", NULL, NULL), 2);
}

/* The shard refused the first (an error answer needs no PGresult). */
static void answer_first(struct fixture *f)
{
	struct sq_job *job = Q.jobs[0];

	job->status = SQ_ERROR;
	snprintf(job->sqlstate, sizeof job->sqlstate, "42501");
	snprintf(job->error, sizeof job->error, "permission denied");
	Q.jobs[0] = NULL;
	note_order_on_job(&f->app, job);
	assert_int_equal(count_lines("\"event\":\"outcome\"", NULL, NULL), 1);
}

static void test_unanswered_note_abandoned_at_quit(void **state)
{
	struct fixture f;
	char words[200];
	char *msg;

	(void)state;
	start(&f);
	send_two(&f);
	answer_first(&f);
	assert_int_equal(note_order_unanswered(), 1);
	assert_true(actions_undone_words(words, sizeof words));
	assert_non_null(strstr(words, "1 note without an answer"));

	msg = actions_abandon(&f.app, "quit");
	assert_non_null(msg);
	assert_non_null(strstr(msg, "1 note without an answer"));
	assert_non_null(strstr(msg, "batch-b: acknowledged sent, no answer"));
	assert_null(strstr(msg, "batch-a"));
	assert_non_null(strstr(msg, "recorded as abandoned in the audit log"));
	free(msg);
	/* One line, for the one without an answer, saying it may have been
	 * written. */
	assert_int_equal(count_lines("\"event\":\"abandon\"", NULL, NULL), 1);
	assert_int_equal(count_lines("\"event\":\"abandon\"",
				     "\"outcome\":\"unanswered\"",
				     "\"target\":\"batch-b\""), 1);
	assert_int_equal(count_lines("\"event\":\"abandon\"",
				     "\"kind\":\"acknowledged\"",
				     "may or may not have been recorded"), 1);

	/* The worker's copy goes with the worker; the note goes at exit. */
	sq_job_free(Q.jobs[1]);
	done(&f);
	assert_int_equal(note_order_unanswered(), 0);
}

static void test_all_answered_nothing_abandoned(void **state)
{
	struct fixture f;
	struct sq_job *job;

	(void)state;
	start(&f);
	send_two(&f);
	answer_first(&f);
	job = Q.jobs[1];
	Q.jobs[1] = NULL;
	job->status = SQ_UNKNOWN;
	snprintf(job->error, sizeof job->error, "connection lost");
	note_order_on_job(&f.app, job);
	assert_int_equal(note_order_unanswered(), 0);
	assert_null(actions_abandon(&f.app, "quit"));
	assert_int_equal(count_lines("\"event\":\"abandon\"", NULL, NULL), 0);
	done(&f);
}

static void test_late_answer_after_shutdown(void **state)
{
	struct fixture f;
	struct sq_job *job;

	(void)state;
	start(&f);
	send_two(&f);
	actions_shutdown();
	assert_int_equal(note_order_unanswered(), 0);
	/* Handed back after the notes were forgotten: dropped, not audited. */
	job = Q.jobs[0];
	job->status = SQ_ERROR;
	note_order_on_job(&f.app, job);
	assert_int_equal(count_lines("\"event\":\"outcome\"", NULL, NULL), 0);
	sq_job_free(Q.jobs[1]);
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unanswered_note_abandoned_at_quit),
		cmocka_unit_test(test_all_answered_nothing_abandoned),
		cmocka_unit_test(test_late_answer_after_shutdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
