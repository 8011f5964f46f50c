/*
 * action_loop.c - the actions as the UI loop sees them (see
 * action_loop.h): one tick, one question before quitting, one record of
 * what is left undone at exit.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>

#include "write/action_loop.h"
#include "data/log.h"
#include "write/hold_order.h"
#include "write/note_order.h"
#include "write/plan.h"
#include "write/plan_release.h"
#include "query/query_job.h"
#include "write/rerun.h"
#include "core/xalloc.h"

#define ABANDON_LIST_MAX 20

void actions_tick(struct app *app)
{
	rerun_tick(app);
	plan_tick(app);
	plan_release_tick(app);
	hold_order_tick(app);
}

void actions_on_job(struct app *app, struct sq_job *job)
{
	if (job->kind == JOB_HOLD)
		hold_order_on_job(app, job);
	else
		rerun_on_job(app, job);
}

static void undone_words(char *buf, size_t n, size_t batches, size_t holds,
			 size_t requests, size_t notes)
{
	int j = 0;

	buf[0] = '\0';
	if (batches)
		j = snprintf(buf, n, "%zu batch%s of a plan not sent yet", batches,
			     batches == 1 ? "" : "es");
	if (holds && j >= 0 && (size_t)j < n)
		j += snprintf(buf + j, n - (size_t)j, "%s%zu hold%s of a release "
			      "plan not released yet", batches ? ", " : "", holds,
			      holds == 1 ? "" : "s");
	if (requests && j >= 0 && (size_t)j < n)
		j += snprintf(buf + j, n - (size_t)j, "%s%zu request%s without an "
			      "answer", batches || holds ? ", " : "", requests,
			      requests == 1 ? "" : "s");
	if (notes && j >= 0 && (size_t)j < n)
		snprintf(buf + j, n - (size_t)j, "%s%zu note%s without an answer",
			 batches || holds || requests ? ", " : "", notes,
			 notes == 1 ? "" : "s");
}

bool actions_undone_words(char *buf, size_t n)
{
	undone_words(buf, n, plan_waiting(), plan_release_waiting(),
		     rerun_unanswered() + hold_order_unanswered(),
		     note_order_unanswered());
	return buf[0] != '\0';
}

char *actions_abandon(struct app *app, const char *why)
{
	char detail[200], list[4096] = "", err[300] = "", err2[300] = "";
	char err3[300] = "", err4[300] = "", err5[300] = "";
	char what[200];
	size_t batches, holds, requests, notes;
	int failed = 0, failed2 = 0, failed3 = 0, failed4 = 0, failed5 = 0;
	char *msg;

	snprintf(detail, sizeof detail, "%s before this was sent", why);
	batches = plan_abandon(detail, list, sizeof list, ABANDON_LIST_MAX, err,
			       sizeof err, &failed);
	holds = plan_release_abandon(detail, err3, sizeof err3, &failed3);
	requests = rerun_abandon_requests(app, why, list, sizeof list,
					  ABANDON_LIST_MAX, err2, sizeof err2,
					  &failed2);
	/* Hold calls count as requests, as the quit question counts them. */
	requests += hold_order_abandon(app, why, list, sizeof list,
				       ABANDON_LIST_MAX, err5, sizeof err5,
				       &failed5);
	/* A note is not a payment, but the trail must not claim it was or
	 * was not written when nobody heard back. */
	notes = note_order_abandon(app, why, list, sizeof list, ABANDON_LIST_MAX,
				   err4, sizeof err4, &failed4);
	if (!batches && !holds && !requests && !notes)
		return NULL;
	log_msg(LOG_WARN, "%s with %zu plan batches not sent, %zu holds not "
		"released, %zu requests and %zu notes without an answer", why,
		batches, holds, requests, notes);
	undone_words(what, sizeof what, batches, holds, requests, notes);
	msg = xasprintf("batchtop: %s with %s:\n%s"
			"batchtop: %s %s (batchtop audit prints it)\n",
			why, what, list,
			failed || failed2 || failed3 || failed4 || failed5
				? "THEY COULD NOT BE RECORDED in the audit log:"
				: "recorded as abandoned in the audit log",
			failed ? err : failed2 ? err2 : failed3 ? err3
			: failed4 ? err4 : failed5 ? err5 : rerun_audit_path());
	return msg;
}

void actions_shutdown(void)
{
	plan_shutdown();
	plan_release_shutdown();
	hold_order_shutdown();
	note_order_shutdown();
}
