/*
 * headless.c - --once and --check: one poll of every shard, printed.
 *
 * collect() runs the shard pollers (and the New Relic client, when there
 * is a [newrelic] section) exactly as the dashboard does, without curses:
 * it waits on the wake pipe until every shard has published a snapshot or
 * failed at least once and New Relic has answered or failed, bounded by
 * connect_timeout + query_timeout + a little slack, then stops them and
 * keeps the shards' last snapshots in a view (demo billers included,
 * marked) and New Relic's health.  The printers read only that view and
 * the health.  Strings in snapshots are sanitized already; JSON is built
 * with cJSON (which escapes), CSV fields are quoted here, Prometheus
 * labels are escaped in headless_prom.c.
 */
#include "autoconf.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "app.h"
#include "headless.h"
#include "headless_prom.h"
#include "log.h"
#include "newrelic.h"
#include "text.h"
#include "timefmt.h"
#include "xalloc.h"

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

static bool all_answered(const struct app *app)
{
	for (size_t i = 0; i < app->npollers; i++)
		if (app->health[i].state == SHARD_CONNECTING)
			return false;
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
				cfg->query_timeout + COLLECT_SLACK_S) * 1000;
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

static bool every_shard_read(const struct app *app)
{
	for (size_t i = 0; i < app->npollers; i++)
		if (app->health[i].state != SHARD_OK)
			return false;
	return true;
}

/* --- words for states and statuses -------------------------------------- */

static const char *state_token(enum shard_state s)
{
	switch (s) {
	case SHARD_OK: return "ok";
	case SHARD_FAILING: return "stale";
	case SHARD_DOWN: return "down";
	case SHARD_CONNECTING: break;
	}
	return "connecting";
}

/* What --check and the table say about a source that was not read. */
static const char *state_words(enum shard_state s)
{
	switch (s) {
	case SHARD_OK: return "ok";
	case SHARD_FAILING: return "stale";
	case SHARD_DOWN: return "down";
	case SHARD_CONNECTING: break;
	}
	return "not answering";
}

const char *headless_status_token(enum biller_status s)
{
	static const char *const tokens[BS__COUNT] = {
		[BS_FAILED] = "failed", [BS_LATE] = "late",
		[BS_AT_RISK] = "at_risk", [BS_OTHER] = "unknown",
		[BS_RUNNING] = "running", [BS_SCHEDULED] = "scheduled",
		[BS_CLOSED_LATE] = "closed_late", [BS_CLOSED] = "closed",
		[BS_NONE] = "no_close",
	};

	return (unsigned)s < BS__COUNT ? tokens[s] : "unknown";
}

static const char *batch_state_token(enum batch_state s)
{
	switch (s) {
	case BATCH_SCHEDULED: return "scheduled";
	case BATCH_RUNNING: return "running";
	case BATCH_CLOSED: return "closed";
	case BATCH_FAILED: return "failed";
	case BATCH_OTHER: break;
	}
	return "other";
}

/* ISO 8601 in UTC with milliseconds: "2026-11-21T23:05:00.000Z".  The
 * buffer is sized for any int fields, so the compiler can prove no cut. */
#define ISO_MAX 96
static char *iso_time(char *buf, size_t n, int64_t ms)
{
	int64_t s = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	time_t t = (time_t)s;
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, n, "?");
		return buf;
	}
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms - s * 1000));
	return buf;
}

/* --- the numbers every format shares ------------------------------------- */

int headless_success_permille(const struct totals *t)
{
	long ok = t->by_status[BS_CLOSED];
	long decided = ok + t->by_status[BS_CLOSED_LATE] + t->by_status[BS_LATE] +
		       t->by_status[BS_FAILED];

	return decided ? (int)(ok * 1000 / decided) : -1;
}

/* Whether the biller's focus batch has a deadline that still matters, and
 * the times the formats print: ms to the deadline of a biller that has not
 * closed (negative: past it), and by how much it is or was late. */
static bool open_status(enum biller_status s)
{
	return s != BS_CLOSED && s != BS_CLOSED_LATE && s != BS_NONE;
}

static bool has_deadline(const struct row *r)
{
	return r->ev.focus && r->ev.focus->deadline_at != BT_NO_TIME;
}

static bool time_left(const struct row *r, int64_t now, int64_t *ms)
{
	if (!open_status(r->ev.status) || !has_deadline(r) || now == BT_NO_TIME)
		return false;
	*ms = r->ev.time_left;
	return true;
}

static bool late_by(const struct row *r, int64_t now, int64_t *ms)
{
	int64_t left;

	if (r->ev.status == BS_CLOSED_LATE) {
		*ms = r->ev.time_left;
		return true;
	}
	if (time_left(r, now, &left) && left < 0) {
		*ms = -left;
		return true;
	}
	return false;
}

/* --- JSON ------------------------------------------------------------------ */

static void json_time(cJSON *o, const char *key, int64_t ms)
{
	char buf[ISO_MAX];

	if (ms == BT_NO_TIME)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, iso_time(buf, sizeof buf, ms));
}

static void json_int(cJSON *o, const char *key, bool known, int64_t v)
{
	if (known)
		cJSON_AddNumberToObject(o, key, (double)v);
	else
		cJSON_AddNullToObject(o, key);
}

/* "" is null: the snapshot keeps SQL NULL text as "". */
static void json_text(cJSON *o, const char *key, const char *s)
{
	if (s && *s)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

/* An identifier, raw (doc/json-format.md): as it is when it is valid
 * UTF-8 (cJSON escapes controls); otherwise each invalid sequence becomes
 * U+FFFD and key_hex gives the exact bytes.  "" is null when empty_null. */
static void json_id(cJSON *o, const char *key, const char *id, bool empty_null)
{
	char hexkey[64];
	char *fixed, *hex;
	size_t n;

	if (!id || (empty_null && !*id)) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	if (text_utf8_valid(id)) {
		cJSON_AddStringToObject(o, key, id);
		return;
	}
	fixed = text_utf8_repair(id);
	cJSON_AddStringToObject(o, key, fixed);
	free(fixed);
	n = strlen(id);
	hex = xmalloc(n * 2 + 1);
	for (size_t i = 0; i < n; i++)
		sprintf(hex + i * 2, "%02x", (unsigned char)id[i]);
	snprintf(hexkey, sizeof hexkey, "%s_hex", key);
	cJSON_AddStringToObject(o, hexkey, hex);
	free(hex);
}

static cJSON *json_batch(const struct batch *t)
{
	cJSON *o = cJSON_CreateObject();

	json_id(o, "batch_id", t->batch_id, false);
	json_text(o, "business_day", t->business_day);
	json_text(o, "payment_type", t->payment_type);
	json_text(o, "module", t->module);
	cJSON_AddStringToObject(o, "status", t->status);
	cJSON_AddStringToObject(o, "state", batch_state_token(t->state));
	json_int(o, "attempts", t->attempts != BT_NO_INT, t->attempts);
	json_text(o, "error_class", t->error_class);
	json_text(o, "error_message", t->error_message);
	json_time(o, "scheduled_at", t->scheduled_at);
	json_time(o, "deadline_at", t->deadline_at);
	json_text(o, "deadline_infinity", t->deadline_inf > 0 ? "infinity"
		  : t->deadline_inf < 0 ? "-infinity" : NULL);
	cJSON_AddBoolToObject(o, "deadline_given", t->deadline_given);
	json_time(o, "started_at", t->started_at);
	json_time(o, "finished_at", t->finished_at);
	json_time(o, "updated_at", t->updated_at);
	json_text(o, "local_scheduled", t->local_sched);
	json_text(o, "bad_row", t->bad);
	return o;
}

static cJSON *json_biller(const struct app *app, const struct row *r)
{
	const struct biller *b = r->b;
	cJSON *o = cJSON_CreateObject(), *batches;
	int64_t left = 0, late = 0;
	bool has_left = time_left(r, app->now, &left);
	bool is_late = late_by(r, app->now, &late);
	int pct = biller_autopay_pct(b);

	cJSON_AddStringToObject(o, "shard", b->shard);
	json_id(o, "biller_id", b->biller_id, false);
	json_text(o, "name", b->known ? b->name : NULL);
	cJSON_AddBoolToObject(o, "known", b->known);
	cJSON_AddBoolToObject(o, "is_demo", b->is_demo);
	json_text(o, "timezone", b->timezone);
	cJSON_AddBoolToObject(o, "timezone_known", b->tz_known);
	json_int(o, "priority", b->priority != BT_NO_INT, b->priority);
	cJSON_AddStringToObject(o, "status", headless_status_token(r->ev.status));
	cJSON_AddStringToObject(o, "status_label",
				r->ev.status == BS_OTHER && r->ev.focus
					? r->ev.focus->status
					: biller_status_label(r->ev.status));
	json_id(o, "focus_batch_id", r->ev.focus ? r->ev.focus->batch_id : NULL,
		true);
	json_time(o, "deadline_at", has_deadline(r) ? r->ev.focus->deadline_at
						     : BT_NO_TIME);
	json_int(o, "time_left_ms", has_left, left);
	json_int(o, "late_by_ms", is_late, late);
	json_int(o, "window_used_pct", r->ev.focus != NULL, r->ev.permille / 10);
	cJSON_AddNumberToObject(o, "batches_closed", b->n_closed);
	cJSON_AddNumberToObject(o, "batches_total", (double)b->nbatches);
	json_int(o, "attempts_max", b->attempts_max != BT_NO_INT, b->attempts_max);
	json_text(o, "last_error_class", b->last_error_class);
	json_int(o, "autopay_failed_pct", pct >= 0, pct);
	json_int(o, "autopay_payments", b->ap_payments != BT_NO_INT, b->ap_payments);
	json_int(o, "autopay_failed", b->ap_failed != BT_NO_INT, b->ap_failed);
	json_time(o, "autopay_run_at", b->ap_run_at);
	batches = cJSON_AddArrayToObject(o, "batches");
	for (size_t i = 0; i < b->nbatches; i++)
		cJSON_AddItemToArray(batches, json_batch(&b->batches[i]));
	return o;
}

static cJSON *json_shard(const struct app *app, size_t i)
{
	const struct shard_health *h = &app->health[i];
	const struct snapshot *s = app->view.snaps[i];
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", app->cfg->shards[i].name);
	cJSON_AddStringToObject(o, "state", state_token(h->state));
	json_text(o, "reason", h->state == SHARD_CONNECTING && !h->reason[0]
				       ? "no answer in time" : h->reason);
	json_time(o, "server_now", s ? s->server_now : BT_NO_TIME);
	json_int(o, "data_age_ms", h->last_ok_mono != BT_NO_TIME,
		 h->last_ok_mono != BT_NO_TIME ? app->mono - h->last_ok_mono : 0);
	json_int(o, "poll_ms", h->state == SHARD_OK, h->poll_ms);
	json_int(o, "billers", s != NULL, s ? (int64_t)s->nbillers : 0);
	json_int(o, "batches", s != NULL, s ? (int64_t)s->nbatches : 0);
	return o;
}

static cJSON *json_totals(const struct app *app)
{
	const struct totals *t = &app->view.totals;
	cJSON *o = cJSON_CreateObject();
	int pm = headless_success_permille(t);

	cJSON_AddNumberToObject(o, "billers", t->billers);
	cJSON_AddNumberToObject(o, "demo_billers", t->demo);
	for (int s = 0; s < BS__COUNT; s++)
		cJSON_AddNumberToObject(o, headless_status_token((enum biller_status)s),
					t->by_status[s]);
	if (pm >= 0)
		cJSON_AddNumberToObject(o, "success_pct", pm / 10.0);
	else
		cJSON_AddNullToObject(o, "success_pct");
	return o;
}

static int print_json(const struct app *app, FILE *out)
{
	cJSON *root = cJSON_CreateObject(), *arr, *o;
	bool shard_clock = app->now != BT_NO_TIME;
	int64_t now = shard_clock ? app->now : wall_ms();
	int minute = app->cfg->payment_file_minute;
	int64_t next = next_payment_file_ms(now, minute);
	char *text;
	int rc;

	cJSON_AddNumberToObject(root, "batchtop_json", HEADLESS_JSON_VERSION);
	cJSON_AddStringToObject(root, "generator", "batchtop " PACKAGE_VERSION);
	json_time(root, "generated_at", now);
	cJSON_AddStringToObject(root, "clock", shard_clock ? "shard" : "local");
	cJSON_AddBoolToObject(root, "complete", every_shard_read(app));
	o = cJSON_AddObjectToObject(root, "settings");
	cJSON_AddNumberToObject(o, "window_minutes", app->cfg->window_minutes);
	cJSON_AddNumberToObject(o, "at_risk_pct", app->cfg->at_risk_pct);
	cJSON_AddNumberToObject(o, "night_hours", app->cfg->night_hours);
	cJSON_AddNumberToObject(o, "payment_file_minute", minute);
	o = cJSON_AddObjectToObject(root, "next_payment_file");
	json_time(o, "at", now + next);
	cJSON_AddNumberToObject(o, "in_ms", (double)next);
	cJSON_AddItemToObject(root, "totals", json_totals(app));
	arr = cJSON_AddArrayToObject(root, "shards");
	for (size_t i = 0; i < app->npollers; i++)
		cJSON_AddItemToArray(arr, json_shard(app, i));
	arr = cJSON_AddArrayToObject(root, "billers");
	for (size_t i = 0; i < app->view.nrows; i++)
		cJSON_AddItemToArray(arr, json_biller(app, &app->view.rows[i]));
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		fatal("out of memory building JSON");
	rc = fprintf(out, "%s\n", text);
	cJSON_free(text);
	return rc < 0 ? -1 : 0;
}

/* --- CSV ---------------------------------------------------------------- */

void headless_csv_field(FILE *out, const char *s)
{
	bool quote = false;

	if (!s)
		s = "";
	/* A spreadsheet runs text that starts like a formula. */
	if (s[0] && strchr("=+-@\t\r", s[0]))
		quote = true;
	for (const char *p = s; *p && !quote; p++)
		if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
			quote = true;
	if (!quote) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (s[0] && strchr("=+-@\t\r", s[0]))
		fputc('\'', out);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

static const char *const csv_columns[] = {
	"shard", "biller_id", "name", "is_demo", "timezone", "priority",
	"status", "batches_closed", "batches_total", "local_scheduled",
	"deadline_at", "time_left_ms", "late_by_ms", "attempts_max",
	"last_error_class", "autopay_failed_pct",
};
#define CSV_NCOLUMNS (sizeof csv_columns / sizeof csv_columns[0])

static void csv_int(FILE *out, bool known, int64_t v)
{
	if (known)
		fprintf(out, "%lld", (long long)v);
}

static int print_csv(const struct app *app, FILE *out)
{
	char buf[ISO_MAX];

	for (size_t c = 0; c < CSV_NCOLUMNS; c++)
		fprintf(out, "%s%s", c ? "," : "", csv_columns[c]);
	fputs("\r\n", out);
	for (size_t i = 0; i < app->view.nrows; i++) {
		const struct row *r = &app->view.rows[i];
		const struct biller *b = r->b;
		int64_t left = 0, late = 0;
		bool has_left = time_left(r, app->now, &left);
		bool is_late = late_by(r, app->now, &late);
		int pct = biller_autopay_pct(b);

		/* One field per column of csv_columns, in its order. */
		headless_csv_field(out, b->shard);
		fputc(',', out);
		{
			/* CSV cells are sanitized text; the id is raw. */
			char *id = text_sanitize(b->biller_id, (size_t)-1);

			headless_csv_field(out, id);
			free(id);
		}
		fputc(',', out);
		headless_csv_field(out, b->known ? b->name : "");
		fprintf(out, ",%s,", b->is_demo ? "true" : "false");
		headless_csv_field(out, b->timezone);
		fputc(',', out);
		csv_int(out, b->priority != BT_NO_INT, b->priority);
		fprintf(out, ",%s,%d,%zu,", headless_status_token(r->ev.status),
			b->n_closed, b->nbatches);
		headless_csv_field(out, r->ev.focus ? r->ev.focus->local_sched : "");
		fputc(',', out);
		if (has_deadline(r))
			fputs(iso_time(buf, sizeof buf, r->ev.focus->deadline_at), out);
		fputc(',', out);
		csv_int(out, has_left, left);
		fputc(',', out);
		csv_int(out, is_late, late);
		fputc(',', out);
		csv_int(out, b->attempts_max != BT_NO_INT, b->attempts_max);
		fputc(',', out);
		headless_csv_field(out, b->last_error_class);
		fputc(',', out);
		csv_int(out, pct >= 0, pct);
		fputs("\r\n", out);
	}
	return ferror(out) ? -1 : 0;
}

/* --- the table ------------------------------------------------------------ */

/* s fitted to w columns, then a space. */
static void cell(FILE *out, const char *s, int w, int right)
{
	char buf[1024];

	if (w > 250)
		w = 250;
	text_fit(buf, sizeof buf, s, w, right);
	fprintf(out, "%s ", buf);
}

static int widest(const struct app *app, int which, int min, int max)
{
	int w = min;

	for (size_t i = 0; i < app->view.nrows; i++) {
		const struct biller *b = app->view.rows[i].b;
		int bw = which == 0 ? text_width(b->name) + (b->is_demo ? 7 : 0)
			 : which == 1 ? text_width(b->shard)
				      : text_width(b->timezone) + 1;

		if (bw > w)
			w = bw;
	}
	return w > max ? max : w;
}

static void table_header(const struct app *app, FILE *out)
{
	static const enum biller_status shown[] = {
		BS_FAILED, BS_LATE, BS_AT_RISK, BS_OTHER, BS_RUNNING,
		BS_SCHEDULED, BS_CLOSED_LATE, BS_CLOSED,
	};
	const struct totals *t = &app->view.totals;
	char clock[16], left[16];
	int pm = headless_success_permille(t);

	if (app->now != BT_NO_TIME) {
		fmt_clock(clock, sizeof clock, app->now, 0);
		fmt_countdown(left, sizeof left,
			      next_payment_file_ms(app->now,
						   app->cfg->payment_file_minute));
		fprintf(out, "batchtop %s UTC (shards' clock); next payment file :%02d in %s\n",
			clock, app->cfg->payment_file_minute, left);
	} else {
		fprintf(out, "batchtop: no shard answered\n");
	}
	for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
		if (shown[i] != BS_OTHER || t->by_status[BS_OTHER])
			fprintf(out, "%s %d  ", biller_status_label(shown[i]),
				t->by_status[shown[i]]);
	fprintf(out, "of %d billers (%d demo not counted)", t->billers, t->demo);
	if (pm >= 0)
		fprintf(out, "; success so far %d.%d%%", pm / 10, pm % 10);
	fprintf(out, "\n");
	for (size_t i = 0; i < app->npollers; i++) {
		const struct shard_health *h = &app->health[i];

		if (h->state == SHARD_OK)
			fprintf(out, "shard %s: ok, %zu billers, polled in %lld ms\n",
				app->cfg->shards[i].name,
				app->view.snaps[i] ? app->view.snaps[i]->nbillers : 0,
				(long long)h->poll_ms);
		else
			fprintf(out, "shard %s: %s%s%s\n", app->cfg->shards[i].name,
				state_words(h->state), h->reason[0] ? ": " : "",
				h->reason);
	}
}

static int print_table(const struct app *app, FILE *out)
{
	int name_w = widest(app, 0, 6, 40), shard_w = widest(app, 1, 5, 20);
	int tz_w = widest(app, 2, 4, 24);
	char buf[320], t[16];

	table_header(app, out);
	fputc('\n', out);
	cell(out, "STATUS", 11, 0);
	cell(out, "BILLER", name_w, 0);
	cell(out, "SHARD", shard_w, 0);
	cell(out, "ZONE", tz_w, 0);
	cell(out, "P", 1, 1);
	cell(out, "DONE", 5, 1);
	cell(out, "LOCAL", 5, 0);
	cell(out, "LEFT", 10, 1);
	cell(out, "TRY", 3, 1);
	cell(out, "ERROR", 17, 0);
	fprintf(out, "AP%%\n");
	for (size_t i = 0; i < app->view.nrows; i++) {
		const struct row *r = &app->view.rows[i];
		const struct biller *b = r->b;
		int64_t ms = 0;
		int pct = biller_autopay_pct(b);

		cell(out, r->ev.status == BS_OTHER && r->ev.focus
				  ? r->ev.focus->status
				  : biller_status_label(r->ev.status), 11, 0);
		view_name_cell(buf, sizeof buf, b, true);	/* escapes the id */
		cell(out, buf, name_w, 0);
		cell(out, b->shard, shard_w, 0);
		snprintf(buf, sizeof buf, "%s%s", b->tz_known ? "" : "?", b->timezone);
		cell(out, buf, tz_w, 0);
		if (b->priority == BT_NO_INT)
			snprintf(buf, sizeof buf, "?");
		else if (b->priority >= 0 && b->priority <= 9)
			snprintf(buf, sizeof buf, "%d", b->priority);
		else
			snprintf(buf, sizeof buf, "+");
		cell(out, buf, 1, 1);
		snprintf(buf, sizeof buf, "%d/%zu", b->n_closed, b->nbatches);
		cell(out, b->nbatches ? buf : "", 5, 1);
		cell(out, r->ev.focus && r->ev.focus->local_sched[0]
				  ? r->ev.focus->local_sched : "", 5, 0);
		buf[0] = '\0';
		if (late_by(r, app->now, &ms))
			snprintf(buf, sizeof buf, "late %s", fmt_countdown(t, sizeof t, ms));
		else if (time_left(r, app->now, &ms))
			fmt_countdown(buf, sizeof buf, ms);
		cell(out, buf, 10, 1);
		if (b->attempts_max != BT_NO_INT)
			snprintf(buf, sizeof buf, "%d", b->attempts_max);
		else
			buf[0] = '\0';
		cell(out, buf, 3, 1);
		cell(out, b->last_error_class, 17, 0);
		if (pct >= 0)
			fprintf(out, "%d%%\n", pct);
		else
			fprintf(out, "-\n");
	}
	if (!app->view.nrows)
		fprintf(out, "(no billers)\n");
	return ferror(out) ? -1 : 0;
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
	case HEADLESS_JSON: rc = print_json(&app, out); break;
	case HEADLESS_CSV: rc = print_csv(&app, out); break;
	case HEADLESS_PROMETHEUS:
		rc = headless_prom_print(&app, wall_ms(), out);
		break;
	case HEADLESS_TABLE: default: rc = print_table(&app, out); break;
	}
	report_unread(&app, err);
	if (fflush(out) != 0 || ferror(out) || rc < 0) {
		fprintf(err, "batchtop: cannot write the output: %s\n",
			strerror(errno));
		rc = HEADLESS_IOERR;
	} else {
		rc = every_shard_read(&app) ? HEADLESS_OK : HEADLESS_PARTIAL;
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
	BS_CLOSED_LATE, BS_CLOSED, BS_NONE,
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
			state_words(src[i].state));
	}
	if (more)
		fprintf(f, "; %zu more not read", more);
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
	else if ((cfg->check_failed_crit > 0 && failed >= cfg->check_failed_crit) ||
		 (cfg->check_late_crit > 0 && late >= cfg->check_late_crit))
		rc = HEADLESS_CRITICAL;
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
		fprintf(f, "%d failed, %d late, %d at risk of %d biller%s", failed,
			late, risk, t->billers, t->billers == 1 ? "" : "s");
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
