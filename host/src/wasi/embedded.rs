//! The embedding's WASI table (`EmbWasiApi`), wrapped for safe use.

use super::tree::{Entry, Tree};
use crate::embedding::{Embedding, Engine, Failure};
use anyhow::{Result, bail};
use embedding_abi::{
    EmbComponent, EmbFileEntry, EmbFileInfo, EmbFileKind, EmbProgram, EmbProgramState, EmbStr,
    EmbWasiApi, EmbWasiConfig,
};
use std::ffi::c_void;

/// What a program gets: `argv`, environment, preopened trees, fuel.
pub struct Setup<'a> {
    pub args: &'a [String],
    pub env: &'a [String],
    pub trees: &'a [Tree],
    pub fuel: u64,
    pub yield_interval: u64,
}

/// How a program ended.
pub enum Ending {
    Exited(i32),
    Failed(Failure),
}

fn api(emb: &Embedding) -> Result<&'static EmbWasiApi> {
    // SAFETY: the pointer is null or points at a static table.
    match unsafe { emb.api.wasi.as_ref() } {
        Some(api) => Ok(api),
        None => bail!(
            "this embedding was built without WASI (features `wasi`, `wasip1`): use the build in \
             out/<mode>-wasi/"
        ),
    }
}

fn emb_str(s: &str) -> EmbStr {
    EmbStr {
        ptr: s.as_ptr(),
        len: s.len(),
    }
}

pub struct Component<'a> {
    api: &'static EmbWasiApi,
    raw: *mut EmbComponent,
    _engine: std::marker::PhantomData<&'a Embedding>,
}

impl Drop for Component<'_> {
    fn drop(&mut self) {
        // SAFETY: made by `component_load`; programs hold their own reference.
        unsafe { (self.api.component_free)(self.raw) }
    }
}

pub struct Program<'a> {
    emb: &'a Embedding,
    api: &'static EmbWasiApi,
    raw: *mut EmbProgram,
}

impl Drop for Program<'_> {
    fn drop(&mut self) {
        // SAFETY: made by `program_new`.
        unsafe { (self.api.program_free)(self.raw) }
    }
}

impl Engine<'_> {
    pub fn load_component(&self, artifact: &[u8]) -> Result<Component<'_>> {
        let api = api(self.emb)?;
        let mut raw = std::ptr::null_mut();
        // SAFETY: pointer/length of a live slice; valid out-pointer.
        self.emb.check(unsafe {
            (api.component_load)(self.raw, artifact.as_ptr(), artifact.len(), &mut raw)
        })?;
        Ok(Component {
            api,
            raw,
            _engine: std::marker::PhantomData,
        })
    }

    pub fn program(&self, component: &Component<'_>, setup: &Setup<'_>) -> Result<Program<'_>> {
        self.new_program(setup, |api, config, raw| unsafe {
            (api.program_new)(self.raw, component.raw, config, raw)
        })
    }

    /// A preview 1 program from a core module, run by the embedding's own
    /// `wasi_snapshot_preview1` (`module_program_new`).
    pub fn module_program(
        &self,
        module: &crate::embedding::Module<'_>,
        setup: &Setup<'_>,
    ) -> Result<Program<'_>> {
        self.new_program(setup, |api, config, raw| unsafe {
            (api.module_program_new)(self.raw, module.raw(), config, raw)
        })
    }

    fn new_program(
        &self,
        setup: &Setup<'_>,
        create: impl FnOnce(
            &EmbWasiApi,
            &EmbWasiConfig,
            &mut *mut EmbProgram,
        ) -> *mut embedding_abi::EmbError,
    ) -> Result<Program<'_>> {
        let api = api(self.emb)?;
        let args: Vec<EmbStr> = setup.args.iter().map(|s| emb_str(s)).collect();
        let env: Vec<EmbStr> = setup.env.iter().map(|s| emb_str(s)).collect();
        let preopens: Vec<EmbStr> = setup.trees.iter().map(|t| emb_str(&t.guest)).collect();
        let mut files = Vec::new();
        for (index, tree) in setup.trees.iter().enumerate() {
            for entry in &tree.entries {
                let (kind, data): (EmbFileKind, &[u8]) = match (&entry.data, &entry.link) {
                    (_, Some(target)) => (EmbFileKind::Symlink, target.as_bytes()),
                    (Some(data), None) => (EmbFileKind::RegularFile, data),
                    (None, None) => (EmbFileKind::Directory, &[]),
                };
                files.push(EmbFileEntry {
                    preopen: index as u32,
                    path: emb_str(&entry.path),
                    kind,
                    data: data.as_ptr(),
                    data_len: data.len(),
                });
            }
        }
        let config = EmbWasiConfig {
            args: args.as_ptr(),
            nargs: args.len(),
            env: env.as_ptr(),
            nenv: env.len(),
            preopens: preopens.as_ptr(),
            npreopens: preopens.len(),
            files: files.as_ptr(),
            nfiles: files.len(),
            fuel: setup.fuel,
            yield_interval: setup.yield_interval,
        };
        let mut raw = std::ptr::null_mut();
        // SAFETY (of `create`): every pointer in `config` refers to live
        // data above; the embedding copies it all.
        self.emb.check(create(api, &config, &mut raw))?;
        Ok(Program {
            emb: self.emb,
            api,
            raw,
        })
    }
}

/// Runs programs to completion, interleaved on the embedding's executor.
pub fn run(programs: &mut [&mut Program<'_>]) -> Result<()> {
    let Some(first) = programs.first() else {
        return Ok(());
    };
    let (emb, api) = (first.emb, first.api);
    let raws: Vec<*mut EmbProgram> = programs.iter().map(|p| p.raw).collect();
    // SAFETY: live, distinct programs.
    emb.check(unsafe { (api.run)(raws.as_ptr(), raws.len()) })?;
    Ok(())
}

impl Program<'_> {
    pub fn ending(&self) -> Result<Ending> {
        let mut state = EmbProgramState::Ready;
        let mut code = 0;
        // SAFETY: live program, valid out-pointers.
        let result = self
            .emb
            .check(unsafe { (self.api.program_status)(self.raw, &mut state, &mut code) });
        match (state, result) {
            (EmbProgramState::Exited, Ok(())) => Ok(Ending::Exited(code)),
            (EmbProgramState::Failed, Err(failure)) => Ok(Ending::Failed(failure)),
            (EmbProgramState::Ready, _) => bail!("the program has not run"),
            (_, Err(failure)) => Err(failure.into()),
            (EmbProgramState::Failed, Ok(())) => bail!("the program failed without an error"),
        }
    }

    /// The program's file tree as it stands: one `Tree` per preopen.
    pub fn files(&self, guests: &[String]) -> Result<Vec<Tree>> {
        let mut trees: Vec<Tree> = guests
            .iter()
            .map(|g| Tree {
                guest: g.clone(),
                entries: Vec::new(),
            })
            .collect();
        unsafe extern "C" fn visit(
            env: *mut c_void,
            preopen: u32,
            path: *const u8,
            path_len: usize,
            info: *const EmbFileInfo,
        ) {
            // SAFETY: `env` is the `trees` vector below; the embedding
            // passes valid pointers for the call.
            let trees = unsafe { &mut *env.cast::<Vec<Tree>>() };
            let path = unsafe { std::slice::from_raw_parts(path, path_len) };
            let info = unsafe { &*info };
            let bytes = if info.data_len == 0 {
                Vec::new()
            } else {
                unsafe { std::slice::from_raw_parts(info.data, info.data_len) }.to_vec()
            };
            let (data, link) = match info.kind {
                EmbFileKind::Directory => (None, None),
                EmbFileKind::RegularFile => (Some(bytes), None),
                EmbFileKind::Symlink => (None, Some(String::from_utf8_lossy(&bytes).into_owned())),
            };
            if let Some(tree) = trees.get_mut(preopen as usize) {
                tree.entries.push(Entry {
                    path: String::from_utf8_lossy(path).into_owned(),
                    data,
                    link,
                    ino: info.ino,
                    times: Some((info.atime, info.mtime)),
                });
            }
        }
        // SAFETY: live program; `visit` matches `EmbFileVisitor`.
        self.emb.check(unsafe {
            (self.api.program_files)(self.raw, visit, (&mut trees as *mut Vec<Tree>).cast())
        })?;
        Ok(trees)
    }
}
