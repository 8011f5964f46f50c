/*
 * wake_gate.c - one wake-up byte per take (see wake_gate.h).
 */
#include "autoconf.h"

#include "data/thread_util.h"
#include "data/wake_gate.h"

void wake_gate_init(struct wake_gate *g, int fd)
{
	g->fd = fd;
	__atomic_store_n(&g->open, 1, __ATOMIC_SEQ_CST);
}

void wake_gate_arm(struct wake_gate *g)
{
	(void)__atomic_exchange_n(&g->open, 1, __ATOMIC_SEQ_CST);
}

void wake_gate_poke(struct wake_gate *g)
{
	if (__atomic_exchange_n(&g->open, 0, __ATOMIC_SEQ_CST))
		pipe_poke(g->fd, 0);
}
