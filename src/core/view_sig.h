/*
 * view_sig.h - signatures of what a biller's evaluation reads, for the
 * view's incremental rebuild (core/view.c).
 */
#ifndef BT_VIEW_SIG_H
#define BT_VIEW_SIG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/snapshot.h"

/* What biller_eval_all() reads of b's batches, as 64 bits (see .c). */
uint64_t biller_sig(const struct biller *b);
/* A shard's holds, by content. */
uint64_t holds_sig(const struct snapshot *s);
/* Whether b, a new record of biller a, gives an evaluation the same
 * input (see .c), and whether its batches' latest rerun requests are the
 * same (a's and b's batches being the same in number). */
bool view_same_input(const struct biller *a, const struct biller *b);
bool view_same_reruns(const struct biller *a, const struct biller *b);

#endif
