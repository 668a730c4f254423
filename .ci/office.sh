#!/usr/bin/env bash
# CI: what the report renderer tests convert and look with — LibreOffice (xlsx and html to
# PDF), chromium (html printed to PDF as a browser prints it), poppler (PDF pages to PNG) and
# the CJK fonts the pages are drawn with. Idempotent and quiet: installs only what is missing
# (CI runs as root), and runs `apt-get update` only then.
set -euo pipefail
missing=()
for package in libreoffice-calc-nogui libreoffice-writer-nogui chromium poppler-utils \
               fonts-noto-cjk; do
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
