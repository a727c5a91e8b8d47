#!/usr/bin/env bash
# Install the named Debian packages when any is missing. Runs apt-get update once, only if needed.
# Waits for another apt run (a second checkout installing at the same time) instead of failing.
set -euo pipefail
# One install at a time from this machine's checkouts; the second finds the packages installed.
exec 9>/tmp/portal-apt-ensure.lock
flock 9
missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
LOCK_WAIT=(-o DPkg::Lock::Timeout=900)
$SUDO apt-get "${LOCK_WAIT[@]}" update -qq
$SUDO apt-get "${LOCK_WAIT[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
