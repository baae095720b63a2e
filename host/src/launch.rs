//! How a parent starts its children (one per mode, check, side): this
//! executable, or for `--arch aarch64|riscv64` that arch's loader-only host
//! (`./build.sh --arch A`) under qemu-user. No binfmt_misc is assumed, so
//! the emulator is named explicitly; the child compiles through this
//! executable (`compile_service`), which qemu-user runs natively.

use crate::arch_name;
use anyhow::{Context, Result, ensure};
use embedding_abi::modes::Arch;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The architecture a `--arch` runs on, `None` for this machine's own.
pub fn foreign(arch: Option<Arch>) -> Option<Arch> {
    arch.filter(|a| *a != Arch::NATIVE)
}

/// Where the embedding of `arch` is built: out/<arch>/ for a foreign one
/// (cross/build.sh), else `out` itself.
pub fn out_dir(out: &Path, arch: Option<Arch>) -> PathBuf {
    match foreign(arch) {
        Some(a) => out.join(arch_name(a)),
        None => out.to_path_buf(),
    }
}

/// Debian's prefix for `arch`: its cross tools and its sysroot under /usr.
fn gnu(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "x86_64-linux-gnu",
        Arch::Aarch64 => "aarch64-linux-gnu",
        Arch::Riscv64 => "riscv64-linux-gnu",
        // Refused before any child starts (`refuse_mcu_arch`); named for
        // completeness only.
        Arch::Riscv32 => "riscv32-linux-gnu",
        Arch::Thumbv7em => "arm-none-eabi",
    }
}

/// The loader-only host built for `arch` by `./build.sh --arch A`.
pub fn loader(arch: Arch) -> PathBuf {
    let rust_target = match arch {
        Arch::X86_64 => "x86_64-unknown-linux-gnu",
        Arch::Aarch64 => "aarch64-unknown-linux-gnu",
        Arch::Riscv64 => "riscv64gc-unknown-linux-gnu",
        Arch::Riscv32 => "riscv32imac-unknown-none-elf",
        Arch::Thumbv7em => "thumbv7em-none-eabihf",
    };
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
    target_dir.join(rust_target).join("release").join("host")
}

/// A command running `host ...` on `arch` (see the module's comment); the
/// caller adds the arguments.
pub fn child_command(arch: Option<Arch>) -> Result<Command> {
    let exe = std::env::current_exe().context("cannot find the host executable")?;
    let Some(arch) = foreign(arch) else {
        return Ok(Command::new(exe));
    };
    let loader = loader(arch);
    ensure!(
        loader.is_file(),
        "{} missing: build the loader-only host for {} first (./build.sh --arch {})",
        loader.display(),
        arch_name(arch),
        arch_name(arch)
    );
    let mut command = Command::new(format!("qemu-{}", arch_name(arch)));
    command
        .arg("-L")
        .arg(format!("/usr/{}", gnu(arch)))
        .arg(&loader)
        .env(crate::compile_service::SERVER_VAR, exe);
    Ok(command)
}
