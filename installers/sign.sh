#!/usr/bin/env bash
# A detached, armoured OpenPGP signature of FILE by SIGNING_KEY: installers/sign.sh FILE OUT
#
# One place signs (the bundle's BUNDLE-SHA256SUMS and dist/SHA256SUMS), so two builds of one
# commit with one key give the same signature byte for byte: the signature's time is
# SOURCE_DATE_EPOCH, or the key's creation time when the key is newer (a signature older than
# its key is unusable), and Ed25519/EdDSA signatures are deterministic. RSA/DSA keys sign
# with fresh randomness, so their signatures still differ between builds (they verify alike).
set -euo pipefail
file=$1 out=$2
: "${SIGNING_KEY:?set SIGNING_KEY=<gpg key id or e-mail>}"
created=$(gpg --batch --with-colons --list-secret-keys "$SIGNING_KEY" \
    | awk -F: '$1 == "sec" { print $6; exit }')
when=${SOURCE_DATE_EPOCH:-$(date +%s)}
if [ -n "$created" ] && [ "$created" -gt "$when" ]; then when=$created; fi
gpg --batch --yes --quiet --local-user "$SIGNING_KEY" --faked-system-time "$when!" \
    --armor --detach-sign --output "$out" "$file" 2> >(grep -v 'faked system time' >&2)
