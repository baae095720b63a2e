//! Prints a line, then executes the wasm `unreachable` instruction: a trap,
//! not a panic or an exit, so the host must report it as one.
fn main() {
    println!("about to trap");
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_arch = "wasm32"))]
    std::process::abort();
}
