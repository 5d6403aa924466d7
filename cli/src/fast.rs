//! The fast path of [`record::parse`](crate::record::parse): seclog's own
//! records read without a general JSON parser.
//!
//! A record is a JSON object whose members the command mostly does not
//! read (the inputs, the response, the origin). This path compares keys as
//! bytes, borrows the texts it reads after checking them, and skips every
//! other member by its structure: strings to their closing quote, objects
//! and arrays to their matching bracket. Skipped members are not validated
//! beyond that structure; a line cut short or unbalanced is not taken.
//! Whenever the line holds something this path does not decode exactly,
//! it answers `None` and `serde_json` reads the line instead, so the
//! result is always the one `serde_json` gives.

use crate::record::{Budget, Error, Event, Faas, Id, Record, Seclog, Source, Text, User};
use std::borrow::Cow;

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scan<'a> {
    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.i) {
            if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        if self.peek()? != c {
            return None;
        }
        self.i += 1;
        Some(())
    }

    /// A string's raw bytes (between its quotes) and whether it has
    /// escapes; the cursor must be on its opening quote.
    fn raw_string(&mut self) -> Option<(&'a [u8], bool)> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i + 1;
        let mut j = start;
        let mut escaped = false;
        loop {
            let k = j + memchr::memchr2(b'"', b'\\', self.b.get(j..)?)?;
            if self.b[k] == b'"' {
                self.i = k + 1;
                return Some((&self.b[start..k], escaped));
            }
            escaped = true;
            j = k + 2;
        }
    }

    /// A text read: borrowed when it has no escapes and no control
    /// characters, else `None` (serde decides).
    fn text(&mut self) -> Option<Text<'a>> {
        self.ws();
        if self.peek()? == b'n' {
            return self.null().map(|()| None);
        }
        let (raw, escaped) = self.raw_string()?;
        if escaped || raw.iter().any(|&c| c < 0x20) {
            return None;
        }
        Some(Some(Cow::Borrowed(std::str::from_utf8(raw).ok()?)))
    }

    fn null(&mut self) -> Option<()> {
        self.literal(b"null")
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.b.get(self.i..self.i + word.len())? != word {
            return None;
        }
        self.i += word.len();
        Some(())
    }

    fn number(&mut self) -> Option<Option<u64>> {
        self.ws();
        if self.peek()? == b'n' {
            return self.null().map(|()| None);
        }
        let start = self.i;
        let mut n: u64 = 0;
        while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
            n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            self.i += 1;
        }
        let len = self.i - start;
        // No leading zeros, no fraction or exponent: serde decides those.
        if len == 0 || (len > 1 && self.b[start] == b'0') {
            return None;
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E' | b'-' | b'+')) {
            return None;
        }
        Some(Some(n))
    }

    fn boolean(&mut self) -> Option<Option<bool>> {
        self.ws();
        match self.peek()? {
            b't' => self.literal(b"true").map(|()| Some(true)),
            b'f' => self.literal(b"false").map(|()| Some(false)),
            b'n' => self.null().map(|()| None),
            _ => None,
        }
    }

    /// Skips any value by its structure.
    fn skip(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => self.raw_string().map(drop),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.raw_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                let start = self.i;
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    self.i += 1;
                }
                (self.i > start).then_some(())
            }
        }
    }

    /// Walks an object's members: `member` is called with the index in
    /// `keys` of each key read, the cursor on its value, and must consume
    /// it; other members are skipped. A repeated key of `keys` is `None`.
    fn object(
        &mut self,
        keys: &[&[u8]],
        mut member: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<()> {
        self.ws();
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        let mut seen = 0u64;
        loop {
            self.ws();
            let (key, escaped) = self.raw_string()?;
            if escaped {
                return None;
            }
            self.eat(b':')?;
            match keys.iter().position(|k| *k == key) {
                Some(n) => {
                    // Repeats of a read key are serde's to judge.
                    if seen & (1 << n) != 0 {
                        return None;
                    }
                    seen |= 1 << n;
                    member(self, n)?;
                }
                None => self.skip()?,
            }
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

/// A record by the fast path, or `None` for `serde_json` to read it.
pub fn record(line: &[u8]) -> Option<Record<'_>> {
    let mut s = Scan { b: line, i: 0 };
    let mut r = Record::default();
    const KEYS: [&[u8]; 10] = [
        b"@timestamp",
        b"message",
        b"type",
        b"event",
        b"transaction",
        b"user",
        b"source",
        b"error",
        b"faas",
        b"seclog",
    ];
    s.object(&KEYS, |s, k| {
        match k {
            0 => r.timestamp = s.text()?,
            1 => r.message = s.text()?,
            2 => r.platform_type = s.text()?,
            3 => r.event = event(s)?,
            4 => {
                let [id] = texts(s, [b"id"])?;
                r.transaction = Id { id };
            }
            5 => {
                let [name, hash, id] = texts(s, [b"name", b"hash", b"id"])?;
                r.user = User { name, hash, id };
            }
            6 => {
                let [ip, address] = texts(s, [b"ip", b"address"])?;
                r.source = Source { ip, address };
            }
            7 => {
                let [message] = texts(s, [b"message"])?;
                r.error = Error { message };
            }
            8 => {
                let mut f = Faas::default();
                s.object(&[b"coldstart"], |s, _| {
                    f.coldstart = s.boolean()?;
                    Some(())
                })?;
                r.faas = f;
            }
            _ => r.seclog = seclog(s)?,
        }
        Some(())
    })?;
    s.ws();
    (s.i == line.len()).then_some(r)
}

/// An object of which only the text members `keys` are read, in that
/// order.
fn texts<'a, const N: usize>(s: &mut Scan<'a>, keys: [&[u8]; N]) -> Option<[Text<'a>; N]> {
    let mut out: [Text<'a>; N] = std::array::from_fn(|_| None);
    s.object(&keys, |s, k| {
        out[k] = s.text()?;
        Some(())
    })?;
    Some(out)
}

fn event<'a>(s: &mut Scan<'a>) -> Option<Event<'a>> {
    let mut e = Event::default();
    s.object(&[b"action", b"outcome", b"kind", b"duration"], |s, k| {
        match k {
            0 => e.action = s.text()?,
            1 => e.outcome = s.text()?,
            2 => e.kind = s.text()?,
            _ => e.duration = s.number()?,
        }
        Some(())
    })?;
    Some(e)
}

fn seclog<'a>(s: &mut Scan<'a>) -> Option<Seclog<'a>> {
    let mut v = Seclog::default();
    s.object(&[b"phase", b"owasp", b"budget"], |s, k| {
        match k {
            0 => v.phase = s.text()?,
            1 => v.owasp = s.text()?,
            _ => {
                let mut b = Budget::default();
                s.object(&[b"exceeded", b"ms"], |s, k| {
                    match k {
                        0 => b.exceeded = s.boolean()?,
                        _ => b.ms = s.number()?,
                    }
                    Some(())
                })?;
                v.budget = b;
            }
        }
        Some(())
    })?;
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::parse_with_serde;

    /// The fast path either declines or gives exactly serde's record.
    fn agrees(line: &str) -> bool {
        match (record(line.as_bytes()), parse_with_serde(line.as_bytes())) {
            (None, _) => false,
            (Some(fast), Ok(slow)) => {
                assert_eq!(fast, slow, "{line}");
                true
            }
            (Some(fast), Err(e)) => {
                panic!("fast path took what serde rejects ({e}): {line}\n{fast:?}")
            }
        }
    }

    #[seclog::audit(who = user, source_ip = ip, budget = "1s")]
    fn handler(user: &str, ip: &str, body: &str) -> Result<Vec<String>, String> {
        seclog::security_event!(authz_fail, resource = body);
        if body.len() > 3 {
            Err(format!("bad {body}"))
        } else {
            Ok(vec![body.to_string(); 3])
        }
    }

    #[test]
    fn real_records_take_the_fast_path_with_serdes_answer() {
        let run = seclog::testing::capture(|| {
            let _ = handler("alice", "192.0.2.1", "ok");
            let _ = handler("bob", "2001:db8::1", "{[}]x");
            let _ = handler("名前", "unix:/run/x.sock", "résumé ü");
        });
        for line in &run.lines {
            assert!(agrees(line), "declined: {line}");
        }
    }

    #[test]
    fn escapes_in_texts_read_are_left_to_serde_and_still_agree() {
        let run = seclog::testing::capture(|| {
            let _ = handler("mal\"lory\u{1b}[2J", "192.0.2.1", "x\ny");
        });
        let mut declined = 0;
        for line in &run.lines {
            if !agrees(line) {
                declined += 1;
                assert!(parse_with_serde(line.as_bytes()).is_ok());
            }
        }
        assert!(declined > 0, "a user with a quote has an escape");
    }

    #[test]
    fn lines_serde_rejects_in_the_members_read_are_declined() {
        for line in [
            r#"{"@timestamp":"2026-01-01T00:00:00Z","seclog":{"phase":"end"}"#,
            r#"{"@timestamp":"2026-01-01T00:00:00Z","seclog":{"phase":"end"}} x"#,
            r#"{"@timestamp":5,"seclog":{"phase":"end"}}"#,
            r#"{"event":null}"#,
            r#"{"event":{"duration":1.5}}"#,
            r#"{"event":{"duration":-1}}"#,
            r#"{"event":{"duration":012}}"#,
            r#"{"event":{"duration":99999999999999999999999}}"#,
            r#"{"user":{"name":"a","name":"b"}}"#,
            r#"{"seclog":{"phase":"end","phase":"start"}}"#,
            "{\"message\":\"raw \u{1} control\"}",
            r#"{"faas":{"coldstart":"yes"}}"#,
            r#"{"seclog":{"budget":{"exceeded":tru}}}"#,
            r#"{"act\u0069on":1}"#,
            r#"["not an object"]"#,
            r#"{"a":1,}"#,
            "",
        ] {
            assert!(record(line.as_bytes()).is_none(), "{line}");
        }
    }

    #[test]
    fn structure_is_skipped_whatever_the_strings_hold() {
        for line in [
            r#"{"a":{"b":["}","]","{",{"c":"\"}"}]},"seclog":{"phase":"event"},"@timestamp":"t"}"#,
            r#"  {"x":[1,2.5e3,-4,true,false,null,{}],"event":{"action":"a","category":["api"],"duration":0}}  "#,
            r#"{"source":{"ip":null,"port":443},"faas":{"coldstart":true}}"#,
            r#"{}"#,
        ] {
            assert!(agrees(line), "declined: {line}");
        }
    }
}
