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
	/* Outcomes come later, in the background: every screen shows them
	 * (screen.h), and longer than the usual few seconds. */
	if (level == REPORT_OUTCOME) {
		screen_message_all(app, "%s", text);
		app->message_until = mono_ms() + 12000;
	} else {
		screen_message(app, "%s", text);
	}
}

const struct action_report ui_report = { .message = to_status_bar };
