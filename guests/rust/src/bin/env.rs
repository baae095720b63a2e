//! Prints every environment variable, sorted, then looks one up by name.
fn main() {
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    println!("env count: {}", vars.len());
    for (k, v) in &vars {
        println!("{k}={v}");
    }
    match std::env::var("GUEST_GREETING") {
        Ok(v) => println!("GUEST_GREETING lookup: {v}"),
        Err(e) => println!("GUEST_GREETING lookup: {e}"),
    }
}
