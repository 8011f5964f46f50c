# shellcheck shell=bash
# rerun_lib.sh - fixtures of the rerun tests (rerun, bulk, autopay, race,
# rerun_unknown), on top of lib.sh.
#
#   rr_conf FILE USER [BATCHTOP-LINE...] -- NAME:DB...
#       e2e_conf with USER on every shard, roomier timeouts and the audit
#       trail in $BT_TMP/audit.log (query_timeout is $RR_QUERY_TIMEOUT, 5
#       by default)
#   rr_failed DB BATCH BILLER NAME [PRIORITY]
#       a non-demo biller (if new) with one failed close tonight, and ten
#       closes of six minutes in its history (for the estimate)
#   rr_count DB [WHERE]     rerun_request rows (matching WHERE)
#   rr_screen_as SOCK       make SOCK the tmux server e2e_* talk to

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rr_conf() {
	local f=$1 user=$2 opts=() shards=() arg
	shift 2
	while [[ $# -gt 0 && $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	[[ ${1:-} == -- ]] && shift
	for arg in "$@"; do
		shards+=("${arg%%:*}:$(e2e_dsn "${arg#*:}" "$user")")
	done
	e2e_conf "$f" "${shards[@]}" -- "stale_after = 30" \
		"query_timeout = ${RR_QUERY_TIMEOUT:-5}" "connect_timeout = 3" \
		"audit_log = $BT_TMP/audit.log" "${opts[@]}"
}

rr_failed() {
	local db=$1 batch=$2 biller=$3 name=$4 prio=${5:-2}
	bt_psql "$db" -v batch="$batch" -v biller="$biller" -v name="$name" -v prio="$prio" <<'SQL'
INSERT INTO batchtop.biller VALUES (:'biller', :'name', 'UTC', :'prio', false)
	ON CONFLICT DO NOTHING;
INSERT INTO batchtop.batch_close (batch_id, biller_id, business_day, payment_type,
	module, scheduled_at, deadline_at, started_at, finished_at, status, attempts,
	error_class, error_message, updated_at)
VALUES (:'batch', :'biller', current_date, 'card', 'autopay',
	now() - interval '20 minutes', now() + interval '25 minutes',
	now() - interval '20 minutes', now() - interval '10 minutes', 'failed', 1,
	'multishard', 'multishard: 14 batches closing on shard concurrently; lock wait exceeded',
	now());
INSERT INTO batchtop.batch_close (batch_id, biller_id, business_day, payment_type,
	module, scheduled_at, started_at, finished_at, status, attempts, updated_at)
SELECT :'batch' || '-h' || d, :'biller', current_date - d, 'card', 'autopay',
	now() - d * interval '1 day', now() - d * interval '1 day',
	now() - d * interval '1 day' + interval '6 minutes', 'closed', 1, now()
FROM generate_series(1, 10) AS d;
SQL
}

rr_count() {
	bt_psql "$1" -c "SELECT count(*) FROM batchtop.rerun_request WHERE ${2:-true}"
}

rr_screen_as() {
	E2E_SOCK=$1
}
