/*
 * test_wake_gate.c - one wake-up byte per take, and never a publication
 * left without one.
 *
 * The threaded case is the pollers and the UI in small: publishers bump a
 * generation under a lock and poke; the taker waits for a byte, arms, and
 * reads.  A taker that waited for a byte that never came while something
 * was still unread has lost a wake-up (with poll_interval 30 s, the screen
 * would show old data for 30 s): the test fails on a two-second silence
 * before everything was seen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "data/wake_gate.h"

static int pipe_bytes(int fd)
{
	char buf[256];
	int n = 0;
	ssize_t got;

	while ((got = read(fd, buf, sizeof buf)) > 0)
		n += (int)got;
	return n;
}

static void test_one_byte_per_arm(void **state)
{
	int fds[2];
	struct wake_gate g;

	(void)state;
	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	wake_gate_init(&g, fds[1]);
	/* Open at first: the first news after the start wakes the taker. */
	wake_gate_poke(&g);
	wake_gate_poke(&g);
	wake_gate_poke(&g);
	assert_int_equal(pipe_bytes(fds[0]), 1);
	/* Closed until the taker arms it again. */
	wake_gate_poke(&g);
	assert_int_equal(pipe_bytes(fds[0]), 0);
	wake_gate_arm(&g);
	wake_gate_arm(&g);
	wake_gate_poke(&g);
	wake_gate_poke(&g);
	assert_int_equal(pipe_bytes(fds[0]), 1);
	/* Armed with nothing published: no byte. */
	wake_gate_arm(&g);
	assert_int_equal(pipe_bytes(fds[0]), 0);
	close(fds[0]);
	close(fds[1]);
}

#define PUBLISHERS 4
#define PUBLICATIONS 2000

struct shared {
	struct wake_gate gate;
	pthread_mutex_t lock;
	unsigned gen[PUBLISHERS];
};

struct publisher {
	struct shared *sh;
	int index;
};

static void *publish_main(void *arg)
{
	struct publisher *pb = arg;
	struct timespec pause = { 0, 20000 };	/* 20 us: bursts and gaps */

	for (int i = 0; i < PUBLICATIONS; i++) {
		pthread_mutex_lock(&pb->sh->lock);
		pb->sh->gen[pb->index]++;
		pthread_mutex_unlock(&pb->sh->lock);
		wake_gate_poke(&pb->sh->gate);
		if (i % 7 == 0)
			nanosleep(&pause, NULL);
	}
	return NULL;
}

static unsigned read_all(struct shared *sh)
{
	unsigned sum = 0;

	pthread_mutex_lock(&sh->lock);
	for (int i = 0; i < PUBLISHERS; i++)
		sum += sh->gen[i];
	pthread_mutex_unlock(&sh->lock);
	return sum;
}

static void test_no_lost_wakeup(void **state)
{
	int fds[2];
	struct shared sh = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct publisher pb[PUBLISHERS];
	pthread_t th[PUBLISHERS];
	unsigned seen = 0, takes = 0, bytes = 0;
	const unsigned total = PUBLISHERS * PUBLICATIONS;

	(void)state;
	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	wake_gate_init(&sh.gate, fds[1]);
	for (int i = 0; i < PUBLISHERS; i++) {
		pb[i] = (struct publisher){ &sh, i };
		assert_int_equal(pthread_create(&th[i], NULL, publish_main, &pb[i]), 0);
	}
	while (seen < total) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		int n = poll(&pfd, 1, 2000);

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			fail_msg("no wake-up for 2 s with %u of %u publications "
				 "unread", total - seen, total);
		bytes += (unsigned)pipe_bytes(fds[0]);
		/* The taker's order: arm, then read. */
		wake_gate_arm(&sh.gate);
		seen = read_all(&sh);
		takes++;
	}
	for (int i = 0; i < PUBLISHERS; i++)
		pthread_join(th[i], NULL);
	print_message("# %u publications, %u takes, %u bytes\n", total, takes,
		      bytes);
	/* At most one byte per arm (and the first, before any). */
	assert_true(bytes <= takes + 1);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_byte_per_arm),
		cmocka_unit_test(test_no_lost_wakeup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
