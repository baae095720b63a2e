//! The embedding on another architecture, run under qemu-user: modules are
//! precompiled here for that arch's `-unknown-none` target and loaded and
//! run by `cross/serve.c` on the other end of a pipe (its header describes
//! the protocol). Only loading and execution happen on the target; parsing
//! the script and judging the results stay here, so they are the same code
//! as for the x86_64 embedding.

use super::backends::validate_for_embedding;
use super::script::Backend;
use crate::artifacts::Compiler;
use crate::embedding::Failure;
use crate::values::Value;
use anyhow::{Context, Result, bail, ensure};
use embedding_abi::modes::Arch;
use embedding_abi::{EmbErrorKind, EmbMode, EmbVal};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use wasmtime::Trap;

/// Room for results, as for the x86_64 embedding.
const RESULTS_CAP: u32 = 1024;

/// An arch this backend can run, as paths and output lines name it.
pub fn arch_name(arch: Arch) -> Result<&'static str> {
    Ok(match arch {
        Arch::Riscv64 => "riscv64",
        Arch::Aarch64 => "aarch64",
        Arch::X86_64 => bail!("x86_64 runs in this process; --arch is for aarch64 and riscv64"),
        Arch::Riscv32 | Arch::Thumbv7em => {
            bail!("{arch:?} has no loader host (no epochs without 64-bit atomics); see ports/mcu")
        }
    })
}

/// The arch an output label (`riscv64/vm`) names.
pub fn parse_arch(name: &str) -> Result<Arch> {
    Ok(match name {
        "riscv64" => Arch::Riscv64,
        "aarch64" => Arch::Aarch64,
        other => bail!("unknown arch `{other}` (expected aarch64 or riscv64)"),
    })
}

/// The GNU triple whose sysroot qemu-user needs for the loader's libc.
fn gnu_triple(arch: &str) -> String {
    format!("{arch}-linux-gnu")
}

/// Where cross/build.sh puts an arch's mode: `<out>/<arch>/<mode>/`.
pub fn mode_dir(out: &Path, arch: &str, mode: EmbMode) -> PathBuf {
    out.join(arch).join(crate::mode_name(mode))
}

pub struct Remote {
    compiler: Compiler,
    child: Child,
    to: BufWriter<ChildStdin>,
    from: BufReader<ChildStdout>,
    /// Why the other end stopped answering, once it has.
    dead: Option<String>,
}

impl Remote {
    /// Starts `serve` for `mode` on `arch` under qemu-user.
    pub fn start(out: &Path, arch: Arch, mode: EmbMode) -> Result<Remote> {
        let name = arch_name(arch)?;
        let dir = mode_dir(out, name, mode);
        let serve = out.join(name).join("serve");
        for file in [&serve, &dir.join("libembedding.so")] {
            ensure!(
                file.is_file(),
                "{} does not exist (build it with ./build.sh --arch {name})",
                file.display()
            );
        }
        let mut child = Command::new(format!("qemu-{name}"))
            .env("QEMU_LD_PREFIX", format!("/usr/{}", gnu_triple(name)))
            .arg(&serve)
            .arg(dir.join("libwasmtime-platform.so"))
            .arg(dir.join("libembedding.so"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start qemu-{name} (Debian: qemu-user)"))?;
        let to = BufWriter::new(child.stdin.take().expect("piped"));
        let mut from = BufReader::new(child.stdout.take().expect("piped"));
        let mut greeting = [0u8; 16];
        from.read_exact(&mut greeting)
            .with_context(|| format!("{} did not start", serve.display()))?;
        ensure!(
            &greeting[..8] == b"EMBSERVE",
            "{} is not the loader",
            serve.display()
        );
        let val_size = u32::from_le_bytes(greeting[8..12].try_into().expect("4 bytes"));
        ensure!(
            val_size as usize == size_of::<EmbVal>(),
            "EmbVal is {val_size} bytes on {name} and {} here",
            size_of::<EmbVal>()
        );
        let served = u32::from_le_bytes(greeting[12..16].try_into().expect("4 bytes"));
        ensure!(
            served == mode as u32,
            "{} was built for another mode than {}",
            dir.display(),
            crate::mode_name(mode)
        );
        Ok(Remote {
            compiler: Compiler::for_arch(mode, arch)?,
            child,
            to,
            from,
            dead: None,
        })
    }

    /// Sends one request and reads the status of its answer: Ok if the
    /// result follows, the embedding's error otherwise.
    fn request(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        if let Some(why) = &self.dead {
            return Err(gone(why));
        }
        match self.exchange(bytes) {
            Ok(None) => Ok(()),
            Ok(Some(failure)) => Err(failure),
            Err(e) => Err(self.died(e)),
        }
    }

    fn exchange(&mut self, bytes: &[u8]) -> std::io::Result<Option<Failure>> {
        self.to.write_all(bytes)?;
        self.to.flush()?;
        if self.read_u8()? == 0 {
            return Ok(None);
        }
        let kind = match self.read_u32()? {
            0 => EmbErrorKind::Error,
            _ => EmbErrorKind::Trap,
        };
        let trap_code = self.read_u8()?;
        let len = self.read_u32()? as usize;
        let mut message = vec![0; len];
        self.from.read_exact(&mut message)?;
        Ok(Some(Failure {
            kind,
            trap: match kind {
                EmbErrorKind::Trap => Trap::from_u8(trap_code),
                EmbErrorKind::Error => None,
            },
            message: String::from_utf8_lossy(&message).into_owned(),
        }))
    }

    /// The loader stopped answering: say how it ended.
    fn died(&mut self, e: std::io::Error) -> Failure {
        let _ = self.child.kill();
        let how = match self.child.wait() {
            Ok(status) if status.code() == Some(crate::EXIT_EMBEDDING_PANICKED) => {
                "the embedding panicked".to_string()
            }
            Ok(status) => format!("the loader ended ({status}; {e})"),
            Err(_) => format!("the loader stopped answering ({e})"),
        };
        self.dead = Some(how.clone());
        gone(&how)
    }

    fn read_u8(&mut self) -> std::io::Result<u8> {
        let mut b = [0u8; 1];
        self.from.read_exact(&mut b)?;
        Ok(b[0])
    }

    fn read_u32(&mut self) -> std::io::Result<u32> {
        let mut b = [0u8; 4];
        self.from.read_exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn read_result<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> std::io::Result<T>,
    ) -> Result<T, Failure> {
        f(self).map_err(|e| self.died(e))
    }

    fn read_val(&mut self) -> std::io::Result<EmbVal> {
        let mut bytes = [0u8; size_of::<EmbVal>()];
        self.from.read_exact(&mut bytes)?;
        // SAFETY: the loader sent the bytes of an EmbVal with the same
        // layout (size checked in the greeting; both ends are 64-bit
        // little-endian), written by the embedding itself.
        Ok(unsafe { std::ptr::read_unaligned(bytes.as_ptr().cast::<EmbVal>()) })
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn gone(why: &str) -> Failure {
    Failure::host(format_args!("not run: {why}"))
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

fn val_bytes(v: &EmbVal) -> &[u8] {
    // SAFETY: any initialised value may be viewed as its bytes.
    unsafe { std::slice::from_raw_parts((v as *const EmbVal).cast::<u8>(), size_of::<EmbVal>()) }
}

impl Backend for Remote {
    fn compile(&mut self, wasm: &[u8]) -> Result<usize, Failure> {
        let artifact = self.compiler.precompile(wasm).map_err(Failure::host)?;
        let mut req = vec![b'L'];
        req.extend_from_slice(&(artifact.len() as u64).to_le_bytes());
        req.extend_from_slice(&artifact);
        self.request(&req)?;
        Ok(self.read_result(Self::read_u32)? as usize)
    }

    fn validate(&mut self, wasm: &[u8]) -> Result<(), Failure> {
        validate_for_embedding(&self.compiler, wasm)
    }

    fn instantiate(&mut self, module: usize, fuel: u64) -> Result<u32, Failure> {
        let mut req = vec![b'I'];
        req.extend_from_slice(&(module as u32).to_le_bytes());
        req.extend_from_slice(&fuel.to_le_bytes());
        self.request(&req)?;
        self.read_result(Self::read_u32)
    }

    fn register(&mut self, instance: u32, name: &str) -> Result<(), Failure> {
        let mut req = vec![b'R'];
        req.extend_from_slice(&instance.to_le_bytes());
        put_str(&mut req, name);
        self.request(&req)
    }

    fn invoke(
        &mut self,
        instance: u32,
        name: &str,
        args: &[Value],
        fuel: u64,
    ) -> Result<Vec<Value>, Failure> {
        let mut req = vec![b'C'];
        req.extend_from_slice(&instance.to_le_bytes());
        req.extend_from_slice(&fuel.to_le_bytes());
        put_str(&mut req, name);
        req.extend_from_slice(&(args.len() as u32).to_le_bytes());
        for arg in args {
            req.extend_from_slice(val_bytes(&arg.to_raw()));
        }
        req.extend_from_slice(&RESULTS_CAP.to_le_bytes());
        self.request(&req)?;
        let raw = self.read_result(|s| {
            let n = s.read_u32()?;
            (0..n)
                .map(|_| s.read_val())
                .collect::<std::io::Result<Vec<_>>>()
        })?;
        raw.iter()
            .map(|v| Value::from_raw(v).map_err(Failure::host))
            .collect()
    }

    fn get(&mut self, instance: u32, name: &str) -> Result<Value, Failure> {
        let mut req = vec![b'G'];
        req.extend_from_slice(&instance.to_le_bytes());
        put_str(&mut req, name);
        self.request(&req)?;
        let raw = self.read_result(Self::read_val)?;
        Value::from_raw(&raw).map_err(Failure::host)
    }
}
