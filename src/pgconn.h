/*
 * pgconn.h - one libpq connection to a shard, driven with deadlines.
 *
 * Used by the threads that talk to shards (the poller, the query worker);
 * never by the UI thread.  Every wait also watches a control pipe, so a
 * thread can be stopped while it waits on the network: a 'q' byte stops,
 * any other byte is a "wake up" the caller may act on.
 *
 * Sessions are opened with application_name "batchtop", keepalives, the
 * user's options plus statement_timeout, lock_timeout and
 * idle_in_transaction_session_timeout, and, for read-only connections,
 * default_transaction_read_only=on.  Messages never contain the DSN.
 */
#ifndef BT_PGCONN_H
#define BT_PGCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "config.h"

struct pgconn {
	const char *name;		/* the shard's name, for messages */
	const char *dsn;		/* may hold a password: never printed */
	const struct config *cfg;
	bool readonly;			/* default_transaction_read_only=on */
	int ctl_fd;			/* read end of the control pipe */
	PGconn *conn;			/* NULL when not connected */
	char sqlstate[6];		/* of the last failed statement, or "" */
};

/* How long past statement_timeout a query may take before we give up. */
#define PGCONN_SLACK_MS 2000

/* Connect (within connect_timeout).  0 connected, 1 failed (reason set),
 * -1 asked to stop. */
int pgconn_open(struct pgconn *c, char *reason, size_t n);
void pgconn_close(struct pgconn *c);

/* Run one statement within query_timeout + slack.  Returns its result
 * (PGRES_TUPLES_OK or PGRES_COMMAND_OK; the caller PQclears it) or NULL
 * with reason set.  *sent: the statement reached the server (or may have);
 * *dead: the connection can no longer be trusted (closed by the caller);
 * *stop: asked to stop.  A statement that times out is cancelled. */
PGresult *pgconn_exec(struct pgconn *c, const char *sql, int nparams,
		      const char *const *params, char *reason, size_t n,
		      bool *sent, bool *dead, bool *stop);

/* Wait until fd is ready for events, the deadline passes or the control
 * pipe speaks.  1 ready, 0 timeout (or *woken set by a byte other than
 * 'q'), -1 stop.  fd may be -1 to wait on the pipe alone. */
int pgconn_wait(int ctl_fd, int fd, short events, int64_t deadline,
		bool *woken);

/* Flatten a libpq or server message into one sanitized line: "prefix:
 * message", without libpq's "connection to server ... failed:" preamble
 * and the "ERROR:"/"FATAL:" tags. */
void pgconn_reason(char *dst, size_t n, const char *prefix, const char *msg);


#endif
