#!/usr/bin/env bash
# build.sh --program end to end on riscv64/minimal: output, arguments,
# environment, standard input, exit status, trap status and --write-back.
# Run by build.sh (no arguments) after the images.
set -uo pipefail

port=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root=$(cd "$port/../.." && pwd)
guests="$root/out/guests"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=0

# expect NAME STATUS WANT_FILE -- ARGS...: the console output (the
# firmware's banner taken out) must equal WANT_FILE and the status STATUS.
expect() {
  local name=$1 want_status=$2 want=$3 status=0
  shift 4
  "$port/build.sh" --arch riscv64 --mode minimal "$@" >"$scratch/got" 2>"$scratch/log" || status=$?
  if [ "$status" -eq "$want_status" ] && cmp -s "$scratch/got" "$want"; then
    echo "PASS qemu-virt program/$name"
  else
    echo "FAIL qemu-virt program/$name: exit $status (wanted $want_status); output:"
    head -n 5 "$scratch/got" | sed 's/^/    /'
    failed=1
  fi
}

printf 'hello from a wasi guest\n' >"$scratch/hello"
expect hello 0 "$scratch/hello" -- --program "$guests/p1/hello.wasm" </dev/null

printf 'argc: 3\nargv[0]: args\nargv[1]: x y\nargv[2]: \n' >"$scratch/args"
expect args 0 "$scratch/args" -- --program "$guests/p1/args.wasm" -- "x y" "" </dev/null

printf 'A=1\nB=\n' >"$scratch/env.want"
"$port/build.sh" --arch riscv64 --mode minimal --program "$guests/c/args.wasm" --env A=1 --env B= \
  </dev/null 2>/dev/null | grep -E '^(A|B)=' >"$scratch/env.got" || true
if cmp -s "$scratch/env.got" "$scratch/env.want"; then echo "PASS qemu-virt program/env"; else
  echo "FAIL qemu-virt program/env: $(tr '\n' ' ' <"$scratch/env.got")"; failed=1; fi

# Standard input through the UART. stderr shares the console: upper's
# count line comes before its last, unterminated, line, which Rust's
# line-buffered stdout flushes only at exit.
{ head -n 3 "$root/guests/expected/upper.out"; cat "$root/guests/expected/upper.err"
  tail -n 1 "$root/guests/expected/upper.out"; } >"$scratch/upper"
expect stdin 0 "$scratch/upper" -- --program "$guests/p1/upper.wasm" <"$root/guests/data/input.txt"

cp "$root/guests/expected/exit.out" "$scratch/exit"
expect exit-status 7 "$scratch/exit" -- --program "$guests/c/exit.wasm" -- 7 </dev/null

status=0
"$port/build.sh" --arch riscv64 --mode minimal --program "$guests/p1/trap.wasm" </dev/null >/dev/null 2>&1 || status=$?
if [ "$status" -eq 134 ]; then echo "PASS qemu-virt program/trap-status"; else
  echo "FAIL qemu-virt program/trap-status: exit $status, wanted 134"; failed=1; fi

mkdir -p "$scratch/in" && printf 'kept\n' >"$scratch/in/a.txt"
"$port/build.sh" --arch riscv64 --mode minimal --program "$guests/p1/fs.wasm" --dir "$scratch/in::/scratch" \
  --write-back "$scratch/back" -- write /scratch </dev/null >"$scratch/wb.log" 2>&1
if [ "$(cat "$scratch/back/scratch/a.txt" 2>/dev/null)" = kept ] &&
  [ "$(wc -c <"$scratch/back/scratch/made/renamed.txt" 2>/dev/null)" = 42 ]; then
  echo "PASS qemu-virt program/write-back"
else
  echo "FAIL qemu-virt program/write-back: $(cd "$scratch" && find back 2>&1 | tr '\n' ' '); log tail:"
  tail -n 8 "$scratch/wb.log" | sed 's/^/    /'
  failed=1
fi
exit "$failed"
