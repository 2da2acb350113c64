#!/usr/bin/env bash
# Makes sure headless Chromium is installed for the report.html browser tests and bench:
# finds it, or installs Debian's `chromium` package with apt-get (as root or with sudo).
set -euo pipefail

for bin in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
  if [ -n "$bin" ] && [ -x "$bin" ]; then
    echo "chromium: $bin"
    exit 0
  fi
done

if ! command -v apt-get >/dev/null; then
  echo "no Chromium found and no apt-get to install it: install Chromium and set CHROMIUM=/path/to/it" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
echo "chromium: /usr/bin/chromium"
