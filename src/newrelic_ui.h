/*
 * newrelic_ui.h - what the UI thread keeps of New Relic: a reference to
 * the latest errors per biller and a copy of the health, taken once per
 * loop turn (app->nr_errs, app->nr_health).  Apart from newrelic.h so that
 * ui.c, which includes <term.h> (whose capability macros clash with the
 * client's field names), needs only this.
 */
#ifndef BT_NEWRELIC_UI_H
#define BT_NEWRELIC_UI_H

#include <stdbool.h>

struct app;

/* Take the client's latest errors and health when they changed; true
 * when they did.  Does nothing without a client. */
bool newrelic_ui_collect(struct app *app);
/* Ask the client to poll now (the refresh action): also the way to retry a
 * rejected key at once.  Does nothing without a client. */
void newrelic_ui_refresh(struct app *app);

#endif
