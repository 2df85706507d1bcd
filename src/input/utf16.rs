//! UTF-16 text (PowerShell's `Out-File` default, Windows exports) read as
//! UTF-8, so such logs are read rather than skipped. Unpaired surrogates
//! become U+FFFD; the byte-order mark is dropped.

use std::io::{self, Read};

/// Which byte order a UTF-16 byte-order mark announces, if `head` starts with one.
pub fn utf16_bom(head: &[u8]) -> Option<bool> {
    if head.starts_with(b"\xFF\xFE") {
        Some(true)
    } else if head.starts_with(b"\xFE\xFF") {
        Some(false)
    } else {
        None
    }
}

/// Transcodes a UTF-16 stream (starting at its byte-order mark) to UTF-8.
pub struct Utf16Reader<R> {
    inner: R,
    little_endian: Option<bool>,
    raw: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    done: bool,
}

impl<R: Read> Utf16Reader<R> {
    pub fn new(inner: R) -> Self {
        Utf16Reader {
            inner,
            little_endian: None,
            raw: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            done: false,
        }
    }

    /// Decodes the next block of input into `out`.
    fn refill(&mut self) -> io::Result<()> {
        let mut buf = [0u8; 64 * 1024];
        let n = loop {
            match self.inner.read(&mut buf) {
                Ok(n) => break n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        };
        self.raw.extend_from_slice(&buf[..n]);
        if n == 0 {
            self.done = true;
        }
        if self.little_endian.is_none() {
            if self.raw.len() < 2 && !self.done {
                return Ok(());
            }
            self.little_endian = Some(utf16_bom(&self.raw).unwrap_or(true));
            if utf16_bom(&self.raw).is_some() {
                self.raw.drain(..2);
            }
        }
        let little = self.little_endian.unwrap_or(true);
        // Keep a trailing odd byte and a trailing high surrogate for the next block.
        let mut usable = self.raw.len() & !1;
        if !self.done && usable >= 2 {
            let last = &self.raw[usable - 2..usable];
            let unit = if little {
                u16::from_le_bytes([last[0], last[1]])
            } else {
                u16::from_be_bytes([last[0], last[1]])
            };
            if (0xD800..0xDC00).contains(&unit) {
                usable -= 2;
            }
        }
        let units = self.raw[..usable].chunks_exact(2).map(|p| {
            if little {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        self.out.clear();
        self.out_pos = 0;
        let mut utf8 = [0u8; 4];
        for c in char::decode_utf16(units) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            self.out
                .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
        self.raw.drain(..usable);
        if self.done && !self.raw.is_empty() {
            // A lone trailing byte: not a whole code unit.
            self.out.extend_from_slice("\u{FFFD}".as_bytes());
            self.raw.clear();
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos >= self.out.len() {
            if self.done {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &str, little: bool) -> Vec<u8> {
        let mut out = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            out.extend_from_slice(&if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    }

    /// Reads in 1-byte steps from the source to cross every boundary.
    struct Trickle(Vec<u8>, usize);
    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.1 >= self.0.len() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.0[self.1];
            self.1 += 1;
            Ok(1)
        }
    }

    #[test]
    fn transcodes_both_byte_orders_across_boundaries() {
        let text = "{\"url\":\"https://api.partnercenter.microsoft.com/v1/customers\",\"who\":\"Zoë 😀\"}\r\n";
        for little in [true, false] {
            let mut out = String::new();
            Utf16Reader::new(Trickle(encode(text, little), 0))
                .read_to_string(&mut out)
                .expect("read");
            assert_eq!(out, text);
            let mut out = String::new();
            Utf16Reader::new(&encode(text, little)[..])
                .read_to_string(&mut out)
                .expect("read");
            assert_eq!(out, text);
        }
        assert_eq!(utf16_bom(b"{\"a\":1}"), None);
    }

    #[test]
    fn broken_units_become_replacement_characters() {
        let mut bytes = vec![0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0, b'c'];
        let mut out = String::new();
        Utf16Reader::new(&bytes[..])
            .read_to_string(&mut out)
            .expect("read");
        assert_eq!(out, "a\u{FFFD}b\u{FFFD}");
        bytes.clear();
    }
}
