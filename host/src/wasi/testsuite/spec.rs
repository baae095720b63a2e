//! A test's specification (doc/specification.md of the WASI testsuite):
//! the legacy form (`args`, `root`, `env`, `exit_code`, `stdout`, `stderr`)
//! or the operation-based one (`operations`, `proposals`, ...), both turned
//! into the sequence of operations the reference runner executes.

use super::json::{self, Value};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// How to start the program.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Run {
    pub args: Vec<String>,
    /// `NAME=VALUE`, in the file's order: the guest's whole environment.
    pub env: Vec<String>,
    /// The directory preopened as `/`, resolved against the test's own.
    pub root: Option<PathBuf>,
}

/// A standard stream the program writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// One operation with an expectation, checked in order after `run`.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// The next `payload.len()` bytes of the stream are exactly `payload`
    /// (the reference runner reads that many characters from the pipe).
    Read { stream: Stream, payload: String },
    /// The program ended with this exit code.
    Wait { exit_code: i32 },
}

/// What the executor does with a test.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    Execute {
        run: Run,
        checks: Vec<Check>,
    },
    /// A valid specification that needs what this executor does not drive
    /// (sockets, HTTP, several runs): reported SKIP, never counted passed.
    Skip(String),
}

const LEGACY_KEYS: &[&str] = &["args", "root", "env", "exit_code", "stderr", "stdout"];
const OPERATION_KEYS: &[&str] = &["operations", "proposals", "world", "servers"];

/// The plan for `wasm`: from `NAME.json` next to it, or the default
/// specification (run, exit code 0) when there is none.
pub fn load(wasm: &Path) -> Result<Plan> {
    let json_path = wasm.with_extension("json");
    if !json_path.exists() {
        return Ok(Plan::Execute {
            run: Run::default(),
            checks: vec![Check::Wait { exit_code: 0 }],
        });
    }
    let text = std::fs::read_to_string(&json_path)
        .with_context(|| format!("cannot read {}", json_path.display()))?;
    let dir = wasm.parent().unwrap_or(Path::new("."));
    parse(&text, dir)
        .with_context(|| format!("malformed test specification {}", json_path.display()))
}

/// The plan from a specification's text; `dir` is the test's directory.
pub fn parse(text: &str, dir: &Path) -> Result<Plan> {
    let Value::Obj(members) = json::parse(text)? else {
        bail!("the specification is not a JSON object");
    };
    let legacy = members
        .iter()
        .any(|(k, _)| LEGACY_KEYS.contains(&k.as_str()));
    let operations = members
        .iter()
        .any(|(k, _)| OPERATION_KEYS.contains(&k.as_str()));
    if legacy && operations {
        bail!(
            "mixes the legacy keys ({}) with the operation-based ones ({})",
            LEGACY_KEYS.join(", "),
            OPERATION_KEYS.join(", ")
        );
    }
    let known = if operations {
        OPERATION_KEYS
    } else {
        LEGACY_KEYS
    };
    if let Some((key, _)) = members.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        bail!("unknown key \"{key}\" (expected {})", known.join(", "));
    }
    if operations {
        operation_based(&members, dir)
    } else {
        legacy_spec(&members, dir)
    }
}

fn get<'a>(members: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    members
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .filter(|v| **v != Value::Null)
}

/// The legacy form is run, read stdout, read stderr, wait, as the
/// reference runner converts it; a stream without a key is not checked.
fn legacy_spec(members: &[(String, Value)], dir: &Path) -> Result<Plan> {
    let run = run_fields(members, dir)?;
    let mut checks = Vec::new();
    for stream in [Stream::Stdout, Stream::Stderr] {
        if let Some(v) = get(members, stream.name()) {
            checks.push(Check::Read {
                stream,
                payload: string(v, stream.name())?,
            });
        }
    }
    checks.push(Check::Wait {
        exit_code: exit_code(get(members, "exit_code"))?,
    });
    Ok(Plan::Execute { run, checks })
}

fn operation_based(members: &[(String, Value)], dir: &Path) -> Result<Plan> {
    let proposals = match get(members, "proposals") {
        None => Vec::new(),
        Some(v) => strings(v, "proposals")?,
    };
    let ops = match get(members, "operations") {
        None => Vec::new(),
        Some(Value::Arr(ops)) => ops.clone(),
        Some(other) => bail!("\"operations\" is {}, not an array", other.kind()),
    };
    let mut run = None;
    let mut waited = false;
    let mut checks = Vec::new();
    let mut unsupported = None;
    // The default when no operations are given: run, then wait for 0.
    let ops = if ops.is_empty() {
        vec![op_of("run"), op_of("wait")]
    } else {
        ops
    };
    for (i, op) in ops.iter().enumerate() {
        let Value::Obj(fields) = op else {
            bail!("operation {i} is {}, not an object", op.kind());
        };
        let kind = match get(fields, "type") {
            Some(Value::Str(t)) => t.as_str(),
            _ => bail!("operation {i} has no \"type\" string"),
        };
        match kind {
            "run" if run.is_some() => {
                unsupported.get_or_insert_with(|| "more than one `run`".to_string());
            }
            "run" => run = Some(run_fields(fields, dir)?),
            _ if run.is_none() => bail!("operation {i} (`{kind}`) comes before `run`"),
            "wait" => {
                waited = true;
                checks.push(Check::Wait {
                    exit_code: exit_code(get(fields, "exit_code"))?,
                });
            }
            "read" => {
                let stream = match get(fields, "id") {
                    None => Stream::Stdout,
                    Some(Value::Str(s)) if s == "stdout" => Stream::Stdout,
                    Some(Value::Str(s)) if s == "stderr" => Stream::Stderr,
                    Some(other) => {
                        bail!("operation {i}: `read` of {other:?}, not stdout or stderr")
                    }
                };
                let payload = match get(fields, "payload") {
                    None => String::new(),
                    Some(v) => string(v, "payload")?,
                };
                checks.push(Check::Read { stream, payload });
            }
            "write" | "connect" | "send" | "recv" | "request" | "kill" => {
                unsupported.get_or_insert_with(|| format!("operation `{kind}`"));
            }
            other => bail!("operation {i} has the unknown type `{other}`"),
        }
    }
    let Some(run) = run else {
        bail!("no `run` operation");
    };
    if !waited {
        bail!("the `run` operation has no `wait`");
    }
    if !proposals.is_empty() {
        return Ok(Plan::Skip(format!(
            "needs the proposal(s) {}, which this preview 1 executor does not enable",
            proposals.join(", ")
        )));
    }
    for key in ["world", "servers"] {
        if get(members, key).is_some() {
            return Ok(Plan::Skip(format!(
                "\"{key}\" is not supported by this executor"
            )));
        }
    }
    if let Some(what) = unsupported {
        return Ok(Plan::Skip(format!(
            "{what} is not supported by this executor"
        )));
    }
    Ok(Plan::Execute { run, checks })
}

fn op_of(kind: &str) -> Value {
    Value::Obj(vec![("type".into(), Value::Str(kind.into()))])
}

fn run_fields(fields: &[(String, Value)], dir: &Path) -> Result<Run> {
    let args = match get(fields, "args") {
        None => Vec::new(),
        Some(v) => strings(v, "args")?,
    };
    let env = match get(fields, "env") {
        None => Vec::new(),
        Some(Value::Obj(vars)) => vars
            .iter()
            .map(|(name, value)| {
                if name.is_empty() || name.contains('=') {
                    bail!("\"env\": the name {name:?} is empty or contains `=`");
                }
                Ok(format!("{name}={}", string(value, name)?))
            })
            .collect::<Result<_>>()?,
        Some(other) => bail!("\"env\" is {}, not an object", other.kind()),
    };
    let root = match get(fields, "root") {
        None => None,
        Some(v) => Some(dir.join(string(v, "root")?)),
    };
    Ok(Run { args, env, root })
}

fn exit_code(value: Option<&Value>) -> Result<i32> {
    match value {
        None => Ok(0),
        Some(Value::Num(n)) if n.fract() == 0.0 && (0.0..=255.0).contains(n) => Ok(*n as i32),
        Some(other) => bail!("\"exit_code\" is {other:?}, not an integer from 0 to 255"),
    }
}

fn string(value: &Value, what: &str) -> Result<String> {
    match value {
        Value::Str(s) => Ok(s.clone()),
        other => bail!("\"{what}\" is {}, not a string", other.kind()),
    }
}

fn strings(value: &Value, what: &str) -> Result<Vec<String>> {
    match value {
        Value::Arr(items) => items.iter().map(|v| string(v, what)).collect(),
        other => bail!("\"{what}\" is {}, not an array of strings", other.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::{Check, Plan, Run, Stream, parse};
    use std::path::{Path, PathBuf};

    fn plan(text: &str) -> Plan {
        parse(text, Path::new("/suite/c")).unwrap()
    }

    fn error(text: &str) -> String {
        format!("{:#}", parse(text, Path::new("/suite/c")).unwrap_err())
    }

    #[test]
    fn legacy_defaults_to_run_and_exit_zero() {
        assert_eq!(
            plan("{}"),
            Plan::Execute {
                run: Run::default(),
                checks: vec![Check::Wait { exit_code: 0 }]
            }
        );
    }

    #[test]
    fn legacy_fields_become_run_read_wait() {
        let p = plan(
            r#"{"args": ["a", "b c"], "env": {"x": "1", "y": "new\nline"}, "root": "fs.dir",
                "stdout": "hello", "stderr": "", "exit_code": 33}"#,
        );
        assert_eq!(
            p,
            Plan::Execute {
                run: Run {
                    args: vec!["a".into(), "b c".into()],
                    env: vec!["x=1".into(), "y=new\nline".into()],
                    root: Some(PathBuf::from("/suite/c/fs.dir")),
                },
                checks: vec![
                    Check::Read {
                        stream: Stream::Stdout,
                        payload: "hello".into()
                    },
                    Check::Read {
                        stream: Stream::Stderr,
                        payload: String::new()
                    },
                    Check::Wait { exit_code: 33 },
                ]
            }
        );
        // A null root is no root, as in the reference runner.
        assert_eq!(plan(r#"{"root": null}"#), plan("{}"));
    }

    #[test]
    fn operations_are_checked_in_order() {
        let p = plan(
            r#"{"operations": [{"type": "run", "args": ["1"]}, {"type": "read", "payload": "x"},
                {"type": "read", "id": "stderr", "payload": "e"}, {"type": "wait", "exit_code": 2}]}"#,
        );
        let Plan::Execute { run, checks } = p else {
            panic!("skipped")
        };
        assert_eq!(run.args, ["1"]);
        assert_eq!(checks.len(), 3);
        assert_eq!(checks[2], Check::Wait { exit_code: 2 });
        assert_eq!(plan(r#"{"operations": []}"#), plan("{}"));
    }

    #[test]
    fn what_cannot_run_here_is_skipped() {
        for text in [
            r#"{"proposals": ["http"], "operations": [{"type": "run"}, {"type": "wait"}]}"#,
            r#"{"operations": [{"type": "run"}, {"type": "connect"}, {"type": "wait"}]}"#,
        ] {
            assert!(matches!(plan(text), Plan::Skip(_)), "{text}");
        }
    }

    #[test]
    fn malformed_specifications_are_errors() {
        for (text, says) in [
            ("[1]", "not a JSON object"),
            (r#"{"args": "a"}"#, "not an array of strings"),
            (r#"{"args": [1]}"#, "not a string"),
            (r#"{"exit_code": "1"}"#, "not an integer"),
            (r#"{"exit_code": 1.5}"#, "not an integer"),
            (r#"{"exit_code": 256}"#, "not an integer"),
            (r#"{"env": {"a=b": "c"}}"#, "contains `=`"),
            (r#"{"stdout": 1}"#, "not a string"),
            (r#"{"exitcode": 1}"#, "unknown key \"exitcode\""),
            (r#"{"args": [], "operations": []}"#, "mixes"),
            (r#"{"operations": [{"type": "wait"}]}"#, "before `run`"),
            (r#"{"operations": [{"type": "run"}]}"#, "no `wait`"),
            (
                r#"{"operations": [{"type": "run"}, {"type": "dance"}]}"#,
                "unknown type",
            ),
            (r#"{"args": ["a",]}"#, "line 1"),
        ] {
            let e = error(text);
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
