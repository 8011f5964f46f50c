/*
 * test_hold.c - which batches a hold holds (core/hold.c) and what that
 * makes of a biller (biller_eval_held): the selection by biller (one, or
 * every biller), kind, payment type, module and day range; a held batch
 * that is never failed or late; expiry that only makes a hold due.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/biller_status.h"
#include "core/hold.h"
#include "core/snapshot.h"
#include "core/xalloc.h"
#include "fixtures.h"

static const int64_t NOW = 1764633600000LL;	/* 2025-12-02 00:00 UTC */

/* An active batch_close hold of every biller, for any batch. */
static struct hold any_hold(int64_t id)
{
	struct hold h;

	memset(&h, 0, sizeof h);
	h.hold_id = id;
	h.kind = HOLD_BATCH_CLOSE;
	h.kind_text = "batch_close";
	h.reason = "processor down";
	h.placed_by = "alice";
	h.ended_by = "";
	h.ended_how = "";
	h.placed_at = NOW - FX_HOUR(1);
	h.expires_at = BT_NO_TIME;
	h.ended_at = BT_NO_TIME;
	return h;
}

/* A batch with just the fields matching looks at (its biller is the
 * caller's to name: a batch record does not). */
static struct batch batch_of(const char *type, const char *module,
			     const char *day, enum batch_state st)
{
	/* Returned by value: its words outlive the call (a few at a time). */
	static struct batch_kind kinds[64];
	static size_t nkinds;
	struct batch_kind *k = &kinds[nkinds++ % 64];
	struct batch t;

	memset(&t, 0, sizeof t);
	memset(k, 0, sizeof *k);
	t.batch_id = "x";
	k->payment_type = type;
	k->module = module;
	k->business_day = day;
	t.state = st;
	k->status = fx_status_text(st);
	t.kind = k;
	return t;
}

static void test_kind_from_text(void **state)
{
	(void)state;
	assert_int_equal(hold_kind_from_text("batch_close"), HOLD_BATCH_CLOSE);
	assert_int_equal(hold_kind_from_text("autopay_invoice"), HOLD_AUTOPAY_INVOICE);
	assert_int_equal(hold_kind_from_text("Batch_Close"), HOLD_OTHER);
	assert_int_equal(hold_kind_from_text(NULL), HOLD_OTHER);
}

static void test_biller_or_every_biller(void **state)
{
	struct hold h = any_hold(1);

	(void)state;
	assert_true(hold_selects(&h, "b1", "card", "portal", "2026-12-01"));
	assert_true(hold_selects(&h, "b2", "ach", "ivr", "2026-11-30"));
	h.biller_id = "b1";
	assert_true(hold_selects(&h, "b1", "card", "portal", "2026-12-01"));
	assert_false(hold_selects(&h, "b2", "card", "portal", "2026-12-01"));
	/* Byte for byte: a zero-width space makes another biller. */
	assert_false(hold_selects(&h, "b\xe2\x80\x8b" "1", "card", "portal", "2026-12-01"));
	assert_false(hold_selects(&h, NULL, "card", "portal", "2026-12-01"));
}

static void test_payment_type_and_module(void **state)
{
	struct hold h = any_hold(1);

	(void)state;
	h.payment_type = "card";
	assert_true(hold_selects(&h, "b1", "card", "portal", NULL));
	assert_false(hold_selects(&h, "b1", "ach", "portal", NULL));
	assert_false(hold_selects(&h, "b1", NULL, "portal", NULL));
	h.module = "autopay";
	assert_true(hold_selects(&h, "b1", "card", "autopay", NULL));
	assert_false(hold_selects(&h, "b1", "card", "portal", NULL));
	h.payment_type = NULL;
	assert_true(hold_selects(&h, "b1", "ach", "autopay", NULL));
}

static void test_day_range(void **state)
{
	struct hold h = any_hold(1);

	(void)state;
	h.day_from = "2026-12-01";
	assert_false(hold_selects(&h, "b1", "card", "portal", "2026-11-30"));
	assert_true(hold_selects(&h, "b1", "card", "portal", "2026-12-01"));
	assert_true(hold_selects(&h, "b1", "card", "portal", "2027-01-15"));
	h.day_to = "2026-12-02";
	assert_true(hold_selects(&h, "b1", "card", "portal", "2026-12-02"));
	assert_false(hold_selects(&h, "b1", "card", "portal", "2026-12-03"));
	h.day_from = NULL;
	assert_true(hold_selects(&h, "b1", "card", "portal", "2025-01-01"));
	/* A day range never covers an item without a day. */
	assert_false(hold_selects(&h, "b1", "card", "portal", NULL));
	assert_false(hold_selects(&h, "b1", "card", "portal", ""));
}

static void test_for_batch_kind_activity_order(void **state)
{
	struct hold hs[3];
	struct batch t = batch_of("card", "portal", "2026-12-01", BATCH_SCHEDULED);

	(void)state;
	hs[0] = any_hold(5);
	hs[0].kind = HOLD_AUTOPAY_INVOICE;	/* holds invoices, not batches */
	hs[1] = any_hold(6);
	hs[1].ended_at = NOW - FX_MIN(5);	/* released */
	hs[2] = any_hold(7);
	hs[2].biller_id = "b2";
	assert_null(hold_for_batch(hs, 3, "b1", &t));
	hs[2].biller_id = "b1";
	assert_ptr_equal(hold_for_batch(hs, 3, "b1", &t), &hs[2]);
	hs[1].ended_at = BT_NO_TIME;		/* the older one is active again */
	assert_ptr_equal(hold_for_batch(hs, 3, "b1", &t), &hs[1]);
}

static void test_held_states(void **state)
{
	struct hold h = any_hold(1);
	const struct hold *by = &h;
	struct batch t;

	(void)state;
	h.payment_type = "card";
	t = batch_of("card", "portal", "2026-12-01", BATCH_FAILED);
	assert_true(hold_batch_held(&h, 1, "b1", &t, &by));
	assert_ptr_equal(by, &h);
	t.state = BATCH_SCHEDULED;
	assert_true(hold_batch_held(&h, 1, "b1", &t, NULL));
	/* A hold stops no attempt, and a closed batch is done. */
	t.state = BATCH_RUNNING;
	assert_false(hold_batch_held(&h, 1, "b1", &t, &by));
	assert_null(by);
	t.state = BATCH_CLOSED;
	assert_false(hold_batch_held(&h, 1, "b1", &t, NULL));
	/* The shard says held: held, even when batchtop read no hold. */
	t.state = BATCH_HELD;
	assert_true(hold_batch_held(NULL, 0, "b1", &t, &by));
	assert_null(by);
	t = batch_of("ach", "portal", "2026-12-01", BATCH_FAILED);
	assert_false(hold_batch_held(&h, 1, "b1", &t, NULL));
}

static void test_due_for_release(void **state)
{
	struct hold h = any_hold(1);

	(void)state;
	assert_false(hold_due(&h, NOW));
	h.expires_at = NOW + FX_MIN(1);
	assert_false(hold_due(&h, NOW));
	h.expires_at = NOW;
	assert_true(hold_due(&h, NOW));
	h.ended_at = NOW;			/* released: not due */
	assert_false(hold_due(&h, NOW));
}

/* A biller with one failed card batch and one ach batch that never
 * started, due 15 minutes ago. */
static struct snapshot *two_batches(void)
{
	struct snapshot *s = fx_snapshot(0, "s1", NOW, 0);
	struct batch *t;

	fx_add_biller(s, "b1", "One", "UTC", 1);
	t = fx_add_batch(s, BATCH_FAILED, NOW - FX_HOUR(2), NOW - FX_HOUR(1),
			 NOW - FX_HOUR(2), NOW - FX_MIN(90));
	fx_kind(t)->payment_type = "card";
	t = fx_add_batch(s, BATCH_SCHEDULED, NOW - FX_MIN(60), NOW - FX_MIN(15),
			 BT_NO_TIME, BT_NO_TIME);
	fx_kind(t)->payment_type = "ach";
	return fx_seal(s);
}

static void test_biller_held_not_failed(void **state)
{
	struct snapshot *s = two_batches();
	struct hold h = any_hold(9);
	struct biller_eval ev;

	(void)state;
	biller_eval_held(snapshot_biller(s, 0), NULL, 0, NOW, 75, &ev);
	assert_int_equal(ev.status, BS_FAILED);
	/* Holding the cards: the failure is held, the ach batch is late. */
	h.payment_type = "card";
	biller_eval_held(snapshot_biller(s, 0), &h, 1, NOW, 75, &ev);
	assert_int_equal(ev.status, BS_LATE);
	/* Holding both: HELD, with the hold, and never late. */
	h.payment_type = NULL;
	biller_eval_held(snapshot_biller(s, 0), &h, 1, NOW, 75, &ev);
	assert_int_equal(ev.status, BS_HELD);
	assert_ptr_equal(ev.hold, &h);
	assert_string_equal(biller_status_label(ev.status), "HELD");
	/* Another biller's hold holds nothing here. */
	h.biller_id = "b2";
	biller_eval_held(snapshot_biller(s, 0), &h, 1, NOW, 75, &ev);
	assert_int_equal(ev.status, BS_FAILED);
	assert_null(ev.hold);
	snapshot_unref(s);
}

static void test_biller_running_beats_held(void **state)
{
	struct snapshot *s = fx_snapshot(0, "s1", NOW, 0);
	struct hold h = any_hold(3);
	struct biller_eval ev;

	(void)state;
	fx_add_biller(s, "b1", "One", "UTC", 1);
	/* At risk: 40 of 45 minutes used. */
	fx_add_batch(s, BATCH_RUNNING, NOW - FX_MIN(40), NOW + FX_MIN(5),
		     NOW - FX_MIN(40), BT_NO_TIME);
	fx_add_batch(s, BATCH_HELD, NOW - FX_MIN(5), NOW + FX_MIN(40),
		     BT_NO_TIME, BT_NO_TIME);
	fx_seal(s);
	h.module = "other";	/* the held batch is held by its status alone */
	biller_eval_held(snapshot_biller(s, 0), &h, 1, NOW, 75, &ev);
	assert_int_equal(ev.status, BS_AT_RISK);
	snapshot_biller(s, 0)->batches[0].started_at = NOW - FX_MIN(1);
	snapshot_biller(s, 0)->batches[0].scheduled_at = NOW - FX_MIN(1);
	snapshot_biller(s, 0)->batches[0].deadline_at = NOW + FX_MIN(44);
	biller_eval_held(snapshot_biller(s, 0), &h, 1, NOW, 75, &ev);
	assert_int_equal(ev.status, BS_HELD);
	assert_null(ev.hold);
	snapshot_unref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_from_text),
		cmocka_unit_test(test_biller_or_every_biller),
		cmocka_unit_test(test_payment_type_and_module),
		cmocka_unit_test(test_day_range),
		cmocka_unit_test(test_for_batch_kind_activity_order),
		cmocka_unit_test(test_held_states),
		cmocka_unit_test(test_due_for_release),
		cmocka_unit_test(test_biller_held_not_failed),
		cmocka_unit_test(test_biller_running_beats_held),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
