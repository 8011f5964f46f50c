/*
 * logs_lines.h - the log viewer's lines: made from New Relic's answer,
 * indexed by level, formatted for the screen and saved to a file.
 *
 * Nothing here draws (no curses) or keeps state: screens/logs.c owns the
 * ring (src/core/joblines.h) and its index, and passes them in.  Saving is file
 * I/O on the UI thread; the viewer says what happened from the return
 * value.
 */
#ifndef BT_LOGS_LINES_H
#define BT_LOGS_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/joblines.h"
#include "data/newrelic.h"

/* The lines of New Relic's answer for this viewer (batch_id "" for a whole
 * biller: then every line; else the batch's lines and those naming no
 * batch), *n of them; the caller frees the array.  *since is raised to
 * the newest line's epoch ms. */
struct log_line *logs_lines_from_nr(const struct newrelic_logs *res,
				    const char *batch_id, size_t *n,
				    int64_t *since);

/* Fill vis with the ring's indexes of the lines at or above min_level
 * (vis holds buf->len); held[] counts all lines per source.  Returns how
 * many went into vis. */
size_t logs_lines_index(const struct joblines *buf, enum lb_level min_level,
			size_t *vis, size_t held[2]);
/* The first position in vis (n of them) whose line is not before key. */
size_t logs_lines_lower_bound(const struct joblines *buf, const size_t *vis,
			      size_t n, const struct log_line *key);

/* The time, source and level before a line's text on screen. */
void logs_lines_prefix(char *buf, size_t n, const struct log_line *l);
/* "[batch] message" for a line in the viewer of biller_id (batch_id ""
 * for the whole biller); the caller frees it. */
char *logs_lines_rest(const struct log_line *l, const char *biller_id,
		      const char *batch_id);

/* The i-th line to write (i < n). */
typedef const struct log_line *(*logs_lines_fn)(size_t i, void *ctx);

/* Write n lines to path ("~/" is $HOME), one per line, mode 0600.  An
 * existing file is replaced only when overwrite; otherwise the answer is
 * EEXIST and nothing is written.  batch_id is the batch shown ("" for the
 * whole biller).  Returns 0 or an errno value. */
int logs_lines_save(const char *path, bool overwrite, logs_lines_fn line,
		    void *ctx, size_t n, const char *batch_id);

/* UTC broken-down time of epoch microseconds (zeros when out of range). */
void logs_lines_utc_tm(int64_t us, struct tm *tm);

#endif
