#!/usr/bin/env bash
# Prove that a wheelhouse installs DTE Desktop with the network off.
#
#   installers/verify_wheelhouse.sh [wheelhouse/<platform>]   (default: the Linux one here)
#
#   1. sha256sum -c SHA256SUMS in the wheelhouse
#   2. in a network namespace with no interfaces (`unshare -n`, or `unshare -rn` as non-root),
#      with pip's configuration files and PIP_* variables ignored (no index, no extra
#      find-links: only the wheelhouse), in fresh virtualenvs under build/verify-wheelhouse/:
#        a. pip install --no-index --find-links WH dte-desktop
#        b. pip install --no-index --find-links WH --require-hashes -r WH/requirements.lock
#      then, still offline: dte --version, dte demo --json, import of every runtime module and
#      an offscreen Qt widget, pip check.
#
# Needs a CPython 3.11 on the host (PYTHON=python3.11). Exit status 0 = proven.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WH=$(cd "${1:-$ROOT/wheelhouse/manylinux_2_34_x86_64}" && pwd)
PYTHON=${PYTHON:-python3}
WORK="$ROOT/build/verify-wheelhouse"
say() { echo "verify_wheelhouse: $*"; }
fail() { echo "verify_wheelhouse FAILED: $*" >&2; exit 1; }

"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
    || fail "$PYTHON is not CPython 3.11 (the wheelhouse is for cp311)"

say "1. checksums"
(cd "$WH" && sha256sum --quiet --strict -c SHA256SUMS) || fail "SHA256SUMS does not match"
say "   $(wc -l < "$WH/SHA256SUMS") files match SHA256SUMS"

NETNS=()
if unshare -n true 2>/dev/null; then NETNS=(unshare -n)
elif unshare -rn true 2>/dev/null; then NETNS=(unshare -rn)
else fail "cannot create a network namespace (unshare -n); the proof needs one"; fi

rm -rf "$WORK" && mkdir -p "$WORK"
# The offline side sees no network and no pip configuration at all.
OFFLINE=("${NETNS[@]}" env -i "PATH=/usr/bin:/bin" "HOME=$WORK/home" "LANG=C.UTF-8"
         "PIP_CONFIG_FILE=/dev/null" "PIP_NO_INPUT=1" "PIP_DISABLE_PIP_VERSION_CHECK=1"
         "QT_QPA_PLATFORM=offscreen" "DTE_HOME=$WORK/dte-home" "DTE_KEYRING=file"
         "DTE_MASTER_PASSPHRASE=verify-wheelhouse" "DTE_SITE_FILE=$WORK/no-site.toml"
         "TMPDIR=$WORK/tmp")
mkdir -p "$WORK/home" "$WORK/tmp"

say "2. the namespace has no usable network:"
"${OFFLINE[@]}" cat /proc/net/dev | tail -n +3 | sed 's/^/     /'
if "${OFFLINE[@]}" "$PYTHON" -c '
import socket, sys
try:
    socket.create_connection(("151.101.0.223", 443), timeout=3)  # pypi.org
except OSError as e:
    print("     connect to pypi.org:", e); sys.exit(0)
sys.exit(1)'; then :; else fail "the namespace reached the internet"; fi

check_venv() {  # VENV: what an installed copy must do, offline
    local v=$1
    "${OFFLINE[@]}" "$v/bin/pip" check
    "${OFFLINE[@]}" "$v/bin/dte" --version
    "${OFFLINE[@]}" "$v/bin/dte" demo --json > "$WORK/demo.json"
    "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("     dte demo:", str(d)[:100], "…")' "$WORK/demo.json"
    "${OFFLINE[@]}" "$v/bin/python" - <<'PY'
import importlib
mods = ["PySide6.QtWidgets", "PySide6.QtSvg", "pyqtgraph", "numpy", "pyarrow", "pyarrow.parquet",
        "sqlalchemy", "alembic", "keyring", "secretstorage", "cryptography",
        "psycopg", "psycopg_binary", "pymysql", "vertica_python", "datasketches", "stdnum.iban",
        "phonenumbers", "email_validator", "base58", "xlsxwriter", "platformdirs", "tomli_w", "dte_desktop.ui.app",
        "dte_desktop.cli"]
for m in mods:
    importlib.import_module(m)
import psycopg
assert psycopg.pq.__impl__ == "binary", psycopg.pq.__impl__
from stdnum import iban
assert iban.is_valid("GB82WEST12345698765432")
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
w = QLabel("ok"); w.show(); assert not w.grab().isNull()
try:
    import keyrings.alt  # noqa: F401
    raise SystemExit("keyrings.alt is installed: it must not be")
except ImportError:
    pass
print(f"     imported {len(mods)} modules, psycopg binary, stdnum data, an offscreen Qt widget")
PY
}

say "3a. pip install --no-index --find-links WH dte-desktop (fresh venv, offline)"
"$PYTHON" -m venv "$WORK/venv-a"
t0=$(date +%s)
"${OFFLINE[@]}" "$WORK/venv-a/bin/pip" install --no-index --find-links "$WH" dte-desktop \
    > "$WORK/install-a.log" 2>&1 || { tail -n 30 "$WORK/install-a.log"; fail "offline install (a)"; }
say "    installed in $(( $(date +%s) - t0 ))s: $(grep -o 'Successfully installed.*' "$WORK/install-a.log" | wc -w) items"
check_venv "$WORK/venv-a"

say "3b. pip install --no-index --require-hashes -r requirements.lock (fresh venv, offline)"
"$PYTHON" -m venv "$WORK/venv-b"
"${OFFLINE[@]}" "$WORK/venv-b/bin/pip" install --no-index --find-links "$WH" --require-hashes \
    -r "$WH/requirements.lock" > "$WORK/install-b.log" 2>&1 \
    || { tail -n 30 "$WORK/install-b.log"; fail "offline install (b)"; }
"${OFFLINE[@]}" "$WORK/venv-b/bin/dte" --version
# same set of distributions in both
diff <("$WORK/venv-a/bin/pip" freeze --all | grep -viE '^(pip|setuptools|wheel)==' | sort) \
     <("$WORK/venv-b/bin/pip" freeze --all | grep -viE '^(pip|setuptools|wheel)==' | sort) \
    || fail "the lock and the plain install differ"
say "    same $("$WORK/venv-b/bin/pip" freeze | wc -l) distributions as 3a, every hash checked"

say "PROVEN: $WH installs and runs with no network"
