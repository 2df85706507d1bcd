//! The scanner behind [`super::json_doc::Doc`]: one pass over a JSON text
//! already known to be UTF-8, accepting exactly what serde_json accepts.
//!
//! serde_json checks each string's bytes for UTF-8 and for quotes,
//! backslashes and control characters one 8-byte word at a time; a gateway
//! line's longest string (the ~1 KB bearer token) is read here by one
//! `memchr2` for a quote or backslash instead, with the text validated once
//! as a whole and checked for control characters once. The grammar follows
//! serde_json 1.x: whitespace is space, tab, LF and CR; escapes are
//! `\" \\ \/ \b \f \n \r \t \uXXXX` with surrogates paired (a lone one is an
//! error); control characters may not appear raw in strings; containers nest
//! at most 127 deep; nothing but whitespace may follow the value. Numbers
//! other than plain integers below 10^19 are read by serde_json itself.

use std::borrow::Cow;
use std::fmt;

use serde_json::Number;

use super::json_doc::{Builder, Node};

/// The text is not one JSON value (or not UTF-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotJson;

impl fmt::Display for NotJson {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("not a JSON text")
    }
}

impl std::error::Error for NotJson {}

type Scan<T> = Result<T, NotJson>;

/// serde_json's recursion budget: a container entered with 1 left fails.
const DEPTH_BUDGET: u8 = 128;

pub(super) struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// The text holds a byte below 0x20 somewhere (then each string is checked).
    has_controls: bool,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(text: &'a str) -> Scanner<'a> {
        Scanner {
            text,
            bytes: text.as_bytes(),
            at: 0,
            has_controls: has_control(text.as_bytes()),
        }
    }

    /// The whole text as one value, whitespace around it allowed.
    pub(super) fn document(mut self, builder: &mut Builder<'a>) -> Scan<Node<'a>> {
        let root = self.value(builder, DEPTH_BUDGET)?;
        self.skip_whitespace();
        if self.at == self.bytes.len() {
            Ok(root)
        } else {
            Err(NotJson)
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Skips whitespace, then takes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_whitespace();
        if self.peek() == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, builder: &mut Builder<'a>, budget: u8) -> Scan<Node<'a>> {
        self.skip_whitespace();
        match self.peek().ok_or(NotJson)? {
            b'"' => {
                self.at += 1;
                Ok(Node::Str(self.string()?))
            }
            b'{' => self.object(builder, budget - 1),
            b'[' => self.array(builder, budget - 1),
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal(b"true", Node::Bool(true)),
            b'f' => self.literal(b"false", Node::Bool(false)),
            b'n' => self.literal(b"null", Node::Null),
            _ => Err(NotJson),
        }
    }

    fn literal(&mut self, word: &[u8], node: Node<'a>) -> Scan<Node<'a>> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(node)
        } else {
            Err(NotJson)
        }
    }

    /// After `{`.
    fn object(&mut self, builder: &mut Builder<'a>, budget: u8) -> Scan<Node<'a>> {
        if budget == 0 {
            return Err(NotJson);
        }
        self.at += 1;
        let (_, mark) = builder.marks();
        if !self.eat(b'}') {
            loop {
                if !self.eat(b'"') {
                    return Err(NotJson);
                }
                let key = self.string()?;
                if !self.eat(b':') {
                    return Err(NotJson);
                }
                let value = self.value(builder, budget)?;
                builder.push_entry(key, value);
                if self.eat(b',') {
                    continue;
                }
                if self.eat(b'}') {
                    break;
                }
                return Err(NotJson);
            }
        }
        Ok(builder.close_object(mark))
    }

    /// After `[`.
    fn array(&mut self, builder: &mut Builder<'a>, budget: u8) -> Scan<Node<'a>> {
        if budget == 0 {
            return Err(NotJson);
        }
        self.at += 1;
        let (mark, _) = builder.marks();
        if !self.eat(b']') {
            loop {
                let item = self.value(builder, budget)?;
                builder.push_item(item);
                if self.eat(b',') {
                    continue;
                }
                if self.eat(b']') {
                    break;
                }
                return Err(NotJson);
            }
        }
        Ok(builder.close_array(mark))
    }

    /// A string's contents, after its opening quote; borrowed when it has no escapes.
    fn string(&mut self) -> Scan<Cow<'a, str>> {
        let start = self.at;
        let rest = self.bytes.get(start..).ok_or(NotJson)?;
        let len = memchr::memchr2(b'"', b'\\', rest).ok_or(NotJson)?;
        if self.has_controls && has_control(&rest[..len]) {
            return Err(NotJson);
        }
        let end = start + len;
        if rest[len] == b'"' {
            self.at = end + 1;
            // Both ends sit at ASCII bytes of a valid `str`.
            return self.text.get(start..end).map(Cow::Borrowed).ok_or(NotJson);
        }
        self.escaped_string(start, end)
    }

    /// A string with escapes, from its start to its first backslash; decoded
    /// into an owned one. The runs between escapes are mostly short (JSON
    /// kept as text: `{\"code\":900421}`), so they are scanned byte by byte.
    fn escaped_string(&mut self, start: usize, backslash: usize) -> Scan<Cow<'a, str>> {
        let mut owned = String::with_capacity(self.raw_end(backslash) - start);
        owned.push_str(self.text.get(start..backslash).ok_or(NotJson)?);
        self.at = backslash;
        loop {
            // At a backslash.
            self.at += 1;
            self.escape(&mut owned)?;
            let from = self.at;
            let mut end = from;
            let closing = loop {
                match self.bytes.get(end) {
                    None => return Err(NotJson),
                    Some(b'"') => break true,
                    Some(b'\\') => break false,
                    Some(byte) if *byte < 0x20 => return Err(NotJson),
                    Some(_) => end += 1,
                }
            };
            owned.push_str(self.text.get(from..end).ok_or(NotJson)?);
            self.at = end;
            if closing {
                self.at += 1;
                return Ok(Cow::Owned(owned));
            }
        }
    }

    /// Where the string holding the backslash at `from` ends (its closing
    /// quote, or the end of the text): an upper bound of its decoded length.
    fn raw_end(&self, mut from: usize) -> usize {
        while let Some(&byte) = self.bytes.get(from) {
            match byte {
                b'"' => return from,
                b'\\' => from += 2,
                _ => from += 1,
            }
        }
        self.bytes.len()
    }

    /// One escape, after its backslash.
    fn escape(&mut self, out: &mut String) -> Scan<()> {
        let byte = self.peek().ok_or(NotJson)?;
        self.at += 1;
        out.push(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => self.unicode_escape()?,
            _ => return Err(NotJson),
        });
        Ok(())
    }

    /// `\uXXXX`, after its `u`; a leading surrogate must be followed by an
    /// escaped trailing one.
    fn unicode_escape(&mut self) -> Scan<char> {
        let first = self.hex4()?;
        let code = match first {
            0xDC00..=0xDFFF => return Err(NotJson),
            0xD800..=0xDBFF => {
                if !self.bytes[self.at..].starts_with(b"\\u") {
                    return Err(NotJson);
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(NotJson);
                }
                0x1_0000 + ((u32::from(first) - 0xD800) << 10) + (u32::from(second) - 0xDC00)
            }
            _ => u32::from(first),
        };
        char::from_u32(code).ok_or(NotJson)
    }

    fn hex4(&mut self) -> Scan<u16> {
        let digits = self.bytes.get(self.at..self.at + 4).ok_or(NotJson)?;
        let mut code = 0u16;
        for &digit in digits {
            let value = match digit {
                b'0'..=b'9' => digit - b'0',
                b'a'..=b'f' => digit - b'a' + 10,
                b'A'..=b'F' => digit - b'A' + 10,
                _ => return Err(NotJson),
            };
            code = (code << 4) | u16::from(value);
        }
        self.at += 4;
        Ok(code)
    }

    /// A number: plain integers below 10^19 read here, any other by serde_json.
    fn number(&mut self) -> Scan<Node<'a>> {
        let start = self.at;
        let rest = &self.bytes[start..];
        // Every byte a number may hold; any of them right after a complete
        // number is an error anyway, so the token can be taken greedily.
        let len = rest
            .iter()
            .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            .unwrap_or(rest.len());
        let token = &rest[..len];
        self.at = start + len;
        let plain =
            len <= 19 && (len == 1 || token[0] != b'0') && token.iter().all(u8::is_ascii_digit);
        let number = if plain {
            let value = token.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
            Number::from(value)
        } else {
            serde_json::from_slice::<Number>(token).map_err(|_| NotJson)?
        };
        Ok(Node::Number(number))
    }
}

/// True when `bytes` holds a byte below 0x20, tested a word at a time.
fn has_control(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::MAX / 255;
    let mut words = bytes.chunks_exact(8);
    let mut found = 0u64;
    for word in &mut words {
        let mut chunk = [0u8; 8];
        chunk.copy_from_slice(word);
        let word = u64::from_le_bytes(chunk);
        // A high bit set for (at least) every byte below 0x20.
        found |= word.wrapping_sub(ONES * 0x20) & !word;
    }
    found & (ONES << 7) != 0 || words.remainder().iter().any(|b| *b < 0x20)
}
