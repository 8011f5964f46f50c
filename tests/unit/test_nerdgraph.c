/*
 * test_nerdgraph.c - unit tests for NRQL quoting and templates, the
 * NerdGraph request body and the response parser.
 *
 * The injection tests do not just compare strings: they read the quoted
 * literal back the way an NRQL parser would (backslash escapes, ends at
 * the first unescaped quote) and check that it holds exactly the value and
 * that the query goes on exactly as the template says.  The response tests
 * cover every wire shape the client meets: FACET rows with string and
 * array facets, log rows, errors with HTTP 200, 401, 429 and 5xx, errors
 * next to data, deprecation notices, and bodies that are cut, too deep or
 * not JSON at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cJSON.h>

#include "data/nerdgraph.h"
#include "core/text.h"

/* --- NRQL text ------------------------------------------------------------ */

/* Read an NRQL string literal at s (which must start with a quote) the
 * way NRQL does; returns the value (caller frees) and sets *end past the
 * closing quote, or NULL if the literal does not end. */
static char *read_literal(const char *s, const char **end)
{
	char *out = malloc(strlen(s) + 1);
	size_t n = 0;

	assert_non_null(out);
	assert_int_equal(s[0], '\'');
	for (s++; *s; s++) {
		if (*s == '\\' && s[1]) {
			out[n++] = *++s;
		} else if (*s == '\'') {
			out[n] = '\0';
			*end = s + 1;
			return out;
		} else {
			out[n++] = *s;
		}
	}
	free(out);
	return NULL;
}

static void check_quote(const char *in, const char *want)
{
	char *q = nrql_quote(in);
	const char *end;
	char *back;

	assert_non_null(q);
	assert_string_equal(q, want);
	back = read_literal(q, &end);
	assert_non_null(back);
	assert_string_equal(back, in);
	assert_string_equal(end, "");
	free(back);
	free(q);
}

static void test_quote(void **state)
{
	(void)state;
	check_quote("", "''");
	check_quote("B100", "'B100'");
	check_quote("O'Hara", "'O\\'Hara'");
	check_quote("a\\b", "'a\\\\b'");
	check_quote("\\'", "'\\\\\\''");	/* \' -> \\\' */
	check_quote("'", "'\\''");
	check_quote("ends with \\", "'ends with \\\\'");
	check_quote("\"double\" quotes", "'\"double\" quotes'");
	check_quote("Zürich 日本 \xF0\x9F\x92\xB8", "'Zürich 日本 \xF0\x9F\x92\xB8'");
	check_quote("{biller_id}", "'{biller_id}'");
}

static void test_quote_refuses(void **state)
{
	(void)state;
	assert_null(nrql_quote("line\nbreak"));
	assert_null(nrql_quote("cr\r"));
	assert_null(nrql_quote("tab\t"));
	assert_null(nrql_quote("esc\x1b[2J"));
	assert_null(nrql_quote("del\x7f"));
	assert_null(nrql_quote("bad \xff utf-8"));
	assert_null(nrql_quote("overlong \xc0\xaf"));
	assert_null(nrql_quote("surrogate \xed\xa0\x80"));
	assert_null(nrql_quote("cut \xe6\x97"));
}

static char *expand_ok(const char *tmpl, const struct nrql_vars *v)
{
	char *err = NULL;
	char *out = nrql_expand(tmpl, v, &err);

	if (!out)
		fail_msg("nrql_expand(%s): %s", tmpl, err);
	assert_null(err);
	return out;
}

static void expand_fails(const char *tmpl, const struct nrql_vars *v,
			 const char *want_in_err)
{
	char *err = NULL;
	char *out = nrql_expand(tmpl, v, &err);

	assert_null(out);
	assert_non_null(err);
	if (!strstr(err, want_in_err))
		fail_msg("error \"%s\" does not say \"%s\"", err, want_in_err);
	free(err);
}

static void test_template(void **state)
{
	struct nrql_vars v = {
		.biller_id = "B100", .batch_id = "42",
		.since_ms = 1700000000000, .has_since = 1,
	};
	char *q;

	(void)state;
	q = expand_ok("SELECT * FROM Log WHERE biller_id = {biller_id} AND "
		      "batch_id = {batch_id} SINCE {since}", &v);
	assert_string_equal(q, "SELECT * FROM Log WHERE biller_id = 'B100' AND "
			    "batch_id = '42' SINCE 1700000000000");
	free(q);

	/* No placeholders, and braces that are not placeholders. */
	q = expand_ok("SELECT count(*) FROM T", NULL);
	assert_string_equal(q, "SELECT count(*) FROM T");
	free(q);
	q = expand_ok("a {} b { since } c {since d {-x} e }", &v);
	assert_string_equal(q, "a {} b { since } c {since d {-x} e }");
	free(q);
	q = expand_ok("{since}{since}", &v);
	assert_string_equal(q, "17000000000001700000000000");
	free(q);
	v.since_ms = 0;
	q = expand_ok("SINCE {since}", &v);
	assert_string_equal(q, "SINCE 0");
	free(q);
}

static void test_template_errors(void **state)
{
	struct nrql_vars v = {
		.biller_id = "B100", .batch_id = NULL,
		.since_ms = 5, .has_since = 1,
	};
	char big[NRQL_MAX_LEN + 2];

	(void)state;
	expand_fails("WHERE x = {bill_id}", &v, "unknown placeholder {bill_id}");
	expand_fails("{BILLER_ID}", &v, "unknown placeholder {BILLER_ID}");
	expand_fails("WHERE x = {batch_id}", &v, "{batch_id} has no value");
	expand_fails("WHERE x = {biller_id}", NULL, "{biller_id} has no value");
	expand_fails("SINCE {since}", NULL, "{since} has no value");
	v.since_ms = -1;
	expand_fails("SINCE {since}", &v, "{since} must be");
	v.since_ms = 5;
	v.biller_id = "evil\nSELECT";
	expand_fails("WHERE b = {biller_id}", &v, "control character");
	v.biller_id = "B1";
	v.batch_id = "\xff";
	expand_fails("WHERE b = {batch_id}", &v, "invalid UTF-8");

	/* A name too long to echo is cut; control characters in it are
	 * impossible (not name characters), so it stays one line. */
	expand_fails("{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}", &v,
		     "{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa~}");

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	expand_fails(big, &v, "at most 4095");
	big[NRQL_MAX_LEN] = '\0';
	free(expand_ok(big, &v));
}

/* A biller id crafted to end the literal early must stay inside it. */
static void test_template_injection(void **state)
{
	static const char *const evil[] = {
		"x' OR biller_id = 'y",
		"x\\' OR true OR '",
		"\\",
		"'; DROP",
		"x\\\\' FACET appName --",
	};
	const char *tmpl = "SELECT message FROM Log WHERE biller_id = {biller_id} "
			   "SINCE {since} LIMIT 10";
	const char *prefix = "SELECT message FROM Log WHERE biller_id = ";

	(void)state;
	for (size_t i = 0; i < sizeof evil / sizeof *evil; i++) {
		struct nrql_vars v = {
			.biller_id = evil[i], .since_ms = 99, .has_since = 1,
		};
		char *q = expand_ok(tmpl, &v);
		const char *end;
		char *lit;

		assert_memory_equal(q, prefix, strlen(prefix));
		lit = read_literal(q + strlen(prefix), &end);
		assert_non_null(lit);
		assert_string_equal(lit, evil[i]);
		assert_string_equal(end, " SINCE 99 LIMIT 10");
		free(lit);
		free(q);
	}
}

/* --- the request ------------------------------------------------------------ */

static void test_request_body(void **state)
{
	const char *nrql = "SELECT * FROM Log WHERE biller_id = 'O\\'Hara' "
			   "AND m = \"dq\" AND u = 'Zürich' SINCE 5";
	char *body = ng_request_body(1234567, nrql, 30);
	cJSON *root = cJSON_Parse(body);
	const cJSON *query, *vars;

	(void)state;
	assert_non_null(root);
	query = cJSON_GetObjectItemCaseSensitive(root, "query");
	vars = cJSON_GetObjectItemCaseSensitive(root, "variables");
	assert_true(cJSON_IsString(query));
	assert_true(cJSON_IsObject(vars));
	/* The NRQL travels as a variable, never inside the document. */
	assert_non_null(strstr(query->valuestring, "$nrql: Nrql!"));
	assert_non_null(strstr(query->valuestring, "$accountId: Int!"));
	assert_non_null(strstr(query->valuestring, "nrql(query: $nrql, timeout: 30)"));
	assert_non_null(strstr(query->valuestring, "{ results }"));
	assert_null(strstr(query->valuestring, "SELECT"));
	assert_string_equal(
		cJSON_GetObjectItemCaseSensitive(vars, "nrql")->valuestring, nrql);
	assert_int_equal(
		cJSON_GetObjectItemCaseSensitive(vars, "accountId")->valuedouble,
		1234567);
	cJSON_Delete(root);
	free(body);

	/* Timeouts are kept within what NerdGraph takes. */
	body = ng_request_body(1, "SELECT 1", 0);
	assert_non_null(strstr(body, "timeout: 1)"));
	free(body);
	body = ng_request_body(1, "SELECT 1", 100000);
	assert_non_null(strstr(body, "timeout: 600)"));
	free(body);
}

/* --- the response ------------------------------------------------------------ */

static void parse(long status, const char *body, enum ng_kind kind,
		  struct ng_response *r)
{
	ng_parse_response(status, body, body ? strlen(body) : 0, kind, r);
}

static void expect(long status, const char *body, enum ng_status want,
		   const char *want_in_msg)
{
	struct ng_response r;

	parse(status, body, NG_FACET_COUNTS, &r);
	if (r.status != want)
		fail_msg("HTTP %ld %.60s: got %s (%s), want %s", status,
			 body ? body : "(null)", ng_status_name(r.status),
			 r.message ? r.message : "", ng_status_name(want));
	if (want_in_msg) {
		assert_non_null(r.message);
		if (!strstr(r.message, want_in_msg))
			fail_msg("message \"%s\" does not say \"%s\"",
				 r.message, want_in_msg);
	}
	ng_response_free(&r);
}

#define RESULTS(rows) "{\"data\":{\"actor\":{\"account\":{\"nrql\":{\"results\":" \
	rows "}}}}}"
#define NULL_NRQL "\"data\":{\"actor\":{\"account\":{\"nrql\":null}}}"

static void test_facets(void **state)
{
	struct ng_response r;

	(void)state;
	parse(200, RESULTS("["
		"{\"biller_id\":\"B100\",\"count\":12,\"facet\":\"B100\"},"
		"{\"facet\":\"B200\",\"count\":3,\"unknown\":{\"x\":[1]}},"
		"{\"facet\":[\"B300\",\"batch-close\"],\"count\":7},"
		"{\"facet\":[\"B300\",\"autopay\"],\"count\":1},"
		"{\"facet\":42,\"count\":2},"
		"{\"facet\":\"B050\",\"errors\":5},"
		"{\"facet\":null,\"count\":9},"
		"{\"facet\":\"nocount\"},"
		"{\"count\":4},"
		"\"not an object\", 17, null, [1]"
		"]"), NG_FACET_COUNTS, &r);
	assert_int_equal(r.status, NG_OK);
	assert_null(r.message);
	assert_null(r.warning);
	assert_int_equal(r.ncounts, 5);
	/* Sorted by biller id; B300 summed over its two rows. */
	assert_string_equal(r.counts[0].biller_id, "42");
	assert_int_equal(r.counts[0].count, 2);
	assert_string_equal(r.counts[1].biller_id, "B050");
	assert_int_equal(r.counts[1].count, 5);
	assert_string_equal(r.counts[2].biller_id, "B100");
	assert_int_equal(r.counts[2].count, 12);
	assert_string_equal(r.counts[3].biller_id, "B200");
	assert_int_equal(r.counts[3].count, 3);
	assert_string_equal(r.counts[4].biller_id, "B300");
	assert_int_equal(r.counts[4].count, 8);
	ng_response_free(&r);

	/* No rows at all is a good answer. */
	parse(200, RESULTS("[]"), NG_FACET_COUNTS, &r);
	assert_int_equal(r.status, NG_OK);
	assert_int_equal(r.ncounts, 0);
	ng_response_free(&r);

	/* Odd numbers are clamped, not trusted. */
	parse(200, RESULTS("[{\"facet\":\"a\",\"count\":-5},"
			   "{\"facet\":\"b\",\"count\":1e300},"
			   "{\"facet\":\"c\",\"count\":2.7}]"), NG_FACET_COUNTS, &r);
	assert_int_equal(r.status, NG_OK);
	assert_int_equal(r.ncounts, 3);
	assert_int_equal(r.counts[0].count, 0);
	assert_true(r.counts[1].count == INT64_MAX);
	assert_int_equal(r.counts[2].count, 2);
	ng_response_free(&r);
}

static void test_facet_array_only(void **state)
{
	struct ng_response r;

	(void)state;
	parse(200, RESULTS("[{\"facet\":[\"B100\",\"batch-close\"],\"count\":5},"
			   "{\"facet\":[\"B100\",\"autopay\"],\"count\":2},"
			   "{\"facet\":[],\"count\":2},"
			   "{\"facet\":[\"B400\",\"batch-close\"],\"count\":9}]"),
	      NG_FACET_COUNTS, &r);
	assert_int_equal(r.status, NG_OK);
	assert_int_equal(r.ncounts, 2);
	assert_string_equal(r.counts[0].biller_id, "B100");
	assert_int_equal(r.counts[0].count, 7);
	assert_string_equal(r.counts[1].biller_id, "B400");
	assert_int_equal(r.counts[1].count, 9);
	ng_response_free(&r);
}

static void test_logs(void **state)
{
	struct ng_response r;

	(void)state;
	parse(200, RESULTS("["
		"{\"timestamp\":1700000000123,\"level\":\"ERROR\","
		"\"message\":\"batch 42 failed\",\"batch_id\":\"42\"},"
		"{\"timestamp\":1700000001000,\"log.level\":\"warn\","
		"\"message\":\"m2\",\"batch_id\":43,\"other\":[{}]},"
		"{\"timestamp\":\"1700000002000\",\"message\":7},"
		"{},"
		"\"skipped\""
		"]"), NG_LOG_LINES, &r);
	assert_int_equal(r.status, NG_OK);
	assert_int_equal(r.nlines, 4);
	assert_true(r.lines[0].timestamp_ms == 1700000000123LL);
	assert_string_equal(r.lines[0].level, "ERROR");
	assert_string_equal(r.lines[0].message, "batch 42 failed");
	assert_string_equal(r.lines[0].batch_id, "42");
	assert_string_equal(r.lines[1].level, "warn");
	assert_string_equal(r.lines[1].batch_id, "43");
	assert_true(r.lines[2].timestamp_ms == 1700000002000LL);
	assert_string_equal(r.lines[2].level, "");
	assert_string_equal(r.lines[2].message, "7");
	assert_string_equal(r.lines[2].batch_id, "");
	assert_int_equal(r.lines[3].timestamp_ms, 0);
	assert_string_equal(r.lines[3].message, "");
	ng_response_free(&r);
}

static int clean_text(const char *s)
{
	char *again = text_sanitize(s, (size_t)-1);
	int same = strcmp(again, s) == 0;

	free(again);
	return same && !strchr(s, '\x1b') && !strchr(s, '\n');
}

static void test_hostile_strings(void **state)
{
	struct ng_response r;

	(void)state;
	parse(200, RESULTS("[{\"timestamp\":1,\"level\":\"\\u001b[31mERR\","
			   "\"message\":\"\\u001b[2Jcleared \\u001b]0;pwned\\u0007 "
			   "\\u202eevil\\r\\nforged line\\u0000hidden\","
			   "\"batch_id\":\"\\u009b1m\"}]"), NG_LOG_LINES, &r);
	assert_int_equal(r.status, NG_OK);
	assert_int_equal(r.nlines, 1);
	assert_true(clean_text(r.lines[0].level));
	assert_true(clean_text(r.lines[0].message));
	assert_true(clean_text(r.lines[0].batch_id));
	assert_non_null(strstr(r.lines[0].message, "cleared"));
	assert_null(strstr(r.lines[0].message, "hidden"));	/* cut at NUL */
	ng_response_free(&r);

	parse(200, RESULTS("[{\"facet\":\"B\\u001b[31mRED\\u0007\",\"count\":1}]"),
	      NG_FACET_COUNTS, &r);
	assert_int_equal(r.ncounts, 1);
	assert_true(clean_text(r.counts[0].biller_id));
	ng_response_free(&r);

	/* Messages too: one clean line. */
	parse(200, "{\"errors\":[{\"message\":\"bad\\nthing \\u001b[2J here\"}],"
		   NULL_NRQL "}", NG_FACET_COUNTS, &r);
	assert_int_equal(r.status, NG_QUERY);
	assert_true(clean_text(r.message));
	ng_response_free(&r);

	/* A very long message stays short. */
	{
		char body[8192];
		int n = snprintf(body, sizeof body, "{\"errors\":[{\"message\":\"");

		memset(body + n, 'x', 6000);
		strcpy(body + n + 6000, "\"}]}");
		parse(200, body, NG_FACET_COUNTS, &r);
		assert_int_equal(r.status, NG_QUERY);
		assert_true(strlen(r.message) < 300);
		ng_response_free(&r);
	}
}

static void test_http_statuses(void **state)
{
	(void)state;
	expect(401, "{\"errors\":[{\"message\":\"Invalid API key\","
		    "\"extensions\":{\"error_code\":\"BAD_API_KEY\"}}]}",
	       NG_AUTH, "New Relic rejected the API key (401)");
	expect(401, "", NG_AUTH, "(401)");
	expect(403, "<html>nope</html>", NG_AUTH, "(403)");
	expect(429, "{\"errors\":[{\"message\":\"Too Many Requests\"}]}",
	       NG_RETRY, "rate limiting us (429): Too Many Requests");
	expect(429, NULL, NG_RETRY, "(429)");
	expect(500, "{\"errors\":[{\"message\":\"Internal Server Error\"}]}",
	       NG_RETRY, "server error (HTTP 500)");
	expect(502, "<html>bad gateway</html>", NG_RETRY, "(HTTP 502)");
	expect(503, "", NG_RETRY, "(HTTP 503)");
	expect(302, "", NG_BAD, "redirect");
	expect(400, "{\"errors\":[{\"message\":\"Variable $nrql is missing\"}]}",
	       NG_QUERY, "HTTP status 400: Variable $nrql is missing");
	expect(404, "", NG_QUERY, "404");
	expect(0, "", NG_BAD, "status 0");
	expect(204, "", NG_BAD, "empty");
}

static void test_graphql_errors(void **state)
{
	(void)state;
	/* Errors with HTTP 200, and nrql null. */
	expect(200, "{\"errors\":[{\"message\":\"Too many concurrent queries\","
		    "\"extensions\":{\"errorClass\":\"TOO_MANY_REQUESTS\"}}],"
		    NULL_NRQL "}", NG_RETRY, "(TOO_MANY_REQUESTS): Too many");
	expect(200, "{\"errors\":[{\"message\":\"NRDB query duration exceeded\","
		    "\"extensions\":{\"errorClass\":\"TIMEOUT\","
		    "\"errorCode\":\"NRDB:1109\"}}]," NULL_NRQL "}",
	       NG_RETRY, "(TIMEOUT)");
	expect(200, "{\"errors\":[{\"message\":\"oops\",\"extensions\":"
		    "{\"errorClass\":\"INTERNAL_SERVER_ERROR\"}}]," NULL_NRQL "}",
	       NG_RETRY, "INTERNAL_SERVER_ERROR");
	expect(200, "{\"errors\":[{\"extensions\":{\"errorClass\":\"SERVER_ERROR\"}}],"
		    NULL_NRQL "}", NG_RETRY, "(no message)");
	/* The key, refused in a 200. */
	expect(200, "{\"errors\":[{\"message\":\"Invalid API key\",\"extensions\":"
		    "{\"error_code\":\"BAD_API_KEY\"}}],\"data\":null}",
	       NG_AUTH, "rejected the API key");
	/* A refused query: no retry. */
	expect(200, "{\"errors\":[{\"message\":\"NRQL Syntax Error: Error at line 1 "
		    "position 8, unexpected 'x'\",\"extensions\":"
		    "{\"errorClass\":\"INVALID_INPUT\"}}]," NULL_NRQL "}",
	       NG_QUERY, "NRQL Syntax Error");
	expect(200, "{\"errors\":[{\"message\":\"no class\"}]}", NG_QUERY,
	       "no class");
	/* A real error beside data is still an error. */
	expect(200, "{\"errors\":[{\"message\":\"partial\"}],"
		    "\"data\":{\"actor\":{\"account\":{\"nrql\":{\"results\":[]}}}}}",
	       NG_QUERY, "partial");
	/* A retryable error wins over a refused one. */
	expect(200, "{\"errors\":[{\"message\":\"a\"},{\"message\":\"b\","
		    "\"extensions\":{\"errorClass\":\"TIMEOUT\"}}]}",
	       NG_RETRY, "b");
	/* errors that is not an array is ignored. */
	expect(200, "{\"errors\":{\"message\":\"x\"},"
		    "\"data\":{\"actor\":{\"account\":{\"nrql\":{\"results\":[]}}}}}",
	       NG_OK, NULL);
}

static void test_deprecation(void **state)
{
	struct ng_response r;

	(void)state;
	parse(200, "{\"data\":{\"actor\":{\"account\":{\"nrql\":{\"results\":"
		   "[{\"facet\":\"B1\",\"count\":2}]}}}},\"errors\":[{\"message\":"
		   "\"This field is deprecated! Please use `x` instead.\","
		   "\"path\":[\"actor\"]}]}", NG_FACET_COUNTS, &r);
	assert_int_equal(r.status, NG_OK);
	assert_null(r.message);
	assert_non_null(r.warning);
	assert_non_null(strstr(r.warning, "deprecated"));
	assert_int_equal(r.ncounts, 1);
	ng_response_free(&r);

	/* A notice without data is not success. */
	expect(200, "{\"errors\":[{\"message\":\"This field is deprecated!\"}]}",
	       NG_BAD, "deprecated");
	/* A deprecation class counts as a notice too. */
	expect(200, "{\"errors\":[{\"message\":\"m\",\"extensions\":"
		    "{\"errorClass\":\"DEPRECATED_FIELD\"}}],"
		    "\"data\":{\"actor\":{\"account\":{\"nrql\":{\"results\":[]}}}}}",
	       NG_OK, NULL);
}

static void test_bad_bodies(void **state)
{
	char *deep;

	(void)state;
	expect(200, "", NG_BAD, "empty");
	expect(200, "{\"data\":{\"actor\":{\"acc", NG_BAD, "not a JSON object");
	expect(200, "not json", NG_BAD, "not a JSON object");
	expect(200, "[1,2]", NG_BAD, "not a JSON object");
	expect(200, "\"string\"", NG_BAD, "not a JSON object");
	expect(200, RESULTS("[]") " trailing", NG_BAD, "not a JSON object");
	expect(200, RESULTS("[]") " \n\t", NG_OK, NULL);
	expect(200, "{}", NG_BAD, "no data.actor.account.nrql.results");
	expect(200, "{\"data\":null}", NG_BAD, "no data");
	expect(200, "{" NULL_NRQL "}", NG_BAD, "no data");
	expect(200, RESULTS("null"), NG_BAD, "no data");
	expect(200, RESULTS("{\"a\":1}"), NG_BAD, "no data");
	expect(200, "{\"data\":{\"actor\":[]}}", NG_BAD, "no data");

	deep = malloc(100001);
	assert_non_null(deep);
	memset(deep, '[', 100000);
	deep[100000] = '\0';
	expect(200, deep, NG_BAD, "nested deeper than 32");
	free(deep);
}

static void test_depth(void **state)
{
	char buf[200];
	int i;

	(void)state;
	/* 32 levels pass, 33 do not. */
	for (i = 0; i < 32; i++)
		buf[i] = '[';
	for (; i < 64; i++)
		buf[i] = ']';
	assert_false(ng_too_deep(buf, 64, 32));
	assert_true(ng_too_deep("[[[", 3, 2));
	assert_false(ng_too_deep("[[]]", 4, 2));
	assert_false(ng_too_deep("[][][][][]", 10, 1));
	/* Brackets in strings do not count, escaped quotes do not end them. */
	assert_false(ng_too_deep("[\"[[[[\"]", 8, 1));
	assert_false(ng_too_deep("[\"\\\"[[[[\"]", 10, 1));
	assert_true(ng_too_deep("[\"\\\\\"[[", 8, 2));
	/* Stray closers cannot buy depth. */
	assert_true(ng_too_deep("]]]][[[", 7, 2));

	/* A deep body inside a string is fine to parse. */
	{
		struct ng_response r;

		snprintf(buf, sizeof buf, RESULTS("[{\"facet\":\"%s\",\"count\":1}]"),
			 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
		parse(200, buf, NG_FACET_COUNTS, &r);
		assert_int_equal(r.status, NG_OK);
		assert_int_equal(r.ncounts, 1);
		ng_response_free(&r);
	}
}

static void test_length_bounded(void **state)
{
	/* The parser reads len bytes and no more, NUL or not. */
	const char body[] = RESULTS("[{\"facet\":\"B1\",\"count\":1}]") "GARBAGE";
	struct ng_response r;

	(void)state;
	ng_parse_response(200, body, sizeof body - 1 - 7, NG_FACET_COUNTS, &r);
	assert_int_equal(r.status, NG_OK);
	assert_int_equal(r.ncounts, 1);
	ng_response_free(&r);
	ng_parse_response(200, body, 20, NG_FACET_COUNTS, &r);
	assert_int_equal(r.status, NG_BAD);
	ng_response_free(&r);
	ng_parse_response(200, NULL, 50, NG_FACET_COUNTS, &r);
	assert_int_equal(r.status, NG_BAD);
	ng_response_free(&r);
	ng_response_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_quote_refuses),
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_template_errors),
		cmocka_unit_test(test_template_injection),
		cmocka_unit_test(test_request_body),
		cmocka_unit_test(test_facets),
		cmocka_unit_test(test_facet_array_only),
		cmocka_unit_test(test_logs),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_http_statuses),
		cmocka_unit_test(test_graphql_errors),
		cmocka_unit_test(test_deprecation),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_length_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
