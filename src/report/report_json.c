/*
 * report_json.c - the handoff report as JSON for scripts, built with cJSON
 * (which escapes).  The schema is in batchtop(1), REPORT; its version is
 * "batchtop_report".  Identifiers are as the shard sent them when they
 * are valid UTF-8 (else each bad sequence is U+FFFD); other text is
 * sanitized and whole (the shard cut it at QUERY_REPORT_TEXT_MAX).
 * Instants are ISO 8601 UTC with milliseconds, null when absent.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "core/missed_report.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "data/json_out.h"
#include "report/report.h"
#include "report/report_writers.h"

static void add_text(cJSON *o, const char *key, const char *s)
{
	char *clean;

	if (!s) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	clean = text_sanitize(s, (size_t)-1);
	cJSON_AddStringToObject(o, key, clean);
	free(clean);
}

static void add_id(cJSON *o, const char *key, const char *id)
{
	char *fixed;

	if (!id) {
		cJSON_AddNullToObject(o, key);
	} else if (text_utf8_valid(id)) {
		cJSON_AddStringToObject(o, key, id);
	} else {
		fixed = text_utf8_repair(id);
		cJSON_AddStringToObject(o, key, fixed);
		free(fixed);
	}
}

static void add_time(cJSON *o, const char *key, int64_t ms)
{
	char t[FMT_ISO_MAX];

	if (ms == NIGHT_NO_TIME)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, fmt_iso_ms(t, sizeof t, ms));
}

static cJSON *array(cJSON *root, const char *key)
{
	cJSON *a = cJSON_CreateArray();

	cJSON_AddItemToObject(root, key, a);
	return a;
}

static cJSON *item(cJSON *arr, const struct night *n, int shard)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToArray(arr, o);
	if (shard >= 0)
		add_text(o, "shard", night_shard_name(n, shard));
	return o;
}

static void put_shards(cJSON *root, const struct night *n)
{
	cJSON *a = array(root, "shards");

	for (size_t i = 0; i < n->nshards; i++) {
		const struct night_shard *s = &n->shards[i];
		cJSON *o = item(a, n, -1);

		add_text(o, "name", s->name);
		cJSON_AddBoolToObject(o, "readable", s->read);
		add_text(o, "error", s->read ? NULL : s->error);
		add_text(o, "business_day", *s->day ? s->day : NULL);
		cJSON_AddBoolToObject(o, "has_notes", s->has_notes);
		cJSON_AddBoolToObject(o, "has_holds", s->has_holds);
		cJSON_AddBoolToObject(o, "has_write_offs", s->has_write_offs);
	}
}

static void put_closes(cJSON *root, const struct night *n)
{
	cJSON *a = array(root, "closes");

	for (size_t i = 0; i < n->ncloses; i++) {
		const struct night_close *c = &n->closes[i];
		cJSON *o = item(a, n, c->shard);

		add_id(o, "batch_id", c->batch_id);
		add_id(o, "biller_id", c->biller_id);
		add_text(o, "name", c->name);
		add_text(o, "payment_type", c->payment_type);
		add_text(o, "module", c->module);
		add_text(o, "status", c->status);
		cJSON_AddNumberToObject(o, "attempts", c->attempts);
		add_text(o, "error_class", c->error_class);
		add_text(o, "error_message", c->error_message);
		add_time(o, "scheduled_at", c->scheduled);
		add_time(o, "deadline_at", c->deadline);
		add_time(o, "started_at", c->started);
		add_time(o, "finished_at", c->finished);
		cJSON_AddBoolToObject(o, "missed", c->missed);
		cJSON_AddBoolToObject(o, "is_demo", c->demo);
		cJSON_AddBoolToObject(o, "open", night_close_open(c));
	}
}

static void put_missed(cJSON *root, const struct night *n)
{
	struct missed_report r;
	cJSON *m = cJSON_CreateObject(), *a;

	night_missed(n, &r);
	cJSON_AddItemToObject(root, "missed", m);
	cJSON_AddNumberToObject(m, "closes", (double)r.closes);
	cJSON_AddNumberToObject(m, "missed", (double)r.missed);
	a = array(m, "billers");
	for (size_t i = 0; i < r.ngroups; i++) {
		const struct missed_group *g = &r.groups[i];
		cJSON *o = item(a, n, g->shard), *its;

		add_id(o, "biller_id", g->biller_id);
		add_text(o, "label", g->label);
		cJSON_AddNumberToObject(o, "closes", (double)g->closes);
		cJSON_AddNumberToObject(o, "missed", (double)g->missed);
		its = array(o, "payment_type_module");
		for (size_t k = 0; k < g->nitems; k++) {
			cJSON *it = item(its, n, -1);

			add_text(it, "label", g->items[k].label);
			cJSON_AddNumberToObject(it, "closes", (double)g->items[k].closes);
			cJSON_AddNumberToObject(it, "missed", (double)g->items[k].missed);
		}
	}
	missed_report_free(&r);
}

static void put_reruns(cJSON *root, const struct night *n)
{
	cJSON *a = array(root, "reruns");

	for (size_t i = 0; i < n->nreruns; i++) {
		const struct night_rerun *r = &n->reruns[i];
		cJSON *o = item(a, n, r->shard);

		cJSON_AddNumberToObject(o, "request_id", (double)r->request_id);
		add_text(o, "kind", r->kind);
		add_id(o, "target_id", r->target_id);
		add_text(o, "requested_by", r->requested_by);
		add_time(o, "requested_at", r->requested);
		add_text(o, "reason", r->reason);
		add_text(o, "status", r->status);
		add_time(o, "finished_at", r->finished);
		add_text(o, "result", r->result);
		cJSON_AddBoolToObject(o, "open", night_rerun_open(r));
	}
}

static void put_holds_notes(cJSON *root, const struct night *n)
{
	cJSON *a = array(root, "holds");

	for (size_t i = 0; i < n->nholds; i++) {
		const struct night_hold *h = &n->holds[i];
		cJSON *o = item(a, n, h->shard);

		cJSON_AddNumberToObject(o, "hold_id", (double)h->hold_id);
		add_id(o, "biller_id", h->biller_id);
		add_text(o, "kind", h->kind);
		add_text(o, "payment_type", h->payment_type);
		add_text(o, "module", h->module);
		add_text(o, "day_from", h->day_from);
		add_text(o, "day_to", h->day_to);
		add_text(o, "reason", h->reason);
		add_text(o, "placed_by", h->placed_by);
		add_time(o, "placed_at", h->placed);
		add_time(o, "expires_at", h->expires);
		add_time(o, "ended_at", h->ended);
		add_text(o, "ended_by", h->ended_by);
		add_text(o, "ended_how", h->ended_how);
		cJSON_AddBoolToObject(o, "open", night_hold_open(h));
	}
	a = array(root, "write_offs");
	for (size_t i = 0; i < n->nwrite_offs; i++) {
		const struct night_write_off *w = &n->write_offs[i];
		cJSON *o = item(a, n, w->shard);

		add_id(o, "invoice_id", w->invoice_id);
		add_id(o, "biller_id", w->biller_id);
		cJSON_AddNumberToObject(o, "hold_id", (double)w->hold_id);
		add_text(o, "reason", w->reason);
		add_text(o, "written_by", w->written_by);
		add_time(o, "written_at", w->written);
	}
	a = array(root, "notes");
	for (size_t i = 0; i < n->nnotes; i++) {
		const struct night_note *x = &n->notes[i];
		cJSON *o = item(a, n, x->shard);

		cJSON_AddNumberToObject(o, "note_id", (double)x->note_id);
		add_id(o, "biller_id", x->biller_id);
		add_id(o, "batch_id", x->batch_id);
		add_text(o, "kind", x->kind);
		add_text(o, "author", x->author);
		add_text(o, "body", x->body);
		add_time(o, "created_at", x->created);
	}
}

static void put_audit(cJSON *root, const struct night *n)
{
	cJSON *au = cJSON_CreateObject(), *a;

	cJSON_AddItemToObject(root, "audit", au);
	add_text(au, "path", n->audit_path);
	add_text(au, "error", *n->audit_error ? n->audit_error : NULL);
	a = array(au, "records");
	for (size_t i = 0; i < n->naudit; i++) {
		const struct night_audit *r = &n->audit[i];
		cJSON *o = item(a, n, -1);

		add_time(o, "time", r->time);
		add_text(o, "user", r->user);
		add_text(o, "origin", r->origin);
		add_text(o, "event", r->event);
		add_text(o, "screen", r->screen);
		add_text(o, "shard", r->shard);
		add_text(o, "kind", r->kind);
		add_id(o, "target", r->target);
		add_text(o, "reason", r->reason);
		add_text(o, "outcome", r->outcome);
		add_text(o, "detail", r->detail);
		if (r->request_id)
			cJSON_AddNumberToObject(o, "request_id", (double)r->request_id);
		else
			cJSON_AddNullToObject(o, "request_id");
	}
}

/* The chart's span and its payment files, as the HTML draws them. */
static void put_chart(cJSON *root, const struct night *n)
{
	cJSON *c = cJSON_CreateObject(), *a;
	int64_t from, to, files[2000];
	size_t k;

	cJSON_AddItemToObject(root, "wave", c);
	add_time(c, "started_at", night_wave_start(n));
	add_time(c, "ended_at", night_wave_end(n));
	night_span(n, &from, &to);
	if (from == NIGHT_NO_TIME)
		from = to = n->generated;
	if (to - from < 60000)
		to = from + 60000;
	add_time(c, "chart_from", from);
	add_time(c, "chart_to", to);
	a = array(c, "payment_files");
	k = night_payment_files(n, from, to, files, 2000);
	for (size_t i = 0; i < k && i < 2000; i++) {
		char t[FMT_ISO_MAX];

		cJSON_AddItemToArray(a, cJSON_CreateString(fmt_iso_ms(t, sizeof t,
								     files[i])));
	}
}

int report_write_json(const struct night *n, FILE *out)
{
	cJSON *root = cJSON_CreateObject(), *s;
	char *text;

	if (!root)
		fatal("out of memory building the report");
	cJSON_AddNumberToObject(root, "batchtop_report", REPORT_JSON_VERSION);
	add_time(root, "generated_at", n->generated);
	add_text(root, "business_day", *n->day ? n->day : NULL);
	cJSON_AddBoolToObject(root, "complete", night_unreadable(n) == 0);
	s = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "settings", s);
	cJSON_AddNumberToObject(s, "window_minutes", n->window_minutes);
	cJSON_AddNumberToObject(s, "payment_file_minute", n->payment_file_minute);
	cJSON_AddNumberToObject(s, "payment_file_period", n->payment_file_period);
	put_chart(root, n);
	put_shards(root, n);
	put_closes(root, n);
	put_missed(root, n);
	put_reruns(root, n);
	put_holds_notes(root, n);
	put_audit(root, n);
	text = json_out_pretty(root, "the report");
	fputs(text, out);
	fputs("\n", out);
	free(text);
	return ferror(out) ? -1 : 0;
}
