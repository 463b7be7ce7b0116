#!/usr/bin/env bash
# `make package`: build the onedir bundle for this OS, self-test it offline, wrap it, write
# the SBOM and SHA256SUMS. Downloads nothing (the build venv must already hold `.[package]`).
#
#   installers/package.sh            (PY=.venv/bin/python by default)
#
# Outputs (dist/):
#   dte-desktop/                                   the onedir bundle (dte-desktop + dte)
#   dte-desktop-<v>-linux-<arch>.tar.gz            Linux: bundle + install.sh + .desktop + icon
#   dte-desktop-<v>-windows-x64-setup.exe          Windows: only where Inno Setup's ISCC is found
#   dte-desktop-<v>-macos-<arch>.dmg               macOS: installers/macos/make_dmg.sh
#   dte-desktop-<v>-<os>-<arch>.cdx.json           CycloneDX SBOM of the bundle's contents
#   SHA256SUMS                                     of every file above in dist/ (not the folder)
#   SHA256SUMS.asc, signing-key-<id>.asc           with SIGNING_KEY=<gpg key id>: the detached
#                                                  signature and the public key to hand over
# and build/package-report.json (size, build time, start times).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=${PY:-.venv/bin/python}
VENV_BIN=$(dirname "$PY")
VERSION=$("$PY" -c 'import re,pathlib; print(re.search(r"__version__ = \"([^\"]+)\"", pathlib.Path("dte_desktop/__init__.py").read_text()).group(1))')
ARCH=$(uname -m)
case "$(uname -s)" in
    Linux) OS=linux ;;
    Darwin) OS=macos ;;
    MINGW*|MSYS*|CYGWIN*) OS=windows; ARCH=x64 ;;
    *) echo "package: unsupported OS $(uname -s)" >&2; exit 2 ;;
esac
BASENAME="dte-desktop-$VERSION-$OS-$ARCH"
# reproducible archive timestamps: the last commit's time
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
# PyInstaller orders modules (base_library.zip, the PYZ) partly by set iteration: a fixed hash
# seed makes two builds list them alike; base_library.zip is also rewritten sorted below.
export PYTHONHASHSEED=0
say() { echo "package: $*"; }

"$VENV_BIN/pyinstaller" --version >/dev/null 2>&1 \
    || { echo "package: pyinstaller missing: $VENV_BIN/pip install -e '.[package]'" >&2; exit 2; }
if "$PY" -c 'import keyrings.alt' 2>/dev/null; then
    echo "package: keyrings.alt is installed in the build venv; uninstall it (it must not ship)" >&2
    exit 1
fi

# --- 1. bundle ------------------------------------------------------------------------------
if [ "${PACKAGE_SKIP_BUILD:-0}" = 1 ] && [ -d dist/dte-desktop ]; then
    # re-wrap the bundle already in dist/ (e.g. after editing install.sh); no PyInstaller run
    say "PACKAGE_SKIP_BUILD=1: reusing dist/dte-desktop"
    find dist -maxdepth 1 -type f -delete
    BUILD_S=0
else
    say "building the bundle (PyInstaller, a few minutes)…"
    rm -rf dist && mkdir -p build dist
    t0=$(date +%s)
    "$VENV_BIN/pyinstaller" --noconfirm --clean --log-level WARN \
        --distpath dist --workpath build/pyinstaller build_spec.spec 2>&1 \
        | tee build/pyinstaller.log \
        | grep -vE "Library not found|WARNING: Hidden import|required via ctypes|dropping unreferenced" \
        || true
    [ "${PIPESTATUS[0]}" = 0 ] || { echo "package: pyinstaller failed (build/pyinstaller.log)" >&2; exit 1; }
    BUILD_S=$(( $(date +%s) - t0 ))
fi
if [ "$OS" = macos ]; then BUNDLE="dist/DTE Desktop.app/Contents/MacOS"; else BUNDLE=dist/dte-desktop; fi

if [ "$OS" = linux ]; then
    # Symbol tables and debug info of the shared objects (issue 22 item 3: ~44 MB, pyarrow's,
    # SQLAlchemy's, cryptography's, the lib-dynload modules of a self-built CPython). Not
    # numpy's nor the auditwheel-vendored copies in *.libs/ (strip=True on everything breaks
    # numpy, FACTS.md), never the two executables (PyInstaller appends its archive to them).
    find "$BUNDLE/_internal" -type f -name '*.so*' ! -path '*/numpy/*' ! -path '*.libs/*' -print0 \
        | LC_ALL=C sort -z | while IFS= read -r -d '' lib; do
            [ "$(head -c4 "$lib")" = $'\x7fELF' ] && strip --strip-unneeded "$lib"
        done
fi
# base_library.zip: entries sorted by name, every timestamp SOURCE_DATE_EPOCH (two builds of
# the same tree gave the same .pyc files in a different order).
"$PY" installers/normalize_zip.py "$BUNDLE"/_internal/base_library.zip
# The only build-host path left in the bundle: pip's record of where the project was installed
# from (an editable install's file:///…/checkout); nothing reads it at run time.
rm -f "$BUNDLE"/_internal/*.dist-info/direct_url.json
# Links left pointing at libraries the spec dropped (libQt6EglFsKmsSupport.so.6 …) would fail
# seal_stage.sh and an IT review: remove them, and say which.
find "$BUNDLE" -xtype l -print -delete | sed 's/^/package: removed dangling link /'
if find "$BUNDLE" -path '*keyrings*' | grep -q .; then
    echo "package: keyrings.alt found in the bundle" >&2; exit 1
fi
if [ "$OS" = linux ]; then
    # the glibc every ELF file needs, against the floor the README states (fails above it)
    GLIBC_FLOOR=$("$PY" installers/check_glibc.py --print-floor x)
    "$PY" installers/check_glibc.py "$BUNDLE" --top 5 | tee build/check-glibc.txt
    [ "${PIPESTATUS[0]}" = 0 ] || { echo "package: the bundle needs more than glibc $GLIBC_FLOOR" \
        "(build the Linux release on Debian 11: make package-bullseye)" >&2; exit 1; }
fi
SIZE_B=$(du -sb "$BUNDLE" 2>/dev/null | cut -f1 || du -sk "$BUNDLE" | awk '{print $1*1024}')
say "bundle: $BUNDLE, $(( SIZE_B / 1000000 )) MB unpacked, built in ${BUILD_S}s"

# --- 1b. SBOM, and the licences of everything it lists, shipped inside the bundle -------------
"$PY" installers/sbom.py --out "dist/$BASENAME.cdx.json"
"$PY" installers/notices.py --sbom "dist/$BASENAME.cdx.json" --out "$BUNDLE/THIRD-PARTY-NOTICES"

# --- 2. self-test, offline ---------------------------------------------------------------------
if [ "$OS" = windows ]; then
    say "self-test: run installers\\selftest_frozen.ps1-equivalent by hand (README.md, Offline installation)"
    SELFTEST='{}'
else
    DTE_SELFTEST_REPORT=build/selftest-report.json DTE_SELFTEST_SCREENSHOT=build/frozen-selftest.png \
        bash installers/selftest_frozen.sh "$BUNDLE"
    SELFTEST=$(cat build/selftest-report.json)
fi

# --- 3. wrap ------------------------------------------------------------------------------------
case "$OS" in
linux)
    STAGE="build/stage/$BASENAME"
    rm -rf build/stage && mkdir -p "$STAGE"
    cp -a "$BUNDLE" "$STAGE/dte-desktop"
    cp installers/linux/install.sh installers/linux/dte-desktop.desktop installers/site.example.toml "$STAGE/"
    cp resources/icons/dte-desktop.png resources/icons/dte-desktop.svg "$STAGE/"
    echo "$VERSION" > "$STAGE/VERSION"
    cat > "$STAGE/README.txt" <<TXT
DTE Desktop $VERSION for Linux ($ARCH) — offline installer

  sudo ./install.sh                        # /opt/dte-desktop, /usr/local/bin/{dte,dte-desktop}, menu entry
  ./install.sh --prefix ~/.local           # per user, no root
  sudo ./install.sh --site site.toml       # also install the read-only site file
  sudo ./install.sh --uninstall            # remove (site file and users' data are kept)
  ./install.sh --check --key KEY.asc       # verify the builder's signature and every file

Site file: /etc/xdg/dte-desktop/site.toml (example: site.example.toml).
Check an installed copy: dte-desktop --selftest ; dte --version
Needs glibc >= $GLIBC_FLOOR (measured: installers/check_glibc.py) and an X11 display (or XWayland); no network.
TXT
    chmod 755 "$STAGE/install.sh"
    bash installers/seal_stage.sh "$STAGE"  # BUNDLE-TREE, BUNDLE-SHA256SUMS (+ .asc: SIGNING_KEY)
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
        -C build/stage -cf - "$BASENAME" | gzip -n -6 > "dist/$BASENAME.tar.gz"
    say "dist/$BASENAME.tar.gz"
    ;;
macos)
    bash installers/macos/make_dmg.sh "dist/DTE Desktop.app" dist
    ;;
windows)
    ISCC=${ISCC:-"/c/Program Files (x86)/Inno Setup 6/ISCC.exe"}
    if [ -x "$ISCC" ]; then
        "$ISCC" "/DAppVersion=$VERSION" installers/windows/dte-desktop.iss
    else
        say "Inno Setup not found (ISCC=…): dist/dte-desktop is built, the setup.exe is not"
    fi
    ;;
esac

# --- 4. checksums ------------------------------------------------------------------------------
(cd dist && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort \
    | xargs -d '\n' sha256sum > SHA256SUMS)
if [ -n "${SIGNING_KEY:-}" ]; then
    bash installers/sign.sh dist/SHA256SUMS dist/SHA256SUMS.asc
    gpg --batch --armor --export "$SIGNING_KEY" > "dist/signing-key-$SIGNING_KEY.asc"
    say "signed: dist/SHA256SUMS.asc; public key (hand it over out of band): dist/signing-key-$SIGNING_KEY.asc"
else
    say "UNSIGNED build: set SIGNING_KEY=<gpg key id> (its secret key in GNUPGHOME) to sign"
fi
say "dist/SHA256SUMS:"; sed 's/^/    /' dist/SHA256SUMS

cat > build/package-report.json <<JSON
{"version": "$VERSION", "os": "$OS", "arch": "$ARCH", "build_seconds": $BUILD_S,
 "bundle_bytes": $SIZE_B, "selftest": $SELFTEST}
JSON
say "report: build/package-report.json"; cat build/package-report.json
