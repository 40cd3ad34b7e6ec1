# Sourced by the site's bench scripts (bench/web.sh, bench/lighthouse.sh):
# starts the whole platform, the release `hearth up`, on two databases and a
# broker namespace of this run's own, and on ports from BENCH_PORT_BASE (the
# site) to BENCH_PORT_BASE + 5; waits until it is ready; and at exit stops it,
# drops the databases and deletes the namespace's queues and exchanges.
#
# Set before sourcing: BENCH_NAME (names the run), BENCH_PORT_BASE. Sets:
# SITE, HEARTH, HEARTH_PID, PG, BENCH_<SERVICE>_URL, JWT_SECRET. HEARTH=path
# runs another build; LOG=path keeps the platform's log elsewhere.
PG=postgres://postgres@127.0.0.1:5432
RUN=hearth_${BENCH_NAME}bench_$$
export MAIN_DATABASE_URL=$PG/${RUN}_main
export CAMPAIGN_DATABASE_URL=$PG/${RUN}_campaign
export JWT_SECRET=hearth-benchmark-secret-0123456789abcdef
# Its own namespace, deleted at the end: nobody else's consumers see its events.
export BUS_NAMESPACE=${BENCH_NAME}bench.$$
export WEB_PORT=$BENCH_PORT_BASE CAMPAIGN_PORT=$((BENCH_PORT_BASE + 1)) DONATION_PORT=$((BENCH_PORT_BASE + 2)) \
  REQUEST_PORT=$((BENCH_PORT_BASE + 3)) MESSAGING_PORT=$((BENCH_PORT_BASE + 4)) PROFILE_PORT=$((BENCH_PORT_BASE + 5))
export RUST_LOG=warn LOG_FORMAT=json
SITE=http://127.0.0.1:$WEB_PORT
export BENCH_CAMPAIGN_URL=http://127.0.0.1:$CAMPAIGN_PORT BENCH_DONATION_URL=http://127.0.0.1:$DONATION_PORT \
  BENCH_REQUEST_URL=http://127.0.0.1:$REQUEST_PORT BENCH_PROFILE_URL=http://127.0.0.1:$PROFILE_PORT
LOG=${LOG:-/tmp/hearth-${BENCH_NAME}bench.log}

if [ -z "${HEARTH:-}" ]; then
  cargo build --release --quiet -p hearth
  HEARTH=target/release/hearth
fi
export HEARTH

# Every queue and exchange named "<namespace>.…", through the management API.
delete_namespace() {
  local kind
  for kind in queues exchanges; do
    curl -sf --max-time 10 -u guest:guest "http://127.0.0.1:15672/api/$kind/%2F?columns=name" |
      python3 -c 'import json, sys, urllib.parse
for x in json.load(sys.stdin):
    if x["name"].startswith(sys.argv[1] + "."): print(urllib.parse.quote(x["name"], safe=""))' "$BUS_NAMESPACE" |
      while read -r name; do
        curl -sf --max-time 10 -u guest:guest -X DELETE "http://127.0.0.1:15672/api/$kind/%2F/$name" ||
          echo "bench: could not delete $kind $name" >&2
      done || echo "bench: could not list $kind" >&2
  done
}
finish() {
  if [ -n "${HEARTH_PID:-}" ]; then
    kill -INT "$HEARTH_PID" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$HEARTH_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$HEARTH_PID" 2>/dev/null || true
    wait "$HEARTH_PID" 2>/dev/null || true
  fi
  for db in "${RUN}_main" "${RUN}_campaign"; do
    psql -q "$PG/postgres" -c "drop database if exists $db with (force)" >/dev/null || true
  done
  delete_namespace
}
trap finish EXIT

"$HEARTH" up > "$LOG" 2>&1 &
HEARTH_PID=$!
for _ in $(seq 300); do
  curl -sf "$SITE/health/ready" >/dev/null && curl -sf "$BENCH_DONATION_URL/health/ready" >/dev/null && break
  kill -0 "$HEARTH_PID" 2>/dev/null || { tail -20 "$LOG" >&2; exit 1; }
  sleep 0.2
done
curl -sf "$SITE/health/ready" >/dev/null || { echo "the platform did not become ready" >&2; tail -20 "$LOG" >&2; exit 1; }
