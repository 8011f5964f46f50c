/*
 * report.c - `batchtop report`: a query worker per shard, the collector
 * fed until every shard has answered or the time is up, and the file
 * written in one piece (see report.h).
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core/timefmt.h"
#include "core/xalloc.h"
#include "data/shard_query.h"
#include "report/report.h"
#include "report/report_writers.h"
#include "write/audit.h"

/* Beyond connect and query timeouts, for the five queries in a row. */
#define REPORT_SLACK_S 5

static const char *const format_names[] = {
	[REPORT_MD] = "md", [REPORT_HTML] = "html", [REPORT_JSON] = "json",
};

int report_format_from_name(const char *name)
{
	for (int f = 0; f < (int)(sizeof format_names / sizeof *format_names); f++)
		if (name && !strcmp(name, format_names[f]))
			return f;
	return -1;
}

const char *report_format_ext(enum report_format fmt)
{
	return (unsigned)fmt <= REPORT_JSON ? format_names[fmt] : "txt";
}

int report_write(const struct night *n, enum report_format fmt, FILE *out)
{
	switch (fmt) {
	case REPORT_MD: return report_write_md(n, out);
	case REPORT_HTML: return report_write_html(n, out);
	case REPORT_JSON: return report_write_json(n, out);
	}
	return -1;
}

int report_write_file(const struct night *n, enum report_format fmt,
		      const char *path, char *err, size_t errsz)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	int bad;

	if (!fp) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(tmp);
		return -1;
	}
	bad = report_write(n, fmt, fp) < 0 || fflush(fp) != 0 ||
	      fsync(fileno(fp)) != 0;
	if (bad)
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
	if (fclose(fp) != 0 && !bad) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		bad = 1;
	}
	if (!bad && rename(tmp, path) != 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		bad = 1;
	}
	if (bad)
		unlink(tmp);
	free(tmp);
	return bad ? -1 : 0;
}

char *report_default_path(const struct config *cfg, enum report_format fmt,
			  int64_t now)
{
	char *trail = audit_path(cfg), *slash, *path;
	char stamp[32];
	time_t t = (time_t)(now / 1000);
	struct tm tm;

	if (!trail)
		return NULL;
	slash = strrchr(trail, '/');
	if (slash)
		*slash = '\0';
	if (!gmtime_r(&t, &tm) ||
	    !strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm))
		snprintf(stamp, sizeof stamp, "%lld", (long long)t);
	path = xasprintf("%s/batchtop-report-%s.%s", slash ? trail : ".", stamp,
			 report_format_ext(fmt));
	free(trail);
	return path;
}

void report_make_parents(const char *path)
{
	char *dir = xstrdup(path);

	for (char *p = dir + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			(void)mkdir(dir, 0700);	/* exists, or the write says why */
			*p = '/';
		}
	free(dir);
}

static void drain(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof buf) > 0)
		;
}

/* Submit the jobs in v[0..k) to q. */
static void submit(struct shard_query *q, struct sq_job **v, size_t k)
{
	for (size_t i = 0; i < k; i++)
		shard_query_submit(q, v[i]);
}

/* Run rc to completion on workers of our own, within the deadline; a
 * shard that has not answered by then is marked unreadable. */
static void collect(const struct config *cfg, struct report_collect *rc)
{
	struct shard_query **qs = xcalloc(cfg->nshards + 1, sizeof *qs);
	struct sq_job *v[QREPORT_MAX_JOBS];
	int wake[2];
	int64_t deadline = mono_ms() + ((int64_t)cfg->connect_timeout +
			   cfg->query_timeout * 5 + REPORT_SLACK_S) * 1000;

	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0)
		fatal("pipe: %s", strerror(errno));
	for (size_t i = 0; i < cfg->nshards; i++) {
		qs[i] = shard_query_new((int)i, &cfg->shards[i], cfg, wake[1]);
		if (shard_query_start(qs[i]) < 0) {
			report_collect_fail(rc, i, "cannot start a query thread");
			continue;
		}
		submit(qs[i], v, report_collect_start(rc, i, v, QREPORT_MAX_JOBS));
	}
	while (!report_collect_done(rc)) {
		struct pollfd pfd = { .fd = wake[0], .events = POLLIN };
		int64_t left = deadline - mono_ms();

		if (left <= 0)
			break;
		if (poll(&pfd, 1, left > 1000 ? 1000 : (int)left) < 0 &&
		    errno != EINTR)
			break;
		drain(wake[0]);
		for (size_t i = 0; i < cfg->nshards; i++) {
			struct sq_job *job;

			while ((job = shard_query_take(qs[i])))
				submit(qs[i], v, report_collect_take(rc, job, v,
							QREPORT_MAX_JOBS));
		}
	}
	for (size_t i = 0; i < cfg->nshards; i++)
		report_collect_fail_late(rc, i, "no answer in time");
	for (size_t i = 0; i < cfg->nshards; i++)
		shard_query_stop(qs[i]);
	for (size_t i = 0; i < cfg->nshards; i++)
		shard_query_free(qs[i], 2000);
	free(qs);
	close(wake[0]);
	close(wake[1]);
}

int report_main(const struct config *cfg, enum report_format fmt,
		const char *output, const char *day, FILE *err)
{
	struct report_collect *rc = report_collect_new(cfg, day, 1);
	struct night *n;
	char why[512];
	int status = REPORT_OK;

	collect(cfg, rc);
	n = report_collect_finish(rc, wall_ms());
	for (size_t i = 0; i < n->nshards; i++)
		if (!n->shards[i].read) {
			fprintf(err, "batchtop: shard %s could not be read: %s\n",
				n->shards[i].name, n->shards[i].error);
			status = REPORT_PARTIAL;
		}
	if (*n->audit_error)
		fprintf(err, "batchtop: %s\n", n->audit_error);
	if (!output || !strcmp(output, "-")) {
		if (report_write(n, fmt, stdout) < 0 || fflush(stdout) != 0) {
			fprintf(err, "batchtop: cannot write the report: %s\n",
				strerror(errno));
			status = REPORT_IOERR;
		}
	} else if (report_write_file(n, fmt, output, why, sizeof why) < 0) {
		fprintf(err, "batchtop: cannot write the report: %s\n", why);
		status = REPORT_IOERR;
	}
	report_collect_free(rc);
	return status;
}
