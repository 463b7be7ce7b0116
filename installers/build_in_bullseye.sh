#!/usr/bin/env bash
# Build the Linux bundle on Debian 11 (bullseye, glibc 2.31) so it runs on glibc >= 2.31
# (issue 22 item 1), and prove it in a second, clean bullseye chroot. Run as root on any
# Debian-like host with debootstrap; reaches only Debian's package archive and PyPI.
#
#   installers/build_in_bullseye.sh [all|chroots|python|build|test]     (default: all)
#   make package-bullseye
#
#   chroots  debootstrap --variant=minbase bullseye twice, outside the repository:
#            $BULLSEYE_DIR/bullseye-build (compilers, the build venv) and
#            $BULLSEYE_DIR/bullseye-test (minbase + only what a target desktop has)
#   python   CPython 3.11 built inside bullseye-build from Debian's own source package
#            (bookworm's python3.11 orig tarball, fetched with `apt-get source`, checked by
#            apt against the signed Sources index); --enable-shared, no PGO/LTO, no readline
#            (GPL-3), make -j2 — the interpreter decides libpython's glibc floor
#   build    the project's tree (git archive HEAD: what is committed, nothing else) into the
#            build chroot; build venv from installers/lock/linux-x86_64.lock (--require-hashes);
#            `installers/package.sh` there (PyInstaller, check_glibc.py --floor 2.31, SBOM,
#            frozen self-test, tarball, SHA256SUMS); dist/ copied back to $OUT
#   test     the tarball ($TARBALL, default the one in $OUT) unpacked into bullseye-test; `dte --version`, the frozen self-test
#            (installers/selftest_frozen.sh, no network) and check_glibc.py there
#
# Env: BULLSEYE_DIR (default /work/chroot), OUT (default dist-bullseye/ in the repository),
# REF (default HEAD: the commit built), SOURCE_DATE_EPOCH (default: that commit's time),
# JOBS (default 2), SIGNING_KEY/GNUPGHOME (passed to package.sh), DEBIAN_MIRROR
# (debootstrap's default when unset).
set -euo pipefail

ROOT=${DTE_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
DIR=${BULLSEYE_DIR:-/work/chroot}
BUILD="$DIR/bullseye-build"
TEST="$DIR/bullseye-test"
OUT=${OUT:-$ROOT/dist-bullseye}
JOBS=${JOBS:-2}
PYPREFIX=/opt/python3.11
VENV=/opt/dte-build-venv
REF=${REF:-HEAD}  # the commit to build (two builds of one commit must be byte-identical)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct "$REF")}
say() { echo "bullseye: $*"; }
[ "$(id -u)" = 0 ] || { echo "bullseye: run as root (debootstrap, chroot)" >&2; exit 2; }

MOUNTED=()
cleanup() { for ((i=${#MOUNTED[@]}-1; i>=0; i--)); do umount -l "${MOUNTED[$i]}" 2>/dev/null || true; done; }
trap cleanup EXIT
mounts() {  # /proc, /sys, /dev inside a chroot (unshare, apt and the compiler need them)
    local d=$1 m
    for m in proc sys dev dev/pts; do
        mountpoint -q "$d/$m" && continue
        mkdir -p "$d/$m"
        case $m in
            proc) mount -t proc proc "$d/proc" ;;
            sys) mount -t sysfs sys "$d/sys" ;;
            *) mount --bind "/$m" "$d/$m" ;;
        esac
        MOUNTED+=("$d/$m")
    done
    cp -L /etc/resolv.conf "$d/etc/resolv.conf" 2>/dev/null || true
    # the build host's trust store for pip (a site behind a TLS-inspecting proxy adds its CA
    # there); apt checks Debian's signatures and needs none of it
    cp -L "${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" "$d/etc/ssl/build-host-ca.crt" 2>/dev/null || true
}
run_in() {  # DIR COMMAND: a login-free, clean environment inside the chroot
    local d=$1; shift
    chroot "$d" env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" \
        SIGNING_KEY="${SIGNING_KEY:-}" JOBS="$JOBS" PIP_CERT=/etc/ssl/build-host-ca.crt \
        bash -euo pipefail -c "$*"
}

stage_chroots() {
    command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
    mkdir -p "$DIR"
    for d in "$BUILD" "$TEST"; do
        [ -x "$d/bin/sh" ] && { say "$d exists"; continue; }
        say "debootstrap bullseye $d"
        # shellcheck disable=SC2086
        debootstrap --variant=minbase bullseye "$d" ${DEBIAN_MIRROR:-} >"$DIR/$(basename "$d").log" 2>&1 \
            || { tail -5 "$DIR/$(basename "$d").log" >&2; exit 1; }
    done
    mounts "$BUILD"
    # compilers and headers for CPython (no libreadline-dev: GNU readline is GPL-3), binutils
    # for PyInstaller and strip, strace for the self-test, gpg for signing
    run_in "$BUILD" 'apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        build-essential pkg-config xz-utils ca-certificates zlib1g-dev libssl-dev libbz2-dev \
        libffi-dev liblzma-dev libsqlite3-dev uuid-dev libgdbm-dev libncurses-dev binutils \
        strace gnupg desktop-file-utils >/dev/null && ldd --version | sed -n 1p'
}

stage_python() {
    mounts "$BUILD"
    if run_in "$BUILD" "test -x $PYPREFIX/bin/python3.11"; then
        say "CPython: $(run_in "$BUILD" "$PYPREFIX/bin/python3.11 -VV")"; return
    fi
    # Debian's sources of the same release line as the developers' 3.11
    run_in "$BUILD" 'mirror=$(sed -n "s/^deb \([^ ]*\) bullseye main.*/\1/p" /etc/apt/sources.list | head -1)
        echo "deb-src $mirror bookworm main" > /etc/apt/sources.list.d/bookworm-src.list
        apt-get update -qq && mkdir -p /usr/src/python && cd /usr/src/python \
        && apt-get source --download-only -qq python3.11 && ls -l'
    say "building CPython 3.11 (no PGO/LTO, make -j$JOBS; 5–15 minutes)…"
    run_in "$BUILD" "cd /usr/src/python && rm -rf Python-3.11.* && tar -xf python3.11_*.orig.tar.* \
        && cd Python-3.11.* && ./configure -q --prefix=$PYPREFIX --enable-shared \
           LDFLAGS=-Wl,-rpath,$PYPREFIX/lib >/dev/null \
        && make -s -j\$JOBS >/dev/null 2>make.err && make -s altinstall >/dev/null 2>>make.err \
        && $PYPREFIX/bin/python3.11 -VV \
        && $PYPREFIX/bin/python3.11 -c 'import ssl, sqlite3, lzma, bz2, ctypes, zlib, uuid; print(ssl.OPENSSL_VERSION)' \
        && ! $PYPREFIX/bin/python3.11 -c 'import readline' 2>/dev/null && echo 'no readline module'"
}

stage_build() {
    mounts "$BUILD"
    say "project tree: git archive $(git -C "$ROOT" rev-parse --short "$REF"), SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
    rm -rf "$BUILD/src/dte" && mkdir -p "$BUILD/src/dte"
    git -C "$ROOT" archive "$REF" | tar -x -C "$BUILD/src/dte"
    [ -n "${GNUPGHOME:-}" ] && { rm -rf "$BUILD/root/.gnupg"; cp -a "$GNUPGHOME" "$BUILD/root/.gnupg"; }
    run_in "$BUILD" "rm -rf $VENV && $PYPREFIX/bin/python3.11 -m venv $VENV \
        && $VENV/bin/pip install -q --disable-pip-version-check --require-hashes --no-deps \
           -r /src/dte/installers/lock/linux-x86_64.lock \
        && cd /src/dte && $VENV/bin/pip install -q --no-index --no-deps --no-build-isolation -e . \
        && DTE_QT_LIBS_INSTALL=1 bash scripts/ensure_qt_libs.sh $VENV/bin/python \
        && PY=$VENV/bin/python bash installers/package.sh"
    rm -rf "$OUT" && mkdir -p "$OUT"
    cp -a "$BUILD/src/dte/dist/." "$OUT/"
    cp "$BUILD/src/dte/build/check-glibc.txt" "$BUILD/src/dte/build/package-report.json" "$OUT/" 2>/dev/null || true
    say "artefacts in $OUT"
}

stage_test() {
    local tarball=${TARBALL:-}
    [ -n "$tarball" ] || tarball=$(ls "$OUT"/dte-desktop-*-linux-*.tar.gz | head -1)
    mounts "$TEST"
    # what a bullseye desktop has and the bundle takes from it (build_spec.spec HOST_RUNTIME,
    # OpenGL/EGL/fontconfig stay the system's), plus strace for the self-test's socket audit
    run_in "$TEST" 'apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        libexpat1 libgl1 libegl1 libfontconfig1 libx11-6 libx11-xcb1 libxkbcommon0 libglib2.0-0 \
        libdbus-1-3 strace >/dev/null; ldd --version | sed -n 1p'
    rm -rf "$TEST/opt/dte-test" && mkdir -p "$TEST/opt/dte-test"
    tar -xzf "$tarball" -C "$TEST/opt/dte-test"
    cp "$ROOT/installers/selftest_frozen.sh" "$TEST/opt/dte-test/"
    local b; b=$(cd "$TEST/opt/dte-test" && ls -d dte-desktop-*/dte-desktop)
    say "in $TEST ($(run_in "$TEST" 'ldd --version | sed -n 1p')): $b"
    run_in "$TEST" "cd /opt/dte-test && ./$b/dte --version \
        && DTE_SELFTEST_REQUIRE_ISOLATION=1 bash selftest_frozen.sh $b"
    # static check of the same files (readelf; the test chroot has no Python)
    python3 "$ROOT/installers/check_glibc.py" "$TEST/opt/dte-test/$b" --top 12
    say "OK: the frozen self-test passed on glibc 2.31"
}

case "${1:-all}" in
    chroots) stage_chroots ;;
    python) stage_python ;;
    build) stage_build ;;
    test) stage_test ;;
    all) stage_chroots; stage_python; stage_build; stage_test ;;
    *) echo "usage: $0 [all|chroots|python|build|test]" >&2; exit 2 ;;
esac
