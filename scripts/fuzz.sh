#!/usr/bin/env bash
# Coverage-guided fuzzing of the readers (cargo fuzz, libFuzzer).
#   scripts/fuzz.sh TARGET [SECONDS]     e.g. scripts/fuzz.sh scenario_csv 600
# Targets: scenario_csv scenario_toml instance network_cache plan_file (fuzz/fuzz_targets).
# Seeds come from the shipped data; crashes land in fuzz/artifacts/TARGET/.
# cargo-fuzz needs nightly features; on a stable toolchain RUSTC_BOOTSTRAP=1 enables them.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?target}
seconds=${2:-600}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus=fuzz/corpus/$target
mkdir -p "$corpus"
seed() { # seed NAME PICK-BYTE FILE
    { printf "\\x$(printf %02x "$2")"; cat "$3"; } >"$corpus/seed-$1"
}
case $target in
scenario_csv)
    i=0
    for f in schools pupils vehicles operators rates bids bundles current_routes; do
        [ -f data/demo/$f.csv ] && seed "$f" $i data/demo/$f.csv
        i=$((i + 1))
    done
    printf '\x05operator_id,route_id,price_per_day\nOP1,N001,90\n' >"$corpus/seed-bids"
    ;;
scenario_toml) cp data/demo/scenario.toml "$corpus/seed-demo" ;;
instance)
    seed vrp 0 tests/data/X-n101-k25.vrp
    seed json 1 tests/data/repro_K6.json
    seed solomon 2 tests/data/C101.txt
    seed lilim 2 tests/data/lc101.txt
    ;;
network_cache) printf '\x01\x00\x00\x00\x00\x00\x00\x00\x00' >"$corpus/seed-empty" ;;
plan_file)
    out=$(mktemp -d)
    cargo run --release --quiet -- plan data/demo --out "$out" --iterations 200 --no-recombine --json >/dev/null
    cp "$out/plan.json" "$corpus/seed-demo"
    rm -rf "$out"
    ;;
*) echo "unknown target $target" >&2; exit 2 ;;
esac
case $target in
scenario_csv | scenario_toml | plan_file) max_len=65536 ;;
instance) max_len=16384 ;;
*) max_len=4096 ;;
esac
cd fuzz
RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len="$max_len" -len_control=0 -rss_limit_mb=4096 -timeout=20 -print_final_stats=1
