// Every way to settle a field named like a secret: a mask, `skip`, or
// `clear` for a name that only looks secret; fields not logged (skipped by
// serde, in a variant serde skips, without a name, or flattened) are not
// checked.
#[derive(serde::Serialize, seclog::Redact)]
#[serde(rename_all = "camelCase")]
struct Account {
    user_name: String,
    #[redact]
    password: String,
    #[redact(hash)]
    session_id: String,
    #[redact(keep_last = 4)]
    card_number: String,
    #[redact(skip)]
    api_key: String,
    #[redact(clear)]
    token_count: u32,
    #[redact(clear)]
    password_policy: String,
    #[serde(skip)]
    secret: String,
}

#[derive(serde::Serialize, seclog::Redact)]
enum Login {
    Password(String, #[redact] String),
    Token {
        #[redact(clear)]
        token_type: String,
        #[redact]
        token: String,
    },
    #[serde(skip)]
    #[allow(dead_code)]
    Cookie { cookie: String },
}

// A flattened field's name is not written, only the members of its value,
// each settled where its type is declared: the name is not checked.
#[derive(serde::Serialize, seclog::Redact)]
#[allow(dead_code)]
struct Session {
    #[serde(flatten)]
    credentials: Account,
}

#[derive(seclog::Redact)]
struct Wrapper<T> {
    #[redact(clear)]
    secret_santa: T,
}

#[seclog::audit]
fn open(account: Account, login: Login, gift: Wrapper<String>) -> u32 {
    account.token_count + login_len(&login) + gift.secret_santa.len() as u32
}

fn login_len(login: &Login) -> u32 {
    match login {
        Login::Password(user, _) => user.len() as u32,
        Login::Token { token_type, .. } => token_type.len() as u32,
        Login::Cookie { .. } => 0,
    }
}

fn main() {
    let _ = open(
        Account {
            user_name: "alice".into(),
            password: "hunter2".into(),
            session_id: "s-1".into(),
            card_number: "4111111111111111".into(),
            api_key: "ak".into(),
            token_count: 3,
            password_policy: "min 12".into(),
            secret: "x".into(),
        },
        Login::Password("alice".into(), "hunter2".into()),
        Wrapper { secret_santa: "bob".into() },
    );
}
