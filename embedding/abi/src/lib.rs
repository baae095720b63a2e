//! What the host and the `no_std` embedding agree on, in one crate both
//! depend on: the C ABI table ([`api`]), each mode's Wasmtime configuration
//! ([`modes`]), and how Wasmtime values cross the ABI ([`values`]; also used
//! by the host's stock-Wasmtime reference, so both describe values alike).

#![no_std]

pub mod api;
pub mod cpu;
pub mod modes;
pub mod values;

pub use api::*;
