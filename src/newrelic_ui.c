/*
 * newrelic_ui.c - the UI's copy of New Relic's errors and health (see
 * newrelic_ui.h).
 */
#include "autoconf.h"

#include "app.h"
#include "newrelic.h"
#include "newrelic_ui.h"

bool newrelic_ui_collect(struct app *app)
{
	if (!app->nr || !app->nr_health ||
	    newrelic_read(app->nr, NULL, NULL) == app->nr_gen)
		return false;
	newrelic_errors_unref(app->nr_errs);
	app->nr_gen = newrelic_read(app->nr, &app->nr_errs, app->nr_health);
	return true;
}

void newrelic_ui_refresh(struct app *app)
{
	if (app->nr)
		newrelic_refresh(app->nr);
}
