#!/usr/bin/env bash
# Runs the whole test suite (unit, integration, doc tests) in release mode: the tests
# build real road networks and solve real instances, which debug builds make slow.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test --release --locked "$@"
