"""The glibc floor of a bundle, measured: every ELF file's highest ``GLIBC_`` symbol version.

    python installers/check_glibc.py dist/dte-desktop            # fails above FLOOR
    python installers/check_glibc.py dist/dte-desktop --floor 2.31 --top 20

Reads each ELF file's version needs (``readelf -V``: the .gnu.version_r section, what the
dynamic linker checks at load time) and prints the files that need the most, the highest
version overall, and GLIBCXX/CXXABI (libstdc++) needs for information. Exit 1 if any file
needs a GLIBC_ version above the floor, 2 on bad use.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

#: The glibc the Linux bundle is stated to need (README, the tarball's README.txt): Debian 11's.
#: Met only by a bundle built on Debian 11 (installers/build_in_bullseye.sh): there libpython
#: comes from a CPython 3.11 built on glibc 2.31, the system libraries the bundle copies are
#: bullseye's, and PySide6 6.9.3's Qt is manylinux_2_28. A bundle built on a newer host
#: (`make package` on Debian 12: libpython 2.35, Debian 12's libraries 2.34) fails this check.
FLOOR = "2.31"
#: libstdc++ is the target system's (build_spec.spec HOST_RUNTIME): no file may need a
#: GLIBCXX_/CXXABI_ version newer than Debian 11's libstdc++ (GCC 10) provides.
CXX_FLOOR = {"GLIBCXX": "3.4.28", "CXXABI": "1.3.12"}
NEED = re.compile(r"Name: ((?:GLIBC|GLIBCXX|CXXABI)_[0-9.]+)")


def version(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split(".") if x.isdigit())


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def needs(path: Path) -> dict[str, str]:
    """``{"GLIBC": "2.34", "GLIBCXX": "3.4.29", …}``: the highest version of each family."""
    out = subprocess.run(
        ["readelf", "-V", "-W", str(path)], capture_output=True, text=True, check=False
    ).stdout
    section = out.split("Version needs section", 1)[1] if "Version needs section" in out else ""
    best: dict[str, str] = {}
    for m in NEED.finditer(section):
        family, _, v = m.group(1).partition("_")
        if family not in best or version(v) > version(best[family]):
            best[family] = v
    return best


def scan(bundle: Path) -> dict[Path, dict[str, str]]:
    files = sorted(p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    return {p: needs(p) for p in files if is_elf(p)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle", type=Path)
    ap.add_argument("--floor", default=FLOOR, help=f"highest GLIBC_ allowed (default {FLOOR})")
    ap.add_argument(
        "--glibcxx-floor",
        default=CXX_FLOOR["GLIBCXX"],
        help=f"highest GLIBCXX_ allowed (default {CXX_FLOOR['GLIBCXX']})",
    )
    ap.add_argument(
        "--cxxabi-floor",
        default=CXX_FLOOR["CXXABI"],
        help=f"highest CXXABI_ allowed (default {CXX_FLOOR['CXXABI']})",
    )
    ap.add_argument("--top", type=int, default=15, help="how many files to list")
    ap.add_argument("--print-floor", action="store_true", help="print FLOOR and exit")
    args = ap.parse_args(argv)
    if args.print_floor:
        print(FLOOR)
        return 0
    if not args.bundle.is_dir():
        print(f"check_glibc: {args.bundle} is not a folder", file=sys.stderr)
        return 2
    found = scan(args.bundle)
    if not found:
        print(f"check_glibc: no ELF files under {args.bundle}", file=sys.stderr)
        return 2
    glibc = {p: n["GLIBC"] for p, n in found.items() if "GLIBC" in n}
    ranked = sorted(glibc.items(), key=lambda kv: (version(kv[1]), str(kv[0])), reverse=True)
    print(f"check_glibc: {len(found)} ELF files, {len(glibc)} need glibc; highest first:")
    for p, v in ranked[: args.top]:
        extra = ", ".join(f"{k}_{n}" for k, n in sorted(found[p].items()) if k != "GLIBC")
        print(f"  GLIBC_{v:<6} {p.relative_to(args.bundle)}" + (f"  ({extra})" if extra else ""))
    top = ranked[0][1] if ranked else "0"
    cxx_floor = {"GLIBCXX": args.glibcxx_floor, "CXXABI": args.cxxabi_floor}
    over = [(p, v) for p, v in ranked if version(v) > version(args.floor)]
    for fam in ("GLIBCXX", "CXXABI"):
        vs = [n[fam] for n in found.values() if fam in n]
        if vs:
            hi = max(vs, key=version)
            print(f"check_glibc: highest {fam}_{hi} (libstdc++; floor {cxx_floor[fam]})")
        over += [
            (p, f"{n[fam]} ({fam})")
            for p, n in found.items()
            if fam in n and version(n[fam]) > version(cxx_floor[fam])
        ]
    print(f"check_glibc: the bundle needs glibc >= {top}; stated floor {args.floor}")
    if over:
        print(
            f"check_glibc: FAILED — {len(over)} needs above GLIBC_{args.floor} / "
            f"GLIBCXX_{cxx_floor['GLIBCXX']} / CXXABI_{cxx_floor['CXXABI']}:"
        )
        for p, v in over[: max(args.top, 10)]:
            print(f"  {'' if '(' in v else 'GLIBC_'}{v:<6} {p.relative_to(args.bundle)}")
        return 1
    print("check_glibc: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
