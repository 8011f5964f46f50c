/*
 * query_holds.h - the holds of a contract-v3 shard, read on every poll
 * (doc/contract.md "Version 3: holds"), into the poll's snapshot.
 *
 * One statement, after the poll's, only for a shard whose
 * contract_version() is 3 or more: the active holds and those ended in
 * the last $1 hours, each with what it holds now (batches, invoices that
 * need a rerun, their amount), counted by the shard with its own
 * hold_selects().  A few rows.
 */
#ifndef BT_QUERY_HOLDS_H
#define BT_QUERY_HOLDS_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "core/snapshot.h"

#define QUERY_HOLDS_LIMIT 1000	/* holds per shard, newest first */

/* Parameters: $1 hours back for ended holds (night_hours), $2 the limit. */
extern const char query_holds_sql[];

/* Parse a query_holds_sql result into s->holds / s->nholds (in s's arena)
 * and set s->holds_read.  A row whose values do not parse is dropped and
 * counted in s->nholds_bad.  False only when the result is not one. */
bool query_holds_parse(const PGresult *res, struct snapshot *s);

#endif
