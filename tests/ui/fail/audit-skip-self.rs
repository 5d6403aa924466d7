struct Accounts;

impl Accounts {
    #[seclog::audit(skip(self))]
    fn login(&self, user: &str) -> usize {
        user.len()
    }
}

fn main() {
    Accounts.login("alice");
}
