/*
 * names.h - the vocabulary of the simulated platform: biller names and time
 * zones, payment types and modules, error messages, autopay exceptions.
 *
 * Everything is drawn from a caller's rng stream, so a seed gives the same
 * words every time.  Returned strings are static unless a function says
 * the caller frees them.
 */
#ifndef SIM_NAMES_H
#define SIM_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "rng.h"

struct biller_profile {
	char name[128];
	const char *timezone;	/* IANA */
	int priority;		/* 1 = highest .. 5 */
};

/* A made-up biller: a demo/QA one when demo is true, else a utility, city,
 * county, HOA, insurer...; a few carry non-ASCII (UTF-8) names.  number is
 * the biller's 1-based number on its shard (used by "Demo Biller N"). */
void names_biller(struct rng *r, int number, bool demo, bool want_utf8,
		  struct biller_profile *out);

#define NAMES_PAYMENT_TYPES 2
#define NAMES_MODULES 5
const char *names_payment_type(int i);	/* card, ach */
const char *names_module(int i);	/* autopay, paperless, ivr, walk-in, portal */

/* One of multishard, db_timeout, processor_connect, other, in the mix the
 * on-call engineers reported (about 60 / 25 / 12 / 3 percent). */
const char *names_error_class(struct rng *r);

/* A realistic error message for that class; the caller frees it.
 * concurrent is how many batches were running on the shard at the time. */
char *names_error_message(struct rng *r, const char *error_class,
			  const char *batch_id, const char *shard, int concurrent);

/* An autopay exception ("CardDeclined: insufficient funds", ...).  A
 * systemic failure (a biller with many failures) is mostly timeouts. */
const char *names_autopay_exception(struct rng *r, bool systemic);

#endif
