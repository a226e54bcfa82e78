#!/usr/bin/env bash
# Debian packages the test suite needs beyond a JDK 25 (installed only when missing; .ci/run calls this first):
#   chromium, chromium-driver   the dashboard's browser test (lamina-cli DashboardBrowserTest, driven by Selenium)
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "tools/setup.sh: needs ${need[*]} (Debian packages) and this system has no apt-get; install them another way" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "tools/setup.sh: installing ${need[*]}" >&2
$SUDO apt-get -o DPkg::Lock::Timeout=900 update -q >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q "${need[@]}" >&2
