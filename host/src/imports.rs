//! Checks what the embedding imports: the proof that it runs on the custom
//! platform hooks and on nothing else.

use anyhow::{Result, bail};
use embedding_abi::EmbMode;
use std::collections::BTreeSet;

pub use platform_check::hook_names::{OS_SERVICES, SIGNALS, SYNC, TLS, VIRTUAL_MEMORY};
pub use platform_check::symbols::undefined_symbols;

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
        EmbMode::Minimal | EmbMode::Small => &[TLS],
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
