# shellcheck shell=bash
# pgbouncer.sh - a private PgBouncer in transaction pooling mode in front of
# the test server, for tests that source lib.sh first:
#
#   . "$(dirname "$0")/pgbouncer.sh"
#   bt_pgbouncer_start 2 || bt_bail "..."   # pool of 2 server connections
#   psql "host=$BT_PGB_HOST port=$BT_PGB_PORT dbname=$db user=bt_viewer"
#
# It listens on a Unix socket in its own directory under $BT_TMP (no TCP
# port, so tests run side by side), trusts every user lib.sh's server has
# (pg-env's roles), and forwards every database to $PGHOST:$PGPORT.  Each
# database gets at most POOL server connections in all (max_db_connections),
# whichever users ask.  As root it runs as the postgres OS user, like the
# server.  It is stopped at exit (bt_on_exit).  Skips (77) without the
# pgbouncer program, unless BATCHTOP_REQUIRE_PG=1.

BT_PGB_BIN=${BATCHTOP_PGBOUNCER:-$(command -v pgbouncer 2>/dev/null || echo /usr/sbin/pgbouncer)}

bt_pgbouncer_start() {
	local pool=${1:-2} dir
	if [[ ! -x $BT_PGB_BIN ]]; then
		if [[ ${BATCHTOP_REQUIRE_PG:-0} == 1 ]]; then
			echo "Bail out! BATCHTOP_REQUIRE_PG=1 but pgbouncer is not installed"
			exit 1
		fi
		echo "1..0 # SKIP pgbouncer is not installed"
		exit 77
	fi
	dir=$BT_TMP/pgbouncer
	mkdir -p "$dir"
	BT_PGB_HOST=$dir
	BT_PGB_PORT=6432
	printf '"postgres" ""\n"bt_viewer" ""\n"bt_operator" ""\n' >"$dir/users.txt"
	cat >"$dir/pgbouncer.ini" <<EOF
[databases]
* = host=$PGHOST port=${PGPORT:-5432}

[pgbouncer]
listen_addr =
unix_socket_dir = $dir
listen_port = $BT_PGB_PORT
auth_type = trust
auth_file = $dir/users.txt
pool_mode = transaction
default_pool_size = $pool
max_db_connections = $pool
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 500
server_reset_query =
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
admin_users = postgres
EOF
	if [[ $EUID -eq 0 ]]; then
		chmod 711 "$BT_TMP"
		chown -R postgres:postgres "$dir"
		(cd / && runuser -u postgres -- "$BT_PGB_BIN" -d -q "$dir/pgbouncer.ini") || return 1
	else
		"$BT_PGB_BIN" -d -q "$dir/pgbouncer.ini" || return 1
	fi
	bt_on_exit "bt__pgbouncer_stop '$dir'"
	bt_wait_for 10 "$BT_PSQL" -X -q -At "host=$dir port=$BT_PGB_PORT dbname=pgbouncer user=postgres" \
		-c 'SHOW VERSION' >/dev/null 2>&1 || {
		sed 's/^/# pgbouncer: /' "$dir/pgbouncer.log" 2>/dev/null
		return 1
	}
}

bt__pgbouncer_stop() {
	local pid
	pid=$(cat "$1/pgbouncer.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || return 0
	bt_wait_for 10 test ! -e "/proc/$pid" || kill -9 "$pid" 2>/dev/null
}

# bt_pgb_dsn DB USER: the libpq string that reaches DB through PgBouncer.
bt_pgb_dsn() {
	printf 'host=%s port=%s dbname=%s user=%s' "$BT_PGB_HOST" "$BT_PGB_PORT" "$1" "$2"
}
