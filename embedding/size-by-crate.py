#!/usr/bin/env python3
"""Where an embedding's bytes go: the sizes of the symbols of an unstripped
shared object (nm -S, demangled), summed by the crate that defines each
function or static, largest first. `./build.sh size` writes this for the
size-first build (docs/footprint.md).

    size-by-crate.py LIB.so [TOP]
"""
import re
import subprocess
import sys
from collections import Counter

# The part of a demangled name that names a crate: the first path segment,
# looking through the `<...>` of trait impls (`<T as Trait>::f` belongs to
# the crate of T, whose code it is).
PATH = re.compile(r"[<&*\s]*(?:mut\s+|dyn\s+|\(\s*)*([A-Za-z_][A-Za-z0-9_]*)::")
# `<&T as core::fmt::Debug>::fmt`, `<char>::escape_debug_ext`: a generic or
# primitive type, so the code is the trait's (or the primitive's, core's).
TRAIT = re.compile(r"<[^<>]*? as ([A-Za-z_][A-Za-z0-9_]*)::")


def crate(name):
    m = PATH.match(name)
    if m:
        return m.group(1)
    m = TRAIT.match(name)
    if m:
        return m.group(1)
    if name.startswith("<"):
        return "core"
    # Unmangled C symbols: compiler builtins, memcpy and friends.
    return "(C symbols: compiler builtins, mem*)"


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip())
    top = int(sys.argv[2]) if len(sys.argv) == 3 else 20
    nm = subprocess.run(["nm", "-S", "-C", "--size-sort", sys.argv[1]],
                        check=True, capture_output=True, text=True).stdout
    by_crate = Counter()
    for line in nm.splitlines():
        fields = line.split(None, 3)
        if len(fields) < 4:
            continue
        size, kind, name = int(fields[1], 16), fields[2], fields[3]
        # .bss takes no room in the file (the embedding's heap is one).
        if kind in "bB":
            continue
        by_crate[crate(name)] += size
    total = sum(by_crate.values())
    print(f"{'bytes':>8}  {'share':>5}  crate")
    for name, size in by_crate.most_common(top):
        print(f"{size:8d}  {100 * size / total:4.1f}%  {name}")
    rest = total - sum(size for _, size in by_crate.most_common(top))
    if rest:
        print(f"{rest:8d}  {100 * rest / total:4.1f}%  (the other crates)")
    print(f"{total:8d}  100.0%  all symbols with a size (.text, .rodata, .data)")


main()
