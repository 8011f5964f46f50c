/*
 * test_config.c - the option table, defaults, and every loader error with
 * its exact file:line message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "data/config_file.h"
#include "core/xalloc.h"

#define NAME "t.conf"
#define SHARD "[shard.eu1]\ndsn = host=db1 dbname=billing\n"

/* Load text as NAME and return the error (to free), or fail the test. */
static char *load_error(const char *text)
{
	struct config c;
	char *err = NULL;

	assert_int_equal(config_load_string(&c, text, NAME, &err), -1);
	assert_non_null(err);
	/* After an error: the defaults and nothing allocated. */
	assert_null(c.path);
	assert_null(c.shards);
	assert_int_equal(c.nshards, 0);
	assert_int_equal(c.poll_interval, 5);
	config_free(&c);
	return err;
}

static void expect_error(const char *text, const char *want)
{
	char *err = load_error(text);

	if (strcmp(err, want) != 0)
		fail_msg("got  \"%s\"\nwant \"%s\"", err, want);
	free(err);
}

/* A file with text (len bytes) in /tmp; the caller unlinks and frees. */
static char *write_tmp(const char *text, size_t len)
{
	char *path = strdup("/tmp/bt-test-config-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_defaults(void **state)
{
	struct config c;

	(void)state;
	memset(&c, 0xa5, sizeof c);
	config_defaults(&c);
	assert_null(c.path);
	assert_int_equal(c.poll_interval, 5);
	assert_int_equal(c.window_minutes, 45);
	assert_int_equal(c.at_risk_pct, 75);
	assert_int_equal(c.payment_file_minute, 45);
	assert_int_equal(c.payment_file_period, 3600);
	assert_int_equal(c.night_hours, 12);
	assert_int_equal(c.query_timeout, 10);
	assert_int_equal(c.connect_timeout, 5);
	assert_int_equal(c.backoff_max, 60);
	assert_int_equal(c.stale_after, 15);
	assert_int_equal(c.autopay_alert_pct, 10);
	assert_false(c.readonly);
	assert_null(c.keymap);
	assert_null(c.log_file);
	assert_false(c.show_demo);
	assert_true(c.color);
	assert_int_equal(c.sort, SORT_RISK);
	assert_null(c.shards);
	assert_int_equal(c.nshards, 0);
	config_free(&c);
	config_free(&c);
}

static void test_full_file(void **state)
{
	const char *text =
		"; batchtop test configuration\n"
		"# another comment\n"
		"[batchtop]\n"
		"poll_interval = 7\n"
		"window_minutes = 60\n"
		"at_risk_pct = 100\n"
		"payment_file_minute = 0\n"
		"payment_file_period = 60\n"
		"night_hours = 72\n"
		"query_timeout = 600\n"
		"connect_timeout = 2\n"
		"backoff_max = 3600\n"
		"stale_after = 86400\n"
		"autopay_alert_pct = 0\n"
		"readonly = Yes ; inline comment\n"
		"keymap = ~/keys/my.keys\n"
		"log_file = /var/log/batchtop.log\n"
		"\n"
		"[ui]\n"
		"  show_demo = on\n"
		"  color = 0\n"
		"  sort: time-left\n"
		"\n"
		"[shard.eu-1]\n"
		"dsn = host=db1 dbname=billing password=a;b\n"
		"[shard.US_2]\r\n"
		"dsn = service=us2\r\n"
		"replica = service=us2-standby\r\n"
		"replica_max_lag = 90\r\n"
		"replica_pooler = transaction\r\n";
	struct config c;
	char *err = NULL;

	(void)state;
	setenv("HOME", "/home/oncall", 1);
	assert_int_equal(config_load_string(&c, text, NAME, &err), 0);
	assert_null(err);
	assert_string_equal(c.path, NAME);
	assert_int_equal(c.poll_interval, 7);
	assert_int_equal(c.window_minutes, 60);
	assert_int_equal(c.at_risk_pct, 100);
	assert_int_equal(c.payment_file_minute, 0);
	assert_int_equal(c.payment_file_period, 60);
	assert_int_equal(c.night_hours, 72);
	assert_int_equal(c.query_timeout, 600);
	assert_int_equal(c.connect_timeout, 2);
	assert_int_equal(c.backoff_max, 3600);
	assert_int_equal(c.stale_after, 86400);
	assert_int_equal(c.autopay_alert_pct, 0);
	assert_true(c.readonly);
	assert_string_equal(c.keymap, "/home/oncall/keys/my.keys");
	assert_string_equal(c.log_file, "/var/log/batchtop.log");
	assert_true(c.show_demo);
	assert_false(c.color);
	assert_int_equal(c.sort, SORT_TIME_LEFT);
	assert_int_equal(c.nshards, 2);
	assert_string_equal(c.shards[0].name, "eu-1");
	assert_string_equal(c.shards[0].dsn,
			    "host=db1 dbname=billing password=a;b");
	assert_int_equal(c.shards[0].line, 24);
	assert_string_equal(c.shards[1].name, "US_2");
	assert_string_equal(c.shards[1].dsn, "service=us2");
	assert_int_equal(c.shards[1].line, 26);
	/* A shard without a replica keeps the default bound. */
	assert_null(c.shards[0].replica);
	assert_int_equal(c.shards[0].replica_max_lag, 30);
	assert_string_equal(c.shards[1].replica, "service=us2-standby");
	assert_int_equal(c.shards[1].replica_max_lag, 90);
	/* Unset, the replica goes the way the dsn goes. */
	assert_int_equal(c.shards[0].replica_pooled, -1);
	assert_int_equal(c.shards[1].replica_pooled, 1);
	config_free(&c);
	assert_null(c.shards);
	assert_int_equal(c.nshards, 0);
	config_free(&c);
}

static void test_load_file(void **state)
{
	static const char text[] = "\xEF\xBB\xBF[batchtop]\nreadonly = true\n"
				   SHARD;
	char *path = write_tmp(text, sizeof text - 1);
	struct config c;
	char *err = NULL;

	(void)state;
	assert_int_equal(config_load(&c, path, &err), 0);
	assert_string_equal(c.path, path);
	assert_true(c.readonly);
	assert_int_equal(c.nshards, 1);
	config_free(&c);
	unlink(path);
	free(path);
}

static void test_unknown_option(void **state)
{
	(void)state;
	expect_error(SHARD "[batchtop]\npol_interval = 5\n",
		     NAME ":4: unknown option \"pol_interval\" in [batchtop]");
	expect_error("[ui]\n\npoll_interval = 5\n" SHARD,
		     NAME ":3: unknown option \"poll_interval\" in [ui] "
		     "(it belongs in [batchtop])");
	expect_error("[batchtop]\ncolor = true\n" SHARD,
		     NAME ":2: unknown option \"color\" in [batchtop] "
		     "(it belongs in [ui])");
	expect_error("poll_interval = 5\n" SHARD,
		     NAME ":1: option \"poll_interval\" is outside of any "
		     "section");
	expect_error(SHARD "[batchtop]\npoll_interval = 5\npoll_interval = 6\n",
		     NAME ":5: poll_interval is set twice (first at line 4)");
	expect_error(SHARD "[batchtop]\nreadonly = 1\n[batchtop]\nreadonly = 0\n",
		     NAME ":6: readonly is set twice (first at line 4)");
}

static void test_syntax_error(void **state)
{
	(void)state;
	expect_error("[batchtop]\npoll_interval 5\n" SHARD,
		     NAME ":2: syntax error: expected [section] or name = value");
	expect_error(SHARD "[ui\n",
		     NAME ":3: syntax error: expected [section] or name = value");
	/* An indented line is an option, never a continuation. */
	expect_error("[batchtop]\npoll_interval = 5\n   10\n" SHARD,
		     NAME ":3: syntax error: expected [section] or name = value");
}

static void test_bad_integer(void **state)
{
	(void)state;
	expect_error("[batchtop]\npoll_interval = 5s\n" SHARD,
		     NAME ":2: poll_interval: \"5s\" is not a decimal integer "
		     "(allowed: 1..3600)");
	expect_error("[batchtop]\npoll_interval = 0x10\n" SHARD,
		     NAME ":2: poll_interval: \"0x10\" is not a decimal integer "
		     "(allowed: 1..3600)");
	expect_error("[batchtop]\npoll_interval = +5\n" SHARD,
		     NAME ":2: poll_interval: \"+5\" is not a decimal integer "
		     "(allowed: 1..3600)");
	expect_error("[batchtop]\npoll_interval =\n" SHARD,
		     NAME ":2: poll_interval: \"\" is not a decimal integer "
		     "(allowed: 1..3600)");
	expect_error("[batchtop]\npoll_interval = 5 5\n" SHARD,
		     NAME ":2: poll_interval: \"5 5\" is not a decimal integer "
		     "(allowed: 1..3600)");
}

static void test_out_of_range(void **state)
{
	(void)state;
	expect_error("[batchtop]\npoll_interval = 0\n" SHARD,
		     NAME ":2: poll_interval: 0 is out of range "
		     "(allowed: 1..3600)");
	expect_error("[batchtop]\npoll_interval = 3601\n" SHARD,
		     NAME ":2: poll_interval: 3601 is out of range "
		     "(allowed: 1..3600)");
	expect_error("[batchtop]\npayment_file_minute = -1\n" SHARD,
		     NAME ":2: payment_file_minute: -1 is out of range "
		     "(allowed: 0..59)");
	expect_error("[batchtop]\nstale_after = 99999999999999999999999\n" SHARD,
		     NAME ":2: stale_after: 99999999999999999999999 is out of "
		     "range (allowed: 2..86400)");
	expect_error("[batchtop]\nconnect_timeout = 1\n" SHARD,
		     NAME ":2: connect_timeout: 1 is out of range "
		     "(allowed: 2..120)");
	expect_error("[batchtop]\npayment_file_period = 9\n" SHARD,
		     NAME ":2: payment_file_period: 9 is out of range "
		     "(allowed: 10..86400)");
}

/* Files run at the same times every day: the period divides a day. */
static void test_payment_file_period(void **state)
{
	static const char *const ok[] = { "10", "36", "60", "900", "3600", "86400" };

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct config c;
		char *err = NULL;
		char *text = xasprintf("[batchtop]\npayment_file_period = %s\n" SHARD,
				       ok[i]);

		if (config_load_string(&c, text, NAME, &err) != 0)
			fail_msg("period %s refused: %s", ok[i], err);
		assert_int_equal(c.payment_file_period, atoi(ok[i]));
		config_free(&c);
		free(text);
	}
	expect_error("[ui]\ncolor = no\n[batchtop]\npayment_file_period = 7000\n" SHARD,
		     NAME ":4: payment_file_period: 7000 does not divide a day "
		     "(86400 s): use e.g. 3600, 1800, 900, 60 or 36");
	/* An earlier problem is still told first. */
	expect_error("[batchtop]\npayment_file_period = 7000\npol = 1\n" SHARD,
		     NAME ":3: unknown option \"pol\" in [batchtop]");
}

static void test_booleans(void **state)
{
	static const struct {
		const char *text;
		bool value;
	} ok[] = {
		{ "true", true }, { "TRUE", true }, { "yes", true },
		{ "On", true }, { "1", true }, { "false", false },
		{ "No", false }, { "off", false }, { "0", false },
		{ "FaLsE", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct config c;
		char *err = NULL;
		char *text;

		text = xasprintf("[batchtop]\nreadonly = %s\n" SHARD,
				     ok[i].text);
		assert_int_equal(config_load_string(&c, text, NAME, &err), 0);
		assert_int_equal(c.readonly, ok[i].value);
		config_free(&c);
		free(text);
	}
	expect_error("[ui]\ncolor = maybe\n" SHARD,
		     NAME ":2: color: \"maybe\" is not a boolean (use true or "
		     "false, yes or no, on or off, 1 or 0)");
	expect_error("[ui]\ncolor = 2\n" SHARD,
		     NAME ":2: color: \"2\" is not a boolean (use true or "
		     "false, yes or no, on or off, 1 or 0)");
}

static void test_sort(void **state)
{
	(void)state;
	for (int k = 0; k < SORT__COUNT; k++) {
		struct config c;
		char *err = NULL;
		char *text;

		assert_int_equal(sort_key_from_name(sort_key_name(k)), k);
		text = xasprintf("[ui]\nsort = %s\n" SHARD,
				     sort_key_name(k));
		assert_int_equal(config_load_string(&c, text, NAME, &err), 0);
		assert_int_equal(c.sort, k);
		config_free(&c);
		free(text);
	}
	assert_int_equal(sort_key_from_name("bogus"), -1);
	expect_error("[ui]\nsort = size\n" SHARD,
		     NAME ":2: sort: \"size\" is not a sort key (use risk, name, "
		     "shard, priority, time-left or autopay)");
}

static void test_unknown_section(void **state)
{
	(void)state;
	expect_error(SHARD "\n[global]\nx = 1\n",
		     NAME ":4: unknown section [global] (sections are "
		     "[batchtop], [ui], [newrelic] and [shard.NAME])");
	/* Empty, and right before the end. */
	expect_error(SHARD "[shards]\n",
		     NAME ":3: unknown section [shards] (sections are "
		     "[batchtop], [ui], [newrelic] and [shard.NAME])");
}

static void test_duplicate_shard(void **state)
{
	(void)state;
	expect_error("[shard.a]\ndsn = x\n[ui]\n[shard.a]\ndsn = y\n",
		     NAME ":4: duplicate section [shard.a] (first at line 1)");
	/* Even right after each other and empty. */
	expect_error("[shard.a]\ndsn = x\n[shard.a]\n",
		     NAME ":3: duplicate section [shard.a] (first at line 1)");
}

static void test_shard_without_dsn(void **state)
{
	(void)state;
	expect_error(SHARD "\n[shard.b]\n\n[ui]\ncolor = no\n",
		     NAME ":4: [shard.b] has no dsn");
	expect_error(SHARD "[shard.b]\n", NAME ":3: [shard.b] has no dsn");
	expect_error("[shard.b]\n[shard.c]\ndsn = x\n",
		     NAME ":1: [shard.b] has no dsn");
	/* The lowest line wins, even if it is found later. */
	/* An unknown key is told at its line, before the dsn it may stand for
	 * is missed at the header's. */
	expect_error("[shard.b]\nhost = db\n[shard.c]\ndsn = x\n",
		     NAME ":2: unknown option in [shard.b]: a shard section "
		     "takes dsn, pooler, listen_dsn, replica, replica_max_lag and replica_pooler");
	expect_error("[shard.a]\ndns = host=x\n",
		     NAME ":2: unknown option in [shard.a]: a shard section "
		     "takes dsn, pooler, listen_dsn, replica, replica_max_lag and replica_pooler (is it dsn, mistyped?)");
	expect_error("[shard.a]\nDSN = host=x\n[shard.b]\n",
		     NAME ":2: unknown option in [shard.a]: a shard section "
		     "takes dsn, pooler, listen_dsn, replica, replica_max_lag and replica_pooler (is it dsn, mistyped?)");
	/* With nothing else wrong, the first shard without a dsn is told. */
	expect_error("[shard.a]\n[shard.b]\n[ui]\ncolor = maybe\n",
		     NAME ":4: color: \"maybe\" is not a boolean (use true or "
		     "false, yes or no, on or off, 1 or 0)");
	expect_error("[shard.a]\n[shard.b]\n", NAME ":1: [shard.a] has no dsn");
	expect_error("[shard.b]\ndsn =\n",
		     NAME ":2: dsn of [shard.b] is empty");
	expect_error("[shard.b]\ndsn = a\ndsn = b\n",
		     NAME ":3: dsn is set twice in [shard.b] (first at line 2)");
	expect_error("[shard.b]\ndsn = a\nreplica =\n",
		     NAME ":3: replica of [shard.b] is empty");
	expect_error("[shard.b]\ndsn = a\nreplica = x\nreplica = y\n",
		     NAME ":4: replica is set twice in [shard.b]");
	expect_error("[shard.b]\ndsn = a\nreplica_max_lag = 0\n",
		     NAME ":3: replica_max_lag of [shard.b] must be a whole "
		     "number of seconds from 1 to 3600");
	expect_error("[shard.b]\ndsn = a\nreplica_max_lag = 5s\n",
		     NAME ":3: replica_max_lag of [shard.b] must be a whole "
		     "number of seconds from 1 to 3600");
	expect_error("[shard.b]\ndsn = a\nhost = b\n",
		     NAME ":3: unknown option in [shard.b]: a shard section "
		     "takes dsn, pooler, listen_dsn, replica, replica_max_lag and replica_pooler");
}

/* pooler and listen_dsn: per shard, checked, the dsn never echoed. */
static void test_shard_pooler(void **state)
{
	struct config c;
	char *err = NULL;

	(void)state;
	assert_int_equal(config_load_string(&c, "[shard.a]\ndsn = x\n"
		"pooler = transaction\nlisten_dsn = host=direct password=pw\n"
		"[shard.b]\ndsn = y\npooler = none\n[shard.c]\ndsn = z\n",
		NAME, &err), 0);
	assert_int_equal(c.nshards, 3);
	assert_true(c.shards[0].pooled);
	assert_string_equal(c.shards[0].listen_dsn, "host=direct password=pw");
	assert_false(c.shards[1].pooled);
	assert_null(c.shards[1].listen_dsn);
	assert_false(c.shards[2].pooled);
	config_free(&c);
	expect_error("[shard.a]\ndsn = x\npooler = session\n",
		     NAME ":3: pooler of [shard.a] must be none or transaction");
	expect_error("[shard.a]\ndsn = x\nlisten_dsn = password=s1\n"
		     "listen_dsn = password=s2\n",
		     NAME ":4: listen_dsn is set twice in [shard.a]");
}

static void test_bad_shard_name(void **state)
{
	static const char *const bad[] = {
		"[shard.]\n", "[shard.a b]\n", "[shard.a.b]\n", "[shard.é]\n",
		"[shard.abcdefghijklmnopqrstuvwxyz0123456]\n",
		"[shard.abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmn]\n",
	};
	struct config c;
	char *err = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *text;

		text = xasprintf(SHARD "%sdsn = x\n", bad[i]);
		expect_error(text, NAME ":3: bad shard name in section header: "
			     "use 1 to 32 of A-Z a-z 0-9 _ -");
		free(text);
	}
	assert_int_equal(config_load_string(&c,
		"[shard.abcdefghijklmnopqrstuvwxyz012345]\ndsn = x\n",
		NAME, &err), 0);
	assert_string_equal(c.shards[0].name,
			    "abcdefghijklmnopqrstuvwxyz012345");
	config_free(&c);
}

static void test_no_shards(void **state)
{
	(void)state;
	expect_error("", NAME ": no [shard.NAME] section: batchtop needs at "
		     "least one shard");
	expect_error("[batchtop]\nreadonly = yes\n",
		     NAME ": no [shard.NAME] section: batchtop needs at least "
		     "one shard");
}

static void test_unreadable(void **state)
{
	struct config c;
	char *err = NULL;

	(void)state;
	assert_int_equal(config_load(&c, "/nonexistent/batchtop.conf", &err), -1);
	assert_string_equal(err, "/nonexistent/batchtop.conf: cannot open: "
			    "No such file or directory");
	assert_null(c.path);
	config_free(&c);
	free(err);

	assert_int_equal(config_load(&c, "/tmp", &err), -1);
	assert_string_equal(err, "/tmp: cannot read: Is a directory");
	config_free(&c);
	free(err);
}

static void test_long_line(void **state)
{
	char line[256];
	char *text;
	struct config c;
	char *err = NULL;

	(void)state;
	/* 198 characters is the longest line inih reads whole. */
	memset(line, 'x', sizeof line);
	memcpy(line, "log_file = /", 12);
	line[198] = '\0';
	text = xasprintf(SHARD "[batchtop]\n%s\n", line);
	assert_int_equal(config_load_string(&c, text, NAME, &err), 0);
	assert_int_equal(strlen(c.log_file), 198 - 11);
	config_free(&c);
	free(text);

	line[198] = 'x';
	line[199] = '\0';
	text = xasprintf(SHARD "[batchtop]\n%s\n", line);
	expect_error(text, NAME ":4: line longer than 198 characters");
	free(text);

	/* Even in a comment, and with a CR counted. */
	line[0] = '#';
	line[198] = '\0';
	text = xasprintf(SHARD "%s\r\n", line);
	expect_error(text, NAME ":3: line longer than 198 characters");
	free(text);
}

static void test_control_chars(void **state)
{
	static const char nul[] = "[shard.a]\ndsn = x\0y\n";
	char *path = write_tmp(nul, sizeof nul - 1);
	char *want = xasprintf("%s:2: NUL byte in line", path);
	struct config c;
	char *err = NULL;

	(void)state;

	assert_int_equal(config_load(&c, path, &err), -1);
	assert_string_equal(err, want);
	config_free(&c);
	free(want);
	free(err);
	unlink(path);
	free(path);
	expect_error(SHARD "[ui]\ncolor = \033[31m\n",
		     NAME ":4: control character 0x1b in line");
	expect_error(SHARD "[\x01]\n",
		     NAME ":3: control character 0x01 in line");
}

/* Error cases that involve a dsn with a password. */
static void test_dsn_never_in_errors(void **state)
{
	static const char *const texts[] = {
		"[shard.a]\ndsn = host=db password=hunter2\n"
		"[shard.a]\ndsn = host=db password=hunter2\n",
		"[shard.a]\ndsn = host=db password=hunter2\n"
		"dsn = host=db password=hunter2\n",
		"[shard.a]\ndsn = host=db password=hunter2\n[batchtop]\n"
		"dsn = host=db password=hunter2\n",
		"[batchtop]\ndsn = host=db password=hunter2\n",
		"[shard.a]\nhost=db password=hunter2\n",
		"[shard.a]\npassword=hunter2\n",
		"[shard.a]\ndsn host=db password=hunter2\n",
		"[shard.a b]\ndsn = host=db password=hunter2\n",
		"[shard.a password=hunter2]\ndsn = x\n",
		"[shard.a]\ndsn = host=db password=hunter2 "
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"\n",
		"[shard.a]\ndsn = host=db password=hunter2\033\n",
		"[shard.a]\ndsn = host=db password=hunter2\n[ui]\ncolor = x\n",
		"dsn = host=db password=hunter2\n",
		"[shard.a]\n  dsn = host=db password=hunter2\n    password=hunter2\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char *err = load_error(texts[i]);

		if (strstr(err, "hunter2") != NULL)
			fail_msg("case %zu leaks the password: %s", i, err);
		free(err);
	}
}

static void test_tilde(void **state)
{
	struct config c;
	char *err = NULL;

	(void)state;
	setenv("HOME", "/home/oncall", 1);
	assert_int_equal(config_load_string(&c,
		"[batchtop]\nkeymap = ~/a.keys\nlog_file = ~other/log\n" SHARD,
		NAME, &err), 0);
	assert_string_equal(c.keymap, "/home/oncall/a.keys");
	assert_string_equal(c.log_file, "~other/log");
	config_free(&c);

	unsetenv("HOME");
	expect_error("[batchtop]\nkeymap = ~/a.keys\n" SHARD,
		     NAME ":2: keymap: cannot expand \"~/\": HOME is not set");
	setenv("HOME", "/home/oncall", 1);
	expect_error("[batchtop]\nkeymap =\n" SHARD,
		     NAME ":2: keymap: the path is empty");
}

static void test_default_path(void **state)
{
	char *p;

	(void)state;
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	setenv("HOME", "/home/oncall", 1);
	p = config_default_path();
	assert_string_equal(p, "/xdg/batchtop/batchtop.conf");
	free(p);

	setenv("XDG_CONFIG_HOME", "relative", 1);
	p = config_default_path();
	assert_string_equal(p, "/home/oncall/.config/batchtop/batchtop.conf");
	free(p);

	unsetenv("XDG_CONFIG_HOME");
	p = config_default_path();
	assert_string_equal(p, "/home/oncall/.config/batchtop/batchtop.conf");
	free(p);

	unsetenv("HOME");
	assert_null(config_default_path());
	setenv("HOME", "/home/oncall", 1);
}

static void test_option_table(void **state)
{
	size_t n = config_option_count();

	(void)state;
	assert_true(n >= 17);
	assert_null(config_option(n));
	for (size_t i = 0; i < n; i++) {
		const struct config_option_info *o = config_option(i);

		assert_non_null(o->section);
		assert_non_null(o->name);
		assert_non_null(o->type);
		assert_non_null(o->def);
		assert_non_null(o->doc);
		assert_true(o->doc[0] != '\0');
		if (strcmp(o->type, "integer") == 0)
			assert_true(o->min <= o->max);
		for (size_t j = 0; j < i; j++) {
			const struct config_option_info *p = config_option(j);

			if (strcmp(o->name, p->name) == 0 &&
			    strcmp(o->section, p->section) == 0)
				fail_msg("option %s appears twice in [%s]",
					 o->name, o->section);
		}
	}
}

/* Drop troff font changes (\fB, \fI, \fR, \fP, \f(XX, \f[X]) in place. */
static void strip_fonts(char *s)
{
	char *out = s;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] == 'f' && s[2] != '\0') {
			s += 2;
			if (*s == '(' && s[1] != '\0' && s[2] != '\0')
				s += 3;
			else if (*s == '[' && strchr(s, ']') != NULL)
				s = strchr(s, ']') + 1;
			else
				s++;
			continue;
		}
		*out++ = *s++;
	}
	*out = '\0';
}

static bool is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* Whether word occurs in text with no word character on either side. */
static bool has_word(const char *text, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = strstr(text, word); p != NULL;
	     p = strstr(p + 1, word))
		if ((p == text || !is_word_char(p[-1])) && !is_word_char(p[len]))
			return true;
	return false;
}

/* The circuit breaker's options: defaults, a file's values, and a bad
 * value named with its file and line. */
static void test_breaker_options(void **state)
{
	struct config c;
	char *err = NULL;

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.breaker_consecutive_failures, 5);
	assert_int_equal(c.breaker_failure_rate, 10);
	assert_int_equal(c.breaker_failure_window, 20);
	assert_int_equal(c.breaker_pause, 120);
	config_free(&c);
	assert_int_equal(config_load_string(&c, "[batchtop]\n"
		"breaker_consecutive_failures = 0\nbreaker_failure_rate = 25\n"
		"breaker_failure_window = 8\nbreaker_pause = 30\n" SHARD, NAME,
		&err), 0);
	assert_int_equal(c.breaker_consecutive_failures, 0);
	assert_int_equal(c.breaker_failure_rate, 25);
	assert_int_equal(c.breaker_failure_window, 8);
	assert_int_equal(c.breaker_pause, 30);
	config_free(&c);
	expect_error("[batchtop]\nbreaker_failure_rate = 101\n" SHARD,
		     NAME ":2: breaker_failure_rate: 101 is out of range "
		     "(allowed: 0..100)");
	expect_error("[ui]\ncolor = no\n[batchtop]\nbreaker_failure_window = 0\n"
		     SHARD, NAME ":4: breaker_failure_window: 0 is out of range "
		     "(allowed: 1..1000)");
	expect_error("[batchtop]\nbreaker_pause = 0\n" SHARD,
		     NAME ":2: breaker_pause: 0 is out of range "
		     "(allowed: 1..86400)");
	expect_error("[batchtop]\nbreaker_consecutive_failures = 5x\n" SHARD,
		     NAME ":2: breaker_consecutive_failures: \"5x\" is not a "
		     "decimal integer (allowed: 0..1000)");
}

/* Every option of the table is described in the man page. */
static void test_man_page(void **state)
{
	const char *top = getenv("top_srcdir");
	char *path, *text;
	FILE *f;
	long len;

	(void)state;
	if (top == NULL)
		top = getenv("srcdir");
	if (top == NULL)
		top = ".";
	path = xasprintf("%s/doc/batchtop.conf.5", top);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot read %s: the options must be documented there", path);
	free(path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	text = malloc((size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	text[len] = '\0';
	fclose(f);
	strip_fonts(text);
	for (size_t i = 0; i < config_option_count(); i++) {
		const char *name = config_option(i)->name;

		if (!has_word(text, name))
			fail_msg("doc/batchtop.conf.5 does not mention %s", name);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_shard_pooler),
		cmocka_unit_test(test_unknown_option),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_bad_integer),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_payment_file_period),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_unknown_section),
		cmocka_unit_test(test_duplicate_shard),
		cmocka_unit_test(test_shard_without_dsn),
		cmocka_unit_test(test_bad_shard_name),
		cmocka_unit_test(test_no_shards),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_control_chars),
		cmocka_unit_test(test_dsn_never_in_errors),
		cmocka_unit_test(test_tilde),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_option_table),
		cmocka_unit_test(test_breaker_options),
		cmocka_unit_test(test_man_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
