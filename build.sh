#!/usr/bin/env bash
# Builds the host, the embedding and the platform for each mode, then runs
# the samples and the WASI guests. See README.md and docs/. Installs the
# system packages and Rust targets it needs first (tools/prerequisites.sh).
#
#   ./build.sh                  build each mode once, with WASI
#                               (out/<mode>-wasi), and run its samples and
#                               guests; the first mode builds beside the host
#   ./build.sh --mode vm        one mode only (repeatable)
#   ./build.sh --arch aarch64   x86_64, aarch64, riscv64 or all (repeatable);
#                               default x86_64, and all for `test`. aarch64
#                               and riscv64 run on Linux under qemu-user
#                               (cross/build.sh; their loader-only host:
#                               cross/host.sh)
#   ./build.sh test             the test command: every build (with and
#                               without WASI, preview 1 alone for `small`),
#                               header and docs drift checks, unit tests, the
#                               spec and WASI testsuites in every mode, the
#                               other arches and every port (docs/ci.md)
#   ./build.sh --build-only     build, run nothing
#   ./build.sh --regen-header   regenerate the three generated headers
#   ./build.sh --port qemu-virt build a bare-metal port (ports/NAME) and boot
#                               it under QEMU; `test` boots every port
#   ./build.sh bench            everything, then `host bench`
#                               (docs/benchmark.md) into out/bench/: bench.txt,
#                               bench.json and the plot bench.png; with
#                               --arch aarch64|riscv64, into out/<arch>/
#   ./build.sh --mode small     the size-first minimal (docs/footprint.md)
#   ./build.sh size             builds its variants and writes the footprint
#                               table, out/size/footprint.md
#
# Outputs land in out/<mode>/ (out/<mode>-wasi/, out/<mode>-wasip1/ for
# the builds with WASI): libembedding.so (stripped), libembedding.a,
# libwasmtime-platform.so. The host looks there by default. Another arch's
# land in out/<arch>/<mode>/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$root"
# Every system package and Rust target the project needs, and the one place
# that installs them (tools/prerequisites.sh).
# shellcheck source=tools/prerequisites.sh
. "$root/tools/prerequisites.sh"

target=x86_64-unknown-none
out="$root/out"
modes=()
arches=()
ports=()
action=run

# The comment block at the top of this file, without its `#`s.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --mode)
      [ $# -ge 2 ] || { echo "build.sh: --mode needs minimal, vm, full or small" >&2; exit 2; }
      case "$2" in
        minimal | vm | full | small) modes+=("$2") ;;
        *) echo "build.sh: unknown mode '$2' (expected minimal, vm, full or small)" >&2; exit 2 ;;
      esac
      shift 2 ;;
    --arch)
      case "${2:-}" in
        x86_64 | aarch64 | riscv64) arches+=("$2") ;;
        all) arches+=(x86_64 aarch64 riscv64) ;;
        *) echo "build.sh: --arch needs x86_64, aarch64, riscv64 or all" >&2; exit 2 ;;
      esac
      shift 2 ;;
    test) action="test"; shift ;;
    bench) action=bench; shift ;;
    size) action=size; shift ;;
    --build-only) action=build; shift ;;
    --regen-header) action=regen; shift ;;
    --port)
      [ -x "ports/${2:-}/build.sh" ] || { echo "build.sh: --port needs a directory of ports/ with a build.sh" >&2; exit 2; }
      ports+=("$2"); action=port; shift 2 ;;
    -h | --help)
      usage
      printf '\nSystem packages, installed when missing (Debian names, by group):\n'
      prereq_groups
      exit 0 ;;
    *) echo "build.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[ ${#modes[@]} -gt 0 ] || modes=(minimal vm full)
if [ ${#arches[@]} -eq 0 ]; then
  if [ "$action" = test ]; then arches=(x86_64 aarch64 riscv64); else arches=(x86_64); fi
fi
# Whether arch $1 was asked for.
wants_arch() { [[ " ${arches[*]} " == *" $1 "* ]]; }

say() { printf '==> %s\n' "$*" >&2; }

# --- prerequisites -----------------------------------------------------------


toolchain=1.95.0

ensure_toolchain() {
  # rust-toolchain.toml pins the toolchain, but rustup's auto-install may be
  # off, so install it here if it is missing, and say so.
  command -v rustup >/dev/null || {
    echo "build.sh: rustup not found; install Rust with rustup (https://rustup.rs), then run again" >&2
    exit 1
  }
  if ! rustup toolchain list | grep -q "^$toolchain-"; then
    say "installing Rust $toolchain (rustup toolchain install)"
    rustup toolchain install "$toolchain" --profile minimal --component rustfmt,clippy
  fi
}

# What the action needs, all of it checked (and installed when missing)
# before anything is built, so a fresh machine fails at once or not at all.
ensure_prerequisites() {
  local groups=(c) targets=("$target") arch
  case "$action" in
    regen | size) groups+=(python) ;;
    port)
      groups+=(port)
      targets+=(riscv64gc-unknown-none-elf aarch64-unknown-none riscv32imac-unknown-none-elf thumbv7em-none-eabihf)
      ;;
    *)
      if wants_arch x86_64; then
        groups+=(wasi-c)
        targets+=(wasm32-wasip1 wasm32-wasip2)
      fi
      for arch in aarch64 riscv64; do
        wants_arch "$arch" || continue
        groups+=(cross)
        case "$arch" in
          aarch64) targets+=(aarch64-unknown-none aarch64-unknown-linux-gnu) ;;
          riscv64) targets+=(riscv64gc-unknown-none-elf riscv64gc-unknown-linux-gnu) ;;
        esac
      done
      if [ "$action" = test ]; then
        groups+=(python port)
        targets+=(riscv64gc-unknown-none-elf aarch64-unknown-none riscv32imac-unknown-none-elf thumbv7em-none-eabihf)
      fi
      ;;
  esac
  ensure_toolchain
  prereq_packages "${groups[@]}"
  prereq_rust_targets "${targets[@]}"
}

ensure_cbindgen() {
  if ! command -v cbindgen >/dev/null; then
    say "installing cbindgen 0.29.4 (cargo install), needed for the header checks"
    cargo install cbindgen --version 0.29.4 --locked
  fi
}

# The source of crate $1 as Cargo.lock pins it, as fetched by cargo.
crate_src() {
  cargo metadata --format-version 1 --locked |
    python3 -c 'import json,sys,os
m = json.load(sys.stdin)
p = next(p for p in m["packages"] if p["name"] == sys.argv[1])
print(os.path.dirname(p["manifest_path"]))' "$1"
}

# --- headers -----------------------------------------------------------------

# Writes the three generated headers into directory $1.
generate_headers() {
  local dir=$1 capi
  capi="$(crate_src wasmtime)/src/runtime/vm/sys/custom/capi.rs"
  [ -f "$capi" ] || { echo "build.sh: $capi not found" >&2; exit 1; }
  cbindgen --quiet --config platform/cbindgen.toml --output "$dir/wasmtime-platform.h" "$capi"
  cbindgen --quiet --config embedding/cbindgen.toml --output "$dir/embedding.h" embedding/abi/src/api.rs
  cbindgen --quiet --config platform/os-cbindgen.toml --output "$dir/embedding-os.h" embedding/src/os.rs
}

# Each generated header and where it lives in the tree.
headers=(
  "wasmtime-platform.h:platform/wasmtime-platform.h"
  "embedding.h:embedding/embedding.h"
  "embedding-os.h:platform/embedding-os.h"
)

check_headers() {
  local tmp status=0
  tmp=$(mktemp -d)
  generate_headers "$tmp"
  for pair in "${headers[@]}"; do
    if diff -u "$root/${pair#*:}" "$tmp/${pair%%:*}" >"$tmp/diff"; then
      echo "PASS headers ${pair#*:}"
    else
      echo "FAIL headers ${pair#*:}: differs from what cbindgen generates (./build.sh --regen-header):"
      cat "$tmp/diff"
      status=1
    fi
  done
  rm -rf "$tmp"
  return $status
}

# embedding/wit/deps holds the WASI standard's interface files as
# wasmtime-wasi (the version in Cargo.lock) ships them; they must not drift.
check_wit() {
  local dir status=0 file
  dir="$(crate_src wasmtime-wasi)/src/p2/wit/deps"
  for file in embedding/wit/deps/*.wit; do
    if cmp -s "$file" "$dir/$(basename "$file")"; then
      echo "PASS wit $file"
    else
      echo "FAIL wit $file: differs from $dir/$(basename "$file")"
      status=1
    fi
  done
  return $status
}

# --- build -------------------------------------------------------------------

build_host() {
  local start
  start=$(date +%s)
  say "building the host (cargo build --release -p host)"
  cargo build --release --locked -p host
  say "host built in $(($(date +%s) - start)) s"
}

# The platform's defines for mode $1; a second argument `wasi` or `wasip1`
# adds the OS services a build with WASI imports (embedding-os.h). WASMTIME_CUSTOM_FIBER
# is never set: x86_64 has Wasmtime's built-in stack switching, so no
# embedding built here imports the fiber hooks (host platform-check still
# tests them). Keep in step with MODES in host/platform-check/src/lib.rs.
platform_defines() {
  case "$1" in
    minimal | small) ;;
    vm) echo "-DWASMTIME_VIRTUAL_MEMORY -DWASMTIME_CUSTOM_SYNC" ;;
    full) echo "-DWASMTIME_VIRTUAL_MEMORY -DWASMTIME_CUSTOM_SYNC -DWASMTIME_NATIVE_SIGNALS" ;;
  esac
  case "${2:-}" in wasi | wasip1) echo "-DEMBEDDING_OS_SERVICES" ;; esac
}

# Links the staticlib $2 into the shared object $3 (stripped) and, with a
# fourth argument, keeps the unstripped one as $4. $1 is the link: `default`,
# or `size-first` for `small` (docs/footprint.md), which adds two linker
# choices that cost nothing at run time on this Linux:
# -z pack-relative-relocs stores the position-independent object's relative
# relocations as a compact bitmap (DT_RELR, glibc 2.36 and later) instead
# of 24 bytes each, and -z noseparate-code lets read-only data share the
# code's segment instead of each starting on a page of its own. An image
# linked statically for a device has neither cost to begin with.
link_embedding() {
  local link=$1 full=${4:-$3.full} extra=()
  if [ "$link" = size-first ]; then extra=("-Wl,-z,pack-relative-relocs" "-Wl,-z,noseparate-code"); fi
  # x86_64-unknown-none cannot emit a cdylib, so the staticlib is linked into
  # a shared object here. --whole-archive keeps the exported table even though
  # nothing in the link references it; the version script exports that one
  # symbol and hides everything else, which lets --gc-sections drop what it
  # does not reach. The wasmtime_* hooks stay undefined: the platform library
  # (loaded first, RTLD_GLOBAL) provides them.
  cc -shared -nostdlib -o "$full" \
    -Wl,--whole-archive "$2" -Wl,--no-whole-archive \
    -Wl,--gc-sections -Wl,--version-script=embedding/exports.map -Wl,-z,noexecstack \
    "${extra[@]}"
  strip --strip-all -o "$3" "$full"
  [ $# -ge 4 ] || rm "$full"
}

# The link of mode $1 (link_embedding).
embedding_link() { if [ "$1" = small ]; then echo size-first; else echo default; fi; }

# The cargo profile of mode $1: `small` has its own, tuned harder for size
# (Cargo.toml, `embedding-small`).
embedding_profile() { if [ "$1" = small ]; then echo embedding-small; else echo embedding; fi; }

# Where the x86_64 embeddings are compiled (build_mode).
emb_target_dir="$root/target/embedding"

# Builds mode $1 into out/$1; with a second argument `wasi`, the build with
# both faces of WASI (0.2 and native preview 1) into out/$1-wasi; with
# `wasip1`, the build with preview 1 alone into out/$1-wasip1
# (docs/wasi.md).
build_mode() {
  local mode=$1 wasi=${2:-} dir="$out/$1" features=$1 start end profile
  case "$wasi" in
    wasi) dir="$out/$mode-wasi" features="$mode,wasi,wasip1" ;;
    wasip1) dir="$out/$mode-wasip1" features="$mode,wasip1" ;;
  esac
  profile=$(embedding_profile "$mode")
  mkdir -p "$dir"
  start=$(date +%s)
  say "building the $mode${wasi:+ + $wasi} embedding (cargo build --profile $profile --features $features)"
  # A target directory of its own, so that an embedding can build while
  # the host builds (cargo locks a target directory for a whole build).
  cargo build --locked -p embedding --target "$target" --profile "$profile" --features "$features" \
    --target-dir "$emb_target_dir"
  cp "$emb_target_dir/$target/$profile/libembedding.a" "$dir/libembedding.a"
  say "linking $dir/libembedding.so"
  link_embedding "$(embedding_link "$mode")" "$dir/libembedding.a" "$dir/libembedding.so"

  say "compiling $dir/libwasmtime-platform.so"
  # shellcheck disable=SC2046 # the defines are meant to split into words
  cc -std=c11 -O2 -Wall -Wextra -Werror -fPIC -shared $(platform_defines "$mode" "$wasi") \
    -Iplatform -o "$dir/libwasmtime-platform.so" platform/wasmtime-platform.c
  end=$(date +%s)
  say "$mode${wasi:+ + $wasi}: libembedding.so is $(stat -c %s "$dir/libembedding.so") bytes stripped (built in $((end - start)) s)"
}

# The WASI guests, built from source into out/guests/ (guests/README.md).
build_guests() {
  local start
  start=$(date +%s)
  say "building the WASI guests (guests/build.sh)"
  guests/build.sh
  say "guests built in $(($(date +%s) - start)) s"
}

# --- footprint (docs/footprint.md) ------------------------------------------

# The goal for the stripped size of `small` on x86_64: the figure Wasmtime's
# documentation gives for a minimal custom-platform build.
small_goal=$((400 * 1024))
# What `small` must stay under, whatever the goal: 490 KiB, its size with
# the size-first link (477,616 bytes) plus 5% for the ABI's growth, so that
# a regression (Wasmtime's GC runtime creeping back in adds 86 KB) fails.
small_ceiling=$((490 * 1024))

# `small`'s stripped size against the ceiling (counted) and against the
# goal: met is PASS; missed is a MISS line, counted neither way, saying by
# how much (docs/footprint.md, says what dominates).
check_small_size() {
  local bytes
  bytes=$(stat -c %s "$out/small/libembedding.so")
  if [ "$bytes" -le "$small_goal" ]; then
    echo "PASS small size-goal: $bytes bytes stripped, within 400 KiB ($small_goal)"
  else
    echo "MISS small size-goal: $bytes bytes stripped, $((bytes - small_goal)) over 400 KiB ($small_goal); not met, not counted as passed"
  fi
  if [ "$bytes" -le "$small_ceiling" ]; then
    echo "PASS small size-ceiling: $bytes bytes stripped, at most $small_ceiling"
  else
    echo "FAIL small size-ceiling: $bytes bytes stripped, over the ceiling of $small_ceiling"
    return 1
  fi
}

# The spec testsuite on `small`: scripts that need GC or exception
# handling are reported as skipped, with the validator's reason.
small_conformance() {
  local suite=${WASM_TESTSUITE:-$root/../shared/testsuite}
  if [ ! -d "$suite" ]; then
    echo "SKIP conformance small: no spec testsuite at $suite (set WASM_TESTSUITE); not run, not counted as passed"
    return 0
  fi
  say "conformance (small): $suite"
  "$host" conformance --out "$out" --mode small --json "$out/conformance-small.json" "$suite"
}

# One row of the footprint table: builds `features` with `profile` at
# `opt` into out/size/NAME/ and prints "NAME<TAB>bytes".
size_variant() {
  local name=$1 features=$2 profile=$3 opt=$4 link=$5 dir="$out/size/$1" var
  var="CARGO_PROFILE_$(echo "$profile" | tr 'a-z-' 'A-Z_')_OPT_LEVEL"
  mkdir -p "$dir"
  say "size: $name (--features $features, profile $profile, opt-level $opt, $link link)"
  env "$var=$opt" cargo build --quiet --locked -p embedding --target "$target" \
    --profile "$profile" --features "$features" >&2
  link_embedding "$link" "target/$target/$profile/libembedding.a" "$dir/libembedding.so" "$dir/libembedding.full.so"
  printf '%s\t%s\n' "$name" "$(stat -c %s "$dir/libembedding.so")"
}

# Writes out/size/footprint.md: each variant's stripped size, what each
# compile-time feature adds to the size-first baseline, and where that
# baseline's bytes go (symbols by crate, sections).
footprint() {
  local sizes="$out/size/sizes.tsv" table="$out/size/footprint.md"
  mkdir -p "$out/size"
  {
    size_variant minimal-s minimal embedding s default
    size_variant minimal-z minimal embedding z default
    size_variant small-z small embedding-small z size-first
    size_variant small-z:default-link small embedding-small z default
    size_variant small-s small embedding-small s size-first
    size_variant small-z+gc small,gc embedding-small z size-first
    size_variant small-z+wasi small,wasi embedding-small z size-first
  } >"$sizes"
  python3 embedding/size-table.py "$sizes" >"$table"
  {
    echo
    echo "Where small's bytes go (out/size/small-z/libembedding.full.so, nm -S -C, by crate):"
    echo
    echo '```'
    python3 embedding/size-by-crate.py "$out/size/small-z/libembedding.full.so" 16
    echo '```'
    echo
    echo "The sections of the stripped file (readelf -S; the rest is alignment):"
    echo
    echo '```'
    readelf -SW "$out/size/small-z/libembedding.so" | grep -v NOBITS |
      sed -n 's/^ *\[ *[0-9]*\] \(\.[^ ]*\) *[A-Z_]* *[0-9a-f]* [0-9a-f]* \([0-9a-f]*\) .*/\1 \2/p' |
      while read -r name hex; do printf '%8d  %s\n' "$((16#$hex))" "$name"; done |
      sort -rn
    echo '```'
  } >>"$table"
  cat "$table"
}

# Runs "$@" (a build) in the background, its output in out/logs/$1.log
# after the name $1; sets lane_pid and lane_name for lane_wait.
lane_start() {
  lane_name=$1
  shift
  mkdir -p "$out/logs"
  say "building $lane_name in the background (log: out/logs/$lane_name.log)"
  "$@" >"$out/logs/$lane_name.log" 2>&1 &
  lane_pid=$!
}

# The first mode's build with WASI, then the guests: both needed before
# the first guest runs, and neither needs the host.
build_first_mode() {
  build_mode "$1" wasi
  build_guests
}

# Waits for the background build; on failure shows the end of its log.
lane_wait() {
  if wait "$lane_pid"; then
    grep -E '^==> (.*bytes stripped|guests built)' "$out/logs/$lane_name.log" >&2 || true
  else
    echo "build.sh: building $lane_name failed; the end of out/logs/$lane_name.log:" >&2
    tail -n 30 "$out/logs/$lane_name.log" >&2
    return 1
  fi
}

# README's first command, ordered so that results come early: the first
# mode's embedding and the guests build beside the host, its samples and
# guests run as soon as the host is there, and each next mode builds while
# the previous one's guests run. One build per mode, the one with WASI (out/<mode>-wasi),
# which runs the samples as well as the guests; the builds without WASI,
# what a port without WASI ships, are `./build.sh test`'s (and
# `--build-only`'s). All run, whatever the first one found; fails if any did.
run_first_results() {
  local status=0 i mode arch cross_args=() wasi_modes=()
  for mode in "${modes[@]}"; do [ "$mode" = small ] || wasi_modes+=("$mode"); done
  if wants_arch x86_64 && [ ${#wasi_modes[@]} -gt 0 ]; then
    lane_start "${wasi_modes[0]}-wasi+guests" build_first_mode "${wasi_modes[0]}"
    build_host
    for i in "${!wasi_modes[@]}"; do
      mode=${wasi_modes[$i]}
      lane_wait || { status=1; continue; }
      "$host" samples --out "$out" --mode "$mode" --wasi || status=1
      [ $((i + 1)) -ge ${#wasi_modes[@]} ] || lane_start "${wasi_modes[$((i + 1))]}-wasi" build_mode "${wasi_modes[$((i + 1))]}" wasi
      "$host" guests --out "$out" --mode "$mode" || status=1
    done
  else
    build_host
  fi
  # `small` is for devices without an OS to offer WASI: its build has none.
  if wants_arch x86_64 && [[ " ${modes[*]} " == *" small "* ]]; then
    build_mode small
    "$host" samples --out "$out" --mode small || status=1
  fi
  for mode in "${modes[@]}"; do [ "$mode" = small ] || cross_args+=(--mode "$mode"); done
  for arch in aarch64 riscv64; do
    wants_arch "$arch" || continue
    cross/build.sh --arch "$arch" "${cross_args[@]}" || status=1
  done
  return "$status"
}

# --- main --------------------------------------------------------------------

if [ "$action" = regen ]; then
  ensure_prerequisites
  ensure_cbindgen
  tmp=$(mktemp -d)
  generate_headers "$tmp"
  for pair in "${headers[@]}"; do
    cp "$tmp/${pair%%:*}" "${pair#*:}"
    say "regenerated ${pair#*:}"
  done
  rm -rf "$tmp"
  exit 0
fi

ensure_prerequisites
if [ "$action" = size ]; then
  footprint
  exit 0
fi
[ "$action" != test ] || ensure_cbindgen
host="$root/target/release/host"
if [ "$action" = run ]; then
  if run_first_results; then exit 0; else exit 1; fi
fi
build_host
# A port builds its own embedding for its own targets (ports/NAME/build.sh).
if [ "$action" = port ]; then
  status=0
  for port in "${ports[@]}"; do "ports/$port/build.sh" || status=1; done
  exit $status
fi

if wants_arch x86_64; then
  for mode in "${modes[@]}"; do
    build_mode "$mode"
    [ "$mode" = small ] || build_mode "$mode" wasi
  done
  build_guests
fi
# aarch64 and riscv64: cross/build.sh builds each arch's modes and, unless
# told --build-only, runs their samples under qemu-user.
cross_arches=()
for arch in aarch64 riscv64; do ! wants_arch "$arch" || cross_arches+=("$arch"); done
cross_mode_args=()
for mode in "${modes[@]}"; do cross_mode_args+=(--mode "$mode"); done
# Their loader-only host (cross/host.sh), which the x86_64 host runs under
# qemu-user for `reliability`, `fuzz` and `bench --arch`.
for arch in "${cross_arches[@]}"; do cross/host.sh --arch "$arch"; done
if [ "$action" = build ] || [ "$action" = bench ]; then
  for arch in "${cross_arches[@]}"; do cross/build.sh --arch "$arch" "${cross_mode_args[@]}" --build-only; done
fi
[ "$action" != build ] || exit 0

mode_args=()
for mode in "${modes[@]}"; do mode_args+=(--mode "$mode"); done
# The modes with a wasi build (all but `small`), for `host guests`.
wasi_mode_args=()
for mode in "${modes[@]}"; do [ "$mode" = small ] || wasi_mode_args+=(--mode "$mode"); done

# The spec testsuite, run in every mode and on stock Wasmtime (see
# docs/conformance.md). Without a testsuite this says so and counts nothing.
conformance() {
  local suite=${WASM_TESTSUITE:-$root/../shared/testsuite}
  if [ ! -d "$suite" ]; then
    echo "SKIP conformance: no spec testsuite at $suite (set WASM_TESTSUITE); not run, not counted as passed"
    return 0
  fi
  say "conformance: $suite"
  "$host" conformance --out "$out" "${mode_args[@]}" --json "$out/conformance.json" "$suite"
}

# The official WASI testsuite's preview 1 tests (docs/wasi.md): stock
# Wasmtime, the reference, and each mode with a wasi build through `host run`
# (`--mode stock` alone when there is none: no --mode would mean all three).
wasi_testsuite_args=(--mode stock "${wasi_mode_args[@]}")
wasi_testsuite_sides=(stock)
for mode in "${modes[@]}"; do [ "$mode" = small ] || wasi_testsuite_sides+=("$mode"); done
wasi_testsuite() {
  local suite=${WASI_TESTSUITE:-$root/../shared/wasi-testsuite}
  if [ ! -d "$suite" ]; then
    echo "SKIP wasi-testsuite: no WASI testsuite at $suite (set WASI_TESTSUITE); not run, not counted as passed"
    return 0
  fi
  say "wasi-testsuite: $suite"
  "$host" wasi-testsuite --out "$out" "${wasi_testsuite_args[@]}" --suite "$suite"
}

# The official WASI testsuite on preview 1 alone in the smallest build
# (`small,wasip1`: no component model, no async; docs/wasi.md).
small_wasi_testsuite() {
  local suite=${WASI_TESTSUITE:-$root/../shared/wasi-testsuite}
  if [ ! -d "$suite" ]; then
    echo "SKIP wasi-testsuite small: no WASI testsuite at $suite (set WASI_TESTSUITE); not run, not counted as passed"
    return 0
  fi
  "$host" wasi-testsuite --out "$out" --mode small --suite "$suite"
}

# The WASI testsuite's executor must be able to fail: the fixture's three
# wrong expectations (host/tests/wasi-testsuite/README.md) must be reported
# as failures, each for its own reason, on stock and in every mode, and its
# three right ones as passes.
wasi_testsuite_self_check() {
  local log side line missing=()
  log=$("$host" wasi-testsuite --out "$out" "${wasi_testsuite_args[@]}" --suite host/tests/wasi-testsuite --timeout 2 || true)
  for side in "${wasi_testsuite_sides[@]}"; do
    for line in "conformance $side: 3 passed, 3 failed, 0 skipped, 0 divergent" \
      "FAIL $side wasi-testsuite/self-check/exit1-wrong-code: exit code 1, expected 4" \
      "FAIL $side wasi-testsuite/self-check/hello-wrong-stdout: stdout differs at line 2" \
      "FAIL $side wasi-testsuite/self-check/spin: timeout after 2 s"; do
      grep -qF "$line" <<<"$log" || missing+=("$line")
    done
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "PASS wasi-testsuite self-check"
  else
    echo "FAIL wasi-testsuite self-check: wrong expectations in host/tests/wasi-testsuite were not reported as expected; missing:"
    printf '  %s\n' "${missing[@]}"
    echo "$log"
    return 1
  fi
}

# The spec testsuite on another arch (cross/serve.c under qemu-user), in
# every mode: the scripts listed in cross/conformance-ci.txt, compared with
# stock Wasmtime on x86_64. `host conformance --arch A` without paths runs
# the whole suite (docs/architectures.md).
cross_conformance() {
  local arch=$1 suite=${WASM_TESTSUITE:-$root/../shared/testsuite} files=() name
  if [ ! -d "$suite" ]; then
    echo "SKIP conformance $arch: no spec testsuite at $suite (set WASM_TESTSUITE); not run, not counted as passed"
    return 0
  fi
  while read -r name; do
    case "$name" in '' | '#'*) continue ;; esac
    files+=("$suite/$name")
  done <cross/conformance-ci.txt
  say "conformance on $arch (qemu-user): ${#files[@]} scripts of cross/conformance-ci.txt"
  "$host" conformance --arch "$arch" --out "$out" "${mode_args[@]}" --json "$out/$arch/conformance-ci.json" "${files[@]}"
}

# The runner must be able to fail: a script with five wrong expectations
# must be reported as one passing and five failing directives in each mode.
conformance_self_check() {
  local expected="1 run passed, 4 run failed, 0 compile-only passed, 1 compile-only failed, 0 divergent"
  local got
  got=$("$host" conformance --out "$out" "${mode_args[@]}" host/tests/wast/must-fail.wast | grep -c "directives: $expected" || true)
  if [ "$got" -eq "${#modes[@]}" ]; then
    echo "PASS conformance self-check"
  else
    echo "FAIL conformance self-check: wrong expectations in host/tests/wast/must-fail.wast were not all reported"
    return 1
  fi
}

# Whether the checker's output $2 has the line "$1" promises: $1 is
# "BROKEN <hook>" (any rule of that hook) or "BROKEN <hook>: <rule>".
reports() {
  local line
  while IFS= read -r line; do
    case "$line" in "$1: "* | "$1 ("*) return 0 ;; esac
  done <<<"$2"
  return 1
}

# The sections build_mode never compiles (the OS services and the fibers)
# must meet the same warning flags as the rest.
check_platform_warnings() {
  # shellcheck disable=SC2046 # the defines are meant to split into words
  if cc -std=c11 -O2 -Wall -Wextra -Werror -fPIC -shared -Iplatform \
    $(platform_defines full wasi) -DWASMTIME_CUSTOM_FIBER \
    -o "$out/libwasmtime-platform-all.so" platform/wasmtime-platform.c; then
    echo "PASS platform compiles with every define, -Wall -Wextra -Werror"
  else
    echo "FAIL platform compiles with every define, -Wall -Wextra -Werror"
    return 1
  fi
}

# The porter's kit (docs/PORTING.md): the Linux platform must pass every
# contract test, and each fixture in platform/fixtures/ must fail on the
# hook (or the hook's rule) its "// expect: BROKEN <hook>[: <rule>]" line
# names, which proves the checker can catch that bug.
check_platforms() {
  local status=0 fixture expect output
  say "platform-check: platform/wasmtime-platform.c and platform/fixtures/*.c"
  if output=$("$host" platform-check --platform platform/wasmtime-platform.c --out "$out" 2>&1); then
    echo "PASS platform-check platform/wasmtime-platform.c"
  else
    echo "FAIL platform-check platform/wasmtime-platform.c:"
    grep -E '^(BROKEN|platform-check)' <<<"$output" | sed 's/^/    /'
    status=1
  fi
  for fixture in platform/fixtures/*.c; do
    expect=$(sed -n 's|^// expect: ||p' "$fixture")
    if [ -z "$expect" ]; then
      echo "FAIL platform-check $fixture: no '// expect: BROKEN <hook>' line"
      status=1
    elif output=$("$host" platform-check --platform "$fixture" --out "$out" 2>&1); then
      echo "FAIL platform-check $fixture: every check passed, expected '$expect'"
      status=1
    elif reports "$expect" "$output"; then
      echo "PASS platform-check $fixture"
    else
      echo "FAIL platform-check $fixture: no '$expect' line; instead:"
      grep -E '^(BROKEN|platform-check)' <<<"$output" | sed 's/^/    /'
      status=1
    fi
  done
  return $status
}

# ... and it must be able to see a divergence: in `full` mode on a platform
# whose signal handler leaves the signal blocked, the second trap kills the
# embedding, which stock Wasmtime survives.
conformance_catches_divergence() {
  local lib="$out/fixtures/trap-no-nodefer.so" script=host/tests/wast/traps-twice.wast log
  mkdir -p "$out/fixtures"
  # shellcheck disable=SC2046 # the defines are meant to split into words
  cc -std=c11 -O2 -fPIC -shared -Iplatform $(platform_defines full) \
    -o "$lib" platform/fixtures/trap-no-nodefer.c
  "$host" conformance --out "$out" --mode full "$script" >/dev/null ||
    { echo "FAIL conformance divergence check: $script fails on the real platform"; return 1; }
  if log=$("$host" conformance --out "$out" --mode full --platform "$lib" "$script"); then
    echo "FAIL conformance divergence check: a crashing platform was not reported"
    return 1
  fi
  if grep -q "conformance full: 0 passed, 1 failed, 0 skipped, 1 divergent" <<<"$log"; then
    echo "PASS conformance divergence check"
  else
    echo "FAIL conformance divergence check: unexpected report:"
    echo "$log"
    return 1
  fi
}

# tools/prerequisites.sh must refuse clearly where it cannot install: on a
# PATH with bash and coreutils but no clang and no apt-get, asking for the
# C guests' group must fail at once and print the exact install command.
check_prerequisites_refusal() {
  local bin log tool
  bin=$(mktemp -d)
  for tool in bash id grep; do ln -s "$(command -v "$tool")" "$bin/$tool"; done
  if log=$(PATH=$bin bash -c '. tools/prerequisites.sh; prereq_packages wasi-c' 2>&1); then
    echo "FAIL prerequisites refusal: a machine without clang and apt-get was accepted"
    rm -rf "$bin"
    return 1
  fi
  rm -rf "$bin"
  if grep -q "apt-get install -y --no-install-recommends clang lld" <<<"$log" &&
    grep -q "no apt-get here" <<<"$log"; then
    echo "PASS prerequisites refusal"
  else
    echo "FAIL prerequisites refusal: the message does not name the command:"
    echo "$log"
    return 1
  fi
}

# docs/fuzzing.md: the fuzzer must be able to fail. With a
# planted difference (a bit of the embedding's results flipped) a short run
# must report divergences and save reproducers; replaying one must diverge
# again with the plant and agree without it.
fuzz_catches_divergence() {
  local mode=${modes[0]} dir log file
  dir=$(mktemp -d)
  if log=$("$host" fuzz --out "$out" --mode "$mode" --seconds 3 --seed 1 --plant --save "$dir"); then
    echo "FAIL fuzz self-check: a planted divergence was not reported"
    rm -rf "$dir"
    return 1
  fi
  file=$(find "$dir" -name "$mode-1-*.wasm" | sort | head -n 1)
  if ! grep -Eq "^fuzz $mode: [0-9]+ modules, [0-9]+ calls, [1-9][0-9]* divergent\$" <<<"$log" ||
    [ -z "$file" ]; then
    echo "FAIL fuzz self-check: unexpected report:"
    echo "$log"
    rm -rf "$dir"
    return 1
  fi
  if "$host" fuzz --out "$out" --mode "$mode" --replay "$file" --plant >/dev/null ||
    ! "$host" fuzz --out "$out" --mode "$mode" --replay "$file" >/dev/null; then
    echo "FAIL fuzz self-check: replaying $file did not reproduce the planted divergence alone"
    rm -rf "$dir"
    return 1
  fi
  rm -rf "$dir"
  echo "PASS fuzz self-check"
}

if [ "$action" = test ]; then
  passed=0 failed=0
  step() { if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi; }
  step check_headers
  step check_wit
  step check_prerequisites_refusal
  step check_platform_warnings
  say "host, checker and ABI unit tests (cargo test -p host -p platform-check -p embedding-abi)"
  step cargo test --release --locked -p host -p platform-check -p embedding-abi
  if wants_arch x86_64; then
    step "$host" samples --out "$out" "${mode_args[@]}"
    # docs/reliability.md: one step per check, every mode.
    for check in envelope envelope-component limits leak threads interrupt; do
      step "$host" reliability --out "$out" "${mode_args[@]}" "$check"
    done
    step "$host" guests --out "$out" "${mode_args[@]}"
    step wasi_testsuite
    step wasi_testsuite_self_check
    # FUZZ_SECONDS per mode (docs/fuzzing.md); longer runs on
    # demand with `host fuzz --seconds N`.
    step "$host" fuzz --out "$out" "${mode_args[@]}" --seconds "${FUZZ_SECONDS:-30}"
    step fuzz_catches_divergence
    # A smoke check of the benchmark's machinery (children, checks, report);
    # the full benchmark is `./build.sh bench`.
    step "$host" bench --out "$out" "${mode_args[@]}" --runs 1 --processes 1 call host-call
    step conformance
    step conformance_self_check
    step conformance_catches_divergence
    step check_platforms
    # docs/footprint.md: the size-first minimal, built once and run.
    if [[ " ${modes[*]} " != *" small "* ]]; then step build_mode small; fi
    step check_small_size
    step "$host" samples --out "$out" --mode small
    step small_conformance
    # Preview 1 alone on `small`: built once, the official testsuite run on it.
    step build_mode small wasip1
    step small_wasi_testsuite
  fi
  for arch in "${cross_arches[@]}"; do
    step cross/build.sh --arch "$arch" "${cross_mode_args[@]}"
    step cross_conformance "$arch"
    # The checker's own binary under qemu-user: the Linux platform with
    # every define and with each mode's, and a subset of the fixtures
    # (cross/platform-check.sh --all-fixtures runs them all).
    step cross/platform-check.sh --arch "$arch"
    # docs/architectures.md: the reliability checks in every mode,
    # run by the arch's loader-only host under qemu-user; envelope-component
    # needs a wasi build, which cross/build.sh does not build yet.
    for check in envelope limits threads interrupt; do
      step "$host" reliability --arch "$arch" --out "$out" "${mode_args[@]}" "$check"
    done
    # qemu-user 7.2 keeps about 25 MB of page tracking per 4 GiB
    # reservation it unmaps, never freed, and full reserves 4 GiB per
    # memory: 10,000 cycles would need 250 GB. So full runs 20 there
    # (docs/architectures.md); x86_64 runs 10,000 in every mode.
    for mode in "${modes[@]}"; do
      cycles=10000
      [ "$mode" != full ] || cycles=20
      step "$host" reliability --arch "$arch" --out "$out" --mode "$mode" --cycles "$cycles" leak
    done
    echo "SKIP reliability envelope-component $arch: no wasi build on $arch (cross/build.sh builds the plain modes only); not run, not counted as passed"
    step "$host" fuzz --arch "$arch" --out "$out" "${mode_args[@]}" --seconds "${CROSS_FUZZ_SECONDS:-5}"
    step "$host" bench --arch "$arch" --out "$out" "${mode_args[@]}" --runs 1 --processes 1 call host-call
  done
  for port in ports/*/build.sh; do step "$port"; done
  echo "test: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
fi
if [ "$action" = bench ]; then
  # Another arch: every side under qemu-user, ratios to stock Wasmtime on
  # that arch (docs/architectures.md); no interpreter peers there.
  for arch in "${cross_arches[@]}"; do
    say "host bench --arch $arch (all workloads, every mode, under qemu-user; tens of minutes)"
    "$host" bench --arch "$arch" --out "$out" "${mode_args[@]}" --json "$out/$arch/bench.json" |
      tee "$out/$arch/bench.txt"
  done
  wants_arch x86_64 || exit 0
  mkdir -p "$out/bench"
  # The interpreter peers (wasmi) and the plotter (plotters) are workspaces
  # of their own (host/bench-peers, host/bench-plot), so the host and CI
  # never compile them.
  for tool in bench-peers bench-plot; do
    say "building host/$tool"
    (cd "host/$tool" && cargo build --quiet --release --locked)
  done
  # wasmi's no_std build for the embedding's target, linked and stripped
  # like libembedding.so: the peer figure for the embedding's size.
  say "building host/bench-peers/wasmi-size (wasmi, no_std, $target)"
  (cd host/bench-peers/wasmi-size && cargo build --quiet --release --locked --target "$target")
  cc -shared -nostdlib -o "$out/bench/libwasmi.full.so" \
    -Wl,--whole-archive "host/bench-peers/wasmi-size/target/$target/release/libwasmi_size.a" \
    -Wl,--no-whole-archive -Wl,--gc-sections \
    -Wl,--version-script=host/bench-peers/wasmi-size/exports.map -Wl,-z,noexecstack
  strip --strip-all -o "$out/bench/libwasmi.so" "$out/bench/libwasmi.full.so"
  rm "$out/bench/libwasmi.full.so"
  say "wasmi (no_std, validate, fuel): libwasmi.so is $(stat -c %s "$out/bench/libwasmi.so") bytes stripped"
  say "host bench (all workloads, every mode; several minutes)"
  "$host" bench --out "$out" "${mode_args[@]}" --json "$out/bench/bench.json" \
    --peers host/bench-peers/target/release/bench-peers | tee "$out/bench/bench.txt"
  host/bench-plot/target/release/bench-plot "$out/bench/bench.json" "$out/bench/bench.png"
  exit 0
fi
