# shellcheck shell=bash
# Sourced by build.sh: every system package and Rust target the project
# needs, and the one place that installs them. build.sh asks for what its
# action needs before it builds anything, so a fresh machine either gets
# everything at once or stops at once with the exact command to run.
#
#   prereq_packages GROUP...   install the Debian packages of GROUPs that are
#                              missing (apt-get, --no-install-recommends), or
#                              exit 1 naming the command
#   prereq_rust_targets T...   add the Rust targets that are missing, in one
#                              rustup call (two rustup commands at once lose
#                              each other's installs)
#   prereq_groups              the groups and their packages, for --help
#
# A package counts as present when its probe succeeds: a command on PATH or
# a file it installs, so a machine that has the tool from elsewhere is not
# made to install Debian's.

# GROUP -> the packages it needs, and why (printed when installing).
prereq_why() {
  case "$1" in
    c) echo "the C compiler for the platform library (platform/)" ;;
    python) echo "Python 3 for the header checks and size tables" ;;
    wasi-c) echo "clang and wasi-libc for the C guests (guests/c)" ;;
    port) echo "clang, lld, LLVM's binary tools and QEMU for the bare-metal ports (ports/qemu-virt, ports/mcu)" ;;
    cross) echo "cross compilers and qemu-user for aarch64 and riscv64 Linux (cross/)" ;;
    lint) echo "shellcheck for the lints (.ci/run)" ;;
    *) echo "build.sh: unknown prerequisite group '$1'" >&2; exit 2 ;;
  esac
}

prereq_packages_of() {
  case "$1" in
    c) echo "gcc libc6-dev" ;;
    python) echo "python3" ;;
    wasi-c) echo "clang lld wasi-libc libclang-rt-dev-wasm32" ;;
    port) echo "clang lld llvm qemu-system-misc qemu-system-arm" ;;
    cross) echo "gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu libc6-dev-arm64-cross libc6-dev-riscv64-cross qemu-user" ;;
    lint) echo "shellcheck" ;;
  esac
}

# Whether Debian package $1's probe finds it.
prereq_present() {
  case "$1" in
    gcc) command -v cc >/dev/null ;;
    libc6-dev) [ -f /usr/include/stdio.h ] ;;
    python3) command -v python3 >/dev/null ;;
    clang) command -v clang >/dev/null ;;
    lld) command -v ld.lld >/dev/null && command -v wasm-ld >/dev/null ;;
    wasi-libc) [ -f /usr/include/wasm32-wasi/stdio.h ] ;;
    libclang-rt-dev-wasm32)
      compgen -G '/usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a' >/dev/null ;;
    llvm) command -v llvm-objcopy >/dev/null && command -v llvm-nm >/dev/null && command -v llvm-size >/dev/null ;;
    qemu-system-misc) command -v qemu-system-riscv64 >/dev/null && command -v qemu-system-riscv32 >/dev/null ;;
    qemu-system-arm) command -v qemu-system-aarch64 >/dev/null && command -v qemu-system-arm >/dev/null ;;
    gcc-aarch64-linux-gnu) command -v aarch64-linux-gnu-gcc >/dev/null ;;
    gcc-riscv64-linux-gnu) command -v riscv64-linux-gnu-gcc >/dev/null ;;
    libc6-dev-arm64-cross) [ -f /usr/aarch64-linux-gnu/include/stdio.h ] ;;
    libc6-dev-riscv64-cross) [ -f /usr/riscv64-linux-gnu/include/stdio.h ] ;;
    qemu-user) command -v qemu-aarch64 >/dev/null && command -v qemu-riscv64 >/dev/null ;;
    shellcheck) command -v shellcheck >/dev/null ;;
    *) echo "build.sh: no probe for package '$1'" >&2; exit 2 ;;
  esac
}

prereq_packages() {
  local group pkg missing=() why=() apt=() cmd
  for group in "$@"; do
    for pkg in $(prereq_packages_of "$group"); do
      prereq_present "$pkg" && continue
      [[ " ${missing[*]} " == *" $pkg "* ]] && continue
      missing+=("$pkg")
      why+=("  $pkg: $(prereq_why "$group")")
    done
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  # --no-install-recommends: QEMU's recommended packages conflict with newer
  # qemu-utils, and nothing recommended is needed.
  cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  printf '==> missing system packages:\n%s\n' "$(printf '%s\n' "${why[@]}")" >&2
  if ! command -v apt-get >/dev/null; then
    printf 'build.sh: no apt-get here; install the equivalents of these Debian packages, then run again:\n  %s\n' "$cmd" >&2
    exit 1
  fi
  if [ "$(id -u)" -eq 0 ]; then
    apt=(apt-get)
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    apt=(sudo apt-get)
  else
    printf 'build.sh: installing needs root; run this, then build.sh again:\n  sudo sh -c "%s"\n' "$cmd" >&2
    exit 1
  fi
  printf '==> installing them: %s\n' "$cmd" >&2
  if ! "${apt[@]}" update -qq || ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"; then
    printf 'build.sh: the install failed; run it by hand to see why:\n  %s\n' "$cmd" >&2
    exit 1
  fi
  for pkg in "${missing[@]}"; do
    prereq_present "$pkg" || { echo "build.sh: $pkg was installed but its probe still fails" >&2; exit 1; }
  done
}

prereq_rust_targets() {
  local installed target missing=()
  command -v rustup >/dev/null || {
    echo "build.sh: rustup not found; install Rust with rustup (https://rustup.rs), then run again" >&2
    exit 1
  }
  installed=$(rustup target list --installed)
  for target in "$@"; do
    grep -qx "$target" <<<"$installed" && continue
    [[ " ${missing[*]} " == *" $target "* ]] || missing+=("$target")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  printf '==> installing the Rust targets %s (rustup target add)\n' "${missing[*]}" >&2
  rustup target add "${missing[@]}"
}

prereq_groups() {
  local group
  for group in c python wasi-c port cross lint; do
    printf '  %-7s %s: %s\n' "$group" "$(prereq_why "$group")" "$(prereq_packages_of "$group")"
  done
}
