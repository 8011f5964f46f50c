/*
 * query_notes.h - every query of batchtop.note (contract v3) and of its
 * function add_note, with the parsing of their rows.
 *
 * The poller (data/shard_poller.c) runs query_notes_poll_sql after each
 * poll of a v3 shard and hangs the rows on the snapshot it publishes
 * (core/note.h); the note action (write/note_order.c) sends add_note as
 * a write job.  Ids are kept raw; kind, author and body are sanitized.
 */
#ifndef BT_QUERY_NOTES_H
#define BT_QUERY_NOTES_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/snapshot.h"
#include "query/query_job.h"

/* The notes of the last $1 hours (night_hours) and the acknowledgements
 * of the last week that still stand, the latest 2000. */
extern const char query_notes_poll_sql[];

/* Parse a query_notes_poll_sql result into s (its arena): s->notes,
 * sorted (note_sort), s->nnotes and s->notes_read.  Rows whose ids are
 * NULL are skipped.  Returns how many were kept. */
size_t query_notes_parse(const PGresult *res, struct snapshot *s);

/* The write job of batchtop.add_note(biller_id, batch_id (NULL: the
 * biller), kind, author, body); every value sent as given. */
struct sq_job *query_notes_add_job(int kind, const char *biller_id,
				   const char *batch_id, const char *note_kind,
				   const char *author, const char *body);

struct note_outcome {
	const char *outcome;	/* raw: added, exists, refused; NULL */
	int64_t note_id;	/* 0 when none */
	const char *detail;	/* raw, NULL for none */
};

/* The answer of an add job (all NULL/0 when it has no row). */
void query_notes_outcome(const PGresult *res, struct note_outcome *o);

#endif
