#!/bin/sh
# DTE Desktop offline installer for Linux. Needs no network: everything is in this folder.
#
#   sudo ./install.sh                      # /opt/dte-desktop, links in /usr/local/bin,
#                                          # menu entry in /usr/share/applications
#   ./install.sh --prefix "$HOME/.local"   # per-user: ~/.local/opt/dte-desktop, ~/.local/bin,
#                                          # ~/.local/share/applications
#   sudo ./install.sh --site site.toml     # also installs the read-only site file
#                                          # (/etc/xdg/dte-desktop/site.toml)
#   sudo ./install.sh --uninstall [--prefix …]   # removes what install.sh put there
#                                          # (never the site file, nor users' data)
#   ./install.sh --check --key KEY.asc     # only verify: the builder's signature (KEY.asc:
#                                          # their public key, from a channel you trust),
#                                          # every file's checksum, no file or link changed,
#                                          # added or removed (install verifies the same)
#   --allow-unsigned                       # accept a bundle without a signature (test builds)
#
# Site file (read-only presets: connections without secrets, locked masking policy, default
# export folder): /etc/xdg/dte-desktop/site.toml — platformdirs' site_config_dir, or the first
# folder of $XDG_CONFIG_DIRS when that is set; DTE_SITE_FILE overrides it per process.
set -eu
# Modes must not depend on the admin's umask: under 077 the site folder and the app would be
# 0700 root and every user's dte would fail. Every folder and file below is set explicitly too.
umask 022

HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=""
SITE=""
KEY=""
ALLOW_UNSIGNED=0
ACTION=install

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX=${2:?--prefix needs a folder}; shift 2 ;;
        --prefix=*) PREFIX=${1#--prefix=}; shift ;;
        --site) SITE=${2:?--site needs a file}; shift 2 ;;
        --site=*) SITE=${1#--site=}; shift ;;
        --uninstall) ACTION=uninstall; shift ;;
        --check) ACTION=check; shift ;;
        --key) KEY=${2:?--key needs a public key file}; shift 2 ;;
        --key=*) KEY=${1#--key=}; shift ;;
        --allow-unsigned) ALLOW_UNSIGNED=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

if [ -z "$PREFIX" ]; then
    APPDIR=/opt/dte-desktop
    BINDIR=/usr/local/bin
    APPS=/usr/share/applications
    ICONS=/usr/share/icons/hicolor
else
    PREFIX=$(mkdir -p "$PREFIX" && cd "$PREFIX" && pwd)
    APPDIR=$PREFIX/opt/dte-desktop
    BINDIR=$PREFIX/bin
    APPS=$PREFIX/share/applications
    ICONS=$PREFIX/share/icons/hicolor
fi
SITE_DIR=${DTE_SITE_DIR:-/etc/xdg/dte-desktop}  # the override is for the installer tests

fail() { echo "install.sh: $*; not installing." >&2; exit 1; }

verify_signature() {
    sig="$HERE/BUNDLE-SHA256SUMS.asc"
    if [ -z "$KEY" ]; then
        [ "$ALLOW_UNSIGNED" = 1 ] && { echo "install.sh: WARNING: signature not checked (--allow-unsigned)" >&2; return 0; }
        if [ -f "$sig" ]; then
            fail "pass --key FILE: the builder's public key, obtained from a channel you trust (a key shipped inside the bundle would prove nothing)"
        fi
        fail "the bundle is not signed (no BUNDLE-SHA256SUMS.asc); --allow-unsigned accepts it"
    fi
    [ -f "$sig" ] || fail "the bundle is not signed (no BUNDLE-SHA256SUMS.asc)"
    command -v gpgv >/dev/null 2>&1 || fail "gpgv (GnuPG) is needed to check the signature"
    ring=$(mktemp "${TMPDIR:-/tmp}/dte-install-key.XXXXXX")
    if command -v gpg >/dev/null 2>&1 && grep -q "BEGIN PGP PUBLIC KEY BLOCK" "$KEY" 2>/dev/null; then
        gpg --batch --quiet --dearmor < "$KEY" > "$ring" 2>/dev/null || { rm -f "$ring"; fail "$KEY is not an OpenPGP public key"; }
    else
        cp "$KEY" "$ring" || { rm -f "$ring"; fail "cannot read $KEY"; }
    fi
    if ! gpgv --keyring "$ring" "$sig" "$HERE/BUNDLE-SHA256SUMS" >/dev/null 2>&1; then
        rm -f "$ring"
        fail "the signature of BUNDLE-SHA256SUMS does not verify with $KEY"
    fi
    rm -f "$ring"
    echo "install.sh: signature OK ($KEY)"
}

verify() {
    verify_signature
    # every regular file, install.sh and BUNDLE-TREE included, against the signed sums …
    ( cd "$HERE" && sha256sum --quiet --strict -c BUNDLE-SHA256SUMS >/dev/null 2>&1 ) \
        || fail "a file does not match BUNDLE-SHA256SUMS (changed or missing)"
    # … nothing extra beside them (a file, or a link or device anywhere) …
    tmpd=$(mktemp -d "${TMPDIR:-/tmp}/dte-install.XXXXXX")
    sed 's/^[0-9a-f]*  //' "$HERE/BUNDLE-SHA256SUMS" | LC_ALL=C sort > "$tmpd/listed"
    ( cd "$HERE" && LC_ALL=C find . -type f ! -name 'BUNDLE-SHA256SUMS*' -printf '%P\n' ) \
        | LC_ALL=C sort > "$tmpd/present"
    extra=$(LC_ALL=C comm -13 "$tmpd/listed" "$tmpd/present" | tr '\n' ' ')
    rm -rf "$tmpd"
    [ -z "$extra" ] || fail "files not in the signed bundle: $extra"
    odd=$(cd "$HERE" && find . ! -type f ! -type d ! -path './dte-desktop/*' -printf '%P ')
    [ -z "$odd" ] || fail "links or special files outside the app folder: $odd"
    # … and the tree (entry types, symlink targets) exactly as built
    now=$(cd "$HERE" && LC_ALL=C find dte-desktop -printf '%y %p\t%l\n' | LC_ALL=C sort)
    [ "$now" = "$(cat "$HERE/BUNDLE-TREE")" ] \
        || fail "the bundle's files or links differ from BUNDLE-TREE (something was added, removed or re-pointed)"
}

do_uninstall() {
    for exe in dte dte-desktop; do
        link="$BINDIR/$exe"
        if [ -L "$link" ] && case "$(readlink "$link")" in "$APPDIR"/*) true ;; *) false ;; esac; then
            rm -f "$link"
        fi
    done
    rm -f "$APPS/dte-desktop.desktop" "$ICONS/256x256/apps/dte-desktop.png" \
          "$ICONS/scalable/apps/dte-desktop.svg"
    if [ -f "$APPDIR/.installed-by-dte-install.sh" ]; then
        rm -rf "$APPDIR"
    elif [ -e "$APPDIR" ]; then
        echo "install.sh: $APPDIR was not made by install.sh; left in place." >&2
    fi
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$APPS" 2>/dev/null || true
    echo "DTE Desktop removed from $APPDIR (users' data and $SITE_DIR are kept)."
}

do_install() {
    verify
    if [ -e "$APPDIR" ] && [ ! -f "$APPDIR/.installed-by-dte-install.sh" ]; then
        echo "install.sh: $APPDIR exists and was not made by install.sh; refusing." >&2
        exit 1
    fi
    # copy into a fresh folder, then swap: a failed copy never leaves a half-installed app
    install -d -m 0755 "$(dirname "$APPDIR")" "$BINDIR" "$APPS" "$ICONS/256x256/apps" \
        "$ICONS/scalable/apps"
    tmp="$APPDIR.new.$$"
    rm -rf "$tmp"
    cp -R "$HERE/dte-desktop" "$tmp"
    cp "$HERE/BUNDLE-SHA256SUMS" "$HERE/BUNDLE-TREE" "$HERE/VERSION" "$tmp/" 2>/dev/null || true
    cp "$HERE/site.example.toml" "$tmp/" 2>/dev/null || true
    : > "$tmp/.installed-by-dte-install.sh"
    chmod -R u+rwX,go+rX,go-w "$tmp"
    rm -rf "$APPDIR.old"
    [ -e "$APPDIR" ] && mv "$APPDIR" "$APPDIR.old"
    mv "$tmp" "$APPDIR"
    rm -rf "$APPDIR.old"

    ln -sfn "$APPDIR/dte" "$BINDIR/dte"
    ln -sfn "$APPDIR/dte-desktop" "$BINDIR/dte-desktop"
    install -m 0644 "$HERE/dte-desktop.png" "$ICONS/256x256/apps/dte-desktop.png"
    install -m 0644 "$HERE/dte-desktop.svg" "$ICONS/scalable/apps/dte-desktop.svg"
    icon=dte-desktop
    [ -n "$PREFIX" ] && icon="$ICONS/256x256/apps/dte-desktop.png"
    sed -e "s|@BINDIR@|$BINDIR|g" -e "s|@ICON@|$icon|g" "$HERE/dte-desktop.desktop" \
        > "$APPS/dte-desktop.desktop"
    chmod 644 "$APPS/dte-desktop.desktop"
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$APPS" 2>/dev/null || true

    if [ -n "$SITE" ]; then
        install -d -m 0755 "$SITE_DIR"
        install -m 0644 "$SITE" "$SITE_DIR/site.toml"
        echo "site file: $SITE_DIR/site.toml"
    fi
    echo "DTE Desktop $(cat "$HERE/VERSION" 2>/dev/null || echo '') installed in $APPDIR"
    echo "commands: $BINDIR/dte-desktop, $BINDIR/dte"
    [ -f "$SITE_DIR/site.toml" ] || echo "no site file yet: see $APPDIR/site.example.toml -> $SITE_DIR/site.toml"
}

case "$ACTION" in
    install) do_install ;;
    uninstall) do_uninstall ;;
    check) verify; echo "bundle OK: every file and link as built" ;;
esac
