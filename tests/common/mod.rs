//! Helpers shared by the integration tests: run the binary, read outputs.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `pcmfa ARGS` from the repository root.
pub fn pcmfa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pcmfa"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run pcmfa")
}

/// Runs `pcmfa scan INPUTS --out OUT EXTRA...`, asserting the exit code.
pub fn scan(inputs: &[&str], out: &Path, extra: &[&str], expected_code: i32) -> Output {
    let out_arg = out.display().to_string();
    let mut args = vec!["scan"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["--out", &out_arg]);
    args.extend_from_slice(extra);
    let output = pcmfa(&args);
    assert_eq!(
        output.status.code(),
        Some(expected_code),
        "pcmfa {args:?}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_no_token_shapes(out, &output);
    output
}

/// Every run of every test: nothing JWT-shaped in any output file (Parquet
/// cells included) or in what the binary printed.
pub fn assert_no_token_shapes(out: &Path, output: &Output) {
    let jwt = regex::Regex::new(r"eyJ[A-Za-z0-9_-]{4,}").expect("regex");
    for (name, text) in run_texts(out, output) {
        assert!(!jwt.is_match(&text), "{name} holds a token-shaped string");
    }
}

/// What a run printed and every file it wrote, as (name, text): Parquet as
/// its string cells (lists flattened), other files as UTF-8 (lossy).
pub fn run_texts(out: &Path, output: &Output) -> Vec<(String, String)> {
    let mut texts = vec![
        (
            "stdout".to_string(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ),
        (
            "stderr".to_string(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ),
    ];
    if let Ok(entries) = std::fs::read_dir(out) {
        for entry in entries.filter_map(|e| e.ok()) {
            let path = entry.path();
            let name = path.display().to_string();
            if name.ends_with(".parquet") {
                texts.push((name, analyst::string_cells(&path).join("\n")));
            } else if let Ok(bytes) = std::fs::read(&path) {
                texts.push((name, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    texts
}

/// Rows of a CSV file as maps from column to value.
pub fn read_csv(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().expect("headers").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("csv row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// summary.json as JSON.
pub fn read_summary(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("summary.json is JSON")
}

/// Every output file the contract promises.
pub const CONTRACT_FILES: &[&str] = &[
    "calls.parquet",
    "integrations.csv",
    "integrations.parquet",
    "operations.csv",
    "daily.csv",
    "rejects.csv",
    "report.html",
    "report.md",
    "summary.json",
];
pub mod analyst;
pub mod png;
