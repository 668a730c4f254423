#!/usr/bin/env bash
# CI: the browser the dashboard tests drive — Debian's chromium and the CJK fonts the pages
# are drawn with. Idempotent: installs only what is missing (CI runs as root). Nothing is
# downloaded at test time, and Playwright's own browser download is never used.
set -euo pipefail
missing=()
for package in chromium fonts-noto-cjk; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
