/*
 * wake_gate.h - one wake-up byte per take, however many publish.
 *
 * A fleet's pollers publish about a hundred snapshots a second, and the UI
 * takes them at most every UI_SNAPSHOT_MS (ui/ui.c): one byte down the wake
 * pipe per snapshot woke the UI thread a hundred times a second, mostly to
 * find that the next take was not due yet.  The gate lets one byte through
 * per take: the taker opens it (wake_gate_arm) just before it reads what was
 * published; the first publisher after that closes it and writes the byte;
 * the others find it closed and write nothing.
 *
 * Nothing is missed.  A publisher bumps its generation under its lock and
 * then pokes; the taker arms and then reads the generations.  A publication
 * the taker's read did not see was poked after the arm, so it found the gate
 * open and wrote the byte.  Both sides exchange the flag (a read-modify-write
 * each), so a taker that finds it closed also sees what the closer published
 * before closing it.
 */
#ifndef BT_WAKE_GATE_H
#define BT_WAKE_GATE_H

struct wake_gate {
	int fd;		/* the write end of the wake pipe (non-blocking) */
	int open;	/* read and written with __atomic_exchange_n only */
};

/* Open, writing to fd (-1: nowhere). */
void wake_gate_init(struct wake_gate *g, int fd);
/* The taker, before it reads what was published: let the next poke by. */
void wake_gate_arm(struct wake_gate *g);
/* A publisher, after publishing: write the byte if the gate is open, and
 * close it. */
void wake_gate_poke(struct wake_gate *g);

#endif
