/*
 * query_report.h - the handoff report's queries and the parsing of their
 * rows into a struct night (core/night.h).
 *
 * Per shard: the meta job first names the business day (the one asked
 * for, else the latest whose closes are due within night_hours) and says
 * whether the contract v3 tables (batchtop.note, batchtop.hold,
 * batchtop.write_off) exist and may be read; the closes and reruns jobs need v2 only.  Only when meta
 * says so does the caller submit the notes and holds jobs, so a v2 shard
 * is read without an error.  Every job computes the day itself, from the
 * same parameters, so they can be queued together.  All are reads.
 */
#ifndef BT_QUERY_REPORT_H
#define BT_QUERY_REPORT_H

#include <libpq-fe.h>

#include "core/night.h"
#include "query/query_job.h"

enum query_report_part {
	QREPORT_META, QREPORT_CLOSES, QREPORT_RERUNS, QREPORT_NOTES,
	QREPORT_HOLDS, QREPORT_WRITE_OFFS, QREPORT__PARTS
};

/* Long text (error messages, reasons, note bodies) is cut to this many
 * characters by the shard: a report is for reading. */
#define QUERY_REPORT_TEXT_MAX 4000

/* The read job of one part for the night day ("YYYY-MM-DD", or NULL for
 * the latest), night_hours and window_minutes; kind is the submitter's. */
struct sq_job *query_report_job(int kind, enum query_report_part part,
				const char *day, int night_hours,
				int window_minutes);

/* Parse a part's result for shard index shard of n.  Returns 0, or -1
 * when a row did not parse (the rows that did are kept). */
int query_report_parse(struct night *n, int shard, enum query_report_part part,
		       const PGresult *res);

#endif
