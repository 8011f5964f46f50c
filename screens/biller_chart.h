/*
 * biller_chart.h - the biller detail's chart of recent close durations
 * (screens/biller_chart.c), private to screens/biller*.c.  UI thread only.
 */
#ifndef BT_BILLER_CHART_H
#define BT_BILLER_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"

/* The most recent closes drawn. */
#define BILLER_CHART_CLOSES 30

/* The line under batch t of biller b: the last BILLER_CHART_CLOSES
 * durations of the biller's closes of t's payment type (the shard's
 * history, oldest first) as a sparkline whose full cell is t's window,
 * then t itself, marked: how long it has run, or took.  false (buf "")
 * when the history has none. */
bool biller_chart_words(char *buf, size_t n, const struct app *app,
			const struct biller *b, const struct batch *t);

#endif
