/*
 * names.c - word lists and the ways they combine (see names.h).
 *
 * A biller name is a pattern ("City of %s", "%s Water District") filled
 * with a place; the time zone comes from a weighted table that looks like
 * a US-heavy customer base, and the UTF-8 names carry their own zone.
 */
#include "names.h"

#include <stdio.h>
#include <string.h>

#include "sim.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const places[] = {
	"Springfield", "Riverside", "Fairview", "Maple Grove", "Cedar Falls",
	"Lakewood", "Oak Ridge", "Greenville", "Franklin", "Clinton",
	"Madison", "Georgetown", "Salem", "Bristol", "Milford", "Ashland",
	"Dover", "Hudson", "Kingston", "Marion", "Newport", "Oxford",
	"Burlington", "Chester", "Clayton", "Dayton", "Lexington", "Monroe",
	"Harrison", "Jackson", "Pine Bluff", "Eagle Pass", "Silver Lake",
	"Willow Creek", "Red Hill", "Stony Brook", "Bay City", "Elk Grove",
	"Sunnyvale", "Westfield", "Brookhaven", "Mount Vernon", "Glen Ellyn",
	"Twin Forks", "Prairie View", "Coral Springs", "Desert Hills",
	"North Haven", "Sandy Point", "Granite Falls",
};

/* A pattern is what goes before and after the place name. */
struct pattern {
	const char *before, *after;
};

static const struct pattern patterns[] = {
	{ "City of ", "" },
	{ "Town of ", "" },
	{ "Village of ", "" },
	{ "", " Water District" },
	{ "", " Municipal Utilities" },
	{ "", " Public Utility District" },
	{ "", " County Tax Collector" },
	{ "", " County Treasurer" },
	{ "", " Electric Cooperative" },
	{ "", " Gas & Light" },
	{ "", " Sewer Authority" },
	{ "", " Stormwater Utility" },
	{ "", " Solid Waste Services" },
	{ "", " Homeowners Association" },
	{ "", " Village Condominium HOA" },
	{ "", " Mutual Insurance" },
	{ "", " Farm Bureau Insurance" },
	{ "", " Propane Co." },
	{ "", " Fiber Internet" },
	{ "", " Parking Authority" },
	{ "", " Community College" },
	{ "", " Regional Hospital Billing" },
};

struct zone_weight {
	const char *zone;
	int weight;
};

static const struct zone_weight zones[] = {
	{ "America/New_York", 30 },
	{ "America/Chicago", 24 },
	{ "America/Denver", 9 },
	{ "America/Phoenix", 5 },
	{ "America/Los_Angeles", 18 },
	{ "America/Anchorage", 3 },
	{ "Pacific/Honolulu", 2 },
	{ "America/Toronto", 3 },
	{ "America/Puerto_Rico", 2 },
	{ "Europe/London", 4 },
};

struct intl_biller {
	const char *name;
	const char *zone;
};

static const struct intl_biller intl[] = {
	{ "Société des Eaux de Montréal", "America/Toronto" },
	{ "Stadtwerke München", "Europe/Berlin" },
	{ "Ville de Québec — Taxes foncières", "America/Toronto" },
	{ "Compañía de Agua de San José", "America/Los_Angeles" },
	{ "Services d'électricité de Trois-Rivières", "America/Toronto" },
	{ "Energía Eléctrica de Nuevo León", "America/Monterrey" },
	{ "Københavns Forsyning", "Europe/Copenhagen" },
	{ "Wodociągi Łódzkie", "Europe/Warsaw" },
	{ "Øresund Fjernvarme", "Europe/Copenhagen" },
	{ "Gemeinde Zürich-Höngg Abwasser", "Europe/Zurich" },
};

static const struct pattern demo_patterns[] = {
	{ "Demo Biller ", "" },
	{ "QA Sandbox Utility ", "" },
	{ "Sales Demo Water Co ", "" },
	{ "Training Biller ", " (do not bill)" },
	{ "Test Harness Gas & Electric ", "" },
};

static const char *zone_pick(struct rng *r)
{
	int w[COUNT(zones)];

	for (size_t i = 0; i < COUNT(zones); i++)
		w[i] = zones[i].weight;
	return zones[rng_weighted(r, w, COUNT(zones))].zone;
}

void names_biller(struct rng *r, int number, bool demo, bool want_utf8,
		  struct biller_profile *out)
{
	static const int prio_w[] = { 10, 20, 40, 20, 10 };

	out->priority = 1 + (int)rng_weighted(r, prio_w, COUNT(prio_w));
	if (demo) {
		const struct pattern *pat = &demo_patterns[rng_next(r) % COUNT(demo_patterns)];

		snprintf(out->name, sizeof out->name, "%s%d%s", pat->before, number, pat->after);
		out->timezone = "America/Chicago";
		out->priority = 5;
	} else if (want_utf8) {
		const struct intl_biller *b = &intl[rng_next(r) % COUNT(intl)];

		snprintf(out->name, sizeof out->name, "%s", b->name);
		out->timezone = b->zone;
	} else {
		const struct pattern *pat = &patterns[rng_next(r) % COUNT(patterns)];
		const char *place = places[rng_next(r) % COUNT(places)];

		snprintf(out->name, sizeof out->name, "%s%s%s", pat->before, place, pat->after);
		out->timezone = zone_pick(r);
	}
}

const char *names_payment_type(int i)
{
	static const char *const t[NAMES_PAYMENT_TYPES] = { "card", "ach" };

	return t[(unsigned)i % NAMES_PAYMENT_TYPES];
}

const char *names_module(int i)
{
	static const char *const m[NAMES_MODULES] = {
		"autopay", "paperless", "ivr", "walk-in", "portal",
	};

	return m[(unsigned)i % NAMES_MODULES];
}

const char *names_error_class(struct rng *r)
{
	static const char *const cls[] = {
		"multishard", "db_timeout", "processor_connect", "other",
	};
	static const int w[] = { 60, 25, 12, 3 };

	return cls[rng_weighted(r, w, COUNT(w))];
}

char *names_error_message(struct rng *r, const char *error_class,
			  const char *batch_id, const char *shard, int concurrent)
{
	int pick = (int)(rng_next(r) % 3);

	if (concurrent < 2)
		concurrent = rng_range(r, 8, 40);
	if (strcmp(error_class, "multishard") == 0) {
		switch (pick) {
		case 0:
			return sim_xasprintf("multishard: %d batches closing on shard %s concurrently; lock wait exceeded",
					     concurrent, shard);
		case 1:
			return sim_xasprintf("multishard: deadlock detected while closing batch %s; the settlement lock is held by another shard",
					     batch_id);
		default:
			return sim_xasprintf("multishard: cross-shard settlement lock timed out after 30s (%d closes waiting)",
					     concurrent);
		}
	}
	if (strcmp(error_class, "db_timeout") == 0) {
		if (pick == 2)
			return sim_xasprintf("db_timeout: summary query for batch %s exceeded 120s on shard %s",
					     batch_id, shard);
		return sim_xasprintf("canceling statement due to statement timeout while closing batch %s",
				     batch_id);
	}
	if (strcmp(error_class, "processor_connect") == 0) {
		switch (pick) {
		case 0:
			return sim_xasprintf("could not connect to payment processor gateway.example: connection reset");
		case 1:
			return sim_xasprintf("could not connect to payment processor ach.gateway.example: connection refused");
		default:
			return sim_xasprintf("processor_connect: TLS handshake with gateway.example timed out after 15s");
		}
	}
	if (pick == 0)
		return sim_xasprintf("NullReferenceException in BatchSummaryEmailer.Send for batch %s", batch_id);
	return sim_xasprintf("batch summary report for %s failed to render: template not found", batch_id);
}

const char *names_autopay_exception(struct rng *r, bool systemic)
{
	static const char *const ex[] = {
		"ProcessorTimeout: gateway did not answer in 30s",
		"CardDeclined: insufficient funds",
		"CardDeclined: do not honor",
		"InvalidAccount: routing number failed checksum",
		"ExpiredCard: card on file has expired",
		"AchReturn R01: insufficient funds",
		"DuplicateTransaction: a payment was already submitted today",
		"TokenNotFound: wallet token was revoked",
	};
	static const int normal_w[] = { 10, 30, 12, 12, 14, 10, 6, 6 };
	static const int systemic_w[] = { 80, 6, 3, 3, 3, 2, 2, 1 };

	return ex[rng_weighted(r, systemic ? systemic_w : normal_w, COUNT(ex))];
}
