#!/usr/bin/env bash
# Lighthouse (12.2.3, bench/lighthouse/package-lock.json) on the site's home,
# explore, campaign, request and sign-in pages, as a visitor on a phone
# (Lighthouse's default mobile emulation and throttling), in Debian's
# Chromium, with the whole platform running on this machine (bench/platform.sh).
#
#   bench/lighthouse.sh   # needs /usr/bin/chromium, Node 20 and npm, python3,
#                         # psql, and the shared PostgreSQL and RabbitMQ
#
# Each page's report is kept in target/lighthouse/<page>.report.html (and
# .json); the scores are printed as a table. Targets: 95 or more for
# accessibility, best practices and SEO, 90 or more for performance. Not run
# by CI: the scores depend on the machine (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
[ -x "$CHROME_PATH" ] || { echo "bench/lighthouse.sh: $CHROME_PATH is missing (apt-get install chromium)" >&2; exit 1; }
(cd bench/lighthouse && npm ci --no-audit --no-fund --loglevel=error)
OUT=target/lighthouse
rm -rf "$OUT" && mkdir -p "$OUT"

BENCH_NAME=lighthouse
BENCH_PORT_BASE=28180
# shellcheck source=bench/platform.sh
source bench/platform.sh

echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo); $(uptime)"
# A few campaigns and requests, and the recent gifts of the measured one;
# pictures would come from other sites, which this machine cannot reach.
CAMPAIGN=$(BENCH_IMAGES=0 python3 bench/web_bench.py seed 12 6)
REQUEST=$(curl -sf "$BENCH_REQUEST_URL/requests?limit=1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')

printf '| page | performance | accessibility | best practices | SEO |\n|---|---|---|---|---|\n'
for page in home:/ explore:/explore "campaign:/campaigns/$CAMPAIGN" "request:/requests/$REQUEST" sign-in:/sign-in; do
  name=${page%%:*}
  node bench/lighthouse/node_modules/.bin/lighthouse "$SITE${page#*:}" \
    --quiet --output=html --output=json --output-path="$OUT/$name" \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run" \
    >/dev/null
  python3 - "$OUT/$name.report.json" "$name" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
scores = [round(100 * report["categories"][c]["score"]) for c in ("performance", "accessibility", "best-practices", "seo")]
print(f"| {sys.argv[2]} | " + " | ".join(map(str, scores)) + " |")
PY
done
echo "reports: $OUT/<page>.report.html"
