# shellcheck shell=bash disable=SC2154 # build.sh sets port, host, mem_mib, timeout_secs
# build.sh --program: boots one WASI preview 1 program on a kernel of its
# own and exits with its status. Sourced by build.sh, whose variables
# (port, root, out, host, mem_mib, timeout_secs) and functions
# (build_image, qemu_command, image_dir) it uses. README, "Running a WASI
# program".

program_fail() { echo "qemu-virt: $*" >&2; exit 2; }

# Refuses what the image cannot run, naming it, before anything is built.
check_program() {
  local prog=$1 magic
  [ -f "$prog" ] || program_fail "--program $prog: no such file"
  magic=$(od -An -tx1 -N8 "$prog" | tr -d ' \n')
  case "$magic" in
    0061736d01000000) ;;
    0061736d0d000100) program_fail "--program $prog is a component (WASI 0.2): these images run WASI preview 1 core modules only (their embedding is built with wasip1, not wasi)" ;;
    *) program_fail "--program $prog is not a WebAssembly module (its first bytes are ${magic:-empty})" ;;
  esac
}

# RAM the image needs: what it loads and zeroes, plus what sits below it
# (riscv64: OpenSBI's 2 MiB) and 1 MiB for QEMU's device tree at the top.
needed_mib() {
  local arch=$1 elf=$2 bytes below=0
  bytes=$(size "$elf" | awk 'NR == 2 { print $1 + $2 + $3 }')
  [ "$arch" = riscv64 ] && below=$((2 << 20))
  echo $(((bytes + below + (1 << 20) + (1 << 20) - 1) >> 20))
}

run_program() {
  local arch=$1 mode=$2 prog=$3 dir work name arg args=() envs=() dirs=() write_back="" status=0 need
  shift 3
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) dirs+=(--dir "$2"); [ -d "${2%%::*}" ] || program_fail "--dir $2: no directory ${2%%::*}"
        [[ "$2" == *::/* ]] || program_fail "--dir $2: expected HOST_DIR::/GUEST_DIR"; shift 2 ;;
      --env) [[ "$2" == ?*=* ]] || program_fail "--env $2: expected NAME=VALUE"; envs+=(--env "$2"); shift 2 ;;
      --write-back) write_back=$2; shift 2 ;;
      --) shift; for arg in "$@"; do args+=("--arg=$arg"); done; break ;;
    esac
  done
  check_program "$prog"
  [ -x "$host" ] || program_fail "$host missing: build the host first (./build.sh --build-only)"
  dir=$(image_dir "$arch" "$mode")
  work="$dir/program"
  mkdir -p "$work"
  name=$(basename "$prog" .wasm)
  say "precompiling $prog for $arch/$mode (host precompile)"
  "$host" precompile --mode "$mode" --arch "$arch" "$prog" "$work/program.cwasm" >&2
  python3 "$port/wasi/bundle.py" "$work/bundle.bin" --artifact "$work/program.cwasm" \
    --name "$name" "${envs[@]}" "${dirs[@]}" "${args[@]}" || exit $?
  program_bundle="$work/bundle.bin" build_image "$arch:$mode" >&2
  need=$(needed_mib "$arch" "$work/kernel.elf")
  [ "$need" -le "$mem_mib" ] || program_fail "--program $prog: the image needs at least $need MiB of RAM, more than --mem $mem_mib"
  say "booting $prog on $arch/$mode (-m ${mem_mib}M, limit $timeout_secs s)"
  # Standard input: a pad byte and STX (program_main.c says why), the
  # script's own, then EOT for its end (os/console.c).
  # shellcheck disable=SC2046 # the command is meant to split into words
  { printf '\026\002'; cat; printf '\004'; } \
    | timeout "$timeout_secs" $(qemu_command "$arch") -m "${mem_mib}M" -nic none \
      -display none -monitor none -serial stdio -semihosting-config enable=on,target=native \
      -kernel "$work/kernel.elf" \
    | python3 "$port/wasi/console_filter.py" ${write_back:+--write-back "$write_back"} \
    || status=$?
  if [ "$status" -eq 124 ]; then
    echo "qemu-virt: $prog did not finish within $timeout_secs s (PORT_BOOT_TIMEOUT)" >&2
  fi
  return "$status"
}
