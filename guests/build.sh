#!/usr/bin/env bash
# Builds the WASI guest programs into out/guests/ at the repository root:
#   out/guests/p1/NAME.wasm     Rust, wasm32-wasip1 (core modules)
#   out/guests/p2/NAME.wasm     Rust, wasm32-wasip2 (components)
#   out/guests/c/NAME.wasm      C with wasi-libc (core modules, preview 1)
#   out/guests/tools/NAME.wasm  third-party programs from crates.io (p1)
#   out/guests/tools/NAME-p2.wasm  the same, as wasip2 components
#   out/guests/kernels/sha256.wasm  a core module with no imports, for
#                               `host bench` (kernels/: sha2 from crates.io)
# Work that is up to date is skipped; one line is printed per artifact.
#
#   guests/build.sh             build everything
#   guests/build.sh --no-tools  skip the third-party tools (the slow part)
#
# Needs: rustup (adds wasm32-wasip1/wasm32-wasip2 itself when missing) and,
# for the C guests, Debian's clang, lld, wasi-libc and libclang-rt-dev-wasm32.
set -euo pipefail

guests=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$guests")
out="$root/out/guests"
tools=1

# Third-party programs: crate, exact version, binary name, extra cargo flags.
# szip: BurntSushi's snappy compression CLI (14 crates, about a minute).
# (jaq 3.1.2 was tried first and does not build for WASI: see guests/README.md.)
tool_specs=(
  "szip 1.0.0 szip"
)

die() { echo "guests/build.sh: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --no-tools) tools=0; shift ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (expected --no-tools)" ;;
  esac
done

# Copies $1 to $2 unless identical; prints one line either way.
publish() {
  local src=$1 dst=$2
  mkdir -p "$(dirname "$dst")"
  if [ -f "$dst" ] && cmp -s "$src" "$dst"; then
    echo "fresh  ${dst#"$root"/}"
  else
    cp "$src" "$dst"
    echo "built  ${dst#"$root"/}"
  fi
}

# --- Rust targets -----------------------------------------------------------
cd "$guests/rust"
command -v rustup >/dev/null || die "rustup not found"
installed=$(rustup target list --installed)
for t in wasm32-wasip1 wasm32-wasip2; do
  if ! grep -qx "$t" <<<"$installed"; then
    echo "guests/build.sh: adding missing rustup target $t"
    rustup target add "$t" || die "rustup target add $t failed"
  fi
done

# --- Rust guests --------------------------------------------------------------
bins=()
for f in "$guests"/rust/src/bin/*.rs; do
  name=$(basename "$f" .rs)
  bins+=("$name")
done
for t in wasm32-wasip1 wasm32-wasip2; do
  dir=p1
  [ "$t" = wasm32-wasip2 ] && dir=p2
  cargo build --quiet --locked --release --target "$t" \
    || die "cargo build of the Rust guests for $t failed"
  for name in "${bins[@]}"; do
    publish "$guests/rust/target/$t/release/$name.wasm" "$out/$dir/$name.wasm"
  done
done

# --- Benchmark kernels ------------------------------------------------------
# A cdylib for wasm32-wasip1 that is `no_std` imports nothing from WASI, so
# it is a plain core module any runtime can instantiate.
(cd "$guests/kernels" && cargo build --quiet --locked --release --target wasm32-wasip1) \
  || die "cargo build of the benchmark kernels failed"
publish "$guests/kernels/target/wasm32-wasip1/release/bench_kernels.wasm" "$out/kernels/sha256.wasm"

# --- C guests -----------------------------------------------------------------
cc_probe=$(mktemp -d)
trap 'rm -rf "$cc_probe"' EXIT
printf '#include <stdio.h>\nint main(void){puts("ok");return 0;}\n' >"$cc_probe/p.c"
if ! command -v clang >/dev/null \
  || ! clang --target=wasm32-wasi -O2 -o "$cc_probe/p.wasm" "$cc_probe/p.c" 2>"$cc_probe/err"; then
  cat "$cc_probe/err" >&2 2>/dev/null || true
  die "cannot build C for wasm32-wasi; install the toolchain with:
  apt-get update && apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32"
fi
mkdir -p "$out/c"
for f in "$guests"/c/*.c; do
  name=$(basename "$f" .c)
  dst="$out/c/$name.wasm"
  if [ -f "$dst" ] && [ "$dst" -nt "$f" ] && [ "$dst" -nt "$0" ]; then
    echo "fresh  ${dst#"$root"/}"
    continue
  fi
  clang --target=wasm32-wasi -O2 -Wall -Wextra -Wl,--strip-debug \
    -o "$dst.tmp" "$f" || die "clang failed on c/$name.c"
  mv "$dst.tmp" "$dst"
  echo "built  ${dst#"$root"/}"
done

# --- Third-party tools --------------------------------------------------------
if [ "$tools" = 1 ]; then
  for spec in "${tool_specs[@]}"; do
    read -r crate version bin flags <<<"$spec"
    for t in wasm32-wasip1 wasm32-wasip2; do
      suffix=""
      [ "$t" = wasm32-wasip2 ] && suffix="-p2"
      # One install root per target; cargo install skips a build whose crate,
      # version, target and features are already installed there.
      inst="$guests/out-tools/$t"
      echo "cargo install $crate@$version --target $t (cargo skips it when already installed)"
      # shellcheck disable=SC2086 # $flags is a list of cargo flags
      CARGO_TARGET_DIR="$guests/out-tools/target" \
        cargo install --quiet --locked --root "$inst" --target "$t" \
        $flags "$crate@$version" \
        || die "cargo install $crate@$version --target $t failed"
      publish "$inst/bin/$bin.wasm" "$out/tools/$bin$suffix.wasm"
    done
  done
fi
