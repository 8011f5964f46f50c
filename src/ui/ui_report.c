/*
 * ui_report.c - the status bar as an action_report (see ui_report.h).
 */
#include "autoconf.h"

#include "ui/screen.h"
#include "core/timefmt.h"
#include "ui/ui_report.h"

static void to_status_bar(struct app *app, enum report_level level,
			  const char *text)
{
	screen_message(app, "%s", text);
	/* Outcomes matter: they stay longer than the usual few seconds. */
	if (level == REPORT_OUTCOME)
		app->message_until = mono_ms() + 12000;
}

const struct action_report ui_report = { .message = to_status_bar };
