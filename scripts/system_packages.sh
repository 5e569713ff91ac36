#!/usr/bin/env bash
# Install the Debian packages the tests need (headless Chromium and CJK fonts for the browser
# tests; poppler-utils and w3m for the tool-output reading tests) when they are missing.
# Run by `make test` (target system-packages); as root with apt-get it installs, otherwise it
# says what is missing and the tests that need it skip, naming this command.
set -uo pipefail
missing=()
for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "system-packages: missing ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
    exit 0
fi
echo "system-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null &&
    apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
    { echo "system-packages: apt-get install ${missing[*]} failed" >&2; exit 1; }
