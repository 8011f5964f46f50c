/*
 * audit.c - the audit trail (see audit.h).
 *
 * Each line is built with cJSON, so every string is escaped, and every
 * string has been through text_sanitize() first, so the file holds valid
 * UTF-8 without control characters.  A line, or a batch of lines (a bulk
 * plan's thousands of confirmations), is written with one write(2) on an
 * O_APPEND descriptor, then one fsync(2): two batchtop processes of one
 * user never interleave their lines, a line the caller was told is
 * written is on disk, and a batch costs one sync, not one per line.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "write/audit.h"
#include "data/json_out.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

char *audit_path(const struct config *cfg)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (cfg && cfg->audit_log && *cfg->audit_log)
		return xstrdup(cfg->audit_log);
	if (state && state[0] == '/')
		return xasprintf("%s/batchtop/audit.log", state);
	if (home && home[0] == '/')
		return xasprintf("%s/.local/state/batchtop/audit.log", home);
	return NULL;
}

/* Copy the leading run of src made of characters in ok (at most n-1). */
static void copy_safe(char *dst, size_t n, const char *src, const char *ok,
		      size_t stop_at_space)
{
	size_t j = 0;

	for (; src && *src && j + 1 < n; src++) {
		if (stop_at_space && *src == ' ')
			break;
		if (strchr(ok, *src) ||
		    (*src >= 'a' && *src <= 'z') || (*src >= 'A' && *src <= 'Z') ||
		    (*src >= '0' && *src <= '9'))
			dst[j++] = *src;
		else
			dst[j++] = '_';
	}
	dst[j] = '\0';
}

void audit_who(char *user, size_t un, char *origin, size_t on)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *name = pw && pw->pw_name && *pw->pw_name ? pw->pw_name : NULL;
	const char *ssh = getenv("SSH_CONNECTION");
	char uid[32];

	if (!name)
		name = getenv("USER");
	if (!name || !*name) {
		snprintf(uid, sizeof uid, "uid%lu", (unsigned long)geteuid());
		name = uid;
	}
	copy_safe(user, un > 65 ? 65 : un, name, "._-", 0);
	if (!ssh || !*ssh)
		ssh = getenv("SSH_CLIENT");
	while (ssh && *ssh == ' ')
		ssh++;
	/* An IPv4 or IPv6 address: digits, hex, dots, colons, a zone. */
	copy_safe(origin, on > 65 ? 65 : on, ssh ? ssh : "", ".:%", 1);
}

static void add_string(cJSON *o, const char *key, const char *value)
{
	char *clean;

	if (!value)
		return;
	clean = text_sanitize(value, (size_t)-1);
	cJSON_AddStringToObject(o, key, clean);
	free(clean);
}

char *audit_format(const struct audit_entry *e, long long wall_ms,
		   const char *user, const char *origin)
{
	cJSON *o = cJSON_CreateObject();
	char stamp[FMT_ISO_MAX];

	if (!o)
		fatal("out of memory building an audit line");
	add_string(o, "time", fmt_iso_ms(stamp, sizeof stamp, wall_ms));
	add_string(o, "user", user);
	add_string(o, "origin", origin && *origin ? origin : "local");
	add_string(o, "event", e->event);
	add_string(o, "screen", e->screen);
	add_string(o, "shard", e->shard);
	add_string(o, "kind", e->kind);
	add_string(o, "target", e->target);
	add_string(o, "reason", e->reason);
	add_string(o, "outcome", e->outcome);
	add_string(o, "detail", e->detail);
	if (e->request_id > 0)
		cJSON_AddNumberToObject(o, "request_id", (double)e->request_id);
	return json_out_line(o, "an audit line");
}

/* mkdir -p of path's directory; new directories get 0700. */
static int make_parents(const char *path, char *err, size_t n)
{
	char *dir = xstrdup(path);

	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			snprintf(err, n, "cannot create %s: %s", dir, strerror(errno));
			free(dir);
			return -1;
		}
		*p = '/';
	}
	free(dir);
	return 0;
}

static unsigned long fsyncs;	/* for the tests: see audit_fsync_count() */

unsigned long audit_fsync_count(void)
{
	return fsyncs;
}

int audit_append_many(const char *path, const struct audit_entry *e,
		      size_t count, char *err, size_t n)
{
	struct timespec ts;
	char user[80], origin[80], *buf;
	size_t len = 0, cap = 0, done = 0;
	long long wall;
	int fd, saved;

	if (!count)
		return 0;
	if (!path) {
		snprintf(err, n, "no audit log: set audit_log, XDG_STATE_HOME or HOME");
		return -1;
	}
	if (make_parents(path, err, n) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, n, "cannot open the audit log %s: %s", path,
			 strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	wall = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	audit_who(user, sizeof user, origin, sizeof origin);
	/* Every line in one buffer: one write(2), so the batch lands whole
	 * and unmixed with another process's lines, and one fsync(2). */
	buf = NULL;
	for (size_t i = 0; i < count; i++) {
		char *json = audit_format(&e[i], wall, user, origin);
		size_t jl = strlen(json);

		if (len + jl + 2 > cap) {
			cap = (len + jl + 2) * 2;
			buf = xrealloc(buf, cap);
		}
		memcpy(buf + len, json, jl);
		len += jl;
		buf[len++] = '\n';
		free(json);
	}
	while (done < len) {
		ssize_t w = write(fd, buf + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	saved = errno;
	free(buf);
	if (done < len) {
		snprintf(err, n, "cannot write the audit log %s: %s", path,
			 strerror(saved ? saved : EIO));
		close(fd);
		return -1;
	}
	fsyncs++;
	if (fsync(fd) < 0) {
		snprintf(err, n, "cannot sync the audit log %s: %s", path,
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) < 0) {
		snprintf(err, n, "cannot close the audit log %s: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int audit_append(const char *path, const struct audit_entry *e, char *err,
		 size_t n)
{
	return audit_append_many(path, e, 1, err, n);
}

/* --- batchtop audit -------------------------------------------------------- */

static const char *field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

/* The fixed columns of the table (the time is 24: "2026-11-05T23:41:07.123Z"). */
static const int col_w[] = { 24, 20, 10, 15, 24, 10 };
#define NCOLS (sizeof col_w / sizeof col_w[0])

/* One cell appended to row (j bytes used of n): on a terminal cut to its
 * column (cols > 0), else whole and tab-separated.  Always sanitized. */
static size_t put(char *row, size_t n, size_t j, const char *s, int cols,
		  bool last, bool table)
{
	char *clean = text_sanitize(s, (size_t)-1);

	if (j + 1 >= n) {
		free(clean);
		return j;
	}
	if (table && cols > 0)
		j += text_fit(row + j, n - j, clean, cols, 0);
	else
		j += (size_t)snprintf(row + j, n - j, "%s", clean);
	if (j > n - 1)
		j = n - 1;
	if (!last && j + 1 < n) {
		row[j++] = table ? ' ' : '\t';
		row[j] = '\0';
	}
	free(clean);
	return j;
}

static void put_header(FILE *out, bool table, int width)
{
	static const char *const head[NCOLS + 1] = {
		"TIME", "USER", "SHARD", "KIND", "TARGET", "OUTCOME", "DETAIL",
	};

	char row[256];
	size_t j = 0;

	for (size_t c = 0; c <= NCOLS; c++) {
		if (table && c < NCOLS)
			j += (size_t)snprintf(row + j, sizeof row - j, "%-*s ",
					      col_w[c], head[c]);
		else
			j += (size_t)snprintf(row + j, sizeof row - j, "%s%s",
					      head[c], c < NCOLS ? "\t" : "");
	}
	if (table && (int)j > width)
		row[width] = '\0';	/* ASCII: bytes are columns */
	fprintf(out, "%s\n", row);
}

int audit_print(const char *path, FILE *out, FILE *err, int width)
{
	bool table = width > 0;
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0, bad = 0;

	if (!path) {
		fprintf(err, "batchtop: no audit log: set audit_log, "
			"XDG_STATE_HOME or HOME\n");
		return BT_EXIT_NOINPUT;
	}
	fp = fopen(path, "re");
	if (!fp) {
		fprintf(err, "batchtop: %s: cannot read the audit log: %s\n", path,
			strerror(errno));
		return BT_EXIT_NOINPUT;
	}
	put_header(out, table, width);
	while ((len = getline(&line, &cap, fp)) >= 0) {
		cJSON *o;
		char who[200], detail[1200], num[32], row[8192], fit[8192];
		size_t j = 0;
		const char *text;
		const cJSON *id;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		o = cJSON_ParseWithLength(line, (size_t)len);
		if (!cJSON_IsObject(o) || !*field(o, "time")) {
			fprintf(err, "batchtop: %s:%ld: not an audit record, skipped\n",
				path, lineno);
			bad++;
			cJSON_Delete(o);
			continue;
		}
		if (*field(o, "origin") && strcmp(field(o, "origin"), "local"))
			snprintf(who, sizeof who, "%s@%s", field(o, "user"),
				 field(o, "origin"));
		else
			snprintf(who, sizeof who, "%s", field(o, "user"));
		id = cJSON_GetObjectItemCaseSensitive(o, "request_id");
		text = *field(o, "detail") ? field(o, "detail") : field(o, "reason");
		if (cJSON_IsNumber(id))
			snprintf(num, sizeof num, " #%.0f", id->valuedouble);
		else
			num[0] = '\0';
		snprintf(detail, sizeof detail, "%s%s%s%s", field(o, "event"), num,
			 *text ? ": " : "", text);
		{
			const char *cell[NCOLS] = {
				field(o, "time"), who, field(o, "shard"),
				field(o, "kind"), field(o, "target"),
				field(o, "outcome"),
			};

			for (size_t c = 0; c < NCOLS; c++)
				j = put(row, sizeof row, j, cell[c], col_w[c], false,
					table);
		}
		put(row, sizeof row, j, detail, 0, true, table);
		/* On a terminal the row is cut to its width: the detail gets
		 * what the columns leave. */
		if (table) {
			size_t k = text_fit(fit, sizeof fit, row, width, 0);

			while (k > 0 && fit[k - 1] == ' ')
				fit[--k] = '\0';	/* the padding */
		}
		fprintf(out, "%s\n", table ? fit : row);
		cJSON_Delete(o);
	}
	free(line);
	fclose(fp);
	if (bad)
		fprintf(err, "batchtop: %s: %ld bad line%s skipped\n", path, bad,
			bad == 1 ? "" : "s");
	return BT_EXIT_OK;
}
