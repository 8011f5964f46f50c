/*
 * query_report.c - the handoff report's SQL and the parsing of its rows
 * (see query_report.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sqltime.h"
#include "query/query_deadline.h"
#include "query/query_report.h"
#include "query/query_row.h"
#include "core/xalloc.h"

#define TEXT_MAX_S "4000"
_Static_assert(QUERY_REPORT_TEXT_MAX == 4000, "TEXT_MAX_S says the same");
#define CUT(x) "left(" x ", " TEXT_MAX_S ")"

/* $1 the day asked for (NULL: the latest due within $2 night_hours). */
#define DAY_CTE \
	"WITH d AS (SELECT coalesce($1::date, (SELECT max(business_day)" \
	"   FROM batchtop.batch_close" \
	"   WHERE scheduled_at <= now() + $2::int * interval '1 hour')) AS day)"

/* The day's span, for rows that belong to the night by their time. */
#define SPAN_CTE \
	DAY_CTE ", w AS (SELECT min(bc.scheduled_at) - $2::int * interval '1 hour'" \
	"   AS t0, greatest(max(bc.scheduled_at), max(bc.finished_at))" \
	"   + $2::int * interval '1 hour' AS t1" \
	"  FROM batchtop.batch_close bc JOIN d ON bc.business_day = d.day)," \
	" b AS (SELECT bc.batch_id FROM batchtop.batch_close bc" \
	"  JOIN d ON bc.business_day = d.day)"

/* A v3 table we may read: present, and SELECT granted to us. */
#define READABLE(t) \
	"(to_regclass('" t "') IS NOT NULL AND" \
	" has_table_privilege(to_regclass('" t "'), 'SELECT'))"

static const char meta_sql[] =
	DAY_CTE
	" SELECT d.day::text AS day, $2::int AS hours,"
	"  " READABLE("batchtop.note") " AS has_notes,"
	"  " READABLE("batchtop.hold") " AS has_holds,"
	"  " READABLE("batchtop.write_off") " AS has_write_offs"
	" FROM d";

/* $3 window_minutes, for the deadline rule (query_deadline.h). */
static const char closes_sql[] =
	DAY_CTE
	" SELECT bc.batch_id, bc.biller_id, bi.name, bc.payment_type, bc.module,"
	"  bc.status, bc.attempts, bc.error_class,"
	"  " CUT("bc.error_message") " AS error_message,"
	"  coalesce(bi.is_demo, false) AS is_demo,"
	"  " SQLTIME_MS("bc.scheduled_at") " AS scheduled_ms,"
	"  " SQLTIME_MS("dl.t") " AS deadline_ms,"
	"  " SQLTIME_MS("bc.started_at") " AS started_ms,"
	"  " SQLTIME_MS("bc.finished_at") " AS finished_ms,"
	"  coalesce(bc.finished_at > dl.t, false)"
	"   OR (bc.status IS DISTINCT FROM 'closed' AND dl.t < now()) AS missed"
	" FROM batchtop.batch_close bc"
	" JOIN d ON bc.business_day = d.day"
	" CROSS JOIN LATERAL (SELECT " QUERY_DEADLINE("bc.", "$3") " AS t) dl"
	" LEFT JOIN batchtop.biller bi ON bi.biller_id = bc.biller_id"
	" ORDER BY bc.scheduled_at, bc.batch_id LIMIT 20000";

/* Reruns of the day's closes, and of anything else (autopay invoices)
 * asked within the night's span. */
static const char reruns_sql[] =
	SPAN_CTE
	" SELECT r.request_id, r.kind, r.target_id, r.requested_by,"
	"  " CUT("r.reason") " AS reason, r.status, " CUT("r.result") " AS result,"
	"  " SQLTIME_MS("r.requested_at") " AS requested_ms,"
	"  " SQLTIME_MS("r.finished_at") " AS finished_ms"
	" FROM batchtop.rerun_request r, w"
	" WHERE (r.kind = 'batch_close' AND r.target_id IN (SELECT batch_id FROM b))"
	"  OR (r.kind IS DISTINCT FROM 'batch_close'"
	"   AND r.requested_at BETWEEN w.t0 AND w.t1)"
	" ORDER BY r.requested_at, r.request_id LIMIT 20000";

static const char notes_sql[] =
	SPAN_CTE
	" SELECT n.note_id, n.biller_id, n.batch_id, n.kind, n.author,"
	"  " CUT("n.body") " AS body,"
	"  " SQLTIME_MS("n.created_at") " AS created_ms"
	" FROM batchtop.note n, w"
	" WHERE n.batch_id IN (SELECT batch_id FROM b)"
	"  OR n.created_at BETWEEN w.t0 AND w.t1"
	" ORDER BY n.created_at, n.note_id LIMIT 20000";

/* Holds in force at some time of the night. */
static const char holds_sql[] =
	SPAN_CTE
	" SELECT h.hold_id, h.biller_id, h.kind, h.payment_type, h.module,"
	"  h.day_from::text AS day_from, h.day_to::text AS day_to,"
	"  " CUT("h.reason") " AS reason, h.placed_by, h.ended_by, h.ended_how,"
	"  " SQLTIME_MS("h.placed_at") " AS placed_ms,"
	"  " SQLTIME_MS("h.expires_at") " AS expires_ms,"
	"  " SQLTIME_MS("h.ended_at") " AS ended_ms"
	" FROM batchtop.hold h, w"
	" WHERE h.placed_at <= w.t1 AND (h.ended_at IS NULL OR h.ended_at >= w.t0)"
	" ORDER BY h.placed_at, h.hold_id LIMIT 20000";

/* Invoices written off during the night. */
static const char write_offs_sql[] =
	SPAN_CTE
	" SELECT wo.invoice_id, wo.biller_id, wo.hold_id,"
	"  " CUT("wo.reason") " AS reason, wo.written_by,"
	"  " SQLTIME_MS("wo.written_at") " AS written_ms"
	" FROM batchtop.write_off wo, w"
	" WHERE wo.written_at BETWEEN w.t0 AND w.t1"
	" ORDER BY wo.written_at, wo.invoice_id LIMIT 20000";

static const char *const part_sql[QREPORT__PARTS] = {
	[QREPORT_META] = meta_sql, [QREPORT_CLOSES] = closes_sql,
	[QREPORT_RERUNS] = reruns_sql, [QREPORT_NOTES] = notes_sql,
	[QREPORT_HOLDS] = holds_sql, [QREPORT_WRITE_OFFS] = write_offs_sql,
};

struct sq_job *query_report_job(int kind, enum query_report_part part,
				const char *day, int night_hours,
				int window_minutes)
{
	char hours[16], window[16];
	const char *p[3] = { day, hours, window };

	snprintf(hours, sizeof hours, "%d", night_hours);
	snprintf(window, sizeof window, "%d", window_minutes);
	/* Only the closes use the window: an unused parameter has no type. */
	return sq_job_new(kind, false, part_sql[part],
			  part == QREPORT_CLOSES ? 3 : 2, p);
}

/* A time column; a bad one (or infinity) is no time. */
static int64_t ms(struct qrow *q, const char *col)
{
	int64_t v;

	return qrow_time(q, col, &v) == SQLTIME_FINITE ? v : NIGHT_NO_TIME;
}

static void parse_meta(struct night *n, int shard, struct qrow *q)
{
	struct night_shard *s = &n->shards[shard];
	const char *day = qrow_text(q, "day");

	snprintf(s->day, sizeof s->day, "%s", day ? day : "");
	s->has_notes = qrow_bool(q, "has_notes", false);
	s->has_holds = qrow_bool(q, "has_holds", false);
	s->has_write_offs = qrow_bool(q, "has_write_offs", false);
}

static void parse_close(struct night *n, int shard, struct qrow *q)
{
	struct night_close *c = night_add_close(n);

	c->shard = shard;
	c->batch_id = qrow_dup_or_empty(q, "batch_id");
	c->biller_id = qrow_dup_or_empty(q, "biller_id");
	c->name = qrow_dup_or_empty(q, "name");
	c->payment_type = qrow_dup_or_empty(q, "payment_type");
	c->module = qrow_dup_or_empty(q, "module");
	c->status = qrow_dup_or_empty(q, "status");
	c->error_class = qrow_dup(q, "error_class");
	c->error_message = qrow_dup(q, "error_message");
	c->attempts = (int)qrow_int(q, "attempts", 0);
	c->demo = qrow_bool(q, "is_demo", false);
	c->missed = qrow_bool(q, "missed", false);
	c->scheduled = ms(q, "scheduled_ms");
	c->deadline = ms(q, "deadline_ms");
	c->started = ms(q, "started_ms");
	c->finished = ms(q, "finished_ms");
}

static void parse_rerun(struct night *n, int shard, struct qrow *q)
{
	struct night_rerun *r = night_add_rerun(n);

	r->shard = shard;
	r->request_id = (long long)qrow_int(q, "request_id", 0);
	r->kind = qrow_dup(q, "kind");
	r->target_id = qrow_dup(q, "target_id");
	r->requested_by = qrow_dup(q, "requested_by");
	r->reason = qrow_dup(q, "reason");
	r->status = qrow_dup(q, "status");
	r->result = qrow_dup(q, "result");
	r->requested = ms(q, "requested_ms");
	r->finished = ms(q, "finished_ms");
}

static void parse_note(struct night *n, int shard, struct qrow *q)
{
	struct night_note *x = night_add_note(n);

	x->shard = shard;
	x->note_id = (long long)qrow_int(q, "note_id", 0);
	x->biller_id = qrow_dup(q, "biller_id");
	x->batch_id = qrow_dup(q, "batch_id");
	x->kind = qrow_dup(q, "kind");
	x->author = qrow_dup(q, "author");
	x->body = qrow_dup(q, "body");
	x->created = ms(q, "created_ms");
}

static void parse_hold(struct night *n, int shard, struct qrow *q)
{
	struct night_hold *h = night_add_hold(n);

	h->shard = shard;
	h->hold_id = (long long)qrow_int(q, "hold_id", 0);
	h->biller_id = qrow_dup(q, "biller_id");
	h->kind = qrow_dup(q, "kind");
	h->payment_type = qrow_dup(q, "payment_type");
	h->module = qrow_dup(q, "module");
	h->day_from = qrow_dup(q, "day_from");
	h->day_to = qrow_dup(q, "day_to");
	h->reason = qrow_dup(q, "reason");
	h->placed_by = qrow_dup(q, "placed_by");
	h->ended_by = qrow_dup(q, "ended_by");
	h->ended_how = qrow_dup(q, "ended_how");
	h->placed = ms(q, "placed_ms");
	h->expires = ms(q, "expires_ms");
	h->ended = ms(q, "ended_ms");
}

static void parse_write_off(struct night *n, int shard, struct qrow *q)
{
	struct night_write_off *w = night_add_write_off(n);

	w->shard = shard;
	w->invoice_id = qrow_dup_or_empty(q, "invoice_id");
	w->biller_id = qrow_dup(q, "biller_id");
	w->hold_id = (long long)qrow_int(q, "hold_id", 0);
	w->reason = qrow_dup(q, "reason");
	w->written_by = qrow_dup(q, "written_by");
	w->written = ms(q, "written_ms");
}

typedef void (*row_parser)(struct night *n, int shard, struct qrow *q);

static const row_parser parsers[QREPORT__PARTS] = {
	[QREPORT_META] = parse_meta, [QREPORT_CLOSES] = parse_close,
	[QREPORT_RERUNS] = parse_rerun, [QREPORT_NOTES] = parse_note,
	[QREPORT_HOLDS] = parse_hold, [QREPORT_WRITE_OFFS] = parse_write_off,
};

int query_report_parse(struct night *n, int shard, enum query_report_part part,
		       const PGresult *res)
{
	int rows = PQntuples(res), bad = 0;

	if ((unsigned)part >= QREPORT__PARTS || shard < 0 ||
	    (size_t)shard >= n->nshards)
		return -1;
	for (int i = 0; i < rows; i++) {
		struct qrow q = qrow_at(res, i);

		parsers[part](n, shard, &q);
		bad |= q.bad;
	}
	return bad ? -1 : 0;
}
