//! The loader-only side of `compile_service`: one x86_64 compile server per
//! process, started at the first request and shared by every thread.

use super::{Kind, SERVER_VAR, read_frame, write_frame};
use crate::arch_name;
use anyhow::{Context, Result, anyhow, bail};
use embedding_abi::modes::Arch;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

struct Server {
    _child: Child,
    input: ChildStdin,
    output: ChildStdout,
}

static SERVER: Mutex<Option<Server>> = Mutex::new(None);

fn start() -> Result<Server> {
    let exe = std::env::var_os(SERVER_VAR).with_context(|| {
        format!(
            "this loader-only host compiles nothing itself: {SERVER_VAR} must name the \
             x86_64 host (run it through `host reliability|fuzz|bench --arch {}`)",
            arch_name(Arch::NATIVE)
        )
    })?;
    let mut child = Command::new(&exe)
        .args(["compile-server", "--arch", arch_name(Arch::NATIVE)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start the compile server {}", exe.display()))?;
    Ok(Server {
        input: child.stdin.take().expect("piped"),
        output: child.stdout.take().expect("piped"),
        _child: child,
    })
}

/// `wasm` (text or binary) compiled by the x86_64 host for `kind` on this
/// architecture; a compile error comes back as this call's error.
pub fn precompile(kind: Kind, wasm: &[u8]) -> Result<Vec<u8>> {
    let mut guard = SERVER
        .lock()
        .map_err(|_| anyhow!("compile server lock poisoned"))?;
    if guard.is_none() {
        *guard = Some(start()?);
    }
    let server = guard.as_mut().expect("just started");
    write_frame(&mut server.input, kind.byte(), wasm).context("compile server: cannot send")?;
    match read_frame(&mut server.output)? {
        Some((0, artifact)) => Ok(artifact),
        Some((1, message)) => bail!("{}", String::from_utf8_lossy(&message)),
        Some((tag, _)) => bail!("compile server: unknown reply kind {tag}"),
        None => bail!("compile server: ended without replying"),
    }
}
