# Shared by the benchmark scripts (sourced, not run). After `bench_setup SET`:
#   $dir  the benchmark folder (the script exits 0 with a message when it is missing)
#   $bin  a private copy of the release binary, so rebuilding during a long run cannot
#         change the binary under test
# `bench_instances` lists the instance files; `bench_limit FILE LIMIT` turns "n/10" into
# customers / 10 seconds (the CVRPLIB X protocol) and passes numbers through.
bench_setup() {
  local data=${SCHOOLRUN_BENCH_DATA:-../shared/data/bench}
  dir="$data/$1"
  if [ ! -d "$dir" ]; then
    echo "benchmark data not found at $dir (set SCHOOLRUN_BENCH_DATA); skipping" >&2
    exit 0
  fi
  cargo build --release --locked --quiet
  bin=$(mktemp)
  cp target/release/schoolrun "$bin"
  chmod +x "$bin"
}

bench_instances() {
  local f
  for f in "$dir"/*.txt "$dir"/*.vrp; do
    [ -e "$f" ] || continue
    case "$(basename "$f")" in SOURCES*|*.sol) continue ;; esac
    echo "$f"
  done
}

bench_limit() {
  if [ "$2" = "n/10" ]; then
    local n
    n=$(basename "$1" | sed -E 's/^X-n([0-9]+)-.*/\1/')
    echo $(( (n - 1) / 10 ))
  else
    echo "$2"
  fi
}
