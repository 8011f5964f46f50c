/*
 * test_newrelic_client.c - the real New Relic client against the fake
 * NerdGraph server (tests/fake_newrelic.py) over HTTP on 127.0.0.1.
 *
 * tests/integration/newrelic.test starts the server and exports
 * NR_FAKE_URL (http://127.0.0.1:PORT) and NR_FAKE_KEY; without them this
 * program skips (exit 77).  Each test switches the server's mode through
 * POST /control, starts a client with short timeouts, and waits on the
 * wake pipe for the health or the logs answer it expects.  Every text the
 * client hands out (health, reasons, errors, the log file) is collected
 * and, last, searched for the key.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#include <cJSON.h>
#include <curl/curl.h>

#include "data/log.h"
#include "data/newrelic.h"
#include "core/timefmt.h"

static const char *base_url;	/* http://127.0.0.1:PORT */
static const char *fake_key;
static char endpoint[256];
static char log_path[] = "/tmp/test_newrelic_client.log.XXXXXX";
static int wake[2];

/* Every text the client produced, for the final search for the key. */
static char *said;
static size_t said_len;

static void note(const char *text)
{
	size_t n = strlen(text);

	said = realloc(said, said_len + n + 2);
	assert_non_null(said);
	memcpy(said + said_len, text, n);
	said_len += n;
	said[said_len++] = '\n';
	said[said_len] = '\0';
}

/* --- talking to the fake server ------------------------------------------- */

struct buf {
	char *p;
	size_t len;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	size_t n = size * nmemb;

	b->p = realloc(b->p, b->len + n + 1);
	assert_non_null(b->p);
	memcpy(b->p + b->len, ptr, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

/* GET or POST (when body is not NULL) path on the fake server; caller
 * frees the answer. */
static char *fake_http(const char *path, const char *body)
{
	CURL *c = curl_easy_init();
	struct buf b = { 0 };
	char url[300];
	CURLcode rc;

	assert_non_null(c);
	snprintf(url, sizeof url, "%s%s", base_url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		fail_msg("fake server %s: %s", path, curl_easy_strerror(rc));
	return b.p ? b.p : strdup("");
}

static void set_mode(const char *mode)
{
	char body[100];

	snprintf(body, sizeof body, "{\"mode\":\"%s\",\"reset\":true}", mode);
	free(fake_http("/control", body));
}

static int requests_seen(void)
{
	char *s = fake_http("/stats", NULL);
	cJSON *j = cJSON_Parse(s);
	int n;

	assert_non_null(j);
	n = (int)cJSON_GetObjectItemCaseSensitive(j, "graphql_requests")->valuedouble;
	cJSON_Delete(j);
	free(s);
	return n;
}

/* The NRQL of the last request the fake server got. */
static char *last_nrql(void)
{
	char *s = fake_http("/last", NULL);
	cJSON *j = cJSON_Parse(s);
	const cJSON *vars, *nrql, *query, *acct;
	char *out;

	assert_non_null(j);
	query = cJSON_GetObjectItemCaseSensitive(j, "query");
	vars = cJSON_GetObjectItemCaseSensitive(j, "variables");
	nrql = cJSON_GetObjectItemCaseSensitive(vars, "nrql");
	acct = cJSON_GetObjectItemCaseSensitive(vars, "accountId");
	assert_true(cJSON_IsString(query));
	assert_non_null(strstr(query->valuestring, "nrql(query: $nrql, timeout: "));
	assert_true(cJSON_IsString(nrql));
	assert_true(cJSON_IsNumber(acct));
	assert_int_equal(acct->valuedouble, 1234567);
	out = strdup(nrql->valuestring);
	cJSON_Delete(j);
	free(s);
	return out;
}

/* --- the client -------------------------------------------------------------- */

static void test_conf(struct newrelic_conf *c)
{
	newrelic_conf_defaults(c);
	c->account_id = 1234567;
	c->endpoint = endpoint;
	c->allow_insecure_endpoint = true;
	c->connect_timeout_ms = 1000;
	c->request_timeout_ms = 1500;
	c->backoff_max = 1;
	c->poll_interval = 5;
	c->nrql_timeout = 5;
}

static struct newrelic *make(const struct newrelic_conf *c)
{
	char *err = NULL;
	struct newrelic *nr = newrelic_new(c, wake[1], &err);

	if (!nr)
		fail_msg("newrelic_new: %s", err);
	return nr;
}

static struct newrelic *start(const struct newrelic_conf *c)
{
	struct newrelic *nr = make(c);

	assert_int_equal(newrelic_start(nr), 0);
	return nr;
}

static struct newrelic *start_default(void)
{
	struct newrelic_conf c;

	test_conf(&c);
	return start(&c);
}

/* Wait on the wake pipe until the health is in state (and its reason
 * says want, if given); fails after ms.  Returns the health text. */
static char *wait_health(struct newrelic *nr, enum newrelic_state state,
			 const char *want, int ms)
{
	int64_t deadline = mono_ms() + ms;
	static char text[400];

	for (;;) {
		struct newrelic_health h;
		struct pollfd pfd = { .fd = wake[0], .events = POLLIN };
		char drain[64];

		newrelic_read(nr, NULL, &h);
		newrelic_health_text(&h, mono_ms(), text, sizeof text);
		note(text);
		note(h.reason);
		if (h.state == state && (!want || strstr(h.reason, want)))
			return text;
		if (mono_ms() > deadline)
			fail_msg("health is \"%s\", waited %d ms for state %d%s%s",
				 text, ms, state, want ? " saying " : "",
				 want ? want : "");
		if (poll(&pfd, 1, 50) > 0)
			while (read(wake[0], drain, sizeof drain) > 0)
				;
	}
}

static struct newrelic_logs *wait_logs(struct newrelic *nr, unsigned ticket,
				       int ms)
{
	int64_t deadline = mono_ms() + ms;
	struct newrelic_logs *l;

	while (!(l = newrelic_take_logs(nr, ticket))) {
		struct pollfd pfd = { .fd = wake[0], .events = POLLIN };
		char drain[64];

		if (mono_ms() > deadline)
			fail_msg("no logs answer in %d ms", ms);
		if (poll(&pfd, 1, 50) > 0)
			while (read(wake[0], drain, sizeof drain) > 0)
				;
	}
	if (l->error)
		note(l->error);
	return l;
}

static void stop(struct newrelic *nr)
{
	int64_t t0 = mono_ms();

	newrelic_free(nr, 3000);
	/* Stopping is prompt, even with a request in flight. */
	assert_true(mono_ms() - t0 < 1500);
}

/* --- the tests ------------------------------------------------------------------ */

static void test_ok(void **state)
{
	struct newrelic *nr;
	struct newrelic_errors *e = NULL;
	struct newrelic_health h;
	struct newrelic_logs *l;
	unsigned ticket;
	char *nrql, *err = NULL;

	(void)state;
	set_mode("ok");
	nr = start_default();
	assert_string_equal(wait_health(nr, NEWRELIC_OK, NULL, 5000), "ok");
	newrelic_read(nr, &e, &h);
	assert_non_null(e);
	assert_true(h.last_ok_mono != INT64_MIN);
	assert_true(e->fetched_wall > 1600000000000LL);
	assert_null(e->warning);
	assert_int_equal(newrelic_errors_count(e, "B100"), 12);
	assert_int_equal(newrelic_errors_count(e, "B200"), 3);
	assert_int_equal(newrelic_errors_count(e, "B300"), 7);	/* array facet */
	assert_int_equal(newrelic_errors_count(e, "O'Hara\\Co"), 1);
	assert_int_equal(newrelic_errors_count(e, "B999"), 0);
	assert_int_equal(newrelic_errors_count(NULL, "B100"), 0);
	/* The hostile facet arrives sanitized. */
	assert_int_equal(newrelic_errors_count(e, "B\xEF\xBF\xBD[31mRED"), 2);
	for (size_t i = 0; i < e->ncounts; i++)
		assert_null(strchr(e->counts[i].biller_id, '\x1b'));
	newrelic_errors_unref(e);

	/* The NRQL went as a variable, unchanged. */
	nrql = last_nrql();
	assert_string_equal(nrql, NEWRELIC_DEFAULT_ERRORS_NRQL);
	free(nrql);

	/* Logs on request; the biller id is quoted. */
	ticket = newrelic_request_logs(nr, "O'Hara\\", "42", 1700000000000LL, &err);
	assert_true(ticket != 0);
	assert_null(newrelic_take_logs(nr, ticket + 100));
	l = wait_logs(nr, ticket, 5000);
	assert_true(l->ok);
	assert_null(l->error);
	assert_int_equal(l->nlines, 4);
	assert_true(l->lines[0].timestamp_ms == 1700000000123LL);
	assert_string_equal(l->lines[0].level, "ERROR");
	assert_string_equal(l->lines[0].batch_id, "42");
	assert_string_equal(l->lines[1].batch_id, "43");
	assert_null(strchr(l->lines[1].message, '\x1b'));
	assert_null(strchr(l->lines[1].message, '\x07'));
	assert_non_null(strstr(l->lines[1].message, "cleared"));
	assert_string_equal(l->lines[2].level, "");
	/* A line that names no batch comes back with an empty batch id. */
	assert_string_equal(l->lines[3].batch_id, "");
	assert_non_null(strstr(l->lines[3].message, "handshake timeout"));
	newrelic_logs_free(l);
	/* A spent ticket gives nothing. */
	assert_null(newrelic_take_logs(nr, ticket));
	nrql = last_nrql();
	assert_string_equal(nrql, "SELECT timestamp, level, message, batch_id "
			    "FROM Log WHERE biller_id = 'O\\'Hara\\\\' "
			    "SINCE 1700000000000 LIMIT 2000");
	free(nrql);
	stop(nr);
}

static void test_facet_array_and_deprecation(void **state)
{
	struct newrelic *nr;
	struct newrelic_errors *e = NULL;

	(void)state;
	set_mode("facet_array");
	nr = start_default();
	wait_health(nr, NEWRELIC_OK, NULL, 5000);
	newrelic_read(nr, &e, NULL);
	assert_int_equal(e->ncounts, 2);
	assert_int_equal(newrelic_errors_count(e, "B100"), 7);
	assert_int_equal(newrelic_errors_count(e, "B400"), 9);
	newrelic_errors_unref(e);

	/* A deprecation notice beside good data is success with a warning. */
	set_mode("deprecation");
	newrelic_refresh(nr);
	for (int64_t end = mono_ms() + 5000;;) {
		newrelic_read(nr, &e, NULL);
		if (e && e->warning)
			break;
		newrelic_errors_unref(e);
		assert_true(mono_ms() < end);
		usleep(20000);
	}
	note(e->warning);
	assert_non_null(strstr(e->warning, "deprecated"));
	assert_int_equal(newrelic_errors_count(e, "B100"), 12);
	newrelic_errors_unref(e);
	wait_health(nr, NEWRELIC_OK, NULL, 100);
	stop(nr);
}

/* A transient failure is retried with backoff, and recovers. */
static void check_retried(const char *mode, const char *want)
{
	struct newrelic *nr;
	char *text;
	int64_t t0;

	set_mode(mode);
	nr = start_default();
	text = wait_health(nr, NEWRELIC_ERROR, want, 5000);
	assert_non_null(strstr(text, "error: "));
	/* Tried again within the capped backoff (1 s +20%). */
	t0 = mono_ms();
	while (requests_seen() < 2) {
		assert_true(mono_ms() - t0 < 3000);
		usleep(50000);
	}
	set_mode("ok");
	t0 = mono_ms();
	wait_health(nr, NEWRELIC_OK, NULL, 3000);
	assert_true(mono_ms() - t0 < 3000);
	stop(nr);
}

static void test_rate_limited(void **state)
{
	(void)state;
	check_retried("rate_limited", "New Relic is rate limiting us (429)");
}

static void test_too_many_requests(void **state)
{
	(void)state;
	check_retried("too_many_requests", "(TOO_MANY_REQUESTS)");
}

static void test_timeout_class(void **state)
{
	(void)state;
	check_retried("timeout", "(TIMEOUT)");
}

static void test_server_error(void **state)
{
	(void)state;
	check_retried("server_error", "New Relic server error (HTTP 500)");
}

/* A failure that would fail again the same way is not retried. */
static void check_not_retried(const char *mode, const char *want)
{
	struct newrelic *nr;

	set_mode(mode);
	nr = start_default();
	wait_health(nr, NEWRELIC_ERROR, want, 5000);
	usleep(2500000);	/* more than two backoffs */
	assert_int_equal(requests_seen(), 1);
	stop(nr);
}

static void test_bad_key(void **state)
{
	struct newrelic_conf c;
	struct newrelic *nr;
	struct newrelic_health h;
	char *text;

	(void)state;
	/* Retried, but slowly: not within two transient backoffs. */
	check_not_retried("bad_key", "New Relic rejected the API key (401)");

	/* A wrong key, to a server in good health.  (The environment is
	 * changed only while no thread runs: curl reads it too.) */
	set_mode("ok");
	setenv(NEWRELIC_KEY_ENV, "NRAK-WRONG", 1);
	test_conf(&c);
	nr = make(&c);
	setenv(NEWRELIC_KEY_ENV, fake_key, 1);
	assert_int_equal(newrelic_start(nr), 0);
	text = wait_health(nr, NEWRELIC_ERROR, "rejected the API key (401)", 5000);
	{
		static const char want[] =
			"error: New Relic rejected the API key (401) (retry in ";

		assert_int_equal(strncmp(text, want, strlen(want)), 0);
	}
	newrelic_read(nr, NULL, &h);
	assert_true(h.key_rejected);
	assert_true(h.retry_mono != INT64_MIN);
	stop(nr);
}

static void test_bad_key_then_refresh(void **state)
{
	struct newrelic *nr;

	(void)state;
	set_mode("bad_key");
	nr = start_default();
	wait_health(nr, NEWRELIC_ERROR, "(401)", 5000);
	set_mode("ok");
	newrelic_refresh(nr);
	wait_health(nr, NEWRELIC_OK, NULL, 3000);
	stop(nr);
}

/* A key refused once is tried again by itself (after poll_interval, 5 s
 * here) and the client recovers without a refresh. */
static void test_bad_key_recovers(void **state)
{
	struct newrelic *nr;
	struct newrelic_health h;
	int64_t t0;

	(void)state;
	set_mode("ok");
	free(fake_http("/control", "{\"reject_next\":1}"));
	nr = start_default();
	wait_health(nr, NEWRELIC_ERROR, "(401)", 5000);
	newrelic_read(nr, NULL, &h);
	assert_true(h.key_rejected);
	assert_true(h.retry_mono > mono_ms());
	t0 = mono_ms();
	wait_health(nr, NEWRELIC_OK, NULL, 15000);
	note("recovered from a refused key by itself");
	assert_true(mono_ms() - t0 >= 2000);	/* slowly, not at once */
	assert_int_equal(requests_seen(), 2);
	newrelic_read(nr, NULL, &h);
	assert_false(h.key_rejected);
	stop(nr);
}

static void test_syntax_error(void **state)
{
	(void)state;
	check_not_retried("syntax_error", "NRQL Syntax Error");
}

static void test_hang(void **state)
{
	struct newrelic_conf c;
	struct newrelic *nr;
	int64_t t0;

	(void)state;
	set_mode("hang");
	test_conf(&c);
	c.request_timeout_ms = 1000;
	t0 = mono_ms();
	nr = start(&c);
	wait_health(nr, NEWRELIC_ERROR, "no answer from New Relic in 1000 ms", 3000);
	assert_true(mono_ms() - t0 >= 900);
	assert_true(mono_ms() - t0 < 2000);
	stop(nr);
}

static void test_stop_in_flight(void **state)
{
	struct newrelic_conf c;
	struct newrelic *nr;

	(void)state;
	set_mode("hang");
	test_conf(&c);
	c.request_timeout_ms = 20000;
	nr = start(&c);
	while (requests_seen() < 1)
		usleep(20000);
	usleep(100000);
	stop(nr);	/* asserts it took under 1.5 s */
}

static void check_bad(const char *mode, const char *want, size_t cap)
{
	struct newrelic_conf c;
	struct newrelic *nr;

	set_mode(mode);
	test_conf(&c);
	if (cap)
		c.max_response_bytes = cap;
	nr = start(&c);
	wait_health(nr, NEWRELIC_ERROR, want, 5000);
	stop(nr);
}

static void test_huge(void **state)
{
	(void)state;
	check_bad("huge", "response larger than 65536 bytes", 65536);
	check_bad("huge", "response larger than 4194304 bytes", 0);
}

static void test_deep(void **state)
{
	(void)state;
	check_bad("deep", "nested deeper than 32 levels", 0);
}

static void test_truncated(void **state)
{
	(void)state;
	check_bad("truncated", "not a JSON object", 0);
}

static void test_redirect(void **state)
{
	(void)state;
	check_bad("redirect", "unexpected redirect (HTTP 302)", 0);
	assert_int_equal(requests_seen(), 1);
}

static void test_logs_failures(void **state)
{
	struct newrelic *nr;
	struct newrelic_logs *l;
	unsigned t[NEWRELIC_MAX_REQUESTS + 1];
	char *err = NULL;

	(void)state;
	set_mode("syntax_error");
	nr = start_default();
	wait_health(nr, NEWRELIC_ERROR, "Syntax", 5000);

	t[0] = newrelic_request_logs(nr, "B1", NULL, 0, &err);
	assert_true(t[0] != 0);
	l = wait_logs(nr, t[0], 5000);
	assert_false(l->ok);
	assert_non_null(strstr(l->error, "NRQL Syntax Error"));
	assert_int_equal(l->nlines, 0);
	newrelic_logs_free(l);

	/* Values that cannot be quoted fail at once. */
	assert_int_equal(newrelic_request_logs(nr, "B1\nSELECT", NULL, 0, &err), 0);
	assert_non_null(strstr(err, "control character"));
	note(err);
	free(err);
	assert_int_equal(newrelic_request_logs(nr, "B1", NULL, -5, &err), 0);
	note(err);
	free(err);

	/* At most NEWRELIC_MAX_REQUESTS wait; a cancelled one frees a slot. */
	set_mode("hang");
	for (int i = 0; i < NEWRELIC_MAX_REQUESTS; i++) {
		t[i] = newrelic_request_logs(nr, "B1", NULL, 0, &err);
		assert_true(t[i] != 0);
	}
	t[NEWRELIC_MAX_REQUESTS] = newrelic_request_logs(nr, "B1", NULL, 0, &err);
	assert_int_equal(t[NEWRELIC_MAX_REQUESTS], 0);
	assert_non_null(strstr(err, "already waiting"));
	note(err);
	free(err);
	usleep(200000);		/* the first one is in flight now */
	newrelic_cancel_logs(nr, t[0]);
	newrelic_cancel_logs(nr, t[1]);
	t[0] = newrelic_request_logs(nr, "B1", NULL, 0, &err);
	assert_true(t[0] != 0);
	stop(nr);		/* with requests queued and one running */
}

static void test_refused_configs(void **state)
{
	struct newrelic_conf c;
	char key_path[] = "/tmp/test_newrelic_key.XXXXXX";
	struct newrelic *nr;
	char *err = NULL;
	char content[200];
	int fd;

	(void)state;
	/* Plain http needs allow_insecure_endpoint. */
	test_conf(&c);
	c.allow_insecure_endpoint = false;
	assert_null(newrelic_new(&c, wake[1], &err));
	assert_non_null(strstr(err, "plain http"));
	assert_non_null(strstr(err, "allow_insecure_endpoint"));
	note(err);
	free(err);

	/* Other configuration mistakes. */
	test_conf(&c);
	c.account_id = 0;
	assert_null(newrelic_new(&c, wake[1], &err));
	assert_non_null(strstr(err, "account_id"));
	free(err);
	test_conf(&c);
	c.logs_nrql = "SELECT * FROM Log WHERE b = {biller}";
	assert_null(newrelic_new(&c, wake[1], &err));
	assert_string_equal(err, "logs_nrql: unknown placeholder {biller} in an "
			    "NRQL template (known: {biller_id}, {batch_id}, {since})");
	free(err);
	test_conf(&c);
	c.errors_nrql = "SELECT count(*) FROM T WHERE b = {biller_id}";
	assert_null(newrelic_new(&c, wake[1], &err));
	assert_non_null(strstr(err, "errors_nrql: {biller_id} has no value"));
	free(err);
	test_conf(&c);
	c.endpoint = "ftp://example.com/graphql";
	assert_null(newrelic_new(&c, wake[1], &err));
	assert_non_null(strstr(err, "must be an https:// URL"));
	free(err);

	/* A key file others can read is refused, like ssh does. */
	fd = mkstemp(key_path);
	assert_true(fd >= 0);
	snprintf(content, sizeof content, "%s\n  \n", fake_key);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	assert_int_equal(chmod(key_path, 0644), 0);
	test_conf(&c);
	c.api_key_file = key_path;
	assert_null(newrelic_new(&c, wake[1], &err));
	snprintf(content, sizeof content,
		 "api_key_file %s is readable by others; chmod 600 it", key_path);
	assert_string_equal(err, content);
	note(err);
	free(err);
	assert_int_equal(chmod(key_path, 0640), 0);
	assert_null(newrelic_new(&c, wake[1], &err));
	assert_non_null(strstr(err, "chmod 600"));
	free(err);

	/* At 0600 it works, trailing white space and all (and the file wins
	 * over a wrong key in the environment). */
	assert_int_equal(chmod(key_path, 0600), 0);
	set_mode("ok");
	setenv(NEWRELIC_KEY_ENV, "NRAK-WRONG", 1);
	nr = make(&c);
	setenv(NEWRELIC_KEY_ENV, fake_key, 1);
	assert_int_equal(newrelic_start(nr), 0);
	wait_health(nr, NEWRELIC_OK, NULL, 5000);
	stop(nr);

	/* An empty key file. */
	assert_int_equal(truncate(key_path, 0), 0);
	assert_null(newrelic_new(&c, wake[1], &err));
	assert_non_null(strstr(err, "is empty"));
	free(err);
	unlink(key_path);
	assert_null(newrelic_new(&c, wake[1], &err));
	assert_non_null(strstr(err, "cannot open api_key_file"));
	free(err);

	/* No key at all. */
	test_conf(&c);
	unsetenv(NEWRELIC_KEY_ENV);
	assert_null(newrelic_new(&c, wake[1], &err));
	assert_string_equal(err, "no New Relic API key: set NEW_RELIC_API_KEY "
			    "or api_key_file");
	free(err);
	setenv(NEWRELIC_KEY_ENV, "bad key with spaces", 1);
	assert_null(newrelic_new(&c, wake[1], &err));
	assert_non_null(strstr(err, "holds spaces"));
	assert_null(strstr(err, "bad key"));
	free(err);
	setenv(NEWRELIC_KEY_ENV, fake_key, 1);
}

static void test_not_configured(void **state)
{
	struct newrelic_conf c;

	(void)state;
	newrelic_conf_defaults(&c);
	assert_false(newrelic_configured(&c));
	assert_string_equal(newrelic_url(&c), NEWRELIC_URL_US);
	c.region = "EU";
	assert_string_equal(newrelic_url(&c), NEWRELIC_URL_EU);
	c.api_key_file = "/nonexistent";
	assert_true(newrelic_configured(&c));
}

/* Last: the key was never in anything the client said or logged. */
/* Credentials and tokens in the endpoint URL stay out of the log. */
static void test_url_never_logged(void **state)
{
	struct newrelic_conf c;
	struct newrelic *nr;
	char url[300], line[4096];
	const char *hostport = base_url + strlen("http://");
	bool seen = false;
	FILE *f;

	(void)state;
	set_mode("ok");
	snprintf(url, sizeof url, "http://bob:urlpw-4242@%s/graphql"
		 "?token=urltok-5151#urlfrag-6161", hostport);
	test_conf(&c);
	c.endpoint = url;
	nr = start(&c);
	wait_health(nr, NEWRELIC_OK, NULL, 5000);
	stop(nr);
	log_flush();
	f = fopen(log_path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		assert_null(strstr(line, "urlpw-4242"));
		assert_null(strstr(line, "urltok-5151"));
		assert_null(strstr(line, "urlfrag-6161"));
		assert_null(strstr(line, "bob"));
		if (strstr(line, "polling http://***@") &&
		    strstr(line, "/graphql?***#***"))
			seen = true;
	}
	fclose(f);
	assert_true(seen);	/* the URL was logged, redacted */
}

static void test_key_never_shown(void **state)
{
	FILE *f;
	char line[4096];
	size_t lines = 0;

	(void)state;
	log_flush();
	f = fopen(log_path, "r");
	assert_non_null(said);
	assert_null(strstr(said, fake_key));
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		lines++;
		assert_null(strstr(line, fake_key));
	}
	fclose(f);
	assert_true(lines > 10);	/* the log did record the failures */
	unlink(log_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_configured),
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_facet_array_and_deprecation),
		cmocka_unit_test(test_rate_limited),
		cmocka_unit_test(test_too_many_requests),
		cmocka_unit_test(test_timeout_class),
		cmocka_unit_test(test_server_error),
		cmocka_unit_test(test_bad_key),
		cmocka_unit_test(test_bad_key_then_refresh),
		cmocka_unit_test(test_bad_key_recovers),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_hang),
		cmocka_unit_test(test_stop_in_flight),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_redirect),
		cmocka_unit_test(test_logs_failures),
		cmocka_unit_test(test_refused_configs),
		cmocka_unit_test(test_url_never_logged),
		cmocka_unit_test(test_key_never_shown),
	};
	int fd, rc;

	base_url = getenv("NR_FAKE_URL");
	fake_key = getenv("NR_FAKE_KEY");
	if (!base_url || !*base_url || !fake_key || strlen(fake_key) < 8) {
		fprintf(stderr, "NR_FAKE_URL and NR_FAKE_KEY are not set: run "
			"tests/integration/newrelic.test\n");
		return 77;
	}
	snprintf(endpoint, sizeof endpoint, "%s/graphql", base_url);
	setenv(NEWRELIC_KEY_ENV, fake_key, 1);
	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return 99;
	fd = mkstemp(log_path);
	if (fd < 0)
		return 99;
	close(fd);
	if (log_open(log_path, LOG_DEBUG) < 0)
		return 99;
	if (newrelic_global_init() < 0)
		return 99;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	newrelic_global_cleanup();
	log_close();
	free(said);
	return rc;
}
