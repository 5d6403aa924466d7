// Generic types are checked like any other.
#[derive(seclog::Redact)]
struct Page<T> {
    items: Vec<T>,
    next_page_token: Option<String>,
}

fn main() {}
