/*
 * nerdgraph.c - NRQL quoting and templates, the request body, and the
 * response parser.  No I/O: strings in, strings out.
 *
 * The parser trusts nothing it is given.  The body is bounded by its
 * length (the client caps it), its nesting is measured before cJSON sees
 * it (cJSON recurses, and its own limit is 1000 levels, fixed when it was
 * built), trailing bytes after the JSON value are refused, and every
 * string that comes out goes through text_sanitize().
 *
 * How an answer is classified (the first rule that matches):
 *   HTTP 401/403                      -> NG_AUTH
 *   HTTP 429, 5xx                     -> NG_RETRY
 *   HTTP 3xx (redirects not followed) -> NG_BAD
 *   other non-2xx                     -> NG_QUERY
 *   body not JSON, too deep, no object -> NG_BAD
 *   errors[].extensions.error_code BAD_API_KEY -> NG_AUTH
 *   errors[].extensions.errorClass TOO_MANY_REQUESTS, TIMEOUT,
 *     INTERNAL_SERVER_ERROR, SERVER_ERROR -> NG_RETRY
 *   any other error that is not a deprecation notice -> NG_QUERY
 *   data.actor.account.nrql.results is an array -> NG_OK (deprecation
 *     notices, if any, become the warning)
 *   otherwise                         -> NG_BAD
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "data/json_out.h"
#include "data/nerdgraph.h"
#include "core/text.h"
#include "core/xalloc.h"

/* Longest message or warning we keep, and longest field of a row. */
#define NG_MSG_MAX 300
#define NG_FIELD_MAX 4096

/* --- a growing string --------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (b->len + n + 1 > cap)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_addc(struct sbuf *b, char c)
{
	sb_add(b, &c, 1);
}

/* --- NRQL text -------------------------------------------------------------- */

char *nrql_quote(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	struct sbuf b = { 0 };

	sb_addc(&b, '\'');
	for (size_t i = 0; i < n;) {
		size_t l = text_utf8_char(s + i, n - i);

		if (l == 0 || p[i] < 0x20 || p[i] == 0x7F) {
			free(b.p);
			return NULL;
		}
		if (p[i] == '\\' || p[i] == '\'')
			sb_addc(&b, '\\');
		sb_add(&b, s + i, l);
		i += l;
	}
	sb_addc(&b, '\'');
	return b.p;
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* "unknown placeholder" naming it: the template is the user's own text,
 * not secret, but keep the name short and clean. */
static char *unknown_name_err(const char *name, size_t n)
{
	char clean[64];

	text_sanitize_into(clean, sizeof clean, name, n < 40 ? n : 40);
	return xasprintf("unknown placeholder {%s%s} in an NRQL template "
			 "(known: {biller_id}, {batch_id}, {since})",
			 clean, n > 40 ? "~" : "");
}

char *nrql_expand(const char *tmpl, const struct nrql_vars *v, char **err)
{
	struct sbuf b = { 0 };

	*err = NULL;
	sb_add(&b, "", 0);
	for (const char *p = tmpl; *p;) {
		const char *name = p + 1;
		size_t n = 0;
		char *q;

		if (*p != '{') {
			sb_addc(&b, *p++);
			continue;
		}
		while (is_name_char(name[n]))
			n++;
		if (n == 0 || name[n] != '}') {
			sb_addc(&b, *p++);	/* not a placeholder */
			continue;
		}
		if (n == 9 && !memcmp(name, "biller_id", 9)) {
			if (!v || !v->biller_id) {
				*err = xstrdup("{biller_id} has no value here");
				goto fail;
			}
			q = nrql_quote(v->biller_id);
			if (!q) {
				*err = xstrdup("the biller id holds a control "
					       "character or invalid UTF-8");
				goto fail;
			}
		} else if (n == 8 && !memcmp(name, "batch_id", 8)) {
			if (!v || !v->batch_id) {
				*err = xstrdup("{batch_id} has no value here");
				goto fail;
			}
			q = nrql_quote(v->batch_id);
			if (!q) {
				*err = xstrdup("the batch id holds a control "
					       "character or invalid UTF-8");
				goto fail;
			}
		} else if (n == 5 && !memcmp(name, "since", 5)) {
			if (!v || !v->has_since) {
				*err = xstrdup("{since} has no value here");
				goto fail;
			}
			if (v->since_ms < 0) {
				*err = xstrdup("{since} must be epoch milliseconds "
					       "(a number >= 0)");
				goto fail;
			}
			q = xasprintf("%lld", (long long)v->since_ms);
		} else {
			*err = unknown_name_err(name, n);
			goto fail;
		}
		sb_add(&b, q, strlen(q));
		free(q);
		p = name + n + 1;
	}
	if (b.len > NRQL_MAX_LEN) {
		*err = xasprintf("the NRQL is %zu bytes; New Relic takes at most %d",
				 b.len, NRQL_MAX_LEN);
		goto fail;
	}
	return b.p;
fail:
	free(b.p);
	return NULL;
}

/* --- the request -------------------------------------------------------------- */

static cJSON *must(cJSON *j)
{
	if (!j)
		fatal("out of memory building a JSON request");
	return j;
}

char *ng_request_body(int64_t account_id, const char *nrql, int timeout_s)
{
	cJSON *root = must(cJSON_CreateObject());
	cJSON *vars = must(cJSON_CreateObject());
	char query[256];

	if (timeout_s < 1)
		timeout_s = 1;
	if (timeout_s > 600)
		timeout_s = 600;
	snprintf(query, sizeof query,
		 "query($accountId: Int!, $nrql: Nrql!) { actor { "
		 "account(id: $accountId) { nrql(query: $nrql, timeout: %d) "
		 "{ results } } } }", timeout_s);
	must(cJSON_AddStringToObject(root, "query", query));
	must(cJSON_AddNumberToObject(vars, "accountId", (double)account_id));
	must(cJSON_AddStringToObject(vars, "nrql", nrql));
	cJSON_AddItemToObject(root, "variables", vars);
	return json_out_line(root, "a JSON request");
}

/* --- the response ---------------------------------------------------------- */

int ng_too_deep(const char *body, size_t len, int max_depth)
{
	int depth = 0, in_str = 0, esc = 0;

	for (size_t i = 0; i < len; i++) {
		char c = body[i];

		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		switch (c) {
		case '"':
			in_str = 1;
			break;
		case '{':
		case '[':
			if (++depth > max_depth)
				return 1;
			break;
		case '}':
		case ']':
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* A one-line sanitized message of at most NG_MSG_MAX bytes. */
static char *mkmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *mkmsg(const char *fmt, ...)
{
	char raw[NG_MSG_MAX * 2];
	char clean[NG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	for (char *p = raw; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	text_sanitize_into(clean, sizeof clean, raw, (size_t)-1);
	return xstrdup(clean);
}

static const cJSON *member(const cJSON *obj, const char *name)
{
	return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name)
				   : NULL;
}

static const char *member_str(const cJSON *obj, const char *name)
{
	const cJSON *j = member(obj, name);

	return cJSON_IsString(j) ? j->valuestring : NULL;
}

static int64_t clamp_i64(double d)
{
	if (!(d > 0))		/* NaN too */
		return 0;
	if (d >= 9.2e18)
		return INT64_MAX;
	return (int64_t)d;
}

/* A scalar as sanitized one-line text, cut at NG_FIELD_MAX bytes; NULL
 * when it is not a string, a number or a boolean. */
static char *scalar_text(const cJSON *j)
{
	char *s;

	if (cJSON_IsString(j) && j->valuestring) {
		/* Multi-line messages (stack traces) read better on one
		 * line with spaces than with a U+FFFD per line break. */
		size_t n = strnlen(j->valuestring, NG_FIELD_MAX);
		char *tmp = xstrndup(j->valuestring, n);

		for (char *p = tmp; *p; p++)
			if (*p == '\r' || *p == '\n')
				*p = ' ';
		s = text_sanitize(tmp, n);
		free(tmp);
	} else if (cJSON_IsNumber(j)) {
		double d = j->valuedouble;

		/* Whole numbers as integers (ids, epoch ms); no libm. */
		if (d > -9e15 && d < 9e15 && d == (double)(long long)d)
			s = xasprintf("%lld", (long long)d);
		else
			s = xasprintf("%g", d);
	} else if (cJSON_IsBool(j)) {
		s = xstrdup(cJSON_IsTrue(j) ? "true" : "false");
	} else {
		return NULL;
	}
	if (strlen(s) > NG_FIELD_MAX) {
		size_t cut = NG_FIELD_MAX;

		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		s[cut] = '\0';
	}
	return s;
}

static char *text_or_empty(const cJSON *j)
{
	char *s = scalar_text(j);

	return s ? s : xstrdup("");
}

static int cmp_count(const void *a, const void *b)
{
	return strcmp(((const struct ng_count *)a)->biller_id,
		      ((const struct ng_count *)b)->biller_id);
}

static void parse_facets(const cJSON *results, struct ng_response *r)
{
	size_t n = (size_t)cJSON_GetArraySize(results), k = 0;
	const cJSON *row;

	r->counts = xcalloc(n ? n : 1, sizeof *r->counts);
	cJSON_ArrayForEach(row, results) {
		const cJSON *id = member(row, "biller_id");
		const cJSON *num = member(row, "count");
		const cJSON *f;
		char *text;

		if (!cJSON_IsObject(row))
			continue;
		if (!cJSON_IsString(id) && !cJSON_IsNumber(id)) {
			id = member(row, "facet");
			if (cJSON_IsArray(id))
				id = cJSON_GetArrayItem(id, 0);
		}
		if (!cJSON_IsNumber(num)) {
			num = NULL;
			cJSON_ArrayForEach(f, row) {
				if (cJSON_IsNumber(f) && f != id) {
					num = f;
					break;
				}
			}
		}
		if (!num || !(text = scalar_text(id)))
			continue;
		r->counts[k].biller_id = text;
		r->counts[k].count = clamp_i64(num->valuedouble);
		k++;
	}
	qsort(r->counts, k, sizeof *r->counts, cmp_count);
	/* One row per biller. */
	r->ncounts = 0;
	for (size_t i = 0; i < k; i++) {
		struct ng_count *last = r->ncounts ? &r->counts[r->ncounts - 1] : NULL;

		if (last && !strcmp(last->biller_id, r->counts[i].biller_id)) {
			last->count = INT64_MAX - last->count < r->counts[i].count
					      ? INT64_MAX
					      : last->count + r->counts[i].count;
			free(r->counts[i].biller_id);
		} else {
			r->counts[r->ncounts++] = r->counts[i];
		}
	}
}

static void parse_logs(const cJSON *results, struct ng_response *r)
{
	size_t n = (size_t)cJSON_GetArraySize(results);
	const cJSON *row;

	r->lines = xcalloc(n ? n : 1, sizeof *r->lines);
	cJSON_ArrayForEach(row, results) {
		struct ng_log_line *l;
		const cJSON *ts, *level;

		if (!cJSON_IsObject(row))
			continue;
		l = &r->lines[r->nlines++];
		ts = member(row, "timestamp");
		if (cJSON_IsNumber(ts))
			l->timestamp_ms = clamp_i64(ts->valuedouble);
		else if (cJSON_IsString(ts) && ts->valuestring)
			l->timestamp_ms = clamp_i64(strtod(ts->valuestring, NULL));
		level = member(row, "level");
		if (!level)
			level = member(row, "log.level");
		l->level = text_or_empty(level);
		l->message = text_or_empty(member(row, "message"));
		l->batch_id = text_or_empty(member(row, "batch_id"));
	}
}

static int retry_class(const char *cls)
{
	static const char *const classes[] = {
		"TOO_MANY_REQUESTS", "TIMEOUT", "INTERNAL_SERVER_ERROR",
		"SERVER_ERROR",
	};

	for (size_t i = 0; cls && i < sizeof classes / sizeof *classes; i++)
		if (!strcmp(cls, classes[i]))
			return 1;
	return 0;
}

/* A notice that does not stop the data from being good. */
static int is_warning(const char *msg, const char *cls)
{
	if (cls && (strcasestr(cls, "deprecat") || !strcasecmp(cls, "WARNING")))
		return 1;
	return msg && strcasestr(msg, "deprecat") != NULL;
}

/* The first error message in a body, for the context of an HTTP error;
 * NULL if there is none (or the body is not something we parse). */
static char *first_error_message(const cJSON *root)
{
	const cJSON *e = cJSON_GetArrayItem(member(root, "errors"), 0);
	const char *m = member_str(e, "message");

	return m ? mkmsg("%s", m) : NULL;
}

static cJSON *parse_json(const char *body, size_t len)
{
	const char *end = NULL;
	cJSON *root;

	if (len == 0 || ng_too_deep(body, len, NG_MAX_DEPTH))
		return NULL;
	root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (!root)
		return NULL;
	/* Nothing but white space may follow the value. */
	for (const char *p = end; p && p < body + len; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
			cJSON_Delete(root);
			return NULL;
		}
	}
	return root;
}

static void parse_http_error(long http_status, const char *body, size_t len,
			     struct ng_response *r)
{
	cJSON *root = parse_json(body, len);
	char *detail = first_error_message(root);
	const char *sep = detail ? ": " : "";
	const char *d = detail ? detail : "";

	cJSON_Delete(root);
	if (http_status == 401 || http_status == 403) {
		r->status = NG_AUTH;
		r->message = mkmsg("New Relic rejected the API key (%ld)",
				   http_status);
	} else if (http_status == 429) {
		r->status = NG_RETRY;
		r->message = mkmsg("New Relic is rate limiting us (429)%s%s",
				   sep, d);
	} else if (http_status >= 500) {
		r->status = NG_RETRY;
		r->message = mkmsg("New Relic server error (HTTP %ld)%s%s",
				   http_status, sep, d);
	} else if (http_status >= 300 && http_status < 400) {
		r->status = NG_BAD;
		r->message = mkmsg("unexpected redirect (HTTP %ld): check "
				   "the endpoint", http_status);
	} else {
		r->status = http_status >= 400 ? NG_QUERY : NG_BAD;
		r->message = mkmsg("unexpected HTTP status %ld%s%s",
				   http_status, sep, d);
	}
	free(detail);
}

void ng_parse_response(long http_status, const char *body, size_t len,
		       enum ng_kind kind, struct ng_response *r)
{
	const cJSON *errors, *e, *results;
	const char *retry_msg = NULL, *retry_cls = NULL;
	const char *hard_msg = NULL, *warn_msg = NULL;
	int auth = 0, retry = 0, hard = 0;
	cJSON *root;

	memset(r, 0, sizeof *r);
	if (!body)
		len = 0;
	if (http_status < 200 || http_status > 299) {
		parse_http_error(http_status, body, len, r);
		return;
	}
	if (len == 0) {
		r->status = NG_BAD;
		r->message = mkmsg("empty response from New Relic");
		return;
	}
	if (ng_too_deep(body, len, NG_MAX_DEPTH)) {
		r->status = NG_BAD;
		r->message = mkmsg("response nested deeper than %d levels",
				   NG_MAX_DEPTH);
		return;
	}
	root = parse_json(body, len);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		r->status = NG_BAD;
		r->message = mkmsg("response is not a JSON object");
		return;
	}

	errors = member(root, "errors");
	if (!cJSON_IsArray(errors))
		errors = NULL;
	cJSON_ArrayForEach(e, errors) {
		const cJSON *ext = member(e, "extensions");
		const char *msg = member_str(e, "message");
		const char *cls = member_str(ext, "errorClass");
		const char *code = member_str(ext, "error_code");

		if (!msg)
			msg = "(no message)";
		if ((code && !strcmp(code, "BAD_API_KEY")) ||
		    (cls && !strcmp(cls, "BAD_API_KEY"))) {
			auth = 1;
		} else if (retry_class(cls)) {
			if (!retry++) {
				retry_msg = msg;
				retry_cls = cls;
			}
		} else if (is_warning(msg, cls)) {
			if (!warn_msg)
				warn_msg = msg;
		} else if (!hard++) {
			hard_msg = msg;
		}
	}
	results = member(member(member(member(member(root, "data"), "actor"),
					   "account"), "nrql"), "results");

	if (auth) {
		r->status = NG_AUTH;
		r->message = mkmsg("New Relic rejected the API key (BAD_API_KEY)");
	} else if (retry) {
		r->status = NG_RETRY;
		r->message = mkmsg("New Relic could not answer (%s): %s",
				   retry_cls, retry_msg);
	} else if (hard) {
		r->status = NG_QUERY;
		r->message = mkmsg("New Relic refused the query: %s", hard_msg);
	} else if (cJSON_IsArray(results)) {
		r->status = NG_OK;
		if (warn_msg)
			r->warning = mkmsg("%s", warn_msg);
		if (kind == NG_FACET_COUNTS)
			parse_facets(results, r);
		else
			parse_logs(results, r);
	} else {
		r->status = NG_BAD;
		r->message = mkmsg("no data.actor.account.nrql.results in the "
				   "response%s%s", warn_msg ? ": " : "",
				   warn_msg ? warn_msg : "");
	}
	cJSON_Delete(root);
}

void ng_response_free(struct ng_response *r)
{
	if (!r)
		return;
	free(r->message);
	free(r->warning);
	for (size_t i = 0; i < r->ncounts; i++)
		free(r->counts[i].biller_id);
	free(r->counts);
	for (size_t i = 0; i < r->nlines; i++) {
		free(r->lines[i].level);
		free(r->lines[i].message);
		free(r->lines[i].batch_id);
	}
	free(r->lines);
	memset(r, 0, sizeof *r);
}

const char *ng_status_name(enum ng_status s)
{
	switch (s) {
	case NG_OK:
		return "ok";
	case NG_RETRY:
		return "retry";
	case NG_AUTH:
		return "auth";
	case NG_QUERY:
		return "query";
	case NG_BAD:
		return "bad";
	}
	return "?";
}
