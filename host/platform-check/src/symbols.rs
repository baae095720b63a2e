//! The dynamic symbols of a shared object, read from its ELF file without
//! loading it.

use anyhow::{Context, Result};
use object::{Object, ObjectSymbol};
use std::collections::BTreeSet;
use std::path::Path;

/// The undefined dynamic symbols of a shared object: what it imports.
pub fn undefined_symbols(path: &Path) -> Result<BTreeSet<String>> {
    dynamic_symbols(path, false)
}

/// The global dynamic symbols a shared object defines: what it exports.
pub fn exported_symbols(path: &Path) -> Result<BTreeSet<String>> {
    dynamic_symbols(path, true)
}

fn dynamic_symbols(path: &Path, defined: bool) -> Result<BTreeSet<String>> {
    let data = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file = object::File::parse(&*data)
        .with_context(|| format!("{} is not an object file", path.display()))?;
    let mut names = BTreeSet::new();
    for sym in file.dynamic_symbols() {
        let wanted = if defined {
            sym.is_definition() && sym.is_global()
        } else {
            sym.is_undefined()
        };
        if wanted {
            let name = sym.name().context("dynamic symbol with a bad name")?;
            if !name.is_empty() {
                names.insert(name.to_string());
            }
        }
    }
    Ok(names)
}
