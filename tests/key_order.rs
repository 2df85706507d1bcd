//! Gateway records are read while they are scanned, in the order their keys
//! were written; serde_json (and so every earlier reading) meets them sorted.
//! The same logs written with their keys in other orders must give the same
//! calls, field for field.

mod common;

use std::path::Path;

use polars::prelude::*;
use serde_json::Value;

use common::analyst::read_calls;

/// `value` as JSON text with every object's keys in `order`: sorted
/// (serde_json's `Map` order) or the reverse.
fn write_json(value: &Value, reversed: bool, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            if reversed {
                entries.reverse();
            }
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(key).expect("a key"));
                out.push(':');
                write_json(value, reversed, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, reversed, out);
            }
            out.push(']');
        }
        leaf => out.push_str(&serde_json::to_string(leaf).expect("a leaf")),
    }
}

/// The log's lines with their keys reordered (lines that are not JSON, or
/// not UTF-8, kept as they are).
fn reordered(log: &[u8], reversed: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for line in log.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        match serde_json::from_slice::<Value>(line) {
            Ok(value) => {
                let mut text = String::new();
                write_json(&value, reversed, &mut text);
                out.extend_from_slice(text.as_bytes());
            }
            Err(_) => out.extend_from_slice(line),
        }
        out.push(b'\n');
    }
    out
}

/// calls.parquet of `text` scanned as `name`, without the columns naming
/// where each row came from.
fn calls_of(dir: &Path, name: &str, text: &[u8]) -> DataFrame {
    let input = dir.join("in").join(name);
    std::fs::create_dir_all(input.parent().expect("a folder")).expect("mkdir");
    std::fs::write(&input, text).expect("write log");
    let out = dir.join("out");
    // The messy fixture's broken lines are rejected: a partial run.
    common::scan(
        &[input.to_str().expect("utf-8 path")],
        &out,
        &["--quiet", "--force"],
        3,
    );
    read_calls(&out)
        .drop("source_file")
        .expect("source_file column")
}

#[test]
fn key_order_changes_no_call() {
    let root = common::root();
    let mut log = Vec::new();
    for path in [
        "sample-data/logs/gateway/egress-gateway-2026-06-01_07.jsonl",
        "tests/fixtures/messy-gateway.jsonl",
    ] {
        log.extend(std::fs::read(root.join(path)).expect("read log"));
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let as_written = calls_of(&tmp.path().join("a"), "gw.jsonl", &log);
    assert!(as_written.height() > 100, "{} calls", as_written.height());
    for reversed in [false, true] {
        let other = calls_of(
            &tmp.path().join(format!("b{reversed}")),
            "gw.jsonl",
            &reordered(&log, reversed),
        );
        assert!(
            as_written.equals_missing(&other),
            "keys {} changed the calls:\n{as_written}\n{other}",
            if reversed { "reversed" } else { "sorted" }
        );
    }
    // Request and response both carry an `MS-RequestId`: the request's wins
    // (the first in sorted key order), whichever is written first.
    let column = as_written
        .column("request_id")
        .expect("request_id")
        .str()
        .expect("text")
        .clone();
    let request_ids: Vec<String> = (0..column.len())
        .filter_map(|row| column.get(row).map(str::to_string))
        .collect();
    assert!(request_ids
        .iter()
        .any(|id| id == "289bfdc5-215a-4ed6-9706-922de6ad8785"));
    assert!(!request_ids
        .iter()
        .any(|id| id == "81b1381c-9d6a-4010-8a29-697a68fb6234"));
}
