//! Draws random bytes and prints only comparable facts about them.
fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn main() {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    getrandom::fill(&mut a).expect("getrandom");
    getrandom::fill(&mut b).expect("getrandom");
    let not_all_equal = a.iter().any(|&x| x != a[0]);
    println!(
        "random: {} bytes, not all equal: {}, two draws differ: {}",
        a.len(),
        yes(not_all_equal),
        yes(a != b)
    );
}
