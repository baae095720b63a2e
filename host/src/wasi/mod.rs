//! WASI programs: compiling them for the embedding's `wasi` builds, running
//! them (`host run`), and comparing them with stock Wasmtime
//! (`host guests`).

pub mod cases;
pub mod checks;
pub mod cold_start;
pub mod compile;
pub mod embedded;
pub mod guests;
pub mod p1_checks;
pub mod run;
pub mod stock;
pub mod testsuite;
pub mod tree;
