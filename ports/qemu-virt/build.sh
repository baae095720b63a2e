#!/usr/bin/env bash
# Builds the qemu-virt kernel images and boots them. Called by the root
# build.sh (--port qemu-virt, and `test`), or by hand:
#
#   ports/qemu-virt/build.sh [--arch riscv64|aarch64]... [--mode minimal|vm|full]...
#                            [--mem MIB] [--build-only] [--wasi-testsuite-all]
#   ports/qemu-virt/build.sh --arch A --mode M --program PROG.wasm
#                            [--dir HOST_DIR::GUEST_DIR]... [--env NAME=VALUE]...
#                            [--write-back DIR] [--mem MIB] [-- ARGS...]
#
# --program boots one WASI preview 1 program (README, "Running a WASI
# program") and exits with its status; wasi/program.sh does that part.
#
# Needs the host built (target/release/host), clang, ld.lld and QEMU. Each
# image runs every sample and checks its OS services (os/checks.c); a boot
# passes only if the console shows a PASS line per sample and per check and
# the "N passed, 0 failed" summary before the time limit
# (PORT_BOOT_TIMEOUT seconds, default 120). PORT_HEAP_MIB sets the
# embedding's heap (default 8), PORT_VM_POOL_MIB the vm kernel's page-frame
# pool (default 16: szip, a guest case, needs more than 4). Images land in out/ports/qemu-virt/<arch>/kernel.elf
# (minimal) and out/ports/qemu-virt/<arch>-<mode>/kernel.elf (vm, full).
# Without --arch and --mode, all six images are built.
set -euo pipefail

port=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$port/../.." && pwd)
out="$root/out/ports/qemu-virt"
host="$root/target/release/host"
heap_mib=${PORT_HEAP_MIB:-8}
pool_mib=${PORT_VM_POOL_MIB:-16}
timeout_secs=${PORT_BOOT_TIMEOUT:-120}
arches=()
modes=()
mem_mib=64
build_only=false
program=""
program_opts=()
testsuite_all=false
suite_dir=${WASI_TESTSUITE:-$root/../shared/wasi-testsuite}

while [ $# -gt 0 ]; do
  case "$1" in
    --arch)
      case "${2:-}" in
        riscv64 | aarch64) arches+=("$2") ;;
        *) echo "qemu-virt: --arch needs riscv64 or aarch64" >&2; exit 2 ;;
      esac
      shift 2 ;;
    --mode)
      case "${2:-}" in
        minimal | vm | full) modes+=("$2") ;;
        *) echo "qemu-virt: --mode needs minimal, vm or full" >&2; exit 2 ;;
      esac
      shift 2 ;;
    --mem) mem_mib=${2:?--mem needs MiB}; shift 2 ;;
    --build-only) build_only=true; shift ;;
    --wasi-testsuite-all) testsuite_all=true; shift ;;
    --program) program=${2:?--program needs PROG.wasm}; shift 2 ;;
    --dir | --env | --write-back)
      [ $# -ge 2 ] || { echo "qemu-virt: $1 needs a value" >&2; exit 2; }
      program_opts+=("$1" "$2"); shift 2 ;;
    --) program_opts+=("$@"); break ;;
    *) echo "qemu-virt: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [ -z "$program" ] && [ ${#program_opts[@]} -gt 0 ]; then
  echo "qemu-virt: ${program_opts[0]} is an option of --program only" >&2
  exit 2
fi
if [ -n "$program" ]; then
  if [ ${#arches[@]} -ne 1 ] || [ ${#modes[@]} -ne 1 ]; then
    echo "qemu-virt: --program needs exactly one --arch and one --mode" >&2
    exit 2
  fi
fi
[ ${#arches[@]} -gt 0 ] || arches=(riscv64 aarch64)
[ ${#modes[@]} -gt 0 ] || modes=(minimal vm full)

# The images to build, as ARCH:MODE: every asked-for pair.
images=()
for mode in "${modes[@]}"; do
  for arch in "${arches[@]}"; do
    images+=("$arch:$mode")
  done
done
[ ${#images[@]} -gt 0 ] || { echo "qemu-virt: nothing to build" >&2; exit 2; }

say() { printf '==> %s\n' "$*" >&2; }

rust_target() {
  case "$1" in
    riscv64) echo riscv64gc-unknown-none-elf ;;
    aarch64) echo aarch64-unknown-none ;;
  esac
}

clang_flags() {
  case "$1" in
    riscv64) echo "--target=riscv64-unknown-elf -march=rv64gc -mabi=lp64d -mcmodel=medany -mno-relax" ;;
    aarch64) echo "--target=aarch64-unknown-elf" ;;
  esac
}

ensure_rust_target() {
  if ! rustup target list --installed | grep -qx "$1"; then
    say "installing the Rust target $1 (rustup target add)"
    rustup target add "$1"
  fi
}

# Where an image's files go: <arch> for minimal (as before vm existed),
# <arch>-<mode> otherwise.
image_dir() {
  if [ "$2" = minimal ]; then echo "$out/$1"; else echo "$out/$1-$2"; fi
}

# The generated sample table of a mode: Pulley bytecode for minimal (the
# same for every architecture), native code for vm.
samples_file() {
  if [ "$2" = minimal ]; then echo "$out/samples.c"; else echo "$out/samples-$2-$1.c"; fi
}

build_embedding() {
  local arch=$1 mode=$2 dir=$3 target
  target=$(rust_target "$arch")
  ensure_rust_target "$target"
  say "building the $mode,wasip1 embedding for $target (heap: $heap_mib MiB, relocation-model=pic)"
  # Position-independent code links into this fixed-address kernel as well
  # (ld.lld fills its GOT at link time), and it is what cross/build.sh
  # builds the same embedding with for Linux. With the same flags, Cargo
  # reuses the compiled Wasmtime and rebuilds only the embedding crate for
  # the heap size, which saves minutes per image. A port of your own can
  # drop the flag.
  (cd "$root" && env "CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<<"$target")_RUSTFLAGS=-C relocation-model=pic" \
    EMBEDDING_HEAP_MIB="$heap_mib" cargo build --locked -p embedding \
    --target "$target" --profile embedding --features "$mode,wasip1")
  cp "$root/target/$target/embedding/libembedding.a" "$dir/libembedding.a"
}

build_image() {
  local arch=${1%:*} mode=${1#*:} dir src srcs objs=() obj defines=()
  dir=$(image_dir "$arch" "$mode")
  mkdir -p "$dir"
  build_embedding "$arch" "$mode" "$dir"
  defines=(-DPORT_BUILD_EPOCH="$(date +%s)")
  if [ -n "${program_bundle:-}" ] || [ -n "${suite_bundle:-}" ]; then
    # --program (wasi/program_main.c) or the WASI testsuite
    # (wasi/suite_main.c) in place of the sample runner, with its bundle
    # (wasi/bundle_data.S includes it), in a directory of its own.
    srcs=("$port"/crash.c "$port"/mem.c "$port"/platform.c "$port"/print.c "$port"/os/*.c
      "$port/$arch"/*.c "$port/$arch"/boot.S "$port"/wasi/bundle.c "$port"/wasi/bundle_data.S)
    if [ -n "${program_bundle:-}" ]; then
      dir="$dir/program"
      srcs+=("$port"/wasi/program_main.c "$port"/wasi/tree_dump.c)
      defines+=(-DWASI_BUNDLE_PATH="\"$program_bundle\"")
    else
      dir="$dir/testsuite"
      srcs+=("$port"/wasi/suite_main.c "$port"/wasi/cases.c)
      defines+=(-DWASI_BUNDLE_PATH="\"$suite_bundle\"" -DSUITE_MODE="\"$mode\"")
    fi
    mkdir -p "$dir"
    cp "$dir/../libembedding.a" "$dir/libembedding.a"
  else
    # The OS services (os/: platform/embedding-os.h) and their in-kernel
    # checks, which compare the RTC with the host's date at build time.
    srcs=("$port"/*.c "$port"/os/*.c "$port/$arch"/*.c "$port/$arch"/boot.S "$(samples_file "$arch" "$mode")")
    # The guest cases (wasi/cases_bundle.py), run after the samples.
    say "packing the WASI guest cases for $arch/$mode (wasi/cases_bundle.py)"
    python3 "$port/wasi/cases_bundle.py" "$dir/cases.bin" --guests "$root/guests" \
      --built "$root/out/guests" --host "$host" --arch "$arch" --mode "$mode" \
      --label "$arch-virt/$mode" --heap-mib "$heap_mib" >"$dir/cases-skipped.txt"
    srcs+=("$port"/wasi/bundle.c "$port"/wasi/cases.c "$port"/wasi/bundle_data.S)
    defines+=(-DWASI_BUNDLE_PATH="\"$dir/cases.bin\"")
  fi
  if [ "$mode" != minimal ]; then
    # The virtual-memory and lock hooks, and the page tables.
    srcs+=("$port"/vm/*.c "$port/$arch"/vm/*.c)
    defines+=(-DPORT_VM -DPORT_VM_POOL_MIB="$pool_mib" -DWASMTIME_VIRTUAL_MEMORY -DWASMTIME_CUSTOM_SYNC)
  fi
  if [ "$mode" = full ]; then
    # Traps through the exception vector.
    srcs+=("$port"/full/*.c "$port/$arch"/full/*.c)
    defines+=(-DPORT_FULL -DWASMTIME_NATIVE_SIGNALS)
  fi
  say "compiling and linking $dir/kernel.elf"
  for src in "${srcs[@]}"; do
    obj="$dir/$(basename "${src%.*}").o"
    # shellcheck disable=SC2046 # the flags are meant to split into words
    clang $(clang_flags "$arch") -std=c11 -O2 -Wall -Wextra -Werror \
      -ffreestanding -fno-builtin -nostdlib -fno-stack-protector -fno-pic \
      "${defines[@]}" -I "$port/include" -I "$port" -I "$port/vm" -I "$port/full" -I "$root/embedding" \
      -I "$root/platform" -c "$src" -o "$obj"
    objs+=("$obj")
  done
  ld.lld -T "$port/$arch/kernel.ld" --gc-sections -o "$dir/kernel.elf" \
    "${objs[@]}" "$dir/libembedding.a"
  say "$arch/$mode: kernel.elf loads $(image_bytes "$dir/kernel.elf") bytes (text+data), $(bss_bytes "$dir/kernel.elf") more in .bss and stack"
}

# Bytes the loader copies, and bytes the kernel zeroes or uses as stack
# (binutils' `size` reads any ELF, whatever its machine).
image_bytes() { size "$1" | awk 'NR == 2 { print $1 + $2 }'; }
bss_bytes() { size "$1" | awk 'NR == 2 { print $3 }'; }

# The entropy source of each (os/random.c): a virtio-rng device on
# riscv64 (virtio-mmio, legacy by default), RNDR on aarch64, which `max`
# has and cortex-a57 has not.
qemu_command() {
  local arch=$1
  case "$arch" in
    riscv64) echo "qemu-system-riscv64 -machine virt -bios default -device virtio-rng-device" ;;
    aarch64) echo "qemu-system-aarch64 -machine virt -cpu max" ;;
  esac
}

# Boots the image; prints the console and one verdict line.
boot() {
  local arch=${1%:*} mode=${1#*:} dir log status=0 passes summary problem=""
  dir=$(image_dir "$arch" "$mode")
  log="$dir/console.log"
  say "booting $arch/$mode (-m ${mem_mib}M, limit $timeout_secs s)"
  # The serial line's input: an empty line (on riscv64 the first byte
  # never reaches the kernel: README, "OS services"), then "ping", which the os-console-read check
  # reads (os/checks.c); QEMU passes it on as the UART takes it.
  # shellcheck disable=SC2046 # the command is meant to split into words
  printf '\nping\n' | timeout "$timeout_secs" $(qemu_command "$arch") -m "${mem_mib}M" -nic none \
    -display none -monitor none -serial stdio -kernel "$dir/kernel.elf" \
    | tr -d '\r' >"$log" || status=$?
  cat "$log" "$dir/cases-skipped.txt"
  passes=$(grep -c "^PASS $arch-virt/$mode " "$log" || true)
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" || true)
  if [ "$status" -eq 124 ]; then
    problem="no power-off within $timeout_secs s (hung)"
  elif grep -q '^PANIC\|^CRASH' "$log"; then
    problem="$(grep -m1 '^PANIC\|^CRASH' "$log")"
  elif [ -z "$summary" ]; then
    problem="no summary line on the console (crashed or stopped early; QEMU status $status)"
  elif [ "$summary" != "$passes passed, 0 failed" ] || [ "$passes" -eq 0 ]; then
    problem="$summary"
  elif [ "$status" -ne 0 ]; then
    problem="the console says '$summary' but QEMU exited with status $status"
  fi
  if [ -n "$problem" ]; then
    echo "FAIL port qemu-virt/$(label "$arch" "$mode"): $problem; console tail:"
    tail -n 15 "$log" | sed 's/^/    /'
    return 1
  fi
  echo "PASS port qemu-virt/$(label "$arch" "$mode"): $summary"
}

# How verdict lines name an image: minimal ones as before vm existed.
label() {
  if [ "$2" = minimal ]; then echo "$1"; else echo "$1/$2"; fi
}

mkdir -p "$out"
if [ -n "$program" ]; then
  # shellcheck source=SCRIPTDIR/wasi/program.sh
  . "$port/wasi/program.sh"
  run_program "${arches[0]}" "${modes[0]}" "$program" "${program_opts[@]}"
  exit $?
fi
[ -x "$host" ] || { echo "qemu-virt: $host missing: build the host first (./build.sh --build-only)" >&2; exit 1; }
declare -A generated=()
for image in "${images[@]}"; do
  arch=${image%:*} mode=${image#*:}
  file=$(samples_file "$arch" "$mode")
  [ -z "${generated[$file]:-}" ] || continue
  generated[$file]=1
  if [ "$mode" = minimal ]; then
    say "generating $file (host port-samples --mode minimal)"
    "$host" port-samples --mode minimal "$file"
  else
    say "generating $file (host port-samples --mode $mode --arch $arch)"
    "$host" port-samples --mode "$mode" --arch "$arch" "$file"
  fi
done
for image in "${images[@]}"; do build_image "$image"; done
$build_only && exit 0
failed=0
for image in "${images[@]}"; do boot "$image" || failed=1; done
# The official WASI testsuite: riscv64/vm and aarch64/minimal by default,
# every image asked for with --wasi-testsuite-all (wasi/testsuite.sh).
# shellcheck source=SCRIPTDIR/wasi/testsuite.sh
. "$port/wasi/testsuite.sh"
for image in "${images[@]}"; do
  if $testsuite_all || [ "$image" = riscv64:vm ] || [ "$image" = aarch64:minimal ]; then
    run_testsuite "$image" || failed=1
  fi
done
# --program, on riscv64/minimal when that image was asked for.
if [[ " ${images[*]} " == *" riscv64:minimal "* ]]; then
  "$port/tests/program_bad_input.sh" || failed=1
  "$port/tests/program_runs.sh" || failed=1
fi
exit "$failed"
