#!/usr/bin/env bash
# The platform checker on aarch64 or riscv64 Linux, under qemu-user. Called
# by the root build.sh (test), or by hand:
#
#   cross/platform-check.sh --arch aarch64|riscv64 [--all-fixtures]
#
# Cross-builds the checker's own binary (host/platform-check, no Wasmtime)
# for <arch>-linux-gnu and runs it under qemu-<arch>; it compiles the C
# under test with Debian's cross compiler. Prints
#   PASS platform-check <arch> platform/wasmtime-platform.c        (every define)
#   PASS platform-check <arch>/<mode> platform/wasmtime-platform.c (each mode's defines)
# and one line per fixture checked: by default a subset that covers what
# differs per arch (fault registers read from the ucontext, code run from
# pages) and a few hooks besides; --all-fixtures runs every one that
# applies. The fiber fixtures never do: the platform's reference fiber
# hooks are x86_64 code (Wasmtime has built-in switching on these arches,
# so no embedding imports them).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=cross/arch.sh
source cross/arch.sh
arch=""
all_fixtures=false

while [ $# -gt 0 ]; do
  case "$1" in
    --arch) cross_arch_parse cross/platform-check "${2:-}"; shift 2 ;;
    --all-fixtures) all_fixtures=true; shift ;;
    *) echo "cross/platform-check: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$arch" ] || { echo "cross/platform-check: --arch aarch64|riscv64 is required" >&2; exit 2; }

say() { printf '==> %s\n' "$*" >&2; }

# Both subsets hold what differs per arch: the frame pointer read from the
# ucontext (trap-own-frame), the handler's signal mask, code run from
# pages, and a probe that starts fresh processes through qemu
# (random-same-every-boot); the rest differ per arch so that together they
# cover more hooks.
cross_arch_names
triple=$rust_linux
case "$arch" in
  aarch64)
    subset=(trap-own-frame trap-no-nodefer mprotect-ignores-none trap-drops-address tls-shared lock-no-exclusion random-same-every-boot)
    ;;
  riscv64)
    subset=(trap-own-frame trap-no-nodefer mprotect-ignores-none trap-no-forward mmap-ignores-prot rwlock-readers-exclusive random-same-every-boot)
    ;;
esac

for tool in "$gnu-gcc" "qemu-$arch"; do
  command -v "$tool" >/dev/null ||
    { echo "cross/platform-check: $tool not found (install gcc-$gnu, libc6-dev-*-cross and qemu-user; see .ci/run)" >&2; exit 1; }
done
start=$(date +%s)
say "building the platform checker for $triple"
cross_cargo_linux build --quiet --locked --release -p platform-check
checker="${CARGO_TARGET_DIR:-$root/target}/$triple/release/platform-check"

# No binfmt_misc is assumed: the checker starts its probe children through
# qemu itself (--emulator). Probes get a wider time limit than on x86_64,
# for emulation on a busy machine; what each rule asserts is unchanged.
check() {
  CC="$gnu-gcc" QEMU_LD_PREFIX="/usr/$gnu" "qemu-$arch" "$checker" \
    --platform "$1" --emulator "$(command -v "qemu-$arch")" --timeout 30 2>&1
}

# Whether the checker's output has the line `$1: ...` or `$1 (...)`: the
# expected BROKEN line exactly, not a longer hook name that begins alike
# (as build.sh's reports).
reports() {
  local line
  while IFS= read -r line; do
    case "$line" in "$1: "* | "$1 ("*) return 0 ;; esac
  done <<<"$2"
  return 1
}

status=0
say "platform-check under qemu-$arch: platform/wasmtime-platform.c"
platform=platform/wasmtime-platform.c
if output=$(check "$platform"); then
  echo "PASS platform-check $arch $platform"
else
  echo "FAIL platform-check $arch $platform:"
  grep -E '^(BROKEN|platform-check)' <<<"$output" | sed 's/^/    /'
  status=1
fi
# The checker's per-mode lines: that mode's rules against the platform
# compiled with only its defines.
for mode in minimal vm full; do
  if grep -q "^ok $mode: " <<<"$output"; then
    echo "PASS platform-check $arch/$mode $platform"
  else
    echo "FAIL platform-check $arch/$mode $platform: $(grep -E "^(BROKEN|skip) $mode: " <<<"$output" || echo "no $mode line")"
    status=1
  fi
done

# Each fixture must fail on its `// expect:` line, as on x86_64.
if $all_fixtures; then
  fixtures=(platform/fixtures/*.c)
else
  fixtures=()
  for name in "${subset[@]}"; do fixtures+=("platform/fixtures/$name.c"); done
fi
say "platform-check under qemu-$arch: ${#fixtures[@]} fixtures"
for fixture in "${fixtures[@]}"; do
  expect=$(sed -n 's|^// expect: ||p' "$fixture")
  if [ -z "$expect" ]; then
    echo "FAIL platform-check $arch $fixture: no '// expect: BROKEN <hook>' line"
    status=1
  elif [[ "$expect" == "BROKEN wasmtime_fiber_"* ]]; then
    echo "skip platform-check $arch $fixture: the fiber hooks are tested on x86_64 only"
  elif output=$(check "$fixture"); then
    echo "FAIL platform-check $arch $fixture: every check passed, expected '$expect'"
    status=1
  elif reports "$expect" "$output"; then
    echo "PASS platform-check $arch $fixture"
  else
    echo "FAIL platform-check $arch $fixture: no '$expect' line; instead:"
    grep -E '^(BROKEN|platform-check)' <<<"$output" | sed 's/^/    /'
    status=1
  fi
done
say "$arch platform-check built and ran in $(($(date +%s) - start)) s"
exit $status
