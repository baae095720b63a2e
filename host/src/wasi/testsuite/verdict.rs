//! Checking a run against its specification, as the reference runner does:
//! each `read` takes the next bytes of its stream (as many as its payload
//! has) and must equal the payload, so output after them is not checked;
//! `wait` compares the exit code. And comparing a run with stock
//! Wasmtime's, for the divergence count.

use super::spec::{Check, Stream};
use std::time::Duration;

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Ending {
    /// The exit status of the child: the guest's exit code, or the code
    /// `host run` reports for a trap (134) or an embedding crash (128 + N).
    Exit(i32),
    /// Stopped at the time limit.
    Timeout(Duration),
}

/// What one run did.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    pub ending: Ending,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Every expectation `checks` has that `seen` misses, in order; empty
/// when the test passes.
pub fn failures(checks: &[Check], seen: &Observed) -> Vec<String> {
    let mut why = Vec::new();
    let (mut at_out, mut at_err) = (0, 0);
    for check in checks {
        match check {
            Check::Read { stream, payload } => {
                let (data, at) = match stream {
                    Stream::Stdout => (&seen.stdout, &mut at_out),
                    Stream::Stderr => (&seen.stderr, &mut at_err),
                };
                let expected = payload.as_bytes();
                let got = &data[(*at).min(data.len())..(*at + expected.len()).min(data.len())];
                if got != expected {
                    why.push(format!(
                        "{} differs at line {}: expected {:?}, got {:?}",
                        stream.name(),
                        // Lines of the whole stream, not of this read.
                        line_count(&data[..*at]) + first_difference_line(expected, got),
                        excerpt(expected),
                        excerpt(got),
                    ));
                }
                *at += expected.len();
            }
            Check::Wait { exit_code } => match seen.ending {
                Ending::Exit(code) if code == *exit_code => {}
                Ending::Exit(code) => {
                    why.push(format!(
                        "exit code {code}, expected {exit_code}{}",
                        stderr_hint(&seen.stderr)
                    ));
                }
                Ending::Timeout(limit) => why.push(format!(
                    "timeout after {} s, expected exit code {exit_code}",
                    limit.as_secs_f64()
                )),
            },
        }
    }
    why
}

/// How `seen` differs from stock Wasmtime's run of the same test: its
/// ending and its whole stdout (not only the checked part), or `None`.
pub fn divergence(seen: &Observed, stock: &Observed) -> Option<String> {
    if seen.ending != stock.ending {
        return Some(format!(
            "ends with {}, stock with {}",
            describe(&seen.ending),
            describe(&stock.ending)
        ));
    }
    if seen.stdout != stock.stdout {
        return Some(format!(
            "stdout differs from stock's at line {}",
            first_difference_line(&stock.stdout, &seen.stdout)
        ));
    }
    None
}

fn describe(ending: &Ending) -> String {
    match ending {
        Ending::Exit(code) => format!("exit code {code}"),
        Ending::Timeout(limit) => format!("a timeout after {} s", limit.as_secs_f64()),
    }
}

/// The 1-based line on which `a` and `b` first differ (a missing or extra
/// line counts as a difference on that line).
pub fn first_difference_line(a: &[u8], b: &[u8]) -> usize {
    let same = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    line_count(&a[..same]) + 1
}

fn line_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// At most 60 bytes of `bytes`, lossily as text, for a FAIL line.
fn excerpt(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(60)];
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if cut.len() < bytes.len() {
        s.push_str("...");
    }
    s
}

/// The first line of the run's stderr, which says why a run that should
/// have exited did not (`host: ... failed: ...`).
fn stderr_hint(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    match text.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(line) => {
            let line: String = line.chars().take(200).collect();
            format!(" (stderr: {line})")
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Ending, Observed, divergence, failures, first_difference_line};
    use crate::wasi::testsuite::spec::{Check, Stream};
    use std::time::Duration;

    fn seen(code: i32, stdout: &str) -> Observed {
        Observed {
            ending: Ending::Exit(code),
            stdout: stdout.as_bytes().to_vec(),
            stderr: Vec::new(),
        }
    }

    fn read(payload: &str) -> Check {
        Check::Read {
            stream: Stream::Stdout,
            payload: payload.into(),
        }
    }

    #[test]
    fn passes_when_every_expectation_holds() {
        let checks = [read("hello"), Check::Wait { exit_code: 0 }];
        assert!(failures(&checks, &seen(0, "hello")).is_empty());
        // The reference runner reads only as much as the payload.
        assert!(failures(&checks, &seen(0, "hello and more")).is_empty());
        // Without a read, stdout is not checked at all.
        assert!(failures(&[Check::Wait { exit_code: 0 }], &seen(0, "anything")).is_empty());
    }

    #[test]
    fn says_which_expectation_failed() {
        let checks = [read("a\nb\nc\n"), Check::Wait { exit_code: 33 }];
        let why = failures(&checks, &seen(0, "a\nb\nx\n"));
        assert_eq!(why.len(), 2, "{why:?}");
        assert!(
            why[0].starts_with("stdout differs at line 3:"),
            "{}",
            why[0]
        );
        assert_eq!(why[1], "exit code 0, expected 33");
        // Short output is a difference too, on the line where it stops.
        let why = failures(&checks, &seen(33, "a\n"));
        assert!(
            why[0].starts_with("stdout differs at line 2:"),
            "{}",
            why[0]
        );
    }

    #[test]
    fn successive_reads_consume_the_stream() {
        let checks = [read("ab\n"), read("cd\n")];
        assert!(failures(&checks, &seen(0, "ab\ncd\n")).is_empty());
        let why = failures(&checks, &seen(0, "ab\nab\n"));
        assert!(why[0].starts_with("stdout differs at line 2:"), "{why:?}");
    }

    #[test]
    fn a_timeout_and_a_trap_fail_the_wait() {
        let timed_out = Observed {
            ending: Ending::Timeout(Duration::from_secs(2)),
            ..seen(0, "")
        };
        assert_eq!(
            failures(&[Check::Wait { exit_code: 0 }], &timed_out),
            ["timeout after 2 s, expected exit code 0"]
        );
        let trapped = Observed {
            stderr: b"\nhost: p.wasm failed: wasm trap\nmore\n".to_vec(),
            ..seen(134, "")
        };
        assert_eq!(
            failures(&[Check::Wait { exit_code: 0 }], &trapped),
            ["exit code 134, expected 0 (stderr: host: p.wasm failed: wasm trap)"]
        );
    }

    #[test]
    fn divergence_compares_the_whole_stdout_and_the_ending() {
        assert_eq!(divergence(&seen(0, "a\nb"), &seen(0, "a\nb")), None);
        assert_eq!(
            divergence(&seen(0, "a\nb"), &seen(0, "a\nc")).as_deref(),
            Some("stdout differs from stock's at line 2")
        );
        assert_eq!(
            divergence(&seen(1, ""), &seen(0, "")).as_deref(),
            Some("ends with exit code 1, stock with exit code 0")
        );
        assert_eq!(first_difference_line(b"x\ny\n", b"x\ny\n"), 3);
    }
}
