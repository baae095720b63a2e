#!/usr/bin/env bash
# build.sh --program refuses bad input with exit status 2 and a message
# naming what was wrong, before booting anything. Run by build.sh (no
# arguments) after the images; needs the riscv64 minimal embedding built.
set -uo pipefail

port=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root=$(cd "$port/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=0

# expect_refusal NAME WORDS -- ARGS...: build.sh ARGS must exit 2 and say WORDS.
expect_refusal() {
  local name=$1 words=$2 status=0 err
  shift 3
  err=$("$port/build.sh" --arch riscv64 --mode minimal "$@" 2>&1 >/dev/null </dev/null) || status=$?
  if [ "$status" -eq 2 ] && grep -qF -- "$words" <<<"$err"; then
    echo "PASS qemu-virt program-bad-input/$name"
  else
    echo "FAIL qemu-virt program-bad-input/$name: exit $status, wanted 2 and \"$words\"; said: $(tail -n 1 <<<"$err")"
    failed=1
  fi
}

hello="$root/out/guests/p1/hello.wasm"
printf 'not wasm' >"$scratch/text.wasm"
expect_refusal missing-program "no such file" -- --program "$scratch/none.wasm"
expect_refusal not-wasm "is not a WebAssembly module" -- --program "$scratch/text.wasm"
expect_refusal component "is a component (WASI 0.2)" -- --program "$root/out/guests/p2/hello.wasm"
expect_refusal missing-dir "no directory $scratch/nodir" -- --program "$hello" --dir "$scratch/nodir::/data"
expect_refusal bad-dir "expected HOST_DIR::/GUEST_DIR" -- --program "$hello" --dir "$scratch"
expect_refusal bad-env "expected NAME=VALUE" -- --program "$hello" --env JUSTNAME
expect_refusal too-little-ram "more than --mem 4" -- --program "$hello" --mem 4
expect_refusal two-arches "exactly one --arch" -- --program "$hello" --arch aarch64
expect_refusal option-without-program "is an option of --program only" -- --env A=B
exit "$failed"
