#!/usr/bin/env python3
"""The footprint table (docs/footprint.md) from the stripped sizes that
`./build.sh size` measured, one "NAME<TAB>BYTES" line per build:

    size-table.py SIZES.tsv

small-z is the size-first baseline (mode `small`, as `build.sh` builds
and links it); minimal-s is `minimal` as built today. The `small` builds
are linked size-first (build.sh, `link_embedding`) but for
small-z:default-link, which shows what that link saves. The opt-level a
variant names is its profile's; Pulley's interpreter keeps the level its
profile sets for it (Cargo.toml: 3 in `embedding`, z in
`embedding-small`), which the table shows as its own column.
"""
import sys

GOAL = 400 * 1024

# name: (what the build is, opt-level, the interpreter's opt-level, link)
BUILDS = {
    "small-z": ("`small`: size-first baseline (no GC runtime)", "z", "z", "size-first"),
    "small-z:default-link": ("`small`, linked as the other modes", "z", "z", "default"),
    "small-s": ("`small`", "s", "z", "size-first"),
    "small-z+gc": ("`small` + Wasmtime's GC runtime (`gc`: GC, exceptions)", "z", "z",
                   "size-first"),
    "small-z+wasi": ("`small` + component model, async, WASI 0.2 (`wasi`)", "z", "z",
                     "size-first"),
    "minimal-z": ("`minimal` (GC runtime)", "z", "3", "default"),
    "minimal-s": ("`minimal` as built today (GC runtime)", "s", "3", "default"),
}

# Proposals and knobs that are configuration only: the code that runs them
# is in every build (Pulley has no Cargo feature for its vector
# instructions, and the embedding has no validator), so they cost no byte.
CONFIG_ONLY = [
    ("SIMD, relaxed SIMD", "off in no mode: costs no byte to keep"),
    ("multi-memory, memory64, tail calls, extended const, wide arithmetic, "
     "function references", "on in every mode: no byte to save"),
    ("fuel, epoch interruption", "on in every mode: no byte to save"),
]
NO_STD = "threads (shared memory), stack switching: need `std`, in no build"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip())
    sizes = {}
    with open(sys.argv[1]) as f:
        for line in f:
            name, size = line.split("\t")
            sizes[name] = int(size)
    base, today = sizes["small-z"], sizes["minimal-s"]
    print("| build | opt-level | interpreter | link | stripped bytes | vs `small` "
          "| vs today's `minimal` |")
    print("| --- | --- | --- | --- | ---: | ---: | ---: |")
    for name, (what, opt, interp, link) in BUILDS.items():
        if name not in sizes:
            continue
        size = sizes[name]
        print(f"| {what} | {opt} | {interp} | {link} | {size:,} | {size - base:+,} "
              f"| {size - today:+,} |")
    for what, note in CONFIG_ONLY:
        print(f"| {what} | any | any | any | (configuration) | +0 | {note} |")
    print(f"| {NO_STD} | | | | | | |")
    print()
    verdict = "met" if base <= GOAL else f"missed by {base - GOAL:,} bytes"
    print(f"Goal: `small` at or under 400 KiB ({GOAL:,} bytes) stripped: "
          f"{base:,} bytes, {verdict}.")


main()
