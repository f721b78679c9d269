#!/usr/bin/env bash
# Re-planning benchmark: on the demo and on a generated county scenario (1,000 pupils on
# the Rutland roads), one pupil is taken off today's routes (a starter) and
# `schoolrun plan --from current` runs. Prints the time to place the starter (the repair
# fast path) and the saving-versus-pupils-moved table.
#
# usage: scripts/bench_replan.sh [PUPILS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
pupils=${1:-1000}
limit=${2:-20}
cargo build --release --locked --quiet
bin=target/release/schoolrun
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r data/demo "$work/demo"
sed -i "s|^osm = .*|osm = \"$PWD/data/osm/rutland-latest.osm.pbf\"|" "$work/demo/scenario.toml"
"$bin" generate --osm data/osm/rutland-latest.osm.pbf --pupils "$pupils" --seed 1 \
  --out "$work/county" --name "Rutland county ($pupils synthetic pupils)" >/dev/null
for sc in demo county; do
  # The first pupil of the first current route becomes a starter.
  python3 - "$work/$sc/current_routes.csv" <<'PY'
import csv, sys
path = sys.argv[1]
rows = list(csv.reader(open(path)))
ids = rows[1][5].split(";")
rows[1][5] = ";".join(ids[1:]) if len(ids) > 1 else ids[0]
if len(ids) == 1:
    rows.pop(1)
csv.writer(open(path, "w", newline="")).writerows(rows)
PY
  echo "== $sc: $(($(wc -l < "$work/$sc/pupils.csv") - 1)) pupils, $(($(wc -l < "$work/$sc/current_routes.csv") - 1)) routes today"
  "$bin" plan "$work/$sc" --from current --time-limit "$limit" --out "$work/out-$sc" --json \
    > "$work/$sc.json"
  python3 - "$work/$sc.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
print("starter placed, %d forced moves, in %.1f ms (repair + insertion)" % (v["forced_moves"], v["repair_seconds"] * 1000))
for r in v["tradeoff"]:
    b = "unlimited" if r["max_changes"] is None else r["max_changes"]
    print("  at most %9s: %4d moved, %12s a year" % (b, r["moved"], format(round(r["cost_per_year"]), ",")))
print("chosen plan (policy stability costs): %d moved, %d vehicles, %s a year; feasible: %s" % (v["moved"], v["vehicles"], format(round(v["cost_per_year"]), ","), v["feasible"]))
PY
done
