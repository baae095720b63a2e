# shellcheck shell=bash disable=SC2154 # build.sh sets port, host, suite_dir, timeout_secs
# The official WASI testsuite ($WASI_TESTSUITE, default
# ../shared/wasi-testsuite next to the repository; never copied into it) on
# one image: one boot of a kernel that runs every preview 1 test
# (wasi/suite_main.c, wasi/testsuite_bundle.py), then
#   conformance <image>: N passed, N failed, N skipped
# Sourced by build.sh, whose build_image, image_dir and qemu_command it uses.

# RAM for the suite kernels: the bundle holds every test's artifact
# (about 29 MB for the 72 tests in vm mode).
suite_mem_mib=256

run_testsuite() {
  local arch=${1%:*} mode=${1#*:} dir log label passed failed skipped status=0
  label="$arch-virt/$mode"
  if [ ! -d "$suite_dir/tests" ]; then
    echo "SKIP $label wasi-testsuite: no suite at $suite_dir (set WASI_TESTSUITE)"
    return 0
  fi
  dir="$(image_dir "$arch" "$mode")/testsuite"
  mkdir -p "$dir"
  say "packing the WASI testsuite for $label (wasi/testsuite_bundle.py)"
  python3 "$port/wasi/testsuite_bundle.py" "$dir/bundle.bin" --suite "$suite_dir" --host "$host" \
    --arch "$arch" --mode "$mode" --label "$label" >"$dir/skipped.txt" || return 1
  suite_bundle="$dir/bundle.bin" build_image "$arch:$mode" >&2 || return 1
  log="$dir/console.log"
  say "booting the WASI testsuite on $label (-m ${suite_mem_mib}M, limit $timeout_secs s)"
  # shellcheck disable=SC2046 # the command is meant to split into words
  timeout "$timeout_secs" $(qemu_command "$arch") -m "${suite_mem_mib}M" -nic none -display none \
    -monitor none -serial stdio -kernel "$dir/kernel.elf" </dev/null | tr -d '\r' >"$log" || status=$?
  grep -E "^(PASS|FAIL|PANIC|CRASH)" "$log"
  cat "$dir/skipped.txt"
  passed=$(grep -c "^PASS $label wasi-testsuite/" "$log" || true)
  failed=$(grep -c "^FAIL $label wasi-testsuite/" "$log" || true)
  skipped=$(grep -c "^SKIP" "$dir/skipped.txt" || true)
  echo "conformance $label: $passed passed, $failed failed, $skipped skipped (divergence from stock Wasmtime is not measured on bare metal)"
  if [ "$status" -ne 0 ] || ! grep -qx "$passed passed, 0 failed" "$log" || [ "$passed" -eq 0 ]; then
    echo "FAIL port qemu-virt/$label wasi-testsuite: QEMU status $status; console tail:"
    tail -n 5 "$log" | sed 's/^/    /'
    return 1
  fi
}
