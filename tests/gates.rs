//! End-to-end: the flags scheduled jobs and CI gates rely on.
//! `--fail-on broken|at_risk` exits 4 when an integration reaches that
//! verdict (after "failed" and before "partial"); `--json` prints exactly
//! summary.json on stdout.

mod common;

use std::path::Path;

use common::gateway::{app_token, gateway_lines, user_token};
use common::{pcmfa, read_summary, scan, CONTRACT_FILES};

const AT_RISK_APP: &str = "aaaaaaaa-0000-4000-8000-0000000000a1";
const COMPLIANT_APP: &str = "aaaaaaaa-0000-4000-8000-0000000000a2";
const APP_ONLY: &str = "aaaaaaaa-0000-4000-8000-0000000000a3";

/// A log folder holding one gateway file with these lines.
fn logs(dir: &Path, lines: &[String]) -> String {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("gateway.jsonl"), lines.concat()).expect("write");
    dir.display().to_string()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn fail_on_broken_exits_4_with_every_output_written() {
    let out = tempfile::tempdir().expect("tempdir");
    let output = scan(
        &["sample-data/logs"],
        out.path(),
        &["--fail-on", "broken"],
        4,
    );
    for file in CONTRACT_FILES {
        assert!(out.path().join(file).is_file(), "{file} missing");
    }
    assert_eq!(read_summary(out.path())["status"], "complete");
    assert!(
        stderr(&output).contains("--fail-on broken: 3 integrations reached it; exit 4"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn fail_on_at_risk_means_at_risk_or_worse() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let at_risk = logs(
        &tmp.path().join("at-risk"),
        &[
            gateway_lines(2, &user_token(AT_RISK_APP, false), 3, false),
            gateway_lines(2, &user_token(COMPLIANT_APP, true), 2, false),
        ],
    );
    let out = tmp.path().join("out");
    scan(&[&at_risk], &out, &["--fail-on", "broken"], 0);
    let output = scan(&[&at_risk], &out, &["--fail-on", "at_risk"], 4);
    assert!(
        stderr(&output).contains("--fail-on at_risk: 1 integration reached it"),
        "{}",
        stderr(&output)
    );

    let clean = logs(
        &tmp.path().join("clean"),
        &[
            gateway_lines(3, &user_token(COMPLIANT_APP, true), 2, false),
            gateway_lines(3, &app_token(APP_ONLY), 2, false),
        ],
    );
    let output = scan(&[&clean], &out, &["--fail-on", "at_risk"], 0);
    assert!(
        !stderr(&output).contains("--fail-on"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_partial_run_exits_4_when_the_gate_is_reached_else_3() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    // tests/fixtures has rejected records and a 900421.
    scan(&["tests/fixtures"], &out, &["--fail-on", "broken"], 4);
    assert_eq!(read_summary(&out)["status"], "partial");

    let messy = logs(
        &tmp.path().join("messy"),
        &[
            gateway_lines(4, &user_token(AT_RISK_APP, false), 3, false),
            "{\"host\": \"api.partnercenter.microsoft.com\", cut here\n".to_string(),
        ],
    );
    scan(&[&messy], &out, &["--fail-on", "broken"], 3);
    assert_eq!(read_summary(&out)["status"], "partial");
    scan(&[&messy], &out, &["--fail-on", "at_risk"], 4);
}

#[test]
fn a_failed_run_exits_1_even_when_the_gate_is_reached() {
    let out = tempfile::tempdir().expect("tempdir");
    let output = scan(
        &["tests/fixtures"],
        out.path(),
        &["--fail-on", "broken", "--max-reject-ratio", "0.01"],
        1,
    );
    assert!(stderr(&output).contains("over --max-reject-ratio"));
    assert!(
        out.path().join("summary.json").is_file(),
        "outputs still written"
    );
}

#[test]
fn json_prints_exactly_summary_json_and_nothing_else() {
    let out = tempfile::tempdir().expect("tempdir");
    // Not --quiet: the closing summary still goes to stderr, never stdout.
    let output = scan(&["sample-data/logs"], out.path(), &["--json"], 0);
    let written = std::fs::read(out.path().join("summary.json")).expect("summary.json");
    assert_eq!(
        output.stdout, written,
        "stdout is summary.json byte for byte"
    );
    let printed: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(printed, read_summary(out.path()));
    assert_eq!(printed["partner_center"]["events"], 658);
    assert!(stderr(&output).contains("worst integrations"));

    // With a gate reached, and on a failed run, scripts still get the summary.
    let gated = scan(
        &["sample-data/logs"],
        out.path(),
        &["--json", "--quiet", "--fail-on", "broken"],
        4,
    );
    let printed: serde_json::Value = serde_json::from_slice(&gated.stdout).expect("JSON");
    assert_eq!(printed["integrations"]["by_verdict"]["broken"], 3);
    let failed = scan(
        &["tests/fixtures"],
        out.path(),
        &["--json", "--quiet", "--max-reject-ratio", "0.01"],
        1,
    );
    let printed: serde_json::Value = serde_json::from_slice(&failed.stdout).expect("JSON");
    assert_eq!(printed["status"], "partial");
}

#[test]
fn json_stays_off_stdout_without_the_flag() {
    let out = tempfile::tempdir().expect("tempdir");
    let output = scan(&["sample-data/logs"], out.path(), &[], 0);
    assert!(output.stdout.is_empty());
}

#[test]
fn an_unknown_gate_is_a_usage_error_and_help_documents_the_codes() {
    let out = tempfile::tempdir().expect("tempdir");
    let out_arg = out.path().display().to_string();
    let output = pcmfa(&[
        "scan",
        "sample-data/logs",
        "--out",
        &out_arg,
        "--fail-on",
        "at-risk",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("possible values: broken, at_risk"),
        "{}",
        stderr(&output)
    );

    let help = String::from_utf8_lossy(&pcmfa(&["--help"]).stdout).into_owned();
    assert!(
        help.contains("4 an integration reached the --fail-on verdict"),
        "{help}"
    );
    assert!(help.contains("Precedence: 1, then 4, then 3"), "{help}");
    let scan_help = String::from_utf8_lossy(&pcmfa(&["scan", "--help"]).stdout).into_owned();
    assert!(scan_help.contains("--fail-on <VERDICT>"), "{scan_help}");
    assert!(scan_help.contains("--json"), "{scan_help}");
}

#[test]
fn report_takes_the_same_gate_and_json_as_scan() {
    let run = tempfile::tempdir().expect("tempdir");
    scan(&["sample-data/logs"], run.path(), &["--quiet"], 0);
    let rolled = tempfile::tempdir().expect("tempdir");
    let run_arg = run.path().display().to_string();
    let out_arg = rolled.path().display().to_string();
    let report = |extra: &[&str]| {
        let mut args = vec![
            "report",
            run_arg.as_str(),
            "--out",
            out_arg.as_str(),
            "--quiet",
        ];
        args.extend_from_slice(extra);
        pcmfa(&args)
    };

    let open = report(&["--json"]);
    assert_eq!(open.status.code(), Some(0), "{}", stderr(&open));
    let written = std::fs::read(rolled.path().join("summary.json")).expect("summary.json");
    assert_eq!(open.stdout, written, "stdout is report's summary.json");
    let printed: serde_json::Value = serde_json::from_slice(&open.stdout).expect("JSON");
    assert_eq!(printed["partner_center"]["events"], 658);

    let gated = report(&["--fail-on", "broken"]);
    assert_eq!(gated.status.code(), Some(4), "{}", stderr(&gated));
    assert!(gated.stdout.is_empty(), "no --json, nothing on stdout");
    // The sample's worst verdict is broken, so at_risk is reached too.
    assert_eq!(report(&["--fail-on", "at_risk"]).status.code(), Some(4));
}
