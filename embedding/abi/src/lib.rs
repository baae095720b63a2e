//! What the host and the `no_std` embedding agree on, in one crate both
//! depend on: the C ABI table ([`api`]), each mode's Wasmtime configuration
//! ([`modes`]), the integrity envelope around artifacts ([`envelope`]), and how Wasmtime values cross the ABI ([`values`]; also used
//! by the host's stock-Wasmtime reference, so both describe values alike).

#![no_std]

extern crate alloc;

pub mod api;
pub mod cpu;
pub mod envelope;
pub mod modes;
pub mod values;

pub use api::*;
