//! Conversions between `EmbVal` and Wasmtime's `Val`.

use crate::errors;
use alloc::format;
use embedding_abi::{EmbError, EmbRef, EmbVal, EmbValKind, EmbValPayload};
use wasmtime::{AsContextMut, ExternRef, V128, Val, ValType};

pub fn val_type(kind: EmbValKind) -> ValType {
    match kind {
        EmbValKind::I32 => ValType::I32,
        EmbValKind::I64 => ValType::I64,
        EmbValKind::F32 => ValType::F32,
        EmbValKind::F64 => ValType::F64,
        EmbValKind::V128 => ValType::V128,
        EmbValKind::FuncRef => ValType::FUNCREF,
        EmbValKind::ExternRef => ValType::EXTERNREF,
    }
}

/// Reads a value from the host.
pub fn to_wasm(mut store: impl AsContextMut, val: &EmbVal) -> Result<Val, *mut EmbError> {
    // SAFETY: each arm reads the union field that `kind` selects.
    unsafe {
        Ok(match val.kind {
            EmbValKind::I32 => Val::I32(val.of.i32),
            EmbValKind::I64 => Val::I64(val.of.i64),
            EmbValKind::F32 => Val::F32(val.of.f32_bits),
            EmbValKind::F64 => Val::F64(val.of.f64_bits),
            EmbValKind::V128 => Val::V128(V128::from(u128::from_le_bytes(val.of.v128))),
            EmbValKind::FuncRef if val.of.reference.is_null => Val::FuncRef(None),
            EmbValKind::FuncRef => {
                return Err(errors::message(
                    "a non-null funcref cannot be passed in from the host".into(),
                ));
            }
            EmbValKind::ExternRef if val.of.reference.is_null => Val::ExternRef(None),
            EmbValKind::ExternRef => {
                let r = ExternRef::new(&mut store, val.of.reference.host_id)
                    .map_err(errors::from_wasmtime)?;
                Val::ExternRef(Some(r))
            }
        })
    }
}

/// Hands a value to the host.
pub fn from_wasm(mut store: impl AsContextMut, val: &Val) -> Result<EmbVal, *mut EmbError> {
    let reference = |is_null: bool, host_id: u32| EmbValPayload {
        reference: EmbRef { is_null, host_id },
    };
    let (kind, of) = match val {
        Val::I32(v) => (EmbValKind::I32, EmbValPayload { i32: *v }),
        Val::I64(v) => (EmbValKind::I64, EmbValPayload { i64: *v }),
        Val::F32(bits) => (EmbValKind::F32, EmbValPayload { f32_bits: *bits }),
        Val::F64(bits) => (EmbValKind::F64, EmbValPayload { f64_bits: *bits }),
        Val::V128(v) => (
            EmbValKind::V128,
            EmbValPayload {
                v128: v.as_u128().to_le_bytes(),
            },
        ),
        Val::FuncRef(f) => (EmbValKind::FuncRef, reference(f.is_none(), 0)),
        Val::ExternRef(None) => (EmbValKind::ExternRef, reference(true, 0)),
        Val::ExternRef(Some(r)) => {
            let store = store.as_context_mut();
            let data = r.data(&store).map_err(errors::from_wasmtime)?;
            let id = data
                .and_then(|d| d.downcast_ref::<u32>())
                .copied()
                .ok_or_else(|| errors::message("externref does not hold a host number".into()))?;
            (EmbValKind::ExternRef, reference(false, id))
        }
        other => {
            return Err(errors::message(format!(
                "a value of type {:?} cannot cross the embedding's ABI",
                other.ty(&store)
            )));
        }
    };
    Ok(EmbVal { kind, of })
}
