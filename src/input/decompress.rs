//! Opens an input and undoes gzip or zstd, recognised by magic bytes.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

use super::{InputFile, Source};

/// Compression recognised from the first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    fn sniff(magic: &[u8]) -> Compression {
        if magic.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// An opened input: its compression and a reader of plain bytes.
pub struct Opened {
    pub compression: Compression,
    pub reader: Box<dyn Read + Send>,
    /// An uncompressed regular file, with its size when opened: it can be
    /// read in ranges by several workers instead of through `reader`.
    pub plain_file: Option<(Arc<File>, u64)>,
}

/// Counts raw (on-disk) bytes as they are read, for progress and totals.
struct CountingReader<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Decompressed output may reach this many times the compressed input...
pub const MAX_DECOMPRESSION_RATIO: u64 = 1000;
/// ...once past this many bytes (small files may compress better).
const DECOMPRESSION_FLOOR: u64 = 256 << 20;

/// Stops a decompression bomb: fails once the output is both over
/// [`DECOMPRESSION_FLOOR`] and over [`MAX_DECOMPRESSION_RATIO`] times the
/// compressed bytes read. gzip cannot exceed about 1032:1; real logs
/// compress 5-50:1.
struct BombGuard<R> {
    inner: R,
    compressed: Arc<AtomicU64>,
    produced: u64,
}

impl<R: Read> Read for BombGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        let compressed = self.compressed.load(Ordering::Relaxed).max(1);
        if self.produced > DECOMPRESSION_FLOOR
            && self.produced / compressed > MAX_DECOMPRESSION_RATIO
        {
            return Err(io::Error::other(format!(
                "decompressed size passed {MAX_DECOMPRESSION_RATIO}:1 of the compressed size: stopped (decompression bomb?)"
            )));
        }
        Ok(n)
    }
}

/// Opens `input`, adding every raw byte read to `counter`. Concatenated gzip
/// members and multi-frame zstd are read to the end. A file is read up to
/// its size when opened, so a log that grows meanwhile gives a stable answer.
pub fn open(input: &InputFile, counter: Arc<AtomicU64>) -> io::Result<Opened> {
    let mut regular = None;
    let raw: Box<dyn Read + Send> = match &input.source {
        Source::Stdin => Box::new(io::stdin()),
        Source::File(path) => {
            let file = File::open(path)?;
            let metadata = file.metadata()?;
            let size = metadata.len();
            if metadata.is_file() {
                regular = file.try_clone().ok().map(|f| (Arc::new(f), size));
            }
            Box::new(file.take(size))
        }
    };
    let mut raw = CountingReader {
        inner: raw,
        counter: counter.clone(),
    };
    let mut magic = [0u8; 4];
    let mut have = 0;
    while have < magic.len() {
        match raw.read(&mut magic[have..]) {
            Ok(0) => break,
            Ok(n) => have += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    let head = magic[..have].to_vec();
    let compression = Compression::sniff(&head);
    let stream = Cursor::new(head).chain(raw);
    let reader: Box<dyn Read + Send> = match compression {
        Compression::None => Box::new(stream),
        Compression::Gzip => Box::new(BombGuard {
            inner: MultiGzDecoder::new(stream),
            compressed: counter,
            produced: 0,
        }),
        Compression::Zstd => Box::new(BombGuard {
            inner: zstd::stream::read::Decoder::new(stream)?,
            compressed: counter,
            produced: 0,
        }),
    };
    Ok(Opened {
        compression,
        reader,
        plain_file: regular.filter(|_| compression == Compression::None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn input_for(path: &std::path::Path) -> InputFile {
        InputFile {
            display: Arc::from(path.display().to_string()),
            source: Source::File(path.to_path_buf()),
            size: None,
        }
    }

    fn read_all(path: &std::path::Path) -> (Compression, io::Result<Vec<u8>>, u64) {
        let counter = Arc::new(AtomicU64::new(0));
        let mut opened = open(&input_for(path), counter.clone()).expect("open");
        let mut out = Vec::new();
        let result = opened.reader.read_to_end(&mut out).map(|_| out);
        (opened.compression, result, counter.load(Ordering::Relaxed))
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).expect("gzip");
        enc.finish().expect("gzip")
    }

    #[test]
    fn recognises_by_magic_not_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let plain = dir.path().join("a.gz");
        std::fs::write(&plain, b"{\"a\":1}\n").expect("write");
        let (c, data, raw) = read_all(&plain);
        assert_eq!(
            (c, data.expect("read"), raw),
            (Compression::None, b"{\"a\":1}\n".to_vec(), 8)
        );

        let gz = dir.path().join("b.log");
        let mut two = gzip(b"one\n");
        two.extend(gzip(b"two\n"));
        std::fs::write(&gz, &two).expect("write");
        let (c, data, raw) = read_all(&gz);
        assert_eq!(
            (c, data.expect("read")),
            (Compression::Gzip, b"one\ntwo\n".to_vec())
        );
        assert_eq!(raw, two.len() as u64);

        let zst = dir.path().join("c.txt");
        let mut frames = zstd::encode_all(&b"one\n"[..], 3).expect("zstd");
        frames.extend(zstd::encode_all(&b"two\n"[..], 3).expect("zstd"));
        std::fs::write(&zst, &frames).expect("write");
        let (c, data, _) = read_all(&zst);
        assert_eq!(
            (c, data.expect("read")),
            (Compression::Zstd, b"one\ntwo\n".to_vec())
        );
    }

    #[test]
    fn decompression_bombs_are_stopped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bomb.zst");
        // 1 GiB of zeros compresses to a few tens of KiB: far over 1000:1.
        let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 1).expect("zstd");
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..1024 {
            enc.write_all(&zeros).expect("write");
        }
        std::fs::write(&path, enc.finish().expect("zstd")).expect("write");
        let (c, data, _) = read_all(&path);
        assert_eq!(c, Compression::Zstd);
        let err = data.expect_err("a bomb is stopped");
        assert!(err.to_string().contains("decompression bomb"), "{err}");
    }

    #[test]
    fn a_growing_file_is_read_up_to_its_size_at_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("grow.jsonl");
        std::fs::write(&path, b"one\n").expect("write");
        let mut opened = open(&input_for(&path), Arc::new(AtomicU64::new(0))).expect("open");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("append")
            .write_all(b"two\n")
            .expect("grow");
        let mut out = Vec::new();
        opened.reader.read_to_end(&mut out).expect("read");
        assert_eq!(out, b"one\n");
    }

    #[test]
    fn truncated_gzip_is_an_error_after_the_good_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let body: Vec<u8> = (0..20_000)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let gz = gzip(&body);
        let path = dir.path().join("cut.gz");
        std::fs::write(&path, &gz[..gz.len() / 2]).expect("write");
        let counter = Arc::new(AtomicU64::new(0));
        let mut opened = open(&input_for(&path), counter).expect("open");
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        let err = loop {
            match opened.reader.read(&mut buf) {
                Ok(0) => panic!("truncated stream read to a clean end"),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(err) => break err,
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(body.starts_with(&out) && !out.is_empty());
    }
}
