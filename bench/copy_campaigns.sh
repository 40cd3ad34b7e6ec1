#!/usr/bin/env bash
# Benchmark of `hearth copy-campaigns` (issue 8), next to the plain copy a user
# would otherwise reach for, on the same machine in the same run:
#
#   bench/copy_campaigns.sh            # ROWS=1000000 SMALL=100000 by default
#
# 1. Seeds a scratch main database (hearth_bench_legacy) with ROWS legacy
#    campaigns (cli/tests/fixtures/legacy_main.sql's generator), and another
#    with SMALL rows to show that memory stays flat.
# 2. Times, under /usr/bin/time -v (wall clock, peak RSS):
#    - `pg_dump --data-only -t public.campaigns | psql` into a same-shaped
#      legacy table in a scratch database;
#    - `psql \copy (select <the mapping in SQL>) | psql \copy campaign.campaigns`:
#      COPY straight into campaign-service's table with its indexes and
#      generated search column, i.e. what the target table can absorb at best;
#    - `hearth copy-campaigns` (release build) into a fresh campaign database,
#      at SMALL and ROWS, with and without --verify, and a second run.
# Scratch databases are dropped at the end (KEEP=1 keeps them).
set -euo pipefail
[ -n "${TRACE:-}" ] && set -x
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
SMALL=${SMALL:-100000}
BATCH=${BATCH:-5000}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
LEGACY_SQL=cli/tests/fixtures/legacy_main.sql
OUT=$(mktemp -d)
export RUST_LOG=warn

cargo build --release --quiet -p hearth
HEARTH=target/release/hearth

fresh() { psql -q "$PG/postgres" -c "drop database if exists $1 with (force)" -c "create database $1"; }
seed() { # db rows
  fresh "$1"
  psql -q "$PG/$1" -f "$LEGACY_SQL"
  psql -qAt "$PG/$1" -c "select legacy_seed_campaigns($2)" >/dev/null
  psql -q "$PG/$1" -c "vacuum analyze public.campaigns"
}
RESULTS=()
timed() { # label rows command...
  local label=$1 rows=$2; shift 2
  # Each run starts without the previous one's dirty pages still to write.
  psql -q "$PG/postgres" -c checkpoint
  /usr/bin/time -v -o "$OUT/time" "$@" > "$OUT/stdout" 2> "$OUT/stderr" || {
    cat "$OUT/stdout" "$OUT/stderr" "$OUT/time" >&2; echo "failed: $label" >&2; exit 1; }
  local wall rss secs
  wall=$(grep 'Elapsed (wall clock)' "$OUT/time" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$OUT/time" | awk '{print $NF}')
  secs=$(python3 -c "import sys; p=[float(x) for x in sys.argv[1].split(':')]; print(sum(v*60**i for i,v in enumerate(reversed(p))))" "$wall")
  RESULTS+=("$(printf '%-58s %9s %8.1f %10.0f %9.1f' "$label" "$rows" "$secs" "$(python3 -c "print($rows/$secs)")" "$(python3 -c "print($rss/1024)")")")
  echo "${RESULTS[-1]}"
  sed -n '/^copy-campaigns\|^verify/,$p' "$OUT/stdout" | sed 's/^/    /'
}

echo "seeding $ROWS and $SMALL legacy rows…"
seed hearth_bench_legacy "$ROWS"
seed hearth_bench_legacy_small "$SMALL"

# The plain copy, into a table of the same shape.
seed hearth_bench_plain 0
timed "pg_dump --data-only | psql (same-shaped legacy table)" "$ROWS" \
  bash -c "pg_dump --data-only -t public.campaigns $PG/hearth_bench_legacy | psql -q $PG/hearth_bench_plain"

# COPY straight into campaign-service's table (its indexes and search column).
seed hearth_bench_empty 0
fresh hearth_bench_target
# An empty source: migrates campaign-service's schema, copies nothing.
"$HEARTH" copy-campaigns --from "$PG/hearth_bench_empty" --to "$PG/hearth_bench_target" >/dev/null
MAPPING="select id, recipient_id, recipient_id, title, description, category,
  (goal_amount * case when currency = 'JPY' then 1 else 100 end)::bigint,
  (raised_amount * case when currency = 'JPY' then 1 else 100 end)::bigint,
  (raised_amount * case when currency = 'JPY' then 1 else 100 end)::bigint,
  currency, case lower(status) when 'ended' then 'completed' when 'canceled' then 'cancelled' else lower(status) end,
  end_date, created_at, coalesce(updated_at, created_at) from public.campaigns"
COLUMNS="campaign.campaigns (id, recipient_id, creator_id, title, description, category, goal_minor, opening_minor, raised_minor, currency, status, ends_at, created_at, updated_at)"
timed "psql \\copy (mapping in SQL) | \\copy campaign.campaigns" "$ROWS" \
  bash -c "psql -q $PG/hearth_bench_legacy -c \"\\copy ($(echo "$MAPPING" | tr '\n' ' ')) to stdout\" | psql -q $PG/hearth_bench_target -c \"\\copy $COLUMNS from stdin\""

copy() { # label source rows args...
  local label=$1 source=$2 rows=$3; shift 3
  fresh hearth_bench_campaign
  timed "$label" "$rows" "$HEARTH" copy-campaigns --from "$PG/$source" --to "$PG/hearth_bench_campaign" --batch-size "$BATCH" "$@"
}
copy "hearth copy-campaigns ($SMALL rows)" hearth_bench_legacy_small "$SMALL"
copy "hearth copy-campaigns" hearth_bench_legacy "$ROWS"
copy "hearth copy-campaigns --verify" hearth_bench_legacy "$ROWS" --verify
timed "hearth copy-campaigns --verify, second run (copies nothing)" "$ROWS" \
  "$HEARTH" copy-campaigns --from "$PG/hearth_bench_legacy" --to "$PG/hearth_bench_campaign" --batch-size "$BATCH" --verify

echo
printf '%-58s %9s %8s %10s %9s\n' "run" "rows" "seconds" "rows/s" "peak MiB"
printf '%s\n' "${RESULTS[@]}"

if [ -z "${KEEP:-}" ]; then
  for db in hearth_bench_legacy hearth_bench_legacy_small hearth_bench_empty hearth_bench_plain hearth_bench_target hearth_bench_campaign; do
    psql -q "$PG/postgres" -c "drop database if exists $db with (force)"
  done
fi
rm -rf "$OUT"
