//! Files that are not logs: images, documents, archives, databases, binaries.
//!
//! A folder handed to pcmfa often holds screenshots, zipped exports and other
//! tools' files next to the logs. They are recognised from their first bytes
//! (after gzip or zstd is undone) and skipped with a reason that says what
//! they are, instead of being read line by line into rejects. The check runs
//! even when `--format` forces a format: no format reads a PNG.

/// Magic bytes at the start of a file, and what they mean.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xFF\xD8\xFF", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", ZIP),
    (b"PK\x05\x06", ZIP),
    (b"PK\x07\x08", ZIP),
    (
        b"7z\xBC\xAF\x27\x1C",
        "7z archives are not read; extract them first",
    ),
    (
        b"Rar!\x1A\x07",
        "RAR archives are not read; extract them first",
    ),
    (
        b"\xFD7zXZ\x00",
        "xz is not read; decompress it first (gzip and zstd are read)",
    ),
    (
        b"\x04\x22\x4D\x18",
        "lz4 is not read; decompress it first (gzip and zstd are read)",
    ),
    (b"PAR1", "Parquet file (pcmfa reads logs, not reports)"),
    (b"SQLite format 3\x00", "SQLite database"),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "Microsoft Office (OLE) document",
    ),
    (
        b"ElfFile\x00",
        "Windows event log (.evtx): export it as JSON or CSV first",
    ),
    (b"\x7FELF", "executable"),
];

/// The reason given for zip archives (and what is zip inside: xlsx, docx).
pub const ZIP: &str = "zip archives are not read; extract them first";

/// Bytes sampled for the share of control characters.
const SAMPLE: usize = 4096;

/// What a file's first bytes say it is, when that is not a log.
pub fn not_a_log(head: &[u8]) -> Option<&'static str> {
    if let Some((_, what)) = MAGIC.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Some(what);
    }
    if head.get(257..262) == Some(b"ustar") {
        return Some("tar archives are not read; extract them first");
    }
    if head.starts_with(b"BZh") && head.get(3).is_some_and(u8::is_ascii_digit) {
        return Some("bzip2 is not read; decompress it first (gzip and zstd are read)");
    }
    if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return Some("WebP image");
    }
    if head.get(4..8) == Some(b"ftyp") {
        return Some("video or HEIC image");
    }
    if is_binary(head) {
        return Some("binary content");
    }
    None
}

/// NUL bytes in the first line, or control characters in more than one
/// byte in twenty of the first [`SAMPLE`] bytes. One broken line further
/// down a log is a reject, not a reason to skip the file.
fn is_binary(head: &[u8]) -> bool {
    let first_line = &head[..memchr::memchr(b'\n', head).unwrap_or(head.len()).min(8192)];
    if first_line.contains(&0) {
        return true;
    }
    let sample = &head[..head.len().min(SAMPLE)];
    let control = sample
        .iter()
        .filter(|b| matches!(b, 0..=8 | 0x0E..=0x1A | 0x1C..=0x1F | 0x7F))
        .count();
    control * 20 > sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_what_is_not_a_log() {
        let mut tar = vec![0u8; 512];
        tar[..11].copy_from_slice(b"gateway.log");
        tar[257..263].copy_from_slice(b"ustar\0");
        let mut webp = b"RIFF\x10\x00\x00\x00WEBPVP8 ".to_vec();
        webp.extend_from_slice(&[0x20; 16]);
        // Deterministic noise: a linear congruential generator, no NUL first.
        let mut state = 0x2545_F491u32;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 24) as u8 | 1
            })
            .collect();
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            (
                "png",
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
                "PNG image",
            ),
            ("jpeg", b"\xFF\xD8\xFF\xE0\0\x10JFIF".to_vec(), "JPEG image"),
            ("gif", b"GIF89a\x01\0\x01\0".to_vec(), "GIF image"),
            (
                "pdf",
                b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(),
                "PDF document",
            ),
            ("zip", b"PK\x03\x04\x14\0\0\0\x08\0".to_vec(), ZIP),
            ("empty zip", b"PK\x05\x06\0\0\0\0".to_vec(), ZIP),
            ("tar", tar, "tar archives are not read; extract them first"),
            (
                "7z",
                b"7z\xBC\xAF\x27\x1C\0\x04".to_vec(),
                "7z archives are not read; extract them first",
            ),
            (
                "bzip2",
                b"BZh91AY&SY".to_vec(),
                "bzip2 is not read; decompress it first (gzip and zstd are read)",
            ),
            ("webp", webp, "WebP image"),
            (
                "parquet",
                b"PAR1\x15\x04".to_vec(),
                "Parquet file (pcmfa reads logs, not reports)",
            ),
            (
                "sqlite",
                b"SQLite format 3\0\x10\0".to_vec(),
                "SQLite database",
            ),
            (
                "evtx",
                b"ElfFile\0\0\0".to_vec(),
                "Windows event log (.evtx): export it as JSON or CSV first",
            ),
            ("noise", noise, "binary content"),
            (
                "NUL in the first line",
                b"{\"a\":1}\0\0\x01\n".to_vec(),
                "binary content",
            ),
        ];
        for (name, head, want) in cases {
            assert_eq!(not_a_log(&head), Some(want), "{name}");
        }
    }

    #[test]
    fn logs_are_not_mistaken_for_binaries() {
        let gateway = br#"{"@t":"2026-06-02T08:15:03Z","url":"https://api.partnercenter.microsoft.com/v1/customers","status":401}"#;
        let mut one_bad_line = gateway.to_vec();
        one_bad_line.extend_from_slice(b"\n{\"a\":\"\0\0\"}\n");
        one_bad_line.extend_from_slice(&gateway.repeat(3));
        let texts: Vec<(&str, Vec<u8>)> = vec![
            ("json line", gateway.to_vec()),
            ("a NUL further down", one_bad_line),
            (
                "csv",
                b"TimeGenerated [UTC],Target,ResultCode\n2026-06-02,x,401\n".to_vec(),
            ),
            (
                "ansi colours",
                b"\x1b[32mINFO\x1b[0m GET /v1/customers 200\r\n".to_vec(),
            ),
            (
                "latin-1",
                b"2026-06-02 Caf\xe9 GET /v1/customers 401\n".to_vec(),
            ),
            (
                "text starting like a magic",
                b"PK is the primary key\n".to_vec(),
            ),
            ("empty", Vec::new()),
        ];
        for (name, head) in texts {
            assert_eq!(not_a_log(&head), None, "{name}");
        }
    }
}
