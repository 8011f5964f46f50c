/*
 * thread_join.h - stop waiting for a background thread after a while.
 *
 * Every background thread of batchtop (pollers, query workers, New Relic)
 * sets a `done` flag under its lock and signals a condition as its last
 * act.  At exit the UI waits a bounded time for that: a thread stuck where
 * no stop request reaches it (a DNS lookup, a cancel that does not answer)
 * is detached and left to the process exit rather than hanging the quit.
 */
#ifndef BT_THREAD_JOIN_H
#define BT_THREAD_JOIN_H

#include <pthread.h>
#include <stdbool.h>

/* Wait up to wait_ms for *done (read under lock), then join the thread and
 * return true; or detach it and return false. */
bool thread_join_within(pthread_t thread, pthread_mutex_t *lock,
			pthread_cond_t *cond, const int *done, int wait_ms);

#endif
