//! Prints argc and every argument, argv[0] included.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("argc: {}", args.len());
    for (i, a) in args.iter().enumerate() {
        println!("argv[{i}]: {a}");
    }
}
