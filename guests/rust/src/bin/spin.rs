//! Never exits: a busy loop the optimiser cannot remove, for tests that must
//! stop a runaway guest (fuel, epoch deadline or timeout).
fn main() {
    println!("spinning");
    let mut n: u64 = 0;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
    }
}
