/*
 * config.c - batchtop.conf: the option table, defaults and the loader.
 *
 * options[] is the one description of every option: section, name, type,
 * default text, range, where it lives in struct config, and a line of doc.
 * config_defaults() parses each default text with the code that parses the
 * file, and config_option() hands the table to --help-config and to the
 * test that checks doc/batchtop.conf.5.
 *
 * Loading reads the whole file once and first refuses what inih would get
 * wrong silently: lines too long for its buffer (it splits them), NUL bytes
 * (it stops) and other control characters.  Then inih parses the text
 * through our reader; see reader() for why each line is framed.  Errors are
 * collected as the parse goes and the one with the lowest line wins, so the
 * user reads the first problem in the file; a shard section without a dsn
 * is told only when nothing else is wrong, since a mistyped "dns = ..."
 * below its header is the likelier cause and has a line of its own.
 *
 * A dsn may hold a password: it is never part of a message, and its copies
 * are wiped before they are freed.
 */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/xalloc.h"

/* replica_max_lag's range (a shard option, parsed by shard_option). */
#define REPLICA_LAG_MIN 1
#define REPLICA_LAG_MAX 3600

enum opt_type { OPT_INT, OPT_BOOL, OPT_PATH, OPT_STRING, OPT_SORT, OPT_DSN };

struct option_def {
	struct config_option_info info;
	enum opt_type type;
	size_t offset;		/* of the field in struct config */
};

#define INT_OPTION(sec, field, def, lo, hi, doc) \
	{ { sec, #field, "integer", #def, doc, lo, hi }, OPT_INT, \
	  offsetof(struct config, field) }
#define BOOL_OPTION(sec, field, def, doc) \
	{ { sec, #field, "boolean", #def, doc, 0, 0 }, OPT_BOOL, \
	  offsetof(struct config, field) }
#define PATH_OPTION(sec, field, doc) \
	{ { sec, #field, "path", "", doc, 0, 0 }, OPT_PATH, \
	  offsetof(struct config, field) }
/* Options whose name in the file differs from their field. */
#define NAMED_INT(sec, name, field, def, lo, hi, doc) \
	{ { sec, name, "integer", #def, doc, lo, hi }, OPT_INT, \
	  offsetof(struct config, field) }
#define NAMED_BOOL(sec, name, field, def, doc) \
	{ { sec, name, "boolean", #def, doc, 0, 0 }, OPT_BOOL, \
	  offsetof(struct config, field) }
#define NAMED_PATH(sec, name, field, doc) \
	{ { sec, name, "path", "", doc, 0, 0 }, OPT_PATH, \
	  offsetof(struct config, field) }
#define NAMED_STRING(sec, name, field, def, doc) \
	{ { sec, name, "string", def, doc, 0, 0 }, OPT_STRING, \
	  offsetof(struct config, field) }

static const struct option_def options[] = {
	INT_OPTION("batchtop", poll_interval, 5, 1, 3600,
		   "Seconds between two polls of one shard"),
	INT_OPTION("batchtop", window_minutes, 45, 1, 1440,
		   "Minutes a close may take when it has no deadline"),
	INT_OPTION("batchtop", at_risk_pct, 75, 1, 100,
		   "Percent of its window a running close may use before it is at risk"),
	INT_OPTION("batchtop", payment_file_minute, 45, 0, 59,
		   "Minute past each hour at which payment files run"),
	INT_OPTION("batchtop", payment_file_period, 3600, 10, 86400,
		   "Seconds from one payment-file run to the next (a divisor of a day)"),
	INT_OPTION("batchtop", night_hours, 12, 1, 72,
		   "Closes scheduled within this many hours of now count as tonight"),
	/* Incremental polls: between full polls, a contract-v2 shard is asked
	 * only for what changed since the last poll. */
	INT_OPTION("batchtop", full_resync_interval, 120, 10, 86400,
		   "Seconds between full polls of a shard; deleted rows go then"),
	INT_OPTION("batchtop", biller_refresh_interval, 300, 10, 86400,
		   "Seconds between full re-reads of a shard's billers"),
	INT_OPTION("batchtop", poll_overlap, 10, 0, 3600,
		   "Seconds an incremental poll reaches back before the last one"),
	INT_OPTION("batchtop", query_timeout, 10, 1, 600,
		   "Seconds a query may run before it is cancelled"),
	INT_OPTION("batchtop", connect_timeout, 5, 2, 120,
		   "Seconds to wait for a connection to a shard"),
	INT_OPTION("batchtop", backoff_max, 60, 1, 3600,
		   "Longest wait in seconds between reconnect attempts"),
	INT_OPTION("batchtop", stale_after, 15, 2, 86400,
		   "Seconds without a good poll before a shard's data is stale"),
	INT_OPTION("batchtop", autopay_alert_pct, 10, 0, 100,
		   "Autopay failure percentage that is highlighted"),
	BOOL_OPTION("batchtop", readonly, false,
		    "Never open a database session that can write"),
	PATH_OPTION("batchtop", keymap,
		    "Keymap file applied over the built-in keys"),
	PATH_OPTION("batchtop", log_file,
		    "File that receives diagnostics"),
	INT_OPTION("batchtop", max_inflight_per_shard, 2, 1, 50,
		   "Rerun requests of a bulk plan running at once on one shard"),
	/* The query worker's sessions (data/shard_query.c). */
	INT_OPTION("batchtop", query_idle_timeout, 60, 0, 86400,
		   "Seconds a query session may sit unused before it is closed (0: at once)"),
	INT_OPTION("batchtop", log_lines, 10000, 100, 1000000,
		   "Lines the log viewer keeps in memory"),
	PATH_OPTION("batchtop", audit_log,
		    "The audit trail (default $XDG_STATE_HOME/batchtop/audit.log)"),
	BOOL_OPTION("batchtop", check_acked_warning, false,
		    "--check stays at WARNING when every failure is acknowledged"),
	INT_OPTION("batchtop", check_failed_crit, 1, 0, 1000000,
		   "--check is critical at this many failed billers (0: never)"),
	INT_OPTION("batchtop", check_late_crit, 1, 0, 1000000,
		   "--check is critical at this many late billers (0: never)"),
	INT_OPTION("batchtop", check_at_risk_warn, 1, 0, 1000000,
		   "--check warns at this many billers at risk (0: never)"),
	BOOL_OPTION("batchtop", check_stale_warn, true,
		    "--check warns when a source is stale or down"),
	/* The circuit breaker of every staged plan (core/breaker.h). */
	INT_OPTION("batchtop", breaker_consecutive_failures, 5, 0, 1000,
		   "Failures in a row that stop a plan sending to a shard (0: never)"),
	INT_OPTION("batchtop", breaker_failure_rate, 10, 0, 100,
		   "Percent failed of the last breaker_failure_window that stops it (0: never)"),
	INT_OPTION("batchtop", breaker_failure_window, 20, 1, 1000,
		   "Outcomes on one shard the breaker_failure_rate is taken over"),
	INT_OPTION("batchtop", breaker_pause, 120, 1, 86400,
		   "Seconds a shard's breaker stays open before one trial request"),
	/* Forecasts from history (issue 13). */
	INT_OPTION("batchtop", history_interval, 300, 10, 86400,
		   "Seconds between two reads of a shard's close history"),
	INT_OPTION("batchtop", history_days, 30, 1, 366,
		   "Days of past closes the forecasts are made from"),
	INT_OPTION("batchtop", at_risk_probability, 30, 1, 100,
		   "Percent chance of missing its deadline that makes an open close at risk"),
	INT_OPTION("batchtop", will_miss_probability, 90, 1, 100,
		   "Percent chance of missing its deadline shown as \"will miss\""),
	BOOL_OPTION("ui", show_demo, false, "Show demo billers"),
	BOOL_OPTION("ui", color, true, "Use colors"),
	INT_OPTION("ui", wallboard_page_seconds, 10, 2, 600,
		   "Seconds each page of the wallboard's list is shown"),
	{ { "ui", "sort", "sort", "risk",
	    "First sort key: risk, name, shard, priority, time-left or autopay",
	    0, 0 }, OPT_SORT, offsetof(struct config, sort) },
	NAMED_INT("newrelic", "account_id", nr_account_id, 0, 0, 2147483647,
		  "New Relic account id (0: New Relic is not used)"),
	NAMED_STRING("newrelic", "region", nr_region, "",
		     "us or eu: which NerdGraph endpoint to use (empty: us)"),
	NAMED_STRING("newrelic", "endpoint", nr_endpoint, "",
		     "NerdGraph URL instead of the region's (tests, a proxy)"),
	NAMED_PATH("newrelic", "api_key_file", nr_api_key_file,
		   "File holding the API key (mode 0600); else $NEW_RELIC_API_KEY"),
	NAMED_BOOL("newrelic", "allow_insecure_endpoint", nr_allow_insecure, false,
		   "Allow a plain http:// endpoint (tests only)"),
	NAMED_INT("newrelic", "poll_interval", nr_poll_interval, 60, 10, 3600,
		  "Seconds between two polls of the errors query"),
	NAMED_STRING("newrelic", "errors_nrql", nr_errors_nrql, "",
		     "NRQL of errors per biller (FACET biller_id); empty: the built-in"),
	NAMED_STRING("newrelic", "logs_nrql", nr_logs_nrql, "",
		     "NRQL of a biller's log lines ({biller_id} {batch_id} {since}); empty: the built-in"),
	{ { "shard.NAME", "dsn", "string", "",
	    "libpq connection string of the shard (required)", 0, 0 },
	  OPT_DSN, 0 },
	/* Pooler options (doc/batchtop.conf.5, "POOLERS"). */
	{ { "shard.NAME", "pooler", "string", "none",
	    "none, or transaction: the dsn goes through a transaction pooler"
	    " (PgBouncer): no session settings, no LISTEN", 0, 0 },
	  OPT_DSN, 0 },
	{ { "shard.NAME", "listen_dsn", "string", "",
	    "with a pooler: a direct connection string for LISTEN only;"
	    " empty: polling alone", 0, 0 },
	  OPT_DSN, 0 },
	{ { "shard.NAME", "replica", "string", "",
	    "libpq connection string of a hot standby that polls read", 0, 0 },
	  OPT_DSN, 0 },
	{ { "shard.NAME", "replica_max_lag", "integer", "30",
	    "Seconds of replica replay lag before polls go to the primary",
	    REPLICA_LAG_MIN, REPLICA_LAG_MAX },
	  OPT_DSN, 0 },
	{ { "shard.NAME", "replica_pooler", "string", "",
	    "none, or transaction: whether the replica dsn goes through a"
	    " transaction pooler; empty: as pooler", 0, 0 },
	  OPT_DSN, 0 },
};
#define NOPTIONS (sizeof options / sizeof options[0])

static const char *const sort_names[SORT__COUNT] = {
	[SORT_RISK] = "risk",
	[SORT_NAME] = "name",
	[SORT_SHARD] = "shard",
	[SORT_PRIORITY] = "priority",
	[SORT_TIME_LEFT] = "time-left",
	[SORT_AUTOPAY] = "autopay",
};

/* inih reads into a buffer of INI_MAX_LINE bytes that must also hold the
 * newline and the NUL; a longer line is split into two without a word. */
#define MAX_LINE (INI_MAX_LINE - 2)

#define SHARD_NAME_MAX 32

/* A section name and option name no file can contain (see reader()). */
#define MARK "\x01"

const char *sort_key_name(enum sort_key k)
{
	if ((unsigned)k >= SORT__COUNT)
		return "?";
	return sort_names[k];
}

int sort_key_from_name(const char *name)
{
	for (int k = 0; k < SORT__COUNT; k++)
		if (strcmp(sort_names[k], name) == 0)
			return k;
	return -1;
}

size_t config_option_count(void)
{
	return NOPTIONS;
}

const struct config_option_info *config_option(size_t i)
{
	return i < NOPTIONS ? &options[i].info : NULL;
}

/* A decimal integer: an optional '-' and digits, nothing else.  A number
 * too big for a long becomes LONG_MIN or LONG_MAX: out of every range. */
static int parse_decimal(const char *s, long *out)
{
	const char *d = s + (s[0] == '-');

	if (*d == '\0' || strspn(d, "0123456789") != strlen(d))
		return -1;
	*out = strtol(s, NULL, 10);
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* Set option o of c from its text; returns NULL, or a message to free. */
static char *option_set(const struct option_def *o, struct config *c,
			const char *value)
{
	char *field = (char *)c + o->offset;
	const char *name = o->info.name;

	switch (o->type) {
	case OPT_INT: {
		long n;

		if (parse_decimal(value, &n) < 0)
			return xasprintf("%s: \"%s\" is not a decimal integer "
					 "(allowed: %d..%d)", name, value,
					 o->info.min, o->info.max);
		if (n < o->info.min || n > o->info.max)
			return xasprintf("%s: %s is out of range (allowed: "
					 "%d..%d)", name, value, o->info.min,
					 o->info.max);
		*(int *)(void *)field = (int)n;
		return NULL;
	}
	case OPT_BOOL:
		if (parse_bool(value, (bool *)(void *)field) < 0)
			return xasprintf("%s: \"%s\" is not a boolean (use true "
					 "or false, yes or no, on or off, 1 or 0)",
					 name, value);
		return NULL;
	case OPT_PATH: {
		char **path = (char **)(void *)field;
		const char *home = getenv("HOME");

		if (value[0] == '\0')
			return xasprintf("%s: the path is empty", name);
		free(*path);
		*path = NULL;
		if (strncmp(value, "~/", 2) != 0) {
			*path = xstrdup(value);
			return NULL;
		}
		if (home == NULL || home[0] == '\0')
			return xasprintf("%s: cannot expand \"~/\": HOME is not "
					 "set", name);
		*path = xasprintf("%s%s", home, value + 1);
		return NULL;
	}
	case OPT_STRING: {
		char **str = (char **)(void *)field;

		free(*str);
		*str = value[0] ? xstrdup(value) : NULL;
		return NULL;
	}
	case OPT_SORT: {
		int k = sort_key_from_name(value);

		if (k < 0)
			return xasprintf("%s: \"%s\" is not a sort key (use risk, "
					 "name, shard, priority, time-left or "
					 "autopay)", name, value);
		*(enum sort_key *)(void *)field = (enum sort_key)k;
		return NULL;
	}
	case OPT_DSN:
		break;
	}
	fatal("config: option %s cannot be set from the table", name);
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < NOPTIONS; i++) {
		char *err;

		if (options[i].type == OPT_DSN || options[i].info.def[0] == '\0')
			continue;
		err = option_set(&options[i], c, options[i].info.def);
		if (err != NULL)
			fatal("config: bad built-in default: %s", err);
	}
}

static void wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void config_free(struct config *c)
{
	free(c->path);
	for (size_t i = 0; i < NOPTIONS; i++)
		if (options[i].type == OPT_PATH || options[i].type == OPT_STRING)
			free(*(char **)(void *)((char *)c + options[i].offset));
	for (size_t i = 0; i < c->nshards; i++) {
		free(c->shards[i].name);
		wipe_free(c->shards[i].dsn);
		wipe_free(c->shards[i].listen_dsn);
		wipe_free(c->shards[i].replica);
	}
	free(c->shards);
	memset(c, 0, sizeof *c);
}

/* The state of one parse. */
struct parse {
	struct config *c;
	const char *p, *end;	/* the text not yet handed to inih */
	int frame;		/* next line for inih: 0 "[MARK]", 1 text, 2 "MARK=" */
	int line;		/* the line of the text inih is on */

	enum { SEC_NONE, SEC_BATCHTOP, SEC_UI, SEC_NEWRELIC, SEC_SHARD,
	       SEC_BAD } sec;
	int sec_line;		/* its header's line */
	int dsn_line;		/* SEC_SHARD: where dsn was set, or 0 */
	int opt_line[NOPTIONS];	/* where each option was set, or 0 */

	int err_line;		/* 0: the message names no line */
	char *err;
	/* A shard without a dsn: told only when nothing else is wrong, so a
	 * mistyped "dns =" is reported at its own line, not at the header. */
	int missing_line;
	char *missing;
};

/* Record msg (taking it) as the problem at line, unless one at an earlier
 * line is known. */
static void fail(struct parse *ps, int line, char *msg)
{
	if (ps->err != NULL && ps->err_line <= line) {
		free(msg);
		return;
	}
	free(ps->err);
	ps->err = msg;
	ps->err_line = line;
}

static struct shard_conf *cur_shard(struct parse *ps)
{
	return &ps->c->shards[ps->c->nshards - 1];
}

static void section_end(struct parse *ps)
{
	if (ps->sec == SEC_SHARD && ps->dsn_line == 0 && ps->missing == NULL) {
		ps->missing = xasprintf("[shard.%s] has no dsn",
					cur_shard(ps)->name);
		ps->missing_line = ps->sec_line;
	}
	ps->sec = SEC_NONE;
}

/* "dns", "DSN", "sdn": the letters of dsn in another order or case. */
static bool looks_like_dsn(const char *name)
{
	int seen[3] = { 0, 0, 0 };

	if (strlen(name) != 3)
		return false;
	for (int i = 0; i < 3; i++) {
		const char *at = strchr("dsn", name[i] | 0x20);

		if (at == NULL || seen[at - "dsn"]++)
			return false;
	}
	return true;
}

/* inih keeps 49 bytes of a section name: a name it cuts is too long anyway. */
static bool shard_name_ok(const char *name)
{
	size_t len = strlen(name);

	return len >= 1 && len <= SHARD_NAME_MAX &&
	       strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789_-") == len;
}

static void shard_begin(struct parse *ps, const char *name)
{
	struct config *c = ps->c;

	/* Not echoed: the header may be a mistyped line of anything. */
	if (!shard_name_ok(name)) {
		fail(ps, ps->line, xasprintf("bad shard name in section "
			"header: use 1 to %d of A-Z a-z 0-9 _ -",
			SHARD_NAME_MAX));
		ps->sec = SEC_BAD;
		return;
	}
	for (size_t i = 0; i < c->nshards; i++)
		if (strcmp(c->shards[i].name, name) == 0) {
			fail(ps, ps->line, xasprintf("duplicate section "
				"[shard.%s] (first at line %d)", name,
				c->shards[i].line));
			ps->sec = SEC_BAD;
			return;
		}
	c->shards = xrealloc(c->shards, (c->nshards + 1) * sizeof *c->shards);
	c->shards[c->nshards++] = (struct shard_conf){
		.name = xstrdup(name),
		.dsn = NULL,
		.replica_max_lag = 30,
		.replica_pooled = -1,
		.line = ps->line,
	};
	ps->sec = SEC_SHARD;
	ps->dsn_line = 0;
}

static void section_begin(struct parse *ps, const char *name)
{
	section_end(ps);
	ps->sec_line = ps->line;
	if (strcmp(name, "batchtop") == 0)
		ps->sec = SEC_BATCHTOP;
	else if (strcmp(name, "ui") == 0)
		ps->sec = SEC_UI;
	else if (strcmp(name, "newrelic") == 0)
		ps->sec = SEC_NEWRELIC;
	else if (strncmp(name, "shard.", 6) == 0)
		shard_begin(ps, name + 6);
	else {
		fail(ps, ps->line, xasprintf("unknown section [%s] (sections "
			"are [batchtop], [ui], [newrelic] and [shard.NAME])", name));
		ps->sec = SEC_BAD;
	}
}

/* replica, replica_max_lag and replica_pooler; false when name is none.  A replica
 * DSN is treated like dsn: never echoed in a message. */
static bool replica_option(struct parse *ps, struct shard_conf *sh,
			   const char *name, const char *value)
{
	char *end;
	long v;

	if (strcmp(name, "replica") == 0) {
		if (sh->replica != NULL) {
			fail(ps, ps->line, xasprintf("replica is set twice in "
				"[shard.%s]", sh->name));
			return true;
		}
		if (value[0] == '\0') {
			fail(ps, ps->line, xasprintf("replica of [shard.%s] is "
				"empty", sh->name));
			return true;
		}
		sh->replica = xstrdup(value);
		return true;
	}
	if (strcmp(name, "replica_pooler") == 0) {
		if (strcmp(value, "none") == 0 || strcmp(value, "transaction") == 0)
			sh->replica_pooled = value[0] == 't';
		else
			fail(ps, ps->line, xasprintf("replica_pooler of [shard.%s]"
				" must be none or transaction", sh->name));
		return true;
	}
	if (strcmp(name, "replica_max_lag") != 0)
		return false;
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0' || v < REPLICA_LAG_MIN ||
	    v > REPLICA_LAG_MAX)
		fail(ps, ps->line, xasprintf("replica_max_lag of [shard.%s] "
			"must be a whole number of seconds from %d to %d",
			sh->name, REPLICA_LAG_MIN, REPLICA_LAG_MAX));
	else
		sh->replica_max_lag = (int)v;
	return true;
}

/* Not the name of an unknown option: a dsn may have been typed there. */
static void shard_option(struct parse *ps, const char *name,
			 const char *value)
{
	struct shard_conf *sh = cur_shard(ps);

	/* The pooler options. */
	if (strcmp(name, "pooler") == 0) {
		if (strcmp(value, "none") == 0 || strcmp(value, "transaction") == 0)
			sh->pooled = value[0] == 't';
		else
			fail(ps, ps->line, xasprintf("pooler of [shard.%s] must be"
				" none or transaction", sh->name));
		return;
	}
	if (strcmp(name, "listen_dsn") == 0) {
		/* Not echoed: it may hold a password. */
		if (sh->listen_dsn)
			fail(ps, ps->line, xasprintf("listen_dsn is set twice in "
				"[shard.%s]", sh->name));
		else if (value[0])
			sh->listen_dsn = xstrdup(value);
		return;
	}
	if (replica_option(ps, sh, name, value))
		return;
	if (strcmp(name, "dsn") != 0) {
		fail(ps, ps->line, xasprintf("unknown option in [shard.%s]: "
			"a shard section takes dsn, pooler, listen_dsn, "
			"replica, replica_max_lag and replica_pooler%s", sh->name,
			looks_like_dsn(name) ? " (is it dsn, mistyped?)" : ""));
		return;
	}
	if (ps->dsn_line != 0) {
		fail(ps, ps->line, xasprintf("dsn is set twice in [shard.%s] "
			"(first at line %d)", sh->name, ps->dsn_line));
		return;
	}
	ps->dsn_line = ps->line;
	if (value[0] == '\0') {
		fail(ps, ps->line, xasprintf("dsn of [shard.%s] is empty",
					     sh->name));
		return;
	}
	sh->dsn = xstrdup(value);
}

static void table_option(struct parse *ps, const char *section,
			 const char *name, const char *value)
{
	const struct option_def *o = NULL;
	char *err;
	size_t i;

	for (i = 0; i < NOPTIONS; i++)
		if (strcmp(options[i].info.section, section) == 0 &&
		    strcmp(options[i].info.name, name) == 0) {
			o = &options[i];
			break;
		}
	if (o == NULL) {
		for (size_t j = 0; j < NOPTIONS; j++)
			if (strcmp(options[j].info.name, name) == 0) {
				fail(ps, ps->line, xasprintf("unknown option "
					"\"%s\" in [%s] (it belongs in [%s])",
					name, section,
					options[j].info.section));
				return;
			}
		fail(ps, ps->line, xasprintf("unknown option \"%s\" in [%s]",
					     name, section));
		return;
	}
	if (ps->opt_line[i] != 0) {
		fail(ps, ps->line, xasprintf("%s is set twice (first at line "
			"%d)", name, ps->opt_line[i]));
		return;
	}
	ps->opt_line[i] = ps->line;
	err = option_set(o, ps->c, value);
	if (err != NULL)
		fail(ps, ps->line, err);
}

static int on_ini(void *user, const char *section, const char *name,
		  const char *value)
{
	struct parse *ps = user;

	if (strcmp(name, MARK) == 0) {
		if (strcmp(section, MARK) != 0)
			section_begin(ps, section);
		return 1;
	}
	switch (ps->sec) {
	case SEC_NONE:
		fail(ps, ps->line, xasprintf("option \"%s\" is outside of "
			"any section", name));
		break;
	case SEC_BATCHTOP:
		table_option(ps, "batchtop", name, value);
		break;
	case SEC_UI:
		table_option(ps, "ui", name, value);
		break;
	case SEC_NEWRELIC:
		table_option(ps, "newrelic", name, value);
		break;
	case SEC_SHARD:
		shard_option(ps, name, value);
		break;
	case SEC_BAD:
		break;	/* its header was reported */
	}
	/* Errors are kept in ps; inih's own return is for syntax errors. */
	return 1;
}

/*
 * The inih we build against (r55 as Debian ships it) tells the handler
 * neither the line number nor that a section began, and takes an indented
 * line for the continuation of the previous value.  So each line of the
 * text reaches inih framed by two lines of our own: "[MARK]" before it,
 * which resets the section and ends any continuation, and "MARK=" after
 * it, whose handler call tells which section inih is in.  If that is not
 * MARK, the framed line was a section header: empty sections and repeated
 * headers are seen, each with its line.  Line k of the text is line 3k-1
 * for inih.
 */
static char *reader(char *str, int num, void *stream)
{
	struct parse *ps = stream;
	const char *src;
	size_t len;

	switch (ps->frame) {
	case 0:
		if (ps->p >= ps->end)
			return NULL;
		src = "[" MARK "]\n";
		len = 4;
		break;
	case 1: {
		const char *nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));

		src = ps->p;
		len = nl ? (size_t)(nl - ps->p) + 1 : (size_t)(ps->end - ps->p);
		ps->p += len;
		ps->line++;
		break;
	}
	default:
		src = MARK "=\n";
		len = 3;
		break;
	}
	ps->frame = (ps->frame + 1) % 3;
	if (num < 1 || len > (size_t)num - 1)
		fatal("config: a line of %zu bytes passed the length check", len);
	memcpy(str, src, len);
	str[len] = '\0';
	return str;
}

/* Refuse what inih would silently get wrong. */
static void check_text(struct parse *ps, const char *text, size_t len)
{
	int line = 1, col = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\n') {
			line++;
			col = 0;
			continue;
		}
		if (ch == '\0') {
			fail(ps, line, xstrdup("NUL byte in line"));
			return;
		}
		if ((ch < ' ' && ch != '\t' && ch != '\r') || ch == 127) {
			fail(ps, line, xasprintf("control character 0x%02x in "
				"line", ch));
			return;
		}
		if (++col > MAX_LINE) {
			fail(ps, line, xasprintf("line longer than %d "
				"characters", MAX_LINE));
			return;
		}
	}
}

/* Payment files run at the same times every day, counted from midnight:
 * the period must divide a day. */
static void check_period(struct parse *ps)
{
	int period = ps->c->payment_file_period;

	if (86400 % period == 0)
		return;
	for (size_t i = 0; i < NOPTIONS; i++)
		if (strcmp(options[i].info.name, "payment_file_period") == 0)
			fail(ps, ps->opt_line[i], xasprintf("payment_file_period: "
				"%d does not divide a day (86400 s): use e.g. "
				"3600, 1800, 900, 60 or 36", period));
}

static int load_text(struct config *c, const char *text, size_t len,
		     const char *name, char **err)
{
	struct parse ps = { .c = c };

	c->path = xstrdup(name);
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	ps.p = text;
	ps.end = text + len;
	check_text(&ps, text, len);
	if (ps.err == NULL) {
		int rc = ini_parse_stream(reader, &ps, on_ini, &ps);

		if (rc < 0)
			fatal("out of memory");
		section_end(&ps);
		if (rc > 0)
			fail(&ps, (rc + 1) / 3, xstrdup("syntax error: "
				"expected [section] or name = value"));
	}
	if (ps.err == NULL && ps.missing != NULL) {
		ps.err = ps.missing;
		ps.err_line = ps.missing_line;
		ps.missing = NULL;
	}
	if (ps.err == NULL)
		check_period(&ps);
	free(ps.missing);
	if (ps.err == NULL && c->nshards == 0) {
		ps.err = xstrdup("no [shard.NAME] section: batchtop needs at "
				 "least one shard");
		ps.err_line = 0;
	}
	if (ps.err == NULL)
		return 0;

	if (ps.err_line > 0)
		*err = xasprintf("%s:%d: %s", name, ps.err_line, ps.err);
	else
		*err = xasprintf("%s: %s", name, ps.err);
	free(ps.err);
	config_free(c);
	config_defaults(c);
	return -1;
}

int config_load_string(struct config *c, const char *text, const char *name,
		       char **err)
{
	config_defaults(c);
	return load_text(c, text, strlen(text), name, err);
}

int config_load_buffer(struct config *c, const char *text, size_t len,
		       const char *name, char **err)
{
	config_defaults(c);
	if (len > CONFIG_MAX_FILE) {
		*err = xasprintf("%s: larger than %d bytes", name,
				 CONFIG_MAX_FILE);
		return -1;
	}
	return load_text(c, text, len, name, err);
}
