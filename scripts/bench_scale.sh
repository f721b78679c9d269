#!/usr/bin/env bash
# Search speed against problem size: generated scenarios of 50, 250, 1,000 and 2,000
# pupils (200 to 8,000 pickup/delivery stops: each pupil's day is two journeys), planned
# with a fixed iteration budget on one thread. Prints stops, routes, iterations per second
# and the time of the whole plan. Needs ../shared/data/osm/porto_portugal.osm.pbf.
#
# usage: scripts/bench_scale.sh [ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-20000}
osm=${SCHOOLRUN_BENCH_OSM:-../shared/data/osm/porto_portugal.osm.pbf}
if [ ! -f "$osm" ]; then
  echo "Porto extract not found at $osm; skipping" >&2
  exit 0
fi
cargo build --release --locked --quiet
bin=$(mktemp)
cp target/release/schoolrun "$bin"
chmod +x "$bin"
work=$(mktemp -d)
trap 'rm -rf "$work" "$bin"' EXIT
printf "%8s %8s %8s %10s %12s %10s %10s\n" pupils stops routes iterations "it/s" "search s" "peak MB"
for pupils in 50 250 1000 2000; do
  schools=$(( pupils / 50 + 2 ))
  "$bin" generate --osm "$osm" --pupils "$pupils" --schools "$schools" --seed 3 --out "$work/s$pupils" >/dev/null 2>&1
  /usr/bin/time -f "%M" -o "$work/mem" "$bin" plan "$work/s$pupils" --iterations "$iterations" --threads 1 \
    --no-recombine --json --out "$work/o$pupils" > "$work/p$pupils.json" 2>/dev/null
  python3 - "$work/o$pupils/summary.json" "$pupils" "$(cat "$work/mem")" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
it, sec = s["search"]["iterations"], s["search"]["seconds"]
print("%8s %8d %8d %10d %12.0f %10.1f %10.0f" % (sys.argv[2], 4 * s["routed"], s["vehicles"], it, it / sec, sec, int(sys.argv[3]) / 1024))
PY
done
