/*
 * query_history.c - the history query and its parsing (query_history.h).
 *
 * The closes come back aggregated, one row per biller, payment type and
 * module with its arrays, so 10,000 billers x 30 days are ~10,000 rows of
 * a few hundred bytes instead of 300,000 rows.  The arrays are parsed
 * here, in one pass each, as the text PostgreSQL prints ({1,2,3}); a day
 * comes as its offset from today (-3), whatever the session's DateStyle.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "query/query_history.h"
#include "query/query_row.h"

/* The LATERAL subquery's LIMIT keeps PostgreSQL from flattening it into a
 * join it could answer with a scan of the whole table: each biller's
 * closes stay one range scan of (biller_id, business_day). */
const char query_history_sql[] =
	"SELECT bl.biller_id, h.payment_type, h.module, 'close' AS what,"
	" h.days, h.durs, h.delays"
	" FROM batchtop.biller bl"
	" CROSS JOIN LATERAL ("
	"  SELECT c.payment_type, c.module,"
	"   array_agg(c.business_day - current_date"
	"    ORDER BY c.business_day, c.started_at) AS days,"
	"   array_agg(c.dur ORDER BY c.business_day, c.started_at) AS durs,"
	"   array_agg(c.delay ORDER BY c.business_day, c.started_at) AS delays"
	"  FROM (SELECT b.payment_type, b.module, b.business_day, b.started_at,"
	"    (extract(epoch FROM b.finished_at - b.started_at) * 1000)::bigint AS dur,"
	"    (extract(epoch FROM b.started_at - b.scheduled_at) * 1000)::bigint AS delay"
	"    FROM batchtop.batch_close b"
	"    WHERE b.biller_id = bl.biller_id"
	"      AND b.business_day >= current_date - $1::int"
	"      AND b.status = 'closed'"
	"      AND isfinite(b.started_at) AND isfinite(b.finished_at)"
	"      AND isfinite(b.scheduled_at) AND b.finished_at >= b.started_at"
	"    ORDER BY b.business_day DESC LIMIT $2::int) c"
	"  GROUP BY c.payment_type, c.module) h"
	" UNION ALL"
	" SELECT b.biller_id, b.payment_type, NULL, 'rerun', NULL,"
	"  array_agg((extract(epoch FROM r.finished_at - r.requested_at) * 1000)::bigint"
	"   ORDER BY r.finished_at), NULL"
	" FROM batchtop.rerun_request r"
	" JOIN batchtop.batch_close b ON b.batch_id = r.target_id"
	" WHERE r.updated_at >= now() - make_interval(days => $1::int)"
	"   AND r.kind = 'batch_close' AND r.status = 'done'"
	"   AND isfinite(r.requested_at) AND isfinite(r.finished_at)"
	"   AND r.finished_at >= r.requested_at"
	" GROUP BY b.biller_id, b.payment_type";

/* One element of a PostgreSQL array literal of integers: the
 * text up to the next ',' or '}' into [*s, *e); false at the end. */
static bool next_elem(const char **p, const char **s, const char **e)
{
	const char *q = *p;

	if (*q == '{')
		q++;
	if (!*q || *q == '}')
		return false;
	*s = q;
	while (*q && *q != ',' && *q != '}')
		q++;
	*e = q;
	*p = *q == ',' ? q + 1 : q;
	return true;
}

static int64_t elem_int(const char *s, const char *e, bool *ok)
{
	char buf[32], *end;
	long long v;

	if (e - s <= 0 || e - s >= (long)sizeof buf ||
	    (e - s == 4 && !memcmp(s, "NULL", 4)))
		return BT_NO_TIME;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = 0;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || *end) {
		*ok = false;
		return BT_NO_TIME;
	}
	return v;
}

static bool parse_closes(struct fc_history *h, struct qrow *q,
			 const char *biller, const char *type)
{
	const char *module = qrow_text(q, "module");
	const char *days = qrow_text(q, "days"), *durs = qrow_text(q, "durs");
	const char *delays = qrow_text(q, "delays");
	const char *ds, *de, *us, *ue, *ls, *le;
	char day[16];
	bool ok = true;

	if (!days || !durs || !delays || !module)
		return false;
	while (next_elem(&days, &ds, &de)) {
		int64_t dur, delay;

		if (!next_elem(&durs, &us, &ue) || !next_elem(&delays, &ls, &le))
			return false;
		dur = elem_int(us, ue, &ok);
		delay = elem_int(ls, le, &ok);
		if (!ok)
			return false;
		snprintf(day, sizeof day, "%.*s", (int)(de - ds), ds);
		fc_history_add(h, biller, day, type, module, delay, dur);
	}
	return true;
}

static bool parse_reruns(struct fc_history *h, struct qrow *q,
			 const char *biller, const char *type)
{
	const char *durs = qrow_text(q, "durs"), *s, *e;
	bool ok = true;

	if (!durs)
		return false;
	while (next_elem(&durs, &s, &e)) {
		int64_t d = elem_int(s, e, &ok);

		if (!ok)
			return false;
		fc_history_add_rerun(h, biller, type, d);
	}
	return true;
}

struct fc_history *query_history_parse(const PGresult *res, int shard_index,
				       int64_t read_at, size_t *bad)
{
	struct fc_history *h = fc_history_new(shard_index, read_at);
	int n = PQntuples(res);
	size_t nbad = 0;

	for (int r = 0; r < n; r++) {
		struct qrow q = qrow_at(res, r);
		const char *biller = qrow_text(&q, "biller_id");
		const char *type = qrow_text(&q, "payment_type");
		const char *what = qrow_text(&q, "what");
		bool ok;

		if (!biller || !type || !what)
			ok = false;
		else if (!strcmp(what, "rerun"))
			ok = parse_reruns(h, &q, biller, type);
		else
			ok = parse_closes(h, &q, biller, type);
		nbad += !ok || q.bad;
	}
	fc_history_finish(h);
	if (bad)
		*bad = nbad;
	return h;
}
