/*
 * query_holds.c - the SQL of a shard's holds and its parsing into the
 * poll's snapshot (see query_holds.h).
 *
 * The counts use the contract's tables and the selection rule of
 * doc/contract.md written out here, not the reference's helper
 * functions, which a view-based shard need not have.  Batches are
 * counted among the poll's night (scheduled in the last $1 hours or
 * later), through batch_close (scheduled_at); an invoice's day is that
 * of its latest run in its biller's zone.  Measured on 10,000 billers,
 * 150,000 batches and 50,000 failed invoices: 20 holds of one biller
 * each, 1.3 ms; a shard-wide autopay hold reads every invoice, 80 ms.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/hold.h"
#include "query/query_holds.h"
#include "query/query_row.h"

/* What a batch_close hold holds of batch_close b, and an autopay hold of
 * autopay_failure f, besides the biller: the biller is matched in two
 * branches (one biller: its index; every biller: the night's batches, or
 * every invoice), so each can use an index. */
#define HELD_BATCH \
	" h.ended_at IS NULL AND h.kind = 'batch_close'" \
	" AND b.scheduled_at > now() - $1::int * interval '1 hour'" \
	" AND b.status IN ('held', 'scheduled', 'failed')" \
	" AND (h.payment_type IS NULL OR b.payment_type = h.payment_type)" \
	" AND (h.module IS NULL OR b.module = h.module)" \
	" AND (h.day_from IS NULL OR b.business_day >= h.day_from)" \
	" AND (h.day_to IS NULL OR b.business_day <= h.day_to)"
#define HELD_INVOICES(biller) \
	" SELECT max(f.amount_cents) AS cents," \
	"   (max(r.run_at) AT TIME ZONE coalesce(min(bl.timezone), 'UTC'))::date AS day" \
	" FROM batchtop.autopay_failure f" \
	" LEFT JOIN batchtop.autopay_run r ON r.run_id = f.run_id" \
	" LEFT JOIN batchtop.biller bl ON bl.biller_id = f.biller_id" \
	" WHERE h.ended_at IS NULL AND h.kind = 'autopay_invoice'" \
	" AND h.payment_type IS NULL AND h.module IS NULL" \
	" AND f.invoice_id IS NOT NULL AND " biller \
	" GROUP BY f.invoice_id HAVING bool_or(f.invoice_status = 'needs_rerun')"

const char query_holds_sql[] =
	"SELECT h.hold_id, h.kind, h.biller_id, h.payment_type, h.module,"
	" to_char(h.day_from, 'YYYY-MM-DD') AS day_from,"
	" to_char(h.day_to, 'YYYY-MM-DD') AS day_to,"
	" h.reason, h.placed_by, h.ended_by, h.ended_how,"
	" " SQLTIME_MS("h.placed_at") " AS placed_ms,"
	" " SQLTIME_MS("h.expires_at") " AS expires_ms,"
	" " SQLTIME_MS("h.ended_at") " AS ended_ms,"
	" coalesce(nb.n, 0) + coalesce(nb2.n, 0) AS n_batches,"
	" coalesce(ni.n, 0) AS n_invoices, coalesce(ni.cents, 0) AS held_cents"
	" FROM batchtop.hold h"
	" LEFT JOIN LATERAL (SELECT count(*) AS n FROM batchtop.batch_close b"
	"   WHERE h.biller_id IS NOT NULL AND b.biller_id = h.biller_id AND" HELD_BATCH ") nb ON true"
	" LEFT JOIN LATERAL (SELECT count(*) AS n FROM batchtop.batch_close b"
	"   WHERE h.biller_id IS NULL AND" HELD_BATCH ") nb2 ON true"
	" LEFT JOIN LATERAL (SELECT count(*) AS n, sum(inv.cents) AS cents FROM ("
	HELD_INVOICES("h.biller_id IS NOT NULL AND f.biller_id = h.biller_id")
	" UNION ALL"
	HELD_INVOICES("h.biller_id IS NULL")
	"   ) inv WHERE (h.day_from IS NULL OR inv.day >= h.day_from)"
	"   AND (h.day_to IS NULL OR inv.day <= h.day_to)) ni ON true"
	" WHERE h.ended_at IS NULL OR h.ended_at > now() - $1::int * interval '1 hour'"
	" ORDER BY h.ended_at IS NULL DESC, h.placed_at, h.hold_id"
	" LIMIT $2::int";

/* A key as sent (NULL stays NULL: "any"). */
static const char *key_or_null(struct arena *a, struct qrow *q, const char *col)
{
	const char *v = qrow_text(q, col);

	return v ? arena_memdup(a, v, qrow_len(q, col)) : NULL;
}

static const char *shown(struct arena *a, struct qrow *q, const char *col)
{
	return arena_sanitize(a, qrow_text(q, col), qrow_len(q, col));
}

/* A time that must be finite or NULL; infinity reads as NULL ("never"). */
static int64_t time_or_none(struct qrow *q, const char *col)
{
	int64_t t = BT_NO_TIME;

	switch (qrow_time(q, col, &t)) {
	case SQLTIME_FINITE:
		return t;
	case SQLTIME_BAD:
		return BT_NO_TIME;	/* qrow_time() set bad */
	default:
		return BT_NO_TIME;
	}
}

bool query_holds_parse(const PGresult *res, struct snapshot *s)
{
	int rows;
	size_t n = 0;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
		return false;
	rows = PQntuples(res);
	s->holds = rows ? arena_alloc(s->arena, (size_t)rows * sizeof *s->holds) : NULL;
	for (int i = 0; i < rows; i++) {
		struct qrow q = qrow_at(res, i);
		struct hold *h = &s->holds[n];

		memset(h, 0, sizeof *h);
		h->hold_id = qrow_int(&q, "hold_id", 0);
		h->kind_text = shown(s->arena, &q, "kind");
		h->kind = hold_kind_from_text(qrow_text(&q, "kind"));
		h->biller_id = key_or_null(s->arena, &q, "biller_id");
		h->payment_type = key_or_null(s->arena, &q, "payment_type");
		h->module = key_or_null(s->arena, &q, "module");
		h->day_from = key_or_null(s->arena, &q, "day_from");
		h->day_to = key_or_null(s->arena, &q, "day_to");
		h->reason = shown(s->arena, &q, "reason");
		h->placed_by = shown(s->arena, &q, "placed_by");
		h->ended_by = shown(s->arena, &q, "ended_by");
		h->ended_how = shown(s->arena, &q, "ended_how");
		h->placed_at = time_or_none(&q, "placed_ms");
		h->expires_at = time_or_none(&q, "expires_ms");
		h->ended_at = time_or_none(&q, "ended_ms");
		h->n_batches = (int)qrow_int(&q, "n_batches", 0);
		h->n_invoices = (int)qrow_int(&q, "n_invoices", 0);
		h->held_cents = qrow_int(&q, "held_cents", 0);
		if (q.bad || h->hold_id == 0) {
			s->nholds_bad++;
			continue;
		}
		n++;
	}
	s->nholds = n;
	s->holds_read = true;
	return true;
}
