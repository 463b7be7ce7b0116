#!/usr/bin/env bash
# `make run`: Qt's X11 platform plugin (libqxcb.so) needs system libraries that a plain
# Debian/Ubuntu box may lack (libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1 …); without them
# Qt aborts before any window, blaming xcb-cursor0 whatever is missing. This names what
# `ldd` cannot find, as Debian packages, and installs them when it may (root with apt-get),
# else prints the exact command and fails.
#
#   scripts/ensure_qt_libs.sh [PYTHON | PLUGIN.so]    # default: .venv/bin/python
#   DTE_QT_LIBS_INSTALL=0 …                           # never install, only name them
set -u
target=${1:-.venv/bin/python}
if [ "$(uname -s)" != Linux ]; then exit 0; fi
if [ -f "$target" ] && [ "${target%.so}" != "$target" ]; then
  plugin=$target
else
  plugin=$("$target" -c 'import os, PySide6; print(os.path.join(os.path.dirname(PySide6.__file__), "Qt", "plugins", "platforms", "libqxcb.so"))') || {
    echo "ensure_qt_libs: cannot find PySide6 with $target" >&2; exit 2; }
fi
[ -f "$plugin" ] || { echo "ensure_qt_libs: no $plugin" >&2; exit 2; }

# libfoo-bar.so.N -> libfoo-barN; a name ending in a digit takes a dash (libxkbcommon-x11-0);
# Debian package names are lower case (libEGL.so.1 -> libegl1).
package_of() {
  local base=${1%%.so*} ver=${1##*.so.}
  ver=${ver%%.*}
  case "$base" in *[0-9]) base="$base-" ;; esac
  echo "$base$ver" | tr '[:upper:]' '[:lower:]'
}

missing=$(ldd "$plugin" 2>/dev/null | awk '/=> not found/ {print $1}' | sort -u)
[ -z "$missing" ] && exit 0
pkgs=$(for lib in $missing; do package_of "$lib"; done | sort -u | tr '\n' ' ')
pkgs=${pkgs% }
echo "ensure_qt_libs: Qt's X11 plugin needs libraries this system lacks: $(echo $missing)"
cmd="apt-get install -y $pkgs"
if [ "${DTE_QT_LIBS_INSTALL:-1}" != 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure_qt_libs: installing $pkgs"
  export DEBIAN_FRONTEND=noninteractive
  if (apt-get -o DPkg::Lock::Timeout=120 install -y -qq $pkgs >/dev/null 2>&1 || { apt-get -o DPkg::Lock::Timeout=120 update -qq >/dev/null && apt-get -o DPkg::Lock::Timeout=120 install -y -qq $pkgs >/dev/null; }); then
    still=$(ldd "$plugin" 2>/dev/null | awk '/=> not found/ {print $1}' | sort -u)
    [ -z "$still" ] && exit 0
    echo "ensure_qt_libs: still missing after the install: $(echo $still)" >&2
    exit 1
  fi
  echo "ensure_qt_libs: the install failed; run it yourself: sudo $cmd" >&2
  exit 1
fi
if command -v apt-get >/dev/null; then
  echo "ensure_qt_libs: install them, then run make run again:  sudo $cmd" >&2
else
  echo "ensure_qt_libs: install your distribution's packages for: $(echo $missing)" >&2
fi
exit 1
