//! The built-in detectors, each looking at one place a vector pass
//! reported: JSON Web Tokens, `Bearer`/`Basic` credentials, AWS access key
//! ids, PEM private keys, card numbers (Luhn) and sensitive `key=value`
//! pairs.

use super::*;

#[cfg(test)]
thread_local! {
    /// Bytes the detectors read beyond the main loop's one look a byte.
    pub(super) static READ: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts `n` bytes read by a detector (in tests: scanning must stay linear).
#[inline(always)]
pub(super) fn read(n: usize) {
    #[cfg(test)]
    READ.with(|r| r.set(r.get() + n));
    let _ = n;
}

/// Whether no letter or digit comes right before `i` (a percent-encoded
/// character counts as the one it stands for).
pub(super) fn word_starts(b: &[u8], i: usize) -> bool {
    i == 0 || !is_alnum(b[i - 1]) || after_escape(b, i)
}

/// Whether `i` follows an escaped character that is not a letter or
/// digit: percent-encoded (`%22eyJ…` in a URL-encoded JSON value) or
/// escaped in a JSON string (`\n4111…` in a JSON text carried as a string,
/// as API Gateway's `body` is). The escape's letters and hex digits are
/// not a word's.
#[inline]
pub(super) fn after_escape(b: &[u8], i: usize) -> bool {
    // What every escape has, looked at first: most places have none.
    let at = |k: usize, c: u8| i >= k && b[i - k] == c;
    (at(3, b'%') || at(2, b'\\') || at(6, b'\\')) && after_escape_slowly(b, i)
}

#[inline(never)]
fn after_escape_slowly(b: &[u8], i: usize) -> bool {
    let json = |width: usize| {
        i >= width && json_escape_at(b, i - width).is_some_and(|(c, w)| w == width && !c)
    };
    i >= 3 && escape_at(b, i - 3).is_some_and(|c| !is_alnum(c)) || json(2) || json(6)
}

/// A JSON string's escape at `i` (`\n`, `\r`, `\t`, `\b`, `\f`, `\"`, `\\`,
/// `\/` or `\uXXXX`): whether it stands for a letter or digit, and its width.
pub(super) fn json_escape_at(b: &[u8], i: usize) -> Option<(bool, usize)> {
    if b.get(i) != Some(&b'\\') {
        return None;
    }
    match b.get(i + 1)? {
        b'n' | b'r' | b't' | b'b' | b'f' | b'"' | b'\\' | b'/' => Some((false, 2)),
        b'u' => {
            let hex = std::str::from_utf8(b.get(i + 2..i + 6)?).ok()?;
            let code = u32::from_str_radix(hex, 16).ok()?;
            let alnum = u8::try_from(code).is_ok_and(is_alnum);
            Some((alnum, 6))
        }
        _ => None,
    }
}

/// A JWT at `i`, or the end of the first segment read when there is none.
pub(super) fn jwt_at(b: &[u8], i: usize) -> Result<Found, usize> {
    if !b[i..].starts_with(b"eyJ") || !word_starts(b, i) {
        return Err(i + 1);
    }
    let first = run(b, i, is_b64url);
    let second = |dot: usize| {
        let end = run(b, dot + 1, is_b64url);
        (b.get(dot) == Some(&b'.')).then_some(end)
    };
    if first - i < 10 {
        return Err(first);
    }
    let Some(payload) = second(first).filter(|&end| end - first > 2) else {
        // An encrypted token whose key is agreed directly (`"alg":"dir"`)
        // has an empty second segment: `header..iv.ciphertext.tag`.
        return match b.get(first..first + 2) == Some(b"..") {
            true => direct_jwe_end(b, first + 1)
                .map(|end| Found {
                    start: i,
                    end,
                    kind: SecretKind::Jwt,
                })
                .ok_or(first),
            false => Err(first),
        };
    };
    if b.get(payload) != Some(&b'.') {
        return Err(first);
    }
    // The signature may be empty (an unsecured token keeps its dot); an
    // encrypted token has two more segments.
    let mut end = run(b, payload + 1, is_b64url);
    for _ in 0..2 {
        if b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(|&c| is_b64url(c)) {
            end = run(b, end + 1, is_b64url);
        } else {
            break;
        }
    }
    Ok(Found {
        start: i,
        end,
        kind: SecretKind::Jwt,
    })
}

/// The end of the last three segments of an encrypted token whose empty
/// key segment ends at the `.` at `dot`: the initialization vector, the
/// ciphertext and the tag, each of at least one base64url character.
fn direct_jwe_end(b: &[u8], dot: usize) -> Option<usize> {
    let mut end = dot;
    for _ in 0..3 {
        if b.get(end) != Some(&b'.') {
            return None;
        }
        let next = run(b, end + 1, is_b64url);
        if next == end + 1 {
            return None;
        }
        end = next;
    }
    Some(end)
}

/// An AWS access key id at `i`.
pub(super) fn aws_at(b: &[u8], i: usize) -> Option<Found> {
    let key = b.get(i..i + 20)?;
    let upper_or_digit = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    let found = (key.starts_with(b"AKIA") || key.starts_with(b"ASIA"))
        && key[4..].iter().all(upper_or_digit)
        && word_starts(b, i)
        && b.get(i + 20).map_or(true, |&c| !is_alnum(c));
    found.then_some(Found {
        start: i,
        end: i + 20,
        kind: SecretKind::AwsAccessKeyId,
    })
}

/// How every session token AWS STS issues begins (the base64 of its
/// format's first bytes), as `AWS_SESSION_TOKEN` of a Lambda function's
/// environment and `x-amz-security-token` of a signed request hold one.
const SESSION_TOKEN: &[u8] = b"IQoJb3JpZ2luX2Vj";

/// The fewest characters of a session token: real ones run to hundreds.
const SESSION_TOKEN_LEAST: usize = 100;

/// An AWS session token at `i` (see [`SecretKind::AwsSessionToken`]): its
/// prefix at the start of a word, then base64 to at least
/// [`SESSION_TOKEN_LEAST`] characters in all. The token runs over base64's
/// characters, also as a URL or a JSON text writes them (`%2B`, `%2F`,
/// `%3D`, `\/`), and up to two `=` of padding.
pub(super) fn session_token_at(b: &[u8], i: usize) -> Option<Found> {
    if !b.get(i..)?.starts_with(SESSION_TOKEN)
        || !word_starts(b, i)
        || i > 0 && matches!(b[i - 1], b'+' | b'/')
    {
        return None;
    }
    let mut end = i + SESSION_TOKEN.len();
    loop {
        match b.get(end) {
            Some(&c) if is_alnum(c) || c == b'+' || c == b'/' => end += 1,
            Some(b'%') if matches!(escape_at(b, end), Some(b'+' | b'/' | b'=')) => end += 3,
            Some(b'\\') if b.get(end + 1) == Some(&b'/') => end += 2,
            _ => break,
        }
    }
    end += b[end..].iter().take(2).take_while(|&&c| c == b'=').count();
    read(end - i);
    (end - i >= SESSION_TOKEN_LEAST).then_some(Found {
        start: i,
        end,
        kind: SecretKind::AwsSessionToken,
    })
}

/// How the body of a service's token is written.
#[derive(Clone, Copy)]
enum Body {
    /// Letters and digits.
    Alnum,
    /// Letters and digits, both cases among them (a key's random part has
    /// both; a word or an identifier in snake or lower case has not).
    Base62,
    /// Letters, digits and `_`, both cases among the letters.
    Word,
    /// A Slack token's: digits and `-` (its team's and user's numbers),
    /// at least twelve, then letters, digits and `-`.
    Slack,
    /// Lower-case hexadecimal digits.
    Hex,
    /// Letters, digits, `_` and `-` (base64url), both cases among the
    /// letters (which a key's random part has, and a slug, an identifier
    /// in kebab case or an upper-case product code has not).
    Base64url,
}

/// The prefixes of [`SecretKind::ServiceToken`], each with how its body is
/// written and how long it is at least (shorter, it is a placeholder or
/// a word: `sk_live_xxx`).
const SERVICE_TOKENS: [(&[u8], Body, usize); 47] = [
    (b"ghp_", Body::Base62, 30),
    (b"gho_", Body::Base62, 30),
    (b"ghu_", Body::Base62, 30),
    (b"ghs_", Body::Base62, 30),
    (b"ghr_", Body::Base62, 30),
    (b"github_pat_", Body::Word, 40),
    (b"sk_live_", Body::Base62, 20),
    (b"rk_live_", Body::Base62, 20),
    (b"sk_test_", Body::Base62, 20),
    (b"rk_test_", Body::Base62, 20),
    (b"whsec_", Body::Alnum, 24),
    (b"npm_", Body::Base62, 30),
    (b"hf_", Body::Base62, 30),
    (b"shpat_", Body::Hex, 32),
    (b"shpss_", Body::Hex, 32),
    (b"shpca_", Body::Hex, 32),
    (b"shppa_", Body::Hex, 32),
    (b"dop_v1_", Body::Hex, 64),
    (b"doo_v1_", Body::Hex, 64),
    (b"dor_v1_", Body::Hex, 64),
    (b"sk-", Body::Base64url, 40),
    (b"xoxb-", Body::Slack, 20),
    (b"xoxp-", Body::Slack, 20),
    (b"xoxa-", Body::Slack, 20),
    (b"xoxr-", Body::Slack, 20),
    (b"xoxs-", Body::Slack, 20),
    (b"xoxo-", Body::Slack, 20),
    (b"AIza", Body::Base64url, 35),
    // Docker Hub, Grafana, Sentry, Supabase, PlanetScale, Linear, Notion,
    // Netlify, Render, RubyGems, Figma, 1Password, Groq, Honeycomb.
    (b"dckr_pat_", Body::Base64url, 24),
    (b"glsa_", Body::Word, 40),
    (b"glc_", Body::Word, 32),
    (b"sntrys_", Body::Word, 40),
    (b"sntryu_", Body::Hex, 64),
    (b"sbp_", Body::Hex, 40),
    (b"pscale_tkn_", Body::Base64url, 32),
    (b"pscale_pw_", Body::Base64url, 32),
    (b"lin_api_", Body::Base62, 40),
    (b"ntn_", Body::Base62, 40),
    (b"secret_", Body::Base62, 40),
    (b"nfp_", Body::Base62, 30),
    (b"rnd_", Body::Base62, 30),
    (b"rubygems_", Body::Hex, 48),
    (b"figd_", Body::Base64url, 32),
    (b"ops_", Body::Word, 40),
    (b"gsk_", Body::Base62, 40),
    // Honeycomb's ingest and configuration keys (`x-honeycomb-team`, as
    // OpenTelemetry's exporters send them): 58 letters and digits, in
    // lower case as Honeycomb issues them.
    (b"hcaik_", Body::Alnum, 58),
    (b"hcaic_", Body::Alnum, 58),
];

/// What [`SERVICE_TOKENS`] says before any token is read: which bytes
/// begin a prefix, how long the shortest token is, and where prefixes
/// with a `_` have their first (bit `w` set for a `_` `w` bytes after the
/// prefix's start: a `_` found looks back by these widths; `sk-` is found
/// at its `k`, `AIza` at its `I`, Slack's prefixes by their run of
/// digits).
pub(super) struct TokenFacts {
    pub(super) firsts: [bool; 256],
    pub(super) shortest: usize,
    underscores: u32,
}

pub(super) const TOKEN_FACTS: TokenFacts = {
    let mut facts = TokenFacts {
        firsts: [false; 256],
        shortest: usize::MAX,
        underscores: 0,
    };
    let mut k = 0;
    while k < SERVICE_TOKENS.len() {
        let (prefix, _, least) = SERVICE_TOKENS[k];
        facts.firsts[prefix[0] as usize] = true;
        if prefix.len() + least < facts.shortest {
            facts.shortest = prefix.len() + least;
        }
        let mut w = 0;
        while w < prefix.len() && prefix[w] != b'_' {
            w += 1;
        }
        if w < prefix.len() {
            facts.underscores |= 1 << w;
        }
        k += 1;
    }
    facts
};

/// The widths back from a `_` at which a prefix with a `_` may begin (see
/// [`TokenFacts`]), shortest first.
pub(super) fn service_token_underscores() -> impl Iterator<Item = usize> {
    let mut widths = TOKEN_FACTS.underscores;
    std::iter::from_fn(move || {
        (widths != 0).then(|| {
            let w = widths.trailing_zeros() as usize;
            widths &= widths - 1;
            w
        })
    })
}

/// A service's token beginning at `i` (see [`SecretKind::ServiceToken`]):
/// one of the prefixes at the start of a word, then at least as many
/// bytes of its body as it has; the token runs to the body's end.
pub(super) fn service_token_at(b: &[u8], i: usize) -> Option<Found> {
    let rest = b.get(i..)?;
    if rest.len() < TOKEN_FACTS.shortest || !TOKEN_FACTS.firsts[rest[0] as usize] {
        return None;
    }
    let (prefix, body, least) = SERVICE_TOKENS.iter().find(|(p, ..)| rest.starts_with(p))?;
    if i > 0 && (b[i - 1] == b'_' || b[i - 1] == b'-') || !word_starts(b, i) {
        return None;
    }
    let from = i + prefix.len();
    let in_body = |c: u8| match body {
        Body::Alnum | Body::Base62 => is_alnum(c),
        Body::Word => is_alnum(c) || c == b'_',
        Body::Base64url => is_alnum(c) || c == b'_' || c == b'-',
        Body::Slack => is_alnum(c) || c == b'-',
        Body::Hex => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
    };
    let end = run(b, from, in_body);
    let long = end - from >= *least && b.get(end).map_or(true, |&c| !is_alnum(c) && c != b'_');
    let part = &b[from..end];
    let random = match body {
        Body::Slack => part
            .iter()
            .take(12)
            .all(|&c| c.is_ascii_digit() || c == b'-'),
        Body::Base62 | Body::Word | Body::Base64url => {
            part.iter().any(u8::is_ascii_uppercase) && part.iter().any(u8::is_ascii_lowercase)
        }
        Body::Alnum | Body::Hex => true,
    };
    (long && random).then_some(Found {
        start: i,
        end,
        kind: SecretKind::ServiceToken,
    })
}

/// The URLs whose path holds their secret: the incoming webhooks' (whoever
/// has the URL can post as the integration), and Telegram's bot API,
/// whose path begins with the bot's token (`/bot123456:AA…/sendMessage`,
/// as an HTTP client's error quotes it; a file's download URL has it
/// too). The host and the beginning of the path, after which the secret
/// runs.
const WEBHOOKS: [&[u8]; 9] = [
    b"hooks.slack.com/services/",
    b"hooks.slack.com/workflows/",
    b"hooks.slack.com/triggers/",
    b"discord.com/api/webhooks/",
    b"discordapp.com/api/webhooks/",
    b"canary.discord.com/api/webhooks/",
    b"ptb.discord.com/api/webhooks/",
    b"api.telegram.org/bot",
    b"api.telegram.org/file/bot",
];

/// Whether `url` (what follows a `://`) can begin with the host of one of
/// [`WEBHOOKS`]: its first four bytes, in any case, are one's. A URL's
/// `://` is looked at closer only then (`https://app.example.com` is
/// not, though `api.telegram.org` begins with an `a` too).
pub(super) fn is_webhook_host_start(url: &[u8]) -> bool {
    let Some(&[a, b, c, d]) = url.first_chunk::<4>() else {
        return false;
    };
    // Bit 5 folds a letter's case; no other byte of a host folds onto one
    // of these.
    let head = u32::from_le_bytes([a, b, c, d]) | 0x2020_2020;
    WEBHOOKS
        .iter()
        .any(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]) == head)
}

/// Whether `b` begins with `prefix`, in any case.
fn starts_alike(b: &[u8], prefix: &[u8]) -> bool {
    b.len() >= prefix.len() && b[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The secret path of an incoming-webhook URL whose `scheme://` has its
/// `:` at `colon` (see [`WEBHOOKS`]): from after the path's known
/// beginning through the bytes a URL's path holds, at least sixteen (of
/// Telegram's bot API, the token alone: the path's segment goes on). The
/// scheme, host and known beginning are kept.
pub(super) fn webhook_at(b: &[u8], colon: usize) -> Option<Found> {
    // `http` or `https` in any case before the `:`, `//` after it.
    let word = |from: usize| u32::from_le_bytes([b[from], b[from + 1], b[from + 2], b[from + 3]]);
    let http = u32::from_le_bytes(*b"http");
    let secure = colon >= 5 && b[colon - 1] | 0x20 == b's';
    let scheme = if secure {
        colon - 5
    } else {
        colon.checked_sub(4)?
    };
    if word(scheme) | 0x2020_2020 != http || b.get(colon + 1..colon + 3) != Some(b"//") {
        return None;
    }
    let url = &b[colon + 3..];
    let beginning = WEBHOOKS.iter().find(|w| starts_alike(url, w))?;
    let start = colon + 3 + beginning.len();
    // Telegram's bot API (and its files'): the bot's token follows `bot`,
    // its number, a `:` and 30 or more letters, digits, `_` and `-`.
    if beginning.ends_with(b"/bot") {
        let number = run(b, start, |c| c.is_ascii_digit());
        let end = run(b, number + 1, |c| is_alnum(c) || c == b'_' || c == b'-');
        read(end - start);
        return (number > start && b.get(number) == Some(&b':') && end - number > 30).then_some(
            Found {
                start,
                end,
                kind: SecretKind::ServiceToken,
            },
        );
    }
    let end = run(b, start, |c| {
        is_alnum(c) || matches!(c, b'-' | b'_' | b'.' | b'/' | b'@' | b'~')
    });
    (end - start >= 16).then_some(Found {
        start,
        end,
        kind: SecretKind::ServiceToken,
    })
}

/// Whether byte `c` ends a URL's authority: `/`, `?`, `#`, whitespace and
/// controls, a quote, a backslash, `<`, `>` or DEL.
pub(super) fn ends_authority(c: u8) -> bool {
    /// The bytes that end an authority.
    static ENDS: [bool; 256] = {
        let mut t = [false; 256];
        let mut c = 0;
        while c <= b' ' as usize {
            t[c] = true;
            c += 1;
        }
        let mut k = 0;
        let ends = b"/?#\"'\\<>\x7f";
        while k < ends.len() {
            t[ends[k] as usize] = true;
            k += 1;
        }
        t
    };
    ENDS[c as usize]
}

/// The password of a URL's userinfo (`scheme://user:password@host`) that
/// ends at the `@` at `at`, when the authority it is part of begins at
/// `from` (after the last byte that [`ends_authority`] before `at`), which
/// must follow a `://`, and the first `:` after `from` is at `colon`. The
/// password begins after that `:`; a later `@` of the same authority makes
/// a longer match (a password holding an unencoded `@`, as people write
/// them, is covered whole).
pub(super) fn url_password(
    b: &[u8],
    from: usize,
    colon: Option<usize>,
    at: usize,
) -> Option<Found> {
    if from < 3 || &b[from - 3..from] != b"://" {
        return None;
    }
    let Some(colon) = colon else {
        // Without a `:`, the userinfo is most often a user's name; one
        // with a token's shape is a token (`https://<40 hex digits>@github.com/…`,
        // as git was given one before tokens had a prefix).
        return is_token_like(&b[from..at]).then_some(Found {
            start: from,
            end: at,
            kind: SecretKind::UrlPassword,
        });
    };
    (colon + 1 < at).then_some(Found {
        start: colon + 1,
        end: at,
        kind: SecretKind::UrlPassword,
    })
}

/// Whether a URL's userinfo without a `:` has a token's shape rather than
/// a name's: 32 or more hex digits, letters and digits both among them;
/// 24 or more letters, digits, `-` and `_` with upper-case and lower-case
/// letters and three digits among them; or 40 or more with four digits
/// (Azure DevOps' tokens, 52 lower-case letters and digits). Names people
/// give accounts (`git`, `oauth2`, `x-access-token`, `deploy-bot-2024`)
/// have none of these; a long PascalCase one with digits is taken for a
/// token.
fn is_token_like(user: &[u8]) -> bool {
    if user.len() > 256 {
        return false;
    }
    read(user.len());
    let (mut digits, mut upper, mut lower, mut hex) = (0, 0, 0, 0);
    for &c in user {
        match c {
            b'0'..=b'9' => digits += 1,
            b'A'..=b'Z' => upper += 1,
            b'a'..=b'z' => lower += 1,
            b'-' | b'_' => {}
            _ => return false,
        }
        hex += usize::from(c.is_ascii_hexdigit());
    }
    let letters = upper + lower;
    let hex_digits = hex == user.len() && user.len() >= 32 && digits > 0 && letters > 0;
    let mixed = user.len() >= 24 && upper > 0 && lower > 0 && digits >= 3;
    let long = user.len() >= 40 && letters > 0 && digits >= 4;
    hex_digits || mixed || long
}

/// A PEM private key block beginning at `i`.
pub(super) fn private_key_at(b: &[u8], i: usize) -> Option<Found> {
    const BEGIN: &[u8] = b"-----BEGIN";
    if !b[i..].starts_with(BEGIN) {
        return None;
    }
    // The space after `BEGIN` says how the block is written: as it is, or
    // in a form body or URL (`+` or `%20` for each space).
    let space = space_at(b, i + BEGIN.len())?;
    let label_start = i + BEGIN.len() + space.len();
    let mut label_end = label_start;
    loop {
        label_end = run(b, label_end, |c| {
            c.is_ascii_uppercase() || c.is_ascii_digit()
        });
        match b.get(label_end..label_end + space.len()) {
            Some(s) if s == space && label_end > label_start => label_end += space.len(),
            _ => break,
        }
    }
    let label = &b[label_start..label_end];
    let (mut private_key, mut end_marker) = (Joined::default(), Joined::default());
    let private_key = private_key.join(b"PRIVATE", space, b"KEY");
    // A private key (`RSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`, `PGP
    // PRIVATE KEY BLOCK`) or a seed it is made from (NATS' `USER NKEY
    // SEED` of a `.creds` file).
    let secret = find_bytes(label, private_key).is_some() || label.ends_with(b"SEED");
    if !b[label_end..].starts_with(b"-----") || !secret {
        return None;
    }
    let end_marker = end_marker.join(b"-----END", space, b"");
    let mut from = label_end + 5;
    let mut end = b.len();
    while let Some(at) = find_bytes(&b[from..], end_marker) {
        let after = from + at + end_marker.len();
        let rest = &b[after..];
        if rest.starts_with(label) && rest[label.len()..].starts_with(b"-----") {
            end = after + label.len() + 5;
            break;
        }
        from = after;
    }
    Some(Found {
        start: i,
        end,
        kind: SecretKind::PrivateKey,
    })
}

/// Words joined by a space of [`space_at`], on the stack.
#[derive(Default)]
struct Joined([u8; 16]);

impl Joined {
    fn join(&mut self, first: &[u8], space: &[u8], second: &[u8]) -> &[u8] {
        let n = first.len() + space.len() + second.len();
        self.0[..first.len()].copy_from_slice(first);
        self.0[first.len()..first.len() + space.len()].copy_from_slice(space);
        self.0[n - second.len()..n].copy_from_slice(second);
        &self.0[..n]
    }
}

/// The space at `i`: ` ` as it is, `+` in a form body, or `%20` in a URL.
fn space_at(b: &[u8], i: usize) -> Option<&'static [u8]> {
    match b.get(i)? {
        b' ' => Some(b" "),
        b'+' => Some(b"+"),
        b'%' if b.get(i + 1..i + 3) == Some(b"20") => Some(b"%20"),
        _ => None,
    }
}

/// Where `needle` first occurs in `hay`.
pub(super) fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut at = 0;
    while at + needle.len() <= hay.len() {
        let i = at
            + hay[at..=hay.len() - needle.len()]
                .iter()
                .position(|&c| c == first)?;
        read(i + 1 - at);
        if hay[i + 1..].starts_with(rest) {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// The credential of a `Bearer` or `Basic` scheme word at `i` (the match
/// is the credential alone: the word stays).
pub(super) fn credential_at(b: &[u8], i: usize) -> Option<Found> {
    if !word_starts(b, i) {
        return None;
    }
    let (word, kind): (&[u8], _) = match b.get(i + 1).map(u8::to_ascii_lowercase) {
        Some(b'e') => (b"bearer", SecretKind::Bearer),
        Some(b'a') => (b"basic", SecretKind::Basic),
        _ => return None,
    };
    if !b.get(i..i + word.len())?.eq_ignore_ascii_case(word) {
        return None;
    }
    // Spaces as they are, or as a form body (`+`) or URL (`%20`) writes
    // them: then the credential's own `+`, `/` and `=` are
    // percent-encoded, and a `+` as it is ends it.
    let after = i + word.len();
    let (start, encoded) = match b.get(after) {
        Some(b' ' | b'\t') => (run(b, after, |c| c == b' ' || c == b'\t'), false),
        Some(b'+') => (run(b, after, |c| c == b'+'), true),
        Some(b'%') => {
            let mut start = after;
            while b.get(start..start + 3) == Some(b"%20") {
                start += 3;
            }
            read(start - after);
            (start, start > after)
        }
        _ => (after, false),
    };
    if start == after {
        return None;
    }
    let end = match kind {
        SecretKind::Bearer => bearer_token(b, start, encoded)?,
        _ => basic_credential(b, start, encoded)?,
    };
    Some(Found { start, end, kind })
}

/// The end of a `Bearer` token (RFC 6750's token68) that looks like a
/// credential: at least eight characters mixing two of lower case, upper
/// case after the first character, and digits. A word in a sentence
/// ("bearer responsibilities") mixes none.
pub(super) fn bearer_token(b: &[u8], start: usize, encoded: bool) -> Option<usize> {
    let mut body = start;
    while let Some(width) = token_byte_at(b, body, encoded) {
        body += width;
    }
    read(body - start);
    let end = run(b, body, |c| c == b'=');
    let token = &b[start..body];
    if token.len() < 8 {
        return None;
    }
    let lower = token.iter().any(u8::is_ascii_lowercase);
    let upper = token[1..].iter().any(u8::is_ascii_uppercase);
    let digit = token.iter().any(u8::is_ascii_digit);
    (u8::from(lower) + u8::from(upper) + u8::from(digit) >= 2).then_some(end)
}

/// The bytes a character of a `Bearer` token (RFC 6750's token68) takes
/// at `i`: one as it is, or where `encoded`, three for its `+`, `/` and
/// `=` percent-encoded (a `+` as it is is a space there).
fn token_byte_at(b: &[u8], i: usize, encoded: bool) -> Option<usize> {
    match *b.get(i)? {
        c if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'/') => Some(1),
        b'+' if !encoded => Some(1),
        b'%' if encoded && matches!(escape_at(b, i)?, b'+' | b'/' | b'=') => Some(3),
        _ => None,
    }
}

/// The end of a `Basic` credential: base64 that decodes to `user:password`
/// in printable text. A word after "basic" decodes to no such thing.
/// `encoded`, the credential is in a form body or URL: its `+`, `/` and
/// `=` are percent-encoded.
pub(super) fn basic_credential(b: &[u8], start: usize, encoded: bool) -> Option<usize> {
    // Decoded on the way, six bits a character, without a buffer.
    let mut colon = false;
    let mut bits = 0u32;
    let mut count = 0;
    let mut chars = 0usize;
    let mut utf8 = Utf8Check::default();
    let mut i = start;
    while let Some((c, width)) = base64_at(b, i, encoded) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            _ => 63,
        };
        i += width;
        chars += 1;
        bits = bits << 6 | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            let byte = (bits >> count) as u8;
            bits &= (1 << count) - 1;
            colon |= byte == b':';
            if !utf8.push(byte) {
                return None;
            }
        }
    }
    read(i - start);
    if chars < 4 || chars % 4 == 1 {
        return None;
    }
    // Up to two padding characters.
    let mut end = i;
    for _ in 0..2 {
        match b.get(end) {
            Some(b'=') => end += 1,
            Some(b'%') if encoded && escape_at(b, end) == Some(b'=') => end += 3,
            _ => break,
        }
    }
    (colon && utf8.is_complete()).then_some(end)
}

/// The base64 character at `i` and the bytes it takes: as it is, or
/// where `encoded`, `+` and `/` percent-encoded (`/` may stay as it is;
/// a `+` as it is is a space there).
fn base64_at(b: &[u8], i: usize, encoded: bool) -> Option<(u8, usize)> {
    match *b.get(i)? {
        c @ (b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/') => Some((c, 1)),
        b'+' if !encoded => Some((b'+', 1)),
        b'%' if encoded => match escape_at(b, i)? {
            c @ (b'+' | b'/') => Some((c, 3)),
            _ => None,
        },
        _ => None,
    }
}

/// A streaming check that bytes are UTF-8 text without control characters.
#[derive(Default)]
pub(super) struct Utf8Check {
    /// Continuation bytes still expected.
    pending: u8,
}

impl Utf8Check {
    fn push(&mut self, byte: u8) -> bool {
        if self.pending > 0 {
            self.pending -= 1;
            return byte & 0xc0 == 0x80;
        }
        match byte {
            0x20..=0x7e => true,
            0xc2..=0xdf => {
                self.pending = 1;
                true
            }
            0xe0..=0xef => {
                self.pending = 2;
                true
            }
            0xf0..=0xf4 => {
                self.pending = 3;
                true
            }
            _ => false,
        }
    }

    fn is_complete(&self) -> bool {
        self.pending == 0
    }
}

/// The value of a `"key": value` pair, when its key is sensitive: JSON
/// quoted as text, such as a response body carried as a string or an
/// upstream error that quotes a request body. `i` is the key's closing
/// quote and `colon` the `:` after it (spaces between); a JSON text
/// inside a JSON string (`\"key\":`) is read too. The value is a quoted
/// string's content (to its closing quote, escapes skipped), an object or
/// array whole (as the policy redacts one under a sensitive key of data),
/// or a bare number or word.
///
/// `jwk` is where the members of a JSON Web Key's object follow its
/// `"kty"` key, when the last such key was seen and nothing since ended
/// its object: the private members read there (`"d"` of an EC or OKP
/// key, `"d"`, `"p"`, `"q"`, `"dp"`, `"dq"` and `"qi"` of an RSA key,
/// `"k"` of a symmetric one) are values too. It moves on to each of them,
/// so that the bytes between are read once.
pub(super) fn json_value_at(
    text: &str,
    i: usize,
    colon: usize,
    policy: &Policy,
    jwk: &mut Option<usize>,
) -> Option<Found> {
    let b = text.as_bytes();
    let quote = b'"';
    // `\"key\":` inside a JSON string: the quotes are escaped.
    let escaped = i >= 1 && b[i - 1] == b'\\';
    let key_end = i - usize::from(escaped);
    // Back to the opening quote, judging the key on the way: no further
    // than the quote before, so each byte is read back at most once.
    let (k, sensitive) = policy.quoted_key_before(text, key_end)?;
    read(key_end - k);
    // Most keys are neither sensitive nor a pair's value: refused first.
    let value_of_pair = !sensitive && names_a_value(&b[k..key_end]);
    if !(sensitive || value_of_pair || jwk_private(b, k, key_end, jwk)) {
        return None;
    }
    // A key holds no control character (JSON escapes them in a string):
    // quotes around one are prose's, not a key's.
    if (escaped && (k < 2 || b[k - 2] != b'\\')) || b[k..key_end].iter().any(|&c| c < 0x20) {
        return None;
    }
    if value_of_pair && !named_before(text, k - 1 - usize::from(escaped), escaped, policy) {
        return None;
    }
    let mut v = run(b, colon + 1, |c| c == b' ');
    let opening: &[u8] = if escaped { b"\\\"" } else { b"\"" };
    if b[v..].starts_with(opening) {
        v += opening.len();
        let start = v;
        let end = string_end(b, start, escaped, quote);
        read(end - start);
        return value_found(b, start, end, SecretKind::JsonValue);
    }
    // An object or an array, whole, as the sensitive-key policy redacts
    // one under a sensitive key of data.
    if matches!(b.get(v), Some(b'{' | b'[')) {
        let end = container_end(b, v, escaped);
        read(end - v);
        return Some(Found {
            start: v,
            end,
            kind: SecretKind::JsonValue,
        });
    }
    // Rust's `Debug` of a value under a quoted key, as `{:?}` prints a
    // `serde_json::Value` (`String("…")`), an `Option` (`Some("…")`), a
    // struct (`HeaderValue { _private: H1("…") }`, as a map of headers
    // prints) or a map of them: read through its brackets as an unquoted
    // key's value is, over the lines a pretty `{:#?}` spreads it on. A
    // type's or a variant's name begins with a capital (`f(x` is a word).
    let name = match b.get(v) {
        Some(c) if c.is_ascii_uppercase() => run(b, v, |c| {
            c.is_ascii_alphanumeric() || c == b'_' || c == b':'
        }),
        _ => v,
    };
    let opens = |at: usize| match b.get(at) {
        Some(b'(') => true,
        Some(b' ') => b.get(at + 1) == Some(&b'{'),
        _ => false,
    };
    if !escaped && name > v && opens(name) {
        let end = word_value_end(b, v, Extent::Word);
        read(end - v);
        return value_found(b, v, end, SecretKind::JsonValue);
    }
    // A bare value: a number, `true`, a word.
    let end = run(b, v, |c| {
        !(c.is_ascii_whitespace()
            || matches!(c, b',' | b'}' | b']' | b'{' | b'[' | b'"' | b'\'' | b'\\'))
    });
    value_found(b, v, end, SecretKind::JsonValue)
}

/// Whether the key at `k..key_end` is a private member of a JSON Web Key
/// (see [`json_value_at`]'s `jwk`), noting where a `"kty"` key ends.
#[inline(always)]
fn jwk_private(b: &[u8], k: usize, key_end: usize, jwk: &mut Option<usize>) -> bool {
    let key = &b[k..key_end];
    match key.len() {
        1 | 2 => {}
        3 if key == b"kty" => {
            *jwk = Some(key_end);
            return false;
        }
        _ => return false,
    }
    let Some(from) = jwk.filter(|&from| from <= k) else {
        return false;
    };
    if !crate::redact::policy::is_jwk_private_member(key) {
        return false;
    }
    read(k - from);
    // The key's object goes on while no bracket ends it: a key's members
    // are strings and numbers (an RSA key's `"oth"` aside).
    if b[from..k].iter().any(|&c| c == b'{' || c == b'}') {
        *jwk = None;
        return false;
    }
    *jwk = Some(key_end);
    true
}

/// Whether a key is the value of a name and value pair (`value`,
/// `Value`, `ParameterValue`).
#[inline(always)]
fn names_a_value(key: &[u8]) -> bool {
    // Bit 5 folds a letter's case (see `policy::is_short_secret_name`).
    match key.last_chunk::<5>() {
        Some(&[v, a, l, u, e]) if key.len() <= 32 => {
            v | 0x20 == b'v'
                && u32::from_le_bytes([a, l, u, e]) | 0x2020_2020 == u32::from_le_bytes(*b"alue")
        }
        _ => false,
    }
}

/// Whether a key names the other half of a name and value pair (`name`,
/// `Name`, `ParameterKey`, `key`).
fn names_a_name(key: &[u8]) -> bool {
    let ends = |word: &[u8]| {
        key.get(key.len().wrapping_sub(word.len())..)
            .is_some_and(|end| end.eq_ignore_ascii_case(word))
    };
    key.len() <= 32 && (ends(b"name") || ends(b"key"))
}

/// Whether the member before the key whose opening quote is at `open` is
/// a name and a sensitive one, as lists of variables and parameters write
/// a pair: `{"name": "DB_PASSWORD", "value": "…"}` (an ECS task
/// definition, a Kubernetes manifest as JSON),
/// `{"ParameterKey": "DbPassword", "ParameterValue": "…"}`
/// (CloudFormation). Read back over at most the member before; a name
/// holding an escape is not read.
fn named_before(text: &str, open: usize, escaped: bool, policy: &Policy) -> bool {
    let b = text.as_bytes();
    let quote: &[u8] = if escaped { b"\\\"" } else { b"\"" };
    let spaces = |end: usize| end - run_back(b, end, |c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'));
    // A quoted string ending at `end`: where its content begins, when it
    // holds at most `max` bytes and no backslash.
    let string_before = |end: usize, max: usize| -> Option<usize> {
        let close = end.checked_sub(quote.len())?;
        if &b[close..end] != quote {
            return None;
        }
        let from = close.saturating_sub(max + 1);
        let at = b[from..close]
            .iter()
            .rposition(|&c| c == b'"' || c == b'\\')?
            + from;
        read(close - at);
        let opening = (at + 1).checked_sub(quote.len())?;
        (b[at] == b'"' && &b[opening..at + 1] == quote).then_some(at + 1)
    };
    // Where `byte` is, with only spaces between it and `end`.
    let byte_before = |end: usize, byte: u8| -> Option<usize> {
        let at = spaces(end).checked_sub(1)?;
        (b[at] == byte).then_some(at)
    };
    let name = || -> Option<bool> {
        let value_end = spaces(byte_before(open, b',')?);
        let value_start = string_before(value_end, 128)?;
        let key_end = spaces(byte_before(value_start - quote.len(), b':')?);
        let key_start = string_before(key_end, 32)?;
        let close = value_end - quote.len();
        Some(
            names_a_name(&b[key_start..key_end - quote.len()])
                // Between ASCII quotes: whole characters.
                && is_sensitive_name(policy, text.get(value_start..close)?),
        )
    };
    name().unwrap_or(false)
}

/// Whether the line before the one that begins at `line` is a name, and
/// a sensitive one, as YAML writes a list of variables: `- name:
/// DB_PASSWORD` over `value: …` (a Kubernetes manifest, a compose file).
/// Read back over at most 160 bytes.
fn named_on_line_before(text: &str, line: usize, policy: &Policy) -> bool {
    let b = text.as_bytes();
    // The line break that ends the line before (and a `\r` before it).
    let Some(end) = line.checked_sub(1).filter(|&k| b[k] == b'\n') else {
        return false;
    };
    let end = end - usize::from(end >= 1 && b[end - 1] == b'\r');
    let from = end.saturating_sub(160);
    let start = match b[from..end].iter().rposition(|&c| c == b'\n') {
        Some(at) => from + at + 1,
        None if from == 0 => 0,
        None => return false,
    };
    read(end - start);
    let item = text[start..end].trim_start_matches(' ');
    let item = item
        .strip_prefix("- ")
        .unwrap_or(item)
        .trim_start_matches(' ');
    let Some((key, name)) = item.split_once(": ") else {
        return false;
    };
    let name = name.trim().trim_matches(|c| c == '"' || c == '\'');
    names_a_name(key.as_bytes()) && is_sensitive_name(policy, name)
}

/// Whether the field before the `,` at `comma` is a name, and a
/// sensitive one, as `Debug` prints a name and value pair:
/// `EnvVar { name: "DB_PASSWORD", value: Some(…) }` (k8s-openapi),
/// `KeyValuePair { name: Some("DB_PASSWORD"), value: Some(…) }` and
/// `Parameter { parameter_key: Some("DbMasterPassword"), parameter_value:
/// Some(…) }` (the AWS SDK). Read back over at most the field before: its
/// string (up to 128 bytes, no escape), the `Some(` around it and its
/// key.
fn named_in_field_before(text: &str, comma: usize, policy: &Policy) -> bool {
    let b = text.as_bytes();
    // `Some("…")`, or another wrapper's (`Concrete("…")`): its `)`.
    let wrapped = comma >= 1 && b[comma - 1] == b')';
    let Some(close) = (comma - usize::from(wrapped))
        .checked_sub(1)
        .filter(|&k| b[k] == b'"')
    else {
        return false;
    };
    let from = close.saturating_sub(129);
    let Some(open) = b[from..close]
        .iter()
        .rposition(|&c| c == b'"' || c == b'\\')
        .map(|k| k + from)
    else {
        return false;
    };
    read(close - open);
    if b[open] != b'"' {
        return false;
    }
    let mut field_end = open;
    if wrapped {
        let Some(paren) = open.checked_sub(1).filter(|&k| b[k] == b'(') else {
            return false;
        };
        let wrapper = paren - run_back(b, paren, |c| c.is_ascii_alphanumeric());
        read(paren - wrapper);
        if wrapper == paren {
            return false;
        }
        field_end = wrapper;
    }
    let Some(key_end) = field_end
        .checked_sub(2)
        .filter(|&k| &b[k..field_end] == b": ")
    else {
        return false;
    };
    let key_start = key_end - run_back(b, key_end, is_name_byte);
    read(key_end - key_start);
    names_a_name(&b[key_start..key_end])
        // Between ASCII quotes: whole characters.
        && text
            .get(open + 1..close)
            .is_some_and(|name| is_sensitive_name(policy, name))
}

/// The value `start..end` as a match of `kind`, unless it is empty or a
/// marker seclog already wrote in place of a secret (`[REDACTED]` of a
/// member redacted by its key, quoted in a text).
fn value_found(b: &[u8], start: usize, end: usize, kind: SecretKind) -> Option<Found> {
    (end > start && !is_marker(&b[start..end])).then_some(Found { start, end, kind })
}

/// Whether the `=` at `p` is an XML document's: of its declaration
/// (`<?xml version="`) or of a namespace (`xmlns="`, `xmlns:soap="`), as
/// nearly every document's root element declares one. An attribute's
/// value is quoted, as a query's seldom is: that is looked at first.
#[inline(always)]
pub(super) fn declares_xml(b: &[u8], p: usize) -> bool {
    matches!(b.get(p + 1), Some(b'"' | b'\'')) && declares_xml_slowly(b, p)
}

fn declares_xml_slowly(b: &[u8], p: usize) -> bool {
    let before = &b[..p];
    if before.ends_with(b"<?xml version") || before.ends_with(b" xmlns") {
        return true;
    }
    let prefix = run_back(b, p, |c| {
        c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
    });
    prefix > 0 && before[..p - prefix].ends_with(b" xmlns:")
}

/// Appends to `found` the text of each element of the XML in `text`
/// whose name (without its namespace prefix) is sensitive:
/// `<SecretAccessKey>…</SecretAccessKey>` of an AWS response,
/// `<ns1:Password>…</ns1:Password>` of a SOAP request, the text of a
/// `<![CDATA[…]]>` section whole. Of such an element whose content is more
/// elements (`<Credentials>`), every text inside, to its closing tag (to
/// the end of the text when that never comes); its tags are kept. A name
/// ending `Request`, `Response` or `Result` names an operation's message
/// (`GetSessionTokenResponse`), not a secret. Each byte is read at most
/// twice: tags and text once, and once more to look for a closing tag or
/// a tag's `>`, each looked for past the last.
pub(super) fn xml_elements(text: &str, policy: &Policy, found: &mut Vec<Found>) {
    let b = text.as_bytes();
    let mut k = 0;
    // The first `>` at or after the last place one was looked for from.
    let mut gt = 0;
    let name_byte = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':');
    while let Some(open) = b[k..].iter().position(|&c| c == b'<').map(|at| k + at) {
        read(open - k);
        k = open + 1;
        if !b
            .get(k)
            .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_')
        {
            continue;
        }
        let name_end = run(b, k, name_byte);
        // A start tag's name ends at `>`, `/` or whitespace: `<password=…`
        // is no tag.
        if !matches!(
            b.get(name_end),
            Some(b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r')
        ) {
            continue;
        }
        if gt < name_end {
            gt = b[name_end..]
                .iter()
                .position(|&c| c == b'>')
                .map_or(b.len(), |at| name_end + at);
            read(gt - name_end);
        }
        if gt == b.len() {
            return;
        }
        let name = &text[k..name_end];
        let local = name.rsplit(':').next().unwrap_or(name);
        k = gt + 1;
        let message = ["Request", "Response", "Result"]
            .iter()
            .any(|w| local.ends_with(w));
        if b[gt - 1] == b'/' || message || !is_sensitive_name(policy, local) {
            continue;
        }
        let content = gt + 1;
        let leaf = b[content..]
            .iter()
            .position(|&c| c == b'<')
            .map_or(b.len(), |at| content + at);
        read(leaf - content);
        if leaf == b.len() || b[leaf..].starts_with(b"</") {
            found.extend(value_found(b, content, leaf, SecretKind::KeyValue));
            k = leaf;
            continue;
        }
        // A CDATA section or more elements: every text inside.
        let mut closing = Vec::with_capacity(name.len() + 3);
        closing.extend_from_slice(b"</");
        closing.extend_from_slice(name.as_bytes());
        closing.push(b'>');
        let end = find_bytes(&b[content..], &closing).map_or(b.len(), |at| content + at);
        xml_texts(b, content, end, found);
        k = end;
    }
}

/// Appends to `found` each text between the tags of `b[from..to]` that is
/// not only whitespace, and each CDATA section's text whole.
fn xml_texts(b: &[u8], from: usize, to: usize, found: &mut Vec<Found>) {
    let mut k = from;
    while k < to {
        if b[k..to].starts_with(b"<![CDATA[") {
            let start = k + 9;
            let end = find_bytes(&b[start..to], b"]]>").map_or(to, |at| start + at);
            found.extend(value_found(b, start, end, SecretKind::KeyValue));
            k = end + 3;
            continue;
        }
        if b[k] == b'<' {
            // A tag: to its `>`.
            k = b[k..to]
                .iter()
                .position(|&c| c == b'>')
                .map_or(to, |at| k + at + 1);
            continue;
        }
        let end = b[k..to]
            .iter()
            .position(|&c| c == b'<')
            .map_or(to, |at| k + at);
        if !b[k..end].iter().all(u8::is_ascii_whitespace) {
            found.extend(value_found(b, k, end, SecretKind::KeyValue));
        }
        k = end;
    }
    read(to - from);
}

/// Whether `key`, read as a key or a type's name in text, is sensitive: a
/// key shorter than every term cannot hold one.
fn is_sensitive_name(policy: &Policy, key: &str) -> bool {
    key.len() >= policy.min_term_len() && policy.is_sensitive(key)
}

/// Where the string whose content begins at `start` ends: at its closing
/// `quote`, or at a line break or the end of the text when it never
/// closes (JSON, Rust's `Debug`, Python's `repr`, logfmt and TOML all
/// escape a line break inside a string, so a string that meets one is cut
/// short, and what follows it is the next line's). A backslash escapes
/// the character after it. With `escaped` (JSON inside a JSON
/// string) each `\\x` pair is one character of the inner JSON, whose own
/// backslash escapes the next one: a quote inside the value is
/// `\\\\\\"` there, the closing quote `\\"`.
fn string_end(b: &[u8], start: usize, escaped: bool, quote: u8) -> usize {
    let mut end = start;
    let mut inner_escape = false;
    while let Some((c, width)) = json_char(b, end, escaped) {
        if (c == quote && !inner_escape) || b[end] == b'\n' || b[end] == b'\r' {
            break;
        }
        inner_escape = c == b'\\' && !inner_escape;
        end += width;
    }
    end.min(b.len())
}

/// The character of JSON text at `i` and its width there: with
/// `escaped` (JSON inside a JSON string) a `\\x` pair is the one
/// character `x` of the inner JSON; `None` at the end (or at a lone
/// backslash ending escaped text).
fn json_char(b: &[u8], i: usize, escaped: bool) -> Option<(u8, usize)> {
    match *b.get(i)? {
        b'\\' if escaped => b.get(i + 1).map(|&c| (c, 2)),
        c => Some((c, 1)),
    }
}

/// The end of the JSON object or array whose opening bracket is at
/// `start`: just past its closing bracket, read through the strings in it
/// (with `escaped`, through the escapes of JSON inside a JSON string, each
/// `\\x` pair one character of the inner JSON), or the end of the text
/// when it never closes. Each byte is read once.
fn container_end(b: &[u8], start: usize, escaped: bool) -> usize {
    let mut depth = 0usize;
    let (mut in_string, mut inner_escape) = (false, false);
    let mut i = start;
    while let Some((c, width)) = json_char(b, i, escaped) {
        i += width;
        if in_string {
            if inner_escape {
                inner_escape = false;
            } else if c == b'\\' {
                inner_escape = true;
            } else if c == b'"' {
                in_string = false;
            }
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    b.len()
}

/// The value of a `key: value` pair whose `:` (followed by a space) is at
/// `i`, when its key is sensitive: Rust's `Debug` of a struct
/// (`password: "hunter2"`), YAML, a header dump (`X-Api-Key: k-123`), a
/// Python dict (`'password': 'hunter2'`), or JSON with spaces before its
/// colon (`"password" : "hunter2"`, read as [`json_value_at`] reads JSON).
/// `i` may also be the `=` of a `key = value` pair with a space before it
/// (TOML, an INI file), read the same way.
///
/// A key in single quotes is up to 64 bytes. An unquoted key (letters,
/// digits, `_`, `-`, `.`) must start the text, a line (or a YAML list
/// item, after `- `) or an item of a struct or map (after `{`, `(`, `[`,
/// `,` or `;`), spaces between, or be a `Cookie` or `Set-Cookie` header
/// after another key's `: `: in a sentence such as `invalid token:
/// expired` the word before the colon is no key. The value is a quoted
/// string's content, or else what follows, read through the brackets it
/// opens and the strings in it (`Some("hunter2")`, `{'a': 1}`, a struct
/// whole: `Session { id: 7 }`), to the end
/// of the line after a key that starts one (YAML, a header; after a YAML
/// block scalar's `|` or `>`, through the lines indented under the key),
/// to the end of the word after a key inside a line. After an authorization scheme word
/// (`Authorization: Bearer …`) the value is the credential after it (one
/// word, a `Digest` credential's parameters as above), the scheme kept.
pub(super) fn key_value_at(text: &str, i: usize, policy: &Policy) -> Option<Found> {
    let b = text.as_bytes();
    let key_end = i - run_back(b, i, |c| c == b' ');
    read(i - key_end);
    // How far an unquoted value runs: to the end of its line after a key
    // that starts one.
    let mut extent = Extent::Word;
    // How far the key is indented on its line (a YAML block's lines are
    // indented further).
    let mut indent = 0;
    // The quote that opened the item, when the key follows one (a header
    // given on a command line: `-H "X-Api-Key: …"`): the value ends at
    // the quote that closes it.
    let mut closing = None;
    // The `,` that ends the field before, when the key follows one.
    let mut comma = None;
    // Where the words of serde's complaint of a value at the key's path
    // end, when the value is one (see [`wrong_value`]).
    let mut complaint = None;
    let key_start = match *b.get(key_end.checked_sub(1)?)? {
        // `"key":` is JSON's own place; `"key" :` is read as JSON.
        b'"' if key_end < i => return json_value_at(text, key_end - 1, i, policy, &mut None),
        b'"' => return None,
        b'\'' => {
            let close = key_end - 1;
            let from = close.saturating_sub(64);
            let open = b[from..close].iter().rposition(|&c| c == b'\'')? + from;
            read(close - open);
            if has_line_break(&b[open..close]) {
                return None;
            }
            open + 1
        }
        _ => {
            let mut start = key_end - run_back(b, key_end, is_name_byte);
            read(key_end - start);
            // Right after a `\n`, `\r` or `\t` escape (in JSON carried as
            // a string), the key begins after the escape's letter.
            let after_escape = start >= 1
                && start + 1 < key_end
                && b[start - 1] == b'\\'
                && matches!(b[start], b'n' | b'r' | b't');
            start += usize::from(after_escape);
            // What comes before the key, spaces skipped: the start, a
            // line break (also as a JSON escape) or an item's opener.
            let before = start - run_back(b, start, |c| c == b' ' || c == b'\t');
            read(start - before);
            let escaped_break = before >= 2
                && b[before - 2] == b'\\'
                && matches!(b[before - 1], b'n' | b'r' | b't');
            extent = match before.checked_sub(1).map(|k| b[k]) {
                // Also a line an error quotes after its number (`5 |
                // password = …`, as toml, config and miette print one).
                None | Some(b'\n' | b'\r' | b'-' | b'|') => Extent::Line,
                _ if escaped_break => Extent::EscapedLine,
                Some(b',') => {
                    comma = Some(before - 1);
                    Extent::Word
                }
                Some(b'{' | b'(' | b'[' | b';') => Extent::Word,
                // A cookie header that is the value of another key
                // (`response headers: set-cookie: sid=…`): one word.
                // Other keys there are prose's (`error: password: too
                // short`, as validation errors are worded).
                Some(b':')
                    if before < start
                        && (b[start..key_end].eq_ignore_ascii_case(b"cookie")
                            || b[start..key_end].eq_ignore_ascii_case(b"set-cookie")) =>
                {
                    Extent::Word
                }
                // serde's complaint at a path, after an error's own words
                // (axum's `Failed to deserialize the JSON body into the
                // target type: password: invalid type: …`).
                Some(b':') if before < start && complaint_at(b, i + 1).is_some() => {
                    complaint = complaint_at(b, i + 1);
                    Extent::Word
                }
                Some(quote @ (b'"' | b'\'')) => {
                    closing = Some(quote);
                    Extent::Line
                }
                // serde's complaint whose field a configuration crate names
                // after the value.
                _ => return complaint_for_key(text, start, key_end, i, policy),
            };
            indent = start - before;
            start
        }
    };
    let key = text.get(key_start..key_end - usize::from(b[key_end - 1] == b'\''))?;
    let named = || {
        names_a_value(key.as_bytes())
            && match (extent, comma) {
                (Extent::Line, _) => named_on_line_before(text, key_start - indent, policy),
                (_, Some(comma)) => named_in_field_before(text, comma, policy),
                _ => false,
            }
    };
    if !(is_sensitive_name(policy, key) || named()) || names_an_error(key) {
        return None;
    }
    if let Some(from) = complaint {
        return wrong_value(text, from);
    }
    let v = run(b, i + 1, |c| c == b' ' || c == b'\t');
    let (start, end) = match b.get(v) {
        None => return None,
        Some(&quote @ (b'"' | b'\'')) => (v + 1, string_end(b, v + 1, false, quote)),
        // Inside a quoted item: to its closing quote, a scheme word kept.
        Some(_) if closing.is_some() => {
            let end = unescaped(b, v, closing.unwrap_or(b'"'));
            let word = run(b, v, |c| !c.is_ascii_whitespace()).min(end);
            let scheme = SCHEMES
                .iter()
                .any(|s| b[v..word].eq_ignore_ascii_case(s.as_bytes()));
            match scheme && word + 1 < end {
                true => (word + 1, end),
                false => (v, end),
            }
        }
        Some(_) => {
            let word = word_value_end(b, v, Extent::Word);
            let scheme = SCHEMES
                .iter()
                .any(|s| b[v..word].eq_ignore_ascii_case(s.as_bytes()));
            // A scheme's word alone on its line (`Authorization: Bearer`,
            // as a client that found no token sends it) holds no secret.
            if scheme {
                let rest = run(b, word, |c| c == b' ' || c == b'\t');
                read(rest - word);
                if matches!(b.get(rest), None | Some(b'\n' | b'\r')) {
                    return None;
                }
            }
            let start = match b.get(word..word + 2) {
                Some([b' ', c]) if scheme && !c.is_ascii_whitespace() => word + 1,
                _ => v,
            };
            // A `Digest` credential's parameters run on past spaces and
            // commas; other schemes' credentials are one word.
            let extent = match start == v || b[v..word].eq_ignore_ascii_case(b"digest") {
                true => extent,
                false => Extent::Word,
            };
            let end = match (extent, start == v) {
                (Extent::Word, true) => word,
                // Spaces that end a line are no part of its value.
                _ => {
                    let end = word_value_end(b, start, extent);
                    end - run_back(&b[start..], end - start, |c| c == b' ' || c == b'\t')
                }
            };
            // A YAML block scalar: its lines follow the indicator.
            let block = extent == Extent::Line && start == v && is_block_indicator(&b[v..end]);
            let end = match block {
                true => block_end(b, end, indent),
                false => end,
            };
            (start, end)
        }
    };
    read(end - v);
    value_found(b, start, end, SecretKind::KeyValue)
}

/// The words with which serde complains of a value of the wrong type or
/// value, quoting it.
const COMPLAINTS: [&[u8]; 2] = [b" invalid type: ", b" invalid value: "];

/// Where the words of serde's complaint of a value (see [`COMPLAINTS`])
/// end, when one begins at `at`, as `serde_path_to_error` writes one after
/// the path of the field (`password: invalid type: integer `…`, expected
/// a string`).
fn complaint_at(b: &[u8], at: usize) -> Option<usize> {
    let words = COMPLAINTS.iter().find(|words| b[at..].starts_with(words))?;
    Some(at + words.len())
}

/// The value serde's complaint quotes after its words (see
/// [`COMPLAINTS`]), which end at `from`: what it names of the value
/// (`integer`, `string`, `floating point`, after `found` as figment words
/// it), then the value between backticks, or a string's between quotes
/// (escaped as `Debug` escapes it), read over at most 32 bytes of names
/// and 256 of value; unclosed, to where it was read. A complaint that
/// quotes none (`invalid type: map`) holds no value.
fn wrong_value(text: &str, from: usize) -> Option<Found> {
    let b = text.as_bytes();
    let names = &b[from..b.len().min(from + 32)];
    let open = names
        .iter()
        .position(|&c| !(c.is_ascii_lowercase() || c == b' '))?
        + from;
    read(open - from);
    let start = open + 1;
    let end = match b[open] {
        b'`' => {
            let room = &b[start..b.len().min(start + 256)];
            start + room.iter().position(|&c| c == b'`').unwrap_or(room.len())
        }
        b'"' => string_end(b, start, false, b'"').min(start + 256),
        _ => return None,
    };
    read(end - start);
    // Whole characters: the cap can fall inside one.
    let end = ceil_char_boundary(text, end);
    value_found(b, start, end, SecretKind::KeyValue)
}

/// The value of serde's complaint at the `: ` at `i`, after `invalid
/// type` or `invalid value` (the key `type` or `value` at
/// `key_start..key_end`), when the field it was for is named after it and
/// is sensitive, as figment and config print the error of a configuration
/// value: `invalid type: found string "…", expected u16 for key
/// "default.database.password"`, ``… for key `auth.api_keys` ``. The
/// name is looked for over at most 160 bytes after the value, and read
/// over at most 128.
fn complaint_for_key(
    text: &str,
    key_start: usize,
    key_end: usize,
    i: usize,
    policy: &Policy,
) -> Option<Found> {
    let b = text.as_bytes();
    let key = &b[key_start..key_end];
    if !(key == b"type" || key == b"value")
        || !b[..key_start].ends_with(b"invalid ")
        || b.get(i + 1) != Some(&b' ')
    {
        return None;
    }
    let value = wrong_value(text, i + 2)?;
    // After the value's closing quote.
    let after = value.end + 1;
    let room = &b[after.min(b.len())..b.len().min(after + 160)];
    let named = find_bytes(room, b" for key ")? + after + 9;
    let quote = *b.get(named)?;
    if !matches!(quote, b'"' | b'`' | b'\'') {
        return None;
    }
    let room = &b[named + 1..b.len().min(named + 129)];
    let close = room.iter().position(|&c| c == quote)? + named + 1;
    read(close - value.end);
    // Between ASCII quotes: whole characters.
    is_sensitive_name(policy, text.get(named + 1..close)?).then_some(value)
}

/// The string in a tuple struct's `Debug` whose name is sensitive
/// (`Password("hunter2")`, `ApiKey("k-123")`, as a newtype around a
/// secret prints it): `i` is the `(`, followed by `"`. The value is the
/// string's content, to its closing quote (see [`string_end`]).
pub(super) fn tuple_value_at(text: &str, i: usize, policy: &Policy) -> Option<Found> {
    let b = text.as_bytes();
    let name_start = i - run_back(b, i, |c| c.is_ascii_alphanumeric() || c == b'_');
    read(i - name_start);
    if name_start == i {
        return pair_value_at(text, i, policy);
    }
    // The name is ASCII, so its bounds are character boundaries.
    let name = &text[name_start..i];
    // A credential's scheme, as the `headers` crate's `Debug` prints one:
    // `Authorization(Bearer("…"))`.
    let scheme = name.eq_ignore_ascii_case("bearer") || name.eq_ignore_ascii_case("basic");
    if !scheme && !is_sensitive_name(policy, name) {
        return None;
    }
    // Every string of the tuple: a credential of two (`Basic("user",
    // "password")`, as an OCI registry client prints one) holds its secret
    // in the second.
    let start = i + 2;
    let mut end = string_end(b, start, false, b'"');
    while b.get(end..end + 4) == Some(b"\", \"") {
        end = string_end(b, end + 4, false, b'"');
    }
    read(end - start);
    value_found(b, start, end, SecretKind::KeyValue)
}

/// The value of a key and value as a pair, when the key is sensitive, as
/// `{:?}` prints a list of them (a form's parameters, an environment:
/// `[("grant_type", "password"), ("password", "…")]`): `i` is the `(`,
/// followed by `"`, with no name before it. The key is up to 64 bytes
/// and holds no escape; the value is the string after `", "`.
fn pair_value_at(text: &str, i: usize, policy: &Policy) -> Option<Found> {
    let b = text.as_bytes();
    let key_start = i + 2;
    let room = &b[key_start..b.len().min(key_start + 65)];
    let key_len = room
        .iter()
        .position(|&c| matches!(c, b'"' | b'\\' | b'\n'))?;
    read(key_len);
    let key_end = key_start + key_len;
    if b[key_end] != b'"' || b.get(key_end + 1..key_end + 4) != Some(b", \"") {
        return None;
    }
    // Between two ASCII quotes: a slice of whole characters.
    if !is_sensitive_name(policy, text.get(key_start..key_end)?) {
        return None;
    }
    let start = key_end + 4;
    let end = string_end(b, start, false, b'"');
    read(end - start);
    value_found(b, start, end, SecretKind::KeyValue)
}

/// The value of a command line's flag whose name is sensitive, as a
/// shell or `{:?}` of a `Command` writes it: `--password hunter2`,
/// `"--api-key" "k-1"` (`--password=…` is a `key=value` pair). `i` is the
/// first `-`, at the start of a word or after a quote; a quoted flag's
/// value is the quoted string after it, an unquoted flag's the word (or
/// the quoted string) after it, unless that is another flag. Of a
/// `--user` or `--proxy-user` flag (curl's), whose value is
/// `name:password`, the value is the part after the first `:`.
pub(super) fn flag_value_at(text: &str, i: usize, policy: &Policy) -> Option<Found> {
    let b = text.as_bytes();
    let name_end = run(b, i + 2, |c| {
        c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
    });
    read(name_end - i);
    if name_end - i > 66 {
        return None;
    }
    // The name is ASCII: whole characters.
    let name = &text[i + 2..name_end];
    let user_and_password = matches!(name, "user" | "proxy-user");
    if !user_and_password && !is_sensitive_name(policy, name) {
        return None;
    }
    let quote = i
        .checked_sub(1)
        .map(|k| b[k])
        .filter(|&c| c == b'"' || c == b'\'');
    let (start, end) = match quote {
        Some(q) => {
            // `"--password" "…"`: the flag's closing quote, a space, the
            // value's opening quote.
            if b.get(name_end..name_end + 3) != Some(&[q, b' ', q]) {
                return None;
            }
            let start = name_end + 3;
            (start, string_end(b, start, false, q))
        }
        None => {
            if b.get(name_end) != Some(&b' ') {
                return None;
            }
            // A quoted value (`--password "a b"`) to its closing quote; no
            // value before another flag or at the end.
            match *b.get(name_end + 1)? {
                b'-' => return None,
                q @ (b'"' | b'\'') => (name_end + 2, string_end(b, name_end + 2, false, q)),
                _ => (
                    name_end + 1,
                    run(b, name_end + 1, |c| !c.is_ascii_whitespace()),
                ),
            }
        }
    };
    read(end - start);
    // A usage text's placeholder (`--api-token <API_TOKEN>`, as clap's
    // errors print it) is no value.
    if let [b'<' | b'[', inner @ .., b'>' | b']'] = &b[start..end] {
        if inner
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        {
            return None;
        }
    }
    let start = match user_and_password {
        true => start + b[start..end].iter().position(|&c| c == b':')? + 1,
        false => start,
    };
    value_found(b, start, end, SecretKind::KeyValue)
}

/// Whether an unquoted key is an error's code rather than a key: a
/// PascalCase word naming a failure, as AWS and many services begin an
/// error message (`ExpiredTokenException: The security token included in
/// the request is expired`, `SignatureDoesNotMatch: …`). What follows is
/// the error's message, which an investigation needs.
fn names_an_error(key: &str) -> bool {
    const FAILURES: [&str; 15] = [
        "Exception",
        "Error",
        "Fault",
        "Invalid",
        "Expired",
        "Missing",
        "Malformed",
        "Incomplete",
        "DoesNotMatch",
        "Mismatch",
        "Required",
        "Denied",
        "Failed",
        "Rejected",
        "Unrecognized",
    ];
    key.starts_with(|c: char| c.is_ascii_uppercase())
        && key.bytes().all(|c| c.is_ascii_alphanumeric())
        && FAILURES.iter().any(|w| key.contains(w))
}

/// The authorization schemes whose credential follows their word.
const SCHEMES: [&str; 7] = [
    "bearer",
    "basic",
    "digest",
    "token",
    "negotiate",
    // Dynatrace's and Okta's.
    "api-token",
    "ssws",
];

/// Where the first `quote` from `start` that no backslash escapes is, or
/// the line break or the end before it.
fn unescaped(b: &[u8], start: usize, quote: u8) -> usize {
    let mut k = start;
    while let Some(&c) = b.get(k) {
        match c {
            b'\\' => k += 2,
            b'\n' | b'\r' => return k,
            c if c == quote => return k,
            _ => k += 1,
        }
    }
    b.len()
}

/// Whether a YAML value is a block scalar's indicator: `|` or `>`, then
/// maybe a chomping `-` or `+` and an indentation digit.
fn is_block_indicator(value: &[u8]) -> bool {
    match value {
        [b'|' | b'>', rest @ ..] => {
            rest.len() <= 2 && rest.iter().all(|&c| matches!(c, b'-' | b'+' | b'1'..=b'9'))
        }
        _ => false,
    }
}

/// The end of a YAML block scalar whose indicator's line ends at `from`:
/// the last of the lines after it that are indented further than
/// `indent` (blank lines between them belong to it too).
fn block_end(b: &[u8], from: usize, indent: usize) -> usize {
    let mut end = from;
    // At the line break that ends the line before.
    let mut k = run(b, from, |c| c == b' ' || c == b'\t');
    while k < b.len() && matches!(b[k], b'\n' | b'\r') {
        let line = k + 1 + usize::from(b[k] == b'\r' && b.get(k + 1) == Some(&b'\n'));
        let text = run(b, line, |c| c == b' ');
        let line_end = run(b, text, |c| c != b'\n' && c != b'\r');
        if text == line_end {
            // A blank line: part of the block if more of it follows.
        } else if text - line > indent {
            end = line_end;
        } else {
            break;
        }
        k = line_end;
    }
    end
}

/// Whether `b` holds a line break (`\n` or `\r`).
fn has_line_break(b: &[u8]) -> bool {
    b.iter().any(|&c| c == b'\n' || c == b'\r')
}

/// A byte of an unquoted key of a `key: value` pair: letters, digits and
/// `_ - .`.
fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

/// How many bytes before `end` satisfy `f`, in a row.
fn run_back(b: &[u8], end: usize, f: impl Fn(u8) -> bool) -> usize {
    b[..end].iter().rev().take_while(|&&c| f(c)).count()
}

/// How far an unquoted value of a `key: value` pair runs.
#[derive(Clone, Copy, PartialEq)]
enum Extent {
    /// One word, with what its brackets and strings enclose: after a key
    /// inside a line (`Login { password: Some("…"), n: 1 }`).
    Word,
    /// To the end of its line: after a key that starts one (YAML, INI, a
    /// header dump).
    Line,
    /// To the end of its line, where a `\n` or `\r` escape ends one too:
    /// after a key that starts a line of a text carried in a JSON string.
    EscapedLine,
}

/// The end of an unquoted value that begins at `start`, read through the
/// brackets it opens and the quoted strings in it (a quote after a letter
/// or digit, as in `don't`, opens none), at a closing bracket it did not
/// open, or the end of the text when a bracket never closes. Outside
/// brackets, a word ends at whitespace (but for the space between a
/// struct's name and its body, `Session { id: 7 }`), `,` or `;`, or runs
/// on to the end of its line, as `extent` says.
fn word_value_end(b: &[u8], start: usize, extent: Extent) -> usize {
    let word = extent == Extent::Word;
    let mut depth = 0usize;
    let mut k = start;
    while let Some(&c) = b.get(k) {
        match c {
            b'"' | b'\'' if k == start || !b[k - 1].is_ascii_alphanumeric() => {
                // Past the closing quote; a string cut short by a line
                // break leaves that break to end the value.
                let end = string_end(b, k + 1, false, c);
                k = end + usize::from(b.get(end) == Some(&c));
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => break,
            b')' | b']' | b'}' => depth -= 1,
            _ if depth > 0 => {}
            b'\n' | b'\r' => break,
            b'\\' if extent == Extent::EscapedLine && matches!(b.get(k + 1), Some(b'n' | b'r')) => {
                break
            }
            b',' | b';' if word => break,
            // Rust's `Debug` of a struct: its name, a space, its body.
            b' ' if word && b.get(k + 1) == Some(&b'{') => {}
            c if c.is_ascii_whitespace() && word => break,
            _ => {}
        }
        k += 1;
    }
    k.min(b.len())
}

/// The value of a `key=value` pair whose `=` is at `i`, when its key is
/// sensitive: up to `&`, whitespace or the end.
pub(super) fn query_value_at(text: &str, i: usize, policy: &Policy) -> Option<Found> {
    let b = text.as_bytes();
    // Cheap refusals first: no value (the end, `&`, whitespace, or more
    // `=` as in base64 padding), no key.
    match b.get(i + 1) {
        Some(&c) if c != b'&' && c != b'=' && !c.is_ascii_whitespace() => {}
        _ => return None,
    }
    let mut key_start = i;
    while key_start > 0 && is_key_byte(b[key_start - 1]) {
        key_start -= 1;
    }
    read(i - key_start);
    if key_start == i && i > 0 && b[i - 1] == b')' && b[i + 1] == b'(' {
        return columns_value_at(text, i, policy);
    }
    // A key shorter than every term cannot hold one.
    if i - key_start < policy.min_term_len() {
        return None;
    }
    // The key is ASCII, so its bounds are character boundaries.
    let key = &text[key_start..i];
    let is_sensitive = if key.as_bytes().contains(&b'%') {
        let mut decoded = [0u8; 128];
        match percent_decode(key.as_bytes(), &mut decoded) {
            Some(key) => policy.is_sensitive(key),
            None => policy.is_sensitive(key),
        }
    } else {
        policy.is_sensitive(key)
    };
    if !is_sensitive {
        return api_key_at(b, key, i);
    }
    // Read only after a sensitive key: keys never hold `=`, so each byte
    // is read once as a key and at most once as a value (a value ends at
    // the next match of its kind). A quoted value (logfmt's
    // `password="a b"`, Python's `password='a b'`) runs to its closing
    // quote.
    let (mut start, mut end) = match b[i + 1] {
        quote @ (b'"' | b'\'') => (i + 2, string_end(b, i + 2, false, quote)),
        _ => (i + 1, query_value_end(b, i + 1)),
    };
    read(end - i);
    // An authorization scheme's word, then a space and the credential
    // (`Authorization=Api-Token dt0c01…`, as OpenTelemetry's headers
    // variable holds one): the credential, the scheme kept.
    let scheme = SCHEMES
        .iter()
        .any(|s| b[start..end].eq_ignore_ascii_case(s.as_bytes()));
    if scheme
        && b.get(end) == Some(&b' ')
        && b.get(end + 1).is_some_and(|&c| !c.is_ascii_whitespace())
    {
        let next = query_value_end(b, end + 1);
        read(next - end);
        // Not when the next word is another pair (`auth=basic user=bob`):
        // base64's padding is no pair's `=`.
        let word = &b[end + 1..next];
        let pair = word
            .iter()
            .position(|&c| c == b'=')
            .is_some_and(|at| at > 0 && word.get(at + 1).is_some_and(|&c| c != b'='));
        if !pair {
            (start, end) = (end + 1, next);
        }
    }
    // A value seclog already replaced (`name=[REDACTED]` of a cookie) is
    // left as it is.
    value_found(b, start, end, SecretKind::QueryParam)
}

/// The longest values [`columns_value_at`] reads.
const COLUMN_VALUES: usize = 1024;

/// The values of a database error's key when one of its columns is
/// sensitive, as PostgreSQL's detail of a unique or foreign key violation
/// quotes them (`Key (token)=(…) already exists.`, `Key (tenant_id,
/// api_key)=(7, …)`, as sqlx and tokio-postgres print the error): `i` is
/// the `=` between the columns' `)` and the values' `(`. The columns are
/// read back to their `(` over at most 128 bytes; the values, replaced
/// whole, run to the `)` that closes them (brackets inside counted), over
/// at most [`COLUMN_VALUES`] bytes.
fn columns_value_at(text: &str, i: usize, policy: &Policy) -> Option<Found> {
    let b = text.as_bytes();
    let close = i - 1;
    let from = close.saturating_sub(128);
    let open = b[from..close].iter().rposition(|&c| c == b'(')? + from;
    read(close - open);
    let columns = text.get(open + 1..close)?;
    let sensitive = columns
        .split(',')
        .any(|column| is_sensitive_name(policy, column.trim().trim_matches('"')));
    if !sensitive {
        return None;
    }
    let start = i + 2;
    let limit = b.len().min(start + COLUMN_VALUES);
    let mut depth = 0usize;
    let mut end = start;
    while end < limit {
        match b[end] {
            b'(' => depth += 1,
            b')' if depth == 0 => break,
            b')' => depth -= 1,
            _ => {}
        }
        end += 1;
    }
    read(end - start);
    // Whole characters: the cap can fall inside one.
    let end = ceil_char_boundary(text, end);
    value_found(b, start, end, SecretKind::KeyValue)
}

/// The names a query's API key goes by that are no sensitive term, as
/// they name other things too (`key` an S3 object or a sort order).
const API_KEY_NAMES: [&str; 3] = ["key", "appid", "app_id"];

/// The value of a query or form pair `key=value` whose `=` is at `i` and
/// whose key is one of [`API_KEY_NAMES`] (in any case), when the value has
/// a token's shape ([`is_token_like`], up to 64 letters, digits, `-` and
/// `_`, then the end of the value or of the text around it): the API key
/// of `?appid=cc02…` or `&key=…`, where `key=uploads/a.png` and
/// `key=name` stay. No more than 65 bytes of the value are read.
fn api_key_at(b: &[u8], key: &str, i: usize) -> Option<Found> {
    if key.eq_ignore_ascii_case("code") {
        return authorization_code_at(b, i);
    }
    if !API_KEY_NAMES.iter().any(|n| key.eq_ignore_ascii_case(n)) {
        return None;
    }
    let start = i + 1;
    let bounded = &b[..b.len().min(start + 65)];
    let end = run(bounded, start, |c| is_alnum(c) || c == b'-' || c == b'_');
    let ends = match b.get(end) {
        None => true,
        Some(&c) => {
            c.is_ascii_whitespace()
                || matches!(
                    c,
                    b'&' | b';' | b')' | b']' | b'}' | b'"' | b'\'' | b',' | b'#' | b'>'
                )
        }
    };
    (ends && end - start <= 64 && is_token_like(&b[start..end])).then_some(Found {
        start,
        end,
        kind: SecretKind::QueryParam,
    })
}

/// The value of a `code=` pair whose `=` is at `i` when it looks like an
/// OAuth authorization code, which a login's callback URL carries and
/// whoever holds it may trade for tokens: its first 24 bytes (or all,
/// when fewer) are 16 or more letters, digits, `-`, `_`, `.`, `/` and `%`
/// (GitHub's 20 hex digits, Google's `4%2F0Aea…`), four letters and two
/// digits among them. A status (`code=404`), a promotion (`code=SUMMER24`)
/// or a word stays. No more than 24 bytes are read unless it is one; then
/// the value whole.
fn authorization_code_at(b: &[u8], i: usize) -> Option<Found> {
    let start = i + 1;
    let code_byte = |c: u8| is_alnum(c) || matches!(c, b'-' | b'_' | b'.' | b'/' | b'%');
    let head = run(&b[..b.len().min(start + 24)], start, code_byte);
    let head_bytes = &b[start..head];
    let letters = head_bytes
        .iter()
        .filter(|c| c.is_ascii_alphabetic())
        .count();
    let digits = head_bytes.iter().filter(|c| c.is_ascii_digit()).count();
    if head_bytes.len() < 16 || letters < 4 || digits < 2 {
        return None;
    }
    let end = query_value_end(b, start);
    read(end - start);
    Some(Found {
        start,
        end,
        kind: SecretKind::QueryParam,
    })
}

/// The end of an unquoted `key=value` value that begins at `start`: at
/// `&` or `;` (the pairs of a query string, a cookie header, a connection
/// string: `AccountKey=…;EndpointSuffix=…`), whitespace or the end, or at
/// a quote that closes the text around the pair, followed by the end,
/// whitespace or a closing bracket or separator (`-d 'a=1&secret=x'`,
/// `["password=x"]`). A quote inside a value (`a"b`) does not end it.
pub(super) fn query_value_end(b: &[u8], start: usize) -> usize {
    let mut k = start;
    while let Some(&c) = b.get(k) {
        let ends = match c {
            // `&` ends a value where another pair begins (`&key=`) or
            // nothing does; inside a value (`pass=a&=b`) it does not.
            b'&' => {
                let key = run(b, k + 1, is_key_byte);
                read(key - k);
                key == b.len() || b[key] == b'=' && key > k + 1 || b[key].is_ascii_whitespace()
            }
            b';' => true,
            b'"' | b'\'' => match b.get(k + 1) {
                None => true,
                Some(&next) => {
                    next.is_ascii_whitespace() || matches!(next, b',' | b';' | b')' | b']' | b'}')
                }
            },
            c => c.is_ascii_whitespace(),
        };
        if ends {
            break;
        }
        k += 1;
    }
    k
}

/// Whether `text` is a marker seclog writes in place of a secret:
/// `[REDACTED]` or `[REDACTED:<kind>]`.
pub(super) fn is_marker(text: &[u8]) -> bool {
    match text
        .strip_prefix(b"[REDACTED")
        .and_then(|t| t.strip_suffix(b"]"))
    {
        Some(b"") => true,
        Some(kind) => kind.strip_prefix(b":").is_some_and(|k| {
            !k.is_empty()
                && k.iter()
                    .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        }),
        None => false,
    }
}

/// A byte of a query or form key: letters, digits and `_ - . [ ] %`.
pub(super) fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'[' | b']' | b'%')
}

/// `key` with its `%XX` escapes decoded into `out`, when it fits and is
/// text.
pub(super) fn percent_decode<'a>(key: &[u8], out: &'a mut [u8; 128]) -> Option<&'a str> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let (mut i, mut n) = (0, 0);
    while i < key.len() {
        let byte = match key[i] {
            b'%' if i + 2 < key.len() => match (hex(key[i + 1]), hex(key[i + 2])) {
                (Some(h), Some(l)) => {
                    i += 2;
                    h << 4 | l
                }
                _ => b'%',
            },
            c => c,
        };
        *out.get_mut(n)? = byte;
        n += 1;
        i += 1;
    }
    std::str::from_utf8(&out[..n]).ok()
}

/// The longest card number that starts at the group of digits at `i`.
pub(super) fn card_at(b: &[u8], i: usize) -> Option<Found> {
    let end = card_starts(b, i).then(|| card_from(b, i)).flatten()?;
    Some(Found {
        start: i,
        end,
        kind: SecretKind::CardNumber,
    })
}

/// Whether a number can be a payment card's by its first digit, the
/// major industry identifier of ISO/IEC 7812: never 0, and 1 (airlines)
/// only for the 15 digits of a UATP card. Every other first digit is
/// taken as a card's, issued today or not. This keeps the times that logs
/// are full of (milliseconds, microseconds and nanoseconds since 1970:
/// 13, 16 and 19 digits that begin with 1 until 2033) from passing for
/// card numbers one time in ten, as the Luhn check alone lets them.
pub(super) fn issued(digits: &[u8]) -> bool {
    match digits.first() {
        Some(0) | None => false,
        Some(1) => digits.len() == 15,
        Some(_) => true,
    }
}

/// A byte that may join the digit groups of a card number: a space, a
/// dash, or `+`, a space in a form body (`application/x-www-form-urlencoded`).
/// A space percent-encoded in a URL (`%20`) joins them too (see
/// [`card_separator_at`]).
pub(super) fn is_card_separator(c: u8) -> bool {
    c == b' ' || c == b'-' || c == b'+'
}

/// The length of the separator at `i` between two digit groups of a card
/// number: a dash or a space ([`space_at`]).
pub(super) fn card_separator_at(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'-' => Some(1),
        _ => space_at(b, i).map(<[u8]>::len),
    }
}

/// The byte a percent-encoded `%XX` at `i` stands for.
pub(super) fn escape_at(b: &[u8], i: usize) -> Option<u8> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    match b.get(i..i + 3)? {
        [b'%', h, l] => Some(hex(*h)? << 4 | hex(*l)?),
        _ => None,
    }
}

/// Where the escape that byte `i` is inside of (past its first byte)
/// ends: a percent-encoded `%XX` or a JSON string's `\uXXXX` or `\n`.
pub(super) fn escape_around(b: &[u8], i: usize) -> Option<usize> {
    if let Some(k) = (1..=2).find(|&k| i >= k && escape_at(b, i - k).is_some()) {
        return Some(i - k + 3);
    }
    (1..=5)
        .filter(|&k| i >= k)
        .find_map(|k| match json_escape_at(b, i - k)? {
            (_, width) if k < width => Some(i - k + width),
            _ => None,
        })
}

/// Whether a card may start at `i`: no letter or digit before it, nor a
/// decimal point or thousands separator after a digit; an escaped
/// character before it counts as the character it stands for.
pub(super) fn card_starts(b: &[u8], i: usize) -> bool {
    if track_one_at(b, i) {
        return true;
    }
    if escape_around(b, i).is_some() {
        // The hex digits of an escape, not the text's.
        return false;
    }
    if after_escape(b, i) {
        return true;
    }
    match i {
        0 => true,
        1 => !is_alnum(b[0]),
        _ => {
            let before = b[i - 1];
            !(is_alnum(before) || matches!(before, b'.' | b',') && b[i - 2].is_ascii_digit())
        }
    }
}

/// Whether the digits at `i` are the card number of a magnetic stripe's
/// track 1 (`%B4111…^DOE/JOHN^…`, as a card reader gives it): after the
/// `%B` that starts the track (no percent-encoded byte), up to 19 digits
/// and the `^` that ends them.
pub(super) fn track_one_at(b: &[u8], i: usize) -> bool {
    if i < 2 || &b[i - 2..i] != b"%B" {
        return false;
    }
    let end = run(b, i, |c| c.is_ascii_digit());
    read(end - i);
    end - i <= 19 && b.get(end) == Some(&b'^')
}

/// Whether a card may end at `i` (mirroring [`card_starts`]).
pub(super) fn card_ends(b: &[u8], i: usize) -> bool {
    match b.get(i) {
        None => true,
        Some(&after) => {
            !(is_alnum(after)
                || matches!(after, b'.' | b',') && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        }
    }
}

/// The end of the longest card number that starts at the group at `i`.
pub(super) fn card_from(b: &[u8], i: usize) -> Option<usize> {
    let mut digits = [0u8; 19];
    let mut count = 0;
    let mut best = None;
    let mut at = i;
    loop {
        let end = run(b, at, |c| c.is_ascii_digit());
        if count + (end - at) > 19 {
            return best;
        }
        for &d in &b[at..end] {
            digits[count] = d - b'0';
            count += 1;
        }
        if count >= 13 && card_ends(b, end) && issued(&digits[..count]) && luhn(&digits[..count]) {
            best = Some(end);
        }
        match card_separator_at(b, end) {
            Some(len) if b.get(end + len).is_some_and(u8::is_ascii_digit) => at = end + len,
            _ => return best,
        }
    }
}

/// The Luhn check: from the right, every second digit doubled (its digits
/// summed), the total a multiple of ten.
pub(crate) fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &d)| {
            let d = u32::from(d);
            if k % 2 == 1 {
                let twice = d * 2;
                if twice > 9 {
                    twice - 9
                } else {
                    twice
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}
