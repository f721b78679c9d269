#!/usr/bin/env bash
# Runs the schoolrun demo end to end on the shipped data. Installs what the build needs
# when it is missing (see scripts/setup.sh), then builds in release mode and runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --locked --quiet
exec target/release/schoolrun demo --out "${1:-demo-out}"
