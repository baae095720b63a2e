//! Tests that README.md and docs/ still say what the tree does, where the
//! tree can check it: the hook list of each mode, the links between pages,
//! and README staying a landing page. A statement in the docs is a claim;
//! these make the checkable ones fail when code and prose drift apart.

use crate::imports::{OS_SERVICES, expected_for};
use embedding_abi::EmbMode;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// README is a landing page; subjects live in docs/.
const README_MAX_LINES: usize = 250;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ has a parent")
        .to_path_buf()
}

fn read(rel: &str) -> String {
    let path = root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The words between backticks in `cell`.
fn backticked(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

/// The hooks table of docs/modes.md: first cell (backticked mode or
/// `wasi`) to the names in the second, with a backticked mode name standing
/// for that mode's whole row.
fn hooks_table(doc: &str) -> Vec<(String, BTreeSet<String>)> {
    let mut rows: Vec<(String, BTreeSet<String>)> = Vec::new();
    let start = doc
        .find("| mode | hooks |")
        .expect("docs/modes.md has a `| mode | hooks |` table");
    for line in doc[start..].lines().skip(2) {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(key), Some(names)) = (cells.get(1), cells.get(2)) else {
            continue;
        };
        let key = backticked(key)
            .first()
            .copied()
            .unwrap_or_default()
            .to_string();
        let mut set = BTreeSet::new();
        for name in backticked(names) {
            match rows.iter().find(|(mode, _)| mode == name) {
                Some((_, hooks)) => set.extend(hooks.iter().cloned()),
                None => {
                    set.insert(name.to_string());
                }
            }
        }
        rows.push((key, set));
    }
    rows
}

fn names(hooks: impl IntoIterator<Item = &'static str>) -> BTreeSet<String> {
    hooks.into_iter().map(str::to_string).collect()
}

#[test]
fn modes_page_lists_exactly_the_hooks_each_mode_imports() {
    let rows = hooks_table(&read("docs/modes.md"));
    let modes = [
        ("minimal", EmbMode::Minimal),
        ("small", EmbMode::Small),
        ("vm", EmbMode::Vm),
        ("full", EmbMode::Full),
    ];
    for (name, mode) in modes {
        let (_, documented) = rows
            .iter()
            .find(|(key, _)| key == name)
            .unwrap_or_else(|| panic!("docs/modes.md has no hooks row for `{name}`"));
        assert_eq!(
            documented,
            &names(expected_for(mode, false)),
            "docs/modes.md's hooks of `{name}` differ from the import check's"
        );
    }
    let (_, wasi) = rows
        .iter()
        .find(|(key, _)| key == "wasi")
        .expect("docs/modes.md has a hooks row for `wasi`");
    assert_eq!(
        wasi,
        &names(OS_SERVICES.iter().copied()),
        "docs/modes.md's OS services differ from the import check's"
    );
}

#[test]
fn readme_is_a_landing_page() {
    let lines = read("README.md").lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines; subjects belong in docs/ (at most {README_MAX_LINES})"
    );
}

/// The relative link targets of a Markdown text: `](target)`, without any
/// `#fragment`; web addresses and same-page anchors are left out.
fn relative_links(text: &str) -> Vec<&str> {
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .map(|target| target.split('#').next().unwrap_or_default())
        .filter(|target| !target.is_empty() && !target.contains("://"))
        .collect()
}

#[test]
fn every_relative_link_in_readme_and_docs_resolves() {
    let root = root();
    let mut pages = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).expect("docs/") {
        let path = entry.expect("docs/ entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    let mut broken = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).expect("page");
        let dir = page.parent().expect("page dir");
        for target in relative_links(&text) {
            if !dir.join(target).exists() {
                broken.push(format!("{} -> {target}", page.display()));
            }
        }
    }
    assert!(broken.is_empty(), "links to nothing: {broken:#?}");
}

#[test]
fn the_link_reader_finds_links_and_skips_web_and_anchors() {
    let text = "see [a](docs/a.md#x), [b](https://x.org/y) and [c](#here), [d](../d.md)";
    assert_eq!(relative_links(text), ["docs/a.md", "../d.md"]);
}

#[test]
fn a_mode_row_stands_for_its_hooks() {
    let doc =
        "| mode | hooks |\n| --- | --- |\n| `a` | `x`, `y` |\n| `b` | `a`, and `z` |\n\nafter";
    let rows = hooks_table(doc);
    assert_eq!(rows[1].1, names(["x", "y", "z"]));
    assert_eq!(rows.len(), 2);
}
