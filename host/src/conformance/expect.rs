//! Spec-test values: arguments in, and results and traps checked against
//! the script's expectations.

use crate::embedding::Failure;
use crate::values::{RefTarget, Value};
use embedding_abi::EmbValKind;
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};

pub fn arg(arg: &WastArgCore<'_>) -> Result<Value, String> {
    Ok(match arg {
        WastArgCore::I32(v) => Value::I32(*v),
        WastArgCore::I64(v) => Value::I64(*v),
        WastArgCore::F32(v) => Value::F32(v.bits),
        WastArgCore::F64(v) => Value::F64(v.bits),
        WastArgCore::V128(v) => Value::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(ht) => Value::Ref(top_kind(ht)?, None),
        WastArgCore::RefExtern(n) => Value::Ref(EmbValKind::ExternRef, Some(RefTarget::Host(*n))),
        WastArgCore::RefHost(n) => Value::Ref(EmbValKind::AnyRef, Some(RefTarget::Host(*n))),
    })
}

/// The value kind (top type) a heap type belongs to.
fn top_kind(ht: &HeapType<'_>) -> Result<EmbValKind, String> {
    use AbstractHeapType as A;
    match ht {
        HeapType::Abstract { ty, .. } => Ok(match ty {
            A::Func | A::NoFunc => EmbValKind::FuncRef,
            A::Extern | A::NoExtern => EmbValKind::ExternRef,
            A::Exn | A::NoExn => EmbValKind::ExnRef,
            A::Any | A::Eq | A::Struct | A::Array | A::I31 | A::None => EmbValKind::AnyRef,
            other => return Err(format!("unsupported heap type {other:?}")),
        }),
        // Concrete types only appear in results, where the value's own kind
        // decides (any null of a concrete type is fine).
        other => Err(format!("unsupported heap type {other:?} in an argument")),
    }
}

pub fn results(actual: &[Value], expected: &[&WastRetCore<'_>]) -> Result<(), String> {
    if actual.len() != expected.len() {
        return Err(format!(
            "expected {} results, got {}: {actual:?}",
            expected.len(),
            actual.len()
        ));
    }
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        if !matches(a, e) {
            return Err(format!("result {i}: expected {e:?}, got {a:?}"));
        }
    }
    Ok(())
}

fn matches(actual: &Value, expected: &WastRetCore<'_>) -> bool {
    use WastRetCore as R;
    match (expected, actual) {
        (R::I32(e), Value::I32(a)) => e == a,
        (R::I64(e), Value::I64(a)) => e == a,
        (R::F32(e), Value::F32(a)) => f32_matches(e, *a),
        (R::F64(e), Value::F64(a)) => f64_matches(e, *a),
        (R::V128(e), Value::V128(a)) => v128_matches(e, *a),
        (R::RefNull(ht), Value::Ref(kind, None)) => match ht {
            None => true,
            Some(ht @ HeapType::Abstract { .. }) => top_kind(ht).is_ok_and(|k| k == *kind),
            Some(_) => true,
        },
        (R::RefExtern(None), Value::Ref(EmbValKind::ExternRef, Some(_))) => true,
        (R::RefExtern(Some(n)), Value::Ref(EmbValKind::ExternRef, Some(RefTarget::Host(m)))) => {
            n == m
        }
        (R::RefHost(n), Value::Ref(_, Some(RefTarget::Host(m)))) => n == m,
        (R::RefFunc(_), Value::Ref(EmbValKind::FuncRef, Some(_))) => true,
        (R::RefAny, Value::Ref(EmbValKind::AnyRef, Some(_))) => true,
        (R::RefEq, Value::Ref(EmbValKind::AnyRef, Some(t))) => {
            matches!(t, RefTarget::I31(_) | RefTarget::Struct | RefTarget::Array)
        }
        (R::RefArray, Value::Ref(EmbValKind::AnyRef, Some(RefTarget::Array))) => true,
        (R::RefStruct, Value::Ref(EmbValKind::AnyRef, Some(RefTarget::Struct))) => true,
        (R::RefI31, Value::Ref(EmbValKind::AnyRef, Some(RefTarget::I31(_)))) => true,
        (R::Either(options), a) => options.iter().any(|e| matches(a, e)),
        _ => false,
    }
}

fn f32_matches(e: &NanPattern<wast::token::F32>, bits: u32) -> bool {
    let nan = f32::from_bits(bits).is_nan();
    match e {
        NanPattern::CanonicalNan => nan && bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => nan && bits & 0x0040_0000 != 0,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn f64_matches(e: &NanPattern<wast::token::F64>, bits: u64) -> bool {
    let nan = f64::from_bits(bits).is_nan();
    match e {
        NanPattern::CanonicalNan => nan && bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => nan && bits & 0x0008_0000_0000_0000 != 0,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn v128_matches(e: &V128Pattern, v: u128) -> bool {
    let bytes = v.to_le_bytes();
    let lane = |i: usize, width: usize| -> u64 {
        let mut b = [0u8; 8];
        b[..width].copy_from_slice(&bytes[i * width..(i + 1) * width]);
        u64::from_le_bytes(b)
    };
    match e {
        V128Pattern::I8x16(l) => l
            .iter()
            .enumerate()
            .all(|(i, x)| lane(i, 1) as u8 == *x as u8),
        V128Pattern::I16x8(l) => l
            .iter()
            .enumerate()
            .all(|(i, x)| lane(i, 2) as u16 == *x as u16),
        V128Pattern::I32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, x)| lane(i, 4) as u32 == *x as u32),
        V128Pattern::I64x2(l) => l.iter().enumerate().all(|(i, x)| lane(i, 8) == *x as u64),
        V128Pattern::F32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, p)| f32_matches(p, lane(i, 4) as u32)),
        V128Pattern::F64x2(l) => l
            .iter()
            .enumerate()
            .all(|(i, p)| f64_matches(p, lane(i, 8))),
    }
}

/// Expects a trap whose message says what the script says. Wasmtime's
/// messages differ from the reference interpreter's in places; the spellings
/// accepted here are the same for both sides, so they cannot hide a
/// divergence.
pub fn trap(result: Result<(), Failure>, expected: &str) -> Result<(), String> {
    let failure = match result {
        Ok(()) => return Err(format!("expected trap `{expected}`, but it succeeded")),
        Err(f) => f,
    };
    if failure.trap.is_none() && !failure.is_trap_like() {
        return Err(format!(
            "expected trap `{expected}`, got the error: {failure}"
        ));
    }
    let message = &failure.message;
    let accepted = message.contains(expected)
        || (expected.starts_with("out of bounds") && message.contains("out of bounds"))
        || (expected.starts_with("null") && message.contains("null reference"))
        || (expected.contains("uninitialized element")
            && message.contains("uninitialized element"))
        || (expected == "unreachable" && message.contains("unreachable"))
        || (expected == "call stack exhausted" && message.contains("call stack exhausted"));
    if accepted {
        Ok(())
    } else {
        Err(format!("expected trap `{expected}`, got {failure}"))
    }
}
