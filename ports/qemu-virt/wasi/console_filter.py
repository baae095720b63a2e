#!/usr/bin/env python3
"""The console of a build.sh --program boot, on its standard input: passes
the program's output through as it comes (undoing the UART driver's
"\\r\\n" for "\\n"), takes out the file tree the kernel prints after the run
(wasi/tree_dump.h) and, with --write-back DIR, writes that tree under DIR
(DIR/<guest dir>/...). Exits 2 if the tree cannot be written back."""
import argparse
import os
import sys

START = b"@@qemu-virt-program\n"
BEGIN = b"\n@@qemu-virt-files\n"
END = b"@@qemu-virt-files-end\n"


def unhex(field):
    return b"" if field == b"-" else bytes.fromhex(field.decode())


def write_back(lines, root):
    for line in lines:
        parts = line.split(b" ")
        if parts[0] == b"@@error":
            print(f"qemu-virt: the kernel could not list the files: {line[8:].decode()}", file=sys.stderr)
            sys.exit(2)
        _, guest, kind, path, data = parts
        guest_dir = unhex(guest).decode().strip("/")
        target = os.path.join(root, guest_dir, unhex(path).decode())
        if kind == b"d":
            os.makedirs(target, exist_ok=True)
        elif kind == b"l":
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.lexists(target):
                os.remove(target)
            os.symlink(unhex(data).decode(), target)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(unhex(data))


def held_back(pending, marker):
    """How many bytes at the end of pending could start marker or "\r\n"."""
    for n in range(min(len(marker), len(pending)), 0, -1):
        if marker.startswith(pending[-n:]):
            return n
    return 1 if pending.endswith(b"\r") else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--write-back")
    a = ap.parse_args()
    src, out = sys.stdin.buffer, sys.stdout.buffer
    # Before the kernel's START line: the firmware's banner (OpenSBI), kept
    # back and shown on stderr only if the kernel never starts.
    pending, state, tree = b"", "firmware", []
    while True:
        chunk = src.read1(65536)
        pending = (pending + chunk).replace(b"\r\n", b"\n")
        if state == "firmware":
            at = pending.find(START)
            if at >= 0:
                pending, state = pending[at + len(START):], "output"
        if state == "output":
            at = pending.find(BEGIN)
            if at >= 0:
                out.write(pending[:at])
                pending, state = pending[at + len(BEGIN):], "tree"
        if state == "tree":
            while state == "tree" and b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                if line + b"\n" == END:
                    if a.write_back:
                        write_back(tree, a.write_back)
                    state = "after"
                else:
                    tree.append(line)
        if state not in ("firmware", "tree"):
            keep = held_back(pending, BEGIN if state == "output" else b"") if chunk else 0
            out.write(pending[: len(pending) - keep])
            pending = pending[len(pending) - keep:]
        out.flush()
        if not chunk:
            break
    if state == "firmware":
        sys.stderr.buffer.write(pending)
        print("qemu-virt: the kernel never started the program", file=sys.stderr)
        sys.exit(2)
    if state == "firmware":
        sys.stderr.buffer.write(pending)
        print("qemu-virt: the kernel never started the program", file=sys.stderr)
        sys.exit(2)
    if state == "tree":
        print("qemu-virt: the file tree was cut off (the kernel stopped printing it)", file=sys.stderr)
        sys.exit(2)


main()
