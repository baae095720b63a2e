# shellcheck shell=bash
# Sourced by the scripts of cross/: parses `--arch aarch64|riscv64` and maps
# the arch to its Debian GNU triple and its Rust targets, so that every
# script names them the same way.
#
#   cross_arch_parse PREFIX VALUE   sets arch, or exits 2 naming PREFIX
#   cross_arch_names                sets gnu, rust_none and rust_linux from arch
#   cross_cargo_linux ARGS...       cargo ARGS for rust_linux, linked by gnu-gcc

# Sets `arch` from VALUE (the word after --arch); PREFIX names the script in
# the error.
cross_arch_parse() {
  case "${2:-}" in
    aarch64 | riscv64) arch=$2 ;;
    *) echo "$1: --arch needs aarch64 or riscv64" >&2; exit 2 ;;
  esac
}

# From `arch`: gnu (Debian's cross tools' prefix and sysroot under /usr),
# rust_none (the embedding's bare-metal target) and rust_linux (the Linux
# target of the programs run under qemu-user). The sourcing script reads them.
# shellcheck disable=SC2034
cross_arch_names() {
  case "$arch" in
    aarch64)
      gnu=aarch64-linux-gnu
      rust_none=aarch64-unknown-none
      rust_linux=aarch64-unknown-linux-gnu
      ;;
    riscv64)
      gnu=riscv64-linux-gnu
      rust_none=riscv64gc-unknown-none-elf
      rust_linux=riscv64gc-unknown-linux-gnu
      ;;
  esac
}

# Runs `cargo ARGS... --target rust_linux` with Debian's cross gcc as the
# linker, adding the Rust target first if rustup lacks it (RUSTUP_AUTO_INSTALL
# is off). Needs cross_arch_names.
cross_cargo_linux() {
  if ! rustup target list --installed | grep -qx "$rust_linux"; then
    printf '==> installing the Rust target %s (rustup target add)\n' "$rust_linux" >&2
    rustup target add "$rust_linux"
  fi
  env "CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<<"$rust_linux")_LINKER=$gnu-gcc" \
    cargo "$@" --target "$rust_linux"
}
