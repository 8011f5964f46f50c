/*
 * config_file.c - finding and reading the config file (see config_file.h).
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "data/config_file.h"

char *config_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	/* The XDG spec says to ignore a relative XDG_CONFIG_HOME. */
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/batchtop/batchtop.conf", xdg);
	if (home != NULL && home[0] != '\0')
		return xasprintf("%s/.config/batchtop/batchtop.conf", home);
	return NULL;
}

int config_load(struct config *c, const char *path, char **err)
{
	FILE *f;
	char *buf;
	size_t len;
	int rc;

	config_defaults(c);
	f = fopen(path, "r");
	if (f == NULL) {
		*err = xasprintf("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	/* One byte more than allowed tells a file that is too big. */
	buf = xmalloc(CONFIG_MAX_FILE + 1);
	len = fread(buf, 1, CONFIG_MAX_FILE + 1, f);
	if (ferror(f)) {
		*err = xasprintf("%s: cannot read: %s", path, strerror(errno));
		rc = -1;
	} else {
		rc = config_load_buffer(c, buf, len, path, err);
	}
	fclose(f);
	/* The file may hold passwords in its DSNs. */
	explicit_bzero(buf, len);
	free(buf);
	return rc;
}
