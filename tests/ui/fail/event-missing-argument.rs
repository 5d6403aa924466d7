fn main() {
    seclog::security_event!(
        privilege_permissions_changed,
        user = "alice",
        object = "billing"
    );
}
