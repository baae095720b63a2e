//! Host-side bindings for the world in `embedding/wit/world.wit`.

wasmtime::component::bindgen!({
    path: "wit",
    world: "embedding:wasi/command",
    // Every import may fail with a trap (e.g. `exit`, or a broken OS
    // service); the in-memory filesystem is synchronous.
    imports: { default: trappable },
    exports: { default: async },
    require_store_data_send: true,
    trappable_error_type: {
        "wasi:filesystem/types.error-code" => crate::wasi::p2::fs::FsError,
    },
    // wasi:io (streams and pollables) is wasmtime-wasi-io's, so that the
    // resource types here are the ones its implementation serves.
    with: {
        "wasi:io": wasmtime_wasi_io::bindings::wasi::io,
        "wasi:filesystem/types.descriptor": crate::wasi::p2::fs::Descriptor,
        "wasi:filesystem/types.directory-entry-stream": crate::wasi::p2::fs::DirEntries,
    },
});
