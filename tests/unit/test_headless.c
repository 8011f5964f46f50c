/*
 * test_headless.c - the pure parts of --once and --check: format names,
 * the success rate, the --check verdict and its line under the config's
 * thresholds, and CSV quoting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "headless.h"

static void test_format_names(void **state)
{
	(void)state;
	assert_int_equal(headless_format_from_name("table"), HEADLESS_TABLE);
	assert_int_equal(headless_format_from_name("json"), HEADLESS_JSON);
	assert_int_equal(headless_format_from_name("csv"), HEADLESS_CSV);
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
	char line[512];
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
	free(f);
	return 0;
}

static int eval(struct fx *f)
{
	return headless_check_eval(&f->cfg, &f->t, f->src, 2, f->line, sizeof f->line);
}

static void test_check_ok(void **state)
{
	struct fx *f = *state;

	assert_int_equal(eval(f), HEADLESS_OK);
	assert_string_equal(f->line, "OK: 0 failed, 0 late, 0 at risk of 10 billers"
			    " | failed=0 late=0 at_risk=0 billers=10 sources_bad=0");
}

static void test_check_warning(void **state)
{
	struct fx *f = *state;

	f->t.by_status[BS_AT_RISK] = 2;
	assert_int_equal(eval(f), HEADLESS_WARNING);
	assert_non_null(strstr(f->line, "WARNING: 0 failed, 0 late, 2 at risk of 10 billers"));
	f->cfg.check_at_risk_warn = 3;	/* below the threshold */
	assert_int_equal(eval(f), HEADLESS_OK);
	f->cfg.check_at_risk_warn = 0;	/* never */
	assert_int_equal(eval(f), HEADLESS_OK);

	f->src[1].state = SHARD_DOWN;
	assert_int_equal(eval(f), HEADLESS_WARNING);
	assert_non_null(strstr(f->line, "; shard west down |"));
	assert_non_null(strstr(f->line, "sources_bad=1"));
	f->src[0].state = SHARD_FAILING;
	eval(f);
	assert_non_null(strstr(f->line, "; shard east stale; shard west down |"));
	/* check_stale_warn = false: said, but not a warning. */
	f->cfg.check_stale_warn = false;
	assert_int_equal(eval(f), HEADLESS_OK);
	assert_non_null(strstr(f->line, "shard west down"));
}

static void test_check_critical(void **state)
{
	struct fx *f = *state;

	f->t.by_status[BS_AT_RISK] = 2;
	f->src[0].state = SHARD_DOWN;
	f->t.by_status[BS_FAILED] = 3;
	assert_int_equal(eval(f), HEADLESS_CRITICAL);
	assert_non_null(strstr(f->line, "CRITICAL: 3 failed, 0 late, 2 at risk of 10 billers; shard east down"));
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
		cmocka_unit_test(test_csv_quoting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
