#[seclog::audit]
const fn limit(tier: u32) -> u32 {
    tier * 100
}

fn main() {
    limit(1);
}
