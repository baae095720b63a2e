#!/usr/bin/env python3
"""The footprint table (README, "Footprint") from the stripped sizes that
`./build.sh size` measured, one "NAME<TAB>BYTES" line per build:

    size-table.py SIZES.tsv

small-z is the size-first baseline (mode `small`, as `build.sh` builds
it); minimal-s is `minimal` as built today.
"""
import sys

GOAL = 400 * 1024

# name: (what the build is, opt-level)
BUILDS = {
    "small-z": ("`small`: size-first baseline (no GC runtime)", "z"),
    "small-s": ("`small`", "s"),
    "small-z+gc": ("`small` + Wasmtime's GC runtime (`gc`: GC, exceptions)", "z"),
    "small-z+wasi": ("`small` + component model, async, WASI 0.2 (`wasi`)", "z"),
    "minimal-z": ("`minimal` (GC runtime)", "z"),
    "minimal-s": ("`minimal` as built today (GC runtime)", "s"),
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
    print("| build | opt-level | stripped bytes | vs `small` | vs today's `minimal` |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name, (what, opt) in BUILDS.items():
        if name not in sizes:
            continue
        size = sizes[name]
        print(f"| {what} | {opt} | {size:,} | {size - base:+,} | {size - today:+,} |")
    for what, note in CONFIG_ONLY:
        print(f"| {what} | any | (configuration) | +0 | {note} |")
    print(f"| {NO_STD} | | | | |")
    print()
    verdict = "met" if base <= GOAL else f"missed by {base - GOAL:,} bytes"
    print(f"Goal: `small` at or under 400 KiB ({GOAL:,} bytes) stripped: "
          f"{base:,} bytes, {verdict}.")


main()
