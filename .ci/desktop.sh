#!/usr/bin/env bash
# CI: what the tests look at pages and files with, from Debian's packages — chromium (the
# dashboard's browser tests, and HTML printed to PDF as a browser prints it), LibreOffice
# (xlsx and html converted to PDF), poppler (PDF pages to PNG) and the CJK fonts everything is
# drawn with. Idempotent and quiet: installs only what is missing (CI runs as root) and runs
# `apt-get update` only then. Nothing is downloaded at test time; Playwright's own browser
# download is never used.
set -euo pipefail
missing=()
for package in chromium fonts-noto-cjk libreoffice-calc-nogui libreoffice-writer-nogui \
               poppler-utils; do
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
