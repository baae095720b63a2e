//! WebAssembly values on the host side of the ABI.

use anyhow::{Result, bail};
use embedding_abi::{EmbRef, EmbVal, EmbValKind, EmbValPayload};

/// A value as the host handles it. Floats are kept as bit patterns, so a
/// comparison is exact (NaN payloads and the sign of zero included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    /// `None` is `ref.null func`; `Some(())` any non-null function.
    FuncRef(Option<()>),
    /// `None` is `ref.null extern`; otherwise the number the host wrapped.
    ExternRef(Option<u32>),
}

impl Value {
    pub fn f32(v: f32) -> Value {
        Value::F32(v.to_bits())
    }

    pub fn f64(v: f64) -> Value {
        Value::F64(v.to_bits())
    }

    pub fn kind(&self) -> EmbValKind {
        match self {
            Value::I32(_) => EmbValKind::I32,
            Value::I64(_) => EmbValKind::I64,
            Value::F32(_) => EmbValKind::F32,
            Value::F64(_) => EmbValKind::F64,
            Value::V128(_) => EmbValKind::V128,
            Value::FuncRef(_) => EmbValKind::FuncRef,
            Value::ExternRef(_) => EmbValKind::ExternRef,
        }
    }

    pub fn to_raw(self) -> EmbVal {
        let reference = |is_null: bool, host_id: u32| EmbValPayload {
            reference: EmbRef { is_null, host_id },
        };
        let of = match self {
            Value::I32(v) => EmbValPayload { i32: v },
            Value::I64(v) => EmbValPayload { i64: v },
            Value::F32(bits) => EmbValPayload { f32_bits: bits },
            Value::F64(bits) => EmbValPayload { f64_bits: bits },
            Value::V128(v) => EmbValPayload {
                v128: v.to_le_bytes(),
            },
            Value::FuncRef(f) => reference(f.is_none(), 0),
            Value::ExternRef(r) => reference(r.is_none(), r.unwrap_or(0)),
        };
        EmbVal {
            kind: self.kind(),
            of,
        }
    }

    pub fn from_raw(raw: &EmbVal) -> Result<Value> {
        // The kind arrives from another library: check it before trusting it.
        let kind = raw.kind as u32;
        if kind > EmbValKind::ExternRef as u32 {
            bail!("the embedding returned a value of unknown kind {kind}");
        }
        // SAFETY: each arm reads the field `kind` selects.
        Ok(unsafe {
            match raw.kind {
                EmbValKind::I32 => Value::I32(raw.of.i32),
                EmbValKind::I64 => Value::I64(raw.of.i64),
                EmbValKind::F32 => Value::F32(raw.of.f32_bits),
                EmbValKind::F64 => Value::F64(raw.of.f64_bits),
                EmbValKind::V128 => Value::V128(u128::from_le_bytes(raw.of.v128)),
                EmbValKind::FuncRef => Value::FuncRef((!raw.of.reference.is_null).then_some(())),
                EmbValKind::ExternRef => Value::ExternRef(
                    (!raw.of.reference.is_null).then_some(raw.of.reference.host_id),
                ),
            }
        })
    }
}
