/*
 * note.c - looking up a snapshot's notes (see note.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/note.h"
#include "core/snapshot.h"

enum note_kind note_kind_from_text(const char *kind)
{
	if (!kind)
		return NOTE_OTHER;
	if (!strcmp(kind, "acknowledged"))
		return NOTE_ACK;
	if (!strcmp(kind, "note"))
		return NOTE_NOTE;
	if (!strcmp(kind, "resolved"))
		return NOTE_RESOLVED;
	return NOTE_OTHER;
}

const char *note_kind_word(enum note_kind k)
{
	switch (k) {
	case NOTE_ACK: return "acknowledged";
	case NOTE_RESOLVED: return "resolved";
	case NOTE_NOTE:
	case NOTE_OTHER: break;
	}
	return "note";
}

static int cmp_note(const void *a, const void *b)
{
	const struct note *x = a, *y = b;
	int c = strcmp(x->biller_id, y->biller_id);

	if (c)
		return c;
	return (x->note_id > y->note_id) - (x->note_id < y->note_id);
}

void note_sort(struct note *notes, size_t n)
{
	if (n > 1)
		qsort(notes, n, sizeof *notes, cmp_note);
}

const struct note *note_of_biller(const struct snapshot *s,
				  const char *biller_id, size_t *n)
{
	size_t lo = 0, hi, end;

	*n = 0;
	if (!s || !s->nnotes || !biller_id)
		return NULL;
	/* The first note whose biller_id is not below biller_id. */
	hi = s->nnotes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(s->notes[mid].biller_id, biller_id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < s->nnotes &&
	     !strcmp(s->notes[end].biller_id, biller_id); end++)
		;
	*n = end - lo;
	return *n ? &s->notes[lo] : NULL;
}

const struct note *note_ack_for(const struct snapshot *s,
				const char *biller_id, const char *batch_id)
{
	size_t n;
	const struct note *v = note_of_biller(s, biller_id, &n);

	for (size_t i = n; i-- > 0;)
		if (v[i].kind == NOTE_ACK && v[i].open &&
		    (!v[i].batch_id ||
		     (batch_id && !strcmp(v[i].batch_id, batch_id))))
			return &v[i];
	return NULL;
}

const struct note *note_biller_ack(const struct snapshot *s,
				   const struct biller *b)
{
	const struct note *latest = NULL;

	if (!s || !s->nnotes)
		return NULL;
	for (size_t i = 0; i < b->nbatches; i++) {
		const struct note *a;

		if (b->batches[i].state != BATCH_FAILED)
			continue;
		a = note_ack_for(s, b->biller_id, b->batches[i].batch_id);
		if (!a)
			return NULL;
		if (!latest || a->note_id > latest->note_id)
			latest = a;
	}
	return latest;
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

void note_initials(const char *author, char *buf, size_t n)
{
	const char *p = author ? author : "", *second = NULL;
	size_t k = 0;
	char out[3];

	if (n == 0)
		return;
	/* The name part: what comes before an "@host". */
	while (*p && !alnum(*p) && *p != '@')
		p++;
	if (!alnum(*p)) {
		snprintf(buf, n, "?");
		return;
	}
	out[k++] = upper(*p);
	for (const char *q = p + 1; *q && *q != '@'; q++)
		if (!alnum(q[-1]) && alnum(*q) && (q[-1] == ' ' || q[-1] == '.' ||
						   q[-1] == '_' || q[-1] == '-')) {
			second = q;
			break;
		}
	if (second)
		out[k++] = upper(*second);
	else if (alnum(p[1]))
		out[k++] = upper(p[1]);
	out[k] = '\0';
	snprintf(buf, n, "%s", out);
}
