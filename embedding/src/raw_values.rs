//! Numbers between the ABI's `EmbVal` and Wasmtime's untyped `ValRaw`.
//!
//! A number needs no store to convert, so the two fast paths, calls by
//! handle (`func.rs`) and numeric host functions (`host_funcs.rs`), pass
//! numbers this way and leave references to the `Val` conversions of
//! `embedding_abi::values`, which need the store.

use embedding_abi::{EmbVal, EmbValKind, EmbValPayload};
use wasmtime::ValRaw;

/// Whether values of `kind` convert without a store.
pub fn is_numeric(kind: EmbValKind) -> bool {
    matches!(
        kind,
        EmbValKind::I32 | EmbValKind::I64 | EmbValKind::F32 | EmbValKind::F64 | EmbValKind::V128
    )
}

/// `val` as a raw value, when it is a number.
pub fn to_raw(val: &EmbVal) -> Option<ValRaw> {
    // SAFETY: each arm reads the union field that `kind` selects.
    unsafe {
        Some(match val.kind {
            EmbValKind::I32 => ValRaw::i32(val.of.i32),
            EmbValKind::I64 => ValRaw::i64(val.of.i64),
            EmbValKind::F32 => ValRaw::f32(val.of.f32_bits),
            EmbValKind::F64 => ValRaw::f64(val.of.f64_bits),
            EmbValKind::V128 => ValRaw::v128(u128::from_le_bytes(val.of.v128)),
            _ => return None,
        })
    }
}

/// The number of kind `kind` held in `raw`, as the ABI's value; `None`
/// for a reference kind.
pub fn from_raw(raw: ValRaw, kind: EmbValKind) -> Option<EmbVal> {
    let of = match kind {
        EmbValKind::I32 => EmbValPayload { i32: raw.get_i32() },
        EmbValKind::I64 => EmbValPayload { i64: raw.get_i64() },
        EmbValKind::F32 => EmbValPayload {
            f32_bits: raw.get_f32(),
        },
        EmbValKind::F64 => EmbValPayload {
            f64_bits: raw.get_f64(),
        },
        EmbValKind::V128 => EmbValPayload {
            v128: raw.get_v128().to_le_bytes(),
        },
        _ => return None,
    };
    Some(EmbVal { kind, of })
}
