/*
 * newrelic_http.h - the New Relic client's transport: one NerdGraph
 * request at a time over one libcurl easy handle (so the connection is
 * kept), for the client thread in newrelic.c and nothing else.
 *
 * Each request is bounded by a connect timeout, a total timeout and a cap
 * on the body, and is aborted from curl's progress callback as soon as
 * the client's stopping flag is set.  The key lives in the client's copy
 * and in curl's header list, which is wiped before it is freed; every
 * text handed back has been checked for it.
 */
#ifndef BT_NEWRELIC_HTTP_H
#define BT_NEWRELIC_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "data/nerdgraph.h"

struct newrelic_http {
	/* Set before newrelic_http_open(); then read-only.  The strings are
	 * the caller's. */
	int64_t account_id;
	char *url;
	char *key;
	bool insecure;			/* http:// allowed */
	int nrql_timeout;		/* seconds, asked of NerdGraph */
	int connect_timeout_ms, request_timeout_ms;
	size_t max_response_bytes;
	const int *stopping;		/* atomic: abort when it becomes 1 */

	/* The handle, between open and close. */
	CURL *curl;
	struct curl_slist *headers;
};

/* curl's process-wide set-up and tear-down (newrelic_global_init()). */
int newrelic_http_global_init(void);
void newrelic_http_global_cleanup(void);

/* Set up the handle once: everything but the body.  -1 when libcurl
 * cannot. */
int newrelic_http_open(struct newrelic_http *h);
void newrelic_http_close(struct newrelic_http *h);

/* POST one NRQL query and parse the answer into *r.  Transport failures
 * become NG_RETRY, an oversized body NG_BAD.  *retry_after_ms is what a
 * Retry-After header asked for (0 if none).  Returns -1 when stopping
 * (and *r is empty), else 0. */
int newrelic_http_query(struct newrelic_http *h, const char *nrql,
			enum ng_kind kind, struct ng_response *r,
			int64_t *retry_after_ms);

/* Cut every copy of the key out of msg (it should never be there: this is
 * the last line of defence before a text is published or logged).  Keys
 * are at least NEWRELIC_KEY_MIN long, so "***" is shorter and cannot hold
 * one. */
void newrelic_http_scrub(const struct newrelic_http *h, char *msg);

#endif
