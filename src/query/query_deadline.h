/*
 * query_deadline.h - the effective deadline of a close, as SQL.
 *
 * A close is due at its deadline_at when the shard gives one, else at its
 * scheduled_at plus the window (window_minutes).  The poll, the missed
 * report and the biller history all judge "missed its window" by this one
 * rule, so it is written here once.  t is the table's alias with its dot
 * ("bc.") or "" for none; window is the parameter holding window_minutes
 * ("$2").
 */
#ifndef BT_QUERY_DEADLINE_H
#define BT_QUERY_DEADLINE_H

#define QUERY_DEADLINE(t, window) \
	"coalesce(" t "deadline_at, " t "scheduled_at + " window \
	"::int * interval '1 minute')"

#endif
