#!/usr/bin/env python3
"""A firmware image's bytes by owner and section: the runtime (Wasmtime,
Pulley, the embedding, Rust's core and compiler builtins: everything from
libembedding.a), the port's own C code, and the generated sample table.

    footprint.py FIRMWARE.elf DIR

DIR holds the port's object files (*.o; samples-*.o is the table). A
symbol belongs to the port or the table if one of those objects defines
it; each section's remainder (symbols without a size, literal pools,
alignment) is counted as the runtime's, which is where almost all of it
comes from. The heap arena, a .bss symbol of the runtime, is shown apart:
it is sized by EMBEDDING_HEAP_KIB, not by the code.
"""
import glob
import os
import subprocess
import sys

SECTIONS = {"t": ".text", "r": ".rodata", "d": ".data", "b": ".bss"}


def defined(obj):
    out = subprocess.run(["llvm-nm", "--defined-only", obj],
                         check=True, capture_output=True, text=True).stdout
    return {line.split()[-1] for line in out.splitlines() if len(line.split()) == 3}


def section_sizes(elf):
    out = subprocess.run(["llvm-size", "-A", elf],
                         check=True, capture_output=True, text=True).stdout
    sizes = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0] in SECTIONS.values():
            sizes[fields[0]] = int(fields[1])
    return sizes


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip())
    elf, objdir = sys.argv[1], sys.argv[2]
    owners = {}
    for obj in glob.glob(os.path.join(objdir, "*.o")):
        owner = "samples" if os.path.basename(obj).startswith("samples-") else "port"
        for name in defined(obj):
            owners[name] = owner
    out = subprocess.run(["llvm-nm", "-S", elf],
                         check=True, capture_output=True, text=True).stdout
    totals = {(o, s): 0 for o in ("port", "samples", "heap") for s in SECTIONS.values()}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) != 4:
            continue
        size, kind, name = int(fields[1], 16), fields[2].lower(), fields[3]
        section = SECTIONS.get(kind)
        if section is None:
            continue
        if "4heap5ARENA" in name:
            totals[("heap", section)] += size
        elif name in owners:
            totals[(owners[name], section)] += size
    sizes = section_sizes(elf)
    print(f"{'':8} {'.text':>8} {'.rodata':>8} {'.data':>8} {'.bss':>8}")
    rows = {}
    for owner in ("port", "samples", "heap"):
        rows[owner] = [totals[(owner, s)] for s in SECTIONS.values()]
    rows["runtime"] = [sizes.get(s, 0) - sum(rows[o][i] for o in ("port", "samples", "heap"))
                       for i, s in enumerate(SECTIONS.values())]
    for owner in ("runtime", "port", "samples", "heap"):
        print(f"{owner:8} " + " ".join(f"{n:8d}" for n in rows[owner]))


main()
