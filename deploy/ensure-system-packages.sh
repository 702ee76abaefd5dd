#!/usr/bin/env bash
# System packages govwatch needs beyond Python: Chromium (pages behind JavaScript challenges),
# a CJK font (Chinese labels in charts) and antiword (text of .doc/.wps attachments). Installs them from Debian/Ubuntu packages where
# missing (as root or with sudo); says what to do elsewhere. Idempotent and quiet when done.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
command -v antiword >/dev/null 2>&1 || missing+=(antiword)

if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "ensure-system-packages: installing ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "ensure-system-packages: please install ${missing[*]} (no apt-get here)." >&2
    echo "  Chromium alternative with internet: .venv/bin/playwright install chromium" >&2
    exit 1
  fi
fi
[ -x /usr/bin/chromium ] || command -v chromium >/dev/null || { echo "ensure-system-packages: chromium missing" >&2; exit 1; }
echo "ensure-system-packages: chromium, a CJK font and antiword are present"
