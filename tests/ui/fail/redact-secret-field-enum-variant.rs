// The fields of each variant are checked under their logged names
// (`rename_all_fields`); tuple fields have no name to check, and a variant
// serde skips is not logged.
#[derive(serde::Serialize, seclog::Redact)]
#[serde(rename_all_fields = "camelCase")]
enum Credentials {
    Basic { user: String, pass_word: String },
    Bearer(String),
    Key { #[redact] key: String, key_id: String },
    #[serde(skip)]
    Internal { session: String },
}

fn main() {}
