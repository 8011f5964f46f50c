/*
 * handoff.h - the W key: the handoff report written from the dashboard.
 *
 * The same jobs as `batchtop report` (report/report.h) go to the
 * dashboard's own query workers; as they come back the collector takes
 * them, and once every shard has answered the Markdown report is written
 * next to the audit trail and the status bar names the file.  Nothing
 * waits: the loop goes on drawing while the shards answer.  A quit before
 * every shard answered writes nothing; app_close() frees the collector
 * once the workers have stopped.
 */
#ifndef BT_HANDOFF_H
#define BT_HANDOFF_H

struct app;

/* Start a report of the latest night (UI thread). */
void handoff_start(struct app *app);

#endif
