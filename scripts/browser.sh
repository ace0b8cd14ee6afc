#!/usr/bin/env bash
# Idempotent: make sure Debian's Chromium is installed for the browser test (tests/test_browser.py),
# which drives it with Playwright (no browser download: Playwright uses /usr/bin/chromium).
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then exit 0; fi
if ! command -v apt-get >/dev/null; then
    echo "browser.sh: no /usr/bin/chromium and no apt-get: install Chromium yourself" >&2; exit 1
fi
if [[ $EUID -eq 0 ]]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    echo "browser.sh: need root or sudo to install chromium" >&2; exit 1
fi
echo "browser.sh: installing chromium with apt-get ..." >&2
"${sudo[@]}" apt-get update -q >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2
