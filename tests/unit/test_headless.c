/*
 * test_headless.c - the pure parts of --once and --check: format names,
 * the success rate, the --check verdict and its plugin line (state,
 * text, perfdata with thresholds) under the config's thresholds, CSV
 * quoting, and Prometheus label values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "headless/headless.h"
#include "headless/headless_csv.h"
#include "headless/headless_prom.h"
#include "app/app.h"

static void test_format_names(void **state)
{
	(void)state;
	assert_int_equal(headless_format_from_name("table"), HEADLESS_TABLE);
	assert_int_equal(headless_format_from_name("json"), HEADLESS_JSON);
	assert_int_equal(headless_format_from_name("csv"), HEADLESS_CSV);
	assert_int_equal(headless_format_from_name("prometheus"), HEADLESS_PROMETHEUS);
	assert_int_equal(headless_format_from_name("JSON"), -1);
	assert_int_equal(headless_format_from_name(""), -1);
}

static void test_success_rate(void **state)
{
	struct totals t;

	(void)state;
	memset(&t, 0, sizeof t);
	t.by_status[BS_RUNNING] = 5;
	t.by_status[BS_SCHEDULED] = 5;
	assert_int_equal(headless_success_permille(&t), -1);	/* none decided */
	t.by_status[BS_CLOSED] = 3;
	assert_int_equal(headless_success_permille(&t), 1000);
	t.by_status[BS_FAILED] = 1;
	assert_int_equal(headless_success_permille(&t), 750);
	t.by_status[BS_LATE] = 1;
	t.by_status[BS_CLOSED_LATE] = 1;
	assert_int_equal(headless_success_permille(&t), 500);
	/* At risk is still undecided; demo billers are never in the totals. */
	t.by_status[BS_AT_RISK] = 9;
	assert_int_equal(headless_success_permille(&t), 500);
	/* Rounded down: 2 of 3 is 66.6%. */
	memset(&t, 0, sizeof t);
	t.by_status[BS_CLOSED] = 2;
	t.by_status[BS_FAILED] = 1;
	assert_int_equal(headless_success_permille(&t), 666);
}

struct fx {
	struct config cfg;
	struct totals t;
	struct headless_source src[2];
	char *line;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	config_defaults(&f->cfg);
	f->t.billers = 10;
	f->t.by_status[BS_CLOSED] = 10;
	f->src[0] = (struct headless_source){ "east", "shard", SHARD_OK };
	f->src[1] = (struct headless_source){ "west", "shard", SHARD_OK };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	config_free(&f->cfg);
	free(f->line);
	free(f);
	return 0;
}

static int eval(struct fx *f)
{
	int rc;

	free(f->line);
	f->line = NULL;
	rc = headless_check_eval(&f->cfg, &f->t, f->src, 2, &f->line);
	assert_non_null(f->line);
	/* One line, and exactly one '|': the text never starts perfdata. */
	assert_null(strchr(f->line, '\n'));
	assert_non_null(strchr(f->line, '|'));
	assert_ptr_equal(strchr(f->line, '|'), strrchr(f->line, '|'));
	return rc;
}

/* The perfdata item of label, up to the next space ("" when missing). */
static const char *perf(struct fx *f, const char *label)
{
	static char item[128];
	char key[64];
	const char *p;
	size_t n;

	snprintf(key, sizeof key, " %s=", label);
	p = strstr(strchr(f->line, '|'), key);
	if (!p)
		return "";
	p += strlen(key);
	n = strcspn(p, " ");
	snprintf(item, sizeof item, "%.*s", (int)n, p);
	return item;
}

static void test_check_ok(void **state)
{
	struct fx *f = *state;

	f->t.demo = 2;
	assert_int_equal(eval(f), HEADLESS_OK);
	assert_string_equal(f->line,
		"BATCHTOP OK: 0 failed, 0 late, 0 at risk of 10 billers |"
		" failed=0;;0;0 late=0;;0;0 at_risk=0;0;;0 unknown=0;;;0"
		" running=0;;;0 scheduled=0;;;0 closed_late=0;;;0 closed=10;;;0"
		" no_close=0;;;0 held=0;;;0 billers=10;;;0 demo_billers=2;;;0"
		" shards_up=2;;;0;2 shards_down=0;0;;0;2"
		" failed_acked=0;;;0 failed_unacked=0;;;0");
	f->t.billers = 1;
	eval(f);
	assert_non_null(strstr(f->line, "of 1 biller |"));
}

/* Our "at least N" is the guidelines' range 0..N-1; 0 means no threshold. */
static void test_check_thresholds_in_perfdata(void **state)
{
	struct fx *f = *state;

	f->cfg.check_failed_crit = 3;
	f->cfg.check_late_crit = 0;
	f->cfg.check_at_risk_warn = 5;
	f->cfg.check_stale_warn = false;
	f->t.by_status[BS_FAILED] = 2;
	assert_int_equal(eval(f), HEADLESS_OK);
	assert_string_equal(perf(f, "failed"), "2;;2;0");
	assert_string_equal(perf(f, "late"), "0;;;0");
	assert_string_equal(perf(f, "at_risk"), "0;4;;0");
	assert_string_equal(perf(f, "shards_down"), "0;;;0;2");
	f->t.by_status[BS_FAILED] = 3;
	assert_int_equal(eval(f), HEADLESS_CRITICAL);
}

static void test_check_warning(void **state)
{
	struct fx *f = *state;

	f->t.by_status[BS_AT_RISK] = 2;
	assert_int_equal(eval(f), HEADLESS_WARNING);
	assert_non_null(strstr(f->line, "BATCHTOP WARNING: 0 failed, 0 late, 2 at risk of 10 billers |"));
	f->cfg.check_at_risk_warn = 3;	/* below the threshold */
	assert_int_equal(eval(f), HEADLESS_OK);
	f->cfg.check_at_risk_warn = 0;	/* never */
	assert_int_equal(eval(f), HEADLESS_OK);

	f->src[1].state = SHARD_DOWN;
	assert_int_equal(eval(f), HEADLESS_WARNING);
	assert_non_null(strstr(f->line, "; shard west down |"));
	assert_string_equal(perf(f, "shards_up"), "1;;;0;2");
	assert_string_equal(perf(f, "shards_down"), "1;0;;0;2");
	/* check_stale_warn = false: said, but not a warning. */
	f->cfg.check_stale_warn = false;
	assert_int_equal(eval(f), HEADLESS_OK);
	assert_non_null(strstr(f->line, "BATCHTOP OK: "));
	assert_non_null(strstr(f->line, "shard west down"));
}

static void test_check_critical(void **state)
{
	struct fx *f = *state;

	f->t.by_status[BS_AT_RISK] = 2;
	f->src[0].state = SHARD_DOWN;
	f->t.by_status[BS_FAILED] = 3;
	/* What was seen still counts when a shard is down. */
	assert_int_equal(eval(f), HEADLESS_CRITICAL);
	assert_non_null(strstr(f->line, "BATCHTOP CRITICAL: 3 failed, 0 late, 2 at risk of 10 billers; shard east down |"));
	f->t.by_status[BS_FAILED] = 0;
	f->t.by_status[BS_LATE] = 1;
	assert_int_equal(eval(f), HEADLESS_CRITICAL);
	f->cfg.check_late_crit = 2;
	assert_int_equal(eval(f), HEADLESS_WARNING);
	f->cfg.check_late_crit = 0;
	f->cfg.check_failed_crit = 0;
	f->t.by_status[BS_FAILED] = 100;
	assert_int_equal(eval(f), HEADLESS_WARNING);
}

/* No shard read: UNKNOWN, whatever the thresholds and check_stale_warn say,
 * and the counts are "U" (not known), never a made-up 0. */
/* Acknowledged failures (contract v3): counted apart in the line and
 * the perfdata; check_acked_warning keeps a fully acknowledged night at
 * WARNING, and only that: one unacknowledged failure, or a late biller,
 * is critical again. */
static void test_check_acked(void **state)
{
	struct fx *f = *state;

	f->t.by_status[BS_FAILED] = 3;
	f->t.failed_acked = 2;
	assert_int_equal(eval(f), HEADLESS_CRITICAL);
	assert_non_null(strstr(f->line, "BATCHTOP CRITICAL: 3 failed (2 "
			       "acknowledged), 0 late, 0 at risk of 10 billers |"));
	assert_string_equal(perf(f, "failed_acked"), "2;;;0");
	assert_string_equal(perf(f, "failed_unacked"), "1;;;0");
	f->cfg.check_acked_warning = true;
	assert_int_equal(eval(f), HEADLESS_CRITICAL);	/* one is not */
	f->t.failed_acked = 3;
	assert_int_equal(eval(f), HEADLESS_WARNING);
	assert_non_null(strstr(f->line, "BATCHTOP WARNING: 3 failed (all "
			       "acknowledged), 0 late"));
	assert_string_equal(perf(f, "failed_unacked"), "0;;;0");
	f->t.by_status[BS_LATE] = 1;
	assert_int_equal(eval(f), HEADLESS_CRITICAL);	/* late is late */
	f->t.by_status[BS_LATE] = 0;
	f->cfg.check_acked_warning = false;
	assert_int_equal(eval(f), HEADLESS_CRITICAL);	/* the default */
	/* Nothing failed: nothing to say about acknowledgements. */
	f->t.by_status[BS_FAILED] = 0;
	f->t.failed_acked = 0;
	f->cfg.check_acked_warning = true;
	assert_int_equal(eval(f), HEADLESS_OK);
	assert_non_null(strstr(f->line, "BATCHTOP OK: 0 failed, 0 late"));
}

static void test_check_unknown(void **state)
{
	struct fx *f = *state;

	memset(&f->t, 0, sizeof f->t);
	f->src[0].state = SHARD_DOWN;
	f->src[1].state = SHARD_FAILING;
	assert_int_equal(eval(f), HEADLESS_UNKNOWN);
	assert_string_equal(f->line,
		"BATCHTOP UNKNOWN: no shard could be read: shard east down;"
		" shard west stale | failed=U;;0;0 late=U;;0;0 at_risk=U;0;;0"
		" unknown=U;;;0 running=U;;;0 scheduled=U;;;0 closed_late=U;;;0"
		" closed=U;;;0 no_close=U;;;0 held=U;;;0 billers=U;;;0 demo_billers=U;;;0"
		" shards_up=0;;;0;2 shards_down=2;0;;0;2"
		" failed_acked=U;;;0 failed_unacked=U;;;0");
	f->cfg.check_stale_warn = false;
	assert_int_equal(eval(f), HEADLESS_UNKNOWN);
	f->src[1].state = SHARD_CONNECTING;
	f->t.by_status[BS_FAILED] = 4;	/* cannot be: nothing was read */
	assert_int_equal(eval(f), HEADLESS_UNKNOWN);
	assert_non_null(strstr(f->line, "shard west not answering |"));
	/* A source that is not a shard does not make the shards seen. */
	f->src[1] = (struct headless_source){ "newrelic", "newrelic", SHARD_OK };
	assert_int_equal(eval(f), HEADLESS_UNKNOWN);
	assert_string_equal(perf(f, "shards_down"), "1;;;0;1");
}

/* New Relic is a source beside the shards: not read, it warns (with
 * check_stale_warn) and is named, but it never makes the shards seen or
 * unseen; its perfdata says up or not, "1:" being "alert below 1". */
static void test_check_newrelic(void **state)
{
	struct fx *f = *state;

	f->src[1] = (struct headless_source){ "New Relic", "newrelic", SHARD_OK };
	assert_int_equal(eval(f), HEADLESS_OK);
	assert_string_equal(perf(f, "newrelic_up"), "1;1:;;0;1");
	assert_string_equal(perf(f, "shards_up"), "1;;;0;1");
	f->src[1].state = SHARD_DOWN;
	assert_int_equal(eval(f), HEADLESS_WARNING);
	assert_non_null(strstr(f->line, "of 10 billers; New Relic down |"));
	assert_string_equal(perf(f, "newrelic_up"), "0;1:;;0;1");
	f->cfg.check_stale_warn = false;
	assert_int_equal(eval(f), HEADLESS_OK);
	assert_string_equal(perf(f, "newrelic_up"), "0;;;0;1");
	f->src[0].state = SHARD_DOWN;
	f->src[1].state = SHARD_OK;
	assert_int_equal(eval(f), HEADLESS_UNKNOWN);
	/* Without New Relic there is no such item. */
	f->src[1] = (struct headless_source){ "west", "shard", SHARD_OK };
	eval(f);
	assert_string_equal(perf(f, "newrelic_up"), "");
}

/* Many sources down: the text names a few and counts the rest. */
static void test_check_many_down(void **state)
{
	struct fx *f = *state;
	struct headless_source src[8];
	char names[8][8];

	for (int i = 0; i < 8; i++) {
		snprintf(names[i], sizeof names[i], "s%d", i);
		src[i] = (struct headless_source){ names[i], "shard",
						   i ? SHARD_DOWN : SHARD_OK };
	}
	free(f->line);
	assert_int_equal(headless_check_eval(&f->cfg, &f->t, src, 8, &f->line),
			 HEADLESS_WARNING);
	assert_non_null(strstr(f->line, "; shard s1 down; shard s2 down; shard s3 down;"
			       " shard s4 down; 3 more not read |"));
}

/* headless_check_unknown(why) into out and err. */
static void unknown_line(const char *why, char *out, char *err, size_t n)
{
	FILE *fo, *fe;

	memset(out, 0, n);
	memset(err, 0, n);
	fo = fmemopen(out, n, "w");
	fe = fmemopen(err, n, "w");
	assert_int_equal(headless_check_unknown(why, fo, fe), HEADLESS_UNKNOWN);
	fclose(fo);
	fclose(fe);
}

/* A configuration error is one UNKNOWN line on stdout, the file and line
 * kept; a '|' or a line break in it cannot start perfdata or a second
 * line.  stderr has the message as it was. */
static void test_check_unknown_line(void **state)
{
	char out[512], err[512];

	(void)state;
	unknown_line("/etc/b.conf:2: unknown option \"pol_interval\"", out, err,
		     sizeof out);
	assert_string_equal(out, "BATCHTOP UNKNOWN: /etc/b.conf:2: unknown option \"pol_interval\"\n");
	assert_string_equal(err, "batchtop: /etc/b.conf:2: unknown option \"pol_interval\"\n");
	unknown_line("a|b\nc", out, err, sizeof out);
	assert_string_equal(out, "BATCHTOP UNKNOWN: a/b c\n");
	assert_string_equal(err, "batchtop: a|b\nc\n");
}

static char *prom_escaped(const char *s)
{
	static char out[256];
	FILE *f;

	memset(out, 0, sizeof out);
	f = fmemopen(out, sizeof out, "w");
	headless_prom_escape(f, s);
	fclose(f);
	return out;
}

/* Label values: escaped as the text format wants, and, since statuses come
 * from shards, sanitized and cut first. */
/* The data age of a shard read from a replica counts its replay lag, as
 * --format json's data_age_ms and stale_after do. */
static void test_prom_age_has_replica_lag(void **state)
{
	char name[] = "east", dsn[] = "x";
	struct shard_conf sc = { .name = name, .dsn = dsn };
	struct config cfg = { .shards = &sc, .nshards = 1 };
	struct shard_health h[2] = {
		{ .state = SHARD_OK, .last_ok_mono = 10000, .replica = true,
		  .on_replica = true, .replica_lag_ms = 4500 },
		{ .state = SHARD_OK, .last_ok_mono = 10000, .replica = true,
		  .on_replica = false, .replica_lag_ms = BT_NO_TIME },
	};
	struct app app;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	for (int i = 0; i < 2; i++) {
		memset(&app, 0, sizeof app);
		app.cfg = &cfg;
		app.npollers = 1;
		app.health = &h[i];
		app.mono = 12000;
		f = open_memstream(&text, &len);
		assert_non_null(f);
		headless_prom_print(&app, 0, f);
		fclose(f);
		assert_non_null(strstr(text, i == 0
			? "batchtop_shard_data_age_seconds{shard=\"east\"} 6.500\n"
			: "batchtop_shard_data_age_seconds{shard=\"east\"} 2.000\n"));
		free(text);
		text = NULL;
	}
}

static void test_prom_labels(void **state)
{
	char v[HEADLESS_PROM_LABEL_MAX + 1], big[300];

	(void)state;
	assert_string_equal(prom_escaped("failed"), "failed");
	assert_string_equal(prom_escaped("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
	assert_string_equal(prom_escaped("\"} 1\nx{"), "\\\"} 1\\nx{");
	assert_string_equal(prom_escaped("Łódź 東京"), "Łódź 東京");

	assert_string_equal(headless_prom_label_value(v, sizeof v, NULL), "");
	assert_string_equal(headless_prom_label_value(v, sizeof v, "closed"), "closed");
	/* Controls become U+FFFD, invalid UTF-8 too: the format wants UTF-8. */
	assert_string_equal(headless_prom_label_value(v, sizeof v, "a\nb\x1b" "c"),
			    "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c");
	assert_string_equal(headless_prom_label_value(v, sizeof v, "x\xff"),
			    "x\xef\xbf\xbd");
	/* Long: cut to HEADLESS_PROM_LABEL_MAX bytes, never inside a character. */
	big[0] = 'a';
	for (int i = 0; i < 100; i++)
		memcpy(big + 1 + i * 2, "\xc5\x81", 2);	/* Ł */
	big[201] = '\0';
	headless_prom_label_value(v, sizeof v, big);
	assert_true(strlen(v) <= HEADLESS_PROM_LABEL_MAX);
	assert_int_equal(strlen(v), 63);	/* 'a' and 31 two-byte letters */
	assert_int_equal((unsigned char)v[62], 0x81);
	/* A smaller buffer is never overrun. */
	assert_string_equal(headless_prom_label_value(v, 4, "status"), "sta");
}

static char *csv(const char *s)
{
	static char out[256];
	FILE *f;

	memset(out, 0, sizeof out);	/* glibc leaves it alone when nothing is written */
	f = fmemopen(out, sizeof out, "w");

	headless_csv_field(f, s);
	fclose(f);
	return out;
}

static void test_csv_quoting(void **state)
{
	(void)state;
	assert_string_equal(csv("Acme Power"), "Acme Power");
	assert_string_equal(csv(""), "");
	assert_string_equal(csv(NULL), "");
	assert_string_equal(csv("Smith, Jones"), "\"Smith, Jones\"");
	assert_string_equal(csv("the \"best\""), "\"the \"\"best\"\"\"");
	assert_string_equal(csv("a\nb"), "\"a\nb\"");
	assert_string_equal(csv("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
	assert_string_equal(csv("+1"), "\"'+1\"");
	assert_string_equal(csv("@sum"), "\"'@sum\"");
	assert_string_equal(csv("-x"), "\"'-x\"");
	assert_string_equal(csv("Caf\u00e9 \u65e5\u672c"), "Caf\u00e9 \u65e5\u672c");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_success_rate),
		cmocka_unit_test_setup_teardown(test_check_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_critical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_thresholds_in_perfdata, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_acked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_many_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_newrelic, setup, teardown),
		cmocka_unit_test(test_check_unknown_line),
		cmocka_unit_test(test_prom_labels),
		cmocka_unit_test(test_prom_age_has_replica_lag),
		cmocka_unit_test(test_csv_quoting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
