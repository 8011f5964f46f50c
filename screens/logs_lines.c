/*
 * logs_lines.c - the log viewer's lines, without the viewer's state (see
 * src/logs_lines.h).
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "screens/logs_lines.h"
#include "query/query_joblog.h"
#include "core/text.h"
#include "core/xalloc.h"

void logs_lines_utc_tm(int64_t us, struct tm *tm)
{
	time_t t = (time_t)(us / 1000000);

	if (!gmtime_r(&t, tm))
		memset(tm, 0, sizeof *tm);
}

/* New Relic's epoch ms as our microseconds; a value past what that can
 * hold (it comes from the network) is pinned to the edge. */
static int64_t ms_to_us(int64_t ms)
{
	if (ms > INT64_MAX / 1000)
		return INT64_MAX / 1000 * 1000;
	if (ms < INT64_MIN / 1000)
		return INT64_MIN / 1000 * 1000;
	return ms * 1000;
}

struct log_line *logs_lines_from_nr(const struct newrelic_logs *res,
				    const char *batch_id, size_t *n,
				    int64_t *since)
{
	struct log_line *v = xcalloc(res->nlines + 1, sizeof *v);

	*n = 0;
	for (size_t i = 0; i < res->nlines; i++) {
		const struct ng_log_line *s = &res->lines[i];

		/* A line that names no batch is the biller's own (a
		 * processor handshake, say): shown, and marked biller-wide
		 * by logs_lines_rest().  One that names another batch is not
		 * this batch's. */
		if (batch_id[0] && s->batch_id && *s->batch_id &&
		    strcmp(s->batch_id, batch_id))
			continue;
		log_line_init(&v[(*n)++], LB_NR, ms_to_us(s->timestamp_ms), 0,
			      s->level, s->batch_id, s->message);
		if (s->timestamp_ms > *since)
			*since = s->timestamp_ms;
	}
	return v;
}

size_t logs_lines_index(const struct joblines *buf, enum lb_level min_level,
			size_t *vis, size_t held[2])
{
	size_t n = 0;

	held[LB_DB] = held[LB_NR] = 0;
	for (size_t i = 0; i < buf->len; i++) {
		const struct log_line *l = joblines_at(buf, i);

		held[l->src == LB_NR]++;
		if (l->level >= min_level)
			vis[n++] = i;
	}
	return n;
}

size_t logs_lines_lower_bound(const struct joblines *buf, const size_t *vis,
			      size_t n, const struct log_line *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (log_line_cmp(joblines_at(buf, vis[mid]), key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void logs_lines_prefix(char *buf, size_t n, const struct log_line *l)
{
	struct tm tm;
	char level[8];

	text_fit(level, sizeof level, l->level_text[0] ? l->level_text : "-", 5, 0);
	if (l->ts == JOBLOG_TS_INF || l->ts == JOBLOG_TS_NEG_INF ||
	    l->ts == JOBLOG_TS_BAD) {
		snprintf(buf, n, "%-14s %s %s ", l->ts == JOBLOG_TS_INF ? "infinity"
			 : l->ts == JOBLOG_TS_NEG_INF ? "-infinity" : "bad time",
			 l->src == LB_NR ? "nr" : "db", level);
		return;
	}
	logs_lines_utc_tm(l->ts, &tm);
	snprintf(buf, n, "%02d-%02d %02d:%02d:%02d %s %s ", tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 l->src == LB_NR ? "nr" : "db", level);
}

/* The batch only for a whole biller's lines, without the biller's id when
 * the batch id starts with it; in one batch's view, a line that names no
 * batch is the biller's own: "[biller-wide] message". */
char *logs_lines_rest(const struct log_line *l, const char *biller_id,
		      const char *batch_id)
{
	const char *b = l->batch_id;
	size_t n = strlen(biller_id);

	if (batch_id[0] && !*b)
		return xasprintf("[biller-wide] %s", l->message);
	if (batch_id[0] || !*b)
		return xstrdup(l->message);
	if (!strncmp(b, biller_id, n) && b[n] == '-' && b[n + 1])
		b += n + 1;
	return xasprintf("[%s] %s", b, l->message);
}

static char *expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && path[1] == '/' && home && *home)
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}

/* Created exclusively unless the user confirmed the overwrite, so a typo
 * never clobbers a file unasked. */
static int open_target(const char *path, bool overwrite)
{
	int fd = open(path, overwrite ? O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY
			   : O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
		      0600);

	if (fd < 0 && overwrite && errno == ENOENT)	/* gone meanwhile */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
			  0600);
	return fd;
}

static void write_line(FILE *fp, const struct log_line *l, const char *batch_id)
{
	struct tm tm;

	logs_lines_utc_tm(l->ts, &tm);
	fprintf(fp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %s %s%s%s%s %s\n",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		tm.tm_min, tm.tm_sec, (int)(l->ts % 1000000 / 1000),
		l->src == LB_NR ? "nr" : "db",
		l->level_text[0] ? l->level_text : "-",
		l->batch_id[0] || batch_id[0] ? " [" : "",
		l->batch_id[0] ? l->batch_id : batch_id[0] ? "biller-wide" : "",
		l->batch_id[0] || batch_id[0] ? "]" : "", l->message);
}

int logs_lines_save(const char *path, bool overwrite, logs_lines_fn line,
		    void *ctx, size_t n, const char *batch_id)
{
	char *full = expand_home(path);
	int fd = open_target(full, overwrite);
	FILE *fp = NULL;
	int err = 0;

	free(full);
	if (fd < 0 || !(fp = fdopen(fd, "w"))) {
		err = errno;
		if (fd >= 0)
			close(fd);
		return err ? err : EIO;
	}
	for (size_t i = 0; i < n; i++)
		write_line(fp, line(i, ctx), batch_id);
	if (ferror(fp))
		err = errno ? errno : EIO;
	if (fclose(fp) != 0 && !err)
		err = errno;
	return err;
}
