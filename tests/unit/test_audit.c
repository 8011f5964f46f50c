/*
 * test_audit.c - the audit trail (src/write/audit.c): each line is one escaped
 * JSON object, the file and its directories are private, a failed write
 * is reported, `batchtop audit` prints a table and skips bad lines with
 * their number, and the operator's identity is reduced to safe characters.
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

#include <cJSON.h>
#include <cmocka.h>

#include "write/audit.h"
#include "core/xalloc.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/bt-audit-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_format(void **state)
{
	struct audit_entry e = {
		.event = "request", .screen = "grid", .shard = "east",
		.kind = "batch_close", .target = "b\"1\\\n\x1b[2J\u00e9",
		.reason = "why \"not\"", .outcome = "sending", .request_id = 42,
	};
	char *line = audit_format(&e, 1700000000123LL, "alice", "10.1.2.3");
	cJSON *o = cJSON_Parse(line);
	const cJSON *v;

	(void)state;
	assert_non_null(o);
	assert_null(strchr(line, '\n'));
	assert_string_equal(cJSON_GetObjectItem(o, "time")->valuestring,
			    "2023-11-14T22:13:20.123Z");
	assert_string_equal(cJSON_GetObjectItem(o, "user")->valuestring, "alice");
	assert_string_equal(cJSON_GetObjectItem(o, "origin")->valuestring, "10.1.2.3");
	assert_string_equal(cJSON_GetObjectItem(o, "kind")->valuestring, "batch_close");
	v = cJSON_GetObjectItem(o, "target");
	/* Quotes and backslashes survive; control characters do not. */
	assert_non_null(strstr(v->valuestring, "b\"1\\"));
	assert_null(strchr(v->valuestring, '\x1b'));
	assert_null(strchr(v->valuestring, '\n'));
	assert_non_null(strstr(v->valuestring, "\u00e9"));
	assert_int_equal((int)cJSON_GetObjectItem(o, "request_id")->valuedouble, 42);
	assert_null(cJSON_GetObjectItem(o, "detail"));	/* NULL is left out */
	cJSON_Delete(o);
	free(line);

	line = audit_format(&e, 0, "bob", "");
	o = cJSON_Parse(line);
	assert_string_equal(cJSON_GetObjectItem(o, "origin")->valuestring, "local");
	cJSON_Delete(o);
	free(line);
}

static void test_append(void **state)
{
	char path[160], err[300], buf[4096];
	struct audit_entry e = { .event = "confirm", .target = "t1",
				 .outcome = "confirmed" };
	struct stat st;
	FILE *fp;
	int lines = 0;

	(void)state;
	snprintf(path, sizeof path, "%s/state/batchtop/audit.log", dir);
	assert_int_equal(audit_append(path, &e, err, sizeof err), 0);
	e.event = "outcome";
	e.outcome = "created";
	assert_int_equal(audit_append(path, &e, err, sizeof err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(buf, sizeof buf, "%s/state/batchtop", dir);
	assert_int_equal(stat(buf, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(buf, sizeof buf, fp)) {
		cJSON *o = cJSON_Parse(buf);

		assert_non_null(o);
		cJSON_Delete(o);
		lines++;
	}
	fclose(fp);
	assert_int_equal(lines, 2);

	/* A directory that cannot be made: the caller hears it. */
	snprintf(path, sizeof path, "%s/state/batchtop/audit.log/x/audit.log", dir);
	assert_int_equal(audit_append(path, &e, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot"));
	assert_int_equal(audit_append(NULL, &e, err, sizeof err), -1);
}

/* A batch of lines: one fsync for all of them, each a whole JSON line in
 * order, and `batchtop audit` prints every one. */
static void test_append_many(void **state)
{
	char path[160], err[300], buf[4096], out[160];
	struct audit_entry e[300];
	char targets[300][16];
	unsigned long before = audit_fsync_count();
	FILE *fp, *o, *ep;
	int lines = 0;

	(void)state;
	for (int i = 0; i < 300; i++) {
		snprintf(targets[i], sizeof targets[i], "t%d", i);
		e[i] = (struct audit_entry){ .event = "abandon", .target = targets[i],
					    .outcome = "abandoned" };
	}
	snprintf(path, sizeof path, "%s/many.log", dir);
	assert_int_equal(audit_append_many(path, e, 300, err, sizeof err), 0);
	assert_int_equal(audit_fsync_count() - before, 1);
	assert_int_equal(audit_append_many(path, e, 0, err, sizeof err), 0);
	assert_int_equal(audit_fsync_count() - before, 1);	/* nothing: no sync */
	assert_int_equal(audit_append(path, &e[0], err, sizeof err), 0);
	assert_int_equal(audit_fsync_count() - before, 2);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(buf, sizeof buf, fp)) {
		cJSON *obj = cJSON_Parse(buf);
		char want[16];

		assert_non_null(obj);
		snprintf(want, sizeof want, "t%d", lines % 300);
		assert_string_equal(cJSON_GetObjectItem(obj, "target")->valuestring,
				    want);
		cJSON_Delete(obj);
		lines++;
	}
	fclose(fp);
	assert_int_equal(lines, 301);

	snprintf(out, sizeof out, "%s/many.out", dir);
	o = fopen(out, "w+");
	ep = fopen("/dev/null", "w");
	assert_int_equal(audit_print(path, o, ep, 0), 0);
	rewind(o);
	lines = 0;
	while (fgets(buf, sizeof buf, o))
		if (strstr(buf, "abandoned"))
			lines++;
	fclose(o);
	fclose(ep);
	assert_int_equal(lines, 301);
}

static void test_print(void **state)
{
	char path[160], out[160], errp[160], buf[8192];
	FILE *fp, *o, *e;
	size_t n;

	(void)state;
	snprintf(path, sizeof path, "%s/print.log", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	snprintf(errp, sizeof errp, "%s/err", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("{\"time\":\"2026-11-05T23:41:07.123Z\",\"user\":\"alice\","
	      "\"origin\":\"10.1.2.3\",\"event\":\"outcome\",\"shard\":\"east\","
	      "\"kind\":\"batch_close\",\"target\":\"b-7\",\"outcome\":\"created\","
	      "\"detail\":\"queued\",\"request_id\":12}\n", fp);
	fputs("this is not json\n", fp);
	fputs("[1,2]\n", fp);
	fputs("{\"time\":\"2026-11-05T23:42:00.000Z\",\"user\":\"bob\","
	      "\"event\":\"cancel\",\"target\":\"b-8\",\"outcome\":\"cancelled\"}\n", fp);
	fclose(fp);
	o = fopen(out, "w+");
	e = fopen(errp, "w+");
	assert_int_equal(audit_print(path, o, e, 132), 0);
	rewind(o);
	n = fread(buf, 1, sizeof buf - 1, o);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "TIME"));
	assert_non_null(strstr(buf, "alice@10.1.2.3"));
	assert_non_null(strstr(buf, "created"));
	assert_non_null(strstr(buf, "outcome #12: queued"));
	assert_non_null(strstr(buf, "cancelled"));
	rewind(e);
	n = fread(buf, 1, sizeof buf - 1, e);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "print.log:2:"));
	assert_non_null(strstr(buf, "print.log:3:"));
	fclose(o);
	fclose(e);

	e = fopen(errp, "w+");
	snprintf(path, sizeof path, "%s/missing.log", dir);
	assert_int_equal(audit_print(path, stdout, e, 0), BT_EXIT_NOINPUT);
	fclose(e);
}

/* Piped, every value whole (tab-separated); on a terminal, the table is
 * cut to its width. */
static void test_print_whole_or_fit(void **state)
{
	static const char target[] = "B-2026-11-05-card-autopay-eastern-long-id-77";
	static const char detail[] = "rerun of batch B-2026-11-05-card-autopay-"
		"eastern-long-id-77 requested by alice@10.1.2.3; the batch-close "
		"worker will pick it up";
	char path[160], out[160], buf[8192], *line2;
	FILE *fp, *o, *e;
	size_t n;

	(void)state;
	snprintf(path, sizeof path, "%s/whole.log", dir);
	snprintf(out, sizeof out, "%s/whole.out", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "{\"time\":\"2026-11-05T23:41:07.123Z\",\"user\":"
		"\"a-rather-long-operator-name\",\"origin\":\"10.1.2.3\","
		"\"event\":\"outcome\",\"shard\":\"east\",\"kind\":"
		"\"batch_close\",\"target\":\"%s\",\"outcome\":\"created\","
		"\"detail\":\"%s\",\"request_id\":4711}\n", target, detail);
	fclose(fp);
	e = fopen("/dev/null", "w");

	o = fopen(out, "w+");
	assert_int_equal(audit_print(path, o, e, 0), 0);
	rewind(o);
	n = fread(buf, 1, sizeof buf - 1, o);
	buf[n] = '\0';
	fclose(o);
	assert_non_null(strstr(buf, "TIME\tUSER\tSHARD\tKIND\tTARGET\tOUTCOME\t"
			       "DETAIL\n"));
	assert_non_null(strstr(buf, "\ta-rather-long-operator-name@10.1.2.3\t"));
	assert_non_null(strstr(buf, "\t" "batch_close\t"));
	assert_non_null(strstr(buf, target));
	assert_non_null(strstr(buf, detail));
	assert_null(strstr(buf, "~"));

	o = fopen(out, "w+");
	assert_int_equal(audit_print(path, o, e, 132), 0);
	rewind(o);
	n = fread(buf, 1, sizeof buf - 1, o);
	buf[n] = '\0';
	fclose(o);
	assert_null(strstr(buf, target));	/* cut to its column */
	assert_null(strstr(buf, "\t"));
	line2 = strchr(buf, '\n');
	assert_non_null(line2);
	line2++;
	{
		size_t chars = 0;	/* code points before the newline */

		for (const char *c = line2; *c && *c != '\n'; c++)
			chars += ((unsigned char)*c & 0xC0) != 0x80;
		assert_true(chars <= 132);
		assert_true(chars > 100);
	}
	assert_non_null(strstr(line2, "outcome #4711"));
	fclose(e);
}

static void test_who(void **state)
{
	char user[80], origin[80];

	(void)state;
	setenv("SSH_CONNECTION", "10.1.2.3 50022 10.0.0.5 22", 1);
	audit_who(user, sizeof user, origin, sizeof origin);
	assert_string_equal(origin, "10.1.2.3");
	assert_true(strlen(user) > 0);
	setenv("SSH_CONNECTION", "fe80::1%eth0 50022 fe80::2 22", 1);
	audit_who(user, sizeof user, origin, sizeof origin);
	assert_string_equal(origin, "fe80::1%eth0");
	setenv("SSH_CONNECTION", "1.2.3.4\x1b[2J\"x 1 2 3", 1);
	audit_who(user, sizeof user, origin, sizeof origin);
	assert_null(strchr(origin, '\x1b'));
	assert_null(strchr(origin, '"'));
	unsetenv("SSH_CONNECTION");
	setenv("SSH_CLIENT", "192.0.2.9 1 22", 1);
	audit_who(user, sizeof user, origin, sizeof origin);
	assert_string_equal(origin, "192.0.2.9");
	unsetenv("SSH_CLIENT");
	audit_who(user, sizeof user, origin, sizeof origin);
	assert_string_equal(origin, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_append_many),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_print_whole_or_fit),
		cmocka_unit_test(test_who),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
