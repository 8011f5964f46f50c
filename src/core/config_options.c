/*
 * config_options.c - the option table of batchtop.conf and its defaults.
 *
 * config_options[] is the one description of every option: section, name,
 * type, default text, range, where it lives in struct config, and a line
 * of doc.  config_defaults() parses each default text with the code that
 * parses the file (config_option_set), and config_option() hands the table
 * to --help-config and to the test that checks doc/batchtop.conf.5.  The
 * loader (config.c) finds options here by section and name.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/xalloc.h"

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

const struct option_def config_options[] = {
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
		   "Most seconds an incremental poll reaches back before the last one"),
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
	/* NOTIFY pacing (issue 10). */
	INT_OPTION("batchtop", notify_min_interval, 1, 0, 3600,
		   "Least seconds between two polls of a shard that NOTIFYs bring forward"),
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
const size_t config_noptions = sizeof config_options / sizeof config_options[0];

static const char *const sort_names[SORT__COUNT] = {
	[SORT_RISK] = "risk",
	[SORT_NAME] = "name",
	[SORT_SHARD] = "shard",
	[SORT_PRIORITY] = "priority",
	[SORT_TIME_LEFT] = "time-left",
	[SORT_AUTOPAY] = "autopay",
};

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
	return config_noptions;
}

const struct config_option_info *config_option(size_t i)
{
	return i < config_noptions ? &config_options[i].info : NULL;
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
char *config_option_set(const struct option_def *o, struct config *c,
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
	for (size_t i = 0; i < config_noptions; i++) {
		char *err;

		if (config_options[i].type == OPT_DSN || config_options[i].info.def[0] == '\0')
			continue;
		err = config_option_set(&config_options[i], c, config_options[i].info.def);
		if (err != NULL)
			fatal("config: bad built-in default: %s", err);
	}
}
