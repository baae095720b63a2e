//! File system checks on preopened directories, one per subcommand:
//!   fs read PATH          print a file's size and contents
//!   fs ls PATH            list a directory recursively, sorted
//!   fs write DIR          create DIR/made, write a file in it, read it back, list DIR
//!   fs missing PATH       open a file that must not exist, print the error kind
use std::fs;
use std::path::Path;

fn list(dir: &Path, indent: usize) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read_dir {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry"))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().into_string().expect("utf-8 name");
        let ty = e.file_type().expect("file type");
        if ty.is_dir() {
            println!("{:indent$}{name}/", "");
            list(&e.path(), indent + 2);
        } else {
            let len = e.metadata().expect("metadata").len();
            println!("{:indent$}{name} ({len} bytes)", "");
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [cmd, path] = &args[..] else {
        eprintln!("usage: fs read|ls|write|missing PATH");
        std::process::exit(2);
    };
    let path = Path::new(path);
    match cmd.as_str() {
        "read" => {
            let text = fs::read_to_string(path).expect("read file");
            println!("read {}: {} bytes", path.display(), text.len());
            print!("{text}");
        }
        "ls" => {
            println!("{}:", path.display());
            list(path, 2);
        }
        "write" => {
            let made = path.join("made");
            fs::create_dir(&made).expect("create_dir");
            println!("mkdir {}: ok", made.display());
            let file = made.join("note.txt");
            let text = "written by the guest\nsecond line\n";
            fs::write(&file, text).expect("write file");
            println!("wrote {}: {} bytes", file.display(), text.len());
            // Append, then read everything back through a fresh open.
            use std::io::Write;
            let mut f = fs::OpenOptions::new()
                .append(true)
                .open(&file)
                .expect("open for append");
            f.write_all(b"appended\n").expect("append");
            drop(f);
            let back = fs::read_to_string(&file).expect("read back");
            println!("read back {} bytes:", back.len());
            print!("{back}");
            fs::rename(&file, made.join("renamed.txt")).expect("rename");
            println!("renamed to renamed.txt: ok");
            println!("{}:", path.display());
            list(path, 2);
            let exists = fs::create_dir(&made).map_err(|e| e.kind());
            println!("mkdir again: {exists:?}");
        }
        "missing" => match fs::File::open(path) {
            Ok(_) => println!("missing: unexpectedly opened {}", path.display()),
            Err(e) => println!("missing: {:?}", e.kind()),
        },
        _ => {
            eprintln!("fs: unknown subcommand {cmd}");
            std::process::exit(2);
        }
    }
}
