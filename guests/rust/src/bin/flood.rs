//! Writes N MiB (argv[1], default 1024 = 1 GiB) to stdout in 64 KiB chunks,
//! then a summary on stderr. Tests output back-pressure and host limits.
use std::io::Write;

fn main() {
    let mib: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("MiB count must be an integer"))
        .unwrap_or(1024);
    // 64 KiB of printable lines: "0123...xyz\n" patterns, 64 bytes each.
    let line = b"flood 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU\n";
    assert_eq!(line.len(), 64);
    let chunk: Vec<u8> = line.iter().copied().cycle().take(64 * 1024).collect();
    let mut out = std::io::stdout().lock();
    for _ in 0..mib * 16 {
        out.write_all(&chunk).expect("write stdout");
    }
    out.flush().expect("flush stdout");
    eprintln!("flood: wrote {mib} MiB");
}
