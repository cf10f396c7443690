#!/usr/bin/env bash
# A local streaming replica of the PostgreSQL primary, for reports (REPORTS_DATABASE_URL):
#   scripts/replica.sh start|stop|status
# A second cluster on 127.0.0.1:$REPLICA_PORT (5433), made by pg_basebackup from the primary on
# 127.0.0.1:$PRIMARY_PORT (5432) into $REPLICA_DIR, streaming from it as a hot standby. It
# replicates the whole cluster: every database of the primary is on the replica too.
#
# `start` sets up what it needs each time (run as root or as postgres): the primary must allow a
# replication connection from 127.0.0.1 (pg_hba gets a trust line for it, as the primary's own
# lines trust 127.0.0.1, and is reloaded); a replica already made is started again and used if
# it streams, else made afresh (the primary may have recycled the WAL it needed). It returns once
# the replica streams and has replayed what the primary had written when it began.
set -euo pipefail

PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
REPLICA_DIR="${REPLICA_DIR:-/var/tmp/sts-reports-replica}"
REPLICA_LOG="${REPLICA_DIR}.log"
HBA_MARK="# sts reports replica (scripts/replica.sh)"
WAIT_SECONDS=60

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

primary() {
  psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -XAtq -c "$1"
}

replica() {
  psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -XAtq -c "$1"
}

bin_dir() {
  # The replica's own version once made (stop needs no primary), else the primary's.
  local major
  if [ -f "$REPLICA_DIR/PG_VERSION" ]; then
    major=$(cat "$REPLICA_DIR/PG_VERSION")
  else
    major=$(( $(primary "SHOW server_version_num") / 10000 ))
  fi
  echo "/usr/lib/postgresql/${major}/bin"
}

running() {
  [ -f "$REPLICA_DIR/postmaster.pid" ] && as_postgres "$(bin_dir)/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1
}

streaming() {
  [ "$(replica "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'" 2>/dev/null)" = 1 ]
}

check_primary() {
  if ! pg_isready -h 127.0.0.1 -p "$PRIMARY_PORT" -q; then
    echo "replica: the primary on 127.0.0.1:$PRIMARY_PORT is not running: start it first" >&2
    exit 1
  fi
  if [ "$(primary "SHOW wal_level")" = minimal ] || [ "$(primary "SHOW max_wal_senders")" = 0 ]; then
    echo "replica: the primary needs wal_level = replica and max_wal_senders > 0" \
      "(ALTER SYSTEM, then restart it)" >&2
    exit 1
  fi
}

allow_replication() {
  # pg_hba's first matching line wins, and `all` does not match replication: ours goes first.
  local hba
  hba=$(primary "SHOW hba_file")
  if ! grep -qF "$HBA_MARK" "$hba"; then
    # Written into the file itself, which keeps its owner and mode.
    local lines
    lines=$(printf '%s\n%s\n' "$HBA_MARK" "host replication postgres 127.0.0.1/32 trust"
            cat "$hba")
    printf '%s\n' "$lines" >"$hba"
    primary "SELECT pg_reload_conf()" >/dev/null
  fi
}

write_config() {
  # A Debian primary keeps its configuration in /etc, outside the data directory copied.
  as_postgres cp "$(primary "SHOW hba_file")" "$REPLICA_DIR/pg_hba.conf"
  as_postgres cp "$(primary "SHOW ident_file")" "$REPLICA_DIR/pg_ident.conf"
  as_postgres tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<EOF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/var/run/postgresql'
max_connections = 100
shared_buffers = 128MB
hot_standby = on
# Reports' snapshots hold back the primary's cleanup rather than being cancelled by its replay.
hot_standby_feedback = on
# What a slow report waited for: a replayed lock, a conflict with replay, or the disk.
log_recovery_conflict_waits = on
log_lock_waits = on
log_min_duration_statement = 5000
EOF
}

make_replica() {
  echo "replica: base backup of 127.0.0.1:$PRIMARY_PORT into $REPLICA_DIR"
  rm -rf "$REPLICA_DIR"
  install -d -o postgres -g postgres -m 700 "$REPLICA_DIR"
  as_postgres "$(bin_dir)/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
    -D "$REPLICA_DIR" -R -X stream --checkpoint=fast
}

start_server() {
  write_config
  touch "$REPLICA_LOG" && chown postgres: "$REPLICA_LOG" 2>/dev/null || true
  as_postgres "$(bin_dir)/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_LOG" -w -t "$WAIT_SECONDS" \
    start >/dev/null
}

wait_until_streaming() {
  local seconds=${1:-$WAIT_SECONDS}
  for _ in $(seq 1 $((seconds * 5))); do
    streaming && return 0
    sleep 0.2
  done
  return 1
}

wait_until_replayed() {
  # What the primary had written by now, replayed: a database just created is there.
  local lsn
  lsn=$(primary "SELECT pg_current_wal_lsn()")
  for _ in $(seq 1 $((WAIT_SECONDS * 5))); do
    [ "$(replica "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && return 0
    sleep 0.2
  done
  echo "replica: not caught up with the primary after $WAIT_SECONDS s (see $REPLICA_LOG)" >&2
  return 1
}

start() {
  check_primary
  allow_replication
  if ! running && [ -f "$REPLICA_DIR/standby.signal" ]; then
    start_server || true
  fi
  if ! running || ! wait_until_streaming 10; then
    running && stop
    make_replica
    start_server
    wait_until_streaming || { echo "replica: not streaming (see $REPLICA_LOG)" >&2; exit 1; }
  fi
  wait_until_replayed
  status
}

stop() {
  if running; then
    as_postgres "$(bin_dir)/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null
  fi
  echo "replica: stopped"
}

status() {
  if ! running; then
    echo "replica: not running"
    return 3
  fi
  replica "SELECT 'replica: 127.0.0.1:$REPLICA_PORT, ' ||
    coalesce((SELECT status FROM pg_stat_wal_receiver), 'not receiving') ||
    ', replayed ' || pg_last_wal_replay_lsn() || ' of ' || pg_last_wal_receive_lsn() ||
    ' received, last commit replayed ' ||
    coalesce(round(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 1) || ' s ago',
             'none yet')"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
