/*
 * headless_json.c - `--once --format json`: the collected view as doc/json-format.md
 * describes it, built with cJSON (which escapes).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "app/app.h"
#include "data/history.h"
#include "data/json_out.h"
#include "core/note.h"
#include "headless/headless_json.h"
#include "headless/headless_words.h"
#include "core/hold.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

static void json_time(cJSON *o, const char *key, int64_t ms)
{
	char buf[FMT_ISO_MAX];

	if (ms == BT_NO_TIME)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, fmt_iso_ms(buf, sizeof buf, ms));
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
	char lt[BATCH_LOCAL_SCHED_LEN];

	json_id(o, "batch_id", t->batch_id, false);
	json_text(o, "business_day", t->kind->business_day);
	json_text(o, "payment_type", t->kind->payment_type);
	json_text(o, "module", t->kind->module);
	cJSON_AddStringToObject(o, "status", t->kind->status);
	cJSON_AddStringToObject(o, "state", headless_batch_state_token(t->state));
	json_int(o, "attempts", t->attempts != BT_NO_INT, t->attempts);
	json_text(o, "error_class", t->kind->error_class);
	json_text(o, "error_message", t->error_message);
	json_time(o, "scheduled_at", t->scheduled_at);
	json_time(o, "deadline_at", t->deadline_at);
	json_text(o, "deadline_infinity", t->deadline_inf > 0 ? "infinity"
		  : t->deadline_inf < 0 ? "-infinity" : NULL);
	cJSON_AddBoolToObject(o, "deadline_given", t->deadline_given);
	json_time(o, "started_at", t->started_at);
	json_time(o, "finished_at", t->finished_at);
	json_time(o, "updated_at", t->updated_at);
	json_text(o, "local_scheduled", batch_local_sched(t, lt));
	json_text(o, "bad_row", t->kind->bad);
	return o;
}

/* Contract v3 notes: who acknowledged every failure of b (the latest
 * such acknowledgement's author), or null. */
static void json_acked(const struct app *app, cJSON *o, const struct biller *b)
{
	size_t i = (size_t)b->shard_index;
	const struct note *a = i < app->view.nsnaps
			       ? note_biller_ack(app->view.snaps[i], b) : NULL;

	json_text(o, "acknowledged_by", a ? a->author : NULL);
}

static cJSON *json_biller(const struct app *app, const struct row *r)
{
	const struct biller *b = r->b;
	cJSON *o = cJSON_CreateObject(), *batches;
	int64_t left = 0, late = 0;
	bool has_left = headless_time_left(r, app->now, &left);
	bool is_late = headless_late_by(r, app->now, &late);
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
	cJSON_AddStringToObject(o, "status_label", view_status_text(r));
	json_id(o, "focus_batch_id", r->ev.focus ? r->ev.focus->batch_id : NULL,
		true);
	json_time(o, "deadline_at", headless_has_deadline(r) ? r->ev.focus->deadline_at
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
	json_int(o, "hold_id", r->ev.hold != NULL, r->ev.hold ? r->ev.hold->hold_id : 0);
	json_acked(app, o, b);
	batches = cJSON_AddArrayToObject(o, "batches");
	for (size_t i = 0; i < b->nbatches; i++)
		cJSON_AddItemToArray(batches, json_batch(&b->batches[i]));
	return o;
}

/* A hold of a contract-v3 shard (doc/json-format.md, "holds"). */
static cJSON *json_hold(const struct hold *h, int64_t now)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "hold_id", (double)h->hold_id);
	cJSON_AddStringToObject(o, "kind", h->kind_text);
	json_id(o, "biller_id", h->biller_id, false);
	json_id(o, "payment_type", h->payment_type, false);
	json_id(o, "module", h->module, false);
	json_text(o, "day_from", h->day_from);
	json_text(o, "day_to", h->day_to);
	json_text(o, "reason", h->reason);
	json_text(o, "placed_by", h->placed_by);
	json_time(o, "placed_at", h->placed_at);
	json_time(o, "expires_at", h->expires_at);
	cJSON_AddBoolToObject(o, "active", hold_active(h));
	cJSON_AddBoolToObject(o, "due_for_release", hold_due(h, now));
	json_time(o, "ended_at", h->ended_at);
	json_text(o, "ended_by", h->ended_by);
	json_text(o, "ended_how", h->ended_how);
	cJSON_AddNumberToObject(o, "batches_held", h->n_batches);
	cJSON_AddNumberToObject(o, "invoices_held", h->n_invoices);
	cJSON_AddNumberToObject(o, "held_cents", (double)h->held_cents);
	return o;
}

/* How changes reach the shard's poller; NULL before it connected. */
static const char *listen_token(enum shard_listen l)
{
	switch (l) {
	case SHARD_LISTEN_ON:		return "listening";
	case SHARD_LISTEN_ASIDE:	return "listen_dsn";
	case SHARD_LISTEN_FAILING:	return "listen_dsn_failing";
	case SHARD_LISTEN_NONE:		return "polling_only";
	case SHARD_LISTEN_UNKNOWN:	break;
	}
	return NULL;
}

/* Whether the forecasts had the shard's close history: "read", "failed"
 * (with history_error), or "not read" (the shard did not answer, or the
 * read did not end in time): the fixed rule judged its closes then. */
static void json_history(cJSON *o, const struct app *app, size_t i)
{
	const char *err = history_error(app->history, i);
	bool took = history_answered(app->history, i);

	cJSON_AddStringToObject(o, "history", !took ? "not read"
					      : err[0] ? "failed" : "read");
	json_text(o, "history_error", took && err[0] ? err : "");
}

static cJSON *json_shard(const struct app *app, size_t i)
{
	const struct shard_health *h = &app->health[i];
	const struct snapshot *s = app->view.snaps[i];
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", app->cfg->shards[i].name);
	cJSON_AddStringToObject(o, "state", headless_state_token(h->state));
	json_text(o, "reason", h->state == SHARD_CONNECTING && !h->reason[0]
				       ? "no answer in time" : h->reason);
	json_time(o, "server_now", s ? s->server_now : BT_NO_TIME);
	json_int(o, "data_age_ms", h->last_ok_mono != BT_NO_TIME,
		 h->last_ok_mono != BT_NO_TIME ? shard_health_age(h, app->mono)
					       : 0);
	json_int(o, "poll_ms", h->state == SHARD_OK, h->poll_ms);
	json_int(o, "billers", s != NULL, s ? (int64_t)s->nbillers : 0);
	json_int(o, "batches", s != NULL, s ? (int64_t)s->nbatches : 0);
	json_int(o, "contract", h->contract > 0, h->contract);
	if (s && s->holds_read) {
		cJSON *holds = cJSON_AddArrayToObject(o, "holds");

		for (size_t k = 0; k < s->nholds; k++)
			cJSON_AddItemToArray(holds, json_hold(&s->holds[k], s->server_now));
	} else {
		cJSON_AddNullToObject(o, "holds");
	}
	cJSON_AddStringToObject(o, "pooler", h->pooled ? "transaction" : "none");
	json_text(o, "listen", listen_token(h->listen));
	if (h->replica) {
		cJSON *r = cJSON_AddObjectToObject(o, "replica");

		cJSON_AddBoolToObject(r, "in_use", h->on_replica);
		cJSON_AddStringToObject(r, "pooler", h->replica_pooled
					? "transaction" : "none");
		json_int(r, "lag_ms", h->replica_lag_ms != BT_NO_TIME,
			 h->replica_lag_ms);
		json_text(r, "reason", h->replica_why);
	} else {
		cJSON_AddNullToObject(o, "replica");
	}
	json_history(o, app, i);
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
	cJSON_AddNumberToObject(o, "failed_acked", t->failed_acked);
	return o;
}

int headless_json_print(const struct app *app, FILE *out)
{
	cJSON *root = cJSON_CreateObject(), *arr, *o;
	bool shard_clock = app->now != BT_NO_TIME;
	int64_t now = shard_clock ? app->now : wall_ms();
	int minute = app->cfg->payment_file_minute;
	int64_t next = next_payment_file_ms(now, minute, app->cfg->payment_file_period);
	char *text;
	int rc;

	cJSON_AddNumberToObject(root, "batchtop_json", HEADLESS_JSON_VERSION);
	cJSON_AddStringToObject(root, "generator", "batchtop " PACKAGE_VERSION);
	json_time(root, "generated_at", now);
	cJSON_AddStringToObject(root, "clock", shard_clock ? "shard" : "local");
	cJSON_AddBoolToObject(root, "complete", headless_every_shard_read(app));
	o = cJSON_AddObjectToObject(root, "settings");
	cJSON_AddNumberToObject(o, "window_minutes", app->cfg->window_minutes);
	cJSON_AddNumberToObject(o, "at_risk_pct", app->cfg->at_risk_pct);
	cJSON_AddNumberToObject(o, "night_hours", app->cfg->night_hours);
	cJSON_AddNumberToObject(o, "payment_file_minute", minute);
	cJSON_AddNumberToObject(o, "payment_file_period", app->cfg->payment_file_period);
	o = cJSON_AddObjectToObject(root, "next_payment_file");
	json_time(o, "at", now + next);
	cJSON_AddNumberToObject(o, "in_ms", (double)next);
	cJSON_AddItemToObject(root, "totals", json_totals(app));
	arr = cJSON_AddArrayToObject(root, "shards");
	for (size_t i = 0; i < app->npollers; i++)
		cJSON_AddItemToArray(arr, json_shard(app, i));
	arr = cJSON_AddArrayToObject(root, "billers");
	for (size_t i = 0; i < app->view.nrows; i++)
		cJSON_AddItemToArray(arr, json_biller(app, view_row(&app->view, i)));
	text = json_out_pretty(root, "JSON");
	rc = fprintf(out, "%s\n", text);
	free(text);
	return rc < 0 ? -1 : 0;
}
