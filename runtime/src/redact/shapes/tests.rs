//! The shapes' unit tests: every detector against an every-byte
//! reference scan, the negative cases, linear cost.

use super::*;

/// The definition the vector passes must agree with: each kind looked
/// for at every byte where its match can begin, then overlaps merged.
fn scan_everywhere(text: &str, policy: &Policy, found: &mut Vec<Found>) {
    let b = text.as_bytes();
    let mut kind = |f: &mut dyn FnMut(usize) -> Result<Found, usize>| {
        let mut i = 0;
        while i < b.len() {
            match f(i) {
                Ok(hit) => {
                    found.push(hit);
                    i = hit.end.max(i + 1);
                }
                Err(next) => i = next.max(i + 1),
            }
        }
    };
    // A base64 run where `eyJ` begins no JWT is decoded as JSON text,
    // once.
    let (mut base64, mut base64_to) = (Vec::new(), 0);
    kind(&mut |i| {
        jwt_at(b, i).inspect_err(|_| {
            if i >= base64_to && b[i..].starts_with(b"eyJ") && base64_json_starts(b, i) {
                base64_to = base64_json(text, i, policy, &mut base64);
            }
        })
    });
    kind(&mut |i| aws_at(b, i).or_else(|| session_token_at(b, i)).ok_or(i + 1));
    kind(&mut |i| service_token_at(b, i).ok_or(i + 1));
    kind(&mut |i| match (b[i], b.get(i + 1)) {
        (b':', Some(b'/')) => webhook_at(b, i).ok_or(i + 1),
        _ => Err(i + 1),
    });
    kind(&mut |i| private_key_at(b, i).ok_or(i + 1));
    kind(&mut |i| match b[i] {
        b'b' | b'B' => credential_at(b, i).ok_or(i + 1),
        _ => Err(i + 1),
    });
    // A pair's value holding a `%`, when its key is not sensitive, is
    // decoded from its first `=` (the `=`s inside it are part of it).
    // So is an XML document, whole, from the first `=` of its declaration
    // or a namespace's.
    let (mut decoded, mut encoded_to, mut xml) = (Vec::new(), 0, false);
    kind(&mut |i| match b[i] {
        b'=' => query_value_at(text, i, policy).ok_or_else(|| {
            let value = b
                .get(i + 1)
                .is_some_and(|&c| c != b'&' && !c.is_ascii_whitespace());
            let pair = (i == 0 || is_key_byte(b[i - 1])) && b.get(i + 1) != Some(&b'=');
            if pair && b.get(i + 1).is_some_and(|&c| c != b'&') && !xml && declares_xml(b, i) {
                xml = true;
                xml_elements(text, policy, &mut decoded);
            }
            if value && pair && i >= encoded_to {
                let end = query_value_end(b, i + 1);
                encoded_to = end;
                if b[i + 1..end].contains(&b'%') {
                    let n = end - i - 1;
                    let (mut bytes, mut from) = (vec![0; n], vec![0; n + 1]);
                    decoded_shapes(
                        text,
                        i + 1,
                        end,
                        &mut bytes,
                        &mut from,
                        policy,
                        &mut decoded,
                    );
                }
            }
            i + 1
        }),
        _ => Err(i + 1),
    });
    let mut jwk = None;
    kind(&mut |i| match (b[i], b.get(i + 1)) {
        (b'"', Some(b':')) if i >= 2 => {
            json_value_at(text, i, i + 1, policy, &mut jwk).ok_or(i + 1)
        }
        _ => Err(i + 1),
    });
    kind(&mut |i| match (b[i], b.get(i + 1)) {
        (b':', Some(b' ')) => key_value_at(text, i, policy).ok_or(i + 1),
        (b'=', Some(&c)) if i >= 1 && b[i - 1] == b' ' && c != b'=' && c != b'&' => {
            key_value_at(text, i, policy).ok_or(i + 1)
        }
        (b'(', Some(b'"')) if i >= 1 => tuple_value_at(text, i, policy).ok_or(i + 1),
        (b'-', Some(b'-'))
            if (i == 0 || matches!(b[i - 1], b' ' | b'"' | b'\''))
                && b.get(i + 2).is_some_and(u8::is_ascii_alphabetic) =>
        {
            flag_value_at(text, i, policy).ok_or(i + 1)
        }
        _ => Err(i + 1),
    });
    for at in (0..b.len()).filter(|&i| b[i] == b'@') {
        let from = (0..at)
            .rev()
            .find(|&k| ends_authority(b[k]))
            .map_or(0, |k| k + 1);
        let colon = b[from..at]
            .iter()
            .position(|&c| c == b':')
            .map(|c| from + c);
        found.extend(url_password(b, from, colon, at));
    }
    found.append(&mut decoded);
    found.append(&mut base64);
    // Cards overlap: each group of digits is looked at, also one right
    // after a percent-encoded character (`%20`).
    for i in 0..b.len() {
        let after_escape =
            i >= 3 && escape_at(b, i - 3).is_some() || i >= 6 && json_escape_at(b, i - 6).is_some();
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit() || after_escape) {
            found.extend(card_at(b, i));
        }
    }
    settle(text, found, 0);
}

fn redact(text: &str) -> String {
    redact_text_in(text, &Policy::default(), &Shapes::DEFAULT).into_owned()
}

/// `text` redacted with one user shape besides the built-in ones.
fn redact_with(text: &str, name: &'static str, shape: impl SecretShape) -> String {
    let shapes = Shapes {
        on: true,
        custom: vec![(name, Box::new(shape))],
    };
    redact_text_in(text, &Policy::default(), &shapes).into_owned()
}

const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

#[test]
fn a_jwt_is_replaced_and_the_words_around_it_stay() {
    assert_eq!(
        redact(&format!("token {JWT} expired")),
        "token [REDACTED:jwt] expired"
    );
    assert_eq!(redact(&format!("({JWT})")), "([REDACTED:jwt])");
    // Unsecured (empty signature) and encrypted (five segments).
    let none = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.";
    assert_eq!(redact(&format!("{none} x")), "[REDACTED:jwt] x");
    let jwe = "eyJhbGciOiJSU0EtT0FFUCJ9.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ";
    assert_eq!(redact(&format!("jwe={jwe};")), "jwe=[REDACTED:jwt];");
    // Encrypted with a key agreed directly (`"alg":"dir"`): no key segment.
    let direct = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..Xq7vB2nM4kL9pR1t.Zk2mQ8vX1pR4tY7wB0nC3jF6hL9sD2aG5eK8u.Hj4Kl7Zx0Cv3Bn6Mq9Wt";
    assert_eq!(
        redact(&format!("jwe decode failed for {direct}: bad tag")),
        "jwe decode failed for [REDACTED:jwt]: bad tag"
    );
}

#[test]
fn what_only_resembles_a_jwt_stays() {
    for text in [
        "heyJude.mp3.bak",
        "eyJ.a.b",
        "eyJhbGciOiJIUzI1NiJ9 alone",
        "eyJhbGciOiJIUzI1NiJ9.x",
        "the eyJ prefix",
        // A header, then `..` with fewer than three segments after.
        "eyJhbGciOiJkaXIifQ..",
        "eyJhbGciOiJkaXIifQ..iv.ct",
        "eyJhbGciOiJkaXIifQ..iv..tag",
        "eyJhbGciOiJkaXIifQ...",
    ] {
        assert_eq!(redact(text), text);
    }
}

#[test]
fn a_bearer_or_basic_credential_keeps_its_scheme_word() {
    assert_eq!(
        redact("Authorization: Bearer mF_9.B5f-4.1JqM rejected"),
        "Authorization: Bearer [REDACTED:bearer] rejected"
    );
    assert_eq!(
        redact("bearer   a1b2c3d4e5f6"),
        "bearer   [REDACTED:bearer]"
    );
    // A JWT as the token is named for what it is.
    assert_eq!(redact(&format!("BEARER {JWT}")), "BEARER [REDACTED:jwt]");
    // "Aladdin:open sesame"
    assert_eq!(
        redact("Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==, retry"),
        "Authorization: Basic [REDACTED:basic], retry"
    );
    assert_eq!(redact("basic dTpw"), "basic [REDACTED:basic]");
}

#[test]
fn secrets_after_an_escape_in_a_json_text_carried_as_a_string_are_replaced() {
    // API Gateway's `body` is the request's JSON as it was sent: a line
    // break in one of its strings is a backslash and an `n`.
    for (text, logged) in [
        (
            r#"{"note":"card:\n4111 1111 1111 1111\nthanks"}"#,
            r#"{"note":"card:\n[REDACTED:card_number]\nthanks"}"#,
        ),
        (
            &format!(r#"{{"note":"token:\n{JWT}"}}"#),
            r#"{"note":"token:\n[REDACTED:jwt]"}"#,
        ),
        (
            r#"{"note":"\tAKIAIOSFODNN7EXAMPLE"}"#,
            r#"{"note":"\t[REDACTED:aws_access_key_id]"}"#,
        ),
        (
            r#"{"h":"\r\nBearer a1B2c3D4e5F6g7H8"}"#,
            r#"{"h":"\r\nBearer [REDACTED:bearer]"}"#,
        ),
        (
            r#"{"q":"\u00224111111111111111\u0022"}"#,
            r#"{"q":"\u0022[REDACTED:card_number]\u0022"}"#,
        ),
    ] {
        assert_eq!(redact(text), logged, "{text}");
    }
}

#[test]
fn a_sensitive_value_in_json_quoted_as_text_is_replaced_and_its_key_kept() {
    for (text, logged) in [
        (
            r#"upstream rejected {"user":"bob","password":"hunter2","n":1}"#,
            r#"upstream rejected {"user":"bob","password":"[REDACTED:json_value]","n":1}"#,
        ),
        (
            r#"{"api_key": "k-123", "cvv": 123}"#,
            r#"{"api_key": "[REDACTED:json_value]", "cvv": [REDACTED:json_value]}"#,
        ),
        // JSON inside a JSON string, its quotes escaped; a quote inside
        // the value is escaped twice.
        (
            r#"{\"client_secret\":\"abc\\\"def\",\"x\":1}"#,
            r#"{\"client_secret\":\"[REDACTED:json_value]\",\"x\":1}"#,
        ),
        // The shortest pair a key of the policy makes.
        (r#""pwd":1"#, r#""pwd":[REDACTED:json_value]"#),
        (r#"{"ssn":"x"}"#, r#"{"ssn":"[REDACTED:json_value]"}"#),
        // A response body carried as a string, as API Gateway takes it.
        (
            r#"{"access_token":"opaque-4f9a","expires_in":3600,"refresh_token":"r-77"}"#,
            r#"{"access_token":"[REDACTED:json_value]","expires_in":3600,"refresh_token":"[REDACTED:json_value]"}"#,
        ),
        // In JSON inside a JSON string, a quote of the value is `\\\"`,
        // whatever follows it; an escaped backslash ends no value.
        (
            r#"{\"password\":\"a\\\" ,b}\",\"n\":1}"#,
            r#"{\"password\":\"[REDACTED:json_value]\",\"n\":1}"#,
        ),
        (
            r#"{\"token\":\"c:\\\\\",\"n\":1}"#,
            r#"{\"token\":\"[REDACTED:json_value]\",\"n\":1}"#,
        ),
        // An object or array under a sensitive key, whole, its strings
        // read through (brackets in them do not count).
        (
            r#"{"secret":{"a":"}","b":[1]},"list":[1]}"#,
            r#"{"secret":[REDACTED:json_value],"list":[1]}"#,
        ),
        (
            r#"{"api_keys": ["k-1]", "k-2"], "n": 2}"#,
            r#"{"api_keys": [REDACTED:json_value], "n": 2}"#,
        ),
        (
            r#"{\"tokens\":[\"a]\\\"]\",\"b\"],\"n\":1}"#,
            r#"{\"tokens\":[REDACTED:json_value],\"n\":1}"#,
        ),
        // One that never closes: to the end.
        (r#"{"cookie":[{"a":1"#, r#"{"cookie":[REDACTED:json_value]"#),
        // A name and value pair whose name is sensitive, as lists of
        // variables and parameters write one.
        (
            r#"{"environment": [{"name": "STAGE", "value": "prod"}, {"name": "DB_PASSWORD", "value": "tjfIZ4"}]}"#,
            r#"{"environment": [{"name": "STAGE", "value": "prod"}, {"name": "DB_PASSWORD", "value": "[REDACTED:json_value]"}]}"#,
        ),
        (
            "[{\"ParameterKey\":\"DbPassword\",\n  \"ParameterValue\":\"s3 cr3t\"}]",
            "[{\"ParameterKey\":\"DbPassword\",\n  \"ParameterValue\":\"[REDACTED:json_value]\"}]",
        ),
        (
            r#"{\"Name\":\"api_key\",\"Value\":\"k-1\"}"#,
            r#"{\"Name\":\"api_key\",\"Value\":\"[REDACTED:json_value]\"}"#,
        ),
        // A JSON Web Key's private members, after its `"kty"`, in the same
        // object; the public ones stay.
        (
            r#"bad key {"kty":"EC","crv":"P-256","x":"qza-M9","y":"oHzr","d":"LdB-QP09"}: curve"#,
            r#"bad key {"kty":"EC","crv":"P-256","x":"qza-M9","y":"oHzr","d":"[REDACTED:json_value]"}: curve"#,
        ),
        (
            r#"{\"kty\":\"oct\",\"alg\":\"HS256\",\"k\":\"OOUw_VCq\"}"#,
            r#"{\"kty\":\"oct\",\"alg\":\"HS256\",\"k\":\"[REDACTED:json_value]\"}"#,
        ),
        (
            r#"{"keys":[{"kty":"RSA","n":"0vx7","e":"AQAB","d":"X4cT","p":"83i","q":"3Qe","dp":"G4s","dq":"s9l","qi":"GyM"}]}"#,
            r#"{"keys":[{"kty":"RSA","n":"0vx7","e":"AQAB","d":"[REDACTED:json_value]","p":"[REDACTED:json_value]","q":"[REDACTED:json_value]","dp":"[REDACTED:json_value]","dq":"[REDACTED:json_value]","qi":"[REDACTED:json_value]"}]}"#,
        ),
        // A word that opens a bracket is no `Debug` value: it does not
        // run on to where the bracket closes.
        (
            r#"{"password": f(x, "n": 1} end"#,
            r#"{"password": [REDACTED:json_value], "n": 1} end"#,
        ),
        // Escapes inside a value do not end it.
        (
            r#"{"token":"a\"b\\c"}"#,
            r#"{"token":"[REDACTED:json_value]"}"#,
        ),
        // Rust's `Debug` of a `serde_json::Value`, an `Option` or a
        // `toml` table under a sensitive key: the value whole, on one line
        // or over the lines `{:#?}` spreads it on.
        (
            r#"Object {"user": String("bob"), "password": String("3J27 \")x"), "n": Number(1)}"#,
            r#"Object {"user": String("bob"), "password": [REDACTED:json_value], "n": Number(1)}"#,
        ),
        (
            r#"{"password": Some("W7h"), "user": Some("bob")}"#,
            r#"{"password": [REDACTED:json_value], "user": Some("bob")}"#,
        ),
        (
            r#"Table({"database": Table({"password": String("dcm4")})})"#,
            r#"Table({"database": Table({"password": [REDACTED:json_value]})})"#,
        ),
        (
            "Object {\n    \"refresh_token\": String(\n        \"1//0gW\",\n    ),\n    \"cvv\": Number(123),\n}",
            "Object {\n    \"refresh_token\": [REDACTED:json_value],\n    \"cvv\": [REDACTED:json_value],\n}",
        ),
        (
            r#"{"token": Some(String("t-1"))}"#,
            r#"{"token": [REDACTED:json_value]}"#,
        ),
        // A struct, as a map of headers prints its values.
        (
            r#"headers: {"x-amz-date": HeaderValue { _private: H1("20240610T120000Z") }, "x-amz-security-token": HeaderValue { _private: H1("FwoG Zx}") }}"#,
            r#"headers: {"x-amz-date": HeaderValue { _private: H1("20240610T120000Z") }, "x-amz-security-token": [REDACTED:json_value]}"#,
        ),
        (
            "{\n    \"authorization\": Secret {\n        inner: \"Bearer 9a6c\",\n    },\n    \"n\": 1,\n}",
            "{\n    \"authorization\": [REDACTED:json_value],\n    \"n\": 1,\n}",
        ),
    ] {
        assert_eq!(redact(text), logged, "{text}");
    }
    for text in [
        r#"{"note":"password","user":"bob"}"#,
        r#"{"password":"[REDACTED]"}"#,
        r#"{"password":""}"#,
        r#"Object {"user": String("bob"), "note": Some("password")}"#,
        r#"{"name": "STAGE", "value": "prod"}, {"value": "v", "name": "password"}"#,
        r#"{"label": "password", "value": "shown"}, "password", "value": "x""#,
        r#"{"name": "pass\"word", "value": "x"}"#,
        "time 'x': 12:30",
        "a #: b %: c &: d",
        // Quotes around a line break are prose's, not a key's.
        "\"a\nthe secret \":a( b\nend",
    ] {
        assert_eq!(redact(text), text);
    }
}

#[test]
fn a_sensitive_value_of_a_key_value_pair_in_text_is_replaced_and_its_key_kept() {
    for (text, logged) in [
        // Rust's `Debug` of a struct, as an error or a panic message
        // prints it, on one line and pretty.
        (
            r#"called `Result::unwrap()` on an `Err` value: Login { user: "bob", password: "hunter 2", remember: true }"#,
            r#"called `Result::unwrap()` on an `Err` value: Login { user: "bob", password: "[REDACTED:key_value]", remember: true }"#,
        ),
        (
            "Login {\n    user: \"bob\",\n    api_key: \"k-1\\\"2\",\n}",
            "Login {\n    user: \"bob\",\n    api_key: \"[REDACTED:key_value]\",\n}",
        ),
        (
            r#"Signup { token: Some("t 1"), session: Session { id: 7 }, n: 1 }"#,
            r#"Signup { token: [REDACTED:key_value], session: [REDACTED:key_value], n: 1 }"#,
        ),
        // YAML, and a header dump whose scheme word is kept.
        (
            "user: bob\npassword: hunter 2 # old  \nrole: admin",
            "user: bob\npassword: [REDACTED:key_value]  \nrole: admin",
        ),
        (
            "- name: db\n  secret: s3cr3t\n",
            "- name: db\n  secret: [REDACTED:key_value]\n",
        ),
        // A YAML block scalar: the lines indented under its key.
        (
            "db:\n  password: |\n    s3cr3t\n\n    line 2\n  user: app\n",
            "db:\n  password: [REDACTED:key_value]\n  user: app\n",
        ),
        (
            "- private_key: >-\r\n    MIIB\r\n    AAAA\r\n- name: x",
            "- private_key: [REDACTED:key_value]\r\n- name: x",
        ),
        ("token: |\nnext: 1", "token: [REDACTED:key_value]\nnext: 1"),
        (
            "Host: api.example.com\r\nX-Api-Key: k-123\r\nAuthorization: Digest username=\"a\"\r\n",
            "Host: api.example.com\r\nX-Api-Key: [REDACTED:key_value]\r\nAuthorization: Digest [REDACTED:key_value]\r\n",
        ),
        // A Python dict; a nested dict whole.
        (
            "KeyError: {'user': 'bob', 'secret': 's3 cr3t', 'cookie': {'a': '}'}, 'n': 1}",
            "KeyError: {'user': 'bob', 'secret': '[REDACTED:key_value]', 'cookie': [REDACTED:key_value], 'n': 1}",
        ),
        // JSON with a space before its colon, plain and inside a JSON
        // string.
        (
            r#"{ "password" : "hunter2", "n" : 1 }"#,
            r#"{ "password" : "[REDACTED:json_value]", "n" : 1 }"#,
        ),
        (
            r#"{\"pwd\" : \"a b\"}"#,
            r#"{\"pwd\" : \"[REDACTED:json_value]\"}"#,
        ),
        // A quote that never closes, a bracket that never closes: to the
        // end.
        (r#"{ token: "abc"#, r#"{ token: "[REDACTED:key_value]"#),
        // Brackets opened on the key's line hold the lines they span, as
        // `{:#?}` prints an `Option`.
        (
            "Login {\n    token: Some(\n        \"t-1\",\n    ),\n    n: 1,\n}",
            "Login {\n    token: [REDACTED:key_value]\n    n: 1,\n}",
        ),
        // YAML inside JSON carried as a string: lines end at `\n`.
        (
            r#"{"config":"user: app\nsecret: s3 cr3t\nrole: x"}"#,
            r#"{"config":"user: app\nsecret: [REDACTED:key_value]\nrole: x"}"#,
        ),
        ("ssn: (123 45", "ssn: [REDACTED:key_value]"),
        // A bracket that never closes takes the rest of the text: a
        // pretty `Debug` spans lines.
        (
            "{ token: Some(\"abc\"\nuser: bob",
            "{ token: [REDACTED:key_value]",
        ),
        // The shortest pair a key of the policy makes.
        ("pwd: 1", "pwd: [REDACTED:key_value]"),
        // A tuple struct named for a secret, as a newtype's `Debug`
        // prints it.
        (
            r#"rejected Password("hunter 2") for Login { user: "bob", key: ApiKey("k-1\"2") }"#,
            r#"rejected Password("[REDACTED:key_value]") for Login { user: "bob", key: ApiKey("[REDACTED:key_value]") }"#,
        ),
        (r#"SessionToken("t"#, r#"SessionToken("[REDACTED:key_value]"#),
        // A header given on a command line: the key follows a quote,
        // and the value ends at the quote that closes it.
        (
            r#"curl -H "X-Api-Key: 1006f7e3 dfc9" https://api.example.com"#,
            r#"curl -H "X-Api-Key: [REDACTED:key_value]" https://api.example.com"#,
        ),
        (
            "curl -H 'Cookie: sid=Fo5Xh2; theme=dark' https://app.example.com",
            "curl -H 'Cookie: [REDACTED:key_value]' https://app.example.com",
        ),
        (
            r#"args: ["-H", "Authorization: Bearer 9a6c52cf\"x", "-v"]"#,
            r#"args: ["-H", "Authorization: Bearer [REDACTED:bearer]", "-v"]"#,
        ),
        // A command line's flags, as a shell and `{:?}` of a `Command`
        // write them.
        (
            r#"restic failed: "restic" "backup" "--password" "dcm4 pM" "/data" exited"#,
            r#"restic failed: "restic" "backup" "--password" "[REDACTED:key_value]" "/data" exited"#,
        ),
        (
            "running: deploy --api-key k-1f2e --region eu-west-1",
            "running: deploy --api-key [REDACTED:key_value] --region eu-west-1",
        ),
        (
            "--client-secret s3cr3t --pwd 'a b'",
            "--client-secret [REDACTED:key_value] --pwd '[REDACTED:key_value]'",
        ),
        // curl's `--user name:password`: the name kept.
        (
            "curl --user admin:g2sye9b2 -X DELETE http://es:9200/logs",
            "curl --user admin:[REDACTED:key_value] -X DELETE http://es:9200/logs",
        ),
        (
            r#""curl" "--proxy-user" "ops:p a:ss" "https://x""#,
            r#""curl" "--proxy-user" "ops:[REDACTED:key_value]" "https://x""#,
        ),
        // A cookie header that is the value of another key.
        (
            "response headers: set-cookie: __Host-sid=nlz2MPKg; Path=/; Secure",
            "response headers: set-cookie: [REDACTED:key_value]; Path=/; Secure",
        ),
        (
            "headers: Cookie: sid=Fo5X",
            "headers: Cookie: [REDACTED:key_value]",
        ),
        // Keys and values as pairs, as `{:?}` prints a form's parameters
        // or an environment.
        (
            r#"params: [("grant_type", "password"), ("password", "HoOs Fa"), ("client_id", "web")]"#,
            r#"params: [("grant_type", "password"), ("password", "[REDACTED:key_value]"), ("client_id", "web")]"#,
        ),
        (
            r#"[("HOME", "/root"), ("DATABASE_PASSWORD", "dcm4\"p"), ("PATH", "/bin")]"#,
            r#"[("HOME", "/root"), ("DATABASE_PASSWORD", "[REDACTED:key_value]"), ("PATH", "/bin")]"#,
        ),
        // A YAML list of variables: a sensitive name over its value.
        (
            "env:\n  - name: RUST_LOG\n    value: info\n  - name: DB_PASSWORD\n    value: De1f 8r\n",
            "env:\n  - name: RUST_LOG\n    value: info\n  - name: DB_PASSWORD\n    value: [REDACTED:key_value]\n",
        ),
        (
            "- name: \"api_key\"\r\n  value: k-1\r\n",
            "- name: \"api_key\"\r\n  value: [REDACTED:key_value]\r\n",
        ),
        // `Debug` of a name and value pair: a struct's `value` after a
        // sensitive `name` field, as k8s-openapi and the AWS SDK print
        // lists of variables and parameters.
        (
            r#"[EnvVar { name: "RUST_LOG", value: Some("info") }, EnvVar { name: "DB_PASSWORD", value: Some("kFd M1"), value_from: None }]"#,
            r#"[EnvVar { name: "RUST_LOG", value: Some("info") }, EnvVar { name: "DB_PASSWORD", value: [REDACTED:key_value], value_from: None }]"#,
        ),
        (
            r#"KeyValuePair { name: Some("DB_PASSWORD"), value: Some("23JU") }"#,
            r#"KeyValuePair { name: Some("DB_PASSWORD"), value: [REDACTED:key_value] }"#,
        ),
        (
            r#"Parameter { parameter_key: Some("DbMasterPassword"), parameter_value: Some("8t0v"), use_previous_value: None }"#,
            r#"Parameter { parameter_key: Some("DbMasterPassword"), parameter_value: [REDACTED:key_value], use_previous_value: None }"#,
        ),
        // PostgreSQL's detail of a key's violation: the values of a key
        // with a sensitive column, whole.
        (
            r#"detail: Some("Key (token)=(TUQ1Ynx) already exists."), hint: None"#,
            r#"detail: Some("Key (token)=([REDACTED:key_value]) already exists."), hint: None"#,
        ),
        (
            "Key (tenant_id, api_key)=(7, a(b)c) already exists.",
            "Key (tenant_id, api_key)=([REDACTED:key_value]) already exists.",
        ),
        (
            "Key (lower(refresh_token::text))=(sPzL) is not present in table \"sessions\".",
            "Key (lower(refresh_token::text))=([REDACTED:key_value]) is not present in table \"sessions\".",
        ),
        // Unclosed: to the end.
        ("Key (token)=(abc", "Key (token)=([REDACTED:key_value]"),
        // serde's complaint at a sensitive path after an error's words, as
        // axum's rejection of a JSON body words it: the value it quotes.
        (
            "Failed to deserialize the JSON body into the target type: password: invalid type: integer `68481033`, expected a string at line 1 column 42",
            "Failed to deserialize the JSON body into the target type: password: invalid type: integer `[REDACTED:key_value]`, expected a string at line 1 column 42",
        ),
        (
            r#"bad request: user.api_key: invalid value: string "k-1\"2", expected a key"#,
            r#"bad request: user.api_key: invalid value: string "[REDACTED:key_value]", expected a key"#,
        ),
        // serde's complaint whose field a configuration crate names after
        // the value (figment, config).
        (
            r#"invalid type: found string "aXNv 1sy", expected u16 for key "default.database.password" in config.toml"#,
            r#"invalid type: found string "[REDACTED:key_value]", expected u16 for key "default.database.password" in config.toml"#,
        ),
        (
            "config: invalid type: string \"yh8n\", expected a sequence for key `auth.api_keys`",
            "config: invalid type: string \"[REDACTED:key_value]\", expected a sequence for key `auth.api_keys`",
        ),
        // A line an error quotes after its number.
        (
            "TOML parse error at line 5, column 12\n  |\n5 | password = cXq0h7\n  |            ^\ninvalid string\n",
            "TOML parse error at line 5, column 12\n  |\n5 | password = [REDACTED:key_value]\n  |            ^\ninvalid string\n",
        ),
        // A credential's scheme as a tuple, as the `headers` crate's
        // `Debug` prints an `Authorization` header.
        (
            r#"rejecting request: Authorization(Bearer("9a6c52cf63c0")), retry"#,
            r#"rejecting request: Authorization(Bearer("[REDACTED:key_value]")), retry"#,
        ),
        (
            r#"upstream auth failed: Credentials::Basic("dXNlcjpwYXNz")"#,
            r#"upstream auth failed: Credentials::Basic("[REDACTED:key_value]")"#,
        ),
        // A key that names no failure is a key, PascalCase or not.
        ("SessionToken: IQoJb3Jp", "SessionToken: [REDACTED:key_value]"),
        (
            "AccessKeyId: ASIA\nSecretAccessKey: wJalr/K7MDENG\n",
            "AccessKeyId: [REDACTED:key_value]\nSecretAccessKey: [REDACTED:key_value]\n",
        ),
        // A string that meets a line break unclosed ends there: strings in
        // these forms escape their line breaks.
        (
            "{ token: \"abc\n  user: \"bob\" }",
            "{ token: \"[REDACTED:key_value]\n  user: \"bob\" }",
        ),
        (
            "secret: a 'b\nuser: bob",
            "secret: [REDACTED:key_value]\nuser: bob",
        ),
        // A flag starts a word: dashes inside one are no flag's, and the
        // pair is read as such.
        ("x---db-password = hunter2", "x---db-password = [REDACTED:key_value]"),
        // `key = value`, as TOML and INI files space it.
        (
            "[db]\nuser = \"app\"\npassword = \"hunter 2\"\n",
            "[db]\nuser = \"app\"\npassword = \"[REDACTED:key_value]\"\n",
        ),
        (
            "[auth]\napi_key = k 123\ntimeout = 5",
            "[auth]\napi_key = [REDACTED:key_value]\ntimeout = 5",
        ),
    ] {
        assert_eq!(redact(text), logged, "{text}");
    }
    for text in [
        // A sentence's word before a colon is no key.
        "invalid token: ExpiredSignature",
        "refresh session: connection refused",
        "error: password: too short",
        // Not a pair: no space after the colon, nothing after it, a key
        // that is not sensitive, a value seclog already replaced.
        "password:hunter2",
        "password: ",
        "time: 12:30, user: bob",
        "Login { user: \"bob\", password: [REDACTED] }",
        "{'password': '[REDACTED]'}",
        "password: \"\"",
        "https://example.com: not found",
        r#"UserId("u-1"), Some("x"), Password(""), Password("[REDACTED]"), ("pwd")"#,
        "if the password = the old one, refuse",
        "a = b, x = y",
        r#"Bearer(""), Basic("[REDACTED]"), Other("x")"#,
        "- name: STAGE\n  value: prod\n- label: password\n  value: shown\nvalue: first",
        "tool --password-prompt --verbose, a-password b, x--token y, --token, --password \"\"",
        // `--user` without a password, or with an empty one.
        "curl --user admin -X GET, wget --user bob, curl --user bob: x",
        // A key other than a cookie header after another key's `: `.
        "error: password: too short, headers: accept: */*",
        // A scheme's word alone on its line holds no secret.
        "Authorization: Bearer",
        "GET / HTTP/1.1\r\nAuthorization: Basic  \r\nHost: a\r\n",
        "-----BEGIN PUBLIC KEY-----",
        r#"("password"), ("password","x"), ("passed", "x"), ("user", "password")"#,
        r#"he said "note: none of your business" and left"#,
        // An error's code that begins its message, as AWS writes one: the
        // message stays.
        "ExpiredTokenException: The security token included in the request is expired",
        "SignatureDoesNotMatch: The request signature we calculated does not match",
        "InvalidClientTokenId: The security token included in the request is invalid.",
        "AuthorizationHeaderMalformed: The authorization header is malformed; the region is wrong",
        "MissingAuthenticationTokenException: Missing Authentication Token",
        // A name that is not sensitive, or no name before the value; a
        // name with an escape; `value` after another field.
        r#"EnvVar { name: "RUST_LOG", value: Some("info"), value_from: None }"#,
        r#"Cookie { name: Concrete("theme"), value: Concrete("dark") }"#,
        r#"Row { id: Some("DB_PASSWORD"), value: Some("x") }, Row { name: "a\"password", value: 1 }"#,
        r#"Field { name: "password", kind: Text, value: Some("x") }"#,
        // serde's complaint of a value it does not quote, or at a path
        // that is not sensitive.
        "target type: password: invalid type: map, expected a string at line 1 column 1",
        "target type: email: invalid type: integer `5`, expected a string",
        "target type: password: invalid length 3, expected 8 at line 1",
        r#"invalid type: found string "8o8o", expected u16 for key "default.port" in config.toml"#,
        "invalid value: integer `5`, expected one of 1, 2",
        "an invalid type: map, expected a string for key `password`",
        "| password | token |",
        // A key's columns that are not sensitive, or no columns.
        "Key (email)=(alice@example.com) already exists.",
        "Key (tenant_id, slug)=(7, acme) already exists.",
        "f(x)=(y), ()=(z), (=(",
        // No `"kty"`, another object after it, or a public member.
        r#"{"d":"2024-06-10","p":1,"q":"rust"}"#,
        r#"{"kty":"EC","x":"a"},{"d":"2024-06-10","k":"v"}"#,
        r#"{"kty":"RSA","n":"0vx7","e":"AQAB","kid":"k1","use":"sig"}"#,
    ] {
        assert_eq!(redact(text), text);
    }
    // Terms added at run time are keys too.
    let policy = Policy::with_extra(["pin".to_string()]);
    assert_eq!(
        redact_text_in("Card { pin_code: 1234 }", &policy, &Shapes::DEFAULT),
        "Card { pin_code: [REDACTED:key_value] }"
    );
}

#[test]
fn a_password_in_a_url_is_replaced_and_the_rest_kept() {
    for (text, logged) in [
        (
            "connect failed: postgres://app:hunter2@db.internal:5432/orders (timeout)",
            "connect failed: postgres://app:[REDACTED:url_password]@db.internal:5432/orders (timeout)",
        ),
        (
            "redis://:s3cr3t@cache:6379",
            "redis://:[REDACTED:url_password]@cache:6379",
        ),
        // An unencoded `@` in the password: to the authority's last `@`.
        (
            "mysql://root:p@ss:w0rd@10.0.0.5/db",
            "mysql://root:[REDACTED:url_password]@10.0.0.5/db",
        ),
        (
            "https://x-access-token:gh-16C7e42F292c6912E7710c838347Ae178B4a@github.com/org/repo.git",
            "https://x-access-token:[REDACTED:url_password]@github.com/org/repo.git",
        ),
        // A service's token there is named for what it is.
        (
            "https://x-access-token:ghs_16C7e42F292c6912E7710c838347Ae178B4a@github.com/org/repo.git",
            "https://x-access-token:[REDACTED:service_token]@github.com/org/repo.git",
        ),
        (
            r#"{"dsn":"amqp://guest:guest@mq\n"}"#,
            r#"{"dsn":"amqp://guest:[REDACTED:url_password]@mq\n"}"#,
        ),
        (
            "a://u:p@h://v:q@w",
            "a://u:[REDACTED:url_password]@h://v:[REDACTED:url_password]@w",
        ),
        // Under eight bytes, where the pass looks only at what fits.
        ("a://:p@", "a://:[REDACTED:url_password]@"),
        ("://:p@", "://:[REDACTED:url_password]@"),
        // A userinfo without a `:` with a token's shape: hex digits, as
        // a token was given to git before tokens had a prefix, or
        // letters of both cases and digits.
        (
            "fatal: could not read from https://4709ab7f3f386d0cd566647b5aa666347428c3dd@github.com/acme/legacy.git",
            "fatal: could not read from https://[REDACTED:url_password]@github.com/acme/legacy.git",
        ),
        (
            "https://A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6@o1.ingest.sentry.io/42",
            "https://[REDACTED:url_password]@o1.ingest.sentry.io/42",
        ),
        (
            "git clone https://Xq9vL2mT7rK4nP1sW8yD3fH6@git.acme.io/r.git",
            "git clone https://[REDACTED:url_password]@git.acme.io/r.git",
        ),
        (
            "https://q3vkd7s2nbxw5yfm4lz6hqg2rc7tpj3aok5wie6ubd2mxy4fsn7a@dev.azure.com/acme/_git/r",
            "https://[REDACTED:url_password]@dev.azure.com/acme/_git/r",
        ),
    ] {
        assert_eq!(redact(text), logged, "{text}");
    }
    for text in [
        "https://app.example.com/accounts/acc-7731-0042/transfer",
        "mailto:alice@example.com",
        "alice@example.com: see https://example.com/a@b",
        "https://alice@example.com/",
        // Names people give accounts, and hex too short for a token.
        "https://x-access-token@github.com/acme/r.git",
        "https://gitlab-ci-token@gitlab.acme.io/r.git",
        "https://deploy-bot-2024-production-eu@git.acme.io/",
        "https://release-automation-service-account-eu-west-1@git.acme.io/",
        "https://DeployBotProductionAccount1@git.acme.io/",
        "https://0123456789abcdef0123456789abcde@h/",
        "https://1234567890123456789012345678901234567890@h/",
        "ssh://git@github.com:acme/r.git",
        // An email address as the user, `@` encoded or not.
        "https://alice%40acme.io@git.acme.io/",
        "https://alice@acme.io@git.acme.io/",
        "https://user:@host/",
        "http://[::1]:8080/",
        "time 12:30://",
    ] {
        assert_eq!(redact(text), text);
    }
}

#[test]
fn credentials_and_keys_in_a_form_body_or_a_url_are_replaced() {
    for (text, logged) in [
        (
            "note=Authorization:+Bearer+a1B2c3D4e5F6g7H8&x=1",
            "note=Authorization:+Bearer+[REDACTED:bearer]&x=1",
        ),
        // The token's own `+`, `/` and `=` are percent-encoded.
        (
            "q=Bearer%20abc123XYZ%2Bdef%2F456%3D%3D%20more",
            "q=Bearer%20[REDACTED:bearer]%20more",
        ),
        // "user:pa>>ss?", "ab~~:x"
        (
            "h=Basic+dXNlcjpwYT4%2Bc3M%2F+was+sent",
            "h=Basic+[REDACTED:basic]+was+sent",
        ),
        ("Basic%20YWJ%2Bfjp4&y", "Basic%20[REDACTED:basic]&y"),
        // "Aladdin:open sesame", padded.
        (
            "Basic+QWxhZGRpbjpvcGVuIHNlc2FtZQ%3D%3D+x",
            "Basic+[REDACTED:basic]+x",
        ),
        (
            "pem=-----BEGIN+PRIVATE+KEY-----%0AMIIEvQIBADANBg%2Bkqh%0A-----END+PRIVATE+KEY-----&next=1",
            "pem=[REDACTED:private_key]&next=1",
        ),
        (
            "/upload?k=-----BEGIN%20RSA%20PRIVATE%20KEY-----%0AMIIEpA",
            "/upload?k=[REDACTED:private_key]",
        ),
    ] {
        assert_eq!(redact(text), logged, "{text}");
    }
    // URL-encoded JSON: a quote (`%22`) before a secret is a boundary.
    assert_eq!(
        redact(&format!("data=%7B%22id_token%22%3A%22{JWT}%22%7D")),
        "data=%7B%22id_token%22%3A%22[REDACTED:jwt]%22%7D"
    );
    assert_eq!(
        redact("k=%22AKIAIOSFODNN7EXAMPLE%22"),
        "k=%22[REDACTED:aws_access_key_id]%22"
    );
    assert_eq!(
        redact("h=%22Bearer%20a1B2c3D4e5F6g7H8%22"),
        "h=%22Bearer%20[REDACTED:bearer]%22"
    );
    for text in [
        "x%41AKIAIOSFODNN7EXAMPLE",
        r"x\u0041AKIAIOSFODNN7EXAMPLE",
        "plan=Basic+information",
        "Bearer+responsibilities",
        "Bearer%20abcdefghijkl",
        "-----BEGIN+CERTIFICATE-----%0AMIIBszCCAVmg%0A-----END+CERTIFICATE-----",
        "-----BEGIN+PUBLIC+KEY-----%0AMCowBQYDK2Vw",
    ] {
        assert_eq!(redact(text), text);
    }
}

#[test]
fn the_words_bearer_and_basic_in_a_sentence_stay() {
    for text in [
        "the bearer of this letter",
        "Bearer responsibilities",
        "bearer well-being",
        "Basic information",
        "basic plan selected",
        "a basic authentication scheme",
        "Bearer abcdefghijkl",
        "Basic",
        "babble basically bearers",
    ] {
        assert_eq!(redact(text), text);
    }
}

/// `bytes` in base64 (with `url`, base64url without padding).
fn base64(bytes: &[u8], url: bool) -> String {
    let alphabet: &[u8; 64] = match url {
        true => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        false => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, &b| n << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
        for k in 0..=chunk.len() {
            out.push(alphabet[(n >> (18 - 6 * k) & 63) as usize] as char);
        }
        if !url {
            out.push_str(&"=".repeat(3 - chunk.len()));
        }
    }
    out
}

#[test]
fn json_text_carried_in_base64_is_replaced_whole_when_it_holds_a_secret() {
    assert_eq!(base64(br#"{"a":1}"#, false), "eyJhIjoxfQ==");
    assert_eq!(base64(b"\xfb\xff", true), "-_8");
    let marker = "[REDACTED:json_value]";
    let kinesis = base64(br#"{"user":"bob","password":"hunter2 x"}"#, false);
    let registry = base64(
        br#"{"username":"ci","password":"BBGEBaHgj79Z","serveraddress":"registry.acme.io"}"#,
        true,
    );
    let card = base64(br#"{"note":"card 4111 1111 1111 1111 declined"}"#, false);
    // Longer than the stack holds: decoded into memory of its own.
    let long = base64(
        format!(
            r#"{{"items":[{}"x"],"token":"k-1"}}"#,
            r#""xxxxxxxxxxxx","#.repeat(80)
        )
        .as_bytes(),
        false,
    );
    assert!(long.len() > 1024);
    for (text, logged) in [
        // A Kinesis record's data, a registry's auth header (base64url,
        // unpadded), a card in a note, a long run.
        (
            format!(r#"{{"kinesis":{{"data":"{kinesis}","sequenceNumber":"4959"}}}}"#),
            format!(r#"{{"kinesis":{{"data":"{marker}","sequenceNumber":"4959"}}}}"#),
        ),
        (
            format!("X-Registry-Auth: {registry}"),
            format!("X-Registry-Auth: {marker}"),
        ),
        (
            format!("data={card}&n=1"),
            "data=[REDACTED:card_number]&n=1".to_string(),
        ),
        (format!("record {long}."), format!("record {marker}.")),
    ] {
        assert_eq!(redact(&text), logged, "{text}");
    }
    for text in [
        // Nothing secret inside, too short, inside a longer run, not text.
        format!(
            "cursor={}",
            base64(br#"{"page":2,"sort":"created_at"}"#, false)
        ),
        base64(br#"{"a":1}"#, false),
        format!("x+{kinesis}"),
        "eyJ/////////////////////////////////8=".to_string(),
        "eyJ eyJ eyJ".to_string(),
    ] {
        assert_eq!(redact(&text), text);
    }
}

/// A made-up AWS session token of 140 characters, with the `/` and `+`
/// of base64 and its padding.
const SESSION: &str = "IQoJb3JpZ2luX2VjEYHOnk3omgCDr0RmfONXiX3//////////wEaCWV1LXdlc3QtMSJHMEUCIQ7jDxPlBWzWHkqDJihqKl56WCw/yA30+4GXsV5o2sl+bbCKeaTP71H6VrPABPXsv==";

#[test]
fn an_aws_session_token_is_replaced_wherever_it_is() {
    let marker = "[REDACTED:aws_session_token]";
    // As SigV4's canonical request quotes it, in an environment, in JSON.
    for (text, logged) in [
        (
            format!("host:api\nx-amz-security-token:{SESSION}\n\nhost;x-amz-date"),
            format!("host:api\nx-amz-security-token:{marker}\n\nhost;x-amz-date"),
        ),
        (
            format!("AWS_SESSION_TOKEN={SESSION} ./run"),
            format!("AWS_SESSION_TOKEN={marker} ./run"),
        ),
        (format!("creds {SESSION}."), format!("creds {marker}.")),
        (
            format!(r#"{{"msg":"used {SESSION}"}}"#),
            format!(r#"{{"msg":"used {marker}"}}"#),
        ),
        // Its `/` escaped as some JSON writers do, or percent-encoded in
        // a URL under a name that is no term.
        (
            format!(r#"{{"t":"{}"}}"#, SESSION.replace('/', "\\/")),
            format!(r#"{{"t":"{marker}"}}"#),
        ),
        (
            format!(
                "GET /x?t={}&n=1",
                SESSION
                    .replace('/', "%2F")
                    .replace('+', "%2B")
                    .replace('=', "%3D")
            ),
            format!("GET /x?t={marker}&n=1"),
        ),
    ] {
        assert_eq!(redact(&text), logged, "{text}");
    }
    for text in [
        // Too short, inside a word, or no token's prefix.
        SESSION[..99].to_string(),
        format!("x{SESSION}"),
        format!("+{SESSION}"),
        "IQ tests, Ia, Ij, IZ and IQoJ".to_string(),
        SESSION.replace("IQoJb3", "IQoJc3"),
    ] {
        assert_eq!(redact(&text), text);
    }
}

#[test]
fn values_read_to_a_cap_end_on_a_characters_boundary() {
    // serde's complaint and a database error's key are read over at most
    // 256 and 1,024 bytes: a character across the cap is replaced whole.
    for (text, logged) in [
        (
            format!("x: password: invalid type: integer `{}é`", "a".repeat(255)),
            "x: password: invalid type: integer `[REDACTED:key_value]`".to_string(),
        ),
        (
            format!(
                "x: password: invalid value: string \"{}😀 tail",
                "a".repeat(254)
            ),
            "x: password: invalid value: string \"[REDACTED:key_value] tail".to_string(),
        ),
        (
            format!("Key (token)=({}é tail", "a".repeat(1023)),
            "Key (token)=([REDACTED:key_value] tail".to_string(),
        ),
    ] {
        assert_eq!(redact(&text), logged);
    }
}

#[test]
fn an_aws_access_key_id_is_replaced_on_word_boundaries() {
    assert_eq!(
        redact("key AKIAIOSFODNN7EXAMPLE, temp ASIAY34FZKBOKMUTVV7A."),
        "key [REDACTED:aws_access_key_id], temp [REDACTED:aws_access_key_id]."
    );
    assert_eq!(
        redact("id=AKIAIOSFODNN7EXAMPLE"),
        "id=[REDACTED:aws_access_key_id]"
    );
    for text in [
        "XAKIAIOSFODNN7EXAMPLE",
        "AKIAIOSFODNN7EXAMPLEX",
        "AKIAIOSFODNN7EXAMPL",
        "AKIAiosfodnn7example",
        "AGPAIOSFODNN7EXAMPLE",
    ] {
        assert_eq!(redact(text), text);
    }
}

#[test]
fn a_services_token_is_replaced_by_its_prefix() {
    let tokens = [
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a",
        "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123",
        "sk-proj-4mZ8xQv2Lr7Tn1Kp9Ws3Yd6Fh0Jb5Gc8Ue2Ai4Oo7Sl1Nq3Xt",
        "sk-ant-api03-Xq9vL2mT7rK4nP1sW8yD3fH6jB0gC5uE2aI4oO7lS1qN3x-AA",
        "sk-4mZ8xQv2Lr7Tn1Kp9Ws3Yd6Fh0Jb5Gc8Ue2Ai4Oo7Sl1",
        "sk_live_51H8xQv2Lr7Tn1Kp9Ws3Yd6Fh",
        "rk_test_51H8xQv2Lr7Tn1Kp9Ws3Yd6Fh",
        "whsec_Xq9vL2mT7rK4nP1sW8yD3fH6jB0gC5uE",
        "xoxb-123456789012-1234567890123-Xq9vL2mT7rK4nP1sW8yD3fH6",
        "xoxp-1234567890-1234567890-1234567890123-0f3c5e8a9b7d6c4e2f1a0b9c8d7e6f5a",
        "npm_Xq9vL2mT7rK4nP1sW8yD3fH6jB0gC5uE2aI4",
        "hf_XqvLmTrKnPsWyDfHjBgCuEaIoOlSqNxTzVwR",
        "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",
        "dop_v1_0f3c5e8a9b7d6c4e2f1a0b9c8d7e6f5a0f3c5e8a9b7d6c4e2f1a0b9c8d7e6f5a",
        "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
        "dckr_pat_Xq9vL2mT7rK4nP1sW8yD3fH6jB0",
        "glsa_Xq9vL2mT7rK4nP1sW8yD3fH6jB0gC5uE_0f3c5e8a",
        "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",
        "sbp_0f3c5e8a9b7d6c4e2f1a0b9c8d7e6f5a0f3c5e8a",
        "pscale_tkn_Xq9vL2mT7rK4nP1sW8yD3fH6jB0gC5uE2aI4",
        "lin_api_Xq9vL2mT7rK4nP1sW8yD3fH6jB0gC5uE2aI4oO7lS",
        "ntn_Xq9vL2mT7rK4nP1sW8yD3fH6jB0gC5uE2aI4oO7lS1qN",
        "rubygems_0f3c5e8a9b7d6c4e2f1a0b9c8d7e6f5a0f3c5e8a9b7d6c4e",
        "figd_Xq9vL2mT7rK4nP1sW8yD3fH6jB0gC5uE2aI4",
        "gsk_Xq9vL2mT7rK4nP1sW8yD3fH6jB0gC5uE2aI4oO7lS1qN3x",
        "hcaik_01j5c7tgzayi6nsz98rqgrla9psq3r2m0jx4k8v2w6b1n3f5h7d9s0q2e4",
        "hcaic_01j5c7tgzayi6nsz98rqgrla9psq3r2m0jx4k8v2w6b1n3f5h7d9s0q2e4",
    ];
    for token in tokens {
        for (text, logged) in [
            (
                format!("token {token} rejected"),
                "token [REDACTED:service_token] rejected".to_string(),
            ),
            (token.to_string(), "[REDACTED:service_token]".to_string()),
            (
                format!("git clone https://{token}@github.com/org/repo.git"),
                "git clone https://[REDACTED:service_token]@github.com/org/repo.git".to_string(),
            ),
            (
                format!(r#"{{"msg":"upstream said \"{token}\" is revoked"}}"#),
                r#"{"msg":"upstream said \"[REDACTED:service_token]\" is revoked"}"#.to_string(),
            ),
            (
                format!("OPENAI_API_KEY={token}\n"),
                "OPENAI_API_KEY=[REDACTED:service_token]\n".to_string(),
            ),
        ] {
            assert_eq!(redact(&text), logged, "{text}");
        }
    }
    for text in [
        // Placeholders, words and slugs.
        "sk_live_xxx",
        "ghp_ is GitHub's prefix",
        "the ghp_16C7e42F292c6912E77 prefix",
        "sk-en-release-notes-for-the-winter-quarter-of-2026",
        "sk-ABCD-1234-EFGH-5678-IJKL-9012-MNOP-QRST-UVWX-3456",
        "sk-4mZ8xQv2Lr7Tn1Kp9Ws3Yd6Fh0Jb5Gc8",
        "desk-4mZ8xQv2Lr7Tn1Kp9Ws3Yd6Fh0Jb5Gc8Ue2Ai4Oo7Sl1",
        "my_ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "xghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a_more",
        "shpat_0f3c5e8a9b7d6c4e2f1a0b9c8d7e6f5g",
        "xoxb-abcdefghijklmnopqrstuvwxyz",
        "snake_case_identifiers_and_more_of_them_here",
        "github_pat_expiration_reminder_notification_email_sent",
        "hf_modelcheckpointversionnumbertwentysixandmore",
        "npm_PACKAGEREGISTRYMIRRORFORTHEBUILDFARMINUSE",
        "AIzaSyD-9tSrke72PouQMnMX",
        "xAIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
        "IJ Iq Iz AIz",
        "Mac OS X 14_4",
        "secret_name_for_the_database_credentials_rotation_job",
        "hcaik_01j5c7tgzayi6nsz98rqgrla9psq3r2m0jx4k8",
        "ops_dashboard_link_for_the_weekly_on_call_handover_notes",
        "rnd_seed_for_the_fixture_generator_in_integration_tests",
        "sbp_0f3c5e8a",
        "rubygems_ORG_API_KEY_WAS_ROTATED_AND_THE_OLD_ONE_REVOKED",
        "lin_api_documentation_for_the_issue_tracker_integration",
    ] {
        assert_eq!(redact(text), text);
    }
}

#[test]
fn what_the_service_token_table_says_is_read_from_it() {
    // The widths of the `_` places and the shortest token, as the table
    // of prefixes gives them (`sk_`, `ghp_`, `dckr_`, `whsec_`, `github_`,
    // `rubygems_`; `xoxb-` and 20 bytes).
    assert_eq!(
        service_token_underscores().collect::<Vec<_>>(),
        [2, 3, 4, 5, 6, 8]
    );
    assert_eq!(TOKEN_FACTS.shortest, 25);
    let firsts: String = (0..=255u8)
        .filter(|&c| TOKEN_FACTS.firsts[c as usize])
        .map(char::from)
        .collect();
    assert_eq!(firsts, "Adfghlnoprswx");
}

#[test]
fn a_webhooks_secret_path_is_replaced_and_its_host_kept() {
    for (url, kept) in [
        (
            "https://hooks.slack.com/services/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",
            "https://hooks.slack.com/services/",
        ),
        (
            "https://hooks.slack.com/workflows/T0A1B2C3D/A0A1B2C3D/412345678901234567/Xq9vL2mT7rK4nP1s",
            "https://hooks.slack.com/workflows/",
        ),
        (
            "https://discord.com/api/webhooks/1234567890123456789/Xq9vL2mT7rK4nP1sW8yD3fH6jB0gC5uE-a_b",
            "https://discord.com/api/webhooks/",
        ),
        (
            "HTTPS://Hooks.Slack.com/services/T0A1B2C3D/B0A1B2C3D/Xq9vL2mT7rK4nP1sW8yD3fH6",
            "HTTPS://Hooks.Slack.com/services/",
        ),
    ] {
        assert_eq!(
            redact(&format!("alert not sent: error sending request for url ({url}): timed out")),
            format!("alert not sent: error sending request for url ({kept}[REDACTED:service_token]): timed out"),
            "{url}"
        );
        assert_eq!(
            redact(&format!(r#"{{"webhook":"{url}"}}"#)),
            format!(r#"{{"webhook":"{kept}[REDACTED:service_token]"}}"#),
        );
    }
    // Telegram's bot API: the token in the path, the method after it kept.
    assert_eq!(
        redact("error sending request for url (https://api.telegram.org/bot6386605549:AAAAxqv7fqJoHSTNzbiAUN0zsjI2V0J6rpm/sendMessage): operation timed out"),
        "error sending request for url (https://api.telegram.org/bot[REDACTED:service_token]/sendMessage): operation timed out"
    );
    assert_eq!(
        redact("GET https://API.Telegram.org/file/bot123:AAAAxqv7fqJoHSTNzbiAUN0zsjI2V0J6rpm/photos/f.jpg"),
        "GET https://API.Telegram.org/file/bot[REDACTED:service_token]/photos/f.jpg"
    );
    for text in [
        "https://api.telegram.org/bot",
        "https://api.telegram.org/bot123456/getMe",
        "https://api.telegram.org/bot123456:AAshort/getMe",
        "https://api.telegram.org/bot:AAAAxqv7fqJoHSTNzbiAUN0zsjI2V0J6rpm/getMe",
        "https://api.telegram.org/file/bot",
        "https://hooks.slack.com/services/",
        "https://hooks.slack.com/services/T0A1B2C3D",
        "https://api.slack.com/messaging/webhooks",
        "https://discord.com/developers/docs/resources/webhook",
        "https://example.com/services/T0A1B2C3D/B0A1B2C3D/Xq9vL2mT7rK4nP1sW8yD3fH6",
        "https://hooks.slack.com.evil.example/services/T0A1B2C3D/B0A1B2C3D/Xq9vL2mT7rK4nP1sW8yD3fH6",
        "ftp://hooks.slack.com/services/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",
        "see: /services/T0A1B2C3D/B0A1B2C3D",
    ] {
        assert_eq!(redact(text), text);
    }
}

const PEM: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n-----END RSA PRIVATE KEY-----";

#[test]
fn a_private_key_is_replaced_through_its_end_line() {
    assert_eq!(
        redact(&format!("loaded {PEM}\nthen failed")),
        "loaded [REDACTED:private_key]\nthen failed"
    );
    let pkcs8 = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----";
    assert_eq!(redact(&format!("a{pkcs8}b")), "a[REDACTED:private_key]b");
    // The seed of a NATS user's key pair, as a `.creds` file holds it.
    let seed = "-----BEGIN USER NKEY SEED-----\nSUAMK2FG4MI6UE3ACF3FK3OIQBCEIEZV7NSWFFEW63UXMRLFM2XLAXK4GY\n------END USER NKEY SEED------";
    assert_eq!(
        redact(&format!("bad creds: {seed}\n")),
        "bad creds: [REDACTED:private_key]-\n"
    );
}

#[test]
fn a_private_key_without_its_end_line_is_replaced_to_the_end() {
    let cut = &PEM[..80];
    assert_eq!(
        redact(&format!("panicked at {cut}")),
        "panicked at [REDACTED:private_key]"
    );
    // Another block's END line does not end it.
    assert_eq!(
        redact("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END CERTIFICATE-----\nmore"),
        "[REDACTED:private_key]"
    );
}

#[test]
fn public_pem_blocks_stay() {
    let cert = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----";
    assert_eq!(redact(cert), cert);
    let public = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----";
    assert_eq!(redact(public), public);
    // A NATS user's token is signed, not secret; a seed is only a label's
    // last word.
    let jwt = "-----BEGIN NATS USER JWT-----\nabc\n------END NATS USER JWT------";
    assert_eq!(redact(jwt), jwt);
    let seeds = "-----BEGIN SEEDS LIST-----\nabc\n-----END SEEDS LIST-----";
    assert_eq!(redact(seeds), seeds);
}

#[test]
fn a_luhn_valid_card_number_is_replaced_however_it_is_grouped() {
    for card in [
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "378282246310005",
        "3782 822463 10005",
        "6011000990139424",
        "4222222222222",
        "6250941006528599",
        "4000 0566 5566 5556 122",
        "6304000000000000000",
        "5555-5555-5555-4444",
    ] {
        assert!(luhn(
            &card
                .bytes()
                .filter(u8::is_ascii_digit)
                .map(|d| d - b'0')
                .collect::<Vec<_>>()
        ));
        assert_eq!(
            redact(&format!("card {card}, declined")),
            "card [REDACTED:card_number], declined",
            "{card}"
        );
    }
    // A magnetic stripe's tracks, as a card reader gives them.
    assert_eq!(
        redact("swipe parse error: %B4111111111111111^DOE/JOHN^27121010000000000000?"),
        "swipe parse error: %B[REDACTED:card_number]^DOE/JOHN^27121010000000000000?"
    );
    assert_eq!(
        redact(";4111111111111111=27121010000000000000?"),
        ";[REDACTED:card_number]=27121010000000000000?"
    );
    assert_eq!(
        redact("4111111111111111"),
        "[REDACTED:card_number]",
        "the whole text"
    );
    // Next to other numbers joined by the same separators.
    assert_eq!(
        redact("qty 12 4111 1111 1111 1111 ok"),
        "qty 12 [REDACTED:card_number] ok"
    );
    assert_eq!(redact("#4111111111111111."), "#[REDACTED:card_number].");
    // "22 4111 1111 1111" passes the Luhn check too, and ends inside
    // the card: both are covered.
    assert_eq!(
        redact("ref 22 4111 1111 1111 1111 ok"),
        "ref [REDACTED:card_number] ok"
    );
    // In a form body (`+` for a space) and a URL (`%20`), and after a
    // percent-encoded character.
    for (text, logged) in [
        (
            "comment=my+card+4111+1111+1111+1111+was+charged",
            "comment=my+card+[REDACTED:card_number]+was+charged",
        ),
        (
            "/search?q=card%204111%201111%201111%201111%20twice",
            "/search?q=card%20[REDACTED:card_number]%20twice",
        ),
        ("q=%224111111111111111%22", "q=%22[REDACTED:card_number]%22"),
        ("4111%201111-1111+1111", "[REDACTED:card_number]"),
    ] {
        assert_eq!(redact(text), logged, "{text}");
    }
    // A number that cannot be a card's before it does not hide the card.
    assert_eq!(
        redact("ref 14 4111 1111 1111 1111 ok"),
        "ref 14 [REDACTED:card_number] ok"
    );
    // An airline's UATP card: 15 digits beginning with 1.
    for uatp in ["122000000000003", "1354 123456 78911"] {
        assert_eq!(
            redact(&format!("paid with {uatp}")),
            "paid with [REDACTED:card_number]",
            "{uatp}"
        );
    }
}

#[test]
fn times_since_1970_are_not_taken_for_card_numbers() {
    // Each passes the Luhn check: milliseconds, microseconds and
    // nanoseconds, and numbers no card begins with.
    for text in [
        "1764270000128",
        "ts=1764270000128",
        "at 1764270000123458 us",
        "1764270000123456785",
        "0411111111111116",
        "1411111111111114",
    ] {
        let digits: Vec<u8> = text
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|d| d - b'0')
            .collect();
        assert!(luhn(&digits), "{text}");
        assert_eq!(redact(text), text);
    }
}

#[test]
fn numbers_that_are_not_card_numbers_stay() {
    for text in [
        "4111111111111112",
        "4111 1111 1111 1112",
        "411111111111",
        "41111111111111111111",
        "x4111111111111111",
        "4111111111111111x",
        "3.4111111111111111",
        "4111111111111111.5",
        "4111  1111 1111 1111",
        "4111--1111-1111-1111",
        "4111++1111+1111+1111",
        "4111%2B1111%201111%201111",
        "x%414111111111111111",
        "2024-01-15 10:30:00.123456",
        "2026-11-27T18:40:00.123Z",
        "+44 20 7946 0958",
        "1,234,567,890,123,456",
        "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "550e8400-e29b-41d4-a716-446655440000",
    ] {
        assert_eq!(redact(text), text);
    }
}

#[test]
fn the_text_of_a_sensitive_xml_element_is_replaced_and_its_tags_kept() {
    for (text, logged) in [
        (
            r#"unhandled response body: <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAAGI3MNBQNSPUQ2ID</AccessKeyId><SecretAccessKey>BkM+PKsCTPUpP4J4N6OCZFkUUdUYXyVXtwwl6KcC</SecretAccessKey><SessionToken>FwoGZXIvYXdz EBYaDN</SessionToken><Expiration>2024-06-10T13:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>"#,
            // `Credentials` is sensitive too: every text inside it, as
            // the policy redacts an object under a sensitive key of data.
            r#"unhandled response body: <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>[REDACTED:aws_access_key_id]</AccessKeyId><SecretAccessKey>[REDACTED:key_value]</SecretAccessKey><SessionToken>[REDACTED:key_value]</SessionToken><Expiration>[REDACTED:key_value]</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>"#,
        ),
        (
            r#"<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Result><AccessKeyId>ASIAAGI3MNBQNSPUQ2ID</AccessKeyId><SecretAccessKey>BkM+PKsC/TPUpP4J4N6</SecretAccessKey><Expiration>2024-06-10T13:00:00Z</Expiration></Result></GetSessionTokenResponse>"#,
            r#"<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Result><AccessKeyId>[REDACTED:aws_access_key_id]</AccessKeyId><SecretAccessKey>[REDACTED:key_value]</SecretAccessKey><Expiration>2024-06-10T13:00:00Z</Expiration></Result></GetSessionTokenResponse>"#,
        ),
        // A SOAP request: namespace prefixes, and a declaration.
        (
            r#"<?xml version="1.0"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><ns1:Login><ns1:User>bob</ns1:User><ns1:Password>hunter 2</ns1:Password></ns1:Login></soap:Body></soap:Envelope>"#,
            r#"<?xml version="1.0"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><ns1:Login><ns1:User>bob</ns1:User><ns1:Password>[REDACTED:key_value]</ns1:Password></ns1:Login></soap:Body></soap:Envelope>"#,
        ),
        // A CDATA section whole, and an element of more elements whole.
        (
            r#"<r xmlns="urn:x"><ApiKey><![CDATA[k<1>&2]]></ApiKey><Secret><Value>v</Value><n>1</n></Secret><Id>7</Id></r>"#,
            r#"<r xmlns="urn:x"><ApiKey><![CDATA[[REDACTED:key_value]]]></ApiKey><Secret><Value>[REDACTED:key_value]</Value><n>[REDACTED:key_value]</n></Secret><Id>7</Id></r>"#,
        ),
        (
            r#"<r xmlns="urn:x"><Secret> <![CDATA[a<b>c]]> <v>d</v></Secret></r>"#,
            r#"<r xmlns="urn:x"><Secret> <![CDATA[[REDACTED:key_value]]]> <v>[REDACTED:key_value]</v></Secret></r>"#,
        ),
        // An element never closed: to the end.
        (
            r#"<r xmlns="urn:x"><Secret><Value>v w"#,
            r#"<r xmlns="urn:x"><Secret><Value>[REDACTED:key_value]"#,
        ),
    ] {
        assert_eq!(redact(text), logged, "{text}");
    }
    for text in [
        r#"<?xml version="1.0" encoding="UTF-8"?><Order><Id>42</Id><Status>paid</Status></Order>"#,
        r#"<r xmlns="urn:x"><Token/><Password></Password><Note>password</Note></r>"#,
        // Without a declaration or a namespace, a text is not read as XML.
        "<Password>hunter2</Password>",
        "a < b and c > d, x=1",
        // Quotes around a control character hold no JSON key.
        "\"password\t\": Some(x) end",
        // A name that no `>`, `/` or space ends is no tag.
        r#"<passwords-are-rotated, <r xmlns="urn:x"><id>7</id></r> end"#,
    ] {
        assert_eq!(redact(text), text);
    }
    // A pair after a `<` is a pair, not a tag.
    assert_eq!(
        redact("<password=A0A0 <r xmlns=\"urn:x\"><id>7</id></r> \nend of text"),
        "<password=[REDACTED:query_param] <r xmlns=\"urn:x\"><id>7</id></r> \nend of text"
    );
}

#[test]
fn secrets_percent_encoded_in_a_pairs_value_are_replaced_where_they_are() {
    let long = "%2F".repeat(200);
    for (text, logged) in [
        (
            "GET /oauth/callback?redirect_uri=https%3A%2F%2Fapp.acme.io%2Fcb%3Faccess_token%3DKjIg8xNb%26state%3Dxyz HTTP/1.1".to_string(),
            "GET /oauth/callback?redirect_uri=https%3A%2F%2Fapp.acme.io%2Fcb%3Faccess_token%3D[REDACTED:query_param]%26state%3Dxyz HTTP/1.1".to_string(),
        ),
        (
            "POST /hook payload=%7B%22user%22%3A%22bob%22%2C%22password%22%3A%22W7hip%20T%22%7D".to_string(),
            "POST /hook payload=%7B%22user%22%3A%22bob%22%2C%22password%22%3A%22[REDACTED:json_value]%22%7D".to_string(),
        ),
        (
            "GET /goto?next=%2Fsettings%3Fapi_key%3D0282728&lang=en".to_string(),
            "GET /goto?next=%2Fsettings%3Fapi_key%3D[REDACTED:query_param]&lang=en".to_string(),
        ),
        (
            "import?source=postgres%3A%2F%2Fetl%3AF4vUCsMe%40db.internal%2Fwh".to_string(),
            "import?source=postgres%3A%2F%2Fetl%3A[REDACTED:url_password]%40db.internal%2Fwh".to_string(),
        ),
        (
            "h=Authorization%3A%20Bearer%209a6c52cf".to_string(),
            "h=Authorization%3A%20Bearer%20[REDACTED:bearer]".to_string(),
        ),
        // Lower-case hex, and a value longer than is decoded on the stack.
        (
            format!("next={long}%3fpassword%3dpw1&x=1"),
            format!("next={long}%3fpassword%3d[REDACTED:query_param]&x=1"),
        ),
        // Characters of several bytes, encoded or not, and bytes that
        // make no UTF-8 (read as `?`).
        (
            "q=caf%C3%A9%26token%3D%E2%82%AC1é&x=é%3Fpwd%3Dé1".to_string(),
            "q=caf%C3%A9%26token%3D[REDACTED:query_param]&x=é%3Fpwd%3D[REDACTED:query_param]".to_string(),
        ),
        (
            "x=%FF%3Fpassword%3Dabc".to_string(),
            "x=%FF%3Fpassword%3D[REDACTED:query_param]".to_string(),
        ),
        // Inside a JSON text carried as a string.
        (
            r#"{"url":"/cb?next=%2Fa%3Fsecret%3Ds3%22"}"#.to_string(),
            r#"{"url":"/cb?next=%2Fa%3Fsecret%3D[REDACTED:query_param]%22"}"#.to_string(),
        ),
    ] {
        assert_eq!(redact(&text), logged, "{text}");
    }
    for text in [
        "q=hello%20world&lang=en",
        "path=%2Fapi%2Fv1%2Forders%3Fpage%3D2",
        "next=%2Fsettings%3Ftab%3Dprofile%26sort%3Dname",
        "progress 100% done, x=%ZZ, y=%, z=%3",
        "utm=a%3Db%3Dc",
        "filter=%7B%22status%22%3A%22paid%22%7D",
    ] {
        assert_eq!(redact(text), text);
    }
}

#[test]
fn a_credential_after_its_scheme_word_in_a_pair_or_a_tuple_is_replaced() {
    for (text, logged) in [
        (
            "OTEL_EXPORTER_OTLP_HEADERS=Authorization=Api-Token dt0c01.H3I2ABCDEFGH.abcdef0123456789",
            "OTEL_EXPORTER_OTLP_HEADERS=Authorization=Api-Token [REDACTED:query_param]",
        ),
        (
            "authorization=SSWS 00QCjAl4MlV-WPXM",
            "authorization=SSWS [REDACTED:query_param]",
        ),
        (
            "Authorization: SSWS 00QCjAl4MlV-WPXM",
            "Authorization: SSWS [REDACTED:key_value]",
        ),
        (
            "auth=Basic dXNlcjpwYXNzd29yZA== next",
            "auth=Basic [REDACTED:basic] next",
        ),
        // A tuple of two strings: both (the second holds the secret).
        (
            r#"pulling with Basic("AWS", "eyJwYXlsb2FkIjoiQUJD") from registry"#,
            r#"pulling with Basic("[REDACTED:key_value]") from registry"#,
        ),
        (
            r#"Credentials("svc", "p\"w", "x") ok"#,
            r#"Credentials("[REDACTED:key_value]") ok"#,
        ),
    ] {
        assert_eq!(redact(text), logged, "{text}");
    }
    // The next word is another pair: the scheme alone is replaced.
    assert_eq!(
        redact("auth=basic user=bob"),
        "auth=[REDACTED:query_param] user=bob"
    );
    // A usage text's placeholder is no value.
    let usage = "error: a value is required for '--api-token <API_TOKEN>' but none was supplied\n\nUsage: app --api-token <API_TOKEN> [--password [PASSWORD]]";
    assert_eq!(redact(usage), usage);
}

#[test]
fn an_api_key_under_a_name_that_is_no_term_is_replaced_by_its_shape() {
    for (text, logged) in [
        (
            "HTTP status client error (401 Unauthorized) for url (https://api.openweathermap.org/data/2.5/weather?q=London&appid=cc022238daceee2092f073ff80b9465a)",
            "HTTP status client error (401 Unauthorized) for url (https://api.openweathermap.org/data/2.5/weather?q=London&appid=[REDACTED:query_param])",
        ),
        (
            "GET /v1/search?KEY=Xq9vL2mT7rK4nP1sW8yD3fH6&q=x",
            "GET /v1/search?KEY=[REDACTED:query_param]&q=x",
        ),
        ("APP_ID=q3vkd7s2nbxw5yfm4lz6hqg2rc7tpj3aok5wie6u", "APP_ID=[REDACTED:query_param]"),
        // An OAuth authorization code in a login's callback, as
        // tower-http's trace logs the URI.
        (
            "ERROR request{method=GET uri=/auth/github/callback?code=042e1b9c6e100ceb99e2&state=HC9EGjISAZQ version=HTTP/1.1}: response failed",
            "ERROR request{method=GET uri=/auth/github/callback?code=[REDACTED:query_param]&state=HC9EGjISAZQ version=HTTP/1.1}: response failed",
        ),
        (
            "uri: /auth/google/callback?state=Q517&code=4%2F0AeaYSHH3dnPHxODJ6eR2Hqbzmbwtg_QX1&scope=email",
            "uri: /auth/google/callback?state=Q517&code=[REDACTED:query_param]&scope=email",
        ),
    ] {
        assert_eq!(redact(text), logged, "{text}");
    }
    for text in [
        "GET /files?key=uploads/2024/a.png",
        "sort=key&key=created_at&appid=com.acme.app&app_id=12345",
        "key=DeployBot",
        "GET /r?code=404 and code=SUMMER2024&error_code=invalid_grant_2024_expired, code=abcdefghijklmnopqrst",
        // Longer than an API key is (65 characters): a digest, an id.
        "key=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
    ] {
        assert_eq!(redact(text), text);
    }
}

#[test]
fn a_sensitive_query_or_form_value_is_replaced_and_its_key_kept() {
    assert_eq!(
        redact("/login?user=alice&password=hunter2&next=/home"),
        "/login?user=alice&password=[REDACTED:query_param]&next=/home"
    );
    assert_eq!(
        redact("client_secret=s3cr3t grant_type=client_credentials"),
        "client_secret=[REDACTED:query_param] grant_type=client_credentials"
    );
    assert_eq!(redact("x?API_KEY=abc"), "x?API_KEY=[REDACTED:query_param]");
    // A percent-encoded key is read decoded.
    assert_eq!(
        redact("api%5Fkey=abc&a=b"),
        "api%5Fkey=[REDACTED:query_param]&a=b"
    );
    assert_eq!(
        redact("user[password]=pw"),
        "user[password]=[REDACTED:query_param]"
    );
    // A quoted value, as logfmt and Python's `repr` quote one, to its
    // closing quote.
    assert_eq!(
        redact(r#"level=error password="hunter 2 \" x" user=bob"#),
        r#"level=error password="[REDACTED:query_param]" user=bob"#
    );
    assert_eq!(
        redact("Login(user='bob', password='a b')"),
        "Login(user='bob', password='[REDACTED:query_param]')"
    );
    // `;` ends a value, as in a cookie header or a connection string
    // (Azure's `AccountKey=`), and so does a quote that closes the text
    // around the pair; a quote inside a value does not.
    assert_eq!(
        redact("Endpoint=https;AccountName=acme;AccountKey=yOKh+7SY/ab==;EndpointSuffix=core"),
        "Endpoint=https;AccountName=acme;AccountKey=[REDACTED:query_param];EndpointSuffix=core"
    );
    assert_eq!(
        redact("sent theme=dark; session=abc123; lang=en"),
        "sent theme=dark; session=[REDACTED:query_param]; lang=en"
    );
    assert_eq!(
        redact("curl -d 'grant_type=x&client_secret=KjIg8x'"),
        "curl -d 'grant_type=x&client_secret=[REDACTED:query_param]'"
    );
    assert_eq!(
        redact(r#"args: ["login", "password=W7hip"] }"#),
        r#"args: ["login", "password=[REDACTED:query_param]"] }"#
    );
    assert_eq!(
        redact(r#"{"authorization": "AWS4 Credential=x, Signature=ad8f", "n": 1}"#),
        r#"{"authorization": "[REDACTED:json_value]", "n": 1}"#
    );
    assert_eq!(
        redact("password=a\"b'c&x=1"),
        "password=[REDACTED:query_param]&x=1"
    );
    // `&` ends a value where another pair begins, not inside one.
    assert_eq!(
        redact("host=db user=admin password=wKV&=qlU~^+r[ dbname=core"),
        "host=db user=admin password=[REDACTED:query_param] dbname=core"
    );
    assert_eq!(
        redact("password=a&b&c=1&token=x&"),
        "password=[REDACTED:query_param]&c=1&token=[REDACTED:query_param]&"
    );
    assert_eq!(
        redact("/cb?token=abc&next"),
        "/cb?token=[REDACTED:query_param]&next"
    );
    // The short names of secrets: whole keys, and `pass` as a last word.
    assert_eq!(
        redact("DB_HOST=db DB_PASS=HoOsFaQ DB_NAME=orders"),
        "DB_HOST=db DB_PASS=[REDACTED:query_param] DB_NAME=orders"
    );
    assert_eq!(
        redact("GET /users/42.json?auth=W7hipTg&print=pretty"),
        "GET /users/42.json?auth=[REDACTED:query_param]&print=pretty"
    );
    assert_eq!(
        redact("https://a.blob.core.windows.net/x.csv?sv=2022-11-02&sp=r&sig=FWJ5RX%3D"),
        "https://a.blob.core.windows.net/x.csv?sv=2022-11-02&sp=r&sig=[REDACTED:query_param]"
    );
    assert_eq!(
        redact(r#"{"smtp":{"host":"mail","user":"m","pass":"xNDi9"}}"#),
        r#"{"smtp":{"host":"mail","user":"m","pass":"[REDACTED:json_value]"}}"#
    );
    assert_eq!(
        redact("smtp:\n  host: mail\n  pass: ajAIx\n"),
        "smtp:\n  host: mail\n  pass: [REDACTED:key_value]\n"
    );
    for text in [
        "password=\"\" x",
        "a=b&c=d",
        "session=[REDACTED]",
        "token=[REDACTED:jwt]&x=1",
        "password=",
        "password=&x=1",
        "=secret",
        "x = password=",
        "Root=1-6747a2f1-3c5e7a9b1d2f4e6a8c0b2d4f",
        "bypass=1&compass=N&author=bob&design=x&passes=2&sigma=3",
    ] {
        assert_eq!(redact(text), text);
    }
}

#[test]
fn a_term_added_at_run_time_is_a_sensitive_key() {
    let mut found = Vec::new();
    let policy = Policy::with_extra(["PIN".to_string()]);
    scan("pin=1234&user=bob", &policy, &mut found);
    assert_eq!(
        found,
        [Found {
            start: 4,
            end: 8,
            kind: SecretKind::QueryParam
        }]
    );
}

#[test]
fn ordinary_text_stays_byte_for_byte() {
    for text in [
        "",
        "hello world",
        "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "order ORD-2024-000123 shipped",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15",
        "198.51.100.23, 130.176.212.17",
        "Invoice 2026-1187, October rent",
        "naïve café — ☃ 東京",
        "IBAN DE89 3704 0044 0532 0130 00",
    ] {
        assert_eq!(redact(text), text);
    }
}

#[test]
fn one_shape_never_hides_the_beginning_of_another() {
    // The value of a sensitive pair ends at the space inside a PEM
    // header (the block, starting at the same place, names the union),
    // and another ends inside a card number.
    assert_eq!(
        redact(&format!("private_key={PEM} done")),
        "private_key=[REDACTED:private_key] done"
    );
    assert_eq!(
        redact("token=#4111 1111 1111 1111 end"),
        "token=[REDACTED:query_param] end"
    );
    assert_eq!(
        redact("pin=1234 4111 1111 1111 1111 end"),
        "pin=1234 [REDACTED:card_number] end"
    );
}

#[test]
fn several_secrets_in_one_text_are_all_replaced_in_order() {
    let text = format!("a AKIAIOSFODNN7EXAMPLE b {JWT} c 4111111111111111 d token=x e");
    assert_eq!(
        redact(&text),
        "a [REDACTED:aws_access_key_id] b [REDACTED:jwt] c [REDACTED:card_number] d token=[REDACTED:query_param] e"
    );
}

#[test]
fn user_shapes_are_merged_with_the_built_in_ones() {
    let upper = |text: &str, from: usize| {
        let at = from + text[from..].find("SECRET")?;
        Some(at..at + 6)
    };
    assert_eq!(
        redact_with("a SECRET b token=SECRETx SECRET", "word", upper),
        "a [REDACTED:word] b token=[REDACTED:query_param] [REDACTED:word]"
    );
}

#[test]
fn a_misbehaving_user_shape_cannot_loop_split_a_character_or_leak() {
    let again = |_: &str, _: usize| Some(0..1);
    assert_eq!(
        redact_with("éa", "odd", again),
        "[REDACTED:odd]a",
        "grown to whole characters, once"
    );
    let wide = |text: &str, _: usize| Some(1..text.len() + 5);
    assert_eq!(
        redact_with("abc", "odd", wide),
        "abc",
        "out of bounds: ignored"
    );
    let empty = |_: &str, from: usize| Some(from..from);
    assert_eq!(redact_with("abc", "odd", empty), "abc");
    let inside = |_: &str, from: usize| (from == 0).then_some(2..3);
    assert_eq!(redact_with("aé€", "odd", inside), "a[REDACTED:odd]€");
    let panics = |_: &str, _: usize| -> Option<Range<usize>> { panic!("shape bug") };
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let text = redact_with("anything", "odd", panics);
    std::panic::set_hook(quiet);
    assert_eq!(text, "[REDACTED:odd]", "a panic redacts the whole text");
}

#[test]
fn nothing_is_found_when_finding_shapes_is_off() {
    let text = "key AKIAIOSFODNN7EXAMPLE";
    assert_eq!(redact_text_in(text, &Policy::default(), &Shapes::OFF), text);
}

#[test]
fn overlapping_matches_merge_under_the_first() {
    let mut found = vec![
        Found {
            start: 5,
            end: 9,
            kind: SecretKind::Custom("b"),
        },
        Found {
            start: 0,
            end: 6,
            kind: SecretKind::Custom("a"),
        },
        Found {
            start: 12,
            end: 14,
            kind: SecretKind::Custom("c"),
        },
    ];
    settle("0123456789abcdef", &mut found, 0);
    assert_eq!(
        found,
        [
            Found {
                start: 0,
                end: 9,
                kind: SecretKind::Custom("a")
            },
            Found {
                start: 12,
                end: 14,
                kind: SecretKind::Custom("c")
            }
        ]
    );
    // Grown to whole characters first.
    let text = "aé€b";
    let mut found = vec![
        Found {
            start: 2,
            end: 2,
            kind: SecretKind::Custom("a"),
        },
        Found {
            start: 4,
            end: 5,
            kind: SecretKind::Custom("b"),
        },
    ];
    settle(text, &mut found, 0);
    assert_eq!(
        found,
        [
            Found {
                start: 1,
                end: 3,
                kind: SecretKind::Custom("a")
            },
            Found {
                start: 3,
                end: 6,
                kind: SecretKind::Custom("b")
            }
        ]
    );
}

#[test]
fn kind_names_make_plain_markers() {
    for kind in SecretKind::BUILT_IN {
        assert!(is_valid_kind_name(kind.name()), "{kind:?}");
        let mut marker = Vec::new();
        kind.push_marker(&mut marker);
        assert_eq!(marker, kind.to_string().as_bytes());
        assert_eq!(marker.len(), kind.marker_len());
    }
    assert!(!is_valid_kind_name(""));
    assert!(!is_valid_kind_name("Employee"));
    assert!(!is_valid_kind_name("a]b"));
    assert!(!is_valid_kind_name(&"x".repeat(33)));
}

/// A small deterministic generator (xorshift), so the tests need no
/// dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// What a pass reported.
#[derive(Default)]
struct Reported {
    at: Vec<usize>,
    windows: Vec<usize>,
}

impl Places for Reported {
    fn at(&mut self, p: usize) {
        self.at.push(p);
    }
    fn run(&mut self, window: usize) {
        self.windows.push(window);
    }
}

impl Reported {
    /// The runs around the windows reported.
    fn runs(&self, text: impl AsRef<[u8]>) -> std::collections::BTreeSet<(usize, usize)> {
        let b = text.as_ref();
        self.windows
            .iter()
            .map(|&w| {
                assert!(b[w..w + CARD_RUN].iter().all(|&c| is_card_byte(c)));
                let mut start = w;
                while start > 0 && is_card_byte(b[start - 1]) {
                    start -= 1;
                }
                (start, run(b, w, is_card_byte))
            })
            .collect()
    }
}

#[test]
fn the_vector_passes_find_what_looking_everywhere_finds() {
    let pieces = [
        JWT,
        "Bearer a1b2c3d4e5f6",
        "basic dTpw",
        "AKIAIOSFODNN7EXAMPLE",
        "ASIAY34FZKBOKMUTVV7A",
        PEM,
        "4111111111111111",
        "4111 1111 1111 1111",
        "378282246310005",
        "4222222222222",
        "5555-5555-5555-4444",
        "4 1 1 1 1 1 1 1 1 1 1 1 1",
        "4111+1111+1111+1111",
        "4111%201111%201111%201111",
        "+",
        "%",
        "%20",
        "%b7",
        "\":",
        "':",
        "{\"password\":\"Pw1\"}",
        "{'token': 'T0k'}",
        ": ",
        " : ",
        "\npassword: ",
        "Login { user: \"bob\", token: Some(\"x y\") }",
        "'secret': ",
        " = ",
        "\npassword = ",
        "token=\"",
        "pwd='",
        "\"api_key\" : ",
        "\\\"pwd\\\" : \\\"",
        "Authorization: Bearer ",
        "Password(\"",
        " {",
        "H0(",
        "\ntoken: |",
        "\n    ",
        "pwd(",
        "ApiKey(",
        "pwd: ",
        "(",
        ")",
        "[",
        "]",
        "'",
        "&:",
        "://",
        ":/",
        "@",
        ":",
        "postgres://app:Pw1@db:5432",
        "https://",
        r"\n",
        r"\u0022",
        r"\u0041",
        ",",
        "token=x",
        "a",
        " ",
        "-",
        "=",
        "J",
        "I",
        "A",
        "b",
        "e",
        "7",
        "12",
        "é",
        "\u{2028}",
        "0123456789",
        "hello",
        "uuid c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "password=",
        "eyJhbGciOiJIUzI1NiJ9",
        ".",
        "Basic ",
        "bearer ",
        "&",
        "\n",
        "-----BEGIN EC PRIVATE KEY-----",
        "IA",
        "_",
        "k-",
        "sk-",
        "ghp_",
        "sk_live_",
        "xoxb-",
        "AIza",
        "Iq",
        "https://hooks.slack.com/services/",
        "https://discord.com/api/webhooks/",
        "https://api.telegram.org/bot",
        "123:",
        ":/",
        "Xq9vL2mT7rK4nP1sW8yD3fH6jB0gC5uE",
        "x=",
        "next=",
        "%3D",
        "%3d",
        "%22",
        "%3A",
        "%40",
        "%2F",
        "%26",
        "%B",
        "^",
        "..",
        " --user ",
        "u:p",
        "-----BEGIN USER NKEY SEED-----",
        "\"pwd\": S { ",
        "Cookie: ",
        "4709ab7f3f386d0cd566647b5aa666347428c3dd",
        " xmlns=\"urn:x\"",
        "<?xml version=\"1.0\"?>",
        "<Password>",
        "</Password>",
        "<n:Secret>",
        "<![CDATA[",
        "]]>",
        "<a>",
        "/>",
        "<",
        ">",
        "IQoJb3JpZ2luX2Vj",
        "IQoJb3JpZ2luX2VjEYHOnk3omgCDr0RmfONXiX3//////////wEaCWV1LXdlc3QtMSJHMEUCIQ7jDxPlBWzWHkqDJihqKl56WCw/yA30+4GXsV5o2sl+bbCKe",
        "eyJ1c2VyIjoiYm9iIiwicGFzc3dvcmQiOiJodW50ZXIyIHgifQ==",
        "eyJ1c2VybmFtZSI6ImNpIiwicGFzc3dvcmQiOiJCQkdFQmFIZ2o3OVoiLCJzZXJ2ZXJhZGRyZXNzIjoicmVnaXN0cnkuYWNtZS5pbyJ9",
        "eyJwYWdlIjoyLCJzb3J0IjoiY3JlYXRlZF9hdCJ9",
        "eyJwYXNzd29yZCI6",
        "%2F",
        "\\/",
        "Ia",
        "IQ",
        ": password: invalid type: integer `",
        "invalid type: found string \"x\", expected u16",
        " for key \"db.password\"",
        " for key `api_keys`",
        "`",
        " invalid value: string \"",
        "\n5 | ",
        "password = ",
        "Key (token)",
        "(a, b)",
        ")=(",
        ")",
        "name: \"DB_PASSWORD\"",
        "name: Some(\"pwd\")",
        ", value: ",
        "Some(\"x\")",
        "{\"kty\":\"EC\"",
        ",\"d\":\"x\"",
        ",\"k\":",
        "{",
        "}",
        "hcaik_01j5c7tgzayi6nsz98rqgrla9psq3r2m0jx4k8v2w6b1n3f5h7d9s0q2e4",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut fast, mut everywhere) = (Vec::new(), Vec::new());
    let mut shapes = 0;
    for _ in 0..30_000 {
        let mut text = String::new();
        for _ in 0..rng.below(10) {
            text.push_str(pieces[rng.below(pieces.len())]);
        }
        // Every length around the block size, from every offset.
        let cut = rng.below(text.len() + 1);
        let text = &text[floor_char_boundary(&text, cut)..];
        fast.clear();
        everywhere.clear();
        scan(text, &Policy::default(), &mut fast);
        scan_everywhere(text, &Policy::default(), &mut everywhere);
        assert_eq!(fast, everywhere, "{text:?}");
        shapes += usize::from(!fast.is_empty());
        // The places and runs reported are those of the definition
        // (under eight bytes, only a `key=value` pair, a `"key":1`, a
        // `key: 1` or a `Pwd("1` fits, whose `=`, `":`, `: ` or `("` is
        // neither first nor last, or a URL's password, whose `@` is sixth
        // or seventh; no webhook's URL; under sixteen, no service's token
        // either).
        let (mut vector, mut defined) = (Reported::default(), Reported::default());
        find(text.as_bytes(), &mut vector);
        find_bytewise(text.as_bytes(), &mut defined);
        if text.len() < 8 {
            let b = text.as_bytes();
            defined.at.retain(|&p| {
                matches!(b[p], b'=' | b'"' | b':' | b'(')
                    && p > 0
                    && p + 1 < b.len()
                    && !(b[p] == b':' && b[p + 1] == b'/')
                    || b[p] == b'@' && p >= 5
            });
        } else if text.len() < 16 {
            // No service's token (`_`, `k-`, `Iz`) nor webhook's URL
            // (`:/`) fits in fewer than 16 bytes.
            let b = text.as_bytes();
            defined.at.retain(|&p| {
                let next = b.get(p + 1).copied();
                !(b[p] == b'_'
                    || b[p] == b'k'
                    || b[p] == b'I' && next != Some(b'A')
                    || b[p] == b':' && next == Some(b'/'))
            });
        }
        assert_eq!(vector.at, defined.at, "{text:?}");
        let defined_runs = defined.runs(text);
        assert_eq!(vector.runs(text), defined_runs, "{text:?}");
        // Whether no byte needs escaping: the copying passes copy all.
        let plain = !text
            .bytes()
            .any(|b| !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\');
        // Every pass this processor can run reports the same, copying or
        // not: sixteen bytes a step (also where more would be taken), and
        // 32 with AVX2.
        #[cfg(target_arch = "x86_64")]
        if text.len() >= 16 {
            let bytes = text.as_bytes();
            for name in X86_PASSES {
                let (mut seen, mut copied) = (Reported::default(), Reported::default());
                let mut out = vec![0u8; bytes.len()];
                // SAFETY: at least 16 bytes, `out` as long.
                let ran = unsafe {
                    x86_pass(name, bytes, None, &mut seen).zip(x86_pass(
                        name,
                        bytes,
                        Some(&mut out),
                        &mut copied,
                    ))
                };
                let Some((_, copied_whole)) = ran else {
                    continue;
                };
                assert_eq!(seen.at, defined.at, "{name}: {text:?}");
                let runs = seen.runs(text);
                assert_eq!(runs, defined_runs, "{name}: {text:?}");
                assert_eq!(copied_whole, plain, "{name}: {text:?}");
                if plain {
                    assert_eq!(out, bytes, "{name}: {text:?}");
                    assert_eq!(copied.at, seen.at, "{name}: {text:?}");
                    assert_eq!(copied.runs(text), runs, "{name}: {text:?}");
                }
            }
        }
        // The copying pass reports the same, and copies.
        if text.len() >= 16 {
            let mut copied = Reported::default();
            let mut out = vec![std::mem::MaybeUninit::new(0u8); text.len()];
            let whole = copy_finding(&mut out, text.as_bytes(), &mut copied);
            assert_eq!(whole, plain, "{text:?}");
            if !plain {
                continue;
            }
            let out: Vec<u8> = out.iter().map(|b| unsafe { b.assume_init() }).collect();
            assert_eq!(out, text.as_bytes());
            assert_eq!(copied.at, vector.at, "{text:?}");
            assert_eq!(copied.runs(text), vector.runs(text), "{text:?}");
        }
    }
    assert!(shapes > 3_000, "the sample has shapes: {shapes}");
}

/// Every pair of byte values, at every lane of a step and across steps,
/// is classed by each x86_64 pass as the definition has it: the places,
/// the card runs, and whether the bytes need escaping (the 32-byte passes
/// look bytes up by their nibbles, so every value is checked, not only
/// those of text).
#[cfg(target_arch = "x86_64")]
#[test]
fn every_pair_of_bytes_is_classed_as_the_definition_has_it() {
    let every: Vec<u8> = (0..=255).collect();
    // The bytes that end a pair, and some that end none.
    let ends = [
        b'-', b'a', b'E', b' ', b':', b'"', b'x', b'7', b'\\', 0x7f, 0x80, 0,
    ];
    let mut looked = 0;
    // Letters, and digits (a card's run the pair breaks or extends); at
    // the end of a step, across two and inside one.
    for (filler, len, at, seconds) in [
        (b'x', 33, 31, &every[..]),
        (b'x', 16, 14, &ends[..]),
        (b'x', 31, 0, &ends[..]),
        (b'x', 64, 17, &ends[..]),
        (b'x', 72, 40, &ends[..]),
        (b'7', 32, 30, &ends[..]),
        (b'7', 65, 63, &ends[..]),
    ] {
        for first in 0..=255u8 {
            for &second in seconds {
                let mut bytes = vec![filler; len];
                bytes[at] = first;
                if at + 1 < len {
                    bytes[at + 1] = second;
                }
                let mut defined = Reported::default();
                find_bytewise(&bytes, &mut defined);
                let plain = !bytes
                    .iter()
                    .any(|&b| !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\');
                for name in X86_PASSES {
                    let (mut seen, mut copied) = (Reported::default(), Reported::default());
                    let mut out = vec![0u8; len];
                    // SAFETY: at least 16 bytes, `out` as long.
                    let ran = unsafe {
                        x86_pass(name, &bytes, None, &mut seen).zip(x86_pass(
                            name,
                            &bytes,
                            Some(&mut out),
                            &mut copied,
                        ))
                    };
                    let Some((_, whole)) = ran else { continue };
                    let case = format!(
                        "{name}: {first:#04x} {second:#04x} at {at} of {len} {}",
                        filler as char
                    );
                    assert_eq!(seen.at, defined.at, "{case}");
                    assert_eq!(seen.runs(&bytes), defined.runs(&bytes), "{case}");
                    assert_eq!(whole, plain, "{case}");
                    if plain {
                        assert_eq!(out, bytes, "{case}");
                        assert_eq!(copied.at, defined.at, "{case}");
                        assert_eq!(copied.runs(&bytes), defined.runs(&bytes), "{case}");
                    }
                    looked += 1;
                }
            }
        }
    }
    assert!(looked >= 65_536 + 6 * 256 * 12, "{looked}");
}

/// The x86_64 passes, narrowest first.
#[cfg(target_arch = "x86_64")]
const X86_PASSES: [&str; 2] = ["sse2", "avx2"];

/// Runs the pass named (`None` when this processor cannot), copying into
/// `out` when given; whether the text needed no escaping.
///
/// # Safety
///
/// `text` is at least 16 bytes long, `out` as long.
#[cfg(target_arch = "x86_64")]
unsafe fn x86_pass(
    name: &str,
    text: &[u8],
    out: Option<&mut [u8]>,
    places: &mut Reported,
) -> Option<bool> {
    let copy = out.is_some();
    let dst = out.map_or(std::ptr::null_mut(), |o| o.as_mut_ptr());
    let avx2 = std::is_x86_feature_detected!("avx2");
    Some(match (name, copy) {
        ("sse2", false) => vector::pass16::<false>(text, dst, places),
        ("sse2", true) => vector::pass16::<true>(text, dst, places),
        ("avx2", false) if avx2 => vector::with_avx2::<false>(text, dst, places),
        ("avx2", true) if avx2 => vector::with_avx2::<true>(text, dst, places),
        _ => return None,
    })
}

#[test]
fn ordinary_text_gives_the_passes_nothing_to_look_at() {
    for text in [
        "application/json",
        "gzip, deflate, br",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14) AppleWebKit/605.1.15 (KHTML, like Gecko)",
        "198.51.100.23, 130.176.212.17",
        "/v1/accounts/acc-7731-0042/transfers",
        "transfers.write accounts.read",
        "c0ffee00-1234-4abc-9def-0123456789ab",
        "2026-11-27T18:40:00.123Z",
        "short",
        "POST",
        "Invoice 2026-1187, March rent",
    ] {
        let mut reported = Reported::default();
        find(text.as_bytes(), &mut reported);
        assert!(
            reported.at.is_empty() && reported.windows.is_empty(),
            "{text}"
        );
    }
    // A `_` is a place (of `ghp_`), which the byte before it refuses
    // without a look unless it is a lower-case letter.
    let agent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15";
    let mut reported = Reported::default();
    find(agent.as_bytes(), &mut reported);
    assert_eq!(reported.at, [agent.find('_').unwrap()]);
}

#[test]
fn scanning_is_linear_on_hostile_text() {
    // Each of these would make a naive scanner read the text again
    // from every candidate position. A card number is looked for from
    // each group of digits, over at most 37 bytes.
    let n = 100_000;
    let texts = [
        "eyJ-".repeat(n / 4),
        "eyJhbGciOiJIUzI1NiJ9.".repeat(n / 21),
        "1 ".repeat(n / 2),
        "1-".repeat(n / 2),
        "1+".repeat(n / 2),
        "1%20".repeat(n / 4),
        "%20".repeat(n / 3),
        "-----BEGIN PRIVATE KEY-----".repeat(n / 27),
        format!("-----BEGIN PRIVATE KEY-----{}", "-----END ".repeat(n / 9)),
        format!("{}=", "a".repeat(n)),
        "a=".repeat(n / 2),
        "Bearer ".repeat(n / 7),
        "Bearer+".repeat(n / 7),
        "://".repeat(n / 3),
        "\":".repeat(n / 2),
        format!("\"password\":\"{}", "a".repeat(n)),
        "\"pwd\":\"".repeat(n / 7),
        "\"pwd\":[".repeat(n / 7),
        format!("\"pwd\":{}", "[\"]\\\"".repeat(n / 5)),
        format!("{}\":", "a".repeat(n)),
        ": ".repeat(n / 2),
        "a: ".repeat(n / 3),
        "\na: ".repeat(n / 4),
        format!("{}: ", "a".repeat(n)),
        format!("{{ a: {}", "(".repeat(n)),
        format!("{{ a: {}", "\"\\".repeat(n / 2)),
        "'a': ".repeat(n / 5),
        format!("'{}': ", "a".repeat(n)),
        format!("{}: ", " ".repeat(n)),
        "\"a\" : ".repeat(n / 6),
        "{ a: Bearer ".repeat(n / 12),
        "a(\"".repeat(n / 3),
        " = ".repeat(n / 3),
        "\na: |".repeat(n / 5),
        format!("a: |\n{}", " x\n\n".repeat(n / 4)),
        format!("{{ a: x {}", " {".repeat(n / 2)),
        "\na = ".repeat(n / 5),
        "a=\"".repeat(n / 3),
        format!("a='{}", "\\'".repeat(n / 2)),
        "(\"".repeat(n / 2),
        "\"pwd\": S(".repeat(n / 9),
        "\"pwd\": S(\"".repeat(n / 10),
        "\"a\": S(".repeat(n / 7),
        format!("\"pwd\": S{}", "(".repeat(n)),
        "Bearer(\"".repeat(n / 8),
        "a=b\"".repeat(n / 4),
        "pwd=a\" ".repeat(n / 7),
        "ExpiredTokenException: ".repeat(n / 23),
        "(\"password\", \"".repeat(n / 14),
        " --pwd".repeat(n / 6),
        " --pwd ".repeat(n / 7),
        "\"--pwd\" \"".repeat(n / 10),
        format!(" --{}", "a".repeat(n)),
        "{\"name\": \"a\", \"value\": ".repeat(n / 26),
        "\"a\",\"value\":".repeat(n / 14),
        format!("\"name\":\"{}\",\"value\":1", "a".repeat(n)),
        "\"pwd: a\" ".repeat(n / 9),
        "'pwd: Bearer a' ".repeat(n / 16),
        format!("\"pwd: {}", "\\\"".repeat(n / 2)),
        format!("(\"{}", "a".repeat(n)),
        "password=a&".repeat(n / 11),
        format!("password=a{}", "&a".repeat(n / 2)),
        format!("{}(\"", "a".repeat(n)),
        format!("Password(\"{}", "\\\"".repeat(n / 2)),
        "@".repeat(n),
        format!("a://{}", "u:p@".repeat(n / 4)),
        format!("a://u:{}", "p@".repeat(n / 2)),
        format!("a://{}", "x@".repeat(n / 2)),
        format!("{}@", "a://x".repeat(n / 5)),
        "Basic%20".repeat(n / 8),
        "-----BEGIN+PRIVATE+KEY-----".repeat(n / 27),
        format!(
            "-----BEGIN%20PRIVATE%20KEY-----{}",
            "-----END%20".repeat(n / 11)
        ),
        format!("Basic {}", "QUJD".repeat(n / 4)),
        "AKIA".repeat(n / 4),
        format!("{JWT} ").repeat(n / JWT.len()),
        "ghp_".repeat(n / 4),
        "https://".repeat(n / 8),
        format!("https://{}", "a".repeat(n)),
        "https://hooks.slack.com/".repeat(n / 24),
        format!("https://hooks.slack.com/services/{}", "a/".repeat(n / 2)),
        "https://api.telegram.org/bot1:".repeat(n / 30),
        format!("https://api.telegram.org/bot{}", "1".repeat(n)),
        "a_".repeat(n / 2),
        "sk-".repeat(n / 3),
        format!("sk-{}", "a".repeat(n)),
        "%20sk-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".repeat(n / 44),
        "github_pat_".repeat(n / 11),
        "AIza".repeat(n / 4),
        "AIz".repeat(n / 3),
        "xoxb-1234567890123-".repeat(n / 19),
        "xoxb-1234567890123 ".repeat(n / 19),
        format!("a{}", "xoxb-1234567890123-".repeat(n / 19)),
        "eyJhbGciOiJkaXIifQ..".repeat(n / 20),
        format!("eyJhbGciOiJkaXIifQ{}", "..a".repeat(n / 3)),
        "\"pwd\": S { ".repeat(n / 11),
        format!("\"pwd\": S {}", " {".repeat(n / 2)),
        " --user a:".repeat(n / 10),
        format!(" --user {}", ":".repeat(n)),
        "-----BEGIN SEED-----".repeat(n / 20),
        ": cookie: ".repeat(n / 10),
        format!("x: cookie: {}", "(".repeat(n)),
        "%B4111111111111111^".repeat(n / 19),
        "%B".repeat(n / 2),
        format!("%B{}", "1".repeat(n)),
        format!("a://{}{}", "x".repeat(255), "@".repeat(n)),
        format!("a://{}/", "x@".repeat(125)).repeat(n / 255),
        format!(
            "{}@",
            "a://4709ab7f3f386d0cd566647b5aa666347428c3dd@".repeat(n / 45)
        ),
        "x=%".repeat(n / 3),
        format!("x={}", "%3Dx".repeat(n / 4)),
        format!("x={}", "%26a%3Db".repeat(n / 8)),
        format!("x={}", "%3D%25".repeat(n / 6)),
        format!("{}%", "x=y ".repeat(n / 4)),
        format!("{} %", "x=x=".repeat(n / 4)),
        format!("{} %", "x=y&".repeat(n / 4)),
        "x=%2F%3Fa%3Db ".repeat(n / 14),
        format!(" xmlns=\"x\"{}", "<a".repeat(n / 2)),
        format!(" xmlns=\"x\"{}", "<a>".repeat(n / 3)),
        format!(" xmlns=\"x\"{}", "<a><b>".repeat(n / 6)),
        format!(" xmlns=\"x\"{}", "<a><![CDATA[".repeat(n / 12)),
        format!(" xmlns=\"x\"<a>{}", "<b>".repeat(n / 3)),
        " xmlns=\"x\"".repeat(n / 11),
        "a=token ".repeat(n / 8),
        format!("a=token {}", "x".repeat(n)),
        "a=token b=".repeat(n / 10),
        format!("Pwd(\"a\"{}", ", \"".repeat(n / 3)),
        " --pwd <A> ".repeat(n / 11),
        "key=".repeat(n / 4),
        "code=".repeat(n / 5),
        format!("code={}", "a1".repeat(n / 2)),
        "code=a1b2c3d4e5f6g7h8 ".repeat(n / 22),
        format!("key={}", "a1B".repeat(n / 3)),
        "key=a1B2c3D4e5F6g7H8i9J0kLmN&".repeat(n / 29),
        format!(" xmlns=\"x\"{}", "<a/>".repeat(n / 4)),
        "invalid type: ".repeat(n / 14),
        "invalid type: string \"x\"".repeat(n / 25),
        format!("invalid type: string \"x\"{}", " for key ".repeat(n / 9)),
        format!("invalid type: string \"x\" for key \"{}", "a".repeat(n)),
        "invalid value: `a` for key `a`, ".repeat(n / 32),
        "x: a: invalid type: ".repeat(n / 20),
        "x: a: invalid type: integer `".repeat(n / 29),
        format!("x: a: invalid type: integer `{}", "a".repeat(n)),
        format!("x: a: invalid type: string \"{}", "\\\"".repeat(n / 2)),
        "| a = ".repeat(n / 6),
        "eyJ".repeat(n / 3),
        "eyJ ".repeat(n / 4),
        format!("{} ", "eyJwYXNzd29yZCI6InkifQ".repeat(4)).repeat(n / 89),
        format!("eyJ{}", "cGFzc3dvcmQ6IHgs".repeat(n / 16)),
        "IQoJb3JpZ2luX2Vj".repeat(n / 16),
        "IQ".repeat(n / 2),
        format!("IQoJb3JpZ2luX2Vj{}", "%2F".repeat(n / 3)),
        format!("IQoJb3JpZ2luX2Vj{}", "\\/".repeat(n / 2)),
        "IQoJb3JpZ2luX2Vj ".repeat(n / 17),
        "(a)=(".repeat(n / 5),
        "(a)=((".repeat(n / 6),
        format!("{}(a)=(", "(".repeat(n)),
        format!("(a)=({}", "(".repeat(n)),
        "(b)=(".repeat(n / 5),
        format!("({})=(x)", "b".repeat(n)),
        "n: \"a\", value: ".repeat(n / 15),
        "name: Some(\"a\"), value: Some(\"x\"), ".repeat(n / 36),
        format!("{}(\"a\"), value: ", "S".repeat(n)),
        format!("{}: \"a\", value: ", "name".repeat(n / 4)),
        format!("name: \"{}\", value: ", "a".repeat(n)),
        format!("{{\"kty\":\"EC\"{}", ",\"d\":\"x\"".repeat(n / 8)),
        format!("{{\"kty\":\"EC\"{}", ",\"e\":\"x\",\"d\":1".repeat(n / 14)),
        "{\"kty\":1,\"d\":\"x\"}".repeat(n / 17),
        format!("\"kty\":{}", " \"d\":".repeat(n / 6)),
    ];
    for text in &texts {
        READ.with(|r| r.set(0));
        let mut found = Vec::new();
        // Every key holding an `a` is sensitive.
        scan(text, &Policy::with_extra(["a".to_string()]), &mut found);
        let read = READ.with(|r| r.get());
        assert!(
            read <= 40 * text.len(),
            "{read} bytes read for {} in {:?}…",
            text.len(),
            &text[..24]
        );
    }
}
