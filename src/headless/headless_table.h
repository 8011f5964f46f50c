/*
 * headless_table.h - the collected view as a table for people.
 */
#ifndef BT_HEADLESS_TABLE_H
#define BT_HEADLESS_TABLE_H

#include <stdio.h>

struct app;

/* Print it to out.  Returns 0, or -1 when out reports an error. */
int headless_table_print(const struct app *app, FILE *out);

#endif
