/*
 * nerdgraph.h - New Relic's NerdGraph wire format, without any I/O.
 *
 * Three pure pieces the client in newrelic.c is built from, kept apart so
 * they can be unit-tested and fuzzed:
 *
 *  - NRQL text: quoting a value as an NRQL string literal and filling the
 *    {biller_id}, {batch_id} and {since} placeholders of a query template;
 *  - the request body: {"query": "...", "variables": {...}} with the NRQL
 *    passed as the GraphQL variable $nrql, never pasted into the query;
 *  - the response: an HTTP status and body in, a classified outcome and the
 *    rows of results out, every string already through text_sanitize().
 */
#ifndef BT_NERDGRAPH_H
#define BT_NERDGRAPH_H

#include <stddef.h>
#include <stdint.h>

/* NRQL queries must be shorter than 4 KB (New Relic's limit). */
#define NRQL_MAX_LEN 4095
/* Deepest nesting of {} and [] a response may have. */
#define NG_MAX_DEPTH 32

/* --- NRQL text ------------------------------------------------------------ */

/*
 * Quote s as an NRQL string literal: 'like this'.  NRQL strings are
 * single-quoted and the backslash is their escape character, so a backslash
 * becomes \\ and a single quote \' ; nothing else is escaped, and any other
 * character (UTF-8 included) stands for itself.  The result cannot end the
 * literal early, whatever s holds.
 *
 * NRQL documents no escape for control characters, so rather than guess,
 * a value holding one (bytes 0x01-0x1F, 0x7F) or invalid UTF-8 is refused:
 * returns NULL.  Otherwise a new string the caller frees.
 */
char *nrql_quote(const char *s);

/* The values a template may use; a NULL string is "not known here". */
struct nrql_vars {
	const char *biller_id;	/* {biller_id}: quoted */
	const char *batch_id;	/* {batch_id}: quoted */
	int64_t since_ms;	/* {since}: epoch ms, as a bare number */
	int has_since;		/* 0: {since} is not known here */
};

/*
 * Fill the placeholders of tmpl.  A placeholder is "{" name "}" where name
 * is letters, digits and underscores; a name other than the three above,
 * or one whose value is not known here, is an error, as is a value
 * nrql_quote() refuses, a negative {since} and a result longer than
 * NRQL_MAX_LEN.  Any other "{" or "}" is copied as it is.
 * Returns a new string (caller frees), or NULL and *err (caller frees).
 */
char *nrql_expand(const char *tmpl, const struct nrql_vars *v, char **err);

/* --- the request ------------------------------------------------------------ */

/*
 * The JSON body of one NRQL query: the GraphQL document asks for
 * actor.account(id: $accountId).nrql(query: $nrql, timeout: T).results,
 * and the variables carry the account and the NRQL.  Caller frees.
 */
char *ng_request_body(int64_t account_id, const char *nrql, int timeout_s);

/* --- the response ------------------------------------------------------------ */

enum ng_status {
	NG_OK,		/* results present (maybe with a warning) */
	NG_RETRY,	/* worth trying again later: 429, 5xx, TOO_MANY_REQUESTS,
			   TIMEOUT, INTERNAL_SERVER_ERROR, SERVER_ERROR */
	NG_AUTH,	/* the API key was rejected (401, 403, BAD_API_KEY) */
	NG_QUERY,	/* New Relic refused the query (syntax and the like);
			   trying again would give the same answer */
	NG_BAD,		/* not a response we understand: not JSON, too deep,
			   wrong shape, unexpected HTTP status */
};

/* What the results are parsed as. */
enum ng_kind {
	NG_FACET_COUNTS,	/* SELECT count(*) ... FACET biller_id */
	NG_LOG_LINES,		/* SELECT timestamp, level, message, batch_id FROM Log */
};

/* One row of the errors query: a biller and how many errors it had. */
struct ng_count {
	char *biller_id;
	int64_t count;
};

/* One row of the logs query. */
struct ng_log_line {
	int64_t timestamp_ms;	/* epoch ms; 0 when missing */
	char *level;		/* "" when missing */
	char *message;
	char *batch_id;
};

struct ng_response {
	enum ng_status status;
	char *message;		/* why it failed (NULL when NG_OK) */
	char *warning;		/* NG_OK with a deprecation notice, else NULL */
	/* NG_FACET_COUNTS: sorted by biller_id, one row per biller (the
	 * counts of rows naming the same biller are added up). */
	struct ng_count *counts;
	size_t ncounts;
	/* NG_LOG_LINES: in the order New Relic sent them. */
	struct ng_log_line *lines;
	size_t nlines;
};

/*
 * Classify and parse one answer.  body holds len bytes (need not be
 * NUL-terminated).  Fills *r, which the caller releases with
 * ng_response_free() whatever the status; message and warning are
 * sanitized one-line texts, and so is every string in the rows.
 *
 * Facet rows: the biller is the row's "biller_id" member if it has one,
 * else "facet" (a string, or an array whose first element is used, so the
 * biller must be the first FACET attribute); the count is the "count"
 * member, else the first other number in the row.  Log rows: "timestamp"
 * (a number of epoch ms), "level" (or "log.level"), "message", "batch_id".
 * Row fields are cut at 4 KiB and line breaks in them become spaces.
 * Unknown members are ignored; rows that are not objects are skipped.
 */
void ng_parse_response(long http_status, const char *body, size_t len,
		       enum ng_kind kind, struct ng_response *r);
void ng_response_free(struct ng_response *r);

/* Whether the bytes nest {} and [] deeper than max_depth (strings are
 * skipped, escapes and all).  Exposed for the tests. */
int ng_too_deep(const char *body, size_t len, int max_depth);

const char *ng_status_name(enum ng_status s);

#endif
