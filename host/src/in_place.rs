//! Loading artifacts in place (`module_load_in_place`): the memory a
//! caller keeps for the embedding, and the checks that in-place loading
//! verifies the envelope, runs what it loads and saves the copy's heap.

use crate::embedding::{Embedding, Engine};
use anyhow::{Result, bail, ensure};
use embedding_abi::{EmbErrorKind, EmbMode};

/// An artifact at an address as aligned as the ABI asks (16 bytes), as a
/// kernel would keep one in flash.
pub struct AlignedBytes {
    words: Vec<u128>,
    len: usize,
}

impl AlignedBytes {
    pub fn new(bytes: &[u8]) -> AlignedBytes {
        let mut words = vec![0u128; bytes.len().div_ceil(16)];
        // SAFETY: `words` has at least `bytes.len()` bytes, and any bytes
        // are a valid `u128`.
        let dst =
            unsafe { std::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<u8>(), bytes.len()) };
        dst.copy_from_slice(bytes);
        AlignedBytes {
            words,
            len: bytes.len(),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the first `len` bytes of `words`, initialised in `new`.
        unsafe { std::slice::from_raw_parts(self.words.as_ptr().cast::<u8>(), self.len) }
    }
}

/// Loads core modules in place, for the envelope's mutation test: each
/// module is dropped before its bytes.
pub fn module_loader<'a>(engine: &'a Engine<'a>) -> impl Fn(&[u8]) -> Result<(), String> + 'a {
    move |bytes| {
        let kept = AlignedBytes::new(bytes);
        // SAFETY: the module is dropped at the end of this statement,
        // before `kept`, and no store instantiates it.
        match unsafe { engine.load_in_place(kept.bytes()) } {
            Ok(_) => Ok(()),
            Err(f) if f.kind == EmbErrorKind::Error => Err(f.message),
            Err(f) => Err(format!("not an error: {f}")),
        }
    }
}

/// A module loaded in place instantiates and runs, and holding it costs
/// less heap than a copied one by at least the artifact's payload.
pub fn runs(emb: &Embedding, engine: &Engine<'_>, artifact: &[u8]) -> Result<String> {
    let kept = AlignedBytes::new(artifact);
    let held = |in_place: bool| -> Result<usize> {
        let before = emb.heap_used();
        let module = if in_place {
            // SAFETY: `kept` outlives the module and the store below.
            unsafe { engine.load_in_place(kept.bytes()) }?
        } else {
            engine.load(artifact)?
        };
        let held = emb.heap_used() - before;
        let mut store = engine.store()?;
        store.set_fuel(1_000)?;
        let i = store.instantiate(&module)?;
        let got = store.call(i, "one", &[], 1)?;
        ensure!(
            got == [crate::values::Value::I32(1)],
            "`one` returned {got:?}"
        );
        Ok(held)
    };
    let copied = held(false)?;
    let in_place = held(true)?;
    let payload = artifact.len() - embedding_abi::envelope::HEADER_LEN;
    ensure!(
        in_place + payload <= copied,
        "a module held in place takes {in_place} bytes of heap, copied {copied}: \
         expected at least the {payload}-byte payload less"
    );
    Ok(format!(
        "runs; held module: {in_place} bytes of heap in place, {copied} copied"
    ))
}

/// The same bytes cannot back two live modules (Wasmtime registers code
/// by address): the second load is refused while the first module, or a
/// store that instantiated it, lives; once both are freed it succeeds.
pub fn same_bytes_twice(engine: &Engine<'_>, artifact: &[u8]) -> Result<String> {
    let kept = AlignedBytes::new(artifact);
    // SAFETY: `kept` outlives every module and store below.
    let first = unsafe { engine.load_in_place(kept.bytes()) }?;
    let mut store = engine.store()?;
    store.set_fuel(1_000)?;
    store.instantiate(&first)?;
    drop(first);
    // The store still holds the module's code.
    let message = match unsafe { engine.load_in_place(kept.bytes()) } {
        Ok(_) => bail!("the same bytes were loaded in place twice while in use"),
        Err(f) if f.message.contains("still in use") => f.message,
        Err(f) => bail!("refused without saying the bytes are in use: {f}"),
    };
    drop(store);
    // SAFETY: as above.
    unsafe { engine.load_in_place(kept.bytes()) }
        .map_err(|f| anyhow::anyhow!("bytes no longer in use were refused: {f}"))?;
    Ok(message)
}

/// `vm` and `full` refuse in-place loading, saying why, before the
/// deserializer sees anything.
pub fn refused(emb: &Embedding, engine: &Engine<'_>, artifact: &[u8]) -> Result<String> {
    let kept = AlignedBytes::new(artifact);
    let before = emb.artifacts_deserialized();
    // SAFETY: `kept` outlives the module, were one made.
    let result = unsafe { engine.load_in_place(kept.bytes()) };
    ensure!(
        emb.artifacts_deserialized() == before,
        "the refused artifact reached the deserializer"
    );
    match result {
        Ok(_) => bail!("loaded in place; expected the mode to refuse native code in place"),
        Err(f) if f.message.contains("native code") && f.message.contains("module_load") => {
            Ok(f.message)
        }
        Err(f) => bail!("refused without saying why native code cannot load in place: {f}"),
    }
}

/// An artifact that is not 16-byte aligned is refused, naming alignment.
pub fn misaligned(engine: &Engine<'_>, artifact: &[u8]) -> Result<String> {
    let mut shifted = vec![0u8];
    shifted.extend_from_slice(artifact);
    let kept = AlignedBytes::new(&shifted);
    // SAFETY: `kept` outlives the module, were one made.
    match unsafe { engine.load_in_place(&kept.bytes()[1..]) } {
        Ok(_) => bail!("a misaligned artifact was loaded in place"),
        Err(f) if f.message.contains("aligned") => Ok(f.message),
        Err(f) => bail!("refused without naming the alignment: {f}"),
    }
}

/// Whether `mode` loads in place (Pulley bytecode is read as data): the
/// two Pulley modes.
pub fn supported(mode: EmbMode) -> bool {
    matches!(mode, EmbMode::Minimal | EmbMode::Small)
}
