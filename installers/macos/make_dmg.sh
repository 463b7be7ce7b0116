#!/usr/bin/env bash
# Wrap the macOS app bundle in a compressed, read-only disk image with hdiutil (no create-dmg).
# Run on macOS after `pyinstaller build_spec.spec` (which makes "dist/DTE Desktop.app" there):
#
#   installers/macos/make_dmg.sh [APP] [OUT_DIR]
#     APP      default: "dist/DTE Desktop.app"
#     OUT_DIR  default: dist
#   -> dist/dte-desktop-<version>-macos-<arch>.dmg
#
# Optional signing (only if the site has a Developer ID; an unsigned app must be allowed with
# `xattr -dr com.apple.quarantine "/Applications/DTE Desktop.app"` or right-click > Open):
#   CODESIGN_IDENTITY="Developer ID Application: …" installers/macos/make_dmg.sh
# Notarisation needs Apple's servers and is therefore not part of this offline build.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APP=${1:-$ROOT/dist/DTE Desktop.app}
OUT=${2:-$ROOT/dist}
[ "$(uname -s)" = Darwin ] || { echo "make_dmg.sh: runs on macOS only (needs hdiutil)" >&2; exit 2; }
[ -d "$APP/Contents/MacOS" ] || { echo "make_dmg.sh: no app bundle at $APP" >&2; exit 2; }
command -v hdiutil >/dev/null || { echo "make_dmg.sh: hdiutil not found" >&2; exit 2; }

VERSION=$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$APP/Contents/Info.plist")
[ "$VERSION" != "@VERSION@" ] || { echo "make_dmg.sh: Info.plist template was not filled" >&2; exit 1; }
ARCH=$(uname -m)
NAME="dte-desktop-$VERSION-macos-$ARCH"
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/dte-dmg.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

# the two executables must be there and start (offscreen self-test, no network needed)
"$APP/Contents/MacOS/dte" --version
QT_QPA_PLATFORM=offscreen DTE_HOME="$STAGE/home" DTE_KEYRING=file DTE_MASTER_PASSPHRASE=dmg \
    "$APP/Contents/MacOS/dte-desktop" --selftest --screenshot "$STAGE/home/selftest.png"
rm -rf "$STAGE/home"

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    codesign --force --deep --options runtime --timestamp=none --sign "$CODESIGN_IDENTITY" "$APP"
    codesign --verify --deep --strict "$APP"
fi

ditto "$APP" "$STAGE/DTE Desktop.app"
ln -s /Applications "$STAGE/Applications"
cp "$ROOT/installers/site.example.toml" "$STAGE/site.example.toml"
cat > "$STAGE/README.txt" <<TXT
DTE Desktop $VERSION for macOS ($ARCH)

1. Drag "DTE Desktop.app" onto Applications.
2. Command line (optional):
     sudo ln -sf "/Applications/DTE Desktop.app/Contents/MacOS/dte" /usr/local/bin/dte
3. Site presets (optional, read-only for users):
     sudo mkdir -p "/Library/Application Support/dte-desktop"
     sudo cp site.example.toml "/Library/Application Support/dte-desktop/site.toml"   # after editing
     sudo chmod 644 "/Library/Application Support/dte-desktop/site.toml"
4. Check: "/Applications/DTE Desktop.app/Contents/MacOS/dte-desktop" --selftest
TXT

mkdir -p "$OUT"
rm -f "$OUT/$NAME.dmg"
hdiutil create -volname "DTE Desktop $VERSION" -srcfolder "$STAGE" -fs HFS+ \
    -format UDZO -imagekey zlib-level=9 -ov "$OUT/$NAME.dmg"
hdiutil verify "$OUT/$NAME.dmg"
[ -n "${CODESIGN_IDENTITY:-}" ] && codesign --sign "$CODESIGN_IDENTITY" --timestamp=none "$OUT/$NAME.dmg"
echo "$OUT/$NAME.dmg"
