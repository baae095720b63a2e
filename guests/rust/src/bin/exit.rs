//! Exits with the code given as argv[1] (default 42) after printing a line,
//! which must reach stdout even though the process exits rather than returns.
fn main() {
    let code: i32 = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("exit code must be an integer"))
        .unwrap_or(42);
    println!("exiting with {code}");
    std::process::exit(code);
}
