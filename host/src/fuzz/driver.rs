//! One module through both sides in lockstep: instantiate, call every
//! exported function, then read every exported global and hash every
//! exported memory, comparing each step as it happens.

use super::generate::{self, Rng};
use super::outcome::{Outcome, Verdict, judge_call, show_values, stack_exhausted};
use super::sides::{Side, Stock};
use crate::values::Value;
use embedding_abi::{EmbValKind, values};
use wasmtime::{ExternType, HeapType, ValType};

/// Argument sets each exported function is called with.
pub const CALLS_PER_EXPORT: usize = 2;

/// Where the two sides first disagreed.
#[derive(Debug)]
pub struct Divergence {
    pub step: String,
    pub embedded: String,
    pub stock: String,
}

/// How a module's run ended.
#[derive(Debug)]
pub enum End {
    /// Every step agreed.
    Agreed,
    /// Both sides refused to instantiate it, in the same way.
    SkippedInstantiation,
    /// Stock Wasmtime does not accept what wasm-smith generated.
    Invalid(String),
    /// A call exhausted the stack (`Verdict::StackExhausted`); the steps up
    /// to it agreed.
    StackExhausted,
    Divergent(Divergence),
}

pub struct Run {
    pub calls: u64,
    /// Exports taking a non-nullable reference, which the host cannot make.
    pub uncallable: u64,
    pub end: End,
}

/// What the host passes for a parameter of type `ty`, or `None` when it
/// cannot make one (a non-nullable reference, a continuation).
fn kind(ty: &ValType) -> Option<EmbValKind> {
    match ty {
        ValType::Ref(r) if r.is_nullable() => match r.heap_type().top() {
            HeapType::Func => Some(EmbValKind::FuncRef),
            HeapType::Extern => Some(EmbValKind::ExternRef),
            HeapType::Any => Some(EmbValKind::AnyRef),
            HeapType::Exn => Some(EmbValKind::ExnRef),
            _ => None,
        },
        ValType::Ref(_) => None,
        _ => values::numeric_kind(ty),
    }
}

/// Self-check: the embedding's results as a broken embedding would report
/// them (the low bit of the first integer flipped), to show the comparison
/// fails when it should.
fn plant(outcome: Outcome) -> Outcome {
    match outcome {
        Outcome::Values(mut v) => {
            match v.first_mut() {
                Some(Value::I32(x)) => *x ^= 1,
                Some(Value::I64(x)) => *x ^= 1,
                _ => {}
            }
            Outcome::Values(v)
        }
        other => other,
    }
}

fn diverged(step: String, embedded: impl ToString, stock: impl ToString) -> End {
    End::Divergent(Divergence {
        step,
        embedded: embedded.to_string(),
        stock: stock.to_string(),
    })
}

/// Runs `wasm` on both sides. `trace` receives a line per step (replay).
pub fn run(
    wasm: &[u8],
    embedded: &mut dyn Side,
    stock: &mut Stock,
    planted: bool,
    trace: &mut dyn FnMut(&str),
) -> Run {
    let mut result = Run {
        calls: 0,
        uncallable: 0,
        end: End::Agreed,
    };
    let (e, s) = (embedded.instantiate(wasm), stock.instantiate(wasm));
    trace(&format!("instantiate: embedding {e}; stock {s}"));
    match (&e, &s) {
        (Outcome::Values(_), Outcome::Values(_)) => {}
        // A start function that recursed out of stack (see `judge_call`).
        _ if stack_exhausted(&e, &s) => {
            result.end = End::StackExhausted;
            return result;
        }
        (_, Outcome::Invalid(m)) if e.agrees_with(&s) => {
            result.end = End::Invalid(m.clone());
            return result;
        }
        _ if e.agrees_with(&s) => {
            result.end = End::SkippedInstantiation;
            return result;
        }
        _ => {
            result.end = diverged("instantiate".into(), e, s);
            return result;
        }
    }
    let Some(module) = stock.module() else {
        result.end = diverged("instantiate".into(), e, "no module");
        return result;
    };
    let exports: Vec<(String, ExternType)> = module
        .exports()
        .map(|x| (x.name().to_string(), x.ty()))
        .collect();
    // Arguments come from the module's own bytes, so a reproducer's `.wasm`
    // is all a replay needs.
    let mut rng = Rng::from_bytes(wasm);
    for (name, ty) in &exports {
        let ExternType::Func(func) = ty else { continue };
        let Some(params) = func.params().map(|p| kind(&p)).collect::<Option<Vec<_>>>() else {
            result.uncallable += 1;
            continue;
        };
        for _ in 0..CALLS_PER_EXPORT {
            let args = generate::arguments(&mut rng, &params);
            let (mut e, s) = (embedded.call(name, &args), stock.call(name, &args));
            if planted {
                e.0 = plant(e.0);
            }
            result.calls += 1;
            let step = format!("call `{}` with {}", name.escape_debug(), show_values(&args));
            trace(&format!(
                "{step}: embedding {} (fuel left {}); stock {} (fuel left {})",
                e.0, e.1, s.0, s.1
            ));
            match judge_call(&e, &s) {
                Verdict::Same => {}
                Verdict::StackExhausted => {
                    result.end = End::StackExhausted;
                    return result;
                }
                Verdict::Divergent => {
                    result.end = diverged(
                        step,
                        format!("{} (fuel left {})", e.0, e.1),
                        format!("{} (fuel left {})", s.0, s.1),
                    );
                    return result;
                }
            }
        }
    }
    for (name, ty) in &exports {
        let (step, e, s) = match ty {
            ExternType::Global(_) => (
                format!("global `{}`", name.escape_debug()),
                embedded.global(name),
                stock.global(name),
            ),
            ExternType::Memory(m) => (
                format!("memory `{}` (hash)", name.escape_debug()),
                embedded.memory_hash(name, m.is_64()),
                stock.memory_hash(name, m.is_64()),
            ),
            _ => continue,
        };
        trace(&format!("{step}: embedding {e}; stock {s}"));
        if !e.agrees_with(&s) || !matches!(e, Outcome::Values(_)) {
            result.end = diverged(step, e, s);
            return result;
        }
    }
    result
}
