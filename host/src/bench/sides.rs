//! The sides of the comparison. Each (side, workload) pair runs in a child
//! process of its own: a mode's platform hooks are process-wide, and the
//! embedding's heap high-water mark and the process's peak resident memory
//! then belong to that one workload.

use crate::{mode_name, parse_mode};
use anyhow::{Result, bail};
use embedding_abi::EmbMode;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Embedding(EmbMode),
    /// Stock Wasmtime, native code.
    StockNative,
    /// Stock Wasmtime interpreting Pulley bytecode.
    StockPulley,
    /// The wasmi interpreter (crates.io), run by host/bench-peers.
    Wasmi,
    /// The wasm3 interpreter (C; the `wasm3` crate), run by host/bench-peers.
    Wasm3,
}

impl Side {
    pub fn name(self) -> String {
        match self {
            Side::Embedding(m) => format!("embedding-{}", mode_name(m)),
            Side::StockNative => "stock-native".into(),
            Side::StockPulley => "stock-pulley".into(),
            Side::Wasmi => "wasmi".into(),
            Side::Wasm3 => "wasm3".into(),
        }
    }

    /// Whether host/bench-peers runs this side.
    pub fn is_peer(self) -> bool {
        matches!(self, Side::Wasmi | Side::Wasm3)
    }

    pub fn parse(name: &str) -> Result<Side> {
        Ok(match name {
            "stock-native" => Side::StockNative,
            "stock-pulley" => Side::StockPulley,
            "wasmi" => Side::Wasmi,
            "wasm3" => Side::Wasm3,
            other => match other.strip_prefix("embedding-") {
                Some(mode) => Side::Embedding(parse_mode(mode)?),
                None => bail!("unknown benchmark side `{other}`"),
            },
        })
    }

    /// The sides a run over `modes` compares: stock native first (every
    /// ratio's reference), then, when `minimal` is among them, stock Pulley
    /// and (with `peers`) the interpreter peers.
    pub fn for_modes(modes: &[EmbMode], peers: bool) -> Vec<Side> {
        let mut sides = vec![Side::StockNative];
        if modes.contains(&EmbMode::Minimal) {
            sides.push(Side::StockPulley);
            if peers {
                sides.extend([Side::Wasmi, Side::Wasm3]);
            }
        }
        sides.extend(modes.iter().map(|m| Side::Embedding(*m)));
        sides
    }
}
