//! The integrity envelope around every precompiled artifact.
//!
//! An artifact is native (or Pulley) code that the embedding runs as is, so
//! the embedding must never hand damaged or foreign bytes to Wasmtime's
//! deserializer. The host wraps each artifact it precompiles ([`wrap`]); the
//! embedding checks the envelope ([`open`]) before Wasmtime sees a byte of
//! the payload. Layout, all integers little-endian, [`HEADER_LEN`] bytes of
//! header then the payload:
//!
//! | offset | size | field                                             |
//! |-------:|-----:|---------------------------------------------------|
//! |      0 |    8 | [`MAGIC`]                                         |
//! |      8 |    4 | kind: 0 core module, 1 component ([`ArtifactKind`]) |
//! |     12 |    4 | mode ([`EmbMode`] discriminant)                   |
//! |     16 |    4 | ABI version ([`EMB_ABI_VERSION`])                 |
//! |     20 |    4 | reserved, must be 0                               |
//! |     24 |    8 | payload length in bytes                           |
//! |     32 |   32 | SHA-256 of the payload                            |
//! |     64 |    n | the payload: Wasmtime's serialized artifact       |
//!
//! Every header byte is checked by a field check (magic, kind, mode,
//! version, reserved, length) or by the digest comparison; every payload byte
//! by the digest. This guards against damage and mix-ups, not against an
//! attacker who can recompute the digest: a signature would be the next step.

use crate::api::{EMB_ABI_VERSION, EmbMode};
use alloc::vec::Vec;
use core::fmt;
use sha2::{Digest, Sha256};

/// The first eight bytes of every envelope.
pub const MAGIC: [u8; 8] = *b"EMBART\r\n";

/// Size of the header in front of the payload.
pub const HEADER_LEN: usize = 64;

/// What the payload deserializes into.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArtifactKind {
    Module = 0,
    Component = 1,
}

impl ArtifactKind {
    fn name(self) -> &'static str {
        match self {
            ArtifactKind::Module => "core module",
            ArtifactKind::Component => "component",
        }
    }
}

fn mode_name(mode: u32) -> &'static str {
    match mode {
        m if m == EmbMode::Minimal as u32 => "minimal",
        m if m == EmbMode::Vm as u32 => "vm",
        m if m == EmbMode::Full as u32 => "full",
        m if m == EmbMode::Small as u32 => "small",
        _ => "unknown",
    }
}

/// Why an envelope was refused. `Display` gives the message the host sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvelopeError {
    /// Starts like a WebAssembly binary: never precompiled.
    NotPrecompiled,
    /// Starts like a Wasmtime artifact (ELF) without an envelope.
    NoEnvelope,
    /// Neither: wrong magic.
    BadMagic,
    /// Shorter than the header.
    TruncatedHeader {
        len: usize,
    },
    WrongKind {
        expected: ArtifactKind,
        found: u32,
    },
    WrongMode {
        expected: EmbMode,
        found: u32,
    },
    WrongAbiVersion {
        found: u32,
    },
    ReservedNotZero {
        found: u32,
    },
    /// Fewer payload bytes than the header declares.
    Truncated {
        declared: u64,
        found: usize,
    },
    /// More bytes than the header declares.
    TrailingBytes {
        declared: u64,
        found: usize,
    },
    DigestMismatch,
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use EnvelopeError::*;
        match *self {
            NotPrecompiled => f.write_str(
                "artifact refused: this is a WebAssembly binary, not a precompiled artifact: the \
                 embedding has no compiler, so precompile it on the host for this mode \
                 (`host precompile`)",
            ),
            NoEnvelope => f.write_str(
                "artifact refused: a bare Wasmtime artifact without the embedding's integrity \
                 envelope; precompile it with `host precompile`",
            ),
            BadMagic => f.write_str(
                "artifact refused: bad magic, not a precompiled artifact (no embedding envelope)",
            ),
            TruncatedHeader { len } => write!(
                f,
                "artifact refused: truncated: {len} bytes, shorter than the {HEADER_LEN}-byte \
                 envelope header"
            ),
            WrongKind { expected, found } => write!(
                f,
                "artifact refused: wrong kind: expected a {}, the envelope says {}",
                expected.name(),
                match found {
                    0 => "core module",
                    1 => "component",
                    _ => "an unknown kind",
                }
            ),
            WrongMode { expected, found } => write!(
                f,
                "artifact refused: wrong mode: precompiled for the {} mode ({found}), this \
                 embedding is {}",
                mode_name(found),
                mode_name(expected as u32)
            ),
            WrongAbiVersion { found } => write!(
                f,
                "artifact refused: wrong ABI version: envelope of ABI version {found}, this \
                 embedding speaks {EMB_ABI_VERSION}"
            ),
            ReservedNotZero { found } => write!(
                f,
                "artifact refused: corrupt header: reserved field is {found:#x}, not 0"
            ),
            Truncated { declared, found } => write!(
                f,
                "artifact refused: truncated: the envelope declares {declared} payload bytes, \
                 {found} present"
            ),
            TrailingBytes { declared, found } => write!(
                f,
                "artifact refused: trailing bytes: the envelope declares {declared} payload \
                 bytes, {found} present"
            ),
            DigestMismatch => f.write_str(
                "artifact refused: digest mismatch: the payload's SHA-256 differs from the \
                 envelope's (damaged artifact)",
            ),
        }
    }
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Wraps a serialized artifact for the `mode` embedding.
pub fn wrap(kind: ArtifactKind, mode: EmbMode, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&(kind as u32).to_le_bytes());
    out.extend_from_slice(&(mode as u32).to_le_bytes());
    out.extend_from_slice(&EMB_ABI_VERSION.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&sha256(payload));
    debug_assert_eq!(out.len(), HEADER_LEN);
    out.extend_from_slice(payload);
    out
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

/// Checks an envelope made by [`wrap`] for a `kind` artifact of `mode`, and
/// returns its payload.
pub fn open(kind: ArtifactKind, mode: EmbMode, bytes: &[u8]) -> Result<&[u8], EnvelopeError> {
    if bytes.starts_with(b"\0asm") {
        return Err(EnvelopeError::NotPrecompiled);
    }
    if bytes.starts_with(b"\x7fELF") {
        return Err(EnvelopeError::NoEnvelope);
    }
    let magic_len = bytes.len().min(MAGIC.len());
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err(EnvelopeError::BadMagic);
    }
    if bytes.len() < HEADER_LEN {
        return Err(EnvelopeError::TruncatedHeader { len: bytes.len() });
    }
    let found = u32_at(bytes, 8);
    if found != kind as u32 {
        return Err(EnvelopeError::WrongKind {
            expected: kind,
            found,
        });
    }
    let found = u32_at(bytes, 12);
    if found != mode as u32 {
        return Err(EnvelopeError::WrongMode {
            expected: mode,
            found,
        });
    }
    let found = u32_at(bytes, 16);
    if found != EMB_ABI_VERSION {
        return Err(EnvelopeError::WrongAbiVersion { found });
    }
    let found = u32_at(bytes, 20);
    if found != 0 {
        return Err(EnvelopeError::ReservedNotZero { found });
    }
    let declared = u64::from_le_bytes(bytes[24..32].try_into().unwrap());
    let payload = &bytes[HEADER_LEN..];
    let found = payload.len();
    if (found as u64) < declared {
        return Err(EnvelopeError::Truncated { declared, found });
    }
    if (found as u64) > declared {
        return Err(EnvelopeError::TrailingBytes { declared, found });
    }
    if sha256(payload)[..] != bytes[32..64] {
        return Err(EnvelopeError::DigestMismatch);
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(d: [u8; 32]) -> alloc::string::String {
        d.iter().map(|b| alloc::format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_vectors() {
        // FIPS 180-2 examples.
        assert_eq!(
            hex(sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn round_trip_and_rejections() {
        let payload = b"\x7fELF and some code";
        let env = wrap(ArtifactKind::Module, EmbMode::Vm, payload);
        assert_eq!(
            open(ArtifactKind::Module, EmbMode::Vm, &env),
            Ok(&payload[..])
        );
        assert!(matches!(
            open(ArtifactKind::Module, EmbMode::Full, &env),
            Err(EnvelopeError::WrongMode { .. })
        ));
        assert!(matches!(
            open(ArtifactKind::Component, EmbMode::Vm, &env),
            Err(EnvelopeError::WrongKind { .. })
        ));
        assert_eq!(
            open(ArtifactKind::Module, EmbMode::Vm, payload),
            Err(EnvelopeError::NoEnvelope)
        );
    }
}
