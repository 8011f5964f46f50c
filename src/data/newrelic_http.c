/*
 * newrelic_http.c - one NerdGraph request over libcurl (see
 * newrelic_http.h): the easy handle with the key in its headers, a body
 * capped at max_response_bytes, a transfer that aborts when the client
 * stops, and every answer turned into an ng_response with the key cut
 * out of its texts.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "data/newrelic_http.h"
#include "core/text.h"
#include "core/xalloc.h"

static bool stopping(const struct newrelic_http *h)
{
	return __atomic_load_n(h->stopping, __ATOMIC_ACQUIRE) != 0;
}

int newrelic_http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void newrelic_http_global_cleanup(void)
{
	curl_global_cleanup();
}

void newrelic_http_scrub(const struct newrelic_http *h, char *msg)
{
	size_t klen = strlen(h->key);
	char *hit;

	while (klen > 3 && (hit = strstr(msg, h->key))) {
		memcpy(hit, "***", 3);
		memmove(hit + 3, hit + klen, strlen(hit + klen) + 1);
	}
}

struct xfer {
	char *body;
	size_t len, cap, limit;
	int too_big;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;

	if (n > x->limit - x->len) {
		x->too_big = 1;
		return 0;	/* makes curl fail the transfer */
	}
	if (x->len + n + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 16384;

		while (x->len + n + 1 > cap)
			cap *= 2;
		if (cap > x->limit + 1)
			cap = x->limit + 1;
		x->body = xrealloc(x->body, cap);
		x->cap = cap;
	}
	memcpy(x->body + x->len, ptr, n);
	x->len += n;
	x->body[x->len] = '\0';
	return n;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	const struct newrelic_http *h = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return stopping(h) ? 1 : 0;
}

int newrelic_http_open(struct newrelic_http *h)
{
	char *auth;
	CURL *c = curl_easy_init();

	if (!c)
		return -1;
	auth = xasprintf("API-Key: %s", h->key);
	h->headers = curl_slist_append(NULL, auth);
	explicit_bzero(auth, strlen(auth));
	free(auth);
	h->headers = curl_slist_append(h->headers, "Content-Type: application/json");
	h->headers = curl_slist_append(h->headers, "Accept: application/json");
	h->headers = curl_slist_append(h->headers, "Expect:");
	if (!h->headers) {
		curl_easy_cleanup(c);
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, h->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, h->insecure ? "http,https" : "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)h->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)h->request_timeout_ms);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	h->curl = c;
	return 0;
}

void newrelic_http_close(struct newrelic_http *h)
{
	/* curl's copy of the key header is ours to wipe before it goes. */
	for (struct curl_slist *l = h->headers; l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(h->headers);
	h->headers = NULL;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	h->curl = NULL;
}

/* A one-line, sanitized, key-free text into a new string. */
static char *tidy_msg(const struct newrelic_http *h, const char *raw)
{
	char line[300];

	text_sanitize_into(line, sizeof line, raw, (size_t)-1);
	for (char *p = line; *p; p++)
		if (*p == '\t')
			*p = ' ';
	newrelic_http_scrub(h, line);
	return xstrdup(line);
}

int newrelic_http_query(struct newrelic_http *h, const char *nrql,
			enum ng_kind kind, struct ng_response *r,
			int64_t *retry_after_ms)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	char *body = ng_request_body(h->account_id, nrql, h->nrql_timeout);
	struct xfer x = { .limit = h->max_response_bytes };
	long status = 0;
	CURLcode rc;

	memset(r, 0, sizeof *r);
	*retry_after_ms = 0;
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(h->curl);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, NULL);
	free(body);

	if (stopping(h)) {
		free(x.body);
		return -1;
	}
	if (x.too_big) {
		char m[100];

		r->status = NG_BAD;
		snprintf(m, sizeof m, "response larger than %zu bytes",
			 h->max_response_bytes);
		r->message = xstrdup(m);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		char m[100];

		r->status = NG_RETRY;
		snprintf(m, sizeof m, "no answer from New Relic in %d ms",
			 h->request_timeout_ms);
		r->message = xstrdup(m);
	} else if (rc != CURLE_OK) {
		char m[400];

		r->status = NG_RETRY;
		snprintf(m, sizeof m, "cannot reach New Relic: %s",
			 *errbuf ? errbuf : curl_easy_strerror(rc));
		r->message = tidy_msg(h, m);
	} else {
		curl_off_t after = 0;

		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
		if (curl_easy_getinfo(h->curl, CURLINFO_RETRY_AFTER, &after) ==
		    CURLE_OK && after > 0)
			*retry_after_ms = (after > 86400 ? 86400 : after) * 1000;
		ng_parse_response(status, x.body, x.len, kind, r);
		/* Parsed texts are sanitized already; the key check is not. */
		if (r->message)
			newrelic_http_scrub(h, r->message);
		if (r->warning)
			newrelic_http_scrub(h, r->warning);
	}
	free(x.body);
	return 0;
}
