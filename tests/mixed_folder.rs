//! Issue #3, "done when": one folder holding every log source pcmfa reads
//! (the sample corpus, every test fixture: Azure exports, access logs, text
//! logs, broken files, the example of every format `pcmfa formats` lists,
//! and a custom-schema gateway log read through `--field`) plus files that
//! are no log at all, read in one run, gives each integration the verdict
//! the sources give it read one by one.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::{read_csv, read_summary, scan};
use serde_json::{json, Value};

/// Counts by verdict, in severity order.
const VERDICTS: [&str; 5] = ["broken", "at_risk", "compliant", "not_affected", "unknown"];

/// One integration's counts as `integrations.csv` gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Counts {
    calls: u64,
    by_verdict: [u64; 5],
}

impl Counts {
    /// The documented rule: the worst known verdict; unknown only when all are.
    fn verdict(&self) -> &'static str {
        VERDICTS[..4]
            .iter()
            .zip(self.by_verdict)
            .find(|(_, n)| *n > 0)
            .map_or("unknown", |(v, _)| v)
    }
}

fn integrations(out: &Path) -> BTreeMap<String, (String, Counts)> {
    read_csv(&out.join("integrations.csv"))
        .into_iter()
        .map(|row| {
            let number = |c: &str| row[c].parse::<u64>().unwrap_or_else(|e| panic!("{c}: {e}"));
            let counts = Counts {
                calls: number("calls"),
                by_verdict: VERDICTS.map(number),
            };
            (row["integration"].clone(), (row["verdict"].clone(), counts))
        })
        .collect()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from)
        .expect("read_dir")
        .filter_map(Result::ok)
    {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn jwt(claims: Value) -> String {
    let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        part(json!({"typ": "JWT", "alg": "RS256"})),
        part(claims),
        URL_SAFE_NO_PAD.encode(b"unchecked")
    )
}

/// A gateway log in a schema of its own: `--field` says where things are.
fn custom_gateway_log(path: &Path) {
    let pc = "https://api.partnercenter.microsoft.com";
    let token = |app: &str, amr: &[&str]| {
        jwt(json!({"aud": pc, "appid": app, "scp": "user_impersonation",
            "upn": "batch@fabrikam.example", "amr": amr, "ver": "1.0"}))
    };
    let line = |when: &str, target: &str, code: u16, token: String, payload: &str| {
        json!({"when": when, "req": {"verb": "GET", "target": target, "hdrs": {"auth": format!("Bearer {token}")}},
               "resp": {"code": code, "payload": payload}})
        .to_string()
    };
    let lines = [
        line(
            "2026-06-03T09:00:00Z",
            &format!("{pc}/v1/customers"),
            401,
            token("0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a", &["pwd"]),
            r#"{"code":900421,"description":"MFA required"}"#,
        ),
        line(
            "2026-06-03T09:05:00Z",
            &format!("{pc}/v1/invoices"),
            200,
            token("1e0f9a8b-7c6d-4e5f-9a3b-2c1d0e9f8a7b", &["pwd", "mfa"]),
            "{}",
        ),
    ];
    std::fs::write(path, lines.join("\n") + "\n").expect("write custom log");
}

/// Writes the example of every format `pcmfa formats` lists, one file
/// each; returns the format names.
fn write_examples(dir: &Path) -> std::collections::BTreeSet<String> {
    std::fs::create_dir_all(dir).expect("mkdir");
    let output = common::pcmfa(&["formats"]);
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let mut names = std::collections::BTreeSet::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    let mut flush = |entry: Option<(String, Vec<&str>)>| {
        if let Some((name, lines)) = entry {
            std::fs::write(dir.join(format!("{name}.log")), lines.join("\n")).expect("write");
            names.insert(name);
        }
    };
    for line in text.lines() {
        if let Some(first) = line.strip_prefix("  example: ") {
            if let Some((_, lines)) = current.as_mut() {
                lines.push(first);
            }
        } else if let Some(more) = line.strip_prefix("           ") {
            if let Some((_, lines)) = current.as_mut() {
                lines.push(more);
            }
        } else if !line.starts_with(' ') && !line.is_empty() {
            flush(current.take());
            current = Some((line.to_string(), Vec::new()));
        }
    }
    flush(current.take());
    assert!(names.len() >= 28, "{text}");
    names
}

const FIELDS: &[&str] = &[
    "--field",
    "timestamp=when",
    "--field",
    "url=req.target",
    "--field",
    "method=req.verb",
    "--field",
    "status=resp.code",
    "--field",
    "authorization=req.hdrs.auth",
    "--field",
    "response_body=resp.payload",
];

#[test]
fn a_folder_of_every_source_gives_each_integration_its_verdict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = common::root();
    let custom = dir.path().join("custom-gateway.jsonl");
    custom_gateway_log(&custom);

    let examples = dir.path().join("examples");
    let names = write_examples(&examples);

    // Each source on its own.
    let sources: Vec<(std::path::PathBuf, &[&str])> = vec![
        (root.join("sample-data/logs"), &[]),
        (root.join("tests/fixtures"), &[]),
        (examples.clone(), &[]),
        (custom.clone(), FIELDS),
    ];
    let mut expected: BTreeMap<String, Counts> = BTreeMap::new();
    let mut records = 0;
    let mut partial = false;
    for (index, (source, extra)) in sources.iter().enumerate() {
        let out = dir.path().join(format!("alone-{index}"));
        let output = common::pcmfa(
            &[
                &[
                    "scan",
                    source.to_str().expect("path"),
                    "--out",
                    out.to_str().expect("path"),
                    "--quiet",
                ],
                *extra,
            ]
            .concat(),
        );
        assert!(
            matches!(output.status.code(), Some(0 | 3)),
            "{source:?}: {output:?}"
        );
        let summary = read_summary(&out);
        records += summary["accounting"]["records"].as_u64().expect("records");
        partial |= summary["status"] == "partial";
        for (integration, (_, counts)) in integrations(&out) {
            let sum = expected.entry(integration).or_default();
            sum.calls += counts.calls;
            for (total, n) in sum.by_verdict.iter_mut().zip(counts.by_verdict) {
                *total += n;
            }
        }
    }

    // All of them in one folder, with things that are not logs.
    let mixed = dir.path().join("mixed");
    copy_tree(&root.join("sample-data/logs"), &mixed.join("sample"));
    copy_tree(&root.join("tests/fixtures"), &mixed.join("fixtures"));
    copy_tree(&examples, &mixed.join("examples"));
    std::fs::copy(&custom, mixed.join("custom-gateway.jsonl")).expect("copy");
    let junk: &[(&str, &[u8], &str)] = &[
        (
            "screenshot.png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x04\0",
            "PNG image",
        ),
        (
            "exports.zip",
            b"PK\x03\x04\x14\0\0\0\x08\0",
            "zip archives are not read; extract them first",
        ),
        (
            "runbook.pdf",
            b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n",
            "PDF document",
        ),
        (
            "dump.bin",
            &[
                0x13, 0x00, 0x7f, 0x02, 0x00, 0x00, 0x1b, 0x0e, 0x11, 0x00, 0x99, 0x00,
            ],
            "binary content",
        ),
    ];
    for (name, bytes, _) in junk {
        std::fs::write(mixed.join(name), bytes).expect("junk");
    }
    let out = dir.path().join("out");
    let code = if partial { 3 } else { 0 };
    scan(
        &[mixed.to_str().expect("path")],
        &out,
        &[&["--quiet"], FIELDS].concat(),
        code,
    );

    let summary = read_summary(&out);
    assert_eq!(
        summary["accounting"]["records"], records,
        "every record counted once"
    );
    assert_eq!(summary["accounting"]["holds"], true);
    let skipped: BTreeMap<String, String> = summary["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().expect("path").to_string(),
                s["reason"].as_str().expect("reason").to_string(),
            )
        })
        .collect();
    for (name, _, reason) in junk {
        let path = mixed.join(name).display().to_string();
        assert_eq!(
            skipped.get(&path).map(String::as_str),
            Some(*reason),
            "{name}"
        );
    }

    // Each integration: the counts of its sources added up, and the verdict
    // their worst known verdict.
    let got = integrations(&out);
    assert!(got.keys().eq(expected.keys()), "the same integrations");
    for (integration, want) in &expected {
        let (verdict, counts) = &got[integration];
        assert_eq!(counts, want, "{integration}");
        assert_eq!(verdict, want.verdict(), "{integration}");
    }
    // Ranked worst first: verdict, then broken, at-risk and all calls, then key.
    let severity = |v: &str| VERDICTS.iter().position(|x| *x == v).expect("verdict");
    let mut ranked: Vec<(&String, &Counts)> = expected.iter().collect();
    ranked.sort_by_key(|(key, c)| {
        (
            severity(c.verdict()),
            std::cmp::Reverse(c.by_verdict[0]),
            std::cmp::Reverse(c.by_verdict[1]),
            std::cmp::Reverse(c.calls),
            (*key).clone(),
        )
    });
    let order: Vec<String> = read_csv(&out.join("integrations.csv"))
        .into_iter()
        .map(|row| row["integration"].clone())
        .collect();
    assert_eq!(
        order,
        ranked.iter().map(|(k, _)| (*k).clone()).collect::<Vec<_>>()
    );

    // The sample's integrations keep the verdicts its README documents, and
    // the custom-schema gateway's calls are judged through --field.
    let sample = read_csv(&root.join("sample-data/expected-integrations.csv"));
    for row in &sample {
        let key = &row["integration"];
        let from_elsewhere = expected[key].calls != row["calls"].parse::<u64>().expect("calls");
        if !from_elsewhere {
            assert_eq!(got[key].0, row["verdict"], "{key}");
        }
    }
    assert_eq!(got["0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a"].0, "broken");
    assert_eq!(got["1e0f9a8b-7c6d-4e5f-9a3b-2c1d0e9f8a7b"].0, "compliant");
    // Every format pcmfa knows took part.
    let formats: std::collections::BTreeSet<String> = summary["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["format"].as_str().expect("format").to_string())
        .collect();
    assert_eq!(formats, names, "every format");
}
