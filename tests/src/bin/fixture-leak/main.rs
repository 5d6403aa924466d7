//! `fixture-leak`: reads secrets, hex-encoded, one per line on stdin, and
//! for each calls handlers that receive it in every way seclog keeps out of
//! the records (see `surface.rs`), logging to the real stdout with the
//! process's configuration (`SECLOG_FORMAT`, ...). Prints `ok=N` on stderr,
//! the number of secrets whose results all came back unchanged.

mod surface;

fn unhex(line: &str) -> String {
    let bytes: Vec<u8> = (0..line.len() / 2)
        .map(|i| u8::from_str_radix(&line[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    String::from_utf8(bytes).expect("secrets are UTF-8")
}

fn main() {
    let mut ok = 0;
    for line in std::io::stdin().lines() {
        if surface::run_all(&unhex(line.unwrap().trim())) {
            ok += 1;
        }
    }
    eprintln!("ok={ok}");
}
