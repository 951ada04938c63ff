#!/usr/bin/env bash
# What `make test` needs from Debian beside Python: Chromium and its driver for the browser
# tests, CJK fonts for the printed pages, gettext's msgfmt for the catalogues.
# Missing and root: install them. Missing and not root (or no apt-get): stop `make test` with
# the command to run; the browser journeys are part of the suite and are never skipped.
set -uo pipefail

missing() {
  [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! command -v msgfmt >/dev/null \
    || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto.*cjk"
}

if ! missing; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "make test: installing chromium chromium-driver fonts-wqy-microhei gettext (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei gettext >/dev/null; then
    exit 0
  fi
  echo "make test: apt-get could not install the browser packages" >&2
fi

cat >&2 <<'MSG'
************************************************************************************
* make test: Debian's chromium / chromium-driver / fonts-wqy-microhei / gettext are *
* missing and cannot be installed here (not root, or apt-get failed).               *
* The browser journeys (tests/e2e) cannot run, so the suite stops here. Install:   *
*   sudo apt-get install -y chromium chromium-driver fonts-wqy-microhei gettext     *
************************************************************************************
MSG
exit 1
