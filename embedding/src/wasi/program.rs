//! Programs of either face: what the host holds between `*_program_new`
//! and `program_free`, running them, and reading back how they ended and
//! their files.

use super::state::fs::{Dir, Node};
use crate::errors::{self, non_null, status};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_void;
use embedding_abi::{EmbError, EmbFileKind, EmbFileVisitor, EmbProgram, EmbProgramState};

pub enum Outcome {
    Ready,
    Exited(i32),
    Failed(wasmtime::Error),
}

/// The face a program runs on.
pub enum Face {
    #[cfg(feature = "wasip1")]
    P1(super::p1::program::P1Program),
    #[cfg(feature = "wasi")]
    P2(super::p2::component::P2Program),
}

pub struct Program {
    pub face: Face,
    pub outcome: Outcome,
}

impl Program {
    pub fn new(face: Face) -> Program {
        Program {
            face,
            outcome: Outcome::Ready,
        }
    }

    fn preopens(&self) -> &[(String, Dir)] {
        match &self.face {
            #[cfg(feature = "wasip1")]
            Face::P1(p) => &p.store.data().state.preopens,
            #[cfg(feature = "wasi")]
            Face::P2(p) => &p.store.data().state.preopens,
        }
    }
}

pub unsafe extern "C" fn program_free(program: *mut EmbProgram) {
    let _serial = crate::serial::enter();
    if !program.is_null() {
        // SAFETY: made by `program_new` or `module_program_new`.
        drop(unsafe { alloc::boxed::Box::from_raw(program.cast::<Program>()) });
    }
}

/// Preview 1 programs have no fibers to interleave on: they run one after
/// another, each to its end, in the order given, and then the WASI 0.2
/// programs run interleaved on the executor.
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
            // SAFETY: made by a `*program_new`, not freed, distinct (checked).
            let program = unsafe { &mut *handle.cast::<Program>() };
            if !matches!(program.outcome, Outcome::Ready) {
                return Err(errors::message(format!(
                    "run: program {i} has already run; a program runs once"
                )));
            }
            list.push(program);
        }
        #[cfg(feature = "wasi")]
        let mut components = Vec::new();
        for program in list {
            match &mut program.face {
                #[cfg(feature = "wasip1")]
                Face::P1(p) => program.outcome = p.run(),
                #[cfg(feature = "wasi")]
                Face::P2(_) => components.push(program),
            }
        }
        #[cfg(feature = "wasi")]
        super::p2::component::run_all(components);
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
    // SAFETY: checked non-null; made by a `*program_new`.
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
        // SAFETY: made by a `*program_new`.
        let program = unsafe { &*program.cast::<Program>() };
        for (index, (_, root)) in program.preopens().iter().enumerate() {
            root.walk("", &mut |path, node| {
                let (kind, data) = match node {
                    Node::Dir(_) => (EmbFileKind::Directory, Vec::new()),
                    Node::File(f) => (EmbFileKind::RegularFile, f.0.lock().data.clone()),
                    Node::Symlink(l) => {
                        (EmbFileKind::Symlink, l.0.lock().target.clone().into_bytes())
                    }
                };
                let stat = node.stat();
                let entry = embedding_abi::EmbFileInfo {
                    kind,
                    data: data.as_ptr(),
                    data_len: data.len(),
                    ino: stat.ino,
                    atime: stat.atime,
                    mtime: stat.mtime,
                };
                // SAFETY: the visitor is the caller's; the pointers are
                // valid for the call.
                unsafe { visit(env, index as u32, path.as_ptr(), path.len(), &entry) };
            });
        }
        Ok(())
    })())
}
