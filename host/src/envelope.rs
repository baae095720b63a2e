//! The host's side of the artifact envelope (format and checks in
//! `embedding/abi/src/envelope.rs`): every artifact the host precompiles is
//! sealed here, and the mutation test proves the embedding refuses every
//! damaged one before Wasmtime's deserializer sees it.

use crate::embedding::{Embedding, Engine};
use anyhow::{Result, bail, ensure};
use embedding_abi::envelope::{self, ArtifactKind, HEADER_LEN};
use embedding_abi::{EmbErrorKind, EmbMode};

/// Seals a serialized core module for the `mode` embedding.
pub fn seal_module(mode: EmbMode, payload: &[u8]) -> Vec<u8> {
    envelope::wrap(ArtifactKind::Module, mode, payload)
}

/// Seals a serialized component for the `mode` embedding's `wasi` build.
pub fn seal_component(mode: EmbMode, payload: &[u8]) -> Vec<u8> {
    envelope::wrap(ArtifactKind::Component, mode, payload)
}

/// What a damaged artifact's error must say, by where the damage is.
fn expected_reason(offset: usize) -> &'static str {
    match offset {
        0..8 => "bad magic",
        8..12 => "wrong kind",
        12..16 => "wrong mode",
        16..20 => "wrong ABI version",
        20..24 => "reserved field",
        24..32 => "payload bytes",
        _ => "digest mismatch",
    }
}

/// About `n` offsets spread evenly over `range`, plus both ends.
fn spread(range: std::ops::Range<usize>, n: usize) -> Vec<usize> {
    let len = range.end - range.start;
    let mut v: Vec<usize> = (0..n).map(|i| range.start + i * len / n).collect();
    v.push(range.end - 1);
    v.dedup();
    v
}

/// Loads an artifact (a module or a component) into the embedding; the
/// error's text on failure.
pub type Loader<'a> = dyn Fn(&[u8]) -> Result<(), String> + 'a;

/// Loads core modules, any non-error failure (a trap) being a failure too.
pub fn module_loader<'a>(engine: &'a Engine<'a>) -> impl Fn(&[u8]) -> Result<(), String> + 'a {
    move |bytes| match engine.load(bytes) {
        Ok(_) => Ok(()),
        Err(f) if f.kind == EmbErrorKind::Error => Err(f.message),
        Err(f) => Err(format!("not an error: {f}")),
    }
}

/// Loads components (the `wasi` builds).
#[cfg(feature = "compiler")]
pub fn component_loader<'a>(engine: &'a Engine<'a>) -> impl Fn(&[u8]) -> Result<(), String> + 'a {
    move |bytes| match engine.load_component(bytes) {
        Ok(_) => Ok(()),
        Err(e) => Err(format!("{e:#}")),
    }
}

/// One damaged artifact: it must be refused with an error naming `reason`,
/// and the deserializer counter must not move.
fn refused(emb: &Embedding, load: &Loader<'_>, bytes: &[u8], reason: &str) -> Result<()> {
    let before = emb.artifacts_deserialized();
    let result = load(bytes);
    let after = emb.artifacts_deserialized();
    ensure!(
        after == before,
        "reached the deserializer (counter {before} -> {after})"
    );
    match result {
        Ok(()) => bail!("accepted"),
        Err(message) => {
            ensure!(
                message.contains("artifact refused:") && message.contains(reason),
                "error does not say {reason:?}: {message}"
            );
            Ok(())
        }
    }
}

/// Runs `check` on every case, returning how many there were or the first
/// few failures.
fn all(cases: &[usize], mut check: impl FnMut(usize) -> Result<()>) -> Result<String> {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|&at| check(at).err().map(|e| format!("offset {at}: {e:#}")))
        .collect();
    ensure!(
        failures.is_empty(),
        "{} of {} cases: {}",
        failures.len(),
        cases.len(),
        failures[..failures.len().min(3)].join("; ")
    );
    Ok(format!("{} damaged artifacts refused", cases.len()))
}

/// The mutation test: (name, result) per family of damage.
pub fn mutation_checks(
    emb: &Embedding,
    load: &Loader<'_>,
    artifact: &[u8],
) -> Vec<(&'static str, Result<String>)> {
    let len = artifact.len();
    let header: Vec<usize> = (0..HEADER_LEN).collect();
    let payload = spread(HEADER_LEN..len, 256);
    let mut out = Vec::new();

    // The control: the intact artifact loads and is counted, so a counter
    // that never moves cannot make the other checks pass.
    let control = (|| {
        let before = emb.artifacts_deserialized();
        load(artifact).map_err(|e| anyhow::anyhow!("intact artifact refused: {e}"))?;
        let after = emb.artifacts_deserialized();
        ensure!(
            after == before + 1,
            "intact artifact: counter {before} -> {after}, expected +1"
        );
        Ok(format!("{len} bytes loaded, counted once"))
    })();
    out.push(("envelope/intact-loads", control));

    for (name, xor) in [
        ("envelope/header-flip-all-bits", 0xff),
        ("envelope/header-flip-low-bit", 0x01),
    ] {
        let result = all(&header, |at| {
            let mut bad = artifact.to_vec();
            bad[at] ^= xor;
            refused(emb, load, &bad, expected_reason(at))
        });
        out.push((name, result));
    }
    out.push((
        "envelope/payload-flips",
        all(&payload, |at| {
            let mut bad = artifact.to_vec();
            bad[at] ^= 0x5a;
            refused(emb, load, &bad, "digest mismatch")
        }),
    ));
    let mut cuts = header.clone();
    cuts.extend(&payload);
    out.push((
        "envelope/truncations",
        all(&cuts, |at| refused(emb, load, &artifact[..at], "truncated")),
    ));
    out.push((
        "envelope/trailing-byte",
        (|| {
            let mut bad = artifact.to_vec();
            bad.push(0);
            refused(emb, load, &bad, "trailing bytes")?;
            Ok(String::new())
        })(),
    ));
    out
}
