#!/usr/bin/env bash
# The embedding on aarch64 and riscv64 Linux, run under qemu-user. Called by
# the root build.sh (--arch), or by hand:
#
#   cross/build.sh --arch aarch64|riscv64 [--mode minimal|vm|full]... [--build-only]
#
# For each mode: builds the embedding for the arch's -unknown-none target
# and links it into a shared object, compiles the Linux platform with
# Debian's cross compiler, has the x86_64 host precompile the samples for
# that arch (host port-samples), and compiles them into the sample loader
# (cross/samples.c). Then runs the loader under qemu-user, which prints
# `PASS <arch>/<mode> <sample>` lines.
#
# Needs the host built (target/release/host), <triple>-gcc and qemu-user
# (Debian: gcc-aarch64-linux-gnu, gcc-riscv64-linux-gnu,
# libc6-dev-arm64-cross, libc6-dev-riscv64-cross, qemu-user).
# Outputs land in out/<arch>/<mode>/: libembedding.so (stripped),
# libembedding.a, libwasmtime-platform.so, samples.c, samples; and
# out/<arch>/serve, the loader `host conformance --arch` runs the spec
# testsuite through.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=cross/arch.sh
source cross/arch.sh
host="$root/target/release/host"
arch=""
modes=()
build_only=false

while [ $# -gt 0 ]; do
  case "$1" in
    --arch) cross_arch_parse cross "${2:-}"; shift 2 ;;
    --mode)
      case "${2:-}" in
        minimal | vm | full) modes+=("$2") ;;
        *) echo "cross: --mode needs minimal, vm or full" >&2; exit 2 ;;
      esac
      shift 2 ;;
    --build-only) build_only=true; shift ;;
    *) echo "cross: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$arch" ] || { echo "cross: --arch aarch64|riscv64 is required" >&2; exit 2; }
[ ${#modes[@]} -gt 0 ] || modes=(minimal vm full)

say() { printf '==> %s\n' "$*" >&2; }

cross_arch_names
rust_target=$rust_none
# Cargo's per-target RUSTFLAGS variable, e.g.
# CARGO_TARGET_AARCH64_UNKNOWN_NONE_RUSTFLAGS.
rustflags_var="CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<<"$rust_target")_RUSTFLAGS"

for tool in "$gnu-gcc" "$gnu-strip" "qemu-$arch"; do
  command -v "$tool" >/dev/null ||
    { echo "cross: $tool not found (install gcc-$gnu, libc6-dev-*-cross and qemu-user; see .ci/run)" >&2; exit 1; }
done
[ -x "$host" ] || { echo "cross: $host missing: build the host first (./build.sh --build-only)" >&2; exit 1; }
if ! rustup target list --installed | grep -qx "$rust_target"; then
  say "installing the Rust target $rust_target (rustup target add)"
  rustup target add "$rust_target"
fi

# The platform's defines per mode, as the root build.sh sets them for
# x86_64.
platform_defines() {
  case "$1" in
    minimal) ;;
    vm) echo "-DWASMTIME_VIRTUAL_MEMORY -DWASMTIME_CUSTOM_SYNC" ;;
    full) echo "-DWASMTIME_VIRTUAL_MEMORY -DWASMTIME_CUSTOM_SYNC -DWASMTIME_NATIVE_SIGNALS" ;;
  esac
}

build_mode() {
  local mode=$1 dir="$root/out/$arch/$1" start
  mkdir -p "$dir"
  start=$(date +%s)
  # The -none targets default to the static relocation model, whose code
  # needs text relocations in a shared object (the link below refuses them
  # with -z text). Position-independent code links cleanly; with full LTO
  # the prebuilt core and alloc are compiled again with it too.
  say "building the $mode embedding for $rust_target (relocation-model=pic)"
  env "$rustflags_var=-C relocation-model=pic" \
    cargo build --locked -p embedding --target "$rust_target" --profile embedding --features "$mode"
  cp "target/$rust_target/embedding/libembedding.a" "$dir/libembedding.a"

  # Not --whole-archive as on x86_64: the prebuilt compiler-builtins of
  # these targets hold C objects marked soft-float, which the linker will
  # not mix with hard-float code. -u pulls in the exported table and
  # whatever it reaches, which never includes those objects.
  say "linking $dir/libembedding.so"
  "$gnu-gcc" -shared -nostdlib -o "$dir/libembedding.full.so" \
    -Wl,-u,embedding_api "$dir/libembedding.a" \
    -Wl,--gc-sections -Wl,--version-script=embedding/exports.map -Wl,-z,noexecstack -Wl,-z,text
  "$gnu-strip" --strip-all -o "$dir/libembedding.so" "$dir/libembedding.full.so"
  rm "$dir/libembedding.full.so"

  say "compiling $dir/libwasmtime-platform.so"
  # shellcheck disable=SC2046 # the defines are meant to split into words
  "$gnu-gcc" -std=c11 -O2 -Wall -Wextra -Werror -fPIC -shared $(platform_defines "$mode") \
    -Iplatform -o "$dir/libwasmtime-platform.so" platform/wasmtime-platform.c

  say "precompiling the samples for $arch/$mode (host port-samples) and building the loader"
  "$host" port-samples --mode "$mode" --arch "$arch" "$dir/samples.c"
  "$gnu-gcc" -std=c11 -O2 -Wall -Wextra -Werror -Iembedding -Iports/qemu-virt \
    -o "$dir/samples" cross/samples.c ports/qemu-virt/runner.c "$dir/samples.c" -ldl
  say "$arch/$mode: libembedding.so is $(stat -c %s "$dir/libembedding.so") bytes stripped (built in $(($(date +%s) - start)) s)"
}

run_mode() {
  local dir="$root/out/$arch/$1" start status=0
  start=$(date +%s)
  say "running the $arch/$1 samples under qemu-$arch"
  QEMU_LD_PREFIX="/usr/$gnu" "qemu-$arch" "$dir/samples" \
    "$dir/libwasmtime-platform.so" "$dir/libembedding.so" || status=$?
  say "$arch/$1 samples ran in $(($(date +%s) - start)) s"
  return $status
}

for mode in "${modes[@]}"; do build_mode "$mode"; done
# The loader `host conformance --arch` talks to; the same for every mode.
say "building out/$arch/serve (cross/serve.c)"
"$gnu-gcc" -std=c11 -O2 -Wall -Wextra -Werror -Iembedding -o "$root/out/$arch/serve" cross/serve.c -ldl
# The sections no mode compiles here (the OS services of a `wasi` build)
# must meet the same warning flags on this arch. The reference fiber
# hooks are x86_64 code and say so with #error elsewhere; no embedding
# here imports them, since Wasmtime switches stacks itself on this arch.
say "compiling the platform with every define but WASMTIME_CUSTOM_FIBER"
"$gnu-gcc" -std=c11 -O2 -Wall -Wextra -Werror -fPIC -shared -Iplatform \
  -DWASMTIME_VIRTUAL_MEMORY -DWASMTIME_CUSTOM_SYNC -DWASMTIME_NATIVE_SIGNALS -DEMBEDDING_OS_SERVICES \
  -o "$root/out/$arch/libwasmtime-platform-all.so" platform/wasmtime-platform.c
$build_only && exit 0
failed=0
for mode in "${modes[@]}"; do run_mode "$mode" || failed=1; done
exit $failed
