//! No output, message or log line ever holds a token or secret from the
//! inputs: every bearer token and every planted secret of the sample corpus
//! and the fixtures (access and text logs included: `Authorization: Bearer`
//! dumps, `refresh_token=` and `password=` in query strings, referers,
//! cookies and messages) is searched for in every output file (Parquet cells
//! read back with polars), and in what the binary prints.

mod common;

use std::io::Read;
use std::path::Path;

use common::scan;

/// Every file below `dir`, decompressed where gzip.
fn input_texts(dir: &Path) -> Vec<String> {
    let mut texts = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("dir") {
                stack.push(entry.expect("entry").path());
            }
            continue;
        }
        let raw = std::fs::read(&path).expect("read");
        let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .expect("gunzip");
            out
        } else {
            raw
        };
        texts.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    texts
}

/// Bearer tokens (JWT or opaque) and the planted non-bearer secrets.
fn secrets() -> Vec<String> {
    let root = common::root();
    let bearer = regex::Regex::new(r#"(?i)bearer\s+([A-Za-z0-9._~+/=-]{16,})"#).expect("regex");
    let jwt = regex::Regex::new(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}(\.[A-Za-z0-9_-]*)*")
        .expect("regex");
    // Secrets written as `key=value` or `key: value` in access logs (query
    // strings, referers, cookies) and text logs.
    let assigned = regex::Regex::new(
        r#"(?i)(refresh_token|client_secret|password|session)["']?\s*[=:]\s*["']?([^&\s"',;+]{8,})"#,
    )
    .expect("regex");
    let mut found = Vec::new();
    for dir in ["sample-data/logs", "tests/fixtures"] {
        for text in input_texts(&root.join(dir)) {
            found.extend(bearer.captures_iter(&text).map(|c| c[1].to_string()));
            found.extend(jwt.find_iter(&text).map(|m| m.as_str().to_string()));
            found.extend(assigned.captures_iter(&text).map(|c| c[2].to_string()));
        }
    }
    // Refresh tokens, client secrets, passwords and the access and refresh
    // tokens of logged token responses (some opaque, not JWT-shaped).
    for list in [
        "sample-data/planted-secrets.txt",
        "tests/fixture-secrets.txt",
    ] {
        let planted = std::fs::read_to_string(root.join(list)).expect("planted");
        found.extend(
            planted
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string),
        );
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn no_token_or_secret_reaches_any_output() {
    let secrets = secrets();
    assert!(
        secrets.len() > 100,
        "the corpus plants many secrets: {}",
        secrets.len()
    );
    for planted in [
        "0.AXoAFixtureRefreshTokenTextLog-5s9d8f7g6h5j4k3l2",
        "Fixture-Passw0rd-TextLog!",
        "CookieSecret0123456789",
    ] {
        assert!(
            secrets.iter().any(|s| s == planted),
            "the access and text log fixtures' secrets are searched for"
        );
    }
    let out = tempfile::tempdir().expect("tempdir");
    let run = scan(&["sample-data", "tests/fixtures"], out.path(), &[], 3);
    let haystacks = common::run_texts(out.path(), &run);
    assert!(haystacks.len() >= 9, "stdout, stderr and the seven outputs");
    for (name, text) in &haystacks {
        assert!(!text.contains("eyJ"), "{name} holds something JWT-shaped");
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{name} holds a secret from the inputs"
            );
        }
    }
}
