/*
 * query_hold_write.h - the calls that change holds (place_hold,
 * release_hold, write_off_invoice) and the reads their dialogs need
 * first (the zone's offsets for an expiry like 06:00, the invoices a hold
 * keeps back), with the parsing of their rows.
 *
 * The write jobs are built for write/hold_order.c, which audits each one
 * before it is queued.  Every id and filter is sent exactly as the shard
 * sent it (NULL where the operator chose "any").  Parsed values that
 * point into the result ("raw") live as long as it.
 */
#ifndef BT_QUERY_HOLD_WRITE_H
#define BT_QUERY_HOLD_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "query/query_job.h"

/* batchtop.place_hold(): biller_id NULL holds every biller of the shard,
 * payment_type and module NULL hold any; expires_iso an ISO 8601 instant
 * or NULL (open-ended).  No day range: the hold starts with tonight's
 * business day and is open-ended (day_from and day_to are NULL). */
struct sq_job *query_hold_place_job(int kind, const char *biller_id,
				    const char *hold_kind,
				    const char *payment_type,
				    const char *module, const char *reason,
				    const char *by, const char *expires_iso,
				    const char *day_from, const char *day_to);
/* batchtop.release_hold(hold_id, by). */
struct sq_job *query_hold_release_job(int kind, const char *hold_id,
				      const char *by);
/* batchtop.write_off_invoice(invoice_id, hold_id, reason, by). */
struct sq_job *query_hold_write_off_job(int kind, const char *invoice_id,
					const char *hold_id, const char *reason,
					const char *by);

/* The one row every write answers: the id it is about (hold_id or
 * invoice_id), the outcome word and the shard's words. */
struct hold_outcome {
	const char *id;		/* raw, NULL when none */
	const char *outcome;	/* raw: placed, exists, released, already,
				 * written_off, refused; NULL when none */
	const char *detail;	/* raw, NULL for none */
};
void query_hold_outcome(const PGresult *res, struct hold_outcome *o);

/* The read job for the offsets of zone (an IANA name, as the shard
 * stores it) every 15 minutes from a day before the shard's now to three
 * days after: enough for any wall-clock expiry across a DST change. */
struct sq_job *query_hold_zone_job(int kind, const char *zone);
/* Row r of a finished zone job: false past the last (or on an error). */
bool query_hold_zone_row(const struct sq_job *job, int r, int64_t *at_ms,
			 int *offset_s);

/* The read job for the invoices hold hold_id keeps back now (autopay
 * failures of its billers that still need a rerun while it is active). */
struct sq_job *query_hold_invoices_job(int kind, const char *hold_id);
/* Row r: the invoice id (raw) and its amount in cents (0 when NULL). */
bool query_hold_invoices_row(const struct sq_job *job, int r,
			     const char **invoice_id, int64_t *cents);

#endif
