//! The first bytes of an input: read once to recognise its format, then
//! replayed in front of the rest of the stream. A UTF-16 input is switched
//! to a UTF-8 transcoder and its head read again, so formats only ever see
//! UTF-8. The scan and `sniff` both start every input here.

use std::io::{self, Cursor, Read};

use super::{utf16_bom, Utf16Reader};

/// How many bytes format recognition looks at.
pub const HEAD_BYTES: usize = 64 * 1024;

/// An input's first bytes, and the read error that cut them short, if any.
pub struct Head {
    pub bytes: Vec<u8>,
    pub error: Option<io::Error>,
    /// The input was UTF-16; `reader` now yields it as UTF-8.
    pub utf16: bool,
}

/// Reads the head of `reader`; a UTF-16 input is transcoded from here on.
pub fn read_head(reader: &mut Box<dyn Read + Send>) -> Head {
    let (bytes, error) = read_up_to(reader, HEAD_BYTES);
    if utf16_bom(&bytes).is_none() || error.is_some() {
        return Head {
            bytes,
            error,
            utf16: false,
        };
    }
    let raw = std::mem::replace(reader, Box::new(io::empty()));
    *reader = Box::new(Utf16Reader::new(Cursor::new(bytes).chain(raw)));
    let (bytes, error) = read_up_to(reader, HEAD_BYTES);
    Head {
        bytes,
        error,
        utf16: true,
    }
}

/// The whole stream again: the head's bytes, then the rest of `reader`, or
/// the error that cut the head short.
pub fn replay(head: Head, reader: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
    let bytes = Cursor::new(head.bytes);
    match head.error {
        Some(err) => Box::new(bytes.chain(Failing(Some(err)))),
        None => Box::new(bytes.chain(reader)),
    }
}

/// Reads up to `limit` bytes; on an error, keeps the bytes read before it.
fn read_up_to(reader: &mut dyn Read, limit: usize) -> (Vec<u8>, Option<io::Error>) {
    let mut bytes = Vec::with_capacity(limit);
    match reader.take(limit as u64).read_to_end(&mut bytes) {
        Ok(_) => (bytes, None),
        Err(err) => (bytes, Some(err)),
    }
}

/// Stands in for a reader whose error came while reading the head.
struct Failing(Option<io::Error>);

impl Read for Failing {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        self.0.take().map_or(Ok(0), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::test_readers::FailAfter;

    #[test]
    fn replay_gives_back_every_byte() {
        let data: Vec<u8> = (0..HEAD_BYTES * 2 + 7).map(|i| i as u8).collect();
        let mut reader: Box<dyn Read + Send> = Box::new(Cursor::new(data.clone()));
        let head = read_head(&mut reader);
        assert_eq!(head.bytes.len(), HEAD_BYTES);
        let mut all = Vec::new();
        replay(head, reader).read_to_end(&mut all).expect("read");
        assert_eq!(all, data);
    }

    #[test]
    fn an_error_in_the_head_comes_after_its_bytes() {
        let mut reader: Box<dyn Read + Send> = Box::new(FailAfter(b"abc"));
        let head = read_head(&mut reader);
        assert_eq!(head.bytes, b"abc");
        assert!(head.error.is_some());
        let mut stream = replay(head, reader);
        let mut all = Vec::new();
        assert!(stream.read_to_end(&mut all).is_err());
        assert_eq!(all, b"abc");
    }

    #[test]
    fn utf16_is_transcoded_from_the_head_on() {
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "{\"a\":1}\n".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let mut reader: Box<dyn Read + Send> = Box::new(Cursor::new(utf16));
        let head = read_head(&mut reader);
        assert!(head.utf16);
        let mut all = Vec::new();
        replay(head, reader).read_to_end(&mut all).expect("read");
        assert_eq!(all, b"{\"a\":1}\n");
    }
}
