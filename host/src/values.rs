//! WebAssembly values on the host side of the ABI.

use anyhow::{Result, bail};
use embedding_abi::{EmbRef, EmbRefClass, EmbVal, EmbValKind, EmbValPayload};

/// A value as the host handles it. Floats are kept as bit patterns, so a
/// comparison is exact (NaN payloads and the sign of zero included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    /// A reference of kind `FuncRef`, `ExternRef`, `AnyRef` or `ExnRef`;
    /// `None` is null.
    Ref(EmbValKind, Option<RefTarget>),
}

/// What a non-null reference refers to (see `EmbRefClass`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefTarget {
    Opaque,
    Host(u32),
    I31(i32),
    Struct,
    Array,
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
            Value::Ref(kind, _) => *kind,
        }
    }

    pub fn to_raw(self) -> EmbVal {
        let of = match self {
            Value::I32(v) => EmbValPayload { i32: v },
            Value::I64(v) => EmbValPayload { i64: v },
            Value::F32(bits) => EmbValPayload { f32_bits: bits },
            Value::F64(bits) => EmbValPayload { f64_bits: bits },
            Value::V128(v) => EmbValPayload {
                v128: v.to_le_bytes(),
            },
            Value::Ref(_, target) => {
                let (class, host_id, i31) = match target {
                    None | Some(RefTarget::Opaque) => (EmbRefClass::Opaque, 0, 0),
                    Some(RefTarget::Host(id)) => (EmbRefClass::Host, id, 0),
                    Some(RefTarget::I31(v)) => (EmbRefClass::I31, 0, v),
                    Some(RefTarget::Struct) => (EmbRefClass::Struct, 0, 0),
                    Some(RefTarget::Array) => (EmbRefClass::Array, 0, 0),
                };
                EmbValPayload {
                    reference: EmbRef {
                        is_null: target.is_none(),
                        class,
                        host_id,
                        i31,
                    },
                }
            }
        };
        EmbVal {
            kind: self.kind(),
            of,
        }
    }

    pub fn from_raw(raw: &EmbVal) -> Result<Value> {
        // The value arrives from another library: check its enums before
        // trusting them.
        let kind = raw.kind as u32;
        if kind > EmbValKind::ExnRef as u32 {
            bail!("the embedding returned a value of unknown kind {kind}");
        }
        // SAFETY: each arm reads the field `kind` selects.
        unsafe {
            Ok(match raw.kind {
                EmbValKind::I32 => Value::I32(raw.of.i32),
                EmbValKind::I64 => Value::I64(raw.of.i64),
                EmbValKind::F32 => Value::F32(raw.of.f32_bits),
                EmbValKind::F64 => Value::F64(raw.of.f64_bits),
                EmbValKind::V128 => Value::V128(u128::from_le_bytes(raw.of.v128)),
                kind => {
                    let r = raw.of.reference;
                    if r.is_null {
                        return Ok(Value::Ref(kind, None));
                    }
                    let class = std::ptr::addr_of!(r.class).cast::<u32>().read();
                    let target = match class {
                        0 => RefTarget::Opaque,
                        1 => RefTarget::Host(r.host_id),
                        2 => RefTarget::I31(r.i31),
                        3 => RefTarget::Struct,
                        4 => RefTarget::Array,
                        other => {
                            bail!("the embedding returned a reference of unknown class {other}")
                        }
                    };
                    Value::Ref(kind, Some(target))
                }
            })
        }
    }
}
