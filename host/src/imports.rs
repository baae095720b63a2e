//! Checks what the embedding imports: the proof that it runs on the custom
//! platform hooks and on nothing else.

use anyhow::{Context, Result, bail};
use embedding_abi::EmbMode;
use object::{Object, ObjectSymbol};
use std::collections::BTreeSet;
use std::path::Path;

// The platform hooks of Wasmtime 48's `capi.rs`, grouped by the feature that
// declares them. The platform checker tests the same groups.

pub const TLS: &[&str] = &["wasmtime_tls_get", "wasmtime_tls_set"];

pub const VIRTUAL_MEMORY: &[&str] = &[
    "wasmtime_mmap_new",
    "wasmtime_mmap_remap",
    "wasmtime_munmap",
    "wasmtime_mprotect",
    "wasmtime_page_size",
    "wasmtime_memory_image_new",
    "wasmtime_memory_image_map_at",
    "wasmtime_memory_image_free",
];

pub const SYNC: &[&str] = &[
    "wasmtime_sync_lock_acquire",
    "wasmtime_sync_lock_release",
    "wasmtime_sync_lock_free",
    "wasmtime_sync_rwlock_read",
    "wasmtime_sync_rwlock_read_release",
    "wasmtime_sync_rwlock_write",
    "wasmtime_sync_rwlock_write_release",
    "wasmtime_sync_rwlock_free",
];

pub const SIGNALS: &[&str] = &["wasmtime_init_traps"];

/// Not Wasmtime's: the OS services a `wasi` build of the embedding imports
/// (embedding/src/os.rs, platform/embedding-os.h).
pub const OS_SERVICES: &[&str] = &[
    "embedding_os_monotonic_now",
    "embedding_os_monotonic_resolution",
    "embedding_os_wall_now",
    "embedding_os_random",
    "embedding_os_console_write",
    "embedding_os_console_read",
    "embedding_os_sleep_until",
];

/// Wasmtime's custom-fiber hooks. Never imported here: Wasmtime 48 imports
/// them only on an architecture without built-in stack switching, and
/// x86_64 has it. The platform checker tests a platform that exports them.
pub const FIBER: &[&str] = &["wasmtime_fiber_init", "wasmtime_fiber_switch"];

/// Declared, implemented by the platform, and tested by the checker, but
/// never imported by a `no_std` embedding: Wasmtime 48 calls
/// `wasmtime_mmap_remap` only when resetting memory slots for reuse, which
/// only the pooling allocator does, and that allocator needs `std`.
const NEVER_IMPORTED: &[&str] = &["wasmtime_mmap_remap"];

/// Compiler builtins a toolchain may leave undefined for the C library; they
/// are tolerated in every mode.
const MEM_BUILTINS: &[&str] = &["memcpy", "memmove", "memset", "memcmp", "bcmp"];

/// The platform hooks a mode's embedding must import, no more, no less, for
/// a build with or without the `wasi` feature, which adds the OS services.
pub fn expected_for(mode: EmbMode, wasi: bool) -> BTreeSet<&'static str> {
    let groups: &[&[&str]] = match mode {
        EmbMode::Minimal => &[TLS],
        EmbMode::Vm => &[TLS, VIRTUAL_MEMORY, SYNC],
        EmbMode::Full => &[TLS, VIRTUAL_MEMORY, SYNC, SIGNALS],
    };
    let wasi_group: &[&[&str]] = if wasi { &[OS_SERVICES] } else { &[] };
    groups
        .iter()
        .chain(wasi_group)
        .flat_map(|g| g.iter().copied())
        .filter(|hook| !NEVER_IMPORTED.contains(hook))
        .collect()
}

/// The undefined dynamic symbols of a shared object: what it imports.
pub fn undefined_symbols(path: &Path) -> Result<BTreeSet<String>> {
    dynamic_symbols(path, false)
}

/// The global dynamic symbols a shared object defines: what it exports.
pub fn exported_symbols(path: &Path) -> Result<BTreeSet<String>> {
    dynamic_symbols(path, true)
}

fn dynamic_symbols(path: &Path, defined: bool) -> Result<BTreeSet<String>> {
    let data = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file = object::File::parse(&*data)
        .with_context(|| format!("{} is not an object file", path.display()))?;
    let mut names = BTreeSet::new();
    for sym in file.dynamic_symbols() {
        let wanted = if defined {
            sym.is_definition() && sym.is_global()
        } else {
            sym.is_undefined()
        };
        if wanted {
            let name = sym.name().context("dynamic symbol with a bad name")?;
            if !name.is_empty() {
                names.insert(name.to_string());
            }
        }
    }
    Ok(names)
}

/// Compares what `actual` imports with what `mode` allows; returns the
/// platform hooks imported, sorted.
pub fn check(mode: EmbMode, actual: &BTreeSet<String>) -> Result<Vec<String>> {
    check_for(mode, false, actual)
}

/// [`check`] for a build with or without the `wasi` feature.
pub fn check_for(mode: EmbMode, wasi: bool, actual: &BTreeSet<String>) -> Result<Vec<String>> {
    let expected = expected_for(mode, wasi);
    let extra: Vec<&str> = actual
        .iter()
        .map(String::as_str)
        .filter(|s| !expected.contains(s) && !MEM_BUILTINS.contains(s))
        .collect();
    let missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|s| !actual.contains(*s))
        .collect();
    if !extra.is_empty() || !missing.is_empty() {
        bail!(
            "imports differ from the {}{} build's platform: unexpected {:?}, missing {:?}",
            crate::mode_name(mode),
            if wasi { "-wasi" } else { "" },
            extra,
            missing
        );
    }
    Ok(actual
        .iter()
        .filter(|s| expected.contains(s.as_str()))
        .cloned()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn minimal_accepts_tls_and_mem_builtins() {
        let hooks = check(
            EmbMode::Minimal,
            &set(&["wasmtime_tls_get", "wasmtime_tls_set", "memcpy"]),
        )
        .unwrap();
        assert_eq!(hooks, ["wasmtime_tls_get", "wasmtime_tls_set"]);
    }

    #[test]
    fn extra_import_is_named() {
        let err = check(
            EmbMode::Minimal,
            &set(&[
                "wasmtime_tls_get",
                "wasmtime_tls_set",
                "wasmtime_mmap_new",
                "malloc",
            ]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("wasmtime_mmap_new") && err.contains("malloc"),
            "{err}"
        );
    }

    #[test]
    fn missing_hook_is_named() {
        let mut full: BTreeSet<String> = expected_for(EmbMode::Full, false)
            .iter()
            .map(|s| s.to_string())
            .collect();
        full.remove("wasmtime_init_traps");
        let err = check(EmbMode::Full, &full).unwrap_err().to_string();
        assert!(err.contains("missing [\"wasmtime_init_traps\"]"), "{err}");
    }

    #[test]
    fn wasi_adds_exactly_the_os_services() {
        for mode in [EmbMode::Minimal, EmbMode::Vm, EmbMode::Full] {
            let extra: BTreeSet<_> = expected_for(mode, true)
                .difference(&expected_for(mode, false))
                .copied()
                .collect();
            assert_eq!(extra, OS_SERVICES.iter().copied().collect());
        }
    }

    #[test]
    fn modes_nest() {
        assert!(expected_for(EmbMode::Minimal, false).is_subset(&expected_for(EmbMode::Vm, false)));
        assert!(expected_for(EmbMode::Vm, false).is_subset(&expected_for(EmbMode::Full, false)));
    }
}
