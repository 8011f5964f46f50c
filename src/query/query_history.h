/*
 * query_history.h - the one query that reads a shard's close history for
 * the forecasts (core/forecast.h), and its parsing.
 *
 * For every biller of batchtop.biller, its closed batches of the last
 * `days` calendar days (at most `cap` of them, the latest), one row per
 * payment type and module with three arrays in business-day order (the
 * days, the durations and the start delays, in ms), plus one row per
 * biller and payment type with the durations of its finished reruns
 * (requested_at to finished_at).  Each biller's closes are an index range
 * scan of batch_close_biller_day_idx, so the cost grows with the billers
 * and the days asked for, not with how much history the shard keeps;
 * the reruns are a range scan of rerun_request_updated_at_idx (a done
 * request's updated_at is never before its finish).  A batch whose biller
 * has no biller row has no history: it gets the fixed rule.
 *
 * batchtop reads it on the poller's connection (data/history.c) and
 * parses it on the poller's thread, so a history of 10,000 billers is
 * parsed, sorted and pooled off the UI thread, which gets a finished
 * struct fc_history.
 */
#ifndef BT_QUERY_HISTORY_H
#define BT_QUERY_HISTORY_H

#include <libpq-fe.h>

#include "core/forecast.h"

/* The SQL ($1 days, $2 cap per biller), for the plan test. */
extern const char query_history_sql[];

/* Parse a query_history_sql result into a new, finished history; rows
 * that do not parse are skipped and counted in *bad (may be NULL). */
struct fc_history *query_history_parse(const PGresult *res, int shard_index,
				       int64_t read_at, size_t *bad);

#endif
