#!/usr/bin/env python3
"""Packs one preview 1 program, precompiled, with its arguments, environment
and preopened directories into the bundle a kernel links in (layout:
wasi/bundle.h). Called by build.sh --program; exits 2 naming the problem
for a missing or unreadable directory or a list longer than the kernel
takes."""
import argparse

from bundle_format import Writer, fail, header, program, tree


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--artifact", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--arg", action="append", default=[])
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--dir", action="append", default=[])
    a = ap.parse_args()
    preopens, files = [], []
    for spec in a.dir:
        host_dir, sep, guest = spec.partition("::")
        if not sep or not host_dir or not guest:
            fail(f"--dir {spec}: expected HOST_DIR::GUEST_DIR")
        files += tree(host_dir, len(preopens))
        preopens.append(guest)
    with open(a.artifact, "rb") as f:
        artifact = f.read()
    w = Writer()
    header(w, 1)
    # Standard input is the UART's, not a packed one.
    program(w, a.name, a.name, artifact, a.arg, a.env, preopens, files)
    with open(a.out, "wb") as f:
        f.write(w.buf)


main()
