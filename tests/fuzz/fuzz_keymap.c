/*
 * fuzz_keymap.c - libFuzzer target for the keymap parser.
 *
 * The bytes are a user keymap, applied on top of the compiled-in defaults
 * both from a file (a memfd, read by keymap_load_file() as batchtop reads
 * ~/.config/batchtop/keys) and, when they hold no NUL, from a string.  The
 * two must agree, verdict and message.  A failed load must leave the
 * keymap exactly as it was; after any load every binding's key must name
 * itself back (keymap_key_name, then keymap_key_from_name).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ui/keymap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

#define MAXB 1024

struct snapshot {
	size_t n[16];
	struct binding b[16][MAXB];
};

static void take(const struct keymap *km, struct snapshot *s)
{
	for (size_t i = 0; keymap_screens[i]; i++) {
		CHECK(i < 16);
		s->n[i] = keymap_bindings(km, keymap_screens[i], s->b[i], MAXB);
		CHECK(s->n[i] <= MAXB);
	}
}

static int same(const struct snapshot *a, const struct snapshot *b)
{
	for (size_t i = 0; keymap_screens[i]; i++) {
		if (a->n[i] != b->n[i])
			return 0;
		for (size_t j = 0; j < a->n[i]; j++)
			if (a->b[i][j].key != b->b[i][j].key ||
			    a->b[i][j].action != b->b[i][j].action ||
			    strcmp(a->b[i][j].screen, b->b[i][j].screen) != 0)
				return 0;
	}
	return 1;
}

static void check_names(const struct snapshot *s)
{
	char buf[32];

	for (size_t i = 0; keymap_screens[i]; i++)
		for (size_t j = 0; j < s->n[i]; j++) {
			const char *name = keymap_key_name(s->b[i][j].key,
							   buf, sizeof buf);

			CHECK(name != NULL);
			CHECK(keymap_key_from_name(name) == s->b[i][j].key);
		}
}

static struct snapshot before, after, other;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct keymap *km = keymap_new_default(), *ks;
	char *err = NULL, *serr = NULL, *text;
	int rc, src;

	if (fd < 0) {
		fd = memfd_create("fuzz_keymap", 0);
		CHECK(fd >= 0);
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);

	take(km, &before);
	rc = keymap_load_file(km, path, &err);
	take(km, &after);
	if (rc == 0) {
		CHECK(err == NULL);
	} else {
		CHECK(rc == -1 && err != NULL);
		CHECK(strncmp(err, path, strlen(path)) == 0);
		CHECK(strchr(err, '\n') == NULL);
		CHECK(same(&before, &after));
	}
	check_names(&after);

	if (memchr(data, '\0', size) == NULL) {
		ks = keymap_new_default();
		text = malloc(size + 1);
		CHECK(text != NULL);
		memcpy(text, data, size);
		text[size] = '\0';
		src = keymap_load_string(ks, text, path, &serr);
		CHECK(src == rc);
		if (rc != 0)
			CHECK(strcmp(serr, err) == 0);
		take(ks, &other);
		CHECK(same(&after, &other));
		keymap_free(ks);
		free(serr);
		free(text);
	}
	keymap_free(km);
	free(err);
	return 0;
}
