#!/usr/bin/env bash
# Benchmarks of POST /donations and of the money saga (issue: donations).
#
#   bench/donations.sh            # needs wrk (apt install wrk), pgbench, PostgreSQL, RabbitMQ
#
# 1. Throughput of POST /donations with wrk at 1, 8 and 32 connections, next to
#    pgbench running the same SQL transaction (donation row + outbox row) at the
#    same concurrency, on the same machine.
# 2. Saga latency at a steady RATE (500) donations/s: from the donation's commit (the
#    moment POST answers) to `confirmed`, p50 and p99, from the rows' own times.
set -euo pipefail
[ -n "${TRACE:-}" ] && set -x
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5s}
REPS=${REPS:-3}
PG=postgres://postgres@127.0.0.1:5432
export MAIN_DATABASE_URL=$PG/hearth_bench_main
export CAMPAIGN_DATABASE_URL=$PG/hearth_bench_campaign
export JWT_SECRET=hearth-benchmark-secret-0123456789abcdef
# A namespace of this run's own, deleted at the end: queues of earlier runs
# (or of services not running here) would otherwise collect copies of every event.
export BUS_NAMESPACE=bench.$$
export CAMPAIGN_PORT=18081 DONATION_PORT=18082 REQUEST_PORT=18083 MESSAGING_PORT=18084 PROFILE_PORT=18085
PARTS=${PARTS:-writes,saga}   # which parts to run
export RUST_LOG=warn LOG_FORMAT=json
# One donor writes hundreds of times a second: a throughput benchmark, not a user.
export RATE_LIMIT_WRITES=off

# HEARTH=path/to/hearth runs another build (to compare two builds by turns).
if [ -z "${HEARTH:-}" ]; then
  cargo build --release --quiet -p hearth
  HEARTH=target/release/hearth
fi
for db in hearth_bench_main hearth_bench_campaign; do
  psql -q "$PG/postgres" -c "drop database if exists $db with (force)" -c "create database $db"
done

start() { # the services to run: `up` for all, or `serve donation`
  "$HEARTH" "$@" > /tmp/hearth-bench.log 2>&1 &
  HEARTH_PID=$!
  # Live, not ready: one run has no broker on purpose.
  for _ in $(seq 100); do curl -sf localhost:18082/health/live >/dev/null && break; sleep 0.2; done
  sleep 1
}
stop() {
  kill "$HEARTH_PID" 2>/dev/null || true; wait "$HEARTH_PID" 2>/dev/null || true
}
drop_queues() {
  rabbitmqctl list_queues name -q 2>/dev/null | grep "^$BUS_NAMESPACE\." | while read -r q; do
    rabbitmqctl delete_queue "$q" < /dev/null >/dev/null 2>&1 || true
  done
}
finish() { stop; kill "${CAMPAIGN_PID:-}" 2>/dev/null || true; drop_queues; }
trap finish EXIT
uuid() { python3 -c 'import uuid; print(uuid.uuid4())'; }

export TOKEN=$($HEARTH token --sub "$(uuid)" --ttl 1h 2>/dev/null)
OWNER_TOKEN=$($HEARTH token --sub "$(uuid)" --ttl 1h 2>/dev/null)

# pgbench writes into copies of the tables, so the relay does not publish its rows.
# Only the saga's services: their queues, and no others, receive the events.
$HEARTH migrate campaign donation > /dev/null
psql -q "$MAIN_DATABASE_URL" <<'SQL'
create schema pgbench_copy;
create table pgbench_copy.donations (like donation.donations including all);
create table pgbench_copy.outbox (like donation.outbox including all);
SQL

# CPU time used on the whole machine so far, in jiffies (1/100 s): every
# process counts, the databases' and the broker's too.
busy_jiffies() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }

wait_for_saga() {
  for _ in $(seq 600); do
    left=$(psql -Atq "$MAIN_DATABASE_URL" -c "select count(*) from donation.donations where status = 'pending'")
    [ "$left" = 0 ] && return 0
    sleep 0.5
  done
  echo "the saga did not catch up: $left pending" >&2
}

# 1. The write path alone: donation-service and no saga, twice — with its
#    relay publishing every event (into a namespace no consumer listens to),
#    and with the broker unreachable, so that like pgbench it only writes
#    (the events wait in the outbox).
write_path() { # label
  CAMPAIGNS=""
  for _ in $(seq 20); do CAMPAIGNS="$CAMPAIGNS${CAMPAIGNS:+,}$(uuid)"; done
  export CAMPAIGNS
  for c in 1 8 32; do
    threads=$(( c < 2 ? 1 : 2 ))
    # Alternated, REPS times each, and the medians compared: this machine's
    # speed drifts by 2x from one minute to the next (CPU steal), and the
    # two sides must see the same drift.
    https=() sqls=()
    for _ in $(seq "$REPS"); do
      https+=("$(DELAY_MS=0 wrk -t$threads -c$c -d$DURATION -s bench/donate.lua http://127.0.0.1:18082/donations 2>/dev/null \
        | awk '/Requests\/sec/ {print $2}')")
      sqls+=("$(pgbench -n -c $c -j $threads -T ${DURATION%s} -f bench/donation_tx.sql "$MAIN_DATABASE_URL" 2>/dev/null \
        | awk '/^tps/ {print $3; exit}')")
    done
    python3 - "$1" "$c" "${https[*]}" "${sqls[*]}" <<'PY'
import statistics, sys
label, c, http, sql = sys.argv[1:]
http = statistics.median(map(float, http.split())); sql = statistics.median(map(float, sql.split()))
print(f"| {label} | {c} | {http:.0f} | {sql:.0f} | {http / sql:.2f} |")
PY
  done
}
if [[ $PARTS == *writes* ]]; then
  echo "| relay | connections | POST /donations (wrk) req/s, median | same SQL (pgbench) tx/s, median | ratio |"
  echo "|---|---|---|---|---|"
  BUS_NAMESPACE=$BUS_NAMESPACE.writes start serve donation
  write_path publishing
  stop
  RABBITMQ_URL=amqp://guest:guest@127.0.0.1:1/%2f start serve donation
  write_path "idle (no broker)"
  stop
fi
[[ $PARTS == *saga* ]] || exit 0

# 2. The whole platform: the saga's latency at a steady rate.
# The write path left events in the outbox (the run without a broker never sent
# them): the saga starts from an empty outbox, not behind that backlog.
psql -q "$MAIN_DATABASE_URL" -c "delete from donation.donations" -c "delete from donation.outbox"
# The saga's two services only: on this one machine the other services'
# consumers (notifications, the ratings' read model) would take the same two
# cores; in production they run elsewhere and are not on the saga's path.
"$HEARTH" serve campaign > /tmp/hearth-bench-campaign.log 2>&1 &
CAMPAIGN_PID=$!
for _ in $(seq 100); do curl -sf localhost:18081/health/ready >/dev/null && break; sleep 0.2; done
start serve donation
CAMPAIGNS=""
for n in $(seq 20); do
  id=$(curl -sf -X POST localhost:18081/campaigns -H "Authorization: Bearer $OWNER_TOKEN" \
    -H 'Content-Type: application/json' -d "{\"title\":\"Benchmark $n\",\"goal_minor\":1000000000000,\"currency\":\"USD\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  CAMPAIGNS="$CAMPAIGNS${CAMPAIGNS:+,}$id"
done
export CAMPAIGNS
sleep 2
START=$(psql -Atq "$MAIN_DATABASE_URL" -c "select now()")
# RATE donations/s at a steady pace, over 16 connections so that a slow
# answer does not lower the rate sent.
BUSY_BEFORE=$(busy_jiffies)
RATE=${RATE:-500} WRK_THREADS=2 wrk -t2 -c16 -d20s -s bench/donate.lua http://127.0.0.1:18082/donations 2>/dev/null \
  | awk '/Requests\/sec/ {print "paced run: " $2 " donations/s"}'
BUSY=$(( $(busy_jiffies) - BUSY_BEFORE ))
wait_for_saga
psql -Atq "$MAIN_DATABASE_URL" -F ' ' -c "
  select 'saga latency over ' || count(*) || ' donations: p50 ' ||
         round(1000 * percentile_cont(0.5) within group (order by extract(epoch from updated_at - created_at))::numeric, 1) || ' ms, p99 ' ||
         round(1000 * percentile_cont(0.99) within group (order by extract(epoch from updated_at - created_at))::numeric, 1) || ' ms, max ' ||
         round(1000 * max(extract(epoch from updated_at - created_at))::numeric, 1) || ' ms; still pending: ' ||
         (select count(*) from donation.donations where status = 'pending')
  from donation.donations
  where status = 'confirmed' and created_at >= '$START'"
DONE=$(psql -Atq "$MAIN_DATABASE_URL" -c "select count(*) from donation.donations where created_at >= '$START'")
# The steadier figure on a shared machine: what one donation costs the machine
# (POST, both services, PostgreSQL, RabbitMQ), whatever the latency did.
echo "machine CPU per donation while sending: $(( BUSY * 10000 / DONE ))µs ($(( BUSY / 40 ))% of the 2 cores over 20 s)"
