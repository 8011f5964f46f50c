/*
 * query_missed.h - the "missed the hour" query and its rows.
 *
 * One read job per shard (query_missed_job()); its answer becomes rows of
 * src/core/missed_report.h, with the strings they point to, kept together in a
 * missed_rowset until the report no longer needs them.
 */
#ifndef BT_QUERY_MISSED_H
#define BT_QUERY_MISSED_H

#include <stddef.h>

#include <libpq-fe.h>

#include "core/missed_report.h"
#include "query/query_job.h"

/* Rows with the strings they point to. */
struct missed_rowset {
	struct missed_row *rows;
	size_t nrows;
	char **strs;
	size_t nstrs;
};

void missed_rowset_free(struct missed_rowset *rs);

/* The read job (the caller submits it) for tonight within night_hours and
 * the deadline rule's window_minutes; kind is the submitter's tag. */
struct sq_job *query_missed_job(int kind, int night_hours, int window_minutes);

/* Fill rs (empty) from the job's result, each row tagged with the shard;
 * shard_name must outlive rs.  Text is sanitized for drawing except the
 * biller id, a key kept as sent. */
void query_missed_parse(struct missed_rowset *rs, const PGresult *res,
			int shard, const char *shard_name);

#endif
