//! The scanner behind [`super::json_doc::Doc`]: one pass over a JSON text
//! already known to be UTF-8, accepting exactly what serde_json accepts.
//!
//! serde_json checks each string's bytes for UTF-8 and for quotes,
//! backslashes and control characters one 8-byte word at a time; here the
//! text is validated as UTF-8 once as a whole, and each run of string
//! contents (a gateway line's longest is the ~1 KB bearer token) is searched
//! for its first quote, backslash or control character sixteen bytes per
//! step ([`string_stop`]). The grammar follows
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
pub(super) const DEPTH_BUDGET: u8 = 128;

/// What [`Scanner::step`] met.
pub(super) enum Step<'a> {
    Leaf(Node<'a>),
    /// Its `{` taken.
    Object,
    /// Its `[` taken.
    Array,
}

pub(super) struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(text: &'a str) -> Scanner<'a> {
        Scanner {
            text,
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    /// The whole text as one value, whitespace around it allowed.
    pub(super) fn document(mut self, builder: &mut Builder<'a>) -> Scan<Node<'a>> {
        let root = self.value(builder, DEPTH_BUDGET)?;
        self.end()?;
        Ok(root)
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
            b'{' => self.object(builder, budget - 1),
            b'[' => self.array(builder, budget - 1),
            _ => self.leaf(),
        }
    }

    /// A string, number, `true`, `false` or `null`, after whitespace.
    fn leaf(&mut self) -> Scan<Node<'a>> {
        match self.peek().ok_or(NotJson)? {
            b'"' => {
                self.at += 1;
                Ok(Node::Str(self.string()?))
            }
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

    /// Skips whitespace and looks at the byte that starts the next value.
    pub(super) fn peek_value(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.peek()
    }

    /// The next value if it is a leaf ([`Step::Leaf`]); a container's opening
    /// byte is taken and its kind returned, for the caller to walk (counting
    /// its depth budget as [`Scanner::value`] does).
    pub(super) fn step(&mut self) -> Scan<Step<'a>> {
        self.skip_whitespace();
        match self.peek().ok_or(NotJson)? {
            b'{' => {
                self.at += 1;
                Ok(Step::Object)
            }
            b'[' => {
                self.at += 1;
                Ok(Step::Array)
            }
            _ => self.leaf().map(Step::Leaf),
        }
    }

    /// In an object just opened: its first key (`None` for `{}`).
    pub(super) fn first_key(&mut self) -> Scan<Option<Cow<'a, str>>> {
        if self.eat(b'}') {
            return Ok(None);
        }
        self.key().map(Some)
    }

    /// In an object after a value: its next key (`None` at its end).
    pub(super) fn next_key(&mut self) -> Scan<Option<Cow<'a, str>>> {
        if self.eat(b',') {
            return self.key().map(Some);
        }
        if self.eat(b'}') {
            return Ok(None);
        }
        Err(NotJson)
    }

    /// `"key":`
    fn key(&mut self) -> Scan<Cow<'a, str>> {
        if !self.eat(b'"') {
            return Err(NotJson);
        }
        let key = self.string()?;
        if !self.eat(b':') {
            return Err(NotJson);
        }
        Ok(key)
    }

    /// In an array just opened: whether an item follows (`false` for `[]`).
    pub(super) fn first_item(&mut self) -> bool {
        !self.eat(b']')
    }

    /// In an array after an item: whether another follows.
    pub(super) fn next_item(&mut self) -> Scan<bool> {
        if self.eat(b',') {
            return Ok(true);
        }
        if self.eat(b']') {
            return Ok(false);
        }
        Err(NotJson)
    }

    /// The next value read whole into `builder` (a container inside a walk).
    pub(super) fn value_into(&mut self, builder: &mut Builder<'a>, budget: u8) -> Scan<Node<'a>> {
        self.value(builder, budget)
    }

    /// Checks that the whole text is one JSON value, building nothing.
    pub(super) fn check_document(mut self) -> Scan<()> {
        self.skip_value(DEPTH_BUDGET)?;
        self.end()
    }

    /// Steps over one value, with `budget` as [`Scanner::value`] counts it.
    fn skip_value(&mut self, budget: u8) -> Scan<()> {
        self.skip_whitespace();
        match self.peek().ok_or(NotJson)? {
            b'{' => {
                let budget = budget - 1;
                if budget == 0 {
                    return Err(NotJson);
                }
                self.at += 1;
                let mut next = self.first_key()?;
                while next.is_some() {
                    self.skip_value(budget)?;
                    next = self.next_key()?;
                }
                Ok(())
            }
            b'[' => {
                let budget = budget - 1;
                if budget == 0 {
                    return Err(NotJson);
                }
                self.at += 1;
                if self.first_item() {
                    self.skip_value(budget)?;
                    while self.next_item()? {
                        self.skip_value(budget)?;
                    }
                }
                Ok(())
            }
            _ => self.leaf().map(drop),
        }
    }

    /// Nothing but whitespace is left.
    pub(super) fn end(&mut self) -> Scan<()> {
        self.skip_whitespace();
        if self.at == self.bytes.len() {
            Ok(())
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
        let mut next = self.first_key()?;
        while let Some(key) = next {
            let value = self.value(builder, budget)?;
            builder.push_entry(key, value);
            next = self.next_key()?;
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
        let mut more = self.first_item();
        while more {
            let item = self.value(builder, budget)?;
            builder.push_item(item);
            more = self.next_item()?;
        }
        Ok(builder.close_array(mark))
    }

    /// A string's contents, after its opening quote; borrowed when it has no escapes.
    fn string(&mut self) -> Scan<Cow<'a, str>> {
        let start = self.at;
        let rest = self.bytes.get(start..).ok_or(NotJson)?;
        let len = string_stop(rest).ok_or(NotJson)?;
        let end = start + len;
        match rest[len] {
            b'"' => {
                self.at = end + 1;
                // Both ends sit at ASCII bytes of a valid `str`.
                self.text.get(start..end).map(Cow::Borrowed).ok_or(NotJson)
            }
            b'\\' => self.escaped_string(start, end),
            _ => Err(NotJson),
        }
    }

    /// A string with escapes, from its start to its first backslash; decoded
    /// into an owned one.
    fn escaped_string(&mut self, start: usize, backslash: usize) -> Scan<Cow<'a, str>> {
        let mut owned = String::with_capacity(self.raw_end(backslash) - start);
        owned.push_str(self.text.get(start..backslash).ok_or(NotJson)?);
        self.at = backslash;
        loop {
            // At a backslash.
            self.at += 1;
            self.escape(&mut owned)?;
            let from = self.at;
            let rest = self.bytes.get(from..).ok_or(NotJson)?;
            let end = from + string_stop(rest).ok_or(NotJson)?;
            owned.push_str(self.text.get(from..end).ok_or(NotJson)?);
            self.at = end;
            match self.bytes[end] {
                b'"' => {
                    self.at += 1;
                    return Ok(Cow::Owned(owned));
                }
                b'\\' => {}
                _ => return Err(NotJson),
            }
        }
    }

    /// Where the string holding the backslash at `from` ends (its closing
    /// quote, or the end of the text): an upper bound of its decoded length.
    fn raw_end(&self, mut from: usize) -> usize {
        while let Some(stop) = self.bytes.get(from..).and_then(string_stop) {
            from += stop;
            match self.bytes[from] {
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

/// The first byte of `bytes` that ends a run of string contents: a quote, a
/// backslash or a control character (below 0x20, an error in a string).
fn string_stop(bytes: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of the x86_64 baseline, so every x86_64 CPU has it.
    let (found, at) = unsafe { string_stop_sse2(bytes) };
    #[cfg(not(target_arch = "x86_64"))]
    let (found, at) = (None, 0);
    found.or_else(|| {
        bytes[at..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .map(|i| at + i)
    })
}

/// [`string_stop`] sixteen bytes per step: the stop if found, else where the
/// bytes too few for a step begin.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn string_stop_sse2(bytes: &[u8]) -> (Option<usize>, usize) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    let quote = _mm_set1_epi8(b'"' as i8);
    let backslash = _mm_set1_epi8(b'\\' as i8);
    let highest_control = _mm_set1_epi8(0x1f);
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 16) {
        // SAFETY: `chunk` holds 16 readable bytes; the load is unaligned.
        let chunk = unsafe { _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>()) };
        // Unsigned `byte <= 0x1f`.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(chunk, highest_control), chunk);
        let quote_or_backslash = _mm_or_si128(
            _mm_cmpeq_epi8(chunk, quote),
            _mm_cmpeq_epi8(chunk, backslash),
        );
        let mask = _mm_movemask_epi8(_mm_or_si128(quote_or_backslash, control)) as u32;
        if mask != 0 {
            return (Some(at + mask.trailing_zeros() as usize), at);
        }
        at += 16;
    }
    (None, at)
}

#[cfg(test)]
mod string_stop_tests {
    use super::string_stop;

    /// The plain definition, byte by byte.
    fn reference(bytes: &[u8]) -> Option<usize> {
        bytes
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
    }

    #[test]
    fn finds_the_first_stop_at_every_position_and_length() {
        let filler = "aé€Z9 {}:,~\u{7f}".as_bytes();
        for len in 0..70 {
            let plain: Vec<u8> = filler.iter().copied().cycle().take(len).collect();
            assert_eq!(string_stop(&plain), None, "len {len}");
            for at in 0..len {
                for stop in [b'"', b'\\', 0x00, 0x1f, b'\n', b'\t'] {
                    let mut bytes = plain.clone();
                    bytes[at] = stop;
                    assert_eq!(string_stop(&bytes), reference(&bytes), "{len} {at} {stop}");
                    // A second stop later never wins over the first.
                    if at + 3 < len {
                        bytes[at + 3] = b'"';
                        assert_eq!(string_stop(&bytes), Some(at));
                    }
                }
            }
        }
        // Bytes at and above 0x80 (UTF-8 continuation and lead bytes) are contents.
        let high: Vec<u8> = (0x20..=0xff)
            .filter(|b| *b != b'"' && *b != b'\\')
            .collect();
        assert_eq!(string_stop(&high), None);
        assert_eq!(string_stop(b"0123456789abcdef\x1f"), Some(16));
    }
}
