//! The platform hooks of Wasmtime 48's `capi.rs`, grouped by the feature that
//! declares them, and the OS services of a `wasi` build. The checker claims
//! and tests a platform by these groups; the host checks an embedding's
//! imports against them (host/src/imports.rs).

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
