/*
 * config.h - batchtop.conf: the option table, defaults, and the loader.
 *
 * The file is INI, parsed by libinih.  Every option is declared once in the
 * table in config.c (name, section, type, default, range, one-line doc);
 * defaults, validation, `batchtop --help-config` and the test that checks
 * doc/batchtop.conf.5 all come from that table.
 */
#ifndef BT_CONFIG_H
#define BT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct shard_conf {
	char *name;	/* from [shard.NAME]; sanitized by the loader's rules */
	char *dsn;	/* libpq connection string; may hold a password: never print */
	char *replica;	/* a hot standby's connection string polls go to, or NULL */
	int replica_max_lag; /* seconds of replay lag before polling the primary */
	int line;	/* line of the section header, for messages */
	bool pooled;	/* pooler = transaction: no session state (pgconn.h) */
	char *listen_dsn; /* direct, for LISTEN when pooled; NULL: none */
	int replica_pooled; /* replica_pooler: 0 none, 1 transaction, -1 as pooler */
};

enum sort_key {
	SORT_RISK,	/* failed, late, at risk, running, ... then priority, time left */
	SORT_NAME,
	SORT_SHARD,
	SORT_PRIORITY,
	SORT_TIME_LEFT,
	SORT_AUTOPAY,
	SORT__COUNT
};

struct config {
	char *path;		/* the file loaded, or NULL for defaults only */

	/* [batchtop] */
	int poll_interval;	/* seconds between polls of one shard */
	int window_minutes;	/* close window when deadline_at is NULL */
	int at_risk_pct;	/* % of the window used that makes a running close "at risk" */
	int payment_file_minute;/* payment files run at this minute past each hour */
	int payment_file_period;/* seconds per "hour" of payment files (3600; less in a demo) */
	int night_hours;	/* "tonight" = scheduled_at within now +/- night_hours */
	/* Incremental polls (contract v2; doc/batchtop.conf.5). */
	int full_resync_interval;  /* seconds between full polls, the backstop */
	int biller_refresh_interval; /* seconds: billers re-read at least this often */
	int poll_overlap;	/* seconds the delta cursor reaches back */
	int query_timeout;	/* seconds: statement_timeout and our own deadline */
	int connect_timeout;	/* seconds */
	int backoff_max;	/* seconds: cap of the reconnect backoff */
	int stale_after;	/* seconds without a good poll before data is "stale" */
	int autopay_alert_pct;	/* autopay failure % that is highlighted */
	bool readonly;		/* never open a session that can write */
	char *keymap;		/* extra keymap file, or NULL */
	char *log_file;		/* diagnostics log, or NULL */
	int max_inflight_per_shard; /* bulk reruns running at once per shard */
	int query_idle_timeout;	/* seconds before an unused query session closes */
	int log_lines;		/* lines the log viewer keeps */
	char *audit_log;	/* audit trail path, or NULL for the default */
	/* --check when every failure is acknowledged (issue 14): stay at
	 * WARNING instead of CRITICAL, so a page stops repeating. */
	bool check_acked_warning;
	int check_failed_crit;	/* --check thresholds; 0 disables one */
	int check_late_crit;
	int check_at_risk_warn;
	bool check_stale_warn;
	/* The circuit breaker of every staged plan (core/breaker.h). */
	int breaker_consecutive_failures; /* 0: no such rule */
	int breaker_failure_rate;	/* percent of the window; 0: no such rule */
	int breaker_failure_window;	/* outcomes the rate is taken over */
	int breaker_pause;		/* seconds open before the one trial */
	/* Forecasts from history (core/forecast.h; doc/batchtop.conf.5). */
	int history_interval;	/* seconds between reads of a shard's history */
	int history_days;	/* calendar days of closes a read takes */
	int at_risk_probability;  /* % chance of a miss that is "at risk" */
	int will_miss_probability; /* % chance of a miss worded "will miss" */
	/* NOTIFY pacing (issue 10; doc/batchtop.conf.5). */
	int notify_min_interval; /* seconds: least gap NOTIFYs leave between polls */

	/* [ui] */
	bool show_demo;
	bool color;
	enum sort_key sort;
	int wallboard_page_seconds;

	/* [newrelic]: unused while nr_account_id is 0 and nothing else is set */
	int nr_account_id;
	char *nr_region;		/* "us", "eu", or NULL for us */
	char *nr_endpoint;		/* NULL: the region's */
	char *nr_api_key_file;		/* NULL: $NEW_RELIC_API_KEY */
	bool nr_allow_insecure;
	int nr_poll_interval;
	char *nr_errors_nrql;		/* NULL: the built-in */
	char *nr_logs_nrql;

	struct shard_conf *shards;
	size_t nshards;
};

/* Fill in every default; no shards.  Treats *c as uninitialized and
 * allocates nothing. */
void config_defaults(struct config *c);

/* The most a config file may hold. */
#define CONFIG_MAX_FILE (1024 * 1024)

/* Parse text (a config file's contents, len bytes; name stands for its
 * path in messages) on top of the defaults.  On error returns -1 and sets
 * *err to a message "PATH:LINE: problem" (caller frees).  Requires at least
 * one shard.  *c is treated as uninitialized (a loaded config is not freed
 * first); after an error it holds the defaults and nothing allocated.
 * Either way it is released with config_free().  Reading the file is
 * data/config_file.c's. */
int config_load_buffer(struct config *c, const char *text, size_t len,
		       const char *name, char **err);
/* The same from a string (tests). */
int config_load_string(struct config *c, const char *text, const char *name,
		       char **err);

/* Free everything c holds and zero it; safe to call again. */
void config_free(struct config *c);

/* The option table, for docs and --help. */
struct config_option_info {
	const char *section;	/* "batchtop", "ui" or "shard.NAME" */
	const char *name;
	const char *type;	/* "integer", "boolean", "string", "path", "sort" */
	const char *def;	/* default as text; "" when unset or required */
	const char *doc;
	int min, max;		/* "integer" only: the allowed range */
};
size_t config_option_count(void);
const struct config_option_info *config_option(size_t i);

const char *sort_key_name(enum sort_key k);
int sort_key_from_name(const char *name);	/* -1 if unknown */

/* --- the option table (core/config_options.c), for the loader only ----- */

/* replica_max_lag's range (a shard option, parsed by the loader). */
#define REPLICA_LAG_MIN 1
#define REPLICA_LAG_MAX 3600

enum opt_type { OPT_INT, OPT_BOOL, OPT_PATH, OPT_STRING, OPT_SORT, OPT_DSN };

struct option_def {
	struct config_option_info info;
	enum opt_type type;
	size_t offset;		/* of the field in struct config */
};

extern const struct option_def config_options[];
extern const size_t config_noptions;

/* Set option o of c from its text; returns NULL, or a message to free. */
char *config_option_set(const struct option_def *o, struct config *c,
			const char *value);

#endif
