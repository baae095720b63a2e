//! Components and programs: loading, linking, running, and reading back.

use super::bindings::{Command, CommandPre, wasi};
use super::ctx::{Ctx, Exit};
use super::executor::{self, Task, Timers};
use super::fs::{Dir, File, Node};
use crate::engine;
use crate::errors::{self, non_null, status};
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ffi::c_void;
use embedding_abi::{
    EmbComponent, EmbEngine, EmbError, EmbFileKind, EmbFileVisitor, EmbProgram, EmbProgramState,
    EmbStr, EmbWasiConfig,
};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Engine, Store};

enum Outcome {
    Ready,
    Exited(i32),
    Failed(wasmtime::Error),
}

pub struct Program {
    store: Store<Ctx>,
    pre: CommandPre<Ctx>,
    outcome: Outcome,
}

pub unsafe extern "C" fn component_load(
    engine: *const EmbEngine,
    bytes: *const u8,
    len: usize,
    out: *mut *mut EmbComponent,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let engine = unsafe { engine::engine(engine)? };
        non_null("component_load: bytes", bytes)?;
        non_null("component_load: out", out)?;
        // SAFETY: the caller passes `len` readable bytes.
        let bytes = unsafe { core::slice::from_raw_parts(bytes, len) };
        let bytes = engine::open_artifact(embedding_abi::envelope::ArtifactKind::Component, bytes)?;
        // SAFETY: as for modules (`module_load`): the envelope matched;
        // Wasmtime checks the
        // artifact's header and configuration; its code is trusted.
        let component =
            unsafe { Component::deserialize(engine, bytes) }.map_err(errors::from_wasmtime)?;
        unsafe { *out = Box::into_raw(Box::new(component)).cast() };
        Ok(())
    })())
}

pub unsafe extern "C" fn component_free(component: *mut EmbComponent) {
    let _serial = crate::serial::enter();
    if !component.is_null() {
        // SAFETY: made by `component_load`.
        drop(unsafe { Box::from_raw(component.cast::<Component>()) });
    }
}

/// Every interface of `embedding/wit/world.wit`.
fn linker(engine: &Engine) -> wasmtime::Result<Linker<Ctx>> {
    type Data = HasSelf<Ctx>;
    let mut linker = Linker::new(engine);
    wasmtime_wasi_io::add_to_linker_async(&mut linker)?;
    wasi::cli::environment::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::exit::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::stdin::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::stdout::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::stderr::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::terminal_input::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::terminal_output::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::terminal_stdin::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::terminal_stdout::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::terminal_stderr::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::clocks::monotonic_clock::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::clocks::wall_clock::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::filesystem::types::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::filesystem::preopens::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::random::random::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::random::insecure::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::random::insecure_seed::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    Ok(linker)
}

unsafe fn strs(what: &str, ptr: *const EmbStr, n: usize) -> Result<Vec<String>, *mut EmbError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    non_null(what, ptr)?;
    // SAFETY: the caller passes `n` strings.
    let items = unsafe { core::slice::from_raw_parts(ptr, n) };
    items
        .iter()
        .map(|s| unsafe { errors::str_arg(what, s.ptr, s.len) }.map(String::from))
        .collect()
}

/// The preopened directories, with the files the host handed in.
unsafe fn tree(config: &EmbWasiConfig) -> Result<Vec<(String, Dir)>, *mut EmbError> {
    let paths = unsafe { strs("program_new: preopens", config.preopens, config.npreopens)? };
    let preopens: Vec<(String, Dir)> = paths.into_iter().map(|p| (p, Dir::new())).collect();
    if config.nfiles == 0 {
        return Ok(preopens);
    }
    non_null("program_new: files", config.files)?;
    // SAFETY: the caller passes `nfiles` entries.
    let files = unsafe { core::slice::from_raw_parts(config.files, config.nfiles) };
    for entry in files {
        let path =
            unsafe { errors::str_arg("program_new: file path", entry.path.ptr, entry.path.len)? };
        let (_, root) = preopens.get(entry.preopen as usize).ok_or_else(|| {
            errors::message(format!(
                "program_new: file `{path}` names preopen {} of {}",
                entry.preopen,
                preopens.len()
            ))
        })?;
        let bad = |why| errors::message(format!("program_new: file path `{path}`: {why}"));
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => (parent, name),
            None => ("", path),
        };
        if name.is_empty() || name == "." || name == ".." || path.starts_with('/') {
            return Err(bad("must be relative, without `.` or `..`"));
        }
        let dir = root
            .make_dirs(parent)
            .map_err(|_| bad("a parent is not a directory"))?;
        let node = match entry.kind {
            EmbFileKind::Directory => Node::Dir(Dir::new()),
            EmbFileKind::RegularFile => {
                let data = if entry.data_len == 0 {
                    Vec::new()
                } else {
                    non_null("program_new: file data", entry.data)?;
                    // SAFETY: the caller passes `data_len` bytes.
                    unsafe { core::slice::from_raw_parts(entry.data, entry.data_len) }.to_vec()
                };
                Node::File(File::new(data))
            }
        };
        let mut entries = dir.0.lock();
        if entries.contains_key(name) {
            return Err(bad("given twice"));
        }
        entries.insert(String::from(name), node);
    }
    Ok(preopens)
}

pub unsafe extern "C" fn program_new(
    engine: *const EmbEngine,
    component: *const EmbComponent,
    config: *const EmbWasiConfig,
    out: *mut *mut EmbProgram,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let engine = unsafe { engine::engine(engine)? };
        non_null("program_new: component", component)?;
        non_null("program_new: config", config)?;
        non_null("program_new: out", out)?;
        // SAFETY: made by `component_load` and not yet freed.
        let component = unsafe { &*component.cast::<Component>() };
        let config = unsafe { &*config };
        let args = unsafe { strs("program_new: args", config.args, config.nargs)? };
        let env = unsafe { strs("program_new: env", config.env, config.nenv)? }
            .into_iter()
            .map(|var| match var.split_once('=') {
                Some((k, v)) => Ok((String::from(k), String::from(v))),
                None => Err(errors::message(format!(
                    "program_new: environment entry `{var}` is not NAME=VALUE"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let preopens = unsafe { tree(config)? };

        // Linking happens here, before anything runs, so that a component
        // importing an interface this embedding lacks (sockets, http, ...)
        // is refused with Wasmtime's message naming that import.
        let linker = linker(engine).map_err(errors::from_wasmtime)?;
        let pre = linker
            .instantiate_pre(component)
            .and_then(CommandPre::new)
            .map_err(|e| {
                errors::from_wasmtime(e.context(
                    "the component needs an import this embedding's WASI does not provide \
                     (it has wasi:cli, wasi:clocks, wasi:filesystem, wasi:io and wasi:random)",
                ))
            })?;
        let ctx = Ctx {
            table: ResourceTable::new(),
            args,
            env,
            preopens,
            timers: Arc::new(Timers::default()),
        };
        let mut store = Store::try_new(engine, ctx).map_err(errors::from_wasmtime)?;
        store.set_fuel(config.fuel).map_err(errors::from_wasmtime)?;
        // Programs are bounded by fuel; the engine's epoch checks must not
        // stop them.
        crate::store::no_deadline(&mut store);
        if config.yield_interval > 0 {
            store
                .fuel_async_yield_interval(Some(config.yield_interval))
                .map_err(errors::from_wasmtime)?;
        }
        let program = Program {
            store,
            pre,
            outcome: Outcome::Ready,
        };
        unsafe { *out = Box::into_raw(Box::new(program)).cast() };
        Ok(())
    })())
}

pub unsafe extern "C" fn program_free(program: *mut EmbProgram) {
    let _serial = crate::serial::enter();
    if !program.is_null() {
        // SAFETY: made by `program_new`.
        drop(unsafe { Box::from_raw(program.cast::<Program>()) });
    }
}

/// Instantiates and runs one program, and records how it ended.
async fn run_one(program: &mut Program) {
    let result = async {
        let command: Command = program.pre.instantiate_async(&mut program.store).await?;
        command.wasi_cli_run().call_run(&mut program.store).await
    }
    .await;
    program.outcome = match result {
        Ok(Ok(())) => Outcome::Exited(0),
        Ok(Err(())) => Outcome::Exited(1),
        Err(e) => match e.downcast_ref::<Exit>() {
            Some(Exit(code)) => Outcome::Exited(*code),
            None => Outcome::Failed(e),
        },
    };
}

pub unsafe extern "C" fn run(programs: *const *mut EmbProgram, count: usize) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        non_null("run: programs", programs)?;
        // SAFETY: the caller passes `count` handles.
        let handles = unsafe { core::slice::from_raw_parts(programs, count) };
        let mut seen = Vec::with_capacity(count);
        let mut list: Vec<&mut Program> = Vec::with_capacity(count);
        for (i, &handle) in handles.iter().enumerate() {
            non_null("run: program", handle)?;
            if seen.contains(&handle) {
                return Err(errors::message(format!("run: program {i} is given twice")));
            }
            seen.push(handle);
            // SAFETY: made by `program_new`, not freed, distinct (checked).
            let program = unsafe { &mut *handle.cast::<Program>() };
            if !matches!(program.outcome, Outcome::Ready) {
                return Err(errors::message(format!(
                    "run: program {i} has already run; a program runs once"
                )));
            }
            list.push(program);
        }
        let timers: Vec<Arc<Timers>> = list.iter().map(|p| p.store.data().timers.clone()).collect();
        let stuck = {
            let tasks: Vec<(Task<'_>, Arc<Timers>)> = list
                .iter_mut()
                .zip(timers)
                .map(|(p, t)| (Box::pin(run_one(p)) as Task<'_>, t))
                .collect();
            executor::run_all(tasks)
        };
        for i in stuck {
            list[i].outcome = Outcome::Failed(wasmtime::format_err!(
                "the program waits for something that can never happen: no clock \
                 deadline and no other program to run"
            ));
        }
        Ok(())
    })())
}

pub unsafe extern "C" fn program_status(
    program: *const EmbProgram,
    state: *mut EmbProgramState,
    exit_code: *mut i32,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    let check = (|| {
        non_null("program_status: program", program)?;
        non_null("program_status: state", state)?;
        non_null("program_status: exit_code", exit_code)?;
        Ok(())
    })();
    if let Err(e) = check {
        return e;
    }
    // SAFETY: checked non-null; made by `program_new`.
    let program = unsafe { &*program.cast::<Program>() };
    let (s, code, error) = match &program.outcome {
        Outcome::Ready => (EmbProgramState::Ready, 0, None),
        Outcome::Exited(code) => (EmbProgramState::Exited, *code, None),
        Outcome::Failed(e) => (EmbProgramState::Failed, 0, Some(e)),
    };
    unsafe {
        *state = s;
        *exit_code = code;
    }
    match error {
        Some(e) => errors::from_wasmtime_ref(e),
        None => core::ptr::null_mut(),
    }
}

pub unsafe extern "C" fn program_files(
    program: *const EmbProgram,
    visit: EmbFileVisitor,
    env: *mut c_void,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        non_null("program_files: program", program)?;
        // SAFETY: made by `program_new`.
        let program = unsafe { &*program.cast::<Program>() };
        for (index, (_, root)) in program.store.data().preopens.iter().enumerate() {
            root.walk("", &mut |path, node| {
                let (kind, data) = match node {
                    Node::Dir(_) => (EmbFileKind::Directory, Vec::new()),
                    Node::File(f) => (EmbFileKind::RegularFile, f.0.lock().clone()),
                };
                // SAFETY: the visitor is the caller's; the pointers are
                // valid for the call.
                unsafe {
                    visit(
                        env,
                        index as u32,
                        path.as_ptr(),
                        path.len(),
                        kind,
                        data.as_ptr(),
                        data.len(),
                    )
                };
            });
        }
        Ok(())
    })())
}
