/*
 * headless.h - batchtop without a terminal, for scripts and monitors.
 *
 * `batchtop --once` polls every shard once and prints the snapshot (a
 * table, JSON as doc/json-format.md describes, CSV, or the Prometheus text
 * format); `batchtop --check` is a monitoring plugin: one line
 * "BATCHTOP <STATE>: text | perfdata" and exit 0, 1, 2 or 3 (OK, WARNING,
 * CRITICAL, UNKNOWN) as Nagios, Icinga and Sensu expect.
 * Both start the same pollers as the dashboard, wait until every shard has
 * answered or failed once, stop them, and print from one view of the data.
 * Nothing here touches the terminal: the output goes to `out`, diagnostics
 * to `err`.
 */
#ifndef BT_HEADLESS_H
#define BT_HEADLESS_H

#include <stddef.h>
#include <stdio.h>

#include "core/config.h"
#include "headless/headless_words.h"
#include "data/shard_poller.h"
#include "core/view.h"

enum headless_format {
	HEADLESS_TABLE, HEADLESS_JSON, HEADLESS_CSV, HEADLESS_PROMETHEUS
};

/* Exit statuses of --check and --once (batchtop(1), EXIT STATUS). */
enum headless_exit {
	HEADLESS_OK = 0,	/* --check: nothing to report; --once: all read */
	HEADLESS_WARNING = 1,	/* --check: at risk, or a source stale or down */
	HEADLESS_CRITICAL = 2,	/* --check: failed or late billers */
	HEADLESS_UNKNOWN = 3,	/* --check: could not see (no shard read, bad
				 * configuration or command line) */
	HEADLESS_PARTIAL = 3,	/* --once: some shard could not be read */
	HEADLESS_IOERR = 74,	/* --once: the output could not be written */
};

/* "table", "json", "csv" or "prometheus"; -1 for anything else. */
int headless_format_from_name(const char *name);

struct newrelic_conf;

/* Both take nrc, the [newrelic] settings, when New Relic is configured
 * (else NULL): its health is then collected too. */

/* Poll once and print the snapshot.  Returns HEADLESS_OK when every shard
 * was read, HEADLESS_PARTIAL when some could not be (the rest is printed),
 * HEADLESS_IOERR when out could not be written, BT_EXIT_CONFIG when New
 * Relic's key cannot be had. */
int headless_once(const struct config *cfg, const struct newrelic_conf *nrc,
		  enum headless_format fmt, FILE *out, FILE *err);

/* Poll once and print the --check line.  Returns HEADLESS_OK, _WARNING,
 * _CRITICAL or _UNKNOWN. */
int headless_check(const struct config *cfg, const struct newrelic_conf *nrc,
		   FILE *out, FILE *err);

/* The --check line when --check cannot run at all (a bad configuration or
 * command line): "BATCHTOP UNKNOWN: why" on out, why on err.  Returns
 * HEADLESS_UNKNOWN. */
int headless_check_unknown(const char *why, FILE *out, FILE *err);

/* --- pure parts, for the unit tests ---------------------------------------
 * (headless_success_permille, which the wallboard shows, and the status
 * words are in headless_words.h.) */

/* A data source as --check judges it. */
struct headless_source {
	const char *name;	/* "east" */
	const char *kind;	/* "shard" or "newrelic" */
	enum shard_state state;	/* SHARD_OK, or how it failed */
};

/* The --check verdict for these totals and sources under cfg's
 * thresholds: UNKNOWN when no shard was read; else CRITICAL when a crit
 * threshold is reached by what was seen; else WARNING when the at-risk
 * threshold is, or (check_stale_warn) a source was not read; else OK.
 * Returns the status and sets *line to "BATCHTOP <STATE>: text | perfdata"
 * without a newline (the caller frees it). */
int headless_check_eval(const struct config *cfg, const struct totals *t,
			const struct headless_source *src, size_t nsrc,
			char **line);

#endif
