#!/usr/bin/env bash
# Benchmark of the site (web-service) with the whole platform running on this
# machine: the release `hearth up`, on databases and a broker namespace of its own.
#
#   bench/web.sh     # needs wrk (Debian: apt-get install wrk), python3, psql,
#                    # and the shared PostgreSQL and RabbitMQ (management API on 15672)
#
# It seeds CAMPAIGNS (200) campaigns, REQUESTS (50) requests and 112 confirmed
# donations through the services' APIs (tokens from `hearth token`), then:
#
# 1. readers: `/`, `/explore` and one campaign page (as a visitor, and signed
#    in) at READERS (100) connections with wrk, a WARMUP (5 s) run first, then
#    DURATION (20 s) measured: median, p99, requests/s (target: p99 < 50 ms);
#    back to back (each connection asks again on its answer), then at a steady
#    RATE (200) requests/s in all; `apis`: the API calls a campaign page makes,
#    each alone at the same concurrency, to see where the time goes;
# 2. size: the campaign page's transfer, its HTML plus every file of the site
#    it references, as sent and uncompressed (target: < 100 kB);
# 3. delay: DONATIONS (50) donations through the site's donate form, as a
#    browser gives, then the donation's page and, while it shows pending, the
#    page's live stream (`/live`) opened as the browser opens it: from the
#    confirmation (the donation's `updated_at`) to the event saying Confirmed
#    (target: p99 < 1 s).
#
# PARTS=readers,apis,size,delay chooses the parts; HEARTH=path runs another build.
# At the end it stops the platform, drops its two databases and deletes its
# queues and exchanges. Not a test: figures depend on the machine (see
# docs/benchmarks.md).
set -euo pipefail
[ -n "${TRACE:-}" ] && set -x
cd "$(dirname "$0")/.."
PARTS=${PARTS:-readers,apis,size,delay}
RATE=${RATE:-200}
READERS=${READERS:-100}
WARMUP=${WARMUP:-5s}
DURATION=${DURATION:-20s}
CAMPAIGNS=${CAMPAIGNS:-200}
REQUESTS=${REQUESTS:-50}
DONATIONS=${DONATIONS:-50}
BENCH_NAME=web
BENCH_PORT_BASE=28080
# The seeding gives hundreds of donations as three donors in a few seconds.
export RATE_LIMIT_WRITES=off

command -v wrk >/dev/null || { echo "bench/web.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }
# The machine, and how busy it is, before anything starts.
echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
echo "before: $(uptime)"
date -u +"date: %Y-%m-%d %H:%M UTC"
# shellcheck source=bench/platform.sh
source bench/platform.sh

echo "seeding $CAMPAIGNS campaigns, $REQUESTS requests, 112 confirmed donations…"
CAMPAIGN=$(python3 bench/web_bench.py seed "$CAMPAIGNS" "$REQUESTS")
echo "measured campaign: /campaigns/$CAMPAIGN"

# A signed-in reader: a session cookie holding a token, as the sign-in sets,
# and the CSRF cookie the site gives on a first visit.
READER=$(python3 -c 'import uuid; print(uuid.uuid4())')
READER_TOKEN=$("$HEARTH" token --sub "$READER" --ttl 2h)
CSRF=$(curl -s -D - -o /dev/null "$SITE/" | sed -n 's/^[Ss]et-[Cc]ookie: hearth_csrf=\([^;]*\).*/\1/p' | head -1)
SIGNED_IN="hearth_session=$READER_TOKEN; hearth_csrf=$CSRF"

# CPU time the whole machine used so far, in jiffies (1/100 s), and stolen.
busy_jiffies() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
steal_jiffies() { awk '/^cpu / {print $9}' /proc/stat; }
# CPU time (jiffies) of the platform's one process (the site and the five
# services), and of every PostgreSQL process.
hearth_jiffies() { awk '{print $14 + $15}' "/proc/$HEARTH_PID/stat"; }
postgres_jiffies() { for p in $(pgrep -x postgres); do cat "/proc/$p/stat" 2>/dev/null || true; done | awk '{s += $14 + $15} END {print s}'; }
all_jiffies() { awk '/^cpu / {print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }

# wrk's "50%  1.23ms" as milliseconds.
to_ms() { awk '{v = $1; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
  print (u == "us" ? v / 1000 : (u == "s" ? v * 1000 : (u == "m" ? v * 60000 : v)))}'; }

# One wrk run: a warm-up, then the measured run; one table row.
readers() { # label url [header] [wrk args…]
  local label=$1 url=$2 header=${3:-}; shift 3 || shift $#
  local args=(-t2 -c"$READERS" --latency --timeout 10s "$@")
  [ -n "$header" ] && args+=(-H "$header")
  wrk "${args[@]}" -d"$WARMUP" "$url" >/dev/null
  local busy=$(busy_jiffies) steal=$(steal_jiffies) all=$(all_jiffies) out
  local own=$(hearth_jiffies) pg=$(postgres_jiffies)
  out=$(wrk "${args[@]}" -d"$DURATION" "$url")
  busy=$(( $(busy_jiffies) - busy )); steal=$(( $(steal_jiffies) - steal )); all=$(( $(all_jiffies) - all ))
  own=$(( $(hearth_jiffies) - own )); pg=$(( $(postgres_jiffies) - pg ))
  local total; total=$(awk '/requests in/ {print $1}' <<<"$out")
  local p50 p99 rps errors
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {$1 = $1; printf "%s; ", $0}' <<<"$out")
  local met=no; awk -v p="$p99" 'BEGIN {exit !(p < 50)}' && met=yes
  printf '| %s | `%s` | %s ms | %s ms | %s | %s%% | %s%% | %s | %s | %s |\n' "$label" "/${url#http://*/}" "$p50" "$p99" "$rps" \
    $(( 100 * busy / all )) $(( 100 * steal / all )) \
    "$(awk -v j="$own" -v n="$total" 'BEGIN {printf "%.2f ms", 10 * j / n}')" \
    "$(awk -v j="$pg" -v n="$total" 'BEGIN {printf "%.2f ms", 10 * j / n}')" "$met${errors:+ ($errors)}"
}
header() {
  echo
  echo "$1"
  echo
  echo "| what | path | median | p99 | requests/s | machine busy | stolen | CPU/request, hearth | CPU/request, PostgreSQL | p99 < 50 ms |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
}
PAGE=/campaigns/$CAMPAIGN
COOKIE="Cookie: $SIGNED_IN"

if [[ $PARTS == *readers* ]]; then
  # 1a. As fast as the site answers: each of the READERS connections asks
  #     again the moment it has its answer (so median ≈ READERS / throughput).
  header "$READERS readers asking back to back, $WARMUP warm-up then $DURATION measured:"
  readers "home, visitor" "$SITE/"
  readers "explore, visitor" "$SITE/explore"
  readers "campaign, visitor" "$SITE$PAGE"
  readers "campaign, signed in" "$SITE$PAGE" "$COOKIE"
  # 1b. The same READERS connections at a steady RATE in all, as people
  #     reading pages ask: the latency below saturation.
  header "$READERS readers at a steady $RATE requests/s in all (bench/read.lua):"
  export WRK_THREADS=2 RATE
  readers "explore, visitor" "$SITE/explore" "" -s bench/read.lua
  readers "campaign, visitor" "$SITE$PAGE" "" -s bench/read.lua
  readers "campaign, signed in" "$SITE$PAGE" "$COOKIE" -s bench/read.lua
fi

if [[ $PARTS == *apis* ]]; then
  # 1c. Where a campaign page's time goes: the API calls it makes (the
  #     campaign and its recent donations at once, then one profile per
  #     named donor), each alone at the same concurrency.
  DONOR=$(curl -sf "$BENCH_DONATION_URL/donations?campaign_id=$CAMPAIGN&limit=10" |
    python3 -c 'import json, sys; print(next(d["donor_id"] for d in json.load(sys.stdin)["items"] if d.get("donor_id")))')
  BEARER="Authorization: Bearer $READER_TOKEN"
  header "the campaign page's API calls, $READERS connections back to back:"
  readers "campaign, anonymous" "$BENCH_CAMPAIGN_URL/campaigns/$CAMPAIGN"
  readers "campaign, with a token" "$BENCH_CAMPAIGN_URL/campaigns/$CAMPAIGN" "$BEARER"
  readers "donations, anonymous" "$BENCH_DONATION_URL/donations?campaign_id=$CAMPAIGN&limit=10"
  readers "donations, with a token" "$BENCH_DONATION_URL/donations?campaign_id=$CAMPAIGN&limit=10" "$BEARER"
  readers "profile, anonymous" "$BENCH_PROFILE_URL/profiles/$DONOR"
fi

if [[ $PARTS == *size* ]]; then
  echo
  echo "campaign page, visitor, with Accept-Encoding: gzip, deflate, br:"
  echo
  python3 bench/web_bench.py size "$SITE" "/campaigns/$CAMPAIGN"
  echo
  echo "campaign page, signed in (the donate form):"
  echo
  python3 bench/web_bench.py size "$SITE" "/campaigns/$CAMPAIGN" "$SIGNED_IN"
fi

if [[ $PARTS == *delay* ]]; then
  echo
  python3 bench/web_bench.py delay "$SITE" "$CAMPAIGN" "$DONATIONS"
fi

echo
echo "after: $(uptime)"
