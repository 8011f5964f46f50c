/*
 * sim.h - what every part of batchtop-sim shares: the options, the clock,
 * diagnostics on stderr and allocation that cannot fail.
 *
 * batchtop-sim plays the billing platform: it seeds shards with billers,
 * tonight's batch closes, autopay failures and a few weeks of history, then
 * advances the closes and works the rerun queue in real time, compressed by
 * --speed.  Every timestamp it writes comes from the server's now().
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The command line, parsed once by main() and read-only afterwards. */
struct sim_config {
	char **dsns;		/* one libpq connection string per shard */
	int nshards;
	int billers;		/* per shard */
	uint64_t seed;
	double speed;		/* time compression: 60 = a minute per second */
	double duration;	/* real seconds; 0 = until a signal */
	int history_days;
	double fail_rate;	/* fraction of tonight's closes that fail */
	double file_period;	/* real seconds of a platform hour of payment
				   files (default 3600 / speed); files run at
				   45 of its 60 "minutes" */
	int nights;		/* nights to play; 0 = one after another */
	int fail_reruns;	/* every rerun on this --shard (1-based) fails; 0: none */
	bool reset;
	bool no_seed;
	bool verbose;
};

/* The close window: 45 minutes of platform time (the payment files run at
 * 45 past the hour), in real seconds at the configured speed. */
double sim_window_seconds(const struct sim_config *cfg);

/* Real seconds from the start of a payment-file period (counted from
 * midnight UTC) to its file run: 45 of the period's 60 "minutes". */
double sim_file_offset(const struct sim_config *cfg);

/* A duration for a log line: "42.5s", "3m 07s", "1h 02m". Static buffer
 * (one of two, so two calls may share a printf). */
const char *sim_format_seconds(double seconds);

/* Seconds on a monotonic clock, for pacing only (never written to a shard). */
double sim_now(void);

/* "batchtop-sim: ..." on stderr.  sim_debug() prints only with --verbose. */
void sim_set_verbose(bool on);
void sim_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sim_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation that exits with a message instead of returning NULL. */
void *sim_xmalloc(size_t n);
void *sim_xrealloc(void *p, size_t n);
char *sim_xstrdup(const char *s);
/* printf into a new string; the caller frees it. */
char *sim_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
