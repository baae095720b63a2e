//! Prints "NAME i" for i in 0..COUNT (argv: NAME COUNT [WORK]), doing WORK
//! rounds of pure compute (default 2,000,000) between lines and never
//! sleeping, so two tickers interleave only if the host yields between them
//! (e.g. on fuel).
fn work(rounds: u64, seed: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..rounds {
        // xorshift64: cheap, and its result feeds black_box so it stays.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    std::hint::black_box(x)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).map(String::as_str).unwrap_or("ticker");
    let count: u64 = args.get(2).map(|s| s.parse().expect("COUNT")).unwrap_or(10);
    let rounds: u64 = args
        .get(3)
        .map(|s| s.parse().expect("WORK"))
        .unwrap_or(2_000_000);
    let mut acc = 0u64;
    for i in 0..count {
        acc = acc.wrapping_add(work(rounds, i));
        println!("{name} {i}");
    }
    std::hint::black_box(acc);
}
