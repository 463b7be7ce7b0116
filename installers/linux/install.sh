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
#   ./install.sh --check                   # only verify the bundle's checksums
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
ACTION=install

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX=${2:?--prefix needs a folder}; shift 2 ;;
        --prefix=*) PREFIX=${1#--prefix=}; shift ;;
        --site) SITE=${2:?--site needs a file}; shift 2 ;;
        --site=*) SITE=${1#--site=}; shift ;;
        --uninstall) ACTION=uninstall; shift ;;
        --check) ACTION=check; shift ;;
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

verify() {
    # every file of the bundle against BUNDLE-SHA256SUMS (made at build time)
    ( cd "$HERE" && sha256sum --quiet --strict -c BUNDLE-SHA256SUMS ) || {
        echo "install.sh: the bundle does not match BUNDLE-SHA256SUMS; not installing." >&2
        exit 1
    }
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
    cp "$HERE/BUNDLE-SHA256SUMS" "$HERE/VERSION" "$tmp/" 2>/dev/null || true
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
    check) verify; echo "bundle OK" ;;
esac
