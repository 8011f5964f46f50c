/*
 * fuzz_nerdgraph.c - libFuzzer target for the NerdGraph response parser
 * and the NRQL template expander.
 *
 * The first byte picks the HTTP status and the kind of rows; the rest is
 * the body, handed over as exactly that many bytes (no NUL after them, so
 * ASan sees any read past the end).  Whatever the bytes, the outcome must
 * be consistent: a message exactly when it failed, rows only when it
 * worked, every text sanitized and on one line, facet rows sorted and
 * unique with counts >= 0.  The same bytes are also used as an NRQL
 * template with a hostile biller id, whose expansion must stay bounded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/nerdgraph.h"
#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void check_text(const char *s)
{
	char *again;

	CHECK(s != NULL);
	again = text_sanitize(s, (size_t)-1);
	CHECK(strcmp(again, s) == 0);
	CHECK(strchr(s, '\n') == NULL);
	free(again);
}

static void check_response(const struct ng_response *r, enum ng_kind kind)
{
	if (r->status == NG_OK) {
		CHECK(r->message == NULL);
	} else {
		CHECK(r->message != NULL);
		CHECK(r->warning == NULL);
		CHECK(r->ncounts == 0 && r->nlines == 0);
		check_text(r->message);
		CHECK(strlen(r->message) < 300);
	}
	if (r->warning)
		check_text(r->warning);
	if (kind == NG_FACET_COUNTS)
		CHECK(r->nlines == 0);
	else
		CHECK(r->ncounts == 0);
	for (size_t i = 0; i < r->ncounts; i++) {
		check_text(r->counts[i].biller_id);
		CHECK(r->counts[i].count >= 0);
		if (i > 0)
			CHECK(strcmp(r->counts[i - 1].biller_id,
				     r->counts[i].biller_id) < 0);
	}
	for (size_t i = 0; i < r->nlines; i++) {
		CHECK(r->lines[i].timestamp_ms >= 0);
		check_text(r->lines[i].level);
		check_text(r->lines[i].message);
		check_text(r->lines[i].batch_id);
		CHECK(strlen(r->lines[i].message) <= 4096);
	}
}

static void fuzz_template(const uint8_t *data, size_t size)
{
	static const char *const ids[] = { "B1", "x' OR 'a'='a", "\\", "" };
	struct nrql_vars v = {
		.biller_id = ids[size % 4], .batch_id = size & 4 ? "42" : NULL,
		.since_ms = (int64_t)size - 3, .has_since = (int)(size & 8),
	};
	char *tmpl = malloc(size + 1);
	char *err = NULL, *out;

	CHECK(tmpl != NULL);
	memcpy(tmpl, data, size);
	tmpl[size] = '\0';
	out = nrql_expand(tmpl, &v, &err);
	CHECK((out == NULL) != (err == NULL));
	if (out)
		CHECK(strlen(out) <= NRQL_MAX_LEN);
	free(out);
	free(err);
	free(tmpl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 200, 200, 200, 401, 429, 500, 302 };
	struct ng_response r;
	enum ng_kind kind;
	char *body;
	size_t len;

	if (size == 0)
		return 0;
	kind = data[0] & 1 ? NG_LOG_LINES : NG_FACET_COUNTS;
	len = size - 1;
	body = malloc(len ? len : 1);
	CHECK(body != NULL);
	memcpy(body, data + 1, len);
	ng_parse_response(statuses[(data[0] >> 1) & 7], body, len, kind, &r);
	check_response(&r, kind);
	ng_response_free(&r);
	free(body);

	fuzz_template(data, size);
	return 0;
}
