//! WASI 0.2 programs (`wasi:cli/command` components) on the platform's OS
//! services: the `EmbWasiApi` table of the C ABI.

mod bindings;
mod cli;
mod clocks;
mod console;
mod ctx;
mod executor;
mod fs;
mod lock;
mod program;
mod random;

use embedding_abi::EmbWasiApi;

pub static API: EmbWasiApi = EmbWasiApi {
    component_load: program::component_load,
    component_free: program::component_free,
    program_new: program::program_new,
    program_free: program::program_free,
    run: program::run,
    program_status: program::program_status,
    program_files: program::program_files,
};
