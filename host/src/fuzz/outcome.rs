//! What one step of a differential run produced on one side, and when two
//! such outcomes count as the same.

use crate::values::Value;
use std::fmt;
use wasmtime::Trap;

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Returned normally with these values (none for an instantiation).
    Values(Vec<Value>),
    /// Trapped, with Wasmtime's trap code (`None`: a trap without one).
    Trap(Option<Trap>),
    /// An uncaught WebAssembly exception.
    Exception,
    /// Any other failure (a link error, a refused argument ...). Compared
    /// by class only: the two sides word their messages differently.
    Error(String),
    /// The module did not compile (wasm-smith produced something this
    /// Wasmtime does not accept).
    Invalid(String),
}

impl Outcome {
    /// Same class and, for values and traps, same contents. Floats are bit
    /// patterns, so NaN payloads and signed zeros count.
    pub fn agrees_with(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Values(a), Outcome::Values(b)) => a == b,
            (Outcome::Trap(a), Outcome::Trap(b)) => a == b,
            (Outcome::Exception, Outcome::Exception)
            | (Outcome::Error(_), Outcome::Error(_))
            | (Outcome::Invalid(_), Outcome::Invalid(_)) => true,
            _ => false,
        }
    }

    fn is_trap(&self, code: Trap) -> bool {
        *self == Outcome::Trap(Some(code))
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Values(v) => write!(f, "returned {}", show_values(v)),
            Outcome::Trap(Some(code)) => write!(f, "trap {code:?}"),
            Outcome::Trap(None) => f.write_str("trap without a code"),
            Outcome::Exception => f.write_str("uncaught exception"),
            Outcome::Error(m) => write!(f, "error: {}", m.replace('\n', " | ")),
            Outcome::Invalid(m) => write!(f, "invalid module: {}", m.replace('\n', " | ")),
        }
    }
}

/// Values as the reproducer prints them: integers in decimal, floats and
/// vectors as their bits.
pub fn show_values(values: &[Value]) -> String {
    let items: Vec<String> = values
        .iter()
        .map(|v| match v {
            Value::I32(x) => format!("i32:{x}"),
            Value::I64(x) => format!("i64:{x}"),
            Value::F32(b) => format!("f32:{b:#010x}"),
            Value::F64(b) => format!("f64:{b:#018x}"),
            Value::V128(b) => format!("v128:{b:#034x}"),
            Value::Ref(kind, None) => format!("{kind:?}:null"),
            Value::Ref(kind, Some(target)) => format!("{kind:?}:{target:?}"),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// The judgement of one call.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    Same,
    /// The call ran out of stack on at least one side and out of stack or
    /// fuel on the other. Frame sizes differ between Pulley and native
    /// code, and between CPU feature sets, so the depth at which
    /// `max_wasm_stack` is reached differs too; what the call wrote before
    /// that point differs with it, so the module's later state is not
    /// comparable and its run ends here.
    StackExhausted,
    Divergent,
}

/// Whether one side ran out of stack and the other out of stack or fuel
/// (see [`Verdict::StackExhausted`]).
pub fn stack_exhausted(a: &Outcome, b: &Outcome) -> bool {
    let exhausted = |o: &Outcome| o.is_trap(Trap::StackOverflow) || o.is_trap(Trap::OutOfFuel);
    (a.is_trap(Trap::StackOverflow) || b.is_trap(Trap::StackOverflow))
        && exhausted(a)
        && exhausted(b)
}

/// Compares one call: outcome and, unless the stack ran out, the fuel left
/// (fuel is charged per WebAssembly operator by the shared translator, so
/// Pulley and native code burn exactly the same amount).
pub fn judge_call(embedded: &(Outcome, u64), stock: &(Outcome, u64)) -> Verdict {
    let ((a, fuel_a), (b, fuel_b)) = (embedded, stock);
    if stack_exhausted(a, b) {
        return Verdict::StackExhausted;
    }
    if a.agrees_with(b) && fuel_a == fuel_b {
        Verdict::Same
    } else {
        Verdict::Divergent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(v: Vec<Value>, fuel: u64) -> (Outcome, u64) {
        (Outcome::Values(v), fuel)
    }

    fn trap(code: Trap, fuel: u64) -> (Outcome, u64) {
        (Outcome::Trap(Some(code)), fuel)
    }

    #[test]
    fn equal_results_and_fuel_agree() {
        let a = ok(vec![Value::I32(7), Value::f64(1.5)], 10);
        assert_eq!(judge_call(&a, &a.clone()), Verdict::Same);
    }

    #[test]
    fn a_planted_difference_is_caught() {
        let a = ok(vec![Value::I32(7)], 10);
        assert_eq!(
            judge_call(&a, &ok(vec![Value::I32(6)], 10)),
            Verdict::Divergent
        );
        assert_eq!(
            judge_call(&a, &ok(vec![Value::I32(7)], 11)),
            Verdict::Divergent
        );
        assert_eq!(judge_call(&a, &ok(vec![], 10)), Verdict::Divergent);
    }

    #[test]
    fn nan_payloads_and_zero_signs_count() {
        let canonical = ok(vec![Value::F32(0x7fc0_0000)], 1);
        let other = ok(vec![Value::F32(0x7fc0_0001)], 1);
        assert_eq!(judge_call(&canonical, &other), Verdict::Divergent);
        let zero = ok(vec![Value::f64(0.0)], 1);
        let negative = ok(vec![Value::f64(-0.0)], 1);
        assert_eq!(judge_call(&zero, &negative), Verdict::Divergent);
    }

    #[test]
    fn traps_compare_by_code_not_message() {
        let a = trap(Trap::IntegerDivisionByZero, 3);
        assert_eq!(judge_call(&a, &a.clone()), Verdict::Same);
        assert_eq!(
            judge_call(&a, &trap(Trap::IntegerOverflow, 3)),
            Verdict::Divergent
        );
        assert_eq!(judge_call(&a, &ok(vec![], 3)), Verdict::Divergent);
        let e1 = (Outcome::Error("one wording".into()), 0);
        let e2 = (Outcome::Error("another".into()), 0);
        assert_eq!(judge_call(&e1, &e2), Verdict::Same);
        assert_eq!(
            judge_call(&(Outcome::Exception, 0), &e1),
            Verdict::Divergent
        );
    }

    #[test]
    fn stack_exhaustion_is_classified_not_ignored() {
        let overflow = trap(Trap::StackOverflow, 5);
        assert_eq!(
            judge_call(&overflow, &trap(Trap::StackOverflow, 9)),
            Verdict::StackExhausted
        );
        assert_eq!(
            judge_call(&overflow, &trap(Trap::OutOfFuel, 0)),
            Verdict::StackExhausted
        );
        // Any other outcome beside a stack overflow is a divergence.
        assert_eq!(judge_call(&overflow, &ok(vec![], 5)), Verdict::Divergent);
        assert_eq!(
            judge_call(&trap(Trap::MemoryOutOfBounds, 5), &overflow),
            Verdict::Divergent
        );
        // Two out-of-fuel traps are compared as usual, fuel included.
        assert_eq!(
            judge_call(&trap(Trap::OutOfFuel, 0), &trap(Trap::OutOfFuel, 0)),
            Verdict::Same
        );
    }
}
