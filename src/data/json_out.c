/*
 * json_out.c - print a cJSON tree into our own string (see json_out.h).
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdlib.h>

#include "data/json_out.h"
#include "core/xalloc.h"

static char *json_out(cJSON *root, bool pretty, const char *what)
{
	char *text = root ? (pretty ? cJSON_Print(root)
				    : cJSON_PrintUnformatted(root)) : NULL;
	char *copy;

	cJSON_Delete(root);
	if (!text)
		fatal("out of memory building %s", what);
	copy = xstrdup(text);
	cJSON_free(text);
	return copy;
}

char *json_out_line(cJSON *root, const char *what)
{
	return json_out(root, false, what);
}

char *json_out_pretty(cJSON *root, const char *what)
{
	return json_out(root, true, what);
}
