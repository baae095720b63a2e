//! The smallest guest: one line on stdout, exit 0.
fn main() {
    println!("hello from a wasi guest");
}
