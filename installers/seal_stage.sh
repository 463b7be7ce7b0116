#!/usr/bin/env bash
# Seal a staged Linux installer folder (package.sh step 3, and the installer tests):
#
#   installers/seal_stage.sh STAGE          (SIGNING_KEY=<gpg key id or e-mail> to sign)
#
# writes into STAGE
#   BUNDLE-TREE         every entry under dte-desktop/: its type and, for a symlink, its
#                       target — so an added, removed or re-pointed file changes it
#   BUNDLE-SHA256SUMS   SHA-256 of every regular file in STAGE (the bundle, install.sh, the
#                       menu entry, icons, README.txt, VERSION, BUNDLE-TREE …)
#   BUNDLE-SHA256SUMS.asc   a detached OpenPGP signature of BUNDLE-SHA256SUMS by SIGNING_KEY
# install.sh --check --key KEY.asc verifies all three. Without SIGNING_KEY nothing is signed
# and that is said; a release build sets it (the key never enters the repository).
set -euo pipefail
STAGE=${1:?usage: seal_stage.sh STAGE}
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$STAGE"
rm -f BUNDLE-TREE BUNDLE-SHA256SUMS BUNDLE-SHA256SUMS.asc
# a link must stay inside the bundle: no absolute targets, no way out with ..
bad=$(find dte-desktop -type l -printf '%p -> %l\n' | awk '$3 ~ /^\// {print}')
[ -z "$bad" ] || { echo "seal_stage: absolute symlinks in the bundle:" >&2; echo "$bad" >&2; exit 1; }
dangling=$(find -L dte-desktop -type l -printf '%p\n')
[ -z "$dangling" ] || { echo "seal_stage: dangling symlinks:" >&2; echo "$dangling" >&2; exit 1; }
LC_ALL=C find dte-desktop -printf '%y %p\t%l\n' | LC_ALL=C sort > BUNDLE-TREE
LC_ALL=C find . -type f ! -name 'BUNDLE-SHA256SUMS*' -printf '%P\0' | LC_ALL=C sort -z \
    | xargs -0 sha256sum > BUNDLE-SHA256SUMS
if [ -n "${SIGNING_KEY:-}" ]; then
    bash "$HERE/sign.sh" BUNDLE-SHA256SUMS BUNDLE-SHA256SUMS.asc
    echo "seal_stage: BUNDLE-SHA256SUMS signed by $SIGNING_KEY"
else
    echo "seal_stage: UNSIGNED (set SIGNING_KEY=<gpg key> to sign a release build)" >&2
fi
