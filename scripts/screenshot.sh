#!/usr/bin/env bash
# Opens a report in headless Chromium and saves a screenshot of it, installing Debian's
# chromium when it is missing. The report must render with no network access.
#
# usage: scripts/screenshot.sh REPORT.html OUT.png [WIDTH] [HEIGHT]
set -euo pipefail
report=${1:?usage: scripts/screenshot.sh REPORT.html OUT.png [WIDTH] [HEIGHT]}
png=${2:?usage: scripts/screenshot.sh REPORT.html OUT.png [WIDTH] [HEIGHT]}
width=${3:-1280}
height=${4:-2400}
if ! command -v chromium >/dev/null 2>&1; then
  echo "screenshot: installing chromium" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
abs=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size="$width,$height" \
  --screenshot="$png" "file://$abs" >/dev/null 2>&1
test -s "$png"
echo "wrote $png"
