#!/usr/bin/env bash
# The loader-only host for aarch64 or riscv64 Linux. Called by the root
# build.sh (--arch), or by hand:
#
#   cross/host.sh --arch aarch64|riscv64
#
# Cross-builds the host without its `compiler` feature (no Cranelift, no
# WASI, no text formats: Wasmtime's runtime with Pulley, and the checks)
# for <arch>-linux-gnu with Debian's cross compiler as the linker, into
# target/<rust_linux>/release/host. The x86_64 host runs it under qemu-user
# as the children of `host reliability|fuzz|bench --arch <arch>` and
# compiles for it (docs/architectures.md).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=cross/arch.sh
source cross/arch.sh
arch=""

while [ $# -gt 0 ]; do
  case "$1" in
    --arch) cross_arch_parse cross/host "${2:-}"; shift 2 ;;
    *) echo "cross/host: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$arch" ] || { echo "cross/host: --arch aarch64|riscv64 is required" >&2; exit 2; }
cross_arch_names

say() { printf '==> %s\n' "$*" >&2; }

command -v "$gnu-gcc" >/dev/null ||
  { echo "cross/host: $gnu-gcc not found (install gcc-$gnu and libc6-dev-*-cross; see .ci/run)" >&2; exit 1; }
start=$(date +%s)
say "building the loader-only host for $rust_linux (no default features)"
cross_cargo_linux build --locked --release -p host --no-default-features
say "$arch loader-only host built in $(($(date +%s) - start)) s"
