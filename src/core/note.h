/*
 * note.h - what people said about a night: acknowledgements, notes and
 * resolutions read from batchtop.note (contract v3, doc/contract.md).
 *
 * Each poll of a v3 shard reads the night's notes and every standing
 * acknowledgement into the shard's snapshot (snapshot.notes), sorted by
 * biller_id (byte order) then note_id, so a biller's notes are one run
 * found by binary search.  Whether an acknowledgement still stands is the
 * shard's answer (batchtop.note_is_open), not worked out here.  Ids are
 * raw keys; kind, author and body were sanitized when parsed.
 */
#ifndef BT_NOTE_H
#define BT_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct biller;
struct snapshot;

enum note_kind {
	NOTE_ACK,	/* acknowledged: "investigating: alice" */
	NOTE_NOTE,
	NOTE_RESOLVED,
	NOTE_OTHER,	/* a kind batchtop does not know: shown as it is */
};

struct note {
	int64_t note_id;
	const char *biller_id;	/* raw */
	const char *batch_id;	/* raw; NULL: the biller as a whole */
	enum note_kind kind;
	const char *kind_text;	/* sanitized, as the shard sent it */
	const char *author;	/* sanitized */
	const char *body;	/* sanitized, "" when none */
	int64_t created_at;	/* epoch ms, BT_NO_TIME when unusable */
	bool open;		/* a standing acknowledgement */
};

/* The kind a text names (unknown: NOTE_OTHER) and the contract's word
 * for a kind ("acknowledged", "note", "resolved"; NOTE_OTHER: "note"). */
enum note_kind note_kind_from_text(const char *kind);
const char *note_kind_word(enum note_kind k);

/* The notes of biller_id in s (a run of *n, oldest first), or NULL. */
const struct note *note_of_biller(const struct snapshot *s,
				  const char *biller_id, size_t *n);

/* The standing acknowledgement that covers batch_id (an acknowledgement of
 * that batch, or of the biller as a whole), the latest; NULL when none. */
const struct note *note_ack_for(const struct snapshot *s,
				const char *biller_id, const char *batch_id);

/* The acknowledgement that covers every failed batch of b, when each has
 * one (the latest of them, for its author); NULL when a failure of b has
 * none, or b has no failed batch. */
const struct note *note_biller_ack(const struct snapshot *s,
				   const struct biller *b);

/* Up to two initials of an author, upper-cased ASCII: "alice" "AL",
 * "Alice Smith" "AS", "bob@10.0.0.1" "BO", "" or non-ASCII "?". */
void note_initials(const char *author, char *buf, size_t n);

/* Sort notes as the snapshot keeps them (biller_id, then note_id). */
void note_sort(struct note *notes, size_t n);

#endif
