struct Accounts;

#[seclog::audit]
impl Accounts {
    fn login(&self, user: &str) -> usize {
        user.len()
    }
}

fn main() {
    Accounts.login("alice");
}
