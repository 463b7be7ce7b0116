#!/usr/bin/env bash
# The Secret Service test needs gnome-keyring and dbus, the report test chromium, the installer test
# desktop-file-validate (Debian packages). Install them when
# missing and we are allowed to (root with apt); otherwise say so — the test then reports it.
set -u
need=()
command -v gnome-keyring-daemon >/dev/null || need+=(gnome-keyring)
command -v dbus-run-session >/dev/null || need+=(dbus)
command -v desktop-file-validate >/dev/null || need+=(desktop-file-utils)  # installer tests
command -v chromium >/dev/null || need+=(chromium)  # the HTML report is rendered in a test
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure_test_tools: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null \
    || echo "ensure_test_tools: could not install ${need[*]}" >&2
else
  echo "ensure_test_tools: ${need[*]} missing and cannot be installed here" >&2
fi
exit 0
