//! Conversions between Wasmtime's `Val` and the ABI's `EmbVal`.
//!
//! Shared by the embedding (its side of the ABI) and by the host's
//! stock-Wasmtime reference runs, so a value is described the same way
//! whichever Wasmtime produced it.

use crate::api::{EmbRef, EmbRefClass, EmbVal, EmbValKind, EmbValPayload};
use wasmtime::{AnyRef, AsContextMut, ExternRef, Result, Rooted, V128, Val, ValType, bail};

/// The nullable top type of each kind.
pub fn val_type(kind: EmbValKind) -> ValType {
    match kind {
        EmbValKind::I32 => ValType::I32,
        EmbValKind::I64 => ValType::I64,
        EmbValKind::F32 => ValType::F32,
        EmbValKind::F64 => ValType::F64,
        EmbValKind::V128 => ValType::V128,
        EmbValKind::FuncRef => ValType::FUNCREF,
        EmbValKind::ExternRef => ValType::EXTERNREF,
        EmbValKind::AnyRef => ValType::ANYREF,
        EmbValKind::ExnRef => ValType::EXNREF,
    }
}

/// The ABI's kind of a value of type `ty`, when it is a number (numbers
/// convert without a store; references do not).
pub fn numeric_kind(ty: &ValType) -> Option<EmbValKind> {
    Some(match ty {
        ValType::I32 => EmbValKind::I32,
        ValType::I64 => EmbValKind::I64,
        ValType::F32 => EmbValKind::F32,
        ValType::F64 => EmbValKind::F64,
        ValType::V128 => EmbValKind::V128,
        ValType::Ref(_) => return None,
    })
}

/// A value from the host, made into a Wasmtime value in `store`.
// Without GC, only null references exist, which need no store.
#[cfg_attr(not(feature = "gc"), allow(unused_mut, unused_variables))]
pub fn to_wasm(mut store: impl AsContextMut, val: &EmbVal) -> Result<Val> {
    // SAFETY: each arm reads the union field that `kind` selects.
    let (kind, r) = unsafe {
        match val.kind {
            EmbValKind::I32 => return Ok(Val::I32(val.of.i32)),
            EmbValKind::I64 => return Ok(Val::I64(val.of.i64)),
            EmbValKind::F32 => return Ok(Val::F32(val.of.f32_bits)),
            EmbValKind::F64 => return Ok(Val::F64(val.of.f64_bits)),
            EmbValKind::V128 => return Ok(Val::V128(V128::from(u128::from_le_bytes(val.of.v128)))),
            kind => (kind, val.of.reference),
        }
    };
    if r.is_null {
        return Ok(match kind {
            EmbValKind::FuncRef => Val::FuncRef(None),
            EmbValKind::ExternRef => Val::ExternRef(None),
            EmbValKind::AnyRef => Val::AnyRef(None),
            _ => Val::ExnRef(None),
        });
    }
    match (kind, r.class) {
        #[cfg(feature = "gc")]
        (EmbValKind::ExternRef, EmbRefClass::Host) => {
            Ok(Val::ExternRef(Some(ExternRef::new(&mut store, r.host_id)?)))
        }
        #[cfg(feature = "gc")]
        (EmbValKind::AnyRef, EmbRefClass::Host) => {
            let host = ExternRef::new(&mut store, r.host_id)?;
            Ok(Val::AnyRef(Some(AnyRef::convert_extern(&mut store, host)?)))
        }
        #[cfg(not(feature = "gc"))]
        (kind, EmbRefClass::Host) => {
            bail!(
                "a host {kind:?} needs Wasmtime's GC runtime, which this build lacks (mode small)"
            )
        }
        (kind, class) => bail!("a non-null {kind:?} of class {class:?} cannot be passed in"),
    }
}

/// A Wasmtime value described for the host.
pub fn from_wasm(mut store: impl AsContextMut, val: &Val) -> Result<EmbVal> {
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
        Val::FuncRef(f) => (EmbValKind::FuncRef, opaque(f.is_none())),
        Val::ExnRef(e) => (EmbValKind::ExnRef, opaque(e.is_none())),
        Val::ExternRef(None) => (EmbValKind::ExternRef, opaque(true)),
        Val::ExternRef(Some(r)) => (EmbValKind::ExternRef, describe_extern(&mut store, r)?),
        Val::AnyRef(None) => (EmbValKind::AnyRef, opaque(true)),
        Val::AnyRef(Some(r)) => (EmbValKind::AnyRef, describe_any(&mut store, r)?),
        Val::ContRef(_) => bail!("continuation references cannot cross the embedding's ABI"),
    };
    Ok(EmbVal { kind, of })
}

#[cfg_attr(not(feature = "gc"), allow(dead_code))]
fn reference(class: EmbRefClass, host_id: u32, i31: i32) -> EmbValPayload {
    EmbValPayload {
        reference: EmbRef {
            is_null: false,
            class,
            host_id,
            i31,
        },
    }
}

fn opaque(is_null: bool) -> EmbValPayload {
    EmbValPayload {
        reference: EmbRef {
            is_null,
            class: EmbRefClass::Opaque,
            host_id: 0,
            i31: 0,
        },
    }
}

/// Without Wasmtime's GC runtime no reference but a funcref can exist, so
/// there is nothing to describe.
#[cfg(not(feature = "gc"))]
fn describe_extern(_: impl AsContextMut, _: &Rooted<ExternRef>) -> Result<EmbValPayload> {
    bail!("an externref without the GC runtime")
}

#[cfg(not(feature = "gc"))]
fn describe_any(_: impl AsContextMut, _: &Rooted<AnyRef>) -> Result<EmbValPayload> {
    bail!("an anyref without the GC runtime")
}

/// An externref holds either a host number or, after `extern.convert_any`,
/// an internal reference.
#[cfg(feature = "gc")]
fn describe_extern(mut store: impl AsContextMut, r: &Rooted<ExternRef>) -> Result<EmbValPayload> {
    if let Some(data) = r.data(&store)? {
        return Ok(match data.downcast_ref::<u32>() {
            Some(id) => reference(EmbRefClass::Host, *id, 0),
            None => reference(EmbRefClass::Opaque, 0, 0),
        });
    }
    let any = AnyRef::convert_extern(&mut store, *r)?;
    describe_any(store, &any)
}

#[cfg(feature = "gc")]
fn describe_any(mut store: impl AsContextMut, r: &Rooted<AnyRef>) -> Result<EmbValPayload> {
    if let Some(i31) = r.as_i31(&store)? {
        return Ok(reference(EmbRefClass::I31, 0, i31.get_i32()));
    }
    if r.is_struct(&store)? {
        return Ok(reference(EmbRefClass::Struct, 0, 0));
    }
    if r.is_array(&store)? {
        return Ok(reference(EmbRefClass::Array, 0, 0));
    }
    // What is left is a host value that came in through `any.convert_extern`.
    let ext = ExternRef::convert_any(&mut store, *r)?;
    match ext.data(&store)?.and_then(|d| d.downcast_ref::<u32>()) {
        Some(id) => Ok(reference(EmbRefClass::Host, *id, 0)),
        None => Ok(reference(EmbRefClass::Opaque, 0, 0)),
    }
}
