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
 * A slot (struct pgconn_cancel) belongs to the helper and the owner
 * together, counted by refs; the last one to let go frees it.  The owner
 * keeps its slot while the helper is stuck and starts no second helper
 * until that one is over, so a shard that keeps hanging costs one thread,
 * not one per poll.
 */
#include "autoconf.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "data/pgconn.h"
#include "data/thread_util.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

struct pgconn_cancel {
	pthread_mutex_t lock;
	int refs;		/* the owner's and the helper's */
	bool over;		/* the helper has returned from PQcancel */
	bool ok;		/* ... and the server took the request */
	int pipe[2];		/* the helper writes one byte when over */
	PGcancel *cancel;
	char err[256];
};

static void slot_unref(struct pgconn_cancel *k)
{
	int left;

	pthread_mutex_lock(&k->lock);
	left = --k->refs;
	pthread_mutex_unlock(&k->lock);
	if (left)
		return;
	PQfreeCancel(k->cancel);
	close(k->pipe[0]);
	close(k->pipe[1]);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

static bool slot_over(struct pgconn_cancel *k)
{
	bool over;

	pthread_mutex_lock(&k->lock);
	over = k->over;
	pthread_mutex_unlock(&k->lock);
	return over;
}

static void *cancel_main(void *arg)
{
	struct pgconn_cancel *k = arg;
	char err[sizeof k->err];
	int ok = PQcancel(k->cancel, err, sizeof err);

	pthread_mutex_lock(&k->lock);
	k->ok = ok != 0;
	k->over = true;
	memcpy(k->err, err, sizeof err);
	pthread_mutex_unlock(&k->lock);
	pipe_poke(k->pipe[1], 'x');
	slot_unref(k);
	return NULL;
}

void pgconn_cancel_release(struct pgconn_cancel **slot)
{
	if (*slot)
		slot_unref(*slot);
	*slot = NULL;
}

int pgconn_cancel_bounded(struct pgconn_cancel **slot, PGconn *conn,
			  int ctl_fd, int wait_ms)
{
	struct pgconn_cancel *k;
	pthread_attr_t attr;
	pthread_t t;
	int r, made;

	if (*slot) {
		if (!slot_over(*slot))
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
	pthread_mutex_init(&k->lock, NULL);
	k->refs = 2;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	made = pthread_create(&t, &attr, cancel_main, k);
	pthread_attr_destroy(&attr);
	if (made != 0) {
		k->refs = 1;
		slot_unref(k);
		return PGCONN_CANCEL_FAILED;
	}
	*slot = k;
	r = pgconn_wait(ctl_fd, k->pipe[0], POLLIN, mono_ms() + wait_ms, NULL);
	if (r < 0)
		return PGCONN_CANCEL_STOP;
	if (!slot_over(k))
		return PGCONN_CANCEL_TIMEOUT;
	r = k->ok ? PGCONN_CANCEL_SENT : PGCONN_CANCEL_FAILED;
	pgconn_cancel_release(slot);
	return r;
}
