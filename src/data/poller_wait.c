/*
 * poller_wait.c - how a poller sleeps between two polls (shard_poller.c).
 *
 * It wakes only when there is something to do: the poll is due, the control
 * pipe says refresh or stop, or a NOTIFY brings the poll forward.  A NOTIFY
 * can bring it no nearer than notify_min_interval after the last poll began
 * (the "early" time), so one that arrives before then woke the thread only to
 * learn what it can learn at the early time: until then the poller watches
 * its control pipe alone, and at the early time reads what its socket holds
 * without waiting (PQconsumeInput does not block: libpq's sockets are
 * non-blocking).  After the early time, when nothing came, it watches the
 * socket too, until the poll is due; once a NOTIFY has moved the poll to the
 * early time, nothing the socket says can move it again.  At bench-fleet's
 * one NOTIFY a second per shard, that saves one of the three wake-ups each
 * poll cost.  The NOTIFYs meanwhile wait in the socket, a few bytes each,
 * and a connection lost meanwhile is found at the early time or by the
 * next poll, which reconnects at once as a broken wait did.
 */
#include "autoconf.h"

#include <poll.h>
#include <stdbool.h>

#include <libpq-fe.h>

#include "core/timefmt.h"
#include "data/pgconn.h"
#include "data/shard_poller_int.h"

/* Free the NOTIFYs libpq has read on conn (NULL: none); whether any. */
static bool notifies_drain(PGconn *conn)
{
	PGnotify *nf;
	bool any = false;

	while (conn && (nf = PQnotifies(conn))) {
		any = true;
		PQfreemem(nf);
	}
	return any;
}

/* Read what conn's socket holds.  1 when the poll connection broke; the
 * LISTEN connection breaking only ends the NOTIFYs. */
static int consume(struct shard_poller *p, PGconn *conn)
{
	if (PQconsumeInput(conn) && PQstatus(conn) != CONNECTION_BAD)
		return 0;
	if (conn == p->pg.conn)
		return 1;
	shard_listen_lost(p);
	return 0;
}

int shard_wait_next(struct shard_poller *p, int64_t last_start)
{
	int64_t next = last_start + (int64_t)p->cfg->poll_interval * 1000;
	int64_t early = last_start + (int64_t)p->cfg->notify_min_interval * 1000;

	for (;;) {
		/* Through a pooler the poll connection carries no NOTIFYs:
		 * the LISTEN connection, if any, is watched instead. */
		PGconn *conn = p->pooled ? p->lis.conn : p->pg.conn;
		int64_t now = mono_ms();
		bool refresh = false, to_early, watch;
		int r;

		/* A NOTIFY that came with the last result is queued already. */
		if (notifies_drain(conn) && next > early)
			next = early;
		if (now >= next)
			return 0;
		to_early = next > early && now < early;
		watch = conn && next > early && !to_early;
		r = pgconn_wait(p->ctl[0], watch ? PQsocket(conn) : -1, POLLIN,
				to_early ? early : next, &refresh);
		if (r < 0)
			return -1;
		if (refresh)
			return 0;
		if ((r == 1 || to_early) && conn && consume(p, conn))
			return 1;
	}
}
