#!/usr/bin/env python3
"""Packs the guest cases of guests/cases/ that a bare-metal image can run
into the bundle its kernel runs after the samples (wasi/cases.c), each
program precompiled once per (arch, mode) with `host precompile`.

Reads the case format of guests/README.md (the same rules as
host/src/wasi/cases.rs: unknown keys are an error). Runs the preview 1
cases (core modules: p1-*, c-*, tool-szip-*); prints one
"SKIP <label> wasi/<case>: <why>" line for each case left out, on stdout."""
import argparse
import os
import subprocess
import sys

from bundle_format import Writer, fail, header, program, tree

OUTCOMES = {"trap": 1, "fuel": 2}

# Cases a kernel cannot run, and why (build.sh prints these as SKIP).
LEFT_OUT = {
    "p1-spin-timeout": "needs the host to stop the guest after 2 s (exit: timeout); the kernel has no deadline to stop a program with",
    "p1-flood": "writes 1 GiB to stdout: minutes of UART output under TCG",
}


# Cases whose programs allocate more than the default test image's 8 MiB
# heap holds (minimal keeps linear memory on the heap; they fail there with
# the guest's out-of-memory), run only with PORT_HEAP_MIB of at least this.
LARGE_HEAP_MIB = 160
LARGE_HEAP = {
    "c-heap-wasi": "grows linear memory past 80 MiB",
    "c-heap-clock-used-10000000": "allocates 10,000,000 blocks",
    "tool-szip-raw": "szip --raw holds the whole 190 KiB corpus several times over",
    "tool-szip-raw-decompress": "szip --raw holds the whole 190 KiB corpus several times over",
}


def split_args(text):
    args, current, quoted = [], None, False
    for c in text:
        if c == '"':
            quoted = not quoted
            current = current or ""
        elif c.isspace() and not quoted:
            if current is not None:
                args.append(current)
            current = None
        else:
            current = (current or "") + c
    if quoted:
        raise ValueError("args: unterminated double quote")
    if current is not None:
        args.append(current)
    return args


def read_case(path):
    case = {"args": [], "env": [], "dirs": []}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition(":")
            if not sep:
                fail(f"{path}:{n}: expected `key: value`")
            key, value = key.strip(), value.strip()
            if key == "args":
                case["args"] = split_args(value)
            elif key == "env":
                case["env"].append(value)
            elif key == "dir":
                host, sep, guest = value.partition("::")
                if not sep:
                    fail(f"{path}:{n}: dir needs HOST::GUEST")
                case["dirs"].append((host, guest))
            elif key in ("guest", "stdin", "exit", "exit-adapter", "stdout", "stderr", "stdout-bytes", "fuel", "timeout"):
                case[key] = value
            else:
                fail(f"{path}:{n}: unknown key `{key}`")
    for key in ("guest", "exit"):
        if key not in case:
            fail(f"{path}: no `{key}:` line")
    return case


def is_core_module(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\0asm\x01\0\0\0"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--guests", required=True, help="the guests/ folder (cases, expected files, data)")
    ap.add_argument("--built", required=True, help="out/guests/, where guests/build.sh puts the programs")
    ap.add_argument("--host", required=True)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--mode", required=True)
    ap.add_argument("--label", required=True, help="e.g. riscv64-virt/vm, for SKIP lines")
    ap.add_argument("--heap-mib", type=int, required=True, help="the embedding's heap (PORT_HEAP_MIB)")
    a = ap.parse_args()
    cache = os.path.join(os.path.dirname(os.path.abspath(a.out)), "guests")
    os.makedirs(cache, exist_ok=True)
    cases_dir = os.path.join(a.guests, "cases")
    chosen = []
    for file in sorted(os.listdir(cases_dir)):
        name = file.removesuffix(".case")
        case = read_case(os.path.join(cases_dir, file))
        wasm = os.path.join(a.built, case["guest"] + ".wasm")
        if not os.path.isfile(wasm):
            fail(f"{wasm} missing: run guests/build.sh first")
        if name in LEFT_OUT:
            print(f"SKIP {a.label} wasi/{name}: {LEFT_OUT[name]}")
        elif name in LARGE_HEAP and a.heap_mib < LARGE_HEAP_MIB:
            print(f"SKIP {a.label} wasi/{name}: {LARGE_HEAP[name]}: needs PORT_HEAP_MIB={LARGE_HEAP_MIB}, the image has {a.heap_mib}")
        elif case["exit"] == "timeout":
            print(f"SKIP {a.label} wasi/{name}: exit: timeout needs the host to stop the guest")
        elif not is_core_module(wasm):
            print(f"SKIP {a.label} wasi/{name}: a component (WASI 0.2); these images run preview 1 only")
        else:
            chosen.append((name, case, wasm))
    # Precompiled once per guest. A guest the host cannot compile for this
    # (arch, mode) is left out, its cases named with the host's error:
    # Cranelift's riscv64 backend panics on many real programs without the
    # V extension (docs/architectures.md).
    artifacts, runnable = {}, []
    for name, case, wasm in chosen:
        guest = case["guest"]
        if guest not in artifacts:
            artifact = os.path.join(cache, guest.replace("/", "-") + ".cwasm")
            artifacts[guest] = (artifact, None)
            if not os.path.exists(artifact) or os.path.getmtime(artifact) < os.path.getmtime(wasm):
                done = subprocess.run([a.host, "precompile", "--mode", a.mode, "--arch", a.arch, wasm, artifact],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                if done.returncode != 0:
                    why = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"status {done.returncode}"
                    artifacts[guest] = (None, why)
        artifact, why = artifacts[guest]
        if why:
            print(f"SKIP {a.label} wasi/{name}: the host cannot precompile {guest} for it: {why}")
        else:
            runnable.append((name, case, artifact))
    w = Writer()
    header(w, len(runnable))
    for name, case, artifact in runnable:
        with open(artifact, "rb") as f:
            code = f.read()
        preopens, files = [], []
        for host, guest in case["dirs"]:
            if host != "@tmp":
                files += tree(os.path.join(a.guests, host), len(preopens))
            preopens.append(guest)
        stdin = b""
        if "stdin" in case:
            with open(os.path.join(a.guests, case["stdin"]), "rb") as f:
                stdin = f.read()

        def expected(key, count_key=None):
            if key in case:
                with open(os.path.join(a.guests, case[key]), "rb") as f:
                    return f.read()
            if count_key and count_key in case:
                return int(case[count_key])
            return None

        outcome = OUTCOMES.get(case["exit"], 0)
        exit_code = int(case["exit"]) if outcome == 0 else 0
        fuel = int(case["fuel"]) if "fuel" in case else 2**64 - 1
        program(w, f"wasi/{name}", os.path.basename(case["guest"]), code, case["args"], case["env"], preopens, files,
                stdin, fuel, (outcome, exit_code, expected("stdout", "stdout-bytes"), expected("stderr")))
    with open(a.out, "wb") as f:
        f.write(w.buf)


if __name__ == "__main__":
    sys.exit(main())
