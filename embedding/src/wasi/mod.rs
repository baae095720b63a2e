//! WASI programs on the platform's OS services: the `EmbWasiApi` table of
//! the C ABI. One state (`state`), two faces: preview 1 (`p1`, feature
//! `wasip1`: core modules, plain synchronous calls) and WASI 0.2 (`p2`,
//! feature `wasi`: components, on the embedding's async executor). A build
//! may have either face or both.

#[cfg(feature = "wasip1")]
mod p1;
#[cfg(feature = "wasi")]
mod p2;
mod program;
mod state;

use embedding_abi::EmbWasiApi;

pub static API: EmbWasiApi = EmbWasiApi {
    component_load: components::load,
    component_free: components::free,
    program_new: components::program_new,
    module_program_new: modules::program_new,
    program_free: program::program_free,
    run: program::run,
    program_status: program::program_status,
    program_files: program::program_files,
};

#[cfg(feature = "wasi")]
mod components {
    pub use super::p2::component::{component_free as free, component_load as load, program_new};
}

#[cfg(feature = "wasip1")]
mod modules {
    pub use super::p1::program::module_program_new as program_new;
}

/// A build without WASI 0.2 keeps the table's shape: its component entry
/// points refuse, saying why.
#[cfg(not(feature = "wasi"))]
mod components {
    use embedding_abi::{EmbComponent, EmbEngine, EmbError, EmbProgram, EmbWasiConfig};

    fn refuse() -> *mut EmbError {
        crate::errors::message(alloc::string::String::from(
            "this embedding was built with WASI preview 1 only (feature `wasip1`): it cannot \
             load components; build it with the `wasi` feature for WASI 0.2",
        ))
    }

    pub unsafe extern "C" fn load(
        _: *const EmbEngine,
        _: *const u8,
        _: usize,
        _: *mut *mut EmbComponent,
    ) -> *mut EmbError {
        refuse()
    }

    pub unsafe extern "C" fn free(_: *mut EmbComponent) {}

    pub unsafe extern "C" fn program_new(
        _: *const EmbEngine,
        _: *const EmbComponent,
        _: *const EmbWasiConfig,
        _: *mut *mut EmbProgram,
    ) -> *mut EmbError {
        refuse()
    }
}

/// A build without preview 1 refuses core modules as programs, saying why.
#[cfg(not(feature = "wasip1"))]
mod modules {
    use embedding_abi::{EmbEngine, EmbError, EmbModule, EmbProgram, EmbWasiConfig};

    pub unsafe extern "C" fn program_new(
        _: *const EmbEngine,
        _: *const EmbModule,
        _: *const EmbWasiConfig,
        _: *mut *mut EmbProgram,
    ) -> *mut EmbError {
        crate::errors::message(alloc::string::String::from(
            "this embedding was built without WASI preview 1 (feature `wasip1`): it cannot run \
             core modules as programs",
        ))
    }
}
