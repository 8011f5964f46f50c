/*
 * query_notes.c - the queries of batchtop.note (see query_notes.h).
 */
#include "autoconf.h"

#include <string.h>

#include "core/arena.h"
#include "core/note.h"
#include "core/sqltime.h"
#include "query/query_notes.h"
#include "query/query_row.h"

/* A standing acknowledgement is the shard's word (note_is_open), and older
 * than a week it is no longer tonight's: bounding it keeps the poll's cost
 * to the night's rows, not every note ever written. */
const char query_notes_poll_sql[] =
	"SELECT n.note_id, n.biller_id, n.batch_id, n.kind, n.author, n.body,"
	" " SQLTIME_MS("n.created_at") " AS created_ms,"
	" CASE WHEN n.kind = 'acknowledged' THEN batchtop.note_is_open(n)"
	"  ELSE false END AS is_open"
	" FROM batchtop.note n"
	" WHERE n.created_at >= now() - $1::int * interval '1 hour'"
	"    OR (n.kind = 'acknowledged'"
	"        AND n.created_at >= now() - interval '7 days'"
	"        AND batchtop.note_is_open(n))"
	" ORDER BY n.note_id DESC LIMIT 2000";

size_t query_notes_parse(const PGresult *res, struct snapshot *s)
{
	int rows = PQntuples(res);
	struct note *v = arena_alloc(s->arena, (size_t)(rows ? rows : 1) *
				     sizeof *v);
	size_t k = 0;

	for (int i = 0; i < rows; i++) {
		struct qrow q = qrow_at(res, i);
		struct note *n = &v[k];
		const char *biller = qrow_text(&q, "biller_id");
		const char *batch = qrow_text(&q, "batch_id");
		const char *kind = qrow_text(&q, "kind");
		const char *t;

		if (!biller)
			continue;
		memset(n, 0, sizeof *n);
		n->note_id = qrow_int(&q, "note_id", 0);
		n->biller_id = arena_memdup(s->arena, biller,
					    qrow_len(&q, "biller_id"));
		n->batch_id = batch ? arena_memdup(s->arena, batch,
						   qrow_len(&q, "batch_id"))
				    : NULL;
		n->kind = note_kind_from_text(kind);
		n->kind_text = arena_sanitize(s->arena, kind ? kind : "",
					      qrow_len(&q, "kind"));
		t = qrow_text(&q, "author");
		n->author = arena_sanitize(s->arena, t ? t : "",
					   qrow_len(&q, "author"));
		t = qrow_text(&q, "body");
		n->body = arena_sanitize(s->arena, t ? t : "",
					 qrow_len(&q, "body"));
		if (qrow_time(&q, "created_ms", &n->created_at) != SQLTIME_FINITE)
			n->created_at = BT_NO_TIME;
		n->open = qrow_bool(&q, "is_open", false);
		k++;
	}
	note_sort(v, k);
	s->notes = v;
	s->nnotes = k;
	s->notes_read = true;
	return k;
}

struct sq_job *query_notes_add_job(int kind, const char *biller_id,
				   const char *batch_id, const char *note_kind,
				   const char *author, const char *body)
{
	const char *params[5] = { biller_id, batch_id, note_kind, author, body };

	return sq_job_new(kind, true,
			  "SELECT note_id, outcome, detail FROM batchtop.add_note("
			  "$1, $2, $3, $4, $5)", 5, params);
}

void query_notes_outcome(const PGresult *res, struct note_outcome *o)
{
	struct qrow q = qrow_at(res, 0);

	memset(o, 0, sizeof *o);
	if (PQntuples(res) < 1)
		return;
	o->outcome = qrow_text(&q, "outcome");
	o->note_id = qrow_int(&q, "note_id", 0);
	o->detail = qrow_text(&q, "detail");
}
