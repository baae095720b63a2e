//! Compiling for another architecture's loader-only host. That host (built
//! without the `compiler` feature, run under qemu-user) has no Cranelift;
//! when one of its checks needs an artifact it asks the x86_64 host, which
//! qemu-user starts natively (an execve of an x86_64 binary goes straight to
//! the kernel), through one `host compile-server --arch A` per process,
//! over its stdin and stdout (`client.rs`, `server.rs`).
//!
//! The wire format, both ways: a kind byte (the request's [`Kind`], or in a
//! reply 0 for an artifact and 1 for an error message), a little-endian u64
//! length, then that many bytes (WebAssembly text or binary; the artifact or
//! the message).

#[cfg(not(feature = "compiler"))]
pub mod client;
#[cfg(feature = "compiler")]
pub mod server;

use anyhow::{Context, Result, bail};
use embedding_abi::EmbMode;
use std::io::{Read, Write};

/// The environment variable naming the x86_64 host's executable, set by the
/// parent that starts a loader-only child (`launch.rs`).
pub const SERVER_VAR: &str = "EMBEDDING_COMPILE_SERVER";

/// What to compile for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The mode's embedding, sealed in its envelope (`artifacts::Compiler`).
    Embedding(EmbMode),
    /// The fuzzer's stock-Wasmtime reference (`fuzz::sides::Stock`).
    FuzzStock,
}

impl Kind {
    /// The request's first byte (the client's side of the encoding).
    #[cfg_attr(feature = "compiler", allow(dead_code))]
    fn byte(self) -> u8 {
        match self {
            Kind::Embedding(EmbMode::Minimal) => 0,
            Kind::Embedding(EmbMode::Vm) => 1,
            Kind::Embedding(EmbMode::Full) => 2,
            Kind::FuzzStock => 3,
            Kind::Embedding(EmbMode::Small) => 4,
        }
    }

    #[cfg_attr(not(feature = "compiler"), allow(dead_code))]
    fn from_byte(byte: u8) -> Result<Kind> {
        Ok(match byte {
            0 => Kind::Embedding(EmbMode::Minimal),
            1 => Kind::Embedding(EmbMode::Vm),
            2 => Kind::Embedding(EmbMode::Full),
            3 => Kind::FuzzStock,
            4 => Kind::Embedding(EmbMode::Small),
            other => bail!("compile-server: unknown request kind {other}"),
        })
    }
}

fn write_frame(w: &mut impl Write, tag: u8, bytes: &[u8]) -> Result<()> {
    w.write_all(&[tag])?;
    w.write_all(&(bytes.len() as u64).to_le_bytes())?;
    w.write_all(bytes)?;
    Ok(w.flush()?)
}

/// The next frame, or `None` at end of input before its first byte.
fn read_frame(r: &mut impl Read) -> Result<Option<(u8, Vec<u8>)>> {
    let mut tag = [0u8; 1];
    if r.read(&mut tag)? == 0 {
        return Ok(None);
    }
    let mut len = [0u8; 8];
    r.read_exact(&mut len)
        .context("compile-server: frame cut short")?;
    let len = u64::from_le_bytes(len);
    // A module or artifact of the checks and the fuzzer is far smaller; a
    // larger length means the stream is out of step.
    if len > 1 << 30 {
        bail!("compile-server: frame of {len} bytes, the stream is out of step");
    }
    let mut bytes = vec![0; len as usize];
    r.read_exact(&mut bytes)
        .context("compile-server: frame cut short")?;
    Ok(Some((tag[0], bytes)))
}
