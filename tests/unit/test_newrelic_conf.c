/*
 * test_newrelic_conf.c - URLs fit to log or show: userinfo, query strings
 * and fragments never leave batchtop, in the log or in an error message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "data/newrelic.h"

static void check(const char *url, const char *want)
{
	char *got = newrelic_url_redact(url);

	assert_string_equal(got, want);
	free(got);
}

static void test_redact(void **state)
{
	(void)state;
	check(NEWRELIC_URL_US, NEWRELIC_URL_US);
	check("https://api.newrelic.com/graphql?key=NRAK-1234",
	      "https://api.newrelic.com/graphql?***");
	check("https://user:pa55@proxy.example:8443/graphql",
	      "https://***@proxy.example:8443/graphql");
	/* A password holding '@' and ':' is cut at the last '@'. */
	check("http://u:p@ss:w@rd@127.0.0.1:81/x#tok",
	      "http://***@127.0.0.1:81/x#***");
	check("https://h/graphql#frag?not-a-query", "https://h/graphql#***");
	check("https://h/graphql?a=1#f", "https://h/graphql?***#***");
	/* An '@' in the path or query is not userinfo. */
	check("https://h/p@th?x=@y", "https://h/p@th?***");
	check("https://user@host", "https://***@host");
	check("no scheme?secret=1", "no scheme?***");
	check("", "");
	/* What is left is sanitized like any text we show. */
	{
		char *got = newrelic_url_redact("https://h/\x1b[31mred");

		assert_null(strchr(got, '\x1b'));
		assert_non_null(strstr(got, "[31mred"));
		free(got);
	}
}

/* endpoint is refused with a message that holds neither of its secrets,
 * the password hunter2 and the token t0ken. */
static void rejected_quietly(struct newrelic_conf *c, const char *endpoint)
{
	char *msg;

	c->endpoint = endpoint;
	msg = newrelic_conf_check(c);
	assert_non_null(msg);
	assert_null(strstr(msg, "hunter2"));
	assert_null(strstr(msg, "t0ken"));
	free(msg);
}

static void test_check_messages(void **state)
{
	struct newrelic_conf c;
	char *msg;

	(void)state;
	newrelic_conf_defaults(&c);
	c.account_id = 1;
	c.endpoint = "http://bob:hunter2@127.0.0.1:8080/graphql?token=t0ken#f";
	msg = newrelic_conf_check(&c);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "plain http"));
	assert_non_null(strstr(msg, "http://***@127.0.0.1:8080/graphql?***#***"));
	assert_null(strstr(msg, "hunter2"));
	assert_null(strstr(msg, "t0ken"));
	free(msg);

	rejected_quietly(&c, "ftp://bob:hunter2@h/x?token=t0ken");
	rejected_quietly(&c, "https://bob:hunter2@h/x?token=t0ken extra");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_check_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
