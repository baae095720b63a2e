//! Reads all of stdin, upper-cases ASCII letters, writes it to stdout, and
//! reports the byte and line counts on stderr.
use std::io::{Read, Write};

fn main() {
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .expect("read stdin");
    let output = input.to_ascii_uppercase();
    std::io::stdout().write_all(&output).expect("write stdout");
    let lines = input.iter().filter(|&&b| b == b'\n').count();
    eprintln!("upper: {} bytes, {lines} lines", input.len());
}
