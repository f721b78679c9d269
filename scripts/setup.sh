#!/usr/bin/env bash
# Installs the system packages the build needs, only when they are missing. Safe to run
# repeatedly. Today the build needs only the Rust toolchain and a C compiler.
set -euo pipefail
need=()
command -v cc >/dev/null 2>&1 || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  fi
fi
