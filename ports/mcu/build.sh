#!/usr/bin/env bash
# Builds the microcontroller firmware images and boots them under QEMU.
# Called by the root build.sh (its `test` boots every ports/*/build.sh), or
# by hand:
#
#   ports/mcu/build.sh [--board riscv32-virt|cortex-m4]... [--mode small|minimal]...
#                      [--build-only]
#
# Needs the host built (target/release/host), clang, ld.lld, llvm-objcopy
# and QEMU (qemu-system-riscv32, qemu-system-arm). Each image runs every
# sample; a boot passes only if the console shows a PASS line per sample and
# "N passed, 0 failed" before the time limit (PORT_BOOT_TIMEOUT seconds,
# default 120) and QEMU exits 0. PORT_HEAP_KIB sets the embedding's heap
# (default 168: 192 KiB of RAM less a 16 KiB stack and the firmware's few
# hundred bytes of .data and .bss; the link fails if it does not fit).
# Images land in out/ports/mcu/<board>-<mode>/. Without --board and --mode,
# all four images are built.
set -euo pipefail

port=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$port/../.." && pwd)
out="$root/out/ports/mcu"
host="$root/target/release/host"
heap_kib=${PORT_HEAP_KIB:-168}
timeout_secs=${PORT_BOOT_TIMEOUT:-120}
boards=()
modes=()
build_only=false

while [ $# -gt 0 ]; do
  case "$1" in
    --board)
      case "${2:-}" in
        riscv32-virt | cortex-m4) boards+=("$2") ;;
        *) echo "mcu: --board needs riscv32-virt or cortex-m4" >&2; exit 2 ;;
      esac
      shift 2 ;;
    --mode)
      case "${2:-}" in
        small | minimal) modes+=("$2") ;;
        *) echo "mcu: --mode needs small or minimal (Pulley; no native code on 32-bit cores)" >&2; exit 2 ;;
      esac
      shift 2 ;;
    --build-only) build_only=true; shift ;;
    *) echo "mcu: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ ${#boards[@]} -gt 0 ] || boards=(riscv32-virt cortex-m4)
[ ${#modes[@]} -gt 0 ] || modes=(small minimal)

say() { printf '==> %s\n' "$*" >&2; }

# The host's --arch, the Rust target and the C compiler's flags of a board.
arch_of() {
  case "$1" in
    riscv32-virt) echo riscv32 ;;
    cortex-m4) echo thumbv7em ;;
  esac
}
rust_target() {
  case "$1" in
    riscv32-virt) echo riscv32imac-unknown-none-elf ;;
    cortex-m4) echo thumbv7em-none-eabihf ;;
  esac
}
clang_flags() {
  case "$1" in
    riscv32-virt) echo "--target=riscv32-unknown-elf -march=rv32imac -mabi=ilp32 -mno-relax" ;;
    cortex-m4) echo "--target=thumbv7em-none-eabihf -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb" ;;
  esac
}
# `small` has its own Cargo profile, tuned harder for size (Cargo.toml).
profile_of() { if [ "$1" = small ]; then echo embedding-small; else echo embedding; fi; }

build_embedding() {
  local board=$1 mode=$2 dir=$3 target profile
  target=$(rust_target "$board")
  profile=$(profile_of "$mode")
  say "building the $mode embedding for $target (heap: $heap_kib KiB, profile $profile)"
  (cd "$root" && EMBEDDING_HEAP_KIB="$heap_kib" cargo build --locked -p embedding \
    --target "$target" --profile "$profile" --features "$mode")
  cp "$root/target/$target/$profile/libembedding.a" "$dir/libembedding.a"
}

samples_file() { echo "$out/samples-$2-$(arch_of "$1").c"; }

# Samples the boards' 192 KiB of RAM cannot hold, left out of the table
# (the firmware prints them as SKIP): `memory` grows its linear memory to
# 3 WebAssembly pages, 192 KiB, all of the RAM before the heap's own
# bookkeeping, the stack and the 64 KiB the old pages occupy while they are
# copied into the new allocation.
skips=(--skip memory)

build_image() {
  local board=$1 mode=$2 dir src objs=() obj defines=()
  dir="$out/$board-$mode"
  mkdir -p "$dir"
  build_embedding "$board" "$mode" "$dir"
  [ "$mode" != small ] || defines=(-DPORT_SMALL)
  say "compiling and linking $dir/firmware.elf"
  for src in "$port"/*.c "$port/$board"/*.c "$port/$board/boot.S" "$(samples_file "$board" "$mode")"; do
    obj="$dir/$(basename "${src%.*}").o"
    # shellcheck disable=SC2046 # the flags are meant to split into words
    clang $(clang_flags "$board") -std=c11 -Os -Wall -Wextra -Werror \
      -ffreestanding -fno-builtin -nostdlib -fno-stack-protector -fno-pic \
      -ffunction-sections -fdata-sections "${defines[@]}" \
      -I "$port/include" -I "$port" -I "$root/embedding" -I "$root/platform" \
      -c "$src" -o "$obj"
    objs+=("$obj")
  done
  ld.lld -T "$port/$board/link.ld" --gc-sections -Map "$dir/firmware.map" \
    -o "$dir/firmware.elf" "${objs[@]}" "$dir/libembedding.a"
  llvm-size -A "$dir/firmware.elf" >"$dir/sections.txt"
  say "$board/$mode: $(awk '$1 == ".text" || $1 == ".rodata" || $1 == ".data" || $1 == ".bss" || $1 == ".stack" { printf "%s %d  ", $1, $2 }' "$dir/sections.txt")"
  # The same bytes by owner: runtime, the port's C, the sample table, the heap.
  python3 "$port/footprint.py" "$dir/firmware.elf" "$dir" >"$dir/footprint.txt"
  sed 's/^/    /' "$dir/footprint.txt" >&2
  if [ "$board" = riscv32-virt ]; then
    # QEMU's pflash bank must be given exactly its size: 32 MiB.
    llvm-objcopy -O binary --only-section=.text --only-section=.rodata \
      --only-section=.data "$dir/firmware.elf" "$dir/flash.bin"
    truncate -s 32M "$dir/flash.bin"
  fi
}

# Boots the image; prints the console and one verdict line.
boot() {
  local board=$1 mode=$2 dir log status=0 passes summary problem="" qemu
  dir="$out/$board-$mode"
  log="$dir/console.log"
  case "$board" in
    riscv32-virt)
      # No firmware: with a flash drive, the machine starts at its first
      # byte. 1 MiB of RAM is QEMU's business; the image uses 192 KiB.
      qemu=(qemu-system-riscv32 -machine virt -bios none -m 1M
        -drive "if=pflash,unit=0,format=raw,readonly=on,file=$dir/flash.bin") ;;
    cortex-m4)
      qemu=(qemu-system-arm -machine netduinoplus2 -kernel "$dir/firmware.elf"
        -semihosting-config "enable=on,target=native") ;;
  esac
  say "booting $board/$mode (limit $timeout_secs s)"
  timeout "$timeout_secs" "${qemu[@]}" -nic none -display none -monitor none \
    -serial stdio </dev/null | tr -d '\r' >"$log" || status=$?
  cat "$log"
  passes=$(grep -c "^PASS $board/$mode " "$log" || true)
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
    echo "FAIL port mcu/$board/$mode: $problem; console tail:"
    tail -n 15 "$log" | sed 's/^/    /'
    return 1
  fi
  echo "PASS port mcu/$board/$mode: $summary"
}

mkdir -p "$out"
[ -x "$host" ] || { echo "mcu: $host missing: build the host first (./build.sh --build-only)" >&2; exit 1; }
for board in "${boards[@]}"; do
  for mode in "${modes[@]}"; do
    file=$(samples_file "$board" "$mode")
    say "generating $file (host port-samples --mode $mode --arch $(arch_of "$board"))"
    "$host" port-samples --mode "$mode" --arch "$(arch_of "$board")" "${skips[@]}" "$file"
  done
done
for board in "${boards[@]}"; do
  for mode in "${modes[@]}"; do build_image "$board" "$mode"; done
done
$build_only && exit 0
failed=0
for board in "${boards[@]}"; do
  for mode in "${modes[@]}"; do boot "$board" "$mode" || failed=1; done
done
exit "$failed"
