//! `host compile-server --arch A`: the x86_64 side of `compile_service`.
//! Serves requests until its input ends.

use super::{Kind, read_frame, write_frame};
use crate::artifacts::Compiler;
use anyhow::Result;
use embedding_abi::modes::Arch;

pub fn main(arch: Arch) -> Result<i32> {
    let (mut input, mut output) = (std::io::stdin().lock(), std::io::stdout().lock());
    // One compiler per kind, made at its first request.
    let mut compilers: Vec<(Kind, Compiler)> = Vec::new();
    while let Some((tag, wasm)) = read_frame(&mut input)? {
        let kind = Kind::from_byte(tag)?;
        let compiler = match compilers.iter().position(|(k, _)| *k == kind) {
            Some(i) => &compilers[i].1,
            None => {
                let compiler = match kind {
                    Kind::Embedding(mode) => Compiler::for_arch(mode, arch)?,
                    Kind::FuzzStock => Compiler::fuzz_stock(arch)?,
                };
                compilers.push((kind, compiler));
                &compilers.last().expect("just pushed").1
            }
        };
        match compiler.precompile(&wasm) {
            Ok(artifact) => write_frame(&mut output, 0, &artifact)?,
            Err(e) => write_frame(&mut output, 1, format!("{e:#}").as_bytes())?,
        }
    }
    Ok(0)
}
