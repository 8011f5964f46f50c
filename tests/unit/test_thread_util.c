/*
 * test_thread_util.c - bounded joins against one shared deadline.
 *
 * The quit asks every thread to stop and then joins them all against one
 * deadline (src/main.c): two threads that never stop must cost one bound,
 * not two.  The "stuck" threads here wait for a release that comes only
 * after the joins gave up on them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ms_left),
		cmocka_unit_test(test_join_finished),
		cmocka_unit_test(test_shared_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
