trait Accounts {
    #[seclog::audit]
    fn login(&self, user: &str) -> bool;
}

struct Memory;

impl Accounts for Memory {
    fn login(&self, user: &str) -> bool {
        user == "alice"
    }
}

fn main() {
    Memory.login("alice");
}
