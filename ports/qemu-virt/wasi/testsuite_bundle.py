#!/usr/bin/env python3
"""Packs the official WASI testsuite's preview 1 tests (tests/*/testsuite/
wasm32-wasip1/*.wasm with their JSON specifications) into a bundle for the
suite kernel (wasi/suite_main.c), each precompiled for the image.

The rules are those of host/src/wasi/testsuite (spec.rs, verdict.rs): the
legacy keys args, root, env, exit_code, stdout, stderr (any other key is
an error); root is preopened as "/", with a fresh copy per test; stdout and
stderr are checked as prefixes (the reference runner reads as many bytes
as the payload has); exit_code defaults to 0. A test without a JSON file
runs with no arguments and must exit 0. Prints one "SKIP <label>
wasi-testsuite/<suite>/<test>: <why>" line for a test left out."""
import argparse
import json
import os
import subprocess

from bundle_format import Prefix, Writer, fail, header, program, tree

LEGACY = {"args", "root", "env", "exit_code", "stdout", "stderr"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--suite", required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--mode", required=True)
    ap.add_argument("--label", required=True)
    a = ap.parse_args()
    cache = os.path.join(os.path.dirname(os.path.abspath(a.out)), "testsuite")
    os.makedirs(cache, exist_ok=True)
    tests = []
    for suite in sorted(os.listdir(os.path.join(a.suite, "tests"))):
        d = os.path.join(a.suite, "tests", suite, "testsuite", "wasm32-wasip1")
        if os.path.isdir(d):
            tests += [(suite, d, f[:-5]) for f in sorted(os.listdir(d)) if f.endswith(".wasm")]
    if not tests:
        fail(f"{a.suite}: no tests/*/testsuite/wasm32-wasip1/*.wasm")
    w = Writer()
    entries = []
    for suite, d, test in tests:
        name = f"wasi-testsuite/{suite}/{test}"
        spec = {}
        if os.path.exists(os.path.join(d, test + ".json")):
            with open(os.path.join(d, test + ".json")) as f:
                spec = json.load(f)
        unknown = set(spec) - LEGACY
        if unknown:
            print(f"SKIP {a.label} {name}: a specification this executor does not drive ({', '.join(sorted(unknown))})")
            continue
        wasm = os.path.join(d, test + ".wasm")
        artifact = os.path.join(cache, f"{suite}-{test}.cwasm")
        if not os.path.exists(artifact) or os.path.getmtime(artifact) < os.path.getmtime(wasm):
            done = subprocess.run([a.host, "precompile", "--mode", a.mode, "--arch", a.arch, wasm, artifact],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if done.returncode != 0:
                why = (done.stderr.strip().splitlines() or [f"status {done.returncode}"])[-1]
                print(f"SKIP {a.label} {name}: the host cannot precompile it for this image: {why}")
                continue
        with open(artifact, "rb") as f:
            code = f.read()
        preopens, files = [], []
        if spec.get("root") is not None:
            files = tree(os.path.join(d, spec["root"]), 0)
            preopens = ["/"]
        env = [f"{k}={v}" for k, v in (spec.get("env") or {}).items()]
        out = Prefix(spec["stdout"].encode()) if spec.get("stdout") is not None else None
        err = Prefix(spec["stderr"].encode()) if spec.get("stderr") is not None else None
        exit_code = spec.get("exit_code") or 0
        entries.append((name, test, code, spec.get("args") or [], env, preopens, files, exit_code, out, err))
    header(w, len(entries))
    for name, test, code, args, env, preopens, files, exit_code, out, err in entries:
        program(w, name, test, code, args, env, preopens, files, b"", 2**64 - 1, (0, exit_code, out, err))
    with open(a.out, "wb") as f:
        f.write(w.buf)


main()
