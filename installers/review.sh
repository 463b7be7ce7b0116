#!/usr/bin/env bash
# What an IT review checks, on a built tarball, in one run (issue 22 item f):
#
#   installers/review.sh dist/dte-desktop-<v>-linux-x86_64.tar.gz KEY.asc [OTHER_BUNDLE_DIR]
#
#   1. GLIBC: the highest GLIBC_ version every ELF file needs, against the stated floor
#      (installers/check_glibc.py: GLIBC_ 2.31, GLIBCXX_ 3.4.28, Debian 11; fails above it);
#   2. Debian 11 (bullseye, glibc 2.31) chroot (CHROOT=/path, default the test chroot of
#      installers/build_in_bullseye.sh): `dte --version` and the frozen self-test inside it;
#   3. signature: `install.sh --check --key KEY.asc` passes on the bundle as built, and fails
#      after each tampering: a file changed, a .so added, a link re-pointed outside the
#      bundle, a file removed;
#   4. an install under umask 077 (per-prefix, with a site file): every folder 0755, every
#      file readable and not group/other-writable; the menu entry passes desktop-file-validate;
#   5. with OTHER_BUNDLE_DIR: a byte-for-byte comparison with another build of the bundle.
# Exit 0 when every check passed. Needs: root (chroot), tar, gpgv, readelf,
# desktop-file-validate, python3.
set -uo pipefail
TARBALL=$(realpath "${1:?usage: review.sh TARBALL KEY.asc [OTHER_BUNDLE]}")
KEY=$(realpath "${2:?usage: review.sh TARBALL KEY.asc [OTHER_BUNDLE]}")
OTHER=${3:-}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-python3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dte-review.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
failed=0
pass() { echo "  PASS  $*"; }
bad() { echo "  FAIL  $*"; failed=1; }
section() { echo; echo "== $*"; }

fresh() {  # a pristine copy of the unpacked tarball in $WORK/$1
    rm -rf "${WORK:?}/$1" && mkdir -p "$WORK/$1" && tar -xzf "$TARBALL" -C "$WORK/$1"
    echo "$WORK/$1/$(ls "$WORK/$1")"
}

echo "review of $(basename "$TARBALL") ($(sha256sum "$TARBALL" | cut -c1-16)…), $(date -u +%FT%TZ)"
STAGE=$(fresh base)
BUNDLE="$STAGE/dte-desktop"

section "1. GLIBC floor (installers/check_glibc.py)"
if "$PY" "$HERE/check_glibc.py" "$BUNDLE" --top 6; then pass "no ELF file needs more than the stated floor"
else bad "some ELF file needs more than the stated floor"; fi

section "2. Debian 11 (bullseye, glibc 2.31) chroot"
CHROOT=${CHROOT:-${BULLSEYE_DIR:-/work/chroot}/bullseye-test}
if [ -x "$CHROOT/bin/sh" ]; then
    # the tarball unpacked into the clean chroot: dte --version, the frozen self-test (no
    # network), check_glibc.py (installers/build_in_bullseye.sh test)
    if TARBALL="$TARBALL" BULLSEYE_DIR=$(dirname "$CHROOT") bash "$HERE/build_in_bullseye.sh" test \
            >"$WORK/chroot.log" 2>&1; then
        grep -E "^bullseye:|^check_glibc|GLIBC_|^selftest: (OK|passed|network)|dte [0-9]" "$WORK/chroot.log" \
            | head -25 | sed 's/^/    /'
        pass "the frozen self-test runs on glibc 2.31 ($CHROOT)"
    else
        tail -15 "$WORK/chroot.log" | sed 's/^/    /'
        bad "the frozen self-test in the Debian 11 chroot ($CHROOT)"
    fi
else
    bad "no Debian 11 chroot at $CHROOT (installers/build_in_bullseye.sh chroots, or CHROOT=…)"
fi

section "3. signature and checksums (install.sh --check --key)"
if sh "$STAGE/install.sh" --check --key "$KEY" >"$WORK/check.log" 2>&1; then pass "as built: $(tail -1 "$WORK/check.log")"
else bad "as built: $(tail -3 "$WORK/check.log")"; fi
tamper() {  # NAME COMMAND…: apply to a fresh copy, --check must fail
    local name=$1; shift
    local s; s=$(fresh "t-$name")
    (cd "$s" && "$@") || { bad "could not tamper ($name)"; return; }
    if sh "$s/install.sh" --check --key "$KEY" >"$WORK/t.log" 2>&1; then
        bad "$name: --check still said OK"
    else pass "$name: refused — $(grep -v '^$' "$WORK/t.log" | tail -1 | cut -c1-110)"; fi
}
tamper "file changed" sh -c 'printf x >> dte-desktop/_internal/base_library.zip'
tamper "extra .so added" sh -c 'cp dte-desktop/_internal/libpython3*.so.1.0 dte-desktop/_internal/libextra.so'
tamper "link re-pointed outside" sh -c 'l=$(find dte-desktop -type l -name "libQt6Core.so*" | head -1); [ -n "$l" ] || l=$(find dte-desktop -type l | head -1); ln -sfn /usr/lib/x86_64-linux-gnu/libc.so.6 "$l"'
tamper "file removed" sh -c 'rm dte-desktop/THIRD-PARTY-NOTICES'
tamper "checksum list edited (signature no longer matches)" sh -c 'printf "%s\n" "# extra" >> BUNDLE-SHA256SUMS'

section "4. install under umask 077, file modes, desktop-file-validate"
PREFIX="$WORK/prefix"; SITED="$WORK/etc/xdg/dte-desktop"
if (umask 077; DTE_SITE_DIR="$SITED" sh "$STAGE/install.sh" --key "$KEY" --prefix "$PREFIX" \
        --site "$STAGE/site.example.toml") >"$WORK/install.log" 2>&1; then
    pass "install.sh under umask 077 (prefix $PREFIX)"
else bad "install.sh under umask 077: $(tail -3 "$WORK/install.log")"; fi
wrong=$(find "$SITED" "$PREFIX" ! -type l \( \( -type d ! -perm -0555 \) -o \( -type f ! -perm -0444 \) -o -perm /0022 \) -printf '%m %p\n' 2>/dev/null | head -5)
if [ -z "$wrong" ]; then
    pass "modes: $(find "$PREFIX" "$SITED" -type d | wc -l) folders, $(find "$PREFIX" "$SITED" -type f | wc -l) files — all readable by users, none group/other-writable; site file $(stat -c %a "$SITED/site.toml")"
else bad "modes: $wrong"; fi
ENTRY="$PREFIX/share/applications/dte-desktop.desktop"
if out=$(desktop-file-validate "$ENTRY" 2>&1) && [ -z "$out" ]; then pass "desktop-file-validate $ENTRY: no message"
else bad "desktop-file-validate: $out"; fi
if ver=$(env -i PATH=/usr/bin:/bin HOME="$WORK" DTE_HOME="$WORK/dte" DTE_SITE_FILE="$SITED/site.toml" \
        "$PREFIX/bin/dte" --version 2>&1); then pass "installed dte --version: $ver"
else bad "installed dte --version: $ver"; fi

if [ -n "$OTHER" ]; then
    section "5. two builds, byte for byte"
    (cd "$BUNDLE" && find . \( -type f -o -type l \) ! -name THIRD-PARTY-NOTICES -printf '%y %p %l\n' | LC_ALL=C sort) > "$WORK/a.tree"
    (cd "$OTHER" && find . \( -type f -o -type l \) ! -name THIRD-PARTY-NOTICES -printf '%y %p %l\n' | LC_ALL=C sort) > "$WORK/b.tree"
    (cd "$BUNDLE" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) > "$WORK/a.sum"
    (cd "$OTHER" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) > "$WORK/b.sum"
    n=$(wc -l < "$WORK/a.sum")
    d=$(diff "$WORK/a.sum" "$WORK/b.sum" | grep -c '^[<>]')
    if [ "$d" = 0 ]; then pass "$n files identical"
    else
        echo "  files differing or only in one build:"
        diff <(cut -c67- "$WORK/a.sum") <(cut -c67- "$WORK/b.sum") | sed 's/^/    /' | head -10
        join -j 2 <(awk '{print $1, $2}' "$WORK/a.sum" | sort -k2) <(awk '{print $1, $2}' "$WORK/b.sum" | sort -k2) \
            | awk '$2 != $3 {print "    content differs: " $1}' | head -10
        bad "the two builds differ ($d lines of the checksum lists)"
    fi
fi

echo
if [ "$failed" = 0 ]; then echo "review: every required check passed"; else echo "review: FAILED"; fi
exit "$failed"
