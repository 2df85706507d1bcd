//! Reading what partners export, end to end: custom schemas (`--field`,
//! `--config`), `pcmfa formats`, `pcmfa sniff`, and mixed folders whose
//! images, archives and other tools' files are skipped with a reason.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::{assert_no_token_shapes, pcmfa, read_csv, read_summary, run_texts, scan};
use serde_json::{json, Value};

const PC: &str = "https://api.partnercenter.microsoft.com";
const BROKEN_APP: &str = "5e7c1a2b-3d4f-4a5b-8c6d-7e8f9a0b1c2d";
const AT_RISK_APP: &str = "6f8d2b3c-4e5a-4b6c-9d7e-8f9a0b1c2d3e";
const APP_ONLY_APP: &str = "7a9e3c4d-5f6b-4c7d-8e9f-a0b1c2d3e4f5";

/// A JWT with these claims (never verified by pcmfa, so the signature is junk).
fn jwt(claims: Value) -> String {
    let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        part(json!({"typ": "JWT", "alg": "RS256", "kid": "k1"})),
        part(claims),
        URL_SAFE_NO_PAD.encode(b"signature-not-checked")
    )
}

fn user_token(app: &str, amr: &[&str]) -> String {
    jwt(json!({"aud": PC, "appid": app, "scp": "user_impersonation",
        "upn": "ops@contoso.example", "amr": amr, "tid": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "ver": "1.0"}))
}

fn app_token(app: &str) -> String {
    jwt(
        json!({"aud": PC, "appid": app, "idtyp": "app", "roles": ["Reports.Read"],
        "tid": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "ver": "1.0"}),
    )
}

/// A gateway whose log names every field its own way: the URL under
/// `req.target`, the status under `resp.code`, the Authorization header
/// under `req.hdrs.auth`, the body under `resp.payload` (JSON as text).
fn custom_gateway_log(dir: &Path) -> std::path::PathBuf {
    let mut lines = Vec::new();
    let mut line = |minute: u32, url: &str, code: u16, token: &str, payload: &str| {
        lines.push(
            json!({
                "when": format!("2026-06-02T08:{minute:02}:00Z"),
                "req": {"verb": "GET", "target": url, "hdrs": {"auth": format!("Bearer {token}"), "agent": "SyncJob/1.0"}},
                "resp": {"code": code, "payload": payload},
                "trace": format!("7d1e0000-0000-4000-8000-0000000000{minute:02}")
            })
            .to_string(),
        )
    };
    let rejected = r#"{"code":900421,"description":"Multi-factor authentication is required.","data":[],"source":"PartnerApiGateway"}"#;
    let user = |app| user_token(app, &["pwd"]);
    line(
        1,
        &format!("{PC}/v1/customers"),
        401,
        &user(BROKEN_APP),
        rejected,
    );
    line(
        2,
        &format!("{PC}/v1/customers?size=10"),
        401,
        &user(BROKEN_APP),
        rejected,
    );
    line(
        3,
        &format!("{PC}/v1/invoices"),
        200,
        &user(AT_RISK_APP),
        r#"{"totalCount":0}"#,
    );
    let subscriptions =
        format!("{PC}/v1/customers/4f1e2d3c-0000-4000-8000-000000000001/subscriptions");
    line(4, &subscriptions, 200, &app_token(APP_ONLY_APP), "{}");
    // Another service, same job: not Partner Center.
    line(
        5,
        "https://graph.microsoft.com/v1.0/me",
        200,
        &user(AT_RISK_APP),
        "{}",
    );
    let path = dir.join("custom-gateway.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").expect("write log");
    path
}

const FIELD_ARGS: &[&str] = &[
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
    "--field",
    "user_agent=req.hdrs.agent",
    "--field",
    "correlation_id=trace",
];

const CONFIG: &str = r#"# Our egress gateway's schema
[fields]
timestamp = "when"
url = "req.target"
method = 'req.verb'
status = "resp.code"          # client-facing status
authorization = "req.hdrs.auth"
response_body = "resp.payload"
user_agent = "req.hdrs.agent"
correlation_id = "trace"
"#;

fn verdicts(out: &Path) -> BTreeMap<String, (String, String)> {
    read_csv(&out.join("integrations.csv"))
        .into_iter()
        .map(|row| {
            (
                row["integration"].clone(),
                (row["verdict"].clone(), row["calls"].clone()),
            )
        })
        .collect()
}

#[test]
fn field_mapping_reads_a_custom_schema_gateway_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = custom_gateway_log(dir.path());
    let log = log.to_str().expect("utf-8 path");

    // Automatic matching alone finds nothing it can use.
    let plain = dir.path().join("plain");
    scan(&[log], &plain, &["--quiet"], 0);
    assert_eq!(read_summary(&plain)["accounting"]["partner_center"], 0);

    let mapped = dir.path().join("mapped");
    scan(&[log], &mapped, &[&["--quiet"], FIELD_ARGS].concat(), 0);
    let want: BTreeMap<String, (String, String)> = [
        (BROKEN_APP, ("broken", "2")),
        (AT_RISK_APP, ("at_risk", "1")),
        (APP_ONLY_APP, ("not_affected", "1")),
    ]
    .into_iter()
    .map(|(app, (verdict, calls))| (app.to_string(), (verdict.to_string(), calls.to_string())))
    .collect();
    assert_eq!(verdicts(&mapped), want);
    let summary = read_summary(&mapped);
    assert_eq!(summary["accounting"]["records"], 5);
    assert_eq!(
        summary["accounting"]["other"], 1,
        "the Graph call is not Partner Center"
    );
    assert_eq!(summary["files"][0]["format"], "gateway_json_lines");
    let operations: Vec<String> = read_csv(&mapped.join("operations.csv"))
        .into_iter()
        .map(|row| row["operation"].clone())
        .collect();
    assert!(
        operations.contains(&"GET /v1/customers".to_string()),
        "{operations:?}"
    );
    let calls = common::analyst::string_cells(&mapped.join("calls.parquet")).join("\n");
    assert!(
        calls.contains("7d1e0000-0000-4000-8000-000000000001"),
        "correlation id mapped"
    );
    assert!(calls.contains("SyncJob/1.0"), "user agent mapped");

    // The same mapping from a config file writes the same bytes.
    let config = dir.path().join("gateway.toml");
    std::fs::write(&config, CONFIG).expect("config");
    let from_config = dir.path().join("from-config");
    scan(
        &[log],
        &from_config,
        &["--quiet", "--config", config.to_str().expect("path")],
        0,
    );
    for file in common::CONTRACT_FILES {
        let a = std::fs::read(mapped.join(file)).expect("mapped output");
        let b = std::fs::read(from_config.join(file)).expect("config output");
        if *file == "summary.json" {
            let strip = |bytes: &[u8]| {
                let mut v: Value = serde_json::from_slice(bytes).expect("json");
                v["duration_seconds"] = Value::Null;
                v
            };
            assert_eq!(strip(&a), strip(&b), "{file}");
        } else {
            assert!(a == b, "{file} differs between --field and --config");
        }
    }

    // A --field beats the config file's mapping of the same column.
    let overridden = dir.path().join("overridden");
    scan(
        &[log],
        &overridden,
        &[
            "--quiet",
            "--config",
            config.to_str().expect("path"),
            "--field",
            "authorization=nowhere",
        ],
        0,
    );
    // Without tokens the calls fall back to the user agent as integration;
    // the 900421 bodies still say broken.
    let want: BTreeMap<String, (String, String)> = [(
        "ua:SyncJob/1.0".to_string(),
        ("broken".to_string(), "4".to_string()),
    )]
    .into();
    assert_eq!(verdicts(&overridden), want);
}

#[test]
fn bad_field_mappings_are_usage_errors_that_say_what_is_valid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let out = out.to_str().expect("path");
    let run = |extra: &[&str]| {
        let mut args = vec!["scan", "sample-data/logs/har", "--out", out, "--quiet"];
        args.extend_from_slice(extra);
        pcmfa(&args)
    };
    let bad_config = dir.path().join("bad.toml");
    std::fs::write(
        &bad_config,
        "[fields]\nurl = \"req.target\"\nstatuscode = \"resp.code\"\n",
    )
    .expect("write");
    let bad_config = bad_config.to_str().expect("path");
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--field", "statuscode=resp.code"],
            &[
                "statuscode",
                "valid columns",
                "status",
                "authorization",
                "response_body",
            ],
        ),
        (&["--field", "status"], &["NAME=PATH"]),
        (&["--field", "status=resp..code"], &["empty segment"]),
        (
            &["--field", "status=a", "--field", "status=b"],
            &["status", "twice"],
        ),
        (
            &["--config", bad_config],
            &["line 3", "statuscode", "valid columns"],
        ),
        (&["--config", "no/such/file.toml"], &["no/such/file.toml"]),
    ];
    for (extra, needles) in cases {
        let output = run(extra);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
        for needle in *needles {
            assert!(
                stderr.contains(needle),
                "{extra:?}: {needle:?} not in {stderr}"
            );
        }
        assert!(
            !Path::new(out).join("summary.json").exists(),
            "{extra:?} wrote outputs"
        );
    }
}

#[test]
fn formats_lists_every_format_with_how_it_is_recognised_and_an_example() {
    let output = pcmfa(&["formats"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut names = Vec::new();
    for block in text
        .split("\n")
        .collect::<Vec<_>>()
        .chunk_by(|_, b| b.starts_with("  "))
    {
        let name = block[0];
        let recognised = block
            .iter()
            .find_map(|l| l.strip_prefix("  recognised by: "));
        // A CSV example goes on over the next, further-indented line.
        let example_at = block.iter().position(|l| l.starts_with("  example: "));
        let example = example_at.map(|at| {
            let mut lines = vec![&block[at]["  example: ".len()..]];
            lines.extend(
                block[at + 1..]
                    .iter()
                    .filter_map(|l| l.strip_prefix("           ")),
            );
            lines.join("\n")
        });
        if name.is_empty() {
            continue;
        }
        let (Some(recognised), Some(example)) = (recognised, example) else {
            panic!("{name}: recognised by and example expected in {block:?}");
        };
        assert!(!recognised.trim().is_empty(), "{name}");
        let in_readme = example
            .lines()
            .map(|l| format!("`{l}`"))
            .collect::<Vec<_>>()
            .join("<br>");
        assert!(
            readme.contains(&format!("| `{name}` |")) && readme.contains(&in_readme),
            "README's format table lists {name} with its example {in_readme}"
        );
        // The example is read as that format.
        let file = dir.path().join(format!("{name}.log"));
        std::fs::write(&file, &example).expect("write example");
        names.push((name.to_string(), file));
    }
    assert!(names.len() >= 20, "{text}");
    let out = dir.path().join("out");
    let inputs: Vec<&str> = names
        .iter()
        .map(|(_, f)| f.to_str().expect("path"))
        .collect();
    let output = scan(&inputs, &out, &["--quiet"], 0);
    assert_no_token_shapes(&out, &output);
    let summary = read_summary(&out);
    assert_eq!(summary["skipped"], json!([]), "every example is read");
    for (name, file) in &names {
        let entry = summary["files"]
            .as_array()
            .expect("files")
            .iter()
            .find(|f| f["path"] == file.to_str().expect("path"))
            .unwrap_or_else(|| panic!("{name} not read"));
        assert_eq!(entry["format"], name.as_str(), "{name}'s example");
        assert_eq!(entry["rejected"], 0, "{name}'s example");
        assert_eq!(entry["records"], 1, "{name}'s example is one record");
        // A trace quoting 900421 is evidence about its operation's call, not a call.
        let events = u64::from(!name.starts_with("appinsights_traces_"));
        assert_eq!(entry["partner_center"], events, "{name}'s example");
    }
}

/// Everything a sniff printed must be free of tokens and planted secrets.
fn assert_sniff_secret_free(output: &std::process::Output) {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_no_token_shapes(dir.path(), output);
    let secrets = std::fs::read_to_string(common::root().join("sample-data/planted-secrets.txt"))
        .expect("planted secrets");
    for (name, text) in run_texts(dir.path(), output) {
        for secret in secrets
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            assert!(!text.contains(secret), "{name} leaks a planted secret");
        }
        assert!(!text.to_ascii_lowercase().contains("bearer ey"), "{name}");
    }
}

#[test]
fn sniff_shows_format_sources_and_verdicts_without_secrets() {
    let output = pcmfa(&["sniff", "sample-data/logs", "--records", "3"]);
    assert_eq!(output.status.code(), Some(0));
    assert_sniff_secret_free(&output);
    let text = String::from_utf8(output.stdout).expect("utf-8");
    for needle in [
        // Each file, its format and why.
        "sample-data/logs/har/fourth-coffee-admin-console-2026-06-03.har\n  format: har (compression: none)",
        "why:    a JSON document with log.version and log.entries[] (HAR)",
        "format: gateway_json_lines (compression: gzip)",
        "format: entra_signin_json_array (compression: none)",
        "why:    a JSON document with its records in records[]",
        "format: partner_requests",
        // Which field fed each column.
        "status           <- response.status",
        "authorization    <- request.headers.Authorization",
        "error_code       <- response.body",
        "host             <- request.url (the URL's host)",
        "<bearer token: ",
        " bytes, claims decoded>",
        // Verdicts and evidence.
        "=> broken, evidence error_900421; auth app_user, mfa absent; GET /v1/customers",
        "=> other: not a Partner Center event",
        "?<query hidden>",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
    // Records are capped per file.
    assert!(!text.contains("record 4:"), "{text}");

    // Every record of the sample, token requests with planted secrets included.
    let output = pcmfa(&["sniff", "sample-data/logs", "--records", "100000"]);
    assert_eq!(output.status.code(), Some(0));
    assert_sniff_secret_free(&output);
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(
        text.matches("\n  record ").count(),
        885,
        "every record of the sample"
    );
}

#[test]
fn sniff_reads_csv_w3c_and_text_logs_as_a_scan_does() {
    let output = pcmfa(&["sniff", "tests/fixtures", "--records", "100000"]);
    assert_eq!(output.status.code(), Some(0));
    assert_sniff_secret_free(&output);
    let text = String::from_utf8(output.stdout).expect("utf-8");
    for needle in [
        "tests/fixtures/azure/ApiManagementGatewayLogs.csv\n  format: apim_gateway_csv",
        "why:    CSV with a header row naming known columns (delimiter ','): TenantId, TimeGenerated,",
        // A CSV column, and a path into the JSON a cell holds.
        "status           <- BackendResponseCode",
        "authorization    <- BackendRequestHeaders.Authorization",
        "rejected (ragged_row): listed in rejects.csv",
        "format: iis_w3c",
        "why:    W3C extended log: lines read with the #Fields: directive above them",
        "format: text_log",
        "<- (the text record)",
        "tests/fixtures/notes.txt\n  skipped: not a log format pcmfa recognises",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
    // Every record a scan reads is shown: the same count as summary.json.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    scan(&["tests/fixtures"], &out, &["--quiet"], 3);
    let records = read_summary(&out)["accounting"]["records"]
        .as_u64()
        .expect("records");
    assert_eq!(text.matches("\n  record ").count() as u64, records);
}

#[test]
fn sniff_names_mapped_fields_and_skipped_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = custom_gateway_log(dir.path());
    std::fs::write(
        dir.path().join("screenshot.png"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0",
    )
    .expect("png");
    let dir_arg = dir.path().to_str().expect("path");
    let output = pcmfa(&[&["sniff", dir_arg, "-n", "1"], FIELD_ARGS].concat());
    assert_eq!(output.status.code(), Some(0));
    assert_sniff_secret_free(&output);
    let text = String::from_utf8(output.stdout).expect("utf-8");
    for needle in [
        "field mapping (over automatic matching):\n  timestamp        <- when\n",
        "status           <- resp.code (--field)",
        "authorization    <- req.hdrs.auth (--field)",
        "url              <- req.target (--field)",
        "=> broken, evidence error_900421",
        &format!("integration {BROKEN_APP}"),
        "screenshot.png\n  skipped: PNG image",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
    assert!(text.contains(&log.display().to_string()));
    // A bad mapping is a usage error here too.
    let output = pcmfa(&["sniff", dir_arg, "--field", "colour=x"]);
    assert_eq!(output.status.code(), Some(2));
}

/// Writes `bytes` gzip-compressed.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

/// Copies a folder tree.
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

#[test]
fn a_mixed_folder_reads_the_logs_and_skips_the_rest_with_reasons() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mixed = dir.path().join("mixed");
    copy_tree(&common::root().join("sample-data/logs"), &mixed);
    let junk = mixed.join("junk");
    std::fs::create_dir_all(&junk).expect("mkdir");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x02\x80\0\0\x01\xe0\x08\x06\0\0\0".to_vec();
    // Deterministic noise without a NUL or a newline in its first bytes.
    let mut state = 0x9E37_79B9u32;
    let noise: Vec<u8> = (0..20_000)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("architecture.png", png.clone()),
        (
            "photo.jpg",
            b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0".to_vec(),
        ),
        (
            "exports.zip",
            b"PK\x03\x04\x14\0\0\0\x08\0\x8b\x6e\xc2\x58".repeat(4),
        ),
        (
            "report.pdf",
            b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n".to_vec(),
        ),
        ("core.bin", noise),
        ("diagram.png.gz", gzip(&png)),
        (
            "bundle.zip.zst",
            zstd::encode_all(&b"PK\x03\x04\x14\0\0\0"[..], 3).expect("zstd"),
        ),
        (
            "README.md",
            b"# Exports\n\nWeekly exports from the egress gateway.\n".to_vec(),
        ),
    ];
    for (name, bytes) in &files {
        std::fs::write(junk.join(name), bytes).expect("write junk");
    }
    let out = dir.path().join("out");
    let mixed_arg = mixed.to_str().expect("path");
    let output = scan(&[mixed_arg], &out, &[], 0);
    let summary = read_summary(&out);

    // Accounting is the sample's, untouched by the junk.
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("sample-data/expected-totals.json"))
            .expect("totals"),
    )
    .expect("json");
    // The README is text that no format reads: skipped, or read as nothing
    // Partner Center (a text-log reader may count its lines as `other`).
    let readme = summary["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with("README.md")));
    let readme_records = readme.map_or(0, |f| f["records"].as_u64().expect("records"));
    if let Some(readme) = readme {
        assert_eq!(readme["partner_center"], 0);
        assert_eq!(readme["rejected"], 0);
    }
    let records = expected["totals"]["records"].as_u64().expect("records") + readme_records;
    assert_eq!(summary["accounting"]["records"], records);
    assert_eq!(
        summary["accounting"]["partner_center"],
        expected["totals"]["partner_center"]
    );
    assert_eq!(summary["accounting"]["rejected"], 0);
    assert_eq!(summary["accounting"]["holds"], true);
    assert_eq!(summary["status"], "complete");
    assert_eq!(
        summary["partner_center"]["by_verdict"],
        expected["verdicts"]
    );
    assert_eq!(summary["inputs"]["files"], 8 + u64::from(readme.is_some()));

    // Every junk file is skipped, with what it is.
    let skipped: BTreeMap<String, String> = summary["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            let path = s["path"].as_str().expect("path");
            let name = Path::new(path)
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, s["reason"].as_str().expect("reason").to_string())
        })
        .collect();
    let want: BTreeMap<String, String> = [
        ("architecture.png", "PNG image"),
        ("photo.jpg", "JPEG image"),
        (
            "exports.zip",
            "zip archives are not read; extract them first",
        ),
        ("report.pdf", "PDF document"),
        ("core.bin", "binary content"),
        ("diagram.png.gz", "PNG image"),
        (
            "bundle.zip.zst",
            "zip archives are not read; extract them first",
        ),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    for (name, reason) in &want {
        assert_eq!(skipped.get(name), Some(reason), "{name}: {skipped:?}");
    }
    assert!(
        skipped.contains_key("README.md") != readme.is_some(),
        "{summary}"
    );
    assert_eq!(summary["inputs"]["skipped"], skipped.len());

    // The closing summary lists them too.
    let stderr = String::from_utf8_lossy(&output.stderr);
    for (name, reason) in &want {
        assert!(
            stderr.lines().any(|l| l.contains("skipped:")
                && l.contains(name.as_str())
                && l.ends_with(reason.as_str())),
            "{name} not listed in\n{stderr}"
        );
    }

    // A forced format does not make a PNG a log.
    let forced = dir.path().join("forced");
    scan(
        &[junk.join("architecture.png").to_str().expect("path")],
        &forced,
        &["--quiet", "--format", "gateway_json_lines"],
        0,
    );
    assert_eq!(read_summary(&forced)["skipped"][0]["reason"], "PNG image");
}
