//! The accounting of the runs a roll-up reads, summed from their
//! `summary.json` files.
//!
//! A roll-up sees calls only; how many files and records the source runs
//! read, and how many they rejected, is in their summaries. Summing those
//! keeps the original accounting visible in the report's `summary.json`
//! (under `rollup.sources`), for the whole source runs: `--since` / `--until`
//! narrow the calls, not these counts.

use std::path::PathBuf;

use crate::output::summary::{Accounting, InputTotals, SourceTotals, UnreadableInput};

/// Reads and sums the summaries (files pcmfa wrote: `inputs` and
/// `accounting` objects of unsigned counts).
pub fn sum_sources(paths: &[PathBuf]) -> SourceTotals {
    let mut totals = SourceTotals::default();
    for path in paths {
        match read_one(path) {
            Ok((inputs, accounting)) => {
                totals.runs += 1;
                let i = &mut totals.inputs;
                i.files += inputs.files;
                i.bytes += inputs.bytes;
                i.records += inputs.records;
                i.unreadable += inputs.unreadable;
                i.skipped += inputs.skipped;
                let a = &mut totals.accounting;
                a.records += accounting.records;
                a.partner_center += accounting.partner_center;
                a.other += accounting.other;
                a.rejected += accounting.rejected;
            }
            Err(reason) => totals.unreadable.push(UnreadableInput {
                path: path.display().to_string(),
                reason,
            }),
        }
    }
    let a = &mut totals.accounting;
    a.holds = a.records == a.partner_center + a.other + a.rejected;
    totals
}

fn read_one(path: &PathBuf) -> Result<(InputTotals, Accounting), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let count = |section: &str, key: &str| -> Result<u64, String> {
        json[section][key]
            .as_u64()
            .ok_or_else(|| format!("no `{section}.{key}` count: not a pcmfa summary"))
    };
    Ok((
        InputTotals {
            files: count("inputs", "files")?,
            bytes: count("inputs", "bytes")?,
            records: count("inputs", "records")?,
            unreadable: count("inputs", "unreadable")?,
            skipped: count("inputs", "skipped")?,
        },
        Accounting {
            records: count("accounting", "records")?,
            partner_center: count("accounting", "partner_center")?,
            other: count("accounting", "other")?,
            rejected: count("accounting", "rejected")?,
            holds: false,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_summaries_and_lists_the_bad_ones() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let run = |records: u64, pc: u64, other: u64, rejected: u64| {
            format!(
                r#"{{"inputs":{{"files":2,"bytes":100,"records":{records},"unreadable":0,"skipped":1}},
                   "accounting":{{"records":{records},"partner_center":{pc},"other":{other},"rejected":{rejected},"holds":true}}}}"#
            )
        };
        let paths = [
            write("a.json", &run(10, 6, 3, 1)),
            write("b.json", &run(5, 5, 0, 0)),
            write("c.json", "{\"inputs\":{}}"),
            write("d.json", "not json"),
        ];
        let totals = sum_sources(&paths);
        assert_eq!(totals.runs, 2);
        assert_eq!(totals.inputs.files, 4);
        assert_eq!(totals.inputs.skipped, 2);
        assert_eq!(totals.accounting.records, 15);
        assert_eq!(totals.accounting.partner_center, 11);
        assert_eq!(totals.accounting.rejected, 1);
        assert!(totals.accounting.holds);
        assert_eq!(totals.unreadable.len(), 2);
        assert!(totals.unreadable[0].reason.contains("inputs.files"));
    }
}
