/*
 * report_tables.h - the tables of the handoff report, said once for
 * every format.
 *
 * A table is its heading, its columns and a function that gives the
 * cells of its i-th row (or says the row is not in it); report_md.c and
 * report_html.c each draw every table with one function of their own, so
 * a column added here shows in both, and the two cannot disagree on what
 * a section holds.  A cell says what it holds, not how it looks: the
 * writer escapes text, spells out an identifier and formats a time in
 * its own way (report_text.h).
 */
#ifndef BT_REPORT_TABLES_H
#define BT_REPORT_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/night.h"

enum rcell_kind {
	RC_TEXT,		/* untrusted text; NULL or "": "-" */
	RC_ID,			/* an identifier, spelled out; NULL: "-" */
	RC_TIME,		/* epoch ms in v, or NIGHT_NO_TIME */
	RC_NUM,			/* v */
	RC_BAD,			/* a failure: the label "unreadable" and text s */
};

struct rcell {
	enum rcell_kind kind;
	const char *s;
	long long v;
};

#define RT_MAX_COLS 12

struct rtable {
	const char *title;	/* the section's heading */
	const char *cols;	/* the column heads, "A|B|C" */
	const char *row_class;	/* what an HTML row is ("rerun") */
	/* Fill the cells of row i (as many as cols has); false when row i
	 * is not in this table.  *open: the row is still open (an HTML row
	 * gets the class "open" too). */
	bool (*row)(const struct night *n, size_t i, struct rcell *c,
		    bool *open);
	/* How many rows row() may be asked about. */
	size_t (*count)(const struct night *n);
	bool only_if_rows;	/* no section at all when count() is 0 */
};

/* The columns of a table ("A|B|C" has 3). */
size_t rtable_ncols(const struct rtable *t);

extern const struct rtable report_table_shards, report_table_open,
	report_table_failures, report_table_reruns, report_table_holds,
	report_table_write_offs, report_table_notes, report_table_audit;

#endif
