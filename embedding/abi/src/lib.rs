//! What the host and the `no_std` embedding agree on, in one crate both
//! depend on: the C ABI table ([`api`]) and each mode's Wasmtime
//! configuration ([`modes`]).

#![no_std]

pub mod api;
pub mod cpu;
pub mod modes;

pub use api::*;
