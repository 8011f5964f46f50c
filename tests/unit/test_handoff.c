/*
 * test_handoff.c - the W key's report (ui/handoff.c) through a real
 * app_open(): real pollers and query workers on a shard whose server is
 * not there (a socket directory that does not exist), so every job comes
 * back failed and nothing waits on a network.  It checks
 *   - quitting while the report is still collecting frees its collector
 *     (app_close(), after the workers stopped), however many W presses
 *     are out; under ASan this is also the leak check;
 *   - a report whose shards all answered is written and its collector
 *     freed then, and app_close() frees nothing twice.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/app.h"
#include "core/config.h"
#include "core/xalloc.h"
#include "report/report.h"
#include "ui/handoff.h"

static char dir[64];

static void make_config(struct config *cfg)
{
	char path[128];

	snprintf(dir, sizeof dir, "/tmp/bt-handoff-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/audit.log", dir);
	config_defaults(cfg);
	cfg->audit_log = xstrdup(path);
	cfg->connect_timeout = 2;
	cfg->nshards = 1;
	cfg->shards = xcalloc(1, sizeof *cfg->shards);
	cfg->shards[0].name = xstrdup("gone");
	cfg->shards[0].dsn = xasprintf("host=%s/no-such-dir dbname=x "
				       "user=nobody", dir);
}

static void drop_config(struct config *cfg)
{
	char cmd[128];

	config_free(cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static size_t reports_written(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t k = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "batchtop-report-", 16))
			k++;
	closedir(d);
	return k;
}

static void test_quit_mid_report_frees_it(void **state)
{
	struct config cfg;
	struct app app;
	char *why = NULL;
	size_t out;

	(void)state;
	make_config(&cfg);
	assert_int_equal(app_open(&app, &cfg, NULL, APP_TUI, NULL, &why), 0);
	handoff_start(&app);
	handoff_start(&app);	/* W twice: two reports out */
	out = report_collect_live();
	/* Quit at once: no answer has been taken. */
	app_close(&app);
	assert_int_equal(out, 2);
	assert_int_equal(report_collect_live(), 0);
	assert_null(app.reports);
	assert_int_equal(reports_written(), 0);
	drop_config(&cfg);
}

static void test_finished_report_freed_once(void **state)
{
	struct config cfg;
	struct app app;
	char *why = NULL;
	time_t until;
	/* What an earlier test left (nothing, unless it failed). */
	size_t base = report_collect_live();
	bool written, freed;

	(void)state;
	make_config(&cfg);
	assert_int_equal(app_open(&app, &cfg, NULL, APP_TUI, NULL, &why), 0);
	handoff_start(&app);
	/* The shard is not there: every job fails, the report is written
	 * with the shard marked unreadable. */
	until = time(NULL) + 30;
	while (report_collect_live() > base && time(NULL) < until) {
		app_collect(&app);
		usleep(20 * 1000);
	}
	freed = report_collect_live() == base;
	written = reports_written() == 1 &&
		  strstr(app.message, "1 shard unreadable") != NULL;
	/* Closed before any check can fail: no thread outlives cfg. */
	app_close(&app);
	assert_true(freed);
	assert_true(written);
	assert_int_equal(report_collect_live(), base);
	drop_config(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quit_mid_report_frees_it),
		cmocka_unit_test(test_finished_report_freed_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
