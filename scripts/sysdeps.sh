#!/usr/bin/env bash
# Install the Debian packages Solidaire needs when they are missing:
#   libharfbuzz-subset0  fast font subsetting for WeasyPrint (else ~10x slower PDFs)
#   postgresql           the server the test suite also runs on
#   chromium             headless browser for the page tests (driven by Playwright)
#   wrk                  HTTP load generator for the benchmarks in bench/
set -euo pipefail
wanted=(libharfbuzz-subset0 postgresql chromium fonts-dejavu-core wrk)
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "== installing system packages (a few minutes the first time): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# -q: one line per package downloaded and set up, without the progress bars.
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "== system packages installed"
