//! `guests/cases/*.case`: how to run one guest and what it must produce.
//! The format is documented in guests/README.md.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// How a run must end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    Exit(i32),
    Trap,
    Fuel,
    Timeout,
}

#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub guest: String,
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub stdin: Option<PathBuf>,
    /// `HOST::GUEST`; `HOST` is `None` for `@tmp`, a fresh empty directory.
    pub dirs: Vec<(Option<PathBuf>, String)>,
    pub expect: Expect,
    /// How the program ends through the preview 1 adapter, where that
    /// differs from `expect` (native preview 1 and stock `wasmtime run`): an
    /// exit code, or `trap` where the adapter itself breaks (docs/wasi.md,
    /// "The adapter and large heaps").
    pub exit_adapter: Option<Expect>,
    pub stdout: Option<PathBuf>,
    pub stderr: Option<PathBuf>,
    pub stdout_bytes: Option<u64>,
    pub fuel: Option<u64>,
    pub timeout: Option<u64>,
}

/// Splits on whitespace; a double-quoted run is part of one argument.
fn split_args(text: &str) -> Result<Vec<String>> {
    let mut args = Vec::new();
    let mut current: Option<String> = None;
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.get_or_insert_with(String::new);
            }
            c if c.is_whitespace() && !quoted => args.extend(current.take()),
            c => current.get_or_insert_with(String::new).push(c),
        }
    }
    if quoted {
        bail!("args: unterminated double quote");
    }
    args.extend(current);
    Ok(args)
}

impl Case {
    /// Reads `path`; relative files are resolved against `guests`.
    pub fn read(path: &Path, guests: &Path) -> Result<Case> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let at = |line: usize| format!("{}:{}", path.display(), line + 1);
        let (mut guest, mut expect) = (None, None);
        let mut case = Case {
            name,
            guest: String::new(),
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
            dirs: Vec::new(),
            expect: Expect::Exit(0),
            exit_adapter: None,
            stdout: None,
            stderr: None,
            stdout_bytes: None,
            fuel: None,
            timeout: None,
        };
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line
                .split_once(':')
                .with_context(|| format!("{}: expected `key: value`", at(n)))?;
            let value = value.trim();
            let number = |v: &str| -> Result<u64> {
                v.parse()
                    .with_context(|| format!("{}: `{v}` is not a number", at(n)))
            };
            match key.trim() {
                "guest" => guest = Some(value.to_string()),
                "args" => case.args = split_args(value).with_context(|| at(n))?,
                "env" => case.env.push(value.to_string()),
                "stdin" => case.stdin = Some(guests.join(value)),
                "dir" => {
                    let (host, g) = value
                        .split_once("::")
                        .with_context(|| format!("{}: dir needs HOST::GUEST", at(n)))?;
                    let host = (host != "@tmp").then(|| guests.join(host));
                    case.dirs.push((host, g.to_string()));
                }
                "exit" => {
                    expect = Some(match value {
                        "trap" => Expect::Trap,
                        "fuel" => Expect::Fuel,
                        "timeout" => Expect::Timeout,
                        v => Expect::Exit(v.parse().with_context(|| {
                            format!("{}: exit `{v}` is not a code, trap, fuel or timeout", at(n))
                        })?),
                    })
                }
                "exit-adapter" => {
                    case.exit_adapter = Some(match value {
                        "trap" => Expect::Trap,
                        v => Expect::Exit(v.parse().with_context(|| {
                            format!("{}: exit-adapter `{v}` is not a code or trap", at(n))
                        })?),
                    })
                }
                "stdout" => case.stdout = Some(guests.join(value)),
                "stderr" => case.stderr = Some(guests.join(value)),
                "stdout-bytes" => case.stdout_bytes = Some(number(value)?),
                "fuel" => case.fuel = Some(number(value)?),
                "timeout" => case.timeout = Some(number(value)?),
                other => bail!("{}: unknown key `{other}`", at(n)),
            }
        }
        case.guest = guest.with_context(|| format!("{}: no `guest:` line", path.display()))?;
        case.expect = expect.with_context(|| format!("{}: no `exit:` line", path.display()))?;
        if case.expect == Expect::Fuel && case.fuel.is_none() {
            bail!("{}: `exit: fuel` needs a `fuel:` line", path.display());
        }
        Ok(case)
    }

    /// `argv[0]`: the last component of the guest's path.
    pub fn argv(&self) -> Vec<String> {
        let name = self
            .guest
            .rsplit('/')
            .next()
            .unwrap_or(&self.guest)
            .to_string();
        std::iter::once(name)
            .chain(self.args.iter().cloned())
            .collect()
    }

    /// Whether stock Wasmtime can run it alongside: not a guest that never
    /// stops (the reference runs in this process and has no time limit),
    /// nor one whose output is too large to keep.
    pub fn has_reference(&self) -> bool {
        self.expect != Expect::Timeout && self.stdout_bytes.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::split_args;

    #[test]
    fn quoted_arguments() {
        assert_eq!(
            split_args(r#"first "second arg"  x"y z""#).unwrap(),
            ["first", "second arg", "xy z"]
        );
        assert!(split_args(r#"a "b"#).is_err());
        assert_eq!(split_args("").unwrap(), Vec::<String>::new());
    }
}

/// How a run ended, on either side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    Exit(i32),
    /// A trap of the guest's own, named by its Wasmtime trap code.
    Trap(String),
    /// Out of fuel.
    Fuel,
    /// Stopped by the time limit.
    Timeout,
    /// Anything else (failed to link or instantiate): the message.
    Error(String),
}

impl End {
    pub fn from_trap(trap: Option<wasmtime::Trap>, message: &str) -> End {
        match trap {
            Some(wasmtime::Trap::OutOfFuel) => End::Fuel,
            Some(trap) => End::Trap(format!("{trap:?}")),
            None => End::Error(message.to_string()),
        }
    }

    pub fn satisfies(&self, expect: &Expect) -> bool {
        matches!(
            (self, expect),
            (End::Trap(_), Expect::Trap)
                | (End::Fuel, Expect::Fuel)
                | (End::Timeout, Expect::Timeout)
        ) || matches!((self, expect), (End::Exit(a), Expect::Exit(b)) if a == b)
    }

    /// The one-line form the `run-program` child reports.
    pub fn encode(&self) -> String {
        match self {
            End::Exit(code) => format!("exit {code}"),
            End::Trap(code) => format!("trap {code}"),
            End::Fuel => "fuel".into(),
            End::Timeout => "timeout".into(),
            End::Error(message) => format!("error {}", message.replace('\n', " | ")),
        }
    }

    pub fn decode(line: &str) -> End {
        let line = line.trim_end();
        match line.split_once(' ').unwrap_or((line, "")) {
            ("exit", code) => code
                .parse()
                .map_or_else(|_| End::Error(line.into()), End::Exit),
            ("trap", code) => End::Trap(code.into()),
            ("fuel", _) => End::Fuel,
            ("timeout", _) => End::Timeout,
            (_, rest) => End::Error(rest.into()),
        }
    }
}
