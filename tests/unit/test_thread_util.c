/*
 * test_thread_util.c - bounded joins against one shared deadline.
 *
 * The quit asks every thread to stop and then joins them all against one
 * deadline (src/main.c): two threads that never stop must cost one bound,
 * not two.  The "stuck" threads here wait for a release that comes only
 * after the joins gave up on them.
 *
 * Tasks (thread_task_*): whoever lets go last drops the arg, exactly once,
 * whether the caller waits for the call or walks away from it first.
 *
 * The periodic trim (thread_malloc_trim_every) hands back the free pages
 * in the middle of the heap, which free() keeps, once per interval.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "data/thread_util.h"
#include "core/timefmt.h"

struct worker {
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	int done;
	int stuck;		/* wait for `released` before finishing */
	pthread_t thread;
};

static pthread_mutex_t release_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t release_cond = PTHREAD_COND_INITIALIZER;
static int released;

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	if (w->stuck) {
		pthread_mutex_lock(&release_lock);
		while (!released)
			pthread_cond_wait(&release_cond, &release_lock);
		pthread_mutex_unlock(&release_lock);
	}
	pthread_mutex_lock(&w->lock);
	w->done = 1;
	pthread_cond_signal(&w->done_cond);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void start(struct worker *w, int stuck)
{
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->done_cond, NULL);
	w->done = 0;
	w->stuck = stuck;
	assert_int_equal(pthread_create(&w->thread, NULL, worker_main, w), 0);
}

static void test_ms_left(void **state)
{
	int64_t now = mono_ms();

	(void)state;
	assert_int_equal(thread_ms_left(now - 5), 0);
	assert_int_equal(thread_ms_left(now), 0);
	assert_in_range(thread_ms_left(now + 1000), 900, 1000);
}

static void test_join_finished(void **state)
{
	static struct worker w;

	(void)state;
	start(&w, 0);
	assert_true(thread_join_within(w.thread, &w.lock, &w.done_cond, &w.done,
				       5000));
	assert_int_equal(w.done, 1);
}

/* Two stuck threads, one deadline: the second join gets what is left. */
static void test_shared_deadline(void **state)
{
	static struct worker a, b;
	const int bound = 600;
	int64_t t0, deadline, took;

	(void)state;
	start(&a, 1);
	start(&b, 1);
	t0 = mono_ms();
	deadline = t0 + bound;
	assert_false(thread_join_within(a.thread, &a.lock, &a.done_cond, &a.done,
					thread_ms_left(deadline)));
	assert_false(thread_join_within(b.thread, &b.lock, &b.done_cond, &b.done,
					thread_ms_left(deadline)));
	took = mono_ms() - t0;
	print_message("# two stuck threads given up after %lld ms (bound %d)\n",
		      (long long)took, bound);
	assert_true(took >= bound - 10);
	assert_true(took < bound * 3 / 2);

	/* Let them end (they were detached). */
	pthread_mutex_lock(&release_lock);
	released = 1;
	pthread_cond_broadcast(&release_cond);
	pthread_mutex_unlock(&release_lock);
}

/* A task's arg: run blocks until the gate pipe is written to. */
struct call {
	int gate[2], done[2];
	int answer;		/* run's result */
	int drops;		/* atomic: drop was called */
	pthread_t dropped_on;
};

static void call_run(void *arg)
{
	struct call *c = arg;
	char b;

	assert_int_equal(read(c->gate[0], &b, 1), 1);
	c->answer = 42;
}

static void call_drop(void *arg)
{
	struct call *c = arg;

	c->dropped_on = pthread_self();
	__atomic_add_fetch(&c->drops, 1, __ATOMIC_RELEASE);
}

static void call_init(struct call *c)
{
	*c = (struct call){ .answer = 0 };
	assert_int_equal(pipe(c->gate), 0);
	assert_int_equal(pipe2(c->done, O_NONBLOCK), 0);
}

static void call_close(struct call *c)
{
	close(c->gate[0]);
	close(c->gate[1]);
	close(c->done[0]);
	close(c->done[1]);
}

static int drops(struct call *c)
{
	return __atomic_load_n(&c->drops, __ATOMIC_ACQUIRE);
}

static void test_task_waited_for(void **state)
{
	struct call c;
	struct thread_task *t;
	struct pollfd pfd;

	(void)state;
	call_init(&c);
	t = thread_task_start(call_run, call_drop, &c, c.done[1]);
	assert_non_null(t);
	assert_false(thread_task_done(t));
	assert_int_equal(write(c.gate[1], "x", 1), 1);
	pfd = (struct pollfd){ .fd = c.done[0], .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 10000), 1);	/* done_fd was poked */
	/* The poke comes after done is set, and the thread keeps its ref
	 * until after the poke: wait for done, then the arg is ours. */
	while (!thread_task_done(t))
		usleep(1000);
	assert_int_equal(c.answer, 42);
	assert_int_equal(drops(&c), 0);
	thread_task_release(t);
	/* Either the thread lets go last (it may still be returning) or we
	 * did: drop is called once. */
	for (int i = 0; i < 10000 && !drops(&c); i++)
		usleep(1000);
	assert_int_equal(drops(&c), 1);
	call_close(&c);
}

static void test_task_walked_away(void **state)
{
	struct call c;
	struct thread_task *t;

	(void)state;
	call_init(&c);
	t = thread_task_start(call_run, call_drop, &c, -1);
	assert_non_null(t);
	thread_task_release(t);		/* run is still blocked */
	assert_int_equal(drops(&c), 0);
	assert_int_equal(write(c.gate[1], "x", 1), 1);
	for (int i = 0; i < 10000 && !drops(&c); i++)
		usleep(1000);
	assert_int_equal(drops(&c), 1);
	/* The thread dropped it, not us. */
	assert_false(pthread_equal(c.dropped_on, pthread_self()));
	call_close(&c);
}

/* Resident pages of this process (/proc/self/statm), in KB. */
static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, res = -1;

	if (f) {
		if (fscanf(f, "%ld %ld", &size, &res) != 2)
			res = -1;
		fclose(f);
	}
	return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* 32 MB of 4 KB blocks, written, then all freed but one block at the top
 * of the heap, which holds the rest in: free() alone gives nothing back;
 * the trim must. */
static void test_malloc_trim(void **state)
{
	enum { N = 8192, SZ = 4000 };
	char **blk = calloc(N, sizeof *blk);
	struct heap_figures f;
	long before, after;

	(void)state;
	if (!thread_malloc_trim()) {	/* no trim here (a sanitizer) */
		free(blk);
		skip();
	}
	assert_non_null(blk);
	for (int i = 0; i < N; i++) {
		blk[i] = malloc(SZ);
		assert_non_null(blk[i]);
		memset(blk[i], 1, SZ);
	}
	for (int i = 0; i < N - 1; i++)
		free(blk[i]);
	before = rss_kb();
	assert_true(thread_malloc_trim_every(3600 * 1000, &f));
	after = rss_kb();
	assert_true(before > 0 && after > 0);
	assert_true(before - after > 16 * 1024);
	assert_true(f.heap >= (size_t)N * SZ);
	assert_true(f.free >= (size_t)(N - 1) * SZ);
	/* Once an hour at most: not again now. */
	assert_false(thread_malloc_trim_every(3600 * 1000, &f));
	free(blk[N - 1]);
	free(blk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ms_left),
		cmocka_unit_test(test_join_finished),
		cmocka_unit_test(test_shared_deadline),
		cmocka_unit_test(test_task_waited_for),
		cmocka_unit_test(test_task_walked_away),
		cmocka_unit_test(test_malloc_trim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
