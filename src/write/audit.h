/*
 * audit.h - the local audit trail of reruns, one JSON object per line.
 *
 * Every confirmation, request and outcome is appended (O_APPEND, fsync)
 * to a file only the user can read: cfg->audit_log, or
 * $XDG_STATE_HOME/batchtop/audit.log (~/.local/state/batchtop/audit.log).
 * A request is sent only after its line is on disk: when the trail cannot
 * be written, nothing is sent.  `batchtop audit` prints the file as a
 * table.  No connection string or password ever goes into it.
 */
#ifndef BT_AUDIT_H
#define BT_AUDIT_H

#include <stddef.h>
#include <stdio.h>

#include "core/config.h"

/* One line.  NULL strings are left out; time, user and origin are added. */
struct audit_entry {
	const char *event;	/* confirm, cancel, request, outcome, reread */
	const char *screen;	/* where it was asked: grid, biller, autopay, plan */
	const char *shard;
	const char *kind;	/* batch_close or autopay_invoice */
	const char *target;	/* a batch_id or an invoice_id */
	const char *reason;
	const char *outcome;	/* confirmed, cancelled, sending, created, ... */
	const char *detail;
	long long request_id;	/* 0: none */
};

/* Where the trail is: cfg->audit_log or the XDG default.  The caller frees;
 * NULL when there is no home to put it in. */
char *audit_path(const struct config *cfg);

/* Who is at the keyboard: the OS account, and the SSH client's address ("" when
 * local), both reduced to safe characters. */
void audit_who(char *user, size_t un, char *origin, size_t on);

/* The one JSON line of e (no newline), with the given time (epoch ms) and
 * operator; the caller frees. */
char *audit_format(const struct audit_entry *e, long long wall_ms,
		   const char *user, const char *origin);

/* Append e to path, creating the directories (0700) and the file (0600),
 * and fsync it.  0 on success; -1 with err set (nothing is half-written
 * that a reader would take for a whole line). */
int audit_append(const char *path, const struct audit_entry *e, char *err,
		 size_t n);
/* The same for count entries at once: one write(2) and one fsync(2) for
 * the lot, all with the same time.  0 when every line is on disk. */
int audit_append_many(const char *path, const struct audit_entry *e,
		      size_t count, char *err, size_t n);
/* How many fsync(2) calls this process's audit trail has made (tests and
 * benchmarks count them). */
unsigned long audit_fsync_count(void);

/* `batchtop audit`: print path on out; bad lines are reported on err with
 * their line number and skipped.  width > 0 (a terminal that wide): a
 * table, each column cut to its width and the detail to what is left;
 * width 0 (a pipe, a file): every value whole, tab-separated, one record
 * a line, so nothing is lost to a cut.  Values are sanitized either way.
 * Returns an exit status: 0, or BT_EXIT_NOINPUT when the file cannot be
 * read. */
int audit_print(const char *path, FILE *out, FILE *err, int width);

#endif
