// `rename_all` changes the logged names too; the match ignores case, `-`,
// `_` and `.`, as the run-time policy does.
#[derive(serde::Serialize, seclog::Redact)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
struct Outbound {
    endpoint: String,
    x_api_key: String,
}

fn main() {}
