/*
 * test_note.c - looking up a snapshot's notes (src/core/note.c): a
 * biller's run is found whatever its neighbours, an acknowledgement covers
 * its batch or (for the biller as a whole) every batch, a biller counts as
 * acknowledged only when each failure is, closed ones (not open) do not
 * count, ids that differ by one byte are different billers, and initials.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/note.h"
#include "core/snapshot.h"

static struct note notes[] = {
	{ 5, "b-2", "b-2-x", NOTE_ACK, "acknowledged", "alice", "", 0, true },
	{ 1, "b-1", "b-1-x", NOTE_ACK, "acknowledged", "bob", "", 0, false },
	{ 9, "b-1", NULL, NOTE_NOTE, "note", "bob", "call the bank", 0, false },
	{ 3, "b-1\xe2\x80\x8b", NULL, NOTE_ACK, "acknowledged", "eve", "", 0, true },
	{ 7, "b-3", NULL, NOTE_ACK, "acknowledged", "Carol Diaz", "", 0, true },
	{ 8, "b-2", "b-2-y", NOTE_ACK, "acknowledged", "dave", "", 0, true },
};

static struct snapshot snap;

static int setup(void **state)
{
	(void)state;
	note_sort(notes, sizeof notes / sizeof notes[0]);
	snap.notes = notes;
	snap.nnotes = sizeof notes / sizeof notes[0];
	return 0;
}

static void test_of_biller(void **state)
{
	size_t n;
	const struct note *v;

	(void)state;
	v = note_of_biller(&snap, "b-1", &n);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].note_id, 1);
	assert_int_equal(v[1].note_id, 9);
	v = note_of_biller(&snap, "b-1\xe2\x80\x8b", &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].author, "eve");
	assert_null(note_of_biller(&snap, "b-0", &n));
	assert_int_equal(n, 0);
	assert_null(note_of_biller(&snap, "b-9", &n));
	assert_null(note_of_biller(NULL, "b-1", &n));
}

static void test_ack_for(void **state)
{
	(void)state;
	/* Not open: a closed batch's or a resolved acknowledgement. */
	assert_null(note_ack_for(&snap, "b-1", "b-1-x"));
	assert_int_equal(note_ack_for(&snap, "b-2", "b-2-x")->note_id, 5);
	assert_int_equal(note_ack_for(&snap, "b-2", "b-2-y")->note_id, 8);
	assert_null(note_ack_for(&snap, "b-2", "b-2-z"));
	/* The biller as a whole covers any batch. */
	assert_int_equal(note_ack_for(&snap, "b-3", "anything")->note_id, 7);
	assert_int_equal(note_ack_for(&snap, "b-3", NULL)->note_id, 7);
}

static void test_biller_ack(void **state)
{
	struct batch b2[3] = {
		{ .batch_id = "b-2-x", .state = BATCH_FAILED },
		{ .batch_id = "b-2-y", .state = BATCH_FAILED },
		{ .batch_id = "b-2-z", .state = BATCH_CLOSED },
	};
	struct biller b = { .biller_id = "b-2", .batches = b2, .nbatches = 3 };

	(void)state;
	/* Both failures covered: the latest acknowledgement speaks. */
	assert_int_equal(note_biller_ack(&snap, &b)->note_id, 8);
	/* A third failure nobody acknowledged: not acknowledged. */
	b2[2].state = BATCH_FAILED;
	assert_null(note_biller_ack(&snap, &b));
	/* No failure at all: nothing to acknowledge. */
	b2[0].state = b2[1].state = b2[2].state = BATCH_RUNNING;
	assert_null(note_biller_ack(&snap, &b));
}

static void test_initials(void **state)
{
	char buf[8];

	(void)state;
	note_initials("alice", buf, sizeof buf);
	assert_string_equal(buf, "AL");
	note_initials("Carol Diaz", buf, sizeof buf);
	assert_string_equal(buf, "CD");
	note_initials("bob@10.0.0.1", buf, sizeof buf);
	assert_string_equal(buf, "BO");
	note_initials("j.smith", buf, sizeof buf);
	assert_string_equal(buf, "JS");
	note_initials("x", buf, sizeof buf);
	assert_string_equal(buf, "X");
	note_initials("", buf, sizeof buf);
	assert_string_equal(buf, "?");
	note_initials("\xc3\xa9mile", buf, sizeof buf);
	assert_string_equal(buf, "MI");
	note_initials(NULL, buf, sizeof buf);
	assert_string_equal(buf, "?");
}

static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(note_kind_from_text("acknowledged"), NOTE_ACK);
	assert_int_equal(note_kind_from_text("resolved"), NOTE_RESOLVED);
	assert_int_equal(note_kind_from_text("note"), NOTE_NOTE);
	assert_int_equal(note_kind_from_text("Acknowledged"), NOTE_OTHER);
	assert_int_equal(note_kind_from_text(NULL), NOTE_OTHER);
	assert_string_equal(note_kind_word(NOTE_ACK), "acknowledged");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_of_biller),
		cmocka_unit_test(test_ack_for),
		cmocka_unit_test(test_biller_ack),
		cmocka_unit_test(test_initials),
		cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
