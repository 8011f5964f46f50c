/*
 * headless.c - --once and --check: one poll of every shard, printed.
 *
 * collect() starts the shard pollers (and the New Relic client, when
 * there is a [newrelic] section) with the dashboard's app_open(), without
 * curses or query workers:
 * it waits on the wake pipe until every shard has published a snapshot or
 * failed at least once, each shard that answered has had its close history
 * read or failed to (the forecasts judge AT RISK as on the screen), and New
 * Relic has answered or failed, bounded by connect_timeout + query_timeout
 * + the history's own timeout + a little slack, then stops them and
 * keeps the shards' last snapshots in a view (demo billers included,
 * marked) and New Relic's health.  The printers read only that view and
 * the health: headless_table.c, headless_json.c (cJSON escapes),
 * headless_csv.c (fields quoted there) and headless_prom.c (labels
 * escaped there).  Strings in snapshots are sanitized already.  The
 * --check verdict and its line are here.
 */
#include "autoconf.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "headless/headless.h"
#include "headless/headless_csv.h"
#include "headless/headless_json.h"
#include "headless/headless_prom.h"
#include "headless/headless_table.h"
#include "headless/headless_words.h"
#include "data/history.h"
#include "data/log.h"
#include "data/newrelic.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

/* Seconds allowed beyond connect_timeout + query_timeout: the LISTEN and
 * the zone names, which come before the first poll of a connection. */
#define COLLECT_SLACK_S 5

int headless_format_from_name(const char *name)
{
	if (!strcmp(name, "table"))
		return HEADLESS_TABLE;
	if (!strcmp(name, "json"))
		return HEADLESS_JSON;
	if (!strcmp(name, "csv"))
		return HEADLESS_CSV;
	if (!strcmp(name, "prometheus"))
		return HEADLESS_PROMETHEUS;
	return -1;
}

/* --- collecting ------------------------------------------------------------ */

/* Every shard answered or failed, and each that answered has had its close
 * history read (or failed to), so its closes are judged by their forecasts
 * as on the screen; New Relic answered or failed. */
static bool all_answered(const struct app *app)
{
	for (size_t i = 0; i < app->npollers; i++) {
		enum shard_state st = app->health[i].state;

		if (st == SHARD_CONNECTING)
			return false;
		if (st == SHARD_OK && !history_answered(app->history, i))
			return false;
	}
	return !app->nr_health || app->nr_health->state != NEWRELIC_STARTING;
}

static void drain(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof buf) > 0)
		;
}

/* Fill app with one answer (or failure) of every shard and of New Relic
 * (nrc, NULL when not configured).  The threads are stopped before it
 * returns; app->view keeps the snapshots, app->nr_health New Relic's
 * health, until app_close().  -1 and *why (the caller frees) when New
 * Relic's key cannot be had; nothing was started then. */
static int collect(const struct config *cfg, const struct newrelic_conf *nrc,
		   struct app *app, char **why)
{
	int64_t deadline;

	/* Headless, app_open() only reads cfg. */
	if (app_open(app, (struct config *)cfg, NULL, APP_HEADLESS, nrc, why) < 0)
		return -1;
	deadline = mono_ms() + ((int64_t)cfg->connect_timeout +
				cfg->query_timeout + COLLECT_SLACK_S) * 1000 +
		   history_timeout_ms(cfg);
	for (;;) {
		struct pollfd pfd = { .fd = app->wake[0], .events = POLLIN };
		int64_t left;

		app_collect(app);
		left = deadline - mono_ms();
		if (all_answered(app) || left <= 0)
			break;
		if (poll(&pfd, 1, left > 1000 ? 1000 : (int)left) < 0 &&
		    errno != EINTR)
			break;
		if (pfd.revents)
			drain(app->wake[0]);
	}
	app_stop(app);
	app->mono = mono_ms();
	app->now = view_now(&app->view, app->mono);
	app->view.show_demo = true;
	app->view.reverse = false;
	view_set_filter(&app->view, "");
	return 0;
}

/* --- entry points ----------------------------------------------------------- */

/* New Relic's health in the shards' terms: ok; stale (it answered once,
 * but its last poll failed or is too old); down (it never answered but
 * failed); not answering. */
static enum shard_state newrelic_source_state(const struct app *app)
{
	const struct newrelic_health *h = app->nr_health;
	bool had = h->last_ok_mono != INT64_MIN;

	switch (h->state) {
	case NEWRELIC_OK:
		return had && app->mono - h->last_ok_mono > h->stale_after_ms
			       ? SHARD_FAILING : SHARD_OK;
	case NEWRELIC_ERROR:
		return had ? SHARD_FAILING : SHARD_DOWN;
	case NEWRELIC_STARTING:
		break;
	}
	return SHARD_CONNECTING;
}

static void report_unread(const struct app *app, FILE *err)
{
	for (size_t i = 0; i < app->npollers; i++) {
		const struct shard_health *h = &app->health[i];

		if (h->state == SHARD_OK)
			continue;
		fprintf(err, "batchtop: shard %s could not be read: %s\n",
			app->cfg->shards[i].name,
			h->reason[0] ? h->reason : "no answer in time");
	}
	if (app->nr_health && newrelic_source_state(app) != SHARD_OK)
		fprintf(err, "batchtop: New Relic could not be read: %s\n",
			app->nr_health->reason[0] ? app->nr_health->reason
						  : "no answer in time");
}

int headless_once(const struct config *cfg, const struct newrelic_conf *nrc,
		  enum headless_format fmt, FILE *out, FILE *err)
{
	struct app app;
	char *why = NULL;
	int rc;

	if (collect(cfg, nrc, &app, &why) < 0) {
		fprintf(err, "batchtop: %s\n", why);
		free(why);
		return BT_EXIT_CONFIG;
	}
	/* Risk order for people; shard and name order for scripts, so two
	 * runs can be compared line by line. */
	app.view.sort = fmt == HEADLESS_TABLE ? SORT_RISK : SORT_SHARD;
	view_rebuild(&app.view, app.now);
	switch (fmt) {
	case HEADLESS_JSON: rc = headless_json_print(&app, out); break;
	case HEADLESS_CSV: rc = headless_csv_print(&app, out); break;
	case HEADLESS_PROMETHEUS:
		rc = headless_prom_print(&app, wall_ms(), out);
		break;
	case HEADLESS_TABLE: default: rc = headless_table_print(&app, out); break;
	}
	report_unread(&app, err);
	if (fflush(out) != 0 || ferror(out) || rc < 0) {
		fprintf(err, "batchtop: cannot write the output: %s\n",
			strerror(errno));
		rc = HEADLESS_IOERR;
	} else {
		rc = headless_every_shard_read(&app) ? HEADLESS_OK : HEADLESS_PARTIAL;
	}
	log_msg(LOG_INFO, "--once: %zu billers, exit %d", app.view.nrows, rc);
	app_close(&app);
	return rc;
}

/* --- --check: a monitoring plugin ------------------------------------------- */

/* Unread sources named on the line; more are only counted, so the line
 * stays short on a platform with many shards. */
#define CHECK_NAMED_MAX 4

static const char *check_state_word(int rc)
{
	switch (rc) {
	case HEADLESS_OK: return "OK";
	case HEADLESS_WARNING: return "WARNING";
	case HEADLESS_CRITICAL: return "CRITICAL";
	default: break;
	}
	return "UNKNOWN";
}

/* The text before the perfdata is one line without '|' (which would start
 * the perfdata): a path or message from the configuration may hold either. */
static void check_text_clean(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p; p++)
		if (*p == '|')
			*p = '/';
		else if (*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

/* One perfdata item, label=value;warn;crit;min[;max], in the plugin
 * guidelines' terms: a threshold is the range that does not alert, so our
 * "at least N" is written N-1 ("0": anything above 0 alerts), and a
 * threshold of 0 (never) is left empty.  value < 0 is "U": not known. */
static void perf_item(FILE *f, const char *label, long value, int warn_at,
		      int crit_at, long max)
{
	fprintf(f, " %s=", label);
	if (value < 0)
		fputs("U", f);
	else
		fprintf(f, "%ld", value);
	fputc(';', f);
	if (warn_at > 0)
		fprintf(f, "%d", warn_at - 1);
	fputc(';', f);
	if (crit_at > 0)
		fprintf(f, "%d", crit_at - 1);
	fputs(";0", f);
	if (max >= 0)
		fprintf(f, ";%ld", max);
}

/* In the order the perfdata lists them: the alerting counts first. */
static const enum biller_status perf_order[] = {
	BS_FAILED, BS_LATE, BS_AT_RISK, BS_OTHER, BS_RUNNING, BS_SCHEDULED,
	BS_CLOSED_LATE, BS_CLOSED, BS_NONE, BS_HELD,
};

static void check_perfdata(FILE *f, const struct config *cfg,
			   const struct totals *t, bool seen, long up,
			   long down)
{
	for (size_t i = 0; i < sizeof perf_order / sizeof perf_order[0]; i++) {
		enum biller_status s = perf_order[i];

		perf_item(f, headless_status_token(s), seen ? t->by_status[s] : -1,
			  s == BS_AT_RISK ? cfg->check_at_risk_warn : 0,
			  s == BS_FAILED ? cfg->check_failed_crit
			  : s == BS_LATE ? cfg->check_late_crit : 0, -1);
	}
	perf_item(f, "billers", seen ? t->billers : -1, 0, 0, -1);
	perf_item(f, "demo_billers", seen ? t->demo : -1, 0, 0, -1);
	perf_item(f, "shards_up", up, 0, 0, up + down);
	perf_item(f, "shards_down", down, cfg->check_stale_warn ? 1 : 0, 0,
		  up + down);
}

/* newrelic_up=1;1:;;0;1 with check_stale_warn: "1:" alerts below 1. */
static void check_perf_newrelic(FILE *f, const struct config *cfg,
				const struct headless_source *src, size_t nsrc)
{
	for (size_t i = 0; i < nsrc; i++)
		if (!strcmp(src[i].kind, "newrelic"))
			fprintf(f, " newrelic_up=%d;%s;;0;1",
				src[i].state == SHARD_OK,
				cfg->check_stale_warn ? "1:" : "");
}

/* "; shard east down; shard west stale; 3 more not read" */
static void check_unread(FILE *f, const struct headless_source *src,
			 size_t nsrc, const char *sep)
{
	size_t named = 0, more = 0;

	for (size_t i = 0; i < nsrc; i++) {
		if (src[i].state == SHARD_OK)
			continue;
		if (named++ >= CHECK_NAMED_MAX) {
			more++;
			continue;
		}
		fprintf(f, "%s%s%s %s", named > 1 ? "; " : sep,
			strcmp(src[i].kind, "shard") ? "" : "shard ", src[i].name,
			headless_state_words(src[i].state));
	}
	if (more)
		fprintf(f, "; %zu more not read", more);
}

/* Acknowledged failures (contract v3 notes, core/note.h). */

/* check_acked_warning: every failure has someone on it, so the page
 * need not repeat: warning, not critical. */
static bool check_acked_warning(const struct config *cfg,
				const struct totals *t)
{
	return cfg->check_acked_warning && t->by_status[BS_FAILED] > 0 &&
	       t->failed_acked >= t->by_status[BS_FAILED];
}

/* " (2 acknowledged)", " (all acknowledged)", or nothing when none is. */
static void check_acked_words(FILE *f, const struct totals *t)
{
	if (t->failed_acked <= 0)
		return;
	if (t->failed_acked >= t->by_status[BS_FAILED])
		fprintf(f, " (all acknowledged)");
	else
		fprintf(f, " (%d acknowledged)", t->failed_acked);
}

static void check_perf_acked(FILE *f, const struct totals *t, bool seen)
{
	int failed = t->by_status[BS_FAILED], acked = t->failed_acked;

	perf_item(f, "failed_acked", seen ? acked : -1, 0, 0, -1);
	perf_item(f, "failed_unacked", seen ? failed - acked : -1, 0, 0, -1);
}

int headless_check_eval(const struct config *cfg, const struct totals *t,
			const struct headless_source *src, size_t nsrc,
			char **line)
{
	int failed = t->by_status[BS_FAILED], late = t->by_status[BS_LATE];
	int risk = t->by_status[BS_AT_RISK], rc = HEADLESS_OK;
	long up = 0, down = 0, unread = 0;
	char *text = NULL;
	size_t len;
	FILE *f;

	for (size_t i = 0; i < nsrc; i++) {
		bool shard = !strcmp(src[i].kind, "shard");

		if (src[i].state != SHARD_OK)
			unread++;
		if (shard && src[i].state == SHARD_OK)
			up++;
		else if (shard)
			down++;
	}
	/* What was not seen is neither fine nor failing. */
	if (!up)
		rc = HEADLESS_UNKNOWN;
	else if (cfg->check_late_crit > 0 && late >= cfg->check_late_crit)
		rc = HEADLESS_CRITICAL;
	else if (cfg->check_failed_crit > 0 && failed >= cfg->check_failed_crit)
		rc = check_acked_warning(cfg, t) ? HEADLESS_WARNING
						 : HEADLESS_CRITICAL;
	else if ((cfg->check_at_risk_warn > 0 && risk >= cfg->check_at_risk_warn) ||
		 (cfg->check_stale_warn && unread))
		rc = HEADLESS_WARNING;

	f = open_memstream(&text, &len);
	if (!f)
		fatal("out of memory");
	if (rc == HEADLESS_UNKNOWN) {
		fprintf(f, "no shard could be read");
		check_unread(f, src, nsrc, ": ");
	} else {
		fprintf(f, "%d failed", failed);
		check_acked_words(f, t);
		fprintf(f, ", %d late, %d at risk of %d biller%s", late, risk,
			t->billers, t->billers == 1 ? "" : "s");
		check_unread(f, src, nsrc, "; ");
	}
	if (fclose(f) != 0)
		fatal("out of memory");
	check_text_clean(text);

	f = open_memstream(line, &len);
	if (!f)
		fatal("out of memory");
	fprintf(f, "BATCHTOP %s: %s |", check_state_word(rc), text);
	check_perfdata(f, cfg, t, rc != HEADLESS_UNKNOWN, up, down);
	check_perf_newrelic(f, cfg, src, nsrc);
	check_perf_acked(f, t, rc != HEADLESS_UNKNOWN);
	if (fclose(f) != 0)
		fatal("out of memory");
	free(text);
	return rc;
}

int headless_check_unknown(const char *why, FILE *out, FILE *err)
{
	char *text = xstrdup(why);

	fprintf(err, "batchtop: %s\n", why);
	check_text_clean(text);
	fprintf(out, "BATCHTOP UNKNOWN: %s\n", text);
	fflush(out);
	free(text);
	return HEADLESS_UNKNOWN;
}

int headless_check(const struct config *cfg, const struct newrelic_conf *nrc,
		   FILE *out, FILE *err)
{
	struct app app;
	struct headless_source *src;
	char *line, *why = NULL;
	size_t n;
	int rc;

	if (collect(cfg, nrc, &app, &why) < 0) {
		rc = headless_check_unknown(why, out, err);
		free(why);
		return rc;
	}
	view_rebuild(&app.view, app.now);
	src = xcalloc(app.npollers + 1, sizeof *src);
	for (n = 0; n < app.npollers; n++) {
		src[n].name = cfg->shards[n].name;
		src[n].kind = "shard";
		src[n].state = app.health[n].state;
	}
	if (app.nr_health) {
		src[n].name = "New Relic";
		src[n].kind = "newrelic";
		src[n++].state = newrelic_source_state(&app);
	}
	rc = headless_check_eval(cfg, &app.view.totals, src, n, &line);
	fprintf(out, "%s\n", line);
	if (fflush(out) != 0 || ferror(out)) {
		fprintf(err, "batchtop: cannot write the output: %s\n",
			strerror(errno));
		rc = HEADLESS_UNKNOWN;
	}
	report_unread(&app, err);
	log_msg(LOG_INFO, "--check: %s", line);
	free(line);
	free(src);
	app_close(&app);
	return rc;
}
