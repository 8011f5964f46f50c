/*
 * fuzz_prom.c - libFuzzer target for the Prometheus label helpers of
 * `--once --format prometheus`, which carry shard names and statuses
 * (text from the shards) into label values.
 *
 * headless_prom_label_value() must give sanitized text (sanitizing it
 * again changes nothing) that fits its buffer and HEADLESS_PROM_LABEL_MAX;
 * headless_prom_escape() must write something with no raw line feed and
 * no unescaped double quote, which a reader unescaping \\, \" and \n gets
 * back byte for byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "headless/headless_prom.h"
#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void check_escape(const char *s)
{
	char *buf = NULL, *back;
	size_t len = 0, i, n = 0;
	FILE *out = open_memstream(&buf, &len);

	CHECK(out != NULL);
	headless_prom_escape(out, s);
	CHECK(fclose(out) == 0);
	CHECK(strlen(buf) == len);
	back = malloc(len + 1);
	CHECK(back != NULL);
	for (i = 0; i < len; i++) {
		CHECK(buf[i] != '\n' && buf[i] != '"');
		if (buf[i] == '\\') {
			i++;
			CHECK(i < len);
			CHECK(buf[i] == '\\' || buf[i] == '"' || buf[i] == 'n');
			back[n++] = buf[i] == 'n' ? '\n' : buf[i];
		} else {
			back[n++] = buf[i];
		}
	}
	back[n] = '\0';
	CHECK(strcmp(back, s) == 0);
	free(back);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *raw, *dst, *again;
	size_t n;

	if (size == 0)
		return 0;
	/* The first byte sizes the buffer, so the cut is tried everywhere. */
	n = data[0] % (HEADLESS_PROM_LABEL_MAX + 8) + 1;
	raw = malloc(size);
	CHECK(raw != NULL);
	memcpy(raw, data + 1, size - 1);
	raw[size - 1] = '\0';

	dst = malloc(n);	/* exactly n, so ASan sees a write past it */
	CHECK(dst != NULL);
	CHECK(headless_prom_label_value(dst, n, raw) == dst);
	CHECK(strlen(dst) < n && strlen(dst) <= HEADLESS_PROM_LABEL_MAX);
	again = text_sanitize(dst, (size_t)-1);
	CHECK(strcmp(again, dst) == 0);
	free(again);
	check_escape(dst);
	check_escape(raw);	/* escaping alone must hold for any bytes */
	free(dst);
	free(raw);
	return 0;
}
