#!/usr/bin/env bash
# Budget runs on the demo: 20 variants × 3 samples (scripts/budget-20-variants.toml).
# Prints the wall time with 2 jobs at once and one after another, then kills a run part
# way, resumes it, and checks that no finished job was lost and that budget.csv equals
# the uninterrupted run's. Run on an idle machine.
#
# usage: scripts/bench_budget.sh [SAMPLES] [KEEP_DIR]
# KEEP_DIR (optional): where to copy the 2-thread run's outputs (budget.csv, forecast.csv…).
set -euo pipefail
cd "$(dirname "$0")/.."
samples=${1:-3}
keep=${2:-}
cargo build --release --locked --quiet
bin=$(mktemp)
cp target/release/schoolrun "$bin"
chmod +x "$bin"
work=$(mktemp -d)
trap 'rm -rf "$work" "$bin"' EXIT
variants=scripts/budget-20-variants.toml
echo "load before: $(uptime | sed 's/.*load average: //')"
run() { # OUT THREADS
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" budget data/demo --variants "$variants" \
    --out "$1" --samples "$samples" --threads "$2" --json > "$1.json" 2>/dev/null
  read -r wall mem < "$work/time"
  python3 - "$1.json" "$2" "$wall" "$mem" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
print(f"threads {sys.argv[2]}: {v['jobs']} jobs, wall {float(sys.argv[3]):.1f} s, "
      f"sum of job times {v['job_seconds']:.1f} s, peak {int(sys.argv[4])//1024} MB")
PY
}
run "$work/two" 2
if [ -n "$keep" ]; then rm -rf "$keep" && cp -r "$work/two" "$keep"; fi
echo "load: $(uptime | sed 's/.*load average: //')"
run "$work/one" 1
cmp "$work/two/budget.csv" "$work/one/budget.csv" && echo "budget.csv identical with 1 and 2 threads"
# Kill part way, then resume.
"$bin" budget data/demo --variants "$variants" --out "$work/resume" --samples "$samples" \
  --threads 2 > /dev/null 2>&1 &
pid=$!
sleep 60
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
done_before=$(find "$work/resume/jobs" -name job.json | wc -l)
"$bin" budget data/demo --variants "$variants" --out "$work/resume" --samples "$samples" \
  --threads 2 --json > "$work/resume.json" 2>/dev/null
python3 - "$work/resume.json" "$done_before" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
print(f"killed after 60 s with {sys.argv[2]} jobs finished; the rerun reused {v['reused']} and ran {v['ran']}")
assert v['reused'] == int(sys.argv[2]), "a finished job was lost"
PY
cmp "$work/two/budget.csv" "$work/resume/budget.csv" && echo "budget.csv after the resume identical to the uninterrupted run's"
