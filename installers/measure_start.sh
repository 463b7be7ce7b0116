#!/usr/bin/env bash
# Start time of the frozen GUI to its first mapped window, on a real X server (Xvfb + xcb),
# with no network. Not part of `make package` (needs Xvfb and xdotool: apt-get install xvfb
# xdotool); the numbers go to the report.
#
#   installers/measure_start.sh [BUNDLE_DIR] [RUNS]      (default dist/dte-desktop, 5)
#
# Each run: launch `dte-desktop` (demo database already built in a throwaway DTE_HOME), poll
# `xdotool search --onlyvisible --name "DTE Desktop"` every 10 ms, print the time to the first
# visible top-level window (Qt maps it right before its first paint), kill the app.
# Run 1 is after `echo 3 > /proc/sys/vm/drop_caches` when permitted (a cold page cache).
set -euo pipefail
BUNDLE=$(cd "${1:-dist/dte-desktop}" && pwd)
RUNS=${2:-5}
command -v Xvfb >/dev/null && command -v xdotool >/dev/null \
    || { echo "measure_start: needs Xvfb and xdotool" >&2; exit 2; }
TMP=$(mktemp -d)
# a free display number, chosen by Xvfb itself (-displayfd)
Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp 3>"$TMP/display" >/dev/null 2>&1 &
XPID=$!
trap 'kill $XPID 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do [ -s "$TMP/display" ] && break; sleep 0.1; done
DISPLAY_NUM=:$(head -n1 "$TMP/display")
ENVV=(env -i "PATH=/usr/bin:/bin" "HOME=$TMP" "DISPLAY=$DISPLAY_NUM" "LANG=C.UTF-8"
      "DTE_HOME=$TMP/h" "DTE_KEYRING=file" "DTE_MASTER_PASSPHRASE=measure"
      "DTE_SITE_FILE=$TMP/none" "XDG_RUNTIME_DIR=$TMP")
NETNS=(); unshare -n true 2>/dev/null && NETNS=(unshare -n)
# Xvfb's socket is a Unix socket in /tmp/.X11-unix: reachable from inside the netns.
"${NETNS[@]}" "${ENVV[@]}" "$BUNDLE/dte" demo >/dev/null   # build the demo database first

for i in $(seq 1 "$RUNS"); do
    cold=""
    if [ "$i" = 1 ]; then sync; echo 3 2>/dev/null > /proc/sys/vm/drop_caches && cold=" (cold cache)"; fi
    t0=$(date +%s%N)
    "${NETNS[@]}" "${ENVV[@]}" "$BUNDLE/dte-desktop" >"$TMP/run$i.log" 2>&1 &
    APP=$!
    until DISPLAY=$DISPLAY_NUM xdotool search --onlyvisible --name "DTE Desktop" >/dev/null 2>&1; do
        kill -0 $APP 2>/dev/null || { echo "run $i: the app exited before showing a window:" >&2
                                     tail -n 20 "$TMP/run$i.log" >&2; exit 1; }
        sleep 0.01
    done
    t1=$(date +%s%N)
    echo "run $i: first window after $(( (t1 - t0) / 1000000 )) ms$cold"
    kill $APP; wait $APP 2>/dev/null || true
done
