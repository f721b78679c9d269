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
data=${SCHOOLRUN_BENCH_DATA:-../shared/data/bench}
dir="$data/$set_name"
if [ ! -d "$dir" ]; then
  echo "benchmark data not found at $dir (set SCHOOLRUN_BENCH_DATA); skipping" >&2
  exit 0
fi
cargo build --release --locked --quiet
bin=$(mktemp)
cp target/release/schoolrun "$bin"
chmod +x "$bin"
with=$(mktemp)
without=$(mktemp)
for f in "$dir"/*.txt "$dir"/*.vrp; do
  [ -e "$f" ] || continue
  case "$(basename "$f")" in SOURCES*|*.sol) continue ;; esac
  t=$limit
  if [ "$limit" = "n/10" ]; then
    n=$(basename "$f" | sed -E 's/^X-n([0-9]+)-.*/\1/')
    t=$(( (n - 1) / 10 ))
  fi
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
