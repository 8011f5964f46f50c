/*
 * night.c - when a night is over, the next one (see night.h).
 *
 * Everything is read from the shard, nothing kept in memory: tonight is
 * the latest business day, and its number is its distance from the
 * server's current_date plus one, so a restarted simulator goes on where
 * the shard is, and the same seed gives the same nights.
 */
#include "night.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seed.h"

bool night_next_if_over(struct shard *s, const struct sim_config *cfg)
{
	PGresult *res;
	char day[16], next[16], grace[32];
	const char *params[1] = { grace };
	const char *shift[1] = { day };
	int night;
	bool over;

	if (cfg->nights == 1)
		return true;
	snprintf(grace, sizeof grace, "%.3f", cfg->file_period / 2);
	res = shard_query(s,
		"WITH t AS (SELECT max(business_day) AS day FROM batchtop.batch_close) "
		"SELECT t.day::text, (t.day + 1)::text, (t.day - current_date) + 1, "
		"  NOT EXISTS (SELECT 1 FROM batchtop.batch_close AS b WHERE b.business_day = t.day "
		"    AND (b.status IN ('scheduled', 'running') "
		"      OR b.deadline_at > now() - $1::float8 * interval '1 second')) "
		"  AND NOT EXISTS (SELECT 1 FROM batchtop.rerun_request AS r "
		"    WHERE r.status IN ('pending', 'running')) "
		"FROM t WHERE t.day IS NOT NULL", 1, params);
	if (!res)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return true;
	}
	snprintf(day, sizeof day, "%s", PQgetvalue(res, 0, 0));
	snprintf(next, sizeof next, "%s", PQgetvalue(res, 0, 1));
	night = atoi(PQgetvalue(res, 0, 2));
	over = PQgetvalue(res, 0, 3)[0] == 't';
	PQclear(res);
	if (!over || (cfg->nights > 0 && night >= cfg->nights))
		return true;

	if (!shard_exec(s,
		"UPDATE batchtop.batch_close SET scheduled_at = scheduled_at - interval '1 day', "
		"deadline_at = deadline_at - interval '1 day', "
		"started_at = started_at - interval '1 day', "
		"finished_at = finished_at - interval '1 day', updated_at = now() "
		"WHERE business_day = $1::date", 1, shift))
		return false;
	shard_log(s, NULL, NULL, "info",
		  "night of business day %s is over; its closes are history now", day);
	return seed_night(s, cfg, next, night + 1);
}
