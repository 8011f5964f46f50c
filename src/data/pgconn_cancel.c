/*
 * pgconn_cancel.c - a cancel request with a deadline.
 *
 * libpq's PQcancel() opens a connection of its own to the server, sends
 * the cancel packet and waits for the server to close it, with no timeout:
 * a server that is hung as a whole (or a proxy that swallows the packet)
 * keeps the caller there forever.  So the request runs on a short-lived,
 * detached helper thread, and the owner waits for it with a deadline
 * (and its control pipe).  A cancel that does not answer in time is
 * abandoned, and so is the connection it was for.
 *
 * A slot (struct pgconn_cancel) is the arg of a thread_task
 * (thread_util.h), shared by the helper and the owner; the last one to let
 * go frees it.  The owner keeps its slot while the helper is stuck and
 * starts no second helper until that one is over, so a shard that keeps
 * hanging costs one thread, not one per poll.
 */
#include "autoconf.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/pgconn.h"
#include "data/thread_util.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

struct pgconn_cancel {
	struct thread_task *task;	/* the owner's; the helper never reads it */
	int pipe[2];		/* the task pokes it when PQcancel returns */
	PGcancel *cancel;
	bool ok;		/* the server took the request (once over) */
	char err[256];
};

static void cancel_run(void *arg)
{
	struct pgconn_cancel *k = arg;

	k->ok = PQcancel(k->cancel, k->err, sizeof k->err) != 0;
}

static void cancel_drop(void *arg)
{
	struct pgconn_cancel *k = arg;

	PQfreeCancel(k->cancel);
	close(k->pipe[0]);
	close(k->pipe[1]);
	free(k);
}

void pgconn_cancel_release(struct pgconn_cancel **slot)
{
	if (*slot)
		thread_task_release((*slot)->task);	/* may free *slot */
	*slot = NULL;
}

int pgconn_cancel_bounded(struct pgconn_cancel **slot, PGconn *conn,
			  int ctl_fd, int wait_ms)
{
	struct pgconn_cancel *k;
	int r;

	if (*slot) {
		if (!thread_task_done((*slot)->task))
			return PGCONN_CANCEL_BUSY;
		pgconn_cancel_release(slot);
	}
	k = xcalloc(1, sizeof *k);
	k->cancel = PQgetCancel(conn);
	if (!k->cancel || pipe2(k->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		PQfreeCancel(k->cancel);
		free(k);
		return PGCONN_CANCEL_FAILED;
	}
	k->task = thread_task_start(cancel_run, cancel_drop, k, k->pipe[1]);
	if (!k->task) {
		cancel_drop(k);
		return PGCONN_CANCEL_FAILED;
	}
	*slot = k;
	r = pgconn_wait(ctl_fd, k->pipe[0], POLLIN, mono_ms() + wait_ms, NULL);
	if (r < 0)
		return PGCONN_CANCEL_STOP;
	if (!thread_task_done(k->task))
		return PGCONN_CANCEL_TIMEOUT;
	r = k->ok ? PGCONN_CANCEL_SENT : PGCONN_CANCEL_FAILED;
	pgconn_cancel_release(slot);
	return r;
}
