/*
 * headless_json.h - the collected view as JSON (doc/json-format.md).
 */
#ifndef BT_HEADLESS_JSON_H
#define BT_HEADLESS_JSON_H

#include <stdio.h>

struct app;

/* Print it to out.  Returns 0, or -1 when out reports an error. */
int headless_json_print(const struct app *app, FILE *out);

#endif
