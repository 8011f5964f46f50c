/*
 * thread_util.c - pipe pokes and bounded joins (see thread_util.h).
 */
#include "autoconf.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "data/thread_util.h"
#include "core/timefmt.h"

int thread_ms_left(int64_t deadline)
{
	int64_t left = deadline - mono_ms();

	if (left <= 0)
		return 0;
	return left > 3600000 ? 3600000 : (int)left;
}

bool thread_join_within(pthread_t thread, pthread_mutex_t *lock,
			pthread_cond_t *cond, const int *done, int wait_ms)
{
	struct timespec ts;
	int finished;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += wait_ms / 1000;
	ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(lock);
	while (!*done)
		if (pthread_cond_timedwait(cond, lock, &ts))
			break;
	finished = *done;
	pthread_mutex_unlock(lock);
	if (!finished) {
		pthread_detach(thread);
		return false;
	}
	pthread_join(thread, NULL);
	return true;
}

int thread_spawn(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	static const int async_sigs[] = {
		SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGCONT,
		SIGTTIN, SIGTTOU, SIGALRM, SIGUSR1, SIGUSR2, SIGCHLD, SIGPIPE,
	};
	sigset_t block, old;
	int rc;

	sigemptyset(&block);
	for (size_t i = 0; i < sizeof async_sigs / sizeof async_sigs[0]; i++)
		sigaddset(&block, async_sigs[i]);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

void pipe_poke(int fd, char c)
{
	ssize_t n;

	if (fd < 0)
		return;
	n = write(fd, &c, 1);
	(void)n;
}
