/*
 * report_audit.c - reading the audit trail's records of one night (see
 * report_audit.h).  The trail is ours, but a hand may have edited it: a
 * line that is not a record is skipped, and every value is kept as
 * untrusted text for the writers to escape.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "core/xalloc.h"
#include "report/report_audit.h"

int64_t report_audit_time(const char *iso)
{
	struct tm tm;
	int y, mo, d, h, mi, s, n = 0, frac = 0, digits = 0;
	const char *p;

	if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h,
			   &mi, &s, &n) != 6)
		return NIGHT_NO_TIME;
	p = iso + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits++ < 3)
				frac = frac * 10 + (*p - '0');
	while (digits > 0 && digits < 3) {
		frac *= 10;
		digits++;
	}
	if (strcmp(p, "Z") || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || s > 60)
		return NIGHT_NO_TIME;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm) * 1000 + frac;
}

static char *field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && v->valuestring ? xstrdup(v->valuestring)
						   : NULL;
}

static void add_record(struct night *n, const cJSON *o, int64_t t)
{
	struct night_audit *a = night_add_audit(n);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "request_id");

	a->time = t;
	a->user = field(o, "user");
	a->origin = field(o, "origin");
	a->event = field(o, "event");
	a->screen = field(o, "screen");
	a->shard = field(o, "shard");
	a->kind = field(o, "kind");
	a->target = field(o, "target");
	a->reason = field(o, "reason");
	a->outcome = field(o, "outcome");
	a->detail = field(o, "detail");
	if (cJSON_IsNumber(id) && id->valuedouble >= 1 && id->valuedouble < 9e15)
		a->request_id = (long long)id->valuedouble;
}

void report_audit_read(struct night *n, const char *path, int64_t from,
		       int64_t to)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!path) {
		snprintf(n->audit_error, sizeof n->audit_error,
			 "no audit trail: set audit_log, XDG_STATE_HOME or HOME");
		return;
	}
	fp = fopen(path, "re");
	if (!fp) {
		if (errno != ENOENT)
			snprintf(n->audit_error, sizeof n->audit_error,
				 "cannot read the audit trail: %s", strerror(errno));
		return;
	}
	while ((len = getline(&line, &cap, fp)) >= 0) {
		cJSON *o;
		char *when;
		int64_t t;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		o = cJSON_ParseWithLength(line, (size_t)len);
		when = cJSON_IsObject(o) ? field(o, "time") : NULL;
		t = report_audit_time(when);
		if (t != NIGHT_NO_TIME && t >= from && t <= to)
			add_record(n, o, t);
		free(when);
		cJSON_Delete(o);
	}
	free(line);
	fclose(fp);
}
