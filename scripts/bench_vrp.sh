#!/usr/bin/env bash
# Runs `schoolrun vrp solve` on every instance of a benchmark set and prints instance, cost,
# vehicles, best-known solution, gap and seconds, then the average gap.
#
# usage: scripts/bench_vrp.sh SET [SECONDS|n/10] [THREADS]
#   SET      solomon | x | lilim100 | homberger200 (a folder of ../shared/data/bench)
#   SECONDS  per-instance time limit; "n/10" = customers / 10 (the X protocol); default 10
# Extra solver flags can be passed in SCHOOLRUN_VRP_FLAGS (e.g. --no-recombine).
# The BKS column compared against: solomon -> dist_bks_cost_double (distance-only, unrounded);
# x, lilim100, homberger200 -> bks_cost.
set -euo pipefail
cd "$(dirname "$0")/.."
set_name=${1:?usage: scripts/bench_vrp.sh SET [SECONDS|n/10] [THREADS]}
limit=${2:-10}
threads=${3:-2}
. scripts/bench_common.sh
bench_setup "$set_name"
out=$(mktemp)
for f in $(bench_instances); do
  t=$(bench_limit "$f" "$limit")
  "$bin" vrp solve "$f" --time-limit "$t" --threads "$threads" ${SCHOOLRUN_VRP_FLAGS:-} --json >> "$out"
done
python3 - "$dir/bks.csv" "$set_name" "$out" <<'PY'
import csv, json, sys, statistics
bks_file, set_name, out = sys.argv[1:4]
col = "dist_bks_cost_double" if set_name == "solomon" else "bks_cost"
vcol = "dist_bks_vehicles_double" if set_name == "solomon" else "bks_vehicles"
bks = {r["instance"].lower(): r for r in csv.DictReader(open(bks_file))}
rows = [json.loads(l) for l in open(out) if l.strip()]
gaps = []
print(f"{'instance':<14}{'cost':>12}{'veh':>5}{'bks':>12}{'bks veh':>8}{'gap %':>8}{'s':>7} feasible")
for r in rows:
    b = bks.get(r["instance"].lower())
    ref = float(b[col]) if b else float("nan")
    gap = 100.0 * (r["cost"] - ref) / ref if b else float("nan")
    if b and r["feasible"]:
        gaps.append(gap)
    print(f"{r['instance']:<14}{r['cost']:>12.2f}{r['vehicles']:>5}{ref:>12.2f}{(b[vcol] if b else ''):>8}{gap:>8.2f}{r['seconds']:>7.1f} {r['feasible']}")
infeasible = sum(1 for r in rows if not r["feasible"])
print(f"instances: {len(rows)}, infeasible: {infeasible}, average gap: {statistics.mean(gaps):.3f}%, median gap: {statistics.median(gaps):.3f}%, at or below BKS: {sum(1 for g in gaps if g <= 0.005)}")
PY
rm -f "$out"
