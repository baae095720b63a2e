"""Writes the program bundle a kernel links in (layout: wasi/bundle.h);
shared by bundle.py (build.sh --program) and cases_bundle.py (the test
images' guest cases)."""
import os
import struct
import sys

MAX_LIST = 256  # BUNDLE_MAX_LIST in bundle.h
KIND_DIR, KIND_FILE, KIND_LINK = 0, 1, 2


def fail(message):
    print(f"qemu-virt: {message}", file=sys.stderr)
    sys.exit(2)


class Writer:
    def __init__(self):
        self.buf = bytearray()

    def align(self, to):
        self.buf += b"\0" * (-len(self.buf) % to)

    def u32(self, v):
        self.align(4)
        self.buf += struct.pack("<I", v)

    def u64(self, v):
        self.u32(v & 0xFFFFFFFF)
        self.u32(v >> 32)

    def str(self, s):
        b = s.encode() if isinstance(s, str) else s
        self.u32(len(b))
        self.buf += b

    def blob(self, b):
        self.u32(len(b))
        self.align(16)
        self.buf += b

    def strs(self, items, what):
        if len(items) > MAX_LIST:
            fail(f"more than {MAX_LIST} {what}")
        self.u32(len(items))
        for s in items:
            self.str(s)

def tree(host_dir, preopen):
    """Every directory, file and link below host_dir, parents first."""
    if not os.path.isdir(host_dir):
        fail(f"--dir {host_dir}: no such directory")
    entries = []
    for top, dirs, files in os.walk(host_dir):
        dirs.sort()
        for name in sorted(dirs + files):
            path = os.path.join(top, name)
            rel = os.path.relpath(path, host_dir).encode()
            if os.path.islink(path):
                entries.append((preopen, rel, KIND_LINK, os.readlink(path).encode()))
            elif os.path.isdir(path):
                entries.append((preopen, rel, KIND_DIR, b""))
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    entries.append((preopen, rel, KIND_FILE, f.read()))
            else:
                fail(f"--dir {host_dir}: {rel.decode()} is neither a file, a directory nor a link")
    return entries




class Prefix(bytes):
    """An expected stream checked as a prefix (CHECK_PREFIX)."""


def program(w, name, argv0, artifact, args, env, preopens, files, stdin=b"", fuel=2**64 - 1, expect=None):
    """One program: name labels it, argv0 is its argv[0]; fuel 2**64-1 for as good
    as none (every store meters fuel). expect: (outcome, code, stdout,
    stderr), each stream None (unchecked), bytes (exact), Prefix or int
    (a byte count)."""
    w.str(name)
    w.blob(artifact)
    w.strs([argv0] + args, "arguments")
    w.strs(env, "environment variables")
    w.strs(preopens, "directories")
    if len(files) > MAX_LIST:
        fail(f"{name}: its directories hold {len(files)} entries, more than {MAX_LIST}")
    w.u32(len(files))
    for preopen, path, kind, data in files:
        w.u32(preopen)
        w.str(path)
        w.u32(kind)
        w.blob(data)
    w.blob(stdin)
    w.u64(fuel)
    if expect is None:
        w.u32(0)
        return
    outcome, code, out, err = expect
    w.u32(1)
    w.u32(outcome)
    w.u32(code & 0xFFFFFFFF)
    for stream in (out, err):
        if stream is None:
            w.u32(0), w.blob(b""), w.u64(0)
        elif isinstance(stream, Prefix):
            w.u32(3), w.blob(stream), w.u64(0)
        elif isinstance(stream, int):
            w.u32(2), w.blob(b""), w.u64(stream)
        else:
            w.u32(1), w.blob(stream), w.u64(0)


def header(w, count):
    w.buf += b"WASIBNDL"
    w.u32(1)
    w.u32(count)
