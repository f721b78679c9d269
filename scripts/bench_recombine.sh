#!/usr/bin/env bash
# Measures route recombination: every instance of a set is solved twice back to back, with
# and without the set-partitioning step, same time limit, seed and threads, so both see the
# same machine load. Prints per-instance costs and both average gaps to the best known.
#
# usage: scripts/bench_recombine.sh SET [SECONDS|n/10] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
set_name=${1:?usage: scripts/bench_recombine.sh SET [SECONDS|n/10] [THREADS]}
limit=${2:-10}
threads=${3:-2}
. scripts/bench_common.sh
bench_setup "$set_name"
with=$(mktemp)
without=$(mktemp)
for f in $(bench_instances); do
  t=$(bench_limit "$f" "$limit")
  "$bin" vrp solve "$f" --time-limit "$t" --threads "$threads" --json >> "$with"
  "$bin" vrp solve "$f" --time-limit "$t" --threads "$threads" --no-recombine --json >> "$without"
done
python3 - "$dir/bks.csv" "$set_name" "$with" "$without" <<'PY'
import csv, json, sys, statistics
bks_file, set_name, with_f, without_f = sys.argv[1:5]
col = "dist_bks_cost_double" if set_name == "solomon" else "bks_cost"
bks = {r["instance"].lower(): float(r[col]) for r in csv.DictReader(open(bks_file))}
a = [json.loads(l) for l in open(with_f) if l.strip()]
b = [json.loads(l) for l in open(without_f) if l.strip()]
ga, gb = [], []
print(f"{'instance':<14}{'bks':>12}{'with':>12}{'gap %':>8}{'without':>12}{'gap %':>8}")
for x, y in zip(a, b):
    ref = bks.get(x["instance"].lower())
    if ref is None or not (x["feasible"] and y["feasible"]):
        print(f"{x['instance']:<14} skipped (no BKS or infeasible)")
        continue
    g1 = 100 * (x["cost"] - ref) / ref
    g2 = 100 * (y["cost"] - ref) / ref
    ga.append(g1); gb.append(g2)
    print(f"{x['instance']:<14}{ref:>12.2f}{x['cost']:>12.2f}{g1:>8.3f}{y['cost']:>12.2f}{g2:>8.3f}")
better = sum(1 for p, q in zip(ga, gb) if p < q - 1e-9)
worse = sum(1 for p, q in zip(ga, gb) if p > q + 1e-9)
print(f"instances: {len(ga)}; average gap with recombination {statistics.mean(ga):.3f}% "
      f"(median {statistics.median(ga):.3f}%), without {statistics.mean(gb):.3f}% "
      f"(median {statistics.median(gb):.3f}%); better on {better}, worse on {worse}")
PY
