//! `platform-check`: the checker without the host, for aarch64 and riscv64
//! Linux (cross/build.sh runs it under qemu-user). The same commands as the
//! host's `platform-check` and its probe child `platform-probe`.

use platform_check::Samples;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("platform-probe") => platform_check::child(&args[1..]),
        _ => platform_check::main(
            &args,
            Samples::Elsewhere("no host on this architecture: cross/build.sh runs them"),
        ),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("platform-check: {e:#}");
            std::process::exit(2);
        }
    }
}
