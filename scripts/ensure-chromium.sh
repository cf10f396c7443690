#!/bin/sh
# Browser tests drive Debian's chromium; install it when missing and we are allowed to.
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "WARNING: could not install chromium; browser tests will be SKIPPED."
else
  echo "WARNING: /usr/bin/chromium is missing and we are not root: browser tests will be SKIPPED."
fi
exit 0
