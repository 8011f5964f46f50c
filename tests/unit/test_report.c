/*
 * test_report.c - the handoff report's pure parts: escaping for Markdown
 * and HTML, cutting long text, the audit trail's times, the night's wave,
 * payment files and missed closes, the writers on a hostile night (the
 * Markdown keeps its table columns, the SVG has one mark per thing, the
 * JSON gives the ids back exactly), and the collector giving up a shard
 * whose query failed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "core/night.h"
#include "core/xalloc.h"
#include "query/query_job.h"
#include "report/report.h"
#include "report/report_audit.h"
#include "report/report_svg.h"
#include "report/report_text.h"
#include "report/report_writers.h"

#define MIN 60000LL
#define T0 1764626400000LL	/* 2025-12-01T22:00:00Z */

/* What fn printed into a memory stream (the caller frees). */
#define CAPTURE(buf, stmt) do { \
	size_t len_; \
	FILE *fp_ = open_memstream(&(buf), &len_); \
	assert_non_null(fp_); \
	{ FILE *out = fp_; stmt; } \
	fclose(fp_); \
} while (0)

static void test_md_escape(void **state)
{
	char *s = NULL;

	(void)state;
	CAPTURE(s, report_put_md(out, "# a|b `c` <script>&x *y* [l](u) \\"));
	assert_string_equal(s, "\\# a\\|b \\`c\\` &lt;script&gt;&amp;x \\*y\\* "
			    "\\[l\\]\\(u\\) \\\\");
	free(s);
}

static void test_html_escape(void **state)
{
	char *s = NULL;

	(void)state;
	CAPTURE(s, report_put_html(out, "<a href=\"x\" title='y'>&</a>"));
	assert_string_equal(s, "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;"
			    "&amp;&lt;/a&gt;");
	free(s);
	/* Raw text is sanitized first: no control byte survives. */
	CAPTURE(s, report_html_text(out, "a\x1b[31mb\x07"));
	assert_null(strchr(s, 0x1b));
	assert_null(strchr(s, 0x07));
	free(s);
	/* An id is spelled out, so look-alikes stay apart. */
	CAPTURE(s, report_html_ident(out, "b\xe2\x80\x8b" "1"));
	assert_string_equal(s, "b&lt;U+200B&gt;1");
	free(s);
}

static void test_cut(void **state)
{
	char *t;

	(void)state;
	t = report_text("abcdef", 10);
	assert_string_equal(t, "abcdef");
	free(t);
	t = report_text("abcdefghij", 6);
	assert_string_equal(t, "abc...");
	free(t);
	/* Never in the middle of a character: "é" is two bytes. */
	t = report_text("a\xc3\xa9\xc3\xa9\xc3\xa9", 5);
	assert_string_equal(t, "a...");
	free(t);
	t = report_text(NULL, 6);
	assert_string_equal(t, "");
	free(t);
}

static void test_audit_time(void **state)
{
	(void)state;
	assert_int_equal(report_audit_time("2025-12-01T22:00:00.000Z"), T0);
	assert_int_equal(report_audit_time("2025-12-01T22:00:00.5Z"), T0 + 500);
	assert_int_equal(report_audit_time("2025-12-01T22:00:00Z"), T0);
	assert_true(report_audit_time("2025-12-01 22:00:00") == NIGHT_NO_TIME);
	assert_true(report_audit_time("2025-13-01T22:00:00Z") == NIGHT_NO_TIME);
	assert_true(report_audit_time(NULL) == NIGHT_NO_TIME);
}

static void add_close(struct night *n, int shard, const char *id,
		      const char *biller, const char *name, const char *status,
		      int64_t start, int64_t end, bool missed)
{
	struct night_close *c = night_add_close(n);

	c->shard = shard;
	c->batch_id = xstrdup(id);
	c->biller_id = xstrdup(biller);
	c->name = xstrdup(name);
	c->payment_type = xstrdup("card");
	c->module = xstrdup("autopay");
	c->status = xstrdup(status);
	c->scheduled = c->started = start;
	c->deadline = start + 45 * MIN;
	c->finished = end;
	c->missed = missed;
	if (!strcmp(status, "failed")) {
		c->error_class = xstrdup("db_timeout");
		c->error_message = xstrdup("| `x` <b>#</b>\x1b[2J");
	}
}

/* East: a close, a failed one with hostile text, a late one; west: one
 * still running.  A rerun on east, the report at T0 + 90 min. */
static void hostile_night(struct night *n)
{
	static const char *const names[] = { "east", "we|st" };
	struct night_rerun *r;

	night_init(n, names, 2);
	n->shards[0].read = n->shards[1].read = true;
	snprintf(n->day, sizeof n->day, "2025-12-01");
	n->generated = T0 + 90 * MIN;
	add_close(n, 0, "e-1", "e", "Fine", "closed", T0, T0 + 20 * MIN, false);
	add_close(n, 0, "x-1", "x\xe2\x80\x8b", "<script>alert(1)</script>|",
		  "failed", T0 + 5 * MIN, T0 + 30 * MIN, false);
	add_close(n, 0, "l-1", "l", "Late", "closed", T0 + 10 * MIN,
		  T0 + 70 * MIN, true);
	add_close(n, 1, "w-1", "w", "West", "running", T0 + 60 * MIN,
		  NIGHT_NO_TIME, false);
	r = night_add_rerun(n);
	r->shard = 0;
	r->request_id = 7;
	r->kind = xstrdup("batch_close");
	r->target_id = xstrdup("x-1");
	r->requested_by = xstrdup("alice|<i>");
	r->status = xstrdup("pending");
	r->requested = T0 + 35 * MIN;
	night_sort(n);
}

static void test_wave_and_files(void **state)
{
	struct night n;
	int64_t from, to, files[8];
	size_t k;

	(void)state;
	hostile_night(&n);
	assert_int_equal(night_wave_start(&n), T0);
	assert_true(night_wave_end(&n) == NIGHT_NO_TIME);	/* w-1 runs */
	night_span(&n, &from, &to);
	assert_int_equal(from, T0);
	assert_int_equal(to, T0 + 90 * MIN);
	/* 22:00 to 23:30: the 22:45 file only. */
	k = night_payment_files(&n, from, to, files, 8);
	assert_int_equal(k, 1);
	assert_int_equal(files[0], T0 + 45 * MIN);
	/* Exactly at a file counts; a 60 s period has one a minute. */
	k = night_payment_files(&n, T0 + 45 * MIN, T0 + 45 * MIN, files, 8);
	assert_int_equal(k, 1);
	n.payment_file_period = 60;
	k = night_payment_files(&n, T0, T0 + 5 * MIN, files, 8);
	assert_int_equal(k, 5);
	assert_int_equal(files[0], T0 + 45000);
	assert_int_equal(night_failures(&n), 1);
	assert_int_equal(night_unreadable(&n), 0);
	assert_true(night_rerun_open(&n.reruns[0]));
	night_free(&n);
}

static void test_missed(void **state)
{
	struct night n;
	struct missed_report r;

	(void)state;
	hostile_night(&n);
	night_missed(&n, &r);
	assert_int_equal(r.closes, 4);
	assert_int_equal(r.missed, 1);
	assert_int_equal(r.ngroups, 1);
	assert_string_equal(r.groups[0].biller_id, "l");
	missed_report_free(&r);
	night_free(&n);
}

/* The number of | in line that no backslash escapes. */
static int pipes(const char *line, size_t len)
{
	int k = 0;

	for (size_t i = 0; i < len; i++)
		if (line[i] == '|' && (i == 0 || line[i - 1] != '\\'))
			k++;
	return k;
}

static void test_md_tables(void **state)
{
	struct night n;
	char *s = NULL;
	int cols = -1;

	(void)state;
	hostile_night(&n);
	CAPTURE(s, assert_int_equal(report_write_md(&n, out), 0));
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "<b>"));
	assert_null(strchr(s, 0x1b));
	assert_non_null(strstr(s, "x&lt;U+200B&gt;"));
	assert_non_null(strstr(s, "we\\|st"));
	/* Each table's rows have its header's cells. */
	for (char *l = s, *e; *l; l = *e ? e + 1 : e) {
		e = strchr(l, '\n');
		if (!e)
			e = l + strlen(l);
		if (*l != '|') {
			cols = -1;
			continue;
		}
		if (cols < 0)
			cols = pipes(l, (size_t)(e - l));
		assert_int_equal(pipes(l, (size_t)(e - l)), cols);
	}
	free(s);
	night_free(&n);
}

static size_t count(const char *s, const char *what)
{
	size_t k = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		k++;
	return k;
}

static void test_svg_marks(void **state)
{
	struct night n;
	char *s = NULL;

	(void)state;
	hostile_night(&n);
	CAPTURE(s, report_svg(&n, out));
	assert_int_equal(count(s, "<rect class=\"close "), 4);
	assert_int_equal(count(s, "<circle class=\"failure\""), 1);
	assert_int_equal(count(s, "<polygon class=\"rerun\""), 1);
	assert_int_equal(count(s, "<line class=\"file\""), 1);
	assert_int_equal(count(s, "<script"), 0);
	assert_non_null(strstr(s, "&lt;script&gt;"));
	free(s);
	night_free(&n);
}

static void test_json_exact(void **state)
{
	struct night n;
	char *s = NULL;
	cJSON *root, *closes, *c;

	(void)state;
	hostile_night(&n);
	CAPTURE(s, assert_int_equal(report_write_json(&n, out), 0));
	root = cJSON_Parse(s);
	assert_non_null(root);
	assert_int_equal(cJSON_GetObjectItem(root, "batchtop_report")->valueint,
			 REPORT_JSON_VERSION);
	closes = cJSON_GetObjectItem(root, "closes");
	assert_int_equal(cJSON_GetArraySize(closes), 4);
	c = cJSON_GetArrayItem(closes, 1);	/* x-1, by schedule */
	assert_string_equal(cJSON_GetObjectItem(c, "biller_id")->valuestring,
			    "x\xe2\x80\x8b");
	assert_string_equal(cJSON_GetObjectItem(c, "name")->valuestring,
			    "<script>alert(1)</script>|");
	assert_null(strchr(cJSON_GetObjectItem(c, "error_message")->valuestring,
			   0x1b));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(
		cJSON_GetObjectItem(root, "wave"), "ended_at")));
	cJSON_Delete(root);
	free(s);
	night_free(&n);
}

static void test_collect_failed_shard(void **state)
{
	struct config cfg;
	char east[] = "east", west[] = "west";
	char trail[] = "/nonexistent/batchtop-test/audit.log";
	struct shard_conf sh[2] = { { .name = east }, { .name = west } };
	struct report_collect *rc;
	struct sq_job *jobs[QREPORT_MAX_JOBS], *more[QREPORT_MAX_JOBS];
	struct night *n;
	size_t k;

	(void)state;
	config_defaults(&cfg);
	cfg.shards = sh;
	cfg.nshards = 2;
	cfg.audit_log = trail;
	rc = report_collect_new(&cfg, NULL, 9);
	k = report_collect_start(rc, 0, jobs, QREPORT_MAX_JOBS);
	assert_int_equal(k, 3);		/* meta, closes, reruns */
	assert_int_equal(jobs[0]->kind, 9);
	assert_ptr_equal(report_collect_of(jobs[0]), rc);
	report_collect_fail(rc, 1, "cannot start a query thread");
	assert_false(report_collect_done(rc));
	for (size_t i = 0; i < k; i++) {
		jobs[i]->status = SQ_ERROR;
		snprintf(jobs[i]->error, sizeof jobs[i]->error, "timeout %zu", i);
		assert_int_equal(report_collect_take(rc, jobs[i], more,
						     QREPORT_MAX_JOBS), 0);
	}
	assert_true(report_collect_done(rc));
	n = report_collect_finish(rc, T0);
	assert_int_equal(night_unreadable(n), 2);
	assert_string_equal(n->shards[0].error, "timeout 0");	/* the first */
	assert_string_equal(n->shards[1].error, "cannot start a query thread");
	assert_string_equal(n->audit_error, "");	/* no trail: none audited */
	report_collect_free(rc);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_md_escape),
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_audit_time),
		cmocka_unit_test(test_wave_and_files),
		cmocka_unit_test(test_missed),
		cmocka_unit_test(test_md_tables),
		cmocka_unit_test(test_svg_marks),
		cmocka_unit_test(test_json_exact),
		cmocka_unit_test(test_collect_failed_shard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
