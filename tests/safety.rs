//! Safety of the outputs themselves: pcmfa never writes into someone else's
//! folder, pseudonymises principals on request, fails on a flood of rejects,
//! and never leaves a partial file under a final name, even when killed.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{analyst, pcmfa, read_csv, read_summary, scan, CONTRACT_FILES};

#[test]
fn refuses_a_folder_holding_other_files_unless_forced() {
    let out = tempfile::tempdir().expect("tempdir");
    std::fs::write(out.path().join("budget.xlsx"), b"not ours").expect("write");
    let out_arg = out.path().display().to_string();
    let refused = pcmfa(&[
        "scan",
        "tests/fixtures/messy-gateway.jsonl",
        "--out",
        &out_arg,
    ]);
    assert_eq!(refused.status.code(), Some(1));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("budget.xlsx") && message.contains("--force"),
        "{message}"
    );
    assert!(!out.path().join("summary.json").exists());

    scan(
        &["tests/fixtures/messy-gateway.jsonl"],
        out.path(),
        &["--force"],
        3,
    );
    assert_eq!(
        std::fs::read(out.path().join("budget.xlsx")).expect("kept"),
        b"not ours"
    );
    // A later run into a folder holding only pcmfa's own files needs no --force.
    std::fs::remove_file(out.path().join("budget.xlsx")).expect("remove");
    scan(&["tests/fixtures/cut-export.json"], out.path(), &[], 3);
}

#[test]
fn redacted_principals_keep_counts_and_hide_names() {
    let plain = tempfile::tempdir().expect("tempdir");
    let redacted = tempfile::tempdir().expect("tempdir");
    let again = tempfile::tempdir().expect("tempdir");
    scan(&["sample-data/logs"], plain.path(), &[], 0);
    scan(
        &["sample-data/logs"],
        redacted.path(),
        &["--redact-principals", "--redact-key", "k3y"],
        0,
    );
    let env_run = Command::new(env!("CARGO_BIN_EXE_pcmfa"))
        .args(["scan", "sample-data/logs", "--redact-principals", "--out"])
        .arg(again.path())
        .env("PCMFA_REDACT_KEY", "k3y")
        .current_dir(common::root())
        .output()
        .expect("run");
    assert!(env_run.status.success());

    let principals = |dir: &std::path::Path| -> Vec<String> {
        let df = analyst::read_calls(dir);
        let col = df
            .column("principal")
            .expect("col")
            .str()
            .expect("str")
            .clone();
        let mut v: Vec<String> = col.iter().flatten().map(str::to_string).collect();
        v.sort();
        v.dedup();
        v
    };
    let names = principals(plain.path());
    assert!(names.iter().any(|p| p.contains('@')), "the sample has UPNs");
    let pseudonyms = principals(redacted.path());
    assert_eq!(pseudonyms.len(), names.len(), "one pseudonym per person");
    assert!(pseudonyms.iter().all(|p| p.starts_with("user-")));
    assert_eq!(
        pseudonyms,
        principals(again.path()),
        "same key, same pseudonyms (flag or environment)"
    );

    for entry in std::fs::read_dir(redacted.path()).expect("out") {
        let path = entry.expect("entry").path();
        let text = if path.extension().is_some_and(|e| e == "parquet") {
            analyst::string_cells(&path).join("\n")
        } else {
            std::fs::read_to_string(&path).expect("text")
        };
        for name in &names {
            assert!(
                !text.contains(name.as_str()),
                "{} names a principal",
                path.display()
            );
        }
    }
    let a = read_csv(&plain.path().join("integrations.csv"));
    let b = read_csv(&redacted.path().join("integrations.csv"));
    let counts = |rows: &[std::collections::BTreeMap<String, String>]| -> Vec<String> {
        rows.iter().map(|r| r["principals"].clone()).collect()
    };
    assert_eq!(counts(&a), counts(&b));

    let no_key = pcmfa(&[
        "scan",
        "sample-data/logs",
        "--out",
        "/tmp/never",
        "--redact-principals",
    ]);
    assert_eq!(no_key.status.code(), Some(2), "the key is required");
}

#[test]
fn too_many_rejects_fail_the_run_but_keep_the_outputs() {
    let out = tempfile::tempdir().expect("tempdir");
    let run = scan(
        &["tests/fixtures/messy-gateway.jsonl"],
        out.path(),
        &["--max-reject-ratio", "0.1"],
        1,
    );
    assert!(String::from_utf8_lossy(&run.stderr).contains("--max-reject-ratio"));
    for file in CONTRACT_FILES {
        assert!(out.path().join(file).exists(), "{file}");
    }
    assert_eq!(read_summary(out.path())["status"], "partial");
}

/// Every final-named file present is whole and readable.
fn assert_complete(dir: &std::path::Path) {
    for entry in std::fs::read_dir(dir).expect("out") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name.starts_with('.') {
            continue; // a temporary file: never a final name
        }
        if name.ends_with(".parquet") {
            analyst::read_parquet(&path);
        } else if name.ends_with(".csv") {
            let mut reader = csv::Reader::from_path(&path).expect("csv");
            for row in reader.records() {
                row.unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        } else if name == "summary.json" {
            let text = std::fs::read_to_string(&path).expect("summary");
            serde_json::from_str::<serde_json::Value>(&text).expect("summary.json whole");
        }
    }
}

#[test]
fn killed_at_any_moment_leaves_no_partial_final_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let line = std::fs::read_to_string(
        common::root().join("sample-data/logs/gateway/egress-gateway-2026-06-01_07.jsonl"),
    )
    .expect("sample");
    let big: String = std::iter::repeat_n(line.as_str(), 40).collect();
    let input = dir.path().join("big.jsonl");
    std::fs::write(&input, big).expect("write");
    // Kill after 0, 10, 20, ... ms: before, during and after each output is written.
    for (round, delay) in (0..120).step_by(10).enumerate() {
        let out = dir.path().join(format!("out{round}"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_pcmfa"))
            .args(["scan", "--threads", "2", "--chunk-size", "65536", "--out"])
            .arg(&out)
            .arg(&input)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        if out.exists() {
            assert_complete(&out);
        }
    }
}

/// Disk full: a clear message, exit 1, and only whole files under final
/// names. Needs a tiny tmpfs (root); skipped where mounting is not allowed.
#[test]
fn a_full_disk_ends_the_run_cleanly() {
    let mount_point = tempfile::tempdir().expect("tempdir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(mount_point.path())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    }
    let out = mount_point.path().join("out");
    let run = pcmfa(&[
        "scan",
        "sample-data/logs",
        "--out",
        &out.display().to_string(),
    ]);
    let message = String::from_utf8_lossy(&run.stderr).into_owned();
    let summary_written = out.join("summary.json").exists();
    if out.exists() {
        assert_complete(&out);
    }
    let _ = Command::new("umount").arg(mount_point.path()).status();
    assert_eq!(run.status.code(), Some(1), "{message}");
    assert!(message.contains("No space left"), "{message}");
    assert!(!summary_written, "summary.json marks a finished run");
}
