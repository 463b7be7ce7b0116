#!/usr/bin/env bash
# Self-test of the frozen bundle, with no network.
#
#   installers/selftest_frozen.sh [BUNDLE_DIR]        (default: dist/dte-desktop)
#
# In a throwaway DTE_HOME (encrypted-file credential store, DTE_KEYRING=file), it runs:
#   1. dte-desktop --selftest --screenshot …  (offscreen: opens the window, builds the demo
#      database, grabs a PNG, exits 0)
#   2. dte --version; dte demo --json; dte profile "Demo (SQLite)" products --json;
#      dte export "Demo (SQLite)" products --out … --json (and checks the files + manifest)
#   2b. dte-desktop --selftest --screenshots … --tour screens  (the screen tour; its exports run in the
#      bundle's `dte _job-worker` process, so this proves the GUI finds and starts it)
#   3. dte-desktop --selftest again, timed (demo database present: start → window → grab → exit)
# Every step runs inside a network namespace with no interfaces (`unshare -n`; as non-root
# `unshare -rn`), and steps 1–2 also under `strace -f -e trace=socket,connect,bind,sendto,sendmsg`: the
# test fails if any process of the bundle tries to reach an address that is not local
# (AF_INET/AF_INET6 other than loopback). AF_UNIX/AF_NETLINK sockets are listed, not failed.
#
# Env: DTE_SELFTEST_REQUIRE_ISOLATION=1 fails (instead of warning) when unshare/strace are
# missing; DTE_SELFTEST_KEEP=1 keeps the temporary folder; DTE_SELFTEST_REPORT=FILE writes
# the timings as JSON.
set -euo pipefail

BUNDLE=$(cd "${1:-dist/dte-desktop}" && pwd)
GUI="$BUNDLE/dte-desktop"
CLI="$BUNDLE/dte"
[ -x "$GUI" ] && [ -x "$CLI" ] || { echo "selftest: no executables in $BUNDLE" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dte-frozen-selftest.XXXXXX")
cleanup() { [ "${DTE_SELFTEST_KEEP:-0}" = 1 ] && echo "kept $TMP" || rm -rf "$TMP"; }
trap cleanup EXIT
require=${DTE_SELFTEST_REQUIRE_ISOLATION:-0}
fail() { echo "selftest FAILED: $*" >&2; exit 1; }
note() { echo "selftest: $*"; }

# A clean environment: nothing from the build venv or the caller leaks in.
ENVV=(env -i "PATH=/usr/bin:/bin" "HOME=$TMP/home" "LANG=C.UTF-8" "TMPDIR=$TMP"
      "DTE_HOME=$TMP/dte-home" "DTE_KEYRING=file" "DTE_MASTER_PASSPHRASE=frozen-selftest-pass"
      "DTE_SITE_FILE=$TMP/no-site.toml" "QT_QPA_PLATFORM=offscreen" "XDG_RUNTIME_DIR=$TMP/run")
mkdir -p "$TMP/home" "$TMP/run" && chmod 700 "$TMP/run"

# --- isolation: network namespace with no interfaces ---------------------------------------
NETNS=()
if command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
    NETNS=(unshare -n)
elif command -v unshare >/dev/null && unshare -rn true 2>/dev/null; then
    NETNS=(unshare -rn)
elif [ "$require" = 1 ]; then
    fail "cannot create a network namespace (unshare -n / -rn)"
else
    note "WARNING: no network namespace available; running with the host network"
fi
if [ ${#NETNS[@]} -gt 0 ]; then
    ifaces=$("${NETNS[@]}" cat /proc/net/dev | tail -n +3 | awk -F: '{gsub(/ /,"",$1); print $1}' | tr '\n' ' ')
    note "network namespace: ${NETNS[*]} (interfaces: ${ifaces:-none}; lo is down)"
fi
STRACE=()
if command -v strace >/dev/null && strace -f -qq -e trace=connect -o /dev/null true 2>/dev/null; then
    STRACE_ON=1
elif [ "$require" = 1 ]; then
    fail "strace is not usable (apt-get install strace)"
else
    STRACE_ON=0; note "WARNING: strace not usable; connect() calls are not traced"
fi

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# run STEP traced|plain CMD... : stdout -> $TMP/STEP.out, stderr -> $TMP/STEP.err
run() {
    local step=$1 mode=$2; shift 2
    local pre=("${NETNS[@]}")
    if [ "$mode" = traced ] && [ "$STRACE_ON" = 1 ]; then
        pre+=(strace -f -qq -e trace=socket,connect,bind,sendto,sendmsg -o "$TMP/strace.$step")
    fi
    local t0 t1 rc=0
    t0=$(now)
    "${pre[@]}" "${ENVV[@]}" "$@" >"$TMP/$step.out" 2>"$TMP/$step.err" || rc=$?
    t1=$(now)
    LAST_SECONDS=$(elapsed "$t0" "$t1")
    if [ $rc -ne 0 ]; then
        echo "--- $step stdout"; tail -n 20 "$TMP/$step.out"
        echo "--- $step stderr"; tail -n 40 "$TMP/$step.err"
        fail "$step exited $rc"
    fi
    note "$step ok (${LAST_SECONDS}s)"
}

# 1. GUI self-test, first start (creates history + demo database)
run gui-first traced "$GUI" --selftest --screenshot "$TMP/selftest.png"
T_GUI_FIRST=$LAST_SECONDS
[ -s "$TMP/selftest.png" ] || fail "no screenshot written"
head -c 8 "$TMP/selftest.png" | od -An -c | grep -q 'P   N   G' || fail "screenshot is not a PNG"
[ -f "$TMP/dte-home/history.sqlite" ] || fail "no history database"
[ -f "$TMP/dte-home/demo.sqlite" ] || fail "no demo database"
if [ -n "${DTE_SELFTEST_SCREENSHOT:-}" ]; then cp "$TMP/selftest.png" "$DTE_SELFTEST_SCREENSHOT"; fi

# 2. the CLI
run cli-version traced "$CLI" --version
grep -q '^dte [0-9]' "$TMP/cli-version.out" || fail "dte --version printed: $(cat "$TMP/cli-version.out")"
run cli-demo traced "$CLI" demo --json
T_CLI_DEMO=$LAST_SECONDS
run cli-profile traced "$CLI" profile "Demo (SQLite)" products --json
T_CLI_PROFILE=$LAST_SECONDS
run cli-export traced "$CLI" export "Demo (SQLite)" products --out "$TMP/export" --json
T_CLI_EXPORT=$LAST_SECONDS
if command -v python3 >/dev/null; then  # the host's Python only reads the JSON printed
    for step in cli-demo cli-profile cli-export; do
        python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/$step.out" \
            || fail "$step did not print JSON"
    done
fi
find "$TMP/export" -name 'manifest.json' | grep -q . || fail "export wrote no manifest.json"
find "$TMP/export" -name '*.parquet' | grep -q . || fail "export wrote no .parquet file"
ls "$TMP/export"/* >/dev/null

# 2b. the GUI's screen tour: its exports run in `dte _job-worker` processes of the bundle
# the screen tour only: the first-session tour needs a PostgreSQL server, which a self-test
# with no network (and an IT reviewer's machine) does not have
run gui-tour traced "$GUI" --selftest --screenshots "$TMP/shots" --tour screens
T_GUI_TOUR=$LAST_SECONDS
for theme in light dark; do
    for screen in main preview profile job-running quit-confirm job-done; do
        [ -s "$TMP/shots/$theme-$screen.png" ] || fail "tour wrote no $theme-$screen.png"
    done
done
grep -rqs '\[worker [0-9]*\] job [0-9]* started' "$TMP/dte-home/logs" \
    || fail "the app's log holds no line from a job worker process"
find "$TMP/dte-home/exports" -path '*selftest-light*' -name 'manifest.json' | grep -q . \
    || fail "the GUI tour's export (run by the job worker) wrote no manifest.json"

# 3. timed start with the demo database present (no strace: it slows start-up)
run gui-warm plain "$GUI" --selftest --screenshot "$TMP/selftest2.png"
T_GUI_WARM=$LAST_SECONDS

# --- what the processes tried to reach --------------------------------------------------------
BAD=0
if [ "$STRACE_ON" = 1 ]; then
    cat "$TMP"/strace.[a-z]*-* > "$TMP/strace.all"
    total=$(grep -cE 'connect\(|sendto\(|sendmsg\(' "$TMP/strace.all" || true)
    count() { grep -oE "$1" "$TMP/strace.all" | grep -oE 'AF_[A-Z0-9]+' | sort | uniq -c \
                  | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}' || true; }
    families=$(count 'sa_family=AF_[A-Z0-9]+')
    sockets=$(count 'socket\(AF_[A-Z0-9]+')
    # non-local IPv4/IPv6 destinations
    grep -E 'sa_family=AF_INET6?' "$TMP/strace.all" \
        | grep -vE 'inet_addr\("127\.|inet_pton\(AF_INET6, "::1"|inet_pton\(AF_INET6, "::ffff:127\.' \
        > "$TMP/nonlocal" || true
    if [ -s "$TMP/nonlocal" ]; then
        BAD=1
        echo "--- non-local connection attempts:"; head -n 20 "$TMP/nonlocal"
    fi
    note "sockets created: ${sockets:-none}; connect/send calls: $total (${families:-none}); non-local: $(wc -l < "$TMP/nonlocal")"
    [ "${DTE_SELFTEST_KEEP:-0}" = 1 ] && note "strace logs: $TMP/strace.*"
fi
[ $BAD = 0 ] || fail "the frozen app tried to reach the network"

if [ -n "${DTE_SELFTEST_REPORT:-}" ]; then
    cat > "$DTE_SELFTEST_REPORT" <<JSON
{"gui_selftest_first_s": $T_GUI_FIRST, "gui_selftest_warm_s": $T_GUI_WARM,
 "gui_tour_s": $T_GUI_TOUR, "cli_demo_s": $T_CLI_DEMO, "cli_profile_s": $T_CLI_PROFILE, "cli_export_s": $T_CLI_EXPORT,
 "netns": "${NETNS[*]:-none}", "strace": $STRACE_ON}
JSON
fi
note "PASSED (GUI self-test first run ${T_GUI_FIRST}s, with demo present ${T_GUI_WARM}s)"
