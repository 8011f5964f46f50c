/*
 * newrelic.h - the New Relic client: one background thread that asks
 * NerdGraph for errors per biller, and for log lines when the UI wants them.
 * (The settings and the key are in newrelic_conf.c, the thread in
 * newrelic.c, the wire format in nerdgraph.c.)
 *
 * The thread polls the errors query every poll_interval seconds and
 * publishes an immutable result (biller_id -> count, and when it was
 * fetched) with the health of the source.  The UI asks for logs with
 * newrelic_request_logs(), which returns a ticket at once, and picks the
 * answer up later with newrelic_take_logs(); the thread writes a byte to
 * the UI's wake pipe whenever something new is there.  Nothing here
 * touches curses, and nothing the UI calls waits on the network.
 *
 * The API key is read once (newrelic_new) and is never written anywhere:
 * not in messages, the log or the health text.  It is wiped on free.
 *
 * batchtop runs fully without New Relic: when newrelic_configured() is
 * false, the caller simply creates no client and shows no column.
 */
#ifndef BT_NEWRELIC_H
#define BT_NEWRELIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data/nerdgraph.h"

/* The errors per biller in the last hour.  The biller is the first FACET
 * attribute; "count" (or the first number) is the count. */
#define NEWRELIC_DEFAULT_ERRORS_NRQL \
	"SELECT count(*) FROM TransactionError WHERE appName = 'batch-close' " \
	"FACET biller_id SINCE 1 hour ago LIMIT MAX"
/* The log lines of one biller since a given instant (epoch ms). */
#define NEWRELIC_DEFAULT_LOGS_NRQL \
	"SELECT timestamp, level, message, batch_id FROM Log " \
	"WHERE biller_id = {biller_id} SINCE {since} LIMIT 2000"

#define NEWRELIC_URL_US "https://api.newrelic.com/graphql"
#define NEWRELIC_URL_EU "https://api.eu.newrelic.com/graphql"
#define NEWRELIC_KEY_ENV "NEW_RELIC_API_KEY"
/* Shortest key we take (New Relic's user keys are 40 characters). */
#define NEWRELIC_KEY_MIN 8
/* Seconds: the longest wait between two tries of a rejected key. */
#define NEWRELIC_AUTH_RETRY_MAX 300

/*
 * The [newrelic] section.  Strings belong to the caller; NULL means the
 * default.  newrelic_conf_defaults() fills every field.
 */
struct newrelic_conf {
	int64_t account_id;	/* 0: not set */
	const char *region;	/* "us" (default) or "eu" */
	const char *endpoint;	/* overrides the region's URL (tests, a proxy) */
	const char *api_key_file; /* mode 0600 or stricter; else $NEW_RELIC_API_KEY */
	bool allow_insecure_endpoint;	/* let endpoint be http:// */
	int poll_interval;	/* seconds between errors queries (60) */
	const char *errors_nrql;	/* no placeholders (NULL: the default) */
	const char *logs_nrql;	/* {biller_id} {batch_id} {since} (NULL: default) */
	int nrql_timeout;	/* seconds: the timeout argument of nrql() (30) */
	int connect_timeout_ms;	/* 5000 */
	int request_timeout_ms;	/* whole request, transfer included (35000) */
	int backoff_max;	/* seconds: cap of the retry backoff (60) */
	size_t max_response_bytes;	/* 4 MiB */
};

/* Every default; no account (so not configured). */
void newrelic_conf_defaults(struct newrelic_conf *c);

/* Whether the user set up New Relic at all (an account, a key file or an
 * endpoint); when false, leave the source and its column out. */
bool newrelic_configured(const struct newrelic_conf *c);

/* NULL when c can be used, else what is wrong (caller frees).  Does not
 * read the key. */
char *newrelic_conf_check(const struct newrelic_conf *c);

/* The URL requests go to (static or c->endpoint), and the templates in
 * effect (c's own or the defaults). */
const char *newrelic_url(const struct newrelic_conf *c);
const char *newrelic_errors_nrql(const struct newrelic_conf *c);
const char *newrelic_logs_nrql(const struct newrelic_conf *c);

/* url fit to log or show (caller frees): userinfo ("user:pass@"), the query
 * string and the fragment replaced by "***" (they may hold credentials or
 * tokens), sanitized: scheme, host and path stay, so
 * https + "u:p@host/graphql?t=1#x" reads "***@host/graphql?***#***". */
char *newrelic_url_redact(const char *url);

/* The API key: from c->api_key_file when set (refused unless only its
 * owner may read it: "api_key_file F is readable by others; chmod 600 it"),
 * else from $NEW_RELIC_API_KEY; trailing white space dropped.  Returns it
 * (the caller wipes it with explicit_bzero and frees it), or NULL and *err
 * (caller frees; it never holds the key).  newrelic_new() calls this. */
char *newrelic_load_key(const struct newrelic_conf *c, char **err);

/* Call once from main before any thread starts; 0 or -1. */
int newrelic_global_init(void);
void newrelic_global_cleanup(void);

/* --- the client ------------------------------------------------------------ */

struct newrelic;

/*
 * Check c, read the key and get ready (the thread is not started yet).
 * wake_fd is the write end of the UI's non-blocking wake pipe.  c is
 * copied.  Returns NULL and *err (caller frees) when c is unusable or the
 * key cannot be had, e.g. "api_key_file F is readable by others; chmod 600 it".
 */
struct newrelic *newrelic_new(const struct newrelic_conf *c, int wake_fd,
			      char **err);
/* Start the thread; -1 on failure. */
int newrelic_start(struct newrelic *nr);
/* Poll the errors query now (also after the key was rejected). */
void newrelic_refresh(struct newrelic *nr);
/* Ask the thread to stop; an in-flight request is aborted.  Returns at once. */
void newrelic_stop(struct newrelic *nr);
/* Stop, wait for the thread up to wait_ms, free everything and wipe the
 * key.  A thread that does not stop in time is left to the process exit. */
void newrelic_free(struct newrelic *nr, int wait_ms);

/* --- what the UI reads ------------------------------------------------------ */

/* The errors of one poll.  Immutable once published; readers hold a
 * reference. */
struct newrelic_errors {
	int refs;		/* atomic */
	int64_t fetched_mono;	/* when it arrived (monotonic ms) */
	int64_t fetched_wall;	/* the same, epoch ms */
	struct ng_count *counts;	/* sorted by biller_id */
	size_t ncounts;
	char *warning;		/* a deprecation notice, or NULL */
};

void newrelic_errors_unref(struct newrelic_errors *e);
/* The count of biller_id, 0 when New Relic reported none for it. */
int64_t newrelic_errors_count(const struct newrelic_errors *e,
			      const char *biller_id);

enum newrelic_state {
	NEWRELIC_STARTING,	/* nothing answered yet */
	NEWRELIC_OK,		/* the last errors poll worked */
	NEWRELIC_ERROR,		/* the last errors poll failed: reason */
};

struct newrelic_health {
	enum newrelic_state state;
	int64_t since_mono;	/* when the state began */
	int64_t last_ok_mono;	/* last good poll, INT64_MIN if none */
	int64_t stale_after_ms;	/* data older than this is "stale" */
	int64_t retry_mono;	/* next attempt, INT64_MIN if none planned */
	unsigned polls_ok, polls_failed;
	bool key_rejected;	/* the last poll's key was refused: the next
				 * try is slow (retry_mono) unless refreshed */
	char reason[200];	/* sanitized; never holds the key */
};

/* Take a reference to the latest errors (NULL if none yet; the caller
 * unrefs) and copy the health.  Returns a counter that changes whenever
 * either changes. */
unsigned newrelic_read(struct newrelic *nr, struct newrelic_errors **errs,
		       struct newrelic_health *health);

/* "ok", "starting", "stale (4m)", "error: <reason>" or
 * "error: <reason> (retry in 8s)".  Returns buf. */
char *newrelic_health_text(const struct newrelic_health *h, int64_t now_mono,
			   char *buf, size_t n);

/* --- logs on request --------------------------------------------------------- */

/* How many logs requests may wait or run at once. */
#define NEWRELIC_MAX_REQUESTS 4

struct newrelic_logs {
	bool ok;
	char *error;		/* when !ok: why (sanitized) */
	char *warning;		/* when ok: a deprecation notice, or NULL */
	struct ng_log_line *lines;
	size_t nlines;
};

/*
 * Ask for the log lines of a biller (batch_id may be NULL when the logs
 * template does not use {batch_id}) since since_ms (epoch ms).  The NRQL
 * is built here, so a bad value fails at once.  Returns a ticket (never 0),
 * or 0 and *err (caller frees) when the values do not fit the template or
 * NEWRELIC_MAX_REQUESTS are already pending.
 */
unsigned newrelic_request_logs(struct newrelic *nr, const char *biller_id,
			       const char *batch_id, int64_t since_ms,
			       char **err);
/* NULL until the answer is there; then the answer (caller frees with
 * newrelic_logs_free) and the ticket is spent.  Never blocks. */
struct newrelic_logs *newrelic_take_logs(struct newrelic *nr, unsigned ticket);
/* Give up on a ticket (its answer, if it comes, is dropped). */
void newrelic_cancel_logs(struct newrelic *nr, unsigned ticket);
void newrelic_logs_free(struct newrelic_logs *l);

#endif
