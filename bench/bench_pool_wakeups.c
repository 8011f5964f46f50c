/*
 * bench_pool_wakeups.c - would a pool of threads multiplexing the shards'
 * sockets wake less than a thread per shard?  (issue 10, §2)
 *
 * A prototype of the waiting alone, with none of batchtop in it: 100 fds
 * stand for the shards' sockets, each with a timer of its own (the next poll
 * coming due, once a second) and one answer a second (a byte a driver thread
 * writes).  The waiters are either a thread per shard in poll() on its fd and
 * its timer, as the pollers wait (src/data/poller_wait.c), or a pool of P
 * threads in epoll_wait() on all of them.  By default the timers and the
 * answers fall at random instants, as the pollers' do (each shard's polls
 * keep the phase of its first one); with -a every shard's fall within the
 * same 20 ms, as a pool could arrange so that its wake-ups coalesce.
 * Prints the wake-ups a second and the waiting threads' CPU (driver left
 * out, CLOCK_THREAD_CPUTIME_ID).
 *
 *   bench/bench_pool_wakeups [-p THREADS] [-a] [SECONDS]    (make bench-wakeups)
 */
#include "autoconf.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define SHARDS 100

static int pipes[SHARDS][2], timers[SHARDS];
static int epfd = -1;
static bool aligned;
static int stopping;		/* __atomic */
static pthread_mutex_t tally_lock = PTHREAD_MUTEX_INITIALIZER;
static long long tally_cpu_ns;
static long tally_wakes;

static long long clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Where in each second shard i's timer and answer fall. */
static long long phase_ns(int i)
{
	return aligned ? (long long)(i % 20) * 1000000LL
		       : (long long)(rand() % 1000) * 1000000LL;
}

static void drain(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof buf) > 0)
		;
}

static void tally(long long cpu0, long wakes)
{
	pthread_mutex_lock(&tally_lock);
	tally_cpu_ns += clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	tally_wakes += wakes;
	pthread_mutex_unlock(&tally_lock);
}

static void *shard_main(void *arg)
{
	int i = (int)(long)arg;
	long long cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	long wakes = 0;

	while (!__atomic_load_n(&stopping, __ATOMIC_RELAXED)) {
		struct pollfd p[2] = { { pipes[i][0], POLLIN, 0 },
				       { timers[i], POLLIN, 0 } };

		if (poll(p, 2, 5000) <= 0)
			continue;
		wakes++;
		if (p[0].revents)
			drain(pipes[i][0]);
		if (p[1].revents)
			drain(timers[i]);
	}
	tally(cpu0, wakes);
	return NULL;
}

static void *pool_main(void *arg)
{
	long long cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	long wakes = 0;
	struct epoll_event ev[64];

	(void)arg;
	while (!__atomic_load_n(&stopping, __ATOMIC_RELAXED)) {
		int n = epoll_wait(epfd, ev, 64, 5000);

		if (n > 0)
			wakes++;
		for (int k = 0; k < n; k++)
			drain(ev[k].data.fd);
	}
	tally(cpu0, wakes);
	return NULL;
}

static void sleep_until(long long at)
{
	long long d = at - clock_ns(CLOCK_MONOTONIC);
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = (time_t)(d / 1000000000LL);
	ts.tv_nsec = (long)(d % 1000000000LL);
	nanosleep(&ts, NULL);
}

static int by_time(const void *a, const void *b, void *at)
{
	const long long *t = at;
	long long d = t[*(const int *)a] - t[*(const int *)b];

	return d < 0 ? -1 : d > 0;
}

/* One answer a second per shard, 3 ms after its timer when aligned. */
static void drive(long long start, int secs)
{
	for (int s = 0; s < secs; s++) {
		long long at[SHARDS];
		int order[SHARDS];

		for (int i = 0; i < SHARDS; i++) {
			order[i] = i;
			at[i] = start + s * 1000000000LL + phase_ns(i) +
				(aligned ? 3000000LL : 0);
		}
		qsort_r(order, SHARDS, sizeof order[0], by_time, at);
		for (int k = 0; k < SHARDS; k++) {
			sleep_until(at[order[k]]);
			if (write(pipes[order[k]][1], "a", 1) < 0)
				perror("write");
		}
	}
}

int main(int argc, char **argv)
{
	pthread_t th[SHARDS];
	int pool = 0, secs = 10, nthreads;
	long long start;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-p") && i + 1 < argc)
			pool = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-a"))
			aligned = true;
		else
			secs = atoi(argv[i]);
	}
	if (pool < 0 || pool > SHARDS || secs < 1) {
		fprintf(stderr, "usage: bench_pool_wakeups [-p 1..%d] [-a] "
			"[SECONDS]\n", SHARDS);
		return 64;
	}
	srand(1);
	start = clock_ns(CLOCK_MONOTONIC) + 100000000LL;
	if (pool)
		epfd = epoll_create1(EPOLL_CLOEXEC);
	for (int i = 0; i < SHARDS; i++) {
		long long first = start + phase_ns(i);
		struct itimerspec it = { { 1, 0 }, { (time_t)(first / 1000000000LL),
						   (long)(first % 1000000000LL) } };

		if (pipe2(pipes[i], O_NONBLOCK | O_CLOEXEC) < 0 ||
		    (timers[i] = timerfd_create(CLOCK_MONOTONIC,
						TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
		    timerfd_settime(timers[i], TFD_TIMER_ABSTIME, &it, NULL) < 0) {
			perror("bench_pool_wakeups");
			return 1;
		}
		if (pool) {
			struct epoll_event e = { .events = EPOLLIN };

			e.data.fd = pipes[i][0];
			epoll_ctl(epfd, EPOLL_CTL_ADD, pipes[i][0], &e);
			e.data.fd = timers[i];
			epoll_ctl(epfd, EPOLL_CTL_ADD, timers[i], &e);
		}
	}
	nthreads = pool ? pool : SHARDS;
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, pool ? pool_main : shard_main,
				   (void *)(long)i) != 0) {
			perror("pthread_create");
			return 1;
		}
	drive(start, secs);
	__atomic_store_n(&stopping, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < SHARDS; i++)	/* wake every waiter once more */
		if (write(pipes[i][1], "q", 1) < 0)
			perror("write");
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	printf("%s%s: %d threads, %.1f wake-ups/s, the waiting threads' CPU "
	       "%.3f%% of a core\n", pool ? "pool" : "a thread per shard",
	       aligned ? ", aligned" : "", nthreads, (double)tally_wakes / secs,
	       100.0 * (double)tally_cpu_ns / ((double)secs * 1e9));
	return 0;
}
