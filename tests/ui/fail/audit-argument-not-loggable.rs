struct Card {
    number: String,
}

#[seclog::audit]
fn pay(card: Card, amount: u64) -> u64 {
    let _ = card.number;
    amount
}

fn main() {
    pay(
        Card {
            number: "4111111111111111".into(),
        },
        10,
    );
}
