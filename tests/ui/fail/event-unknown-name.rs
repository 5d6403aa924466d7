fn main() {
    let user = "alice";
    seclog::security_event!(authn_login_failed, user = user);
    seclog::security_event!(AUTHZ_FAIL, user = user, resource = "/admin");
}
