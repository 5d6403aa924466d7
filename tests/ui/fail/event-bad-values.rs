struct Token;

fn main() {
    seclog::security_event!(authn_login_lock, user = "alice", reason = "too_many");
    seclog::security_event!(
        malicious_cors,
        user = "alice",
        ip = "192.0.2.1",
        referer = "x"
    );
    seclog::security_event!(authn_token_reuse, user = "alice", tokenid = Token);
}
