//! Runs one `.wast` script against a [`Backend`], directive by directive.
//!
//! The same code drives the embedding and the stock-Wasmtime reference, so
//! any difference in outcome comes from the side that ran it, not from how
//! the outcome was judged.

use super::expect;
use crate::embedding::Failure;
use crate::values::Value;
use std::collections::HashMap;
use wast::core::WastRetCore;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, QuoteWatTest, Wast, WastArg, WastDirective, WastExecute, WastRet, Wat};

/// Fuel for each top-level call or instantiation: unlimited. Wasmtime charges
/// bulk operations (`memory.fill`, `table.copy`, ...) by their length, and
/// the testsuite's out-of-bounds cases ask for up to 2^64 elements, which
/// must trap as out of bounds, not run out of fuel. A runaway script is
/// stopped by the per-script time limit instead.
pub const FUEL_PER_DIRECTIVE: u64 = u64::MAX;

/// What a side must do for the runner.
pub trait Backend {
    /// Compiles (or precompiles and loads) a binary module; returns a handle.
    fn compile(&mut self, wasm: &[u8]) -> Result<usize, Failure>;
    /// Only checks that a module compiles (for `assert_invalid`/`malformed`).
    fn validate(&mut self, wasm: &[u8]) -> Result<(), Failure>;
    fn instantiate(&mut self, module: usize, fuel: u64) -> Result<u32, Failure>;
    fn register(&mut self, instance: u32, name: &str) -> Result<(), Failure>;
    fn invoke(
        &mut self,
        instance: u32,
        name: &str,
        args: &[Value],
        fuel: u64,
    ) -> Result<Vec<Value>, Failure>;
    fn get(&mut self, instance: u32, name: &str) -> Result<Value, Failure>;
}

/// Whether a directive exercises the platform (`Run`) or only the host's
/// compiler (`Compile`: `assert_invalid`, `assert_malformed`); the two are
/// counted separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Run,
    Compile,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Run => "run",
            Class::Compile => "compile",
        }
    }
}

/// Reports each directive's outcome as it completes, so that a crash later
/// in the script cannot lose what was already established.
pub trait Sink {
    fn directive(&mut self, line: usize, class: Class, outcome: Result<(), String>);
    fn skip(&mut self, reason: &str);
}

/// The spectest module every script may import from. Both sides instantiate
/// this same module, so their imports are identical.
const SPECTEST: &str = r#"(module
  (global (export "global_i32") i32 (i32.const 666))
  (global (export "global_i64") i64 (i64.const 666))
  (global (export "global_f32") f32 (f32.const 666.6))
  (global (export "global_f64") f64 (f64.const 666.6))
  (table (export "table") 10 20 funcref)
  (table (export "table64") i64 10 20 funcref)
  (memory (export "memory") 1 2)
  (func (export "print"))
  (func (export "print_i32") (param i32))
  (func (export "print_i64") (param i64))
  (func (export "print_f32") (param f32))
  (func (export "print_f64") (param f64))
  (func (export "print_i32_f32") (param i32 f32))
  (func (export "print_f64_f64") (param f64 f64)))"#;

struct Runner<'b, B: Backend> {
    backend: &'b mut B,
    source: &'b str,
    /// Named module definitions, `(module definition $m ...)`.
    definitions: HashMap<String, usize>,
    instances: HashMap<String, u32>,
    last: Option<u32>,
}

/// Runs a whole script. Returns `Err` only when the script cannot be run at
/// all (unreadable, unparsable, or the spectest module failed).
pub fn run<B: Backend>(
    backend: &mut B,
    path: &str,
    source: &str,
    sink: &mut dyn Sink,
) -> Result<(), String> {
    if let Some(reason) = needs_unsupported(source) {
        sink.skip(&reason);
        return Ok(());
    }
    let spectest = wat::parse_str(SPECTEST).map_err(|e| e.to_string())?;
    let module = backend
        .compile(&spectest)
        .map_err(|e| format!("spectest module: {e}"))?;
    let instance = backend
        .instantiate(module, FUEL_PER_DIRECTIVE)
        .map_err(|e| format!("spectest module: {e}"))?;
    backend
        .register(instance, "spectest")
        .map_err(|e| format!("spectest module: {e}"))?;

    // `names.wast` tests exports named with bidirectional-override and other
    // look-alike characters on purpose; the lexer refuses them by default.
    let mut lexer = wast::lexer::Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    let buf = ParseBuffer::new_with_lexer(lexer).map_err(|e| describe(e, path, source))?;
    let wast: Wast<'_> = parser::parse(&buf).map_err(|e| describe(e, path, source))?;
    let mut runner = Runner {
        backend,
        source,
        definitions: HashMap::new(),
        instances: HashMap::new(),
        last: None,
    };
    for directive in wast.directives {
        let line = runner.line(directive.span());
        let (class, outcome) = runner.directive(directive);
        sink.directive(line, class, outcome);
    }
    Ok(())
}

fn describe(mut e: wast::Error, path: &str, source: &str) -> String {
    e.set_path(path.as_ref());
    e.set_text(source);
    e.to_string()
}

/// Scripts using proposals outside what the embedding enables. Found from
/// the script's text, before anything runs, so the reason is exact.
fn needs_unsupported(source: &str) -> Option<String> {
    let checks: &[(&str, &str)] = &[
        ("(thread ", "threads (needs shared memory, which needs std)"),
        (
            "shared)",
            "shared-everything threads (not in Wasmtime's no_std build)",
        ),
        (
            "(component",
            "the component model (not enabled in the embedding)",
        ),
        (
            "assert_suspension",
            "stack switching (not supported by Wasmtime without std)",
        ),
        ("(pagesize ", "custom page sizes (not enabled)"),
    ];
    checks
        .iter()
        .find(|(needle, _)| source.contains(needle))
        .map(|(_, reason)| reason.to_string())
}

impl<B: Backend> Runner<'_, B> {
    fn line(&self, span: wast::token::Span) -> usize {
        span.linecol_in(self.source).0 + 1
    }

    fn directive(&mut self, directive: WastDirective<'_>) -> (Class, Result<(), String>) {
        use WastDirective as D;
        match directive {
            D::Module(module) => (Class::Run, self.module(module, false)),
            D::ModuleDefinition(module) => (Class::Run, self.module(module, true)),
            D::ModuleInstance {
                instance, module, ..
            } => (Class::Run, self.module_instance(instance, module)),
            D::Register { name, module, .. } => (
                Class::Run,
                self.instance(module.map(|m| m.name()))
                    .and_then(|i| self.backend.register(i, name).map_err(|e| e.to_string())),
            ),
            D::Invoke(invoke) => (
                Class::Run,
                self.invoke(&invoke).map(|_| ()).map_err(|e| e.to_string()),
            ),
            D::AssertReturn { exec, results, .. } => {
                (Class::Run, self.assert_return(exec, &results))
            }
            D::AssertTrap { exec, message, .. } => (Class::Run, self.assert_trap(exec, message)),
            D::AssertExhaustion { call, message, .. } => (
                Class::Run,
                expect::trap(self.invoke(&call).map(|_| ()), message),
            ),
            D::AssertException { exec, .. } => (Class::Run, self.assert_exception(exec)),
            D::AssertUnlinkable {
                module, message, ..
            } => (Class::Run, self.assert_unlinkable(module, message)),
            D::AssertInvalid {
                module, message, ..
            } => (Class::Compile, self.assert_rejected(module, message)),
            D::AssertMalformed {
                module, message, ..
            } => (Class::Compile, self.assert_malformed(module, message)),
            D::AssertInvalidCustom { .. } | D::AssertMalformedCustom { .. } => {
                // Custom-section diagnostics are warnings in Wasmtime, which
                // accepts such modules: nothing here can fail either way.
                (Class::Compile, Ok(()))
            }
            other => (Class::Run, Err(format!("unsupported directive {other:?}"))),
        }
    }

    fn instance(&self, name: Option<&str>) -> Result<u32, String> {
        match name {
            Some(name) => self
                .instances
                .get(name)
                .copied()
                .ok_or_else(|| format!("no instance named ${name}")),
            None => self
                .last
                .ok_or_else(|| "no module instantiated yet".to_string()),
        }
    }

    fn encode(module: &mut QuoteWat<'_>) -> Result<Vec<u8>, String> {
        module
            .encode()
            .map_err(|e| format!("cannot encode module: {e}"))
    }

    fn compile_and_instantiate(&mut self, wasm: &[u8]) -> Result<u32, Failure> {
        let module = self.backend.compile(wasm)?;
        self.backend.instantiate(module, FUEL_PER_DIRECTIVE)
    }

    fn module(&mut self, mut module: QuoteWat<'_>, definition_only: bool) -> Result<(), String> {
        let name = module.name().map(|id| id.name().to_string());
        let wasm = Self::encode(&mut module)?;
        if definition_only {
            let handle = self.backend.compile(&wasm).map_err(|e| e.to_string())?;
            if let Some(name) = name {
                self.definitions.insert(name, handle);
            }
            return Ok(());
        }
        let instance = self
            .compile_and_instantiate(&wasm)
            .map_err(|e| e.to_string())?;
        self.last = Some(instance);
        if let Some(name) = name {
            self.instances.insert(name, instance);
        }
        Ok(())
    }

    fn module_instance(
        &mut self,
        instance: Option<wast::token::Id<'_>>,
        module: Option<wast::token::Id<'_>>,
    ) -> Result<(), String> {
        let module = module.ok_or("`module instance` without a module name")?;
        let handle = *self
            .definitions
            .get(module.name())
            .ok_or_else(|| format!("no module definition ${}", module.name()))?;
        let index = self
            .backend
            .instantiate(handle, FUEL_PER_DIRECTIVE)
            .map_err(|e| e.to_string())?;
        self.last = Some(index);
        if let Some(name) = instance {
            self.instances.insert(name.name().to_string(), index);
        }
        Ok(())
    }

    fn invoke(&mut self, invoke: &wast::WastInvoke<'_>) -> Result<Vec<Value>, Failure> {
        let instance = self
            .instance(invoke.module.map(|m| m.name()))
            .map_err(Failure::host)?;
        let args = invoke
            .args
            .iter()
            .map(|a| match a {
                WastArg::Core(core) => expect::arg(core),
                other => Err(format!("unsupported argument {other:?}")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(Failure::host)?;
        self.backend
            .invoke(instance, invoke.name, &args, FUEL_PER_DIRECTIVE)
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Vec<Value>, Failure> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Get { module, global, .. } => {
                let instance = self
                    .instance(module.map(|m| m.name()))
                    .map_err(Failure::host)?;
                Ok(vec![self.backend.get(instance, global)?])
            }
            WastExecute::Wat(mut wat) => {
                let wasm = wat.encode().map_err(Failure::host)?;
                self.compile_and_instantiate(&wasm).map(|_| Vec::new())
            }
        }
    }

    fn assert_return(
        &mut self,
        exec: WastExecute<'_>,
        expected: &[WastRet<'_>],
    ) -> Result<(), String> {
        let actual = self
            .execute(exec)
            .map_err(|e| format!("expected a return, got {e}"))?;
        let expected = expected
            .iter()
            .map(|r| match r {
                WastRet::Core(core) => Ok(core),
                other => Err(format!("unsupported result {other:?}")),
            })
            .collect::<Result<Vec<&WastRetCore<'_>>, _>>()?;
        expect::results(&actual, &expected)
    }

    fn assert_trap(&mut self, exec: WastExecute<'_>, message: &str) -> Result<(), String> {
        expect::trap(self.execute(exec).map(|_| ()), message)
    }

    fn assert_exception(&mut self, exec: WastExecute<'_>) -> Result<(), String> {
        match self.execute(exec) {
            Ok(v) => Err(format!("expected an uncaught exception, got {v:?}")),
            Err(e) if e.is_exception() => Ok(()),
            Err(e) => Err(format!("expected an uncaught exception, got {e}")),
        }
    }

    fn assert_unlinkable(&mut self, mut module: Wat<'_>, message: &str) -> Result<(), String> {
        let wasm = module.encode().map_err(|e| e.to_string())?;
        match self.compile_and_instantiate(&wasm) {
            Ok(_) => Err(format!(
                "expected a link error ({message}), but it instantiated"
            )),
            Err(e) if e.trap.is_some() => {
                Err(format!("expected a link error ({message}), got {e}"))
            }
            Err(_) => Ok(()),
        }
    }

    /// `assert_invalid`: the module must fail to validate/compile.
    fn assert_rejected(&mut self, mut module: QuoteWat<'_>, message: &str) -> Result<(), String> {
        let wasm = match module.encode() {
            Ok(wasm) => wasm,
            // Invalid text that cannot even be encoded is rejected too.
            Err(_) => return Ok(()),
        };
        match self.backend.validate(&wasm) {
            Ok(()) => Err(format!("expected invalid ({message}), but it compiled")),
            Err(_) => Ok(()),
        }
    }

    /// `assert_malformed`: text that must not parse, or a binary that must
    /// not decode.
    fn assert_malformed(&mut self, mut module: QuoteWat<'_>, message: &str) -> Result<(), String> {
        let wasm = match module.to_test() {
            Ok(QuoteWatTest::Binary(bytes)) => bytes,
            Ok(QuoteWatTest::Text(text)) => {
                let Ok(text) = std::str::from_utf8(&text) else {
                    return Ok(());
                };
                match wat::parse_str(text) {
                    Ok(wasm) => wasm,
                    Err(_) => return Ok(()),
                }
            }
            Err(_) => return Ok(()),
        };
        match self.backend.validate(&wasm) {
            Ok(()) => Err(format!("expected malformed ({message}), but it compiled")),
            Err(_) => Ok(()),
        }
    }
}
