/*
 * report.h - the handoff report: the night on every shard and in the
 * local audit trail, written as Markdown, HTML or JSON.
 *
 * Two ways in, one collector.  `batchtop report` (report_main) starts a
 * query worker per shard, feeds the collector until every shard has
 * answered or failed, and writes the file; the dashboard's W key submits
 * the same jobs to its own workers and feeds the collector from its job
 * handler (ui/handoff.c).  Neither writer touches the terminal: they print
 * into a FILE.  Every string from a shard or the trail is escaped for the
 * format it goes into (report_text.h).
 */
#ifndef BT_REPORT_H
#define BT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/config.h"
#include "core/night.h"
#include "query/query_job.h"

enum report_format { REPORT_MD, REPORT_HTML, REPORT_JSON };

/* Exit statuses of `batchtop report` (batchtop(1), REPORT). */
enum report_exit {
	REPORT_OK = 0,		/* every shard read, the report written */
	REPORT_PARTIAL = 3,	/* written, some shard marked unreadable */
	REPORT_IOERR = 74,	/* the report could not be written */
};

/* The version of the JSON report's schema (doc/batchtop.1, REPORT). */
#define REPORT_JSON_VERSION 2

/* "md", "html" or "json"; -1 for anything else. */
int report_format_from_name(const char *name);
/* The file name extension of fmt ("md", "html", "json"). */
const char *report_format_ext(enum report_format fmt);

/* --- the collector ---------------------------------------------------- */
struct report_collect;

/* A collector for cfg's shards (cfg must outlive it) and the business
 * day ("YYYY-MM-DD", or NULL for each shard's latest); kind tags its jobs
 * (job->ctx belongs to the collector). */
struct report_collect *report_collect_new(const struct config *cfg,
					  const char *day, int kind);
/* The most jobs report_collect_start() or _take() hand back at once. */
#define QREPORT_MAX_JOBS 4

/* The first jobs of shard i (up to max into out); returns how many. */
size_t report_collect_start(struct report_collect *rc, size_t shard,
			    struct sq_job **out, size_t max);
/* Take a finished job of this collector (freeing it); any further jobs of
 * its shard go into more (up to max, returns how many) to be submitted to
 * the same shard's worker. */
size_t report_collect_take(struct report_collect *rc, struct sq_job *job,
			   struct sq_job **more, size_t max);
/* Whether a job came from a collector, and which. */
struct report_collect *report_collect_of(const struct sq_job *job);
/* Mark shard i unreadable with why (its worker could not start). */
void report_collect_fail(struct report_collect *rc, size_t shard, const char *why);
/* Mark shard i unreadable with why unless it has finished (the time to
 * wait for it is up); its jobs still out are then ignored. */
void report_collect_fail_late(struct report_collect *rc, size_t shard,
			      const char *why);
/* Every shard has answered or failed. */
bool report_collect_done(const struct report_collect *rc);
/* The night, once done: the audit trail read in and everything sorted.
 * now is the report's time (epoch ms).  The collector keeps it. */
struct night *report_collect_finish(struct report_collect *rc, int64_t now);
void report_collect_free(struct report_collect *rc);
/* How many collectors are made and not yet freed (for the tests: a quit
 * mid-report leaves none). */
size_t report_collect_live(void);

/* --- writing ---------------------------------------------------------- */
/* Print n as fmt.  0, or -1 when out failed. */
int report_write(const struct night *n, enum report_format fmt, FILE *out);
/* Write n to path through a temporary file renamed into place (a reader
 * never sees half a report); 0, or -1 with err set. */
int report_write_file(const struct night *n, enum report_format fmt,
		      const char *path, char *err, size_t errsz);
/* Where the dashboard writes a report made at now: the directory of the
 * audit trail, batchtop-report-YYYYMMDD-HHMMSS.EXT (the caller frees;
 * NULL when there is no home). */
char *report_default_path(const struct config *cfg, enum report_format fmt,
			  int64_t now);

/* mkdir -p of path's directory, new directories 0700 (the dashboard's
 * reports go beside the audit trail, which may not exist yet). */
void report_make_parents(const char *path);

/* `batchtop report`: read every shard, write the report to output (NULL
 * or "-": stdout).  Returns a report_exit. */
int report_main(const struct config *cfg, enum report_format fmt,
		const char *output, const char *day, FILE *err);

#endif
