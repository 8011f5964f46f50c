/*
 * missed_report.h - the "missed the hour" report: closes that missed their
 * window, counted over one period and grouped one way, from the rows every
 * shard sent.
 *
 * Each shard answers with two kinds of rows (see screens/missed.c for the
 * query): totals per (bucket, payment type, module) over all non-demo
 * closes, and the same per biller for every biller that missed at least
 * once in the 30 business days.  A bucket is the smallest period a
 * business day belongs to, so a period takes every row whose bucket is at
 * most its own.  This module is pure: it adds the rows up, groups and
 * sorts them, and never talks to a shard or the terminal.
 */
#ifndef BT_MISSED_REPORT_H
#define BT_MISSED_REPORT_H

#include <stdbool.h>
#include <stddef.h>

enum missed_period {
	MISSED_TONIGHT,		/* the latest business day */
	MISSED_7D,		/* the latest 7 business days, tonight's included */
	MISSED_30D,		/* the latest 30 */
	MISSED__PERIODS
};

enum missed_group_by {
	MISSED_BY_TYPE,		/* payment type, then the billers in it */
	MISSED_BY_MODULE,	/* module, then the billers in it */
	MISSED_BY_BILLER,	/* biller, then its payment type/module pairs */
	MISSED__GROUPINGS
};

enum missed_sort {
	MISSED_SORT_COUNT,	/* most missed first */
	MISSED_SORT_RATE,	/* highest share of closes missed first */
	MISSED_SORT_NAME,	/* by name */
	MISSED__SORTS
};

/* One row of one shard's answer.  The strings belong to the caller and
 * must outlive any report built from the row. */
struct missed_row {
	int shard;			/* index of the shard */
	const char *shard_name;
	int bucket;			/* enum missed_period it falls in first */
	const char *payment_type;
	const char *module;
	const char *biller_id;		/* NULL: the totals of all billers */
	const char *name;		/* the biller's name ("" when unknown) */
	long closes, missed;
};

/* A line under a group: a biller, or (grouped by biller) a type/module. */
struct missed_item {
	char *label;
	const char *shard_name;		/* billers only, else NULL */
	const char *biller_id;		/* billers only, else NULL */
	int shard;			/* billers only, else -1 */
	long closes, missed;
};

struct missed_group {
	char *label;
	const char *shard_name;		/* grouped by biller, else NULL */
	const char *biller_id;		/* grouped by biller, else NULL */
	int shard;			/* grouped by biller, else -1 */
	long closes, missed;
	struct missed_item *items;	/* only those that missed */
	size_t nitems;
};

struct missed_report {
	struct missed_group *groups;
	size_t ngroups;
	long closes, missed;		/* every non-demo close of the period */
	size_t billers;			/* billers that missed in the period */
};

/*
 * Build the report of the rows for one period, grouping and sort (reverse
 * turns the sort around).  Grouped by payment type or module every group
 * with a close in the period is listed, those without a miss too; grouped
 * by biller only billers that missed.  Free with missed_report_free().
 */
void missed_report_build(struct missed_report *r, const struct missed_row *rows,
			 size_t nrows, enum missed_period period,
			 enum missed_group_by by, enum missed_sort sort,
			 bool reverse);
void missed_report_free(struct missed_report *r);

/* "tonight", "7 business days", "30 business days". */
const char *missed_period_name(enum missed_period p);
/* "payment type", "module", "biller". */
const char *missed_group_name(enum missed_group_by g);
/* "count", "rate", "name". */
const char *missed_sort_name(enum missed_sort s);

#endif
