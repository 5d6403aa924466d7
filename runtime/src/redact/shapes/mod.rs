//! Secrets found by their shape in free text.
//!
//! Types say how their fields are logged and keys say which members of
//! untyped data are sensitive, but a token pasted into a comment, a card
//! number in an upstream error or a private key in a panic message carry
//! no such sign. Their shape does: every text seclog writes that did not
//! come from a `clear` field is looked at, and each match is replaced in
//! place by `[REDACTED:<kind>]`, the words around it kept.
//!
//! | kind | shape | written as |
//! |---|---|---|
//! | [`jwt`](SecretKind::Jwt) | three base64url segments separated by dots, the first starting `eyJ` (an encoded `{"`), at least 10 and 2 characters long for the first two; up to two more segments (an encrypted token), or, after an empty second segment, three (an encrypted token whose key is agreed directly, `"alg":"dir"`) | `[REDACTED:jwt]` |
//! | [`bearer`](SecretKind::Bearer) | the word `Bearer` (any case) then spaces and a token of at least 8 characters that mixes two of lower case, upper case (after its first character) and digits | `Bearer [REDACTED:bearer]` |
//! | [`basic`](SecretKind::Basic) | the word `Basic` (any case) then spaces and base64 text that decodes to printable `user:password` | `Basic [REDACTED:basic]` |
//! | [`aws_access_key_id`](SecretKind::AwsAccessKeyId) | `AKIA` or `ASIA` and 16 upper-case letters or digits, with no letter or digit on either side | `[REDACTED:aws_access_key_id]` |
//! | [`aws_session_token`](SecretKind::AwsSessionToken) | an AWS session token as STS issues them: `IQoJb3JpZ2luX2Vj` at the start of a word, then base64 (also its `/`, `+` and `=` percent-encoded, or `\/`) to 100 or more characters in all | `[REDACTED:aws_session_token]` |
//! | [`service_token`](SecretKind::ServiceToken) | a token under a well-known service's documented prefix, at the start of a word, with a body long enough not to be a placeholder: GitHub `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` (30 or more letters and digits) and `github_pat_` (40 or more, also `_`), both cases among the letters (so `github_pat_expiration_notice_…` stays), as in all whose body is random letters and digits but Stripe's `whsec_` (which its CLI writes in hex); OpenAI and Anthropic `sk-` (`sk-proj-…`, `sk-ant-…`: 40 or more letters, digits, `_` and `-`, both cases among the letters, so a slug such as `sk-en-release-notes-…` or an upper-case code stays); Stripe `sk_live_`, `rk_live_`, `sk_test_`, `rk_test_` (20 or more) and `whsec_` (24 or more); Slack `xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`, `xoxo-` (20 or more letters, digits and `-`, the first twelve digits and dashes: the team's and user's numbers); npm `npm_` and Hugging Face `hf_` (30 or more); Shopify `shpat_`, `shpss_`, `shpca_`, `shppa_` (32 or more hex digits); DigitalOcean `dop_v1_`, `doo_v1_`, `dor_v1_` (64 or more hex digits); Google API keys `AIza` (35 or more letters, digits, `_` and `-`: Maps, Gemini, Firebase; sent as `?key=`, which no sensitive term names); Docker Hub `dckr_pat_`, Grafana `glsa_` and `glc_`, Sentry `sntrys_` and `sntryu_`, Supabase `sbp_`, PlanetScale `pscale_tkn_` and `pscale_pw_`, Linear `lin_api_`, Notion `ntn_` and `secret_`, Netlify `nfp_`, Render `rnd_`, RubyGems `rubygems_`, Figma `figd_`, 1Password `ops_`, Groq `gsk_`, Honeycomb `hcaik_` and `hcaic_` (each with its body's documented characters and a length no placeholder has). Also the secret path of an incoming webhook's `http(s)://` URL, its host and the path's known beginning kept: Slack `hooks.slack.com/services/` (and `/workflows/`, `/triggers/`), Discord `discord.com/api/webhooks/` (also `discordapp.com`, `canary.`, `ptb.`), 16 or more bytes of path; and the bot's token in a URL of Telegram's bot API (`api.telegram.org/bot<token>/…`, also `/file/bot`: its number, `:` and 30 or more letters, digits, `_` and `-`), the method after it kept | `[REDACTED:service_token]`, `https://hooks.slack.com/services/[REDACTED:service_token]` |
//! | [`private_key`](SecretKind::PrivateKey) | a PEM block whose label names a `PRIVATE KEY` or ends `SEED` (a NATS `.creds` file's `USER NKEY SEED`), from `-----BEGIN` through the matching `-----END` line, or to the end of the text when that line is missing | `[REDACTED:private_key]` |
//! | [`card_number`](SecretKind::CardNumber) | 13 to 19 digits, in groups joined by single spaces, dashes, `+` (a space in a form body) or `%20` (a space in a URL), that pass the Luhn check, begin as a card may (not with 0; with 1 only as the 15 digits of an airline's UATP card, so times since 1970 in milliseconds, microseconds and nanoseconds stay) and are not part of a longer run of letters and digits (nor a decimal number); also after the `%B` that starts a magnetic stripe's track 1, up to the `^` after the number | `[REDACTED:card_number]` |
//! | [`query_param`](SecretKind::QueryParam) | `key=value` where the key is sensitive ([`is_sensitive_key`](crate::is_sensitive_key), with the terms added at run time): the value, up to `&` where another pair begins, `;`, whitespace or the end (or a quote that closes the text around the pair), or a quoted value (logfmt's `password="a b"`) to its closing quote; after a scheme word and a space, the credential, the scheme kept (`Authorization=Api-Token …`); in the value of a key that is not sensitive, when it holds a `%`, the secrets of the value percent-decoded (a query carrying another URL, query or JSON text: `redirect_uri=https%3A%2F%2Fapp%2Fcb%3Faccess_token%3D…`), each replaced where its encoded bytes are; under `key`, `appid` or `app_id`, a value with a token's shape (as for `url_password`, up to 64 letters, digits, `-` and `_`); under `code`, an OAuth authorization code (16 or more of its first 24 bytes letters, digits, `-`, `_`, `.`, `/` and `%`, four letters and two digits among them) | `password=[REDACTED:query_param]` |
//! | [`url_password`](SecretKind::UrlPassword) | the password of a URL's `user:password@`, after `scheme://`, to the authority's last `@` (`postgres://app:hunter2@db:5432/orders`); a userinfo without a `:` when it has a token's shape (32 or more hex digits, letters and digits both among them; 24 or more letters, digits, `-` and `_` with both cases and three digits; 40 or more with four digits, as Azure DevOps' tokens: `https://<token>@github.com/…`) | `postgres://app:[REDACTED:url_password]@db:5432/orders` |
//! | [`json_value`](SecretKind::JsonValue) | the value of a `"key": value` pair whose key is sensitive, in JSON quoted as text (an upstream error quoting a request body, a response body carried as a string, JSON inside a JSON string as `\"key\":`): a quoted string's content, an object or array whole, Rust's `Debug` of a value whole (`"password": String("…")`, as `{:?}` prints a `serde_json::Value`; `Some("…")`; a struct, `HeaderValue { … }`); the value of a name and value pair whose name is sensitive (`{"name": "DB_PASSWORD", "value": "…"}` of an ECS task definition or a Kubernetes manifest, CloudFormation's `ParameterKey` and `ParameterValue`); the private members of a JSON Web Key after its `"kty"` in the same object (`"d"`, `"k"` of a symmetric key, an RSA key's `"p"`, `"q"`, `"dp"`, `"dq"`, `"qi"`); or a bare number or word | `"password":"[REDACTED:json_value]"` |
//! | [`key_value`](SecretKind::KeyValue) | the value of a `key: value` pair (a space after the colon) or a `key = value` pair (a space before the `=`: TOML, INI) whose key is sensitive, in text: Rust's `Debug` of a struct (`password: "hunter2"`, as an error or panic message prints it), YAML, a header dump (`X-Api-Key: k-123`), a Python dict (`'password': 'hunter2'`), JSON with a space before its colon (`"password" : "hunter2"`); also the strings of a tuple struct whose name is sensitive, as a newtype's `Debug` prints it (`Password("hunter2")`, `Basic("user", "…")`), or for a credential's scheme, as the `headers` crate's `Debug` prints one (`Authorization(Bearer("…"))`); a YAML `value:` under a sensitive `- name:` line (a list of variables), and a `Debug` struct's `value` after a sensitive `name` field (`EnvVar { name: "DB_PASSWORD", value: Some(…) }` of k8s-openapi, `KeyValuePair { name: Some("DB_PASSWORD"), value: … }` and `parameter_key`/`parameter_value` of the AWS SDK); the values of a database error's key when a column of it is sensitive (PostgreSQL's `Key (token)=(…) already exists.`, as sqlx and tokio-postgres print it); the value serde quotes when it complains of a value at a sensitive path (`` password: invalid type: integer `…` ``, as axum's rejection of a JSON body and `serde_path_to_error` word it, also after an error's own words; or naming the key after it, `invalid type: found string "…", expected u16 for key "default.database.password"`, as figment and config word it); a command line's sensitive flag (`--password …`, or `"--api-key" "…"` as `{:?}` of a `Command` prints it), and the password of curl's `--user name:password` and `--proxy-user`; and a sensitive key's value in a pair (`[("password", "…")]`, as `{:?}` prints a form's parameters or an environment); and the text of an XML element whose name is sensitive, in a document with a declaration or a namespace (`<SecretAccessKey>…</SecretAccessKey>`, `<ns1:Password>`, a CDATA section whole; of such an element of more elements, every text inside; names ending `Request`, `Response` or `Result` are an operation's messages). An unquoted key starts the text, a line or an item (after `{`, `(`, `[`, `,`, `;` or `-`, after the `|` of a line an error quotes with its number, `5 | password = …` of a TOML error, or a quote, where the value ends at the quote that closes it: `-H "X-Api-Key: …"`; a `Cookie` or `Set-Cookie` header also after another key's `: `, as in `response headers: set-cookie: sid=…`), so a sentence's `invalid token: expired` stays, and a PascalCase word naming a failure is an error's code, not a key (`ExpiredTokenException: …`); the value is a quoted string's content, or else what follows, read through the brackets and strings it opens (`Some("hunter2")`, a struct whole: `Session { … }`): to the end of the line after a key that starts one (YAML, INI, a header), with the lines indented under it after a YAML block indicator (`password: |`), one word after a key inside a line; after an authorization scheme word (`Bearer`, `Basic`, `Token`, `Negotiate`, `Api-Token`, `SSWS`) the credential after it, the scheme kept (after `Digest`, its parameters) | `password: "[REDACTED:key_value]"` |
//!
//! In a form body or a URL, where a space is `+` or `%20`, the space after
//! `Bearer`, `Basic` and `-----BEGIN` may be written so, the credential's
//! or block's own `+`, `/`, `=` and line breaks percent-encoded; a card
//! number's groups may be joined by `+` or `%20`. An escaped character
//! that is not a letter or digit (`%22`, or a JSON string's `\n` or
//! `\u0022` in a JSON text carried as a string) is a secret's boundary.
//!
//! JSON text carried in base64 (a Kinesis or Kafka record's data, a
//! registry's auth header) is read too: a run of base64 or base64url of at
//! least 24 characters that begins `eyJ` (`{"` encoded) and is no JWT is
//! decoded once, and when any shape is found in its text the run is
//! replaced whole, under the first one's kind. Text decoded so, or
//! percent-decoded from a pair's value, is not decoded again.
//!
//! The scheme word of a `Bearer` or `Basic` credential and the key of a
//! `key=value` pair are kept: they say what was there without revealing
//! it. Everything else stays byte for byte: UUIDs, order references,
//! timestamps, hex digests, numbers that fail the Luhn check, words.
//!
//! Users add shapes of their own with a [`SecretShape`], registered on
//! the [builder](crate::Builder::secret_shape); finding shapes can be
//! turned off there too ([`Builder::shape_detection`](crate::Builder::shape_detection)).
//!
//! Scanning costs little on the text records are made of: a vector pass
//! (SSE2 or AVX2 on x86_64, a byte at a time elsewhere) looks for what
//! every shape must contain (`=`, `J`, `@`, `":`, `: `, `:/`, `("`, `--`,
//! `IA`, `Iz`, `Ba`/`Be` in any case, `_`, `k-`, thirteen digits and
//! separators), and only a text where something is found is scanned
//! exactly.

use super::Policy;
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

mod detect;
mod find;
#[cfg(test)]
mod tests;
#[cfg(target_arch = "x86_64")]
pub(crate) mod vector;

use detect::*;
pub(crate) use find::*;

/// The kinds of secret seclog finds by their shape, named in the marker
/// that replaces them: `[REDACTED:<name>]`.
///
/// ```
/// use seclog::redact::shapes::SecretKind;
///
/// assert_eq!(SecretKind::Jwt.name(), "jwt");
/// assert_eq!(SecretKind::CardNumber.to_string(), "[REDACTED:card_number]");
/// assert_eq!(SecretKind::Custom("employee_id").to_string(), "[REDACTED:employee_id]");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecretKind {
    /// A JSON Web Token (signed, or encrypted with five segments).
    Jwt,
    /// The token of a `Bearer` credential; the scheme word is kept.
    Bearer,
    /// The `user:password` of a `Basic` credential; the scheme word is kept.
    Basic,
    /// An AWS access key id (`AKIA…` long-term, `ASIA…` temporary).
    AwsAccessKeyId,
    /// An AWS session token, as STS issues them (`IQoJb3JpZ2luX2Vj…`),
    /// which with its access key id and secret key signs requests until
    /// it expires.
    AwsSessionToken,
    /// A token a well-known service issues under a documented prefix:
    /// GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`),
    /// OpenAI and Anthropic (`sk-`), Stripe (`sk_live_`, `rk_live_`,
    /// `sk_test_`, `rk_test_`, `whsec_`), Slack (`xoxb-`, `xoxp-`, …),
    /// npm (`npm_`), Hugging Face (`hf_`), Shopify (`shpat_`, …),
    /// DigitalOcean (`dop_v1_`, …), Google's API keys (`AIza…`), Docker
    /// Hub (`dckr_pat_`), Grafana, Sentry, Supabase, PlanetScale, Linear,
    /// Notion, Netlify, Render, RubyGems, Figma, 1Password, Groq and
    /// Honeycomb; also
    /// the secret path of a Slack or Discord incoming webhook's URL, and
    /// the bot's token in a URL of Telegram's bot API. See
    /// the table of the [module](crate::redact::shapes).
    ServiceToken,
    /// A PEM private key block.
    PrivateKey,
    /// A payment card number (a Luhn-valid primary account number).
    CardNumber,
    /// The value of a `key=value` pair whose key is sensitive.
    QueryParam,
    /// The password of a URL's `user:password@` (a connection string in
    /// an error message, say); the scheme, user and host are kept.
    UrlPassword,
    /// The value of a `"key": value` pair whose key is sensitive, in JSON
    /// quoted as text (a response body carried as a string, an upstream
    /// error quoting a request); the key is kept.
    JsonValue,
    /// The value of a `key: value` pair whose key is sensitive, in text
    /// such as Rust's `Debug` of a struct, YAML or a header dump, or the
    /// string of a tuple struct whose name is (`Password("…")`), or the
    /// text of an XML element whose name is; the key or name is kept.
    KeyValue,
    /// Found by a [`SecretShape`] the user registered, under its name.
    Custom(&'static str),
}

impl SecretKind {
    /// The kinds seclog finds by itself; when two matches begin at the
    /// same place, the kind that comes first here names them.
    pub const BUILT_IN: [SecretKind; 12] = [
        SecretKind::PrivateKey,
        SecretKind::Jwt,
        SecretKind::AwsAccessKeyId,
        SecretKind::AwsSessionToken,
        SecretKind::ServiceToken,
        SecretKind::CardNumber,
        SecretKind::Bearer,
        SecretKind::Basic,
        SecretKind::UrlPassword,
        SecretKind::JsonValue,
        SecretKind::KeyValue,
        SecretKind::QueryParam,
    ];

    /// The name written in the marker (`jwt`, `card_number`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            SecretKind::Jwt => "jwt",
            SecretKind::Bearer => "bearer",
            SecretKind::Basic => "basic",
            SecretKind::AwsAccessKeyId => "aws_access_key_id",
            SecretKind::AwsSessionToken => "aws_session_token",
            SecretKind::ServiceToken => "service_token",
            SecretKind::PrivateKey => "private_key",
            SecretKind::CardNumber => "card_number",
            SecretKind::QueryParam => "query_param",
            SecretKind::UrlPassword => "url_password",
            SecretKind::JsonValue => "json_value",
            SecretKind::KeyValue => "key_value",
            SecretKind::Custom(name) => name,
        }
    }

    /// The marker of a built-in kind, ready to copy.
    fn static_marker(&self) -> Option<&'static str> {
        Some(match self {
            SecretKind::Jwt => "[REDACTED:jwt]",
            SecretKind::Bearer => "[REDACTED:bearer]",
            SecretKind::Basic => "[REDACTED:basic]",
            SecretKind::AwsAccessKeyId => "[REDACTED:aws_access_key_id]",
            SecretKind::AwsSessionToken => "[REDACTED:aws_session_token]",
            SecretKind::ServiceToken => "[REDACTED:service_token]",
            SecretKind::PrivateKey => "[REDACTED:private_key]",
            SecretKind::CardNumber => "[REDACTED:card_number]",
            SecretKind::QueryParam => "[REDACTED:query_param]",
            SecretKind::UrlPassword => "[REDACTED:url_password]",
            SecretKind::JsonValue => "[REDACTED:json_value]",
            SecretKind::KeyValue => "[REDACTED:key_value]",
            SecretKind::Custom(_) => return None,
        })
    }

    /// Appends the marker, `[REDACTED:<name>]`, to `out`.
    pub(crate) fn push_marker(&self, out: &mut Vec<u8>) {
        match self.static_marker() {
            Some(marker) => out.extend_from_slice(marker.as_bytes()),
            None => {
                out.extend_from_slice(b"[REDACTED:");
                out.extend_from_slice(self.name().as_bytes());
                out.push(b']');
            }
        }
    }

    /// The place of a kind in [`BUILT_IN`](Self::BUILT_IN), the user's
    /// after: which names two matches that start at the same place.
    fn rank(&self) -> (usize, &'static str) {
        match Self::BUILT_IN.iter().position(|k| k == self) {
            Some(rank) => (rank, ""),
            None => (Self::BUILT_IN.len(), self.name()),
        }
    }

    /// The length of the marker in bytes.
    pub(crate) fn marker_len(&self) -> usize {
        "[REDACTED:]".len() + self.name().len()
    }
}

/// The marker that replaces a secret of this kind: `[REDACTED:<name>]`.
impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[REDACTED:{}]", self.name())
    }
}

/// Whether `name` can name a user's kind: 1 to 32 of `a-z`, `0-9` and `_`,
/// so the marker it makes is plain text that never needs escaping.
pub(crate) fn is_valid_kind_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A shape of secret of the user's own, registered with
/// [`Builder::secret_shape`](crate::Builder::secret_shape) under a kind
/// name: each match is written `[REDACTED:<name>]`.
///
/// `find` returns the first match that starts at or after byte `from` of
/// `text`, as a byte range; seclog calls it again after each match, so it
/// never needs to allocate. A closure of that signature is a shape. User
/// shapes see every text seclog scans (there is no prefilter for them), so
/// keep them cheap; a range that is empty, out of bounds or before `from`
/// ends the search in that text, a range inside a character grows to whole
/// characters, and a shape that panics has the whole text redacted under
/// its name.
///
/// ```
/// use std::ops::Range;
///
/// /// Employee ids: `EMP-` and six digits.
/// fn employee_id(text: &str, from: usize) -> Option<Range<usize>> {
///     let at = from + text.get(from..)?.find("EMP-")?;
///     let digits = text.as_bytes().get(at + 4..at + 10)?;
///     if digits.iter().all(u8::is_ascii_digit) {
///         Some(at..at + 10)
///     } else {
///         employee_id(text, at + 4)
///     }
/// }
///
/// let config = seclog::builder().secret_shape("employee_id", employee_id).build().unwrap();
/// let text = seclog::testing::with_config(config, || {
///     seclog::redact_text("approved by EMP-004211 today").into_owned()
/// });
/// assert_eq!(text, "approved by [REDACTED:employee_id] today");
/// ```
pub trait SecretShape: Send + Sync + 'static {
    /// The first match starting at or after `from`, as a byte range of `text`.
    fn find(&self, text: &str, from: usize) -> Option<Range<usize>>;
}

impl<F> SecretShape for F
where
    F: Fn(&str, usize) -> Option<Range<usize>> + Send + Sync + 'static,
{
    fn find(&self, text: &str, from: usize) -> Option<Range<usize>> {
        self(text, from)
    }
}

/// Finding secrets by their shape as configured: on (the default) or off,
/// and the user's shapes by kind name.
pub(crate) struct Shapes {
    pub(crate) on: bool,
    pub(crate) custom: Vec<(&'static str, Box<dyn SecretShape>)>,
}

impl Shapes {
    /// The default: the built-in shapes, none of the user's.
    pub(crate) const DEFAULT: Shapes = Shapes {
        on: true,
        custom: Vec::new(),
    };

    /// Off: nothing is scanned.
    pub(crate) const OFF: Shapes = Shapes {
        on: false,
        custom: Vec::new(),
    };
}

/// The default settings, for writers made before a configuration is known.
pub(crate) static DEFAULT: Shapes = Shapes::DEFAULT;

/// Finding shapes turned off.
pub(crate) static OFF: Shapes = Shapes::OFF;

/// One secret found: where it is in the text, and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: SecretKind,
}

/// Finds the built-in shapes in `text`, appending them to `found` in order
/// of position, never overlapping; `policy` judges the key of a
/// `key=value` pair. Linear in the length of the text whatever it holds:
/// each detector's look is bounded, or skips what it has read.
///
/// A vector pass ([`find`]) finds the few places a shape can begin and the
/// runs of digits, spaces and dashes long enough to hold a card number,
/// and only those are looked at.
pub(crate) fn scan(text: &str, policy: &Policy, found: &mut Vec<Found>) {
    let first = found.len();
    let mut progress = Progress::default();
    find(
        text.as_bytes(),
        &mut Finder::new(text, policy, found, &mut progress),
    );
    settle(text, found, first);
}

/// What a vector pass over a text reports.
pub(crate) trait Places {
    /// A place where a shape other than a card number may begin (see
    /// [`find`]).
    fn at(&mut self, p: usize);
    /// Thirteen digits, spaces or dashes in a row from `window`: a card
    /// number may be in the run around them.
    fn run(&mut self, window: usize);
}

/// Where the authority around an `@` begins, that `@`, and the first `:`
/// between: the bytes between hold nothing that ends an authority.
#[derive(Clone, Copy, Default)]
struct Authority {
    from: usize,
    last: usize,
    colon: Option<usize>,
}

/// How far a [`Finder`] has got in its text. A writer keeps one for all
/// the strings it writes, and it is made new only for a text after one
/// where something was looked at: most texts have no place worth a look,
/// and then nothing of it changed.
#[derive(Default)]
pub(crate) struct Progress {
    /// Where the next match of each kind may begin: a `key=value` value,
    /// a JWT, a private key, an AWS key id, a credential, a card run, a
    /// quoted pair's value, a `key: value` pair's value (also of a spaced
    /// `key = value` or a `Name("…")`), a service's token, a webhook's
    /// secret path. A JWT's is also past the first segment of a `eyJ`
    /// that was not one: a later `eyJ` inside it would read the same
    /// segments again.
    next: [usize; 10],
    /// The authority around the last `@` looked at, so that the next `@`
    /// reads back only as far as that one.
    authority: Authority,
    /// The first `%` at or after the last place it was looked for from
    /// (the text's length when there is none); before that place, it
    /// says nothing.
    percent: usize,
    /// Where the value of the last `key=value` pair read for
    /// percent-encoded text ends: the `=`s before are inside it. In a
    /// value percent-decoded, which is not decoded again, the largest
    /// `usize`.
    encoded_to: usize,
    /// Where the members of the JSON Web Key whose `"kty"` key was seen
    /// last follow it (see [`json_value_at`]).
    jwk: Option<usize>,
    /// Where the last base64 run read for JSON text ends (see
    /// [`base64_json`]): the `eyJ`s before are inside it. In text decoded
    /// already, which is not decoded again, the largest `usize`.
    base64_to: usize,
    /// Whether the XML in the text was read (from the first `=` of its
    /// declaration or a namespace's).
    xml: bool,
    /// Whether anything of it changed: a place was looked at, or a run.
    touched: bool,
}

/// Looks at the places a vector pass reports, and collects the matches.
/// Each kind is looked for on its own: one kind's match never hides the
/// beginning of another's (overlaps are merged afterwards), while matches
/// of one kind never overlap, so a place inside the last one is not looked
/// at again.
pub(crate) struct Finder<'a> {
    text: &'a str,
    policy: &'a Policy,
    pub(crate) found: &'a mut Vec<Found>,
    progress: &'a mut Progress,
}

impl<'a> Finder<'a> {
    /// A finder for `text` that appends to `found`, starting `progress`
    /// anew when a text before changed it.
    #[inline(always)]
    pub(crate) fn new(
        text: &'a str,
        policy: &'a Policy,
        found: &'a mut Vec<Found>,
        progress: &'a mut Progress,
    ) -> Self {
        if progress.touched {
            *progress = Progress::default();
        }
        Finder {
            text,
            policy,
            found,
            progress,
        }
    }
}

impl Places for Finder<'_> {
    #[inline(always)]
    fn at(&mut self, p: usize) {
        // Most places are refused by a byte or two around them, without
        // a call: `b` inside a word, `J` not after `ey`, `=` without a
        // value or a key.
        let b = self.text.as_bytes();
        let before = |k: usize| if p >= k { b[p - k] } else { b' ' };
        let worth = match b[p] {
            // A database error's `Key (token)=(…)` too.
            b'=' => {
                let after = b.get(p + 1).copied();
                (is_key_byte(before(1))
                    || before(1) == b' '
                    || before(1) == b')' && after == Some(b'('))
                    && after.is_some_and(|c| c != b'=' && c != b'&')
            }
            b'J' => before(2) == b'e' && before(1) == b'y',
            // `AKIA`, `ASIA`, `AIza`, `IQoJ` of a session token.
            b'I' => before(2) == b'A' || before(1) == b'A' || b.get(p + 1) == Some(&b'Q'),
            // `-----BEGIN`, or a flag starting a word: `--password`.
            b'-' => {
                b.get(p + 4) == Some(&b'-')
                    || matches!(before(1), b' ' | b'"' | b'\'')
                        && b.get(p + 2).is_some_and(u8::is_ascii_alphabetic)
            }
            b'@' => p >= 5,
            b'"' => p >= 2,
            // `"key":` is the place of the `"` before.
            // `https://` of a webhook's URL, or a `key: value` pair.
            b':' if b.get(p + 1) == Some(&b'/') => {
                matches!(before(1) | 0x20, b'p' | b's')
                    && b.get(p + 3..).is_some_and(is_webhook_host_start)
            }
            b':' => p >= 1 && before(1) != b'"',
            // A tuple struct's name before `("`, or a pair's key after it.
            b'(' => true,
            // Every service token's prefix has a lower-case letter
            // before its first `_`; `sk-` is the one with `k` before `-`.
            b'_' => before(1).is_ascii_lowercase(),
            b'k' => before(1) == b's',
            _ => !is_alnum(before(1)) || after_escape(b, p),
        };
        if worth {
            self.look(p);
        }
    }

    #[inline(never)]
    fn run(&mut self, window: usize) {
        self.progress.touched = true;
        if window < self.progress.next[5] {
            return;
        }
        let b = self.text.as_bytes();
        let mut start = window;
        while start > 0 && is_card_byte(b[start - 1]) {
            start -= 1;
        }
        let end = run(b, window + CARD_RUN, is_card_byte);
        read(window - start);
        self.progress.next[5] = end;
        cards_in(b, start, end, self.found);
        // A Slack token's digits and dashes follow `xoxb-` (its `-` is
        // the run's first byte).
        if start >= 4 && start - 4 >= self.progress.next[8] && b[start] == b'-' {
            if let Some(hit) = service_token_at(b, start - 4) {
                self.progress.next[8] = hit.end;
                self.found.push(hit);
            }
        }
    }
}

impl Finder<'_> {
    /// The password of a URL that the `@` at `p` ends, if any (see
    /// [`url_password`]). The authority's start is read back no further
    /// than the `@` looked at before (whose authority holds when nothing
    /// between ends it), and its first `:` looked for only past that `@`:
    /// each byte is read once, however many `@`s there are.
    fn url_password_at(&mut self, p: usize) -> Option<Found> {
        let b = self.text.as_bytes();
        let Authority {
            mut from,
            last,
            mut colon,
        } = self.progress.authority;
        let mut k = p;
        while k > last {
            if ends_authority(b[k - 1]) {
                from = k;
                colon = None;
                break;
            }
            k -= 1;
        }
        let searched = k.max(from);
        read(p - k);
        if colon.is_none() {
            colon = b[searched..p]
                .iter()
                .position(|&c| c == b':')
                .map(|c| searched + c);
            read(p - searched);
        }
        // A userinfo without a `:` that holds an `@` (an email address)
        // is a name, and was judged at its first `@`.
        let judged = colon.is_none() && last > 0 && last >= from;
        self.progress.authority = Authority {
            from,
            last: p,
            colon,
        };
        match judged {
            true => None,
            false => url_password(b, from, colon, p),
        }
    }

    /// The secrets in the percent-encoded text of the value of a
    /// `key=value` pair whose key is not sensitive, whose `=` is at `p`:
    /// a query or form value that carries another URL, query or JSON text
    /// (`redirect_uri=https%3A%2F%2Fapp%2Fcb%3Faccess_token%3D…`,
    /// `payload=%7B%22password%22%3A%22…%22%7D`). The value (to where a
    /// `key=value` value ends) is decoded once and its shapes found; each
    /// is replaced where its encoded bytes are. A value holding no `%`
    /// is not decoded; each byte is looked at once for a `%` and once as
    /// such a value.
    #[inline(never)]
    fn encoded_value_at(&mut self, p: usize) {
        let b = self.text.as_bytes();
        let start = p + 1;
        if p < self.progress.encoded_to {
            return;
        }
        match b.get(start) {
            Some(&c) if c != b'&' && !c.is_ascii_whitespace() => {}
            _ => return,
        }
        if self.progress.percent < start {
            self.progress.percent = next_percent(self.text, start);
            read(self.progress.percent - start);
        }
        let percent = self.progress.percent;
        if percent == b.len() {
            return;
        }
        let end = query_value_end(b, start);
        read(end - start);
        self.progress.encoded_to = end;
        if percent < end {
            decode_value(self.text, start, end, self.policy, self.found);
        }
    }

    /// Looks at place `p` for the shape its byte can belong to.
    #[inline(never)]
    fn look(&mut self, p: usize) {
        self.progress.touched = true;
        let b = self.text.as_bytes();
        let (hit, kind) = match b[p] {
            // `key = value`, spaced as TOML and INI files space it.
            b'=' if p >= 1 && b[p - 1] == b' ' => match p >= self.progress.next[7] {
                true => (key_value_at(self.text, p, self.policy), 7),
                false => return,
            },
            b'=' if p >= self.progress.next[0] => match query_value_at(self.text, p, self.policy) {
                // A database error's key (`Key (email)=(…)`) is no pair.
                None if p >= 1 && b[p - 1] == b')' => return,
                None => {
                    if !self.progress.xml && declares_xml(b, p) {
                        self.progress.xml = true;
                        xml_elements(self.text, self.policy, self.found);
                    }
                    return self.encoded_value_at(p);
                }
                hit => (hit, 0),
            },
            b'"' if p >= self.progress.next[6] => {
                let jwk = &mut self.progress.jwk;
                (json_value_at(self.text, p, p + 1, self.policy, jwk), 6)
            }
            b':' if b.get(p + 1) == Some(&b'/') => match p >= self.progress.next[9] {
                true => (webhook_at(b, p), 9),
                false => return,
            },
            b':' if p >= self.progress.next[7] => (key_value_at(self.text, p, self.policy), 7),
            b'(' if p >= self.progress.next[7] => (tuple_value_at(self.text, p, self.policy), 7),
            b'J' if p >= 2 && p - 2 >= self.progress.next[1] => match jwt_at(b, p - 2) {
                Ok(hit) => (Some(hit), 1),
                Err(seen) => {
                    self.progress.next[1] = seen;
                    if p - 2 >= self.progress.base64_to && base64_json_starts(b, p - 2) {
                        self.progress.base64_to =
                            base64_json(self.text, p - 2, self.policy, self.found);
                    }
                    return;
                }
            },
            // `--password value` of a command line (a flag starts a word),
            // `-----BEGIN` of a key.
            b'-' if b.get(p + 2).is_some_and(u8::is_ascii_alphabetic)
                && (p == 0 || matches!(b[p - 1], b' ' | b'"' | b'\'')) =>
            {
                match p >= self.progress.next[7] {
                    true => (flag_value_at(self.text, p, self.policy), 7),
                    false => return,
                }
            }
            b'-' if p >= self.progress.next[2] => (private_key_at(b, p), 2),
            b'I' if b.get(p + 1) == Some(&b'z') => match p > self.progress.next[8] {
                true => (service_token_at(b, p - 1), 8),
                false => return,
            },
            b'I' if b.get(p + 1) == Some(&b'Q') => match p >= self.progress.next[3] {
                true => (session_token_at(b, p), 3),
                false => return,
            },
            b'I' if p >= 2 && p - 2 >= self.progress.next[3] => (aws_at(b, p - 2), 3),
            b'B' | b'b' if p >= self.progress.next[4] => (credential_at(b, p), 4),
            b'_' => match service_token_underscores()
                .filter(|&w| p >= w && p - w >= self.progress.next[8])
                .find_map(|w| service_token_at(b, p - w))
            {
                Some(hit) => (Some(hit), 8),
                None => return,
            },
            b'k' if p > self.progress.next[8] => (service_token_at(b, p - 1), 8),
            b'@' => {
                let hit = self.url_password_at(p);
                self.found.extend(hit);
                return;
            }
            _ => return,
        };
        if let Some(hit) = hit {
            self.progress.next[kind] = hit.end;
            self.found.push(hit);
        }
    }
}

/// The longest value decoded on the stack: longer ones are decoded into
/// memory of their own, which few texts need.
const ENCODED_ON_STACK: usize = 512;

/// The first `%` of `text` at or after `from` (a character boundary), or
/// the length of `text`.
fn next_percent(text: &str, from: usize) -> usize {
    // `str::find` of an ASCII character searches a word at a time.
    text[from..].find('%').map_or(text.len(), |k| from + k)
}

/// [`decoded_shapes`] of `source[start..end]`, decoded on the stack when
/// it is short.
#[cold]
#[inline(never)]
fn decode_value(source: &str, start: usize, end: usize, policy: &Policy, found: &mut Vec<Found>) {
    let n = end - start;
    if n <= ENCODED_ON_STACK {
        let mut text = [0u8; ENCODED_ON_STACK];
        let mut from = [0usize; ENCODED_ON_STACK + 1];
        decoded_shapes(source, start, end, &mut text, &mut from, policy, found);
    } else {
        let (mut text, mut from) = (vec![0u8; n], vec![0usize; n + 1]);
        decoded_shapes(source, start, end, &mut text, &mut from, policy, found);
    }
}

/// Appends to `found` the shapes in `source[start..end]` percent-decoded,
/// where their encoded bytes are: the text decoded goes in `text` (as
/// long as the value), the offset in the value of each decoded byte's
/// source in `from` (one more, for the end). A decoded byte that makes
/// no UTF-8 is read as `?`.
fn decoded_shapes(
    source: &str,
    start: usize,
    end: usize,
    text: &mut [u8],
    from: &mut [usize],
    policy: &Policy,
    found: &mut Vec<Found>,
) {
    let b = &source.as_bytes()[start..end];
    let (mut i, mut n) = (0, 0);
    while i < b.len() {
        from[n] = i;
        text[n] = match escape_at(b, i) {
            Some(c) => {
                i += 3;
                c
            }
            None => {
                i += 1;
                b[i - 1]
            }
        };
        n += 1;
    }
    from[n] = b.len();
    if n == b.len() {
        // Nothing was encoded: the text itself was looked at.
        return;
    }
    let text = &mut text[..n];
    if std::str::from_utf8(text).is_err() {
        for c in text.iter_mut().filter(|c| !c.is_ascii()) {
            *c = b'?';
        }
    }
    let Ok(decoded) = std::str::from_utf8(text) else {
        return;
    };
    let mut inner = Vec::new();
    nested_scan(decoded, policy, &mut inner);
    // Bytes not encoded may be part of a character of several: each
    // match covers whole ones.
    found.extend(inner.into_iter().map(|f| Found {
        start: floor_char_boundary(source, start + from[f.start]),
        end: ceil_char_boundary(source, start + from[f.end]),
        kind: f.kind,
    }));
}

/// [`scan`] of a text decoded from a value, which is not decoded again:
/// neither percent-encoded text nor base64 in it is read.
fn nested_scan(decoded: &str, policy: &Policy, found: &mut Vec<Found>) {
    let mut progress = Progress {
        encoded_to: usize::MAX,
        base64_to: usize::MAX,
        ..Progress::default()
    };
    let first = found.len();
    find(
        decoded.as_bytes(),
        &mut Finder::new(decoded, policy, found, &mut progress),
    );
    settle(decoded, found, first);
}

/// The longest base64 run decoded on the stack: longer ones are decoded
/// into memory of their own.
const BASE64_ON_STACK: usize = 1024;

/// The fewest characters of a base64 run read for JSON text: 18 bytes
/// (`{"password":"x"}` has 16).
const BASE64_JSON_LEAST: usize = 24;

/// Whether the `eyJ` at `i` (`{"` in base64) begins a base64 run: no
/// character of base64 or base64url comes right before it.
pub(crate) fn base64_json_starts(b: &[u8], i: usize) -> bool {
    word_starts(b, i) && !(i > 0 && matches!(b[i - 1], b'+' | b'/' | b'-' | b'_'))
}

/// The shapes of the JSON text that the base64 run beginning at `start`
/// (with `eyJ`, `{"` encoded; see [`base64_json_starts`]) decodes to, as
/// Kinesis, Kafka and Firehose records carry their data, a header a
/// client's context or a registry's credential: base64 hides a secret
/// from no one who reads the log. The run is of base64's or base64url's
/// characters and up to two `=`, at least [`BASE64_JSON_LEAST`]; when a
/// shape is found in its text ([`nested_scan`]), the
/// run is replaced whole, under the kind of the first. What does not
/// decode to UTF-8 is read to where it stops. Returns where the run ends:
/// its bytes are read once.
#[cold]
#[inline(never)]
pub(crate) fn base64_json(
    text: &str,
    start: usize,
    policy: &Policy,
    found: &mut Vec<Found>,
) -> usize {
    let b = text.as_bytes();
    let chars = run(b, start, |c| {
        is_alnum(c) || matches!(c, b'+' | b'/' | b'-' | b'_')
    });
    let end = chars
        + b[chars..]
            .iter()
            .take(2)
            .take_while(|&&c| c == b'=')
            .count();
    read(end - start);
    let n = chars - start;
    if n < BASE64_JSON_LEAST {
        return end;
    }
    let mut inner = Vec::new();
    if n <= BASE64_ON_STACK {
        let mut bytes = [0u8; BASE64_ON_STACK / 4 * 3];
        decoded_json(&b[start..chars], &mut bytes, policy, &mut inner);
    } else {
        let mut bytes = vec![0u8; n / 4 * 3 + 3];
        decoded_json(&b[start..chars], &mut bytes, policy, &mut inner);
    }
    if let Some(first) = inner.first() {
        found.push(Found {
            start,
            end,
            kind: first.kind,
        });
    }
    end
}

/// Decodes the base64 `chars` into `bytes` (three bytes for four
/// characters, a last partial group kept) and scans the UTF-8 text they
/// begin with ([`nested_scan`]).
fn decoded_json(chars: &[u8], bytes: &mut [u8], policy: &Policy, inner: &mut Vec<Found>) {
    let (mut bits, mut count, mut n) = (0u32, 0u32, 0);
    for &c in chars {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            _ => 63,
        };
        bits = bits << 6 | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            bytes[n] = (bits >> count) as u8;
            bits &= (1 << count) - 1;
            n += 1;
        }
    }
    let decoded = match std::str::from_utf8(&bytes[..n]) {
        Ok(decoded) => decoded,
        // A valid prefix: whole characters.
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
    };
    nested_scan(decoded, policy, inner);
}

/// Looks for card numbers in the run `start..end` of digits and
/// separators: from each group of digits, so a card overlapping a longer
/// valid number before it is still covered (overlaps are merged
/// afterwards). The digits of a percent-encoded character (`%20`) are not
/// a group.
pub(crate) fn cards_in(b: &[u8], start: usize, end: usize, found: &mut Vec<Found>) {
    let mut i = start;
    while i < end {
        let escape = match track_one_at(b, i) {
            true => None,
            false => escape_around(b, i),
        };
        if let Some(after) = escape {
            // A run may begin inside an escape (`%b7` before digits).
            i = after;
        } else if b[i].is_ascii_digit() {
            if let Some(hit) = card_at(b, i) {
                found.push(hit);
            }
            i = run(b, i, |c| c.is_ascii_digit());
        } else if escape_at(b, i).is_some() {
            i += 3;
        } else {
            i += 1;
        }
    }
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// The end of the run of bytes from `i` that satisfy `f`.
fn run(b: &[u8], mut i: usize, f: impl Fn(u8) -> bool) -> usize {
    let from = i;
    while i < b.len() && f(b[i]) {
        i += 1;
    }
    read(i - from);
    i
}

/// Runs the user's shapes over `text`, appending what they find to
/// `found` (unordered across shapes). A shape that panics has the whole
/// text redacted under its name.
pub(crate) fn scan_custom(text: &str, shapes: &Shapes, found: &mut Vec<Found>) {
    for (name, shape) in &shapes.custom {
        let kind = SecretKind::Custom(name);
        let before = found.len();
        let search = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut from = 0;
            while from < text.len() {
                let Some(range) = shape.find(text, from) else {
                    break;
                };
                if range.start < from || range.start >= range.end || range.end > text.len() {
                    break;
                }
                let start = floor_char_boundary(text, range.start);
                let end = ceil_char_boundary(text, range.end);
                found.push(Found { start, end, kind });
                from = end;
            }
        }));
        if search.is_err() {
            found.truncate(before);
            found.push(Found {
                start: 0,
                end: text.len(),
                kind,
            });
        }
    }
}

/// Puts `found[from..]` (matches in `text`) in order of position and
/// merges overlapping matches: the one that starts first names the union
/// (at the same place, the kind first in [`SecretKind::BUILT_IN`], then
/// the user's). Each match is first grown to whole characters of `text`,
/// as a user's shape's range is: the detectors end theirs on ASCII bytes
/// or their caps on a boundary, and a slip would otherwise show part of a
/// character, or fail to slice.
pub(crate) fn settle(text: &str, found: &mut Vec<Found>, from: usize) {
    let tail = &mut found[from..];
    for f in tail.iter_mut() {
        f.start = floor_char_boundary(text, f.start.min(text.len()));
        f.end = ceil_char_boundary(text, f.end.clamp(f.start, text.len()));
    }
    if tail.windows(2).all(|w| w[0].end <= w[1].start) {
        return;
    }
    tail.sort_unstable_by_key(|f| (f.start, f.kind.rank()));
    let mut kept = 0;
    for k in 1..tail.len() {
        let next = tail[k];
        if next.start < tail[kept].end {
            tail[kept].end = tail[kept].end.max(next.end);
        } else {
            kept += 1;
            tail[kept] = next;
        }
    }
    found.truncate(from + kept + 1);
}

/// How much of a text with markers was written, and how long it is.
pub(crate) struct Written {
    /// Bytes of the text as logged (markers in place of secrets) written.
    pub(crate) shown: usize,
    /// Bytes of the text as logged in all.
    pub(crate) whole: usize,
}

/// Appends `text` as the content of a JSON string (escaped, without
/// quotes) with each of `found` (settled) replaced by its marker: at most
/// `max` bytes of the text so made (as `json::write_escaped` bounds
/// text), and stopping before the buffer passes `out_limit`. A cut never
/// splits a character or a marker, and never shows part of a secret: the
/// secrets were replaced before the text was cut.
pub(crate) fn write_redacted(
    buf: &mut Vec<u8>,
    text: &str,
    found: &[Found],
    max: usize,
    out_limit: usize,
) -> Written {
    let whole = text.len() + found.iter().map(|f| f.kind.marker_len()).sum::<usize>()
        - found.iter().map(|f| f.end - f.start).sum::<usize>();
    let mut shown = 0;
    let mut at = 0;
    for f in found {
        let piece = &text[at..f.start];
        let taken = crate::json::write_escaped(buf, piece, max - shown, out_limit);
        shown += taken;
        if taken < piece.len() {
            return Written { shown, whole };
        }
        let marker = f.kind.marker_len();
        if shown + marker > max || buf.len() + marker > out_limit {
            return Written { shown, whole };
        }
        f.kind.push_marker(buf);
        shown += marker;
        at = f.end;
    }
    shown += crate::json::write_escaped(buf, &text[at..], max - shown, out_limit);
    Written { shown, whole }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// `text` with the shapes found in it (the built-in ones under `policy`,
/// and the user's) replaced by their markers; borrowed when nothing was
/// found, or when finding shapes is off.
pub(crate) fn redact_text_in<'a>(text: &'a str, policy: &Policy, shapes: &Shapes) -> Cow<'a, str> {
    if !shapes.on {
        return Cow::Borrowed(text);
    }
    let mut found = Vec::new();
    scan(text, policy, &mut found);
    scan_custom(text, shapes, &mut found);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    settle(text, &mut found, 0);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in &found {
        out.push_str(&text[at..f.start]);
        out.push_str(&f.kind.to_string());
        at = f.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}
