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
 * default_transaction_read_only=on.  Through a transaction pooler
 * (pooled) there are no session settings: each statement runs in a
 * pipeline with its own SET LOCALs of the same (see pooled_exec() in
 * pgconn.c).  Messages never contain the DSN.
 *
 * Nothing here waits without a deadline: host names are looked up by us
 * within connect_timeout (pgconn_resolve.c), a cancel request is bounded
 * by PGCONN_CANCEL_MS (pgconn_cancel.c), and a SQL_ASCII database is read
 * with client_encoding SQL_ASCII, its bytes left to the sanitizer.
 */
#ifndef BT_PGCONN_H
#define BT_PGCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/config.h"

struct pgconn {
	const char *name;		/* the shard's name, for messages */
	const char *dsn;		/* may hold a password: never printed */
	const struct config *cfg;
	bool readonly;			/* default_transaction_read_only=on */
	bool pooled;			/* through a transaction pooler: no
					 * session settings (pooled_exec) */
	int ctl_fd;			/* read end of the control pipe */
	PGconn *conn;			/* NULL when not connected */
	char sqlstate[6];		/* of the last failed statement, or "" */
	/* The cancel request of this connection's owner that may still be
	 * in flight (see pgconn_cancel.c); NULL: none.  Several connections
	 * of one owner may share one slot by pointing at it (cancel_slot),
	 * else the connection uses its own. */
	struct pgconn_cancel **cancel_slot;
	struct pgconn_cancel *own_cancel;
};

/* How long past statement_timeout a query may take before we give up. */
#define PGCONN_SLACK_MS 2000

/* How long a cancel request may take before the connection is abandoned:
 * PQcancel has no timeout of its own. */
#define PGCONN_CANCEL_MS 2000

/* Connect (within connect_timeout).  0 connected, 1 failed (reason set),
 * -1 asked to stop. */
int pgconn_open(struct pgconn *c, char *reason, size_t n);
void pgconn_close(struct pgconn *c);

/* Run one statement within query_timeout + slack.  Returns its result
 * (PGRES_TUPLES_OK or PGRES_COMMAND_OK; the caller PQclears it) or NULL
 * with reason set.  *sent: the statement reached the server (or may have);
 * *dead: the connection can no longer be trusted (closed by the caller);
 * *stop: asked to stop.  A statement that times out is cancelled, and the
 * cancel itself is bounded by PGCONN_CANCEL_MS: either way the connection
 * is dead and the caller closes it. */
PGresult *pgconn_exec(struct pgconn *c, const char *sql, int nparams,
		      const char *const *params, char *reason, size_t n,
		      bool *sent, bool *dead, bool *stop);

/* pgconn_exec() of a read with its own statement_timeout of timeout_ms
 * (and the client's deadline that much plus PGCONN_SLACK_MS), set with SET
 * LOCAL for this one statement, on a direct connection as through a
 * pooler.  A server that times it out fails it cleanly (the connection
 * stays good); one that does not answer is cancelled as in pgconn_exec(). */
PGresult *pgconn_exec_within(struct pgconn *c, int timeout_ms, const char *sql,
			     int nparams, const char *const *params,
			     char *reason, size_t n, bool *dead, bool *stop);

/* Wait until fd is ready for events, the deadline passes or the control
 * pipe speaks.  1 ready, 0 timeout (or *woken set by a byte other than
 * 'q'), -1 stop.  fd may be -1 to wait on the pipe alone. */
int pgconn_wait(int ctl_fd, int fd, short events, int64_t deadline,
		bool *woken);

/* Flatten a libpq or server message into one sanitized line: "prefix:
 * message", each of libpq's glued messages (one per host tried) a part
 * joined with "; ", without its "connection to server ... failed:"
 * preamble and the "ERROR:"/"FATAL:" tags; "no password supplied" gets a
 * hint on where libpq looks for one. */
void pgconn_reason(char *dst, size_t n, const char *prefix, const char *msg);

/* --- cancel with a deadline (pgconn_cancel.c) ----------------------------- */

struct pgconn_cancel;

enum {
	PGCONN_CANCEL_SENT,	/* the server took the cancel request */
	PGCONN_CANCEL_FAILED,	/* it refused it, or it could not be sent */
	PGCONN_CANCEL_TIMEOUT,	/* no answer within wait_ms: abandoned */
	PGCONN_CANCEL_BUSY,	/* the slot's last cancel is still stuck: none
				 * sent (one stuck helper thread at most) */
	PGCONN_CANCEL_STOP,	/* the control pipe said 'q' */
};

/* Cancel what conn runs, from a helper thread, waiting up to wait_ms (and
 * watching ctl_fd).  *slot keeps a cancel that is still in flight. */
int pgconn_cancel_bounded(struct pgconn_cancel **slot, PGconn *conn,
			  int ctl_fd, int wait_ms);
/* The owner lets go of its slot (on exit); a helper still stuck frees it
 * when it returns, if ever. */
void pgconn_cancel_release(struct pgconn_cancel **slot);

/* --- host names looked up with a deadline (pgconn_resolve.c) ------------- */

/* What to hand libpq instead of the DSN's host list (used), or nothing. */
struct pgconn_addrs {
	bool used;
	char *host, *hostaddr, *port;	/* comma lists; port may be NULL */
};

/* Look up the names in the comma list hosts (ports: the DSN's port list,
 * or NULL) until deadline (monotonic ms), watching ctl_fd.  0: done (out
 * used, or not when no name needs a lookup); 1: no host left (reason
 * set: "cannot resolve host name "x": ..."); -1: asked to stop.  Names
 * that fail are left out while others resolve. */
int pgconn_resolve(const char *hosts, const char *ports, int ctl_fd,
		   int64_t deadline, struct pgconn_addrs *out,
		   char *reason, size_t n);
void pgconn_addrs_free(struct pgconn_addrs *a);

#endif
