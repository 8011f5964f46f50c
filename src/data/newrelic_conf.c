/*
 * newrelic_conf.c - the [newrelic] settings: defaults, checks, and where
 * the API key comes from.
 *
 * Kept apart from the client thread in newrelic.c: everything here runs
 * once, in the main thread, before any request is made, and can fail with
 * a message for the user.  The key is read from api_key_file when one is
 * named (refused, like ssh refuses a private key, when group or others may
 * read it), else from $NEW_RELIC_API_KEY; trailing white space is dropped
 * and a key that could not go in an HTTP header as it is is refused.  No
 * message names the key, and our copies of it are wiped.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/nerdgraph.h"
#include "data/newrelic.h"
#include "core/text.h"
#include "core/xalloc.h"

/* The most bytes a key file may hold. */
#define KEY_FILE_MAX 4096

/* --- configuration ---------------------------------------------------------- */

void newrelic_conf_defaults(struct newrelic_conf *c)
{
	memset(c, 0, sizeof *c);
	c->poll_interval = 60;
	c->nrql_timeout = 30;
	c->connect_timeout_ms = 5000;
	c->request_timeout_ms = 35000;
	c->backoff_max = 60;
	c->max_response_bytes = 4u << 20;
}

bool newrelic_configured(const struct newrelic_conf *c)
{
	return c->account_id != 0 || c->api_key_file || c->endpoint;
}

const char *newrelic_url(const struct newrelic_conf *c)
{
	if (c->endpoint && *c->endpoint)
		return c->endpoint;
	if (c->region && !strcasecmp(c->region, "eu"))
		return NEWRELIC_URL_EU;
	return NEWRELIC_URL_US;
}

const char *newrelic_errors_nrql(const struct newrelic_conf *c)
{
	return c->errors_nrql ? c->errors_nrql : NEWRELIC_DEFAULT_ERRORS_NRQL;
}

const char *newrelic_logs_nrql(const struct newrelic_conf *c)
{
	return c->logs_nrql ? c->logs_nrql : NEWRELIC_DEFAULT_LOGS_NRQL;
}

char *newrelic_url_redact(const char *url)
{
	const char *scheme_end = strstr(url, "://");
	const char *auth = scheme_end ? scheme_end + 3 : url;
	const char *auth_end = auth + strcspn(auth, "/?#");
	const char *at = NULL, *rest, *cut;
	char *joined, *out;

	/* userinfo ends at the authority's last '@' (a password may hold
	 * one) */
	for (const char *p = auth; scheme_end && p < auth_end; p++)
		if (*p == '@')
			at = p;
	rest = at ? at + 1 : auth;
	cut = rest + strcspn(rest, "?#");
	joined = xasprintf("%.*s%s%.*s%s%s", (int)(auth - url), url,
			   at ? "***@" : "", (int)(cut - rest), rest,
			   *cut == '?' ? "?***" : "",
			   strchr(cut, '#') ? "#***" : "");
	out = text_sanitize(joined, (size_t)-1);
	free(joined);
	return out;
}

/* Every URL we show goes through here: it may carry credentials. */
static char *clean(const char *s)
{
	return newrelic_url_redact(s);
}

char *newrelic_conf_check(const struct newrelic_conf *c)
{
	const char *url = newrelic_url(c);
	struct nrql_vars sample = {
		.biller_id = "B1", .batch_id = "1", .since_ms = 0, .has_since = 1,
	};
	char *err = NULL, *q, *msg;

	if (c->account_id < 1 || c->account_id > INT32_MAX)
		return xstrdup("account_id must be set to your New Relic "
			       "account number");
	if (c->region && strcasecmp(c->region, "us") &&
	    strcasecmp(c->region, "eu"))
		return xstrdup("region must be \"us\" or \"eu\"");
	for (const char *p = url; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7F) {
			char *u = clean(url);

			msg = xasprintf("endpoint \"%s\" holds spaces or control "
					"characters", u);
			free(u);
			return msg;
		}
	}
	if (!strncasecmp(url, "http://", 7)) {
		if (!c->allow_insecure_endpoint) {
			char *u = clean(url);

			msg = xasprintf("endpoint %s is plain http, which would "
					"send the API key unencrypted; set "
					"allow_insecure_endpoint = true to allow "
					"it", u);
			free(u);
			return msg;
		}
	} else if (strncasecmp(url, "https://", 8)) {
		char *u = clean(url);

		msg = xasprintf("endpoint %s must be an https:// URL", u);
		free(u);
		return msg;
	}
	if (c->poll_interval < 5 || c->poll_interval > 86400)
		return xstrdup("poll_interval must be 5 to 86400 seconds");
	if (c->nrql_timeout < 1 || c->nrql_timeout > 600)
		return xstrdup("nrql_timeout must be 1 to 600 seconds");
	if (c->connect_timeout_ms < 100 || c->connect_timeout_ms > 600000)
		return xstrdup("connect_timeout_ms must be 100 to 600000");
	if (c->request_timeout_ms < 100 || c->request_timeout_ms > 3600000)
		return xstrdup("request_timeout_ms must be 100 to 3600000");
	if (c->backoff_max < 1 || c->backoff_max > 3600)
		return xstrdup("backoff_max must be 1 to 3600 seconds");
	if (c->max_response_bytes < 1024)
		return xstrdup("max_response_bytes must be at least 1024");

	q = nrql_expand(newrelic_errors_nrql(c), NULL, &err);
	if (!q) {
		msg = xasprintf("errors_nrql: %s", err);
		free(err);
		return msg;
	}
	free(q);
	q = nrql_expand(newrelic_logs_nrql(c), &sample, &err);
	if (!q) {
		msg = xasprintf("logs_nrql: %s", err);
		free(err);
		return msg;
	}
	free(q);
	return NULL;
}

/* --- the key ------------------------------------------------------------------- */

/* Strip trailing white space and check what is left can go in a header.
 * Returns 0, or -1 with *why set to a static reason. */
static int key_tidy(char *k, const char **why)
{
	size_t n = strlen(k);

	while (n > 0 && (k[n - 1] == '\n' || k[n - 1] == '\r' ||
			 k[n - 1] == ' ' || k[n - 1] == '\t'))
		k[--n] = '\0';
	if (n == 0) {
		*why = "is empty";
		return -1;
	}
	if (n < NEWRELIC_KEY_MIN) {
		*why = "is too short to be an API key";
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)k[i] <= ' ' || (unsigned char)k[i] >= 0x7F) {
			*why = "holds spaces, control or non-ASCII characters";
			return -1;
		}
	}
	return 0;
}

static char *key_from_file(const char *path, char **err)
{
	char buf[KEY_FILE_MAX + 1];
	char *p = clean(path), *key = NULL;
	const char *why;
	struct stat st;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		*err = xasprintf("cannot open api_key_file %s: %s", p,
				 strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*err = xasprintf("api_key_file %s is not a regular file", p);
		goto out;
	}
	if (st.st_mode & 077) {
		*err = xasprintf("api_key_file %s is readable by others; "
				 "chmod 600 it", p);
		goto out;
	}
	for (;;) {
		ssize_t got = read(fd, buf + len, sizeof buf - 1 - len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			*err = xasprintf("cannot read api_key_file %s: %s", p,
					 strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len == sizeof buf - 1) {
			*err = xasprintf("api_key_file %s is too large to hold "
					 "an API key", p);
			goto out;
		}
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len)) {
		*err = xasprintf("api_key_file %s holds a NUL byte", p);
		goto out;
	}
	if (key_tidy(buf, &why) < 0) {
		*err = xasprintf("api_key_file %s %s", p, why);
		goto out;
	}
	key = xstrdup(buf);
out:
	explicit_bzero(buf, sizeof buf);
	if (fd >= 0)
		close(fd);
	free(p);
	return key;
}

char *newrelic_load_key(const struct newrelic_conf *c, char **err)
{
	const char *env, *why;
	char *key;

	/* A key file named in the configuration wins over the environment. */
	if (c->api_key_file && *c->api_key_file)
		return key_from_file(c->api_key_file, err);
	env = getenv(NEWRELIC_KEY_ENV);
	if (!env || !*env) {
		*err = xstrdup("no New Relic API key: set " NEWRELIC_KEY_ENV
			       " or api_key_file");
		return NULL;
	}
	key = xstrdup(env);
	if (key_tidy(key, &why) < 0) {
		*err = xasprintf(NEWRELIC_KEY_ENV " %s", why);
		explicit_bzero(key, strlen(key));
		free(key);
		return NULL;
	}
	return key;
}
