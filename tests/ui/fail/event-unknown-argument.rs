fn main() {
    seclog::security_event!(authz_fail, user = "alice", resourse = "/admin");
}
