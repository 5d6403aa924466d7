struct Claims {
    sub: Vec<u8>,
}

#[seclog::audit(who = claims.sub, skip(claims))]
fn login(claims: &Claims) -> usize {
    claims.sub.len()
}

fn main() {
    login(&Claims { sub: vec![1] });
}
