//! Writes to both stdout and stderr, through std's buffered handles and
//! through an explicit lock, so each stream can be checked on its own.
use std::io::Write;

fn main() {
    println!("stdout line 1");
    eprintln!("stderr line 1");
    {
        let mut out = std::io::stdout().lock();
        write!(out, "stdout line 2, no newline yet").unwrap();
        writeln!(out, "... now").unwrap();
        out.flush().unwrap();
    }
    let mut err = std::io::stderr().lock();
    writeln!(err, "stderr line 2").unwrap();
    println!("stdout line 3");
}
