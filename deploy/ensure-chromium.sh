#!/usr/bin/env bash
# The browser tests (web view, `fetch = "browser"`) drive the system Chromium through Playwright;
# no browser is downloaded by pip. Install Debian's package when it is missing.
set -euo pipefail
# The web view's screenshots show Chinese: a small CJK font, when none is installed.
PACKAGES=chromium
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  PACKAGES="$PACKAGES fonts-wqy-microhei"
fi
if { command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; } && [ "$PACKAGES" = chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get install -y -q $PACKAGES >/dev/null 2>&1 || {
    $SUDO apt-get update -q >/dev/null
    $SUDO apt-get install -y -q $PACKAGES >/dev/null
  }
else
  echo "ensure-chromium: install Chromium with your package manager (no apt-get here)" >&2
  exit 1
fi
