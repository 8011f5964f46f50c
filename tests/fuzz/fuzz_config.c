/*
 * fuzz_config.c - libFuzzer target for the batchtop.conf parser.
 *
 * The bytes are a config file: written to a memfd and loaded by path
 * through config_load(), exactly as batchtop reads one (NUL bytes, a BOM,
 * CRs and all), and, when they hold no NUL, also parsed from a string by
 * config_load_string() under the same name, which must come to the same
 * verdict with the same message.  A load either works (no message, at
 * least one shard, each with a name and a DSN) or fails with a one-line
 * message naming the file and leaves the defaults and nothing allocated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/config.h"
#include "data/config_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void check_result(const struct config *c, int rc, const char *err,
			 const char *name)
{
	if (rc == 0) {
		CHECK(err == NULL);
		CHECK(c->nshards > 0 && c->shards != NULL);
		for (size_t i = 0; i < c->nshards; i++) {
			CHECK(c->shards[i].name != NULL);
			CHECK(c->shards[i].name[0] != '\0');
			CHECK(c->shards[i].dsn != NULL);
		}
		CHECK(c->poll_interval > 0);
		return;
	}
	CHECK(rc == -1);
	CHECK(err != NULL);
	CHECK(strncmp(err, name, strlen(name)) == 0);
	CHECK(strchr(err, '\n') == NULL);
	CHECK(c->nshards == 0 && c->shards == NULL);
	CHECK(c->keymap == NULL && c->log_file == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct config c, s;
	char *err = NULL, *serr = NULL, *text;
	int rc, src;

	if (fd < 0) {
		fd = memfd_create("fuzz_config", 0);
		CHECK(fd >= 0);
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);

	rc = config_load(&c, path, &err);
	check_result(&c, rc, err, path);

	if (memchr(data, '\0', size) == NULL) {
		text = malloc(size + 1);
		CHECK(text != NULL);
		memcpy(text, data, size);
		text[size] = '\0';
		src = config_load_string(&s, text, path, &serr);
		check_result(&s, src, serr, path);
		CHECK(src == rc);
		if (rc != 0)
			CHECK(strcmp(serr, err) == 0);
		else
			CHECK(s.nshards == c.nshards);
		config_free(&s);
		free(serr);
		free(text);
	}
	config_free(&c);
	config_free(&c);	/* documented as safe */
	free(err);
	return 0;
}
