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

// The trap codes C code compares against must be Wasmtime's.
const _: () = assert!(wasmtime::Trap::Interrupt as u8 == EMB_TRAP_CODE_INTERRUPT);
const _: () = assert!(wasmtime::Trap::OutOfFuel as u8 == EMB_TRAP_CODE_OUT_OF_FUEL);
