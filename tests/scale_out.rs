//! Beyond one run: shards, daily runs and `pcmfa report` give the tables of
//! one scan over all the inputs, byte for byte; DuckDB rebuilds
//! integrations.csv from the shards' calls with docs/sql/integrations.duckdb.sql.
//!
//! The inputs are the sample corpus split into one folder per UTC day, the
//! way a gateway exports them (JSON-lines files cut by the date in each
//! line; the documents put on the day their name says), plus the messy
//! fixtures, and sign-ins made here: one whose app name starts a
//! spreadsheet formula and one without any time.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{assert_no_token_shapes, read_summary, root};

/// The roll-up tables a report rebuilds.
const TABLES: [&str; 4] = [
    "integrations.csv",
    "integrations.parquet",
    "operations.csv",
    "daily.csv",
];

/// Runs `pcmfa ARGS`, asserting the exit code.
fn run(args: &[&str], expected_code: i32) -> Output {
    let output = common::pcmfa(args);
    assert_eq!(
        output.status.code(),
        Some(expected_code),
        "pcmfa {args:?}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn s(path: &Path) -> String {
    path.display().to_string()
}

/// Day of the first `2026-06-DD` in a line, else `fallback`.
fn day_of(line: &str, fallback: &str) -> String {
    let re = regex::Regex::new(r"2026-06-(0[1-8])").expect("regex");
    re.captures(line)
        .map(|c| c[1].to_string())
        .unwrap_or_else(|| fallback.to_string())
}

/// A sign-in for Partner Center in the Event Hub shape.
fn sign_in(time: Option<&str>, app_id: &str, app_name: &str, upn: &str, error: u32) -> String {
    let mut record = serde_json::json!({
        "category": "SignInLogs",
        "tenantId": "8f3c2a71-5e4b-4d2a-9c1e-6b7d0a3f4e21",
        "properties": {
            "appId": app_id,
            "appDisplayName": app_name,
            "userPrincipalName": upn,
            "resourceId": "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd",
            "resourceDisplayName": "Microsoft Partner Center",
            "status": {"errorCode": error},
            "authenticationRequirement": "singleFactorAuthentication",
            "isInteractive": true
        }
    });
    if let Some(time) = time {
        record["time"] = time.into();
        record["properties"]["createdDateTime"] = time.into();
    }
    record.to_string()
}

/// Lays out the week's logs as `logs/day-DD/...` under `dir`; returns the
/// day folders in order.
fn week_of_logs(dir: &Path) -> Vec<PathBuf> {
    let logs = dir.join("logs");
    let mut days: BTreeMap<String, Vec<(String, Vec<u8>)>> = BTreeMap::new();
    let mut put = |day: String, name: &str, bytes: Vec<u8>| {
        days.entry(day).or_default().push((name.to_string(), bytes));
    };
    let sample = root().join("sample-data/logs");
    // JSON lines: cut by the date in each line.
    for (rel, gzip) in [
        ("gateway/egress-gateway-2026-06-01_07.jsonl", false),
        ("gateway/edge-proxy-access-2026-06-01_07.jsonl.gz", true),
        ("entra/signin-logs-eventhub-2026-06-04_07.jsonl", false),
    ] {
        let file = fs::File::open(sample.join(rel)).expect("sample file");
        let reader: Box<dyn Read> = if gzip {
            Box::new(flate2::read::MultiGzDecoder::new(file))
        } else {
            Box::new(file)
        };
        let mut by_day: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for line in BufReader::new(reader).lines() {
            let line = line.expect("line");
            let bytes = by_day.entry(day_of(&line, "01")).or_default();
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
        }
        let stem = Path::new(rel).file_name().expect("name").to_string_lossy();
        let stem = stem.trim_end_matches(".gz").trim_end_matches(".jsonl");
        for (day, bytes) in by_day {
            let name = format!("{stem}-day{day}.jsonl");
            if gzip {
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), Default::default());
                gz.write_all(&bytes).expect("gzip");
                put(day, &format!("{name}.gz"), gz.finish().expect("gzip"));
            } else {
                put(day, &name, bytes);
            }
        }
    }
    // Documents: whole, on the day their name says.
    for (rel, day) in [
        ("entra/InteractiveSignIns_2026-06-01_2026-06-03.json", "01"),
        ("gateway/egress-proxy-export-2026-06-05.json", "05"),
        ("har/fourth-coffee-admin-console-2026-06-03.har", "03"),
        ("partner-center/partnerRequests-2026-06-08-page1.json", "07"),
        ("partner-center/partnerRequests-2026-06-08-page2.json", "07"),
    ] {
        let name = Path::new(rel).file_name().expect("name").to_string_lossy();
        put(
            day.to_string(),
            &name,
            fs::read(sample.join(rel)).expect("sample"),
        );
    }
    // Broken and odd inputs: rejects, a cut document, a text file.
    for name in ["messy-gateway.jsonl", "cut-export.json", "notes.txt"] {
        let bytes = fs::read(root().join("tests/fixtures").join(name)).expect("fixture");
        put("02".to_string(), name, bytes);
    }
    // A formula-shaped app name (CSV safety), and a sign-in with no time.
    let tricky = "00000000-0000-4000-8000-00000000f00d";
    let lines = [
        sign_in(
            Some("2026-06-04T09:00:00.1239Z"),
            tricky,
            "=HYPERLINK(\"http://x\")",
            "ops@contoso.example",
            50076,
        ),
        sign_in(
            Some("2026-06-04T09:05:00Z"),
            tricky,
            "=HYPERLINK(\"http://x\")",
            "ops2@contoso.example",
            0,
        ),
        sign_in(None, tricky, "-Tricky", "ops@contoso.example", 0),
    ];
    put("04".to_string(), "signins-made-here.jsonl", {
        let mut text = lines.join("\n");
        text.push('\n');
        text.into_bytes()
    });

    let mut folders = Vec::new();
    for (day, files) in days {
        let folder = logs.join(format!("day-{day}"));
        fs::create_dir_all(&folder).expect("mkdir");
        for (name, bytes) in files {
            fs::write(folder.join(name), bytes).expect("write");
        }
        folders.push(folder);
    }
    assert_eq!(folders.len(), 7, "one folder per day of the week");
    folders
}

/// Every file under the day folders, one per line: the manifest.
fn manifest(dir: &Path, folders: &[PathBuf]) -> PathBuf {
    let mut lines = vec!["# the week's logs, one file per line".to_string()];
    for folder in folders {
        let mut files: Vec<PathBuf> = fs::read_dir(folder)
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        lines.extend(files.iter().map(|p| s(p)));
        lines.push(String::new());
    }
    let path = dir.join("manifest.txt");
    fs::write(&path, lines.join("\n")).expect("manifest");
    path
}

fn assert_same_tables(a: &Path, b: &Path) {
    for table in TABLES {
        let left = fs::read(a.join(table)).expect(table);
        let right = fs::read(b.join(table)).expect(table);
        assert!(
            left == right,
            "{table} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// Runs the four shards into one folder, the way docs/scale-out.md does.
fn run_shards(manifest: &Path, shared: &Path, count: usize) {
    for index in 0..count {
        let shard = format!("{index}/{count}");
        let output = common::pcmfa(&[
            "scan",
            "--files-from",
            &s(manifest),
            "--shard",
            &shard,
            "--out",
            &s(shared),
            "--quiet",
        ]);
        // The messy fixtures (rejects, a cut document) make a shard partial.
        assert!(
            matches!(output.status.code(), Some(0 | 3)),
            "shard {shard}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_no_token_shapes(shared, &output);
    }
}

/// Four shards, rolled up, give byte for byte the tables of one scan.
#[test]
fn four_shards_rolled_up_equal_one_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folders = week_of_logs(dir.path());
    let manifest = manifest(dir.path(), &folders);
    let single = dir.path().join("single");
    let shared = dir.path().join("shared");
    let rollup = dir.path().join("rollup");
    run(
        &[
            "scan",
            "--files-from",
            &s(&manifest),
            "--out",
            &s(&single),
            "-q",
        ],
        3,
    );
    run_shards(&manifest, &shared, 4);
    run(&["report", &s(&shared), "--out", &s(&rollup)], 0);
    assert_same_tables(&single, &rollup);

    // Each input was read by exactly one shard.
    let single_summary = read_summary(&single);
    let listed = fs::read_to_string(&manifest)
        .expect("manifest")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .count();
    let mut shard_files = Vec::new();
    let mut shard_records = 0;
    for index in 0..4 {
        let summary = read_summary(&shared.join(format!("shards/{index:05}-of-00004")));
        assert_eq!(summary["shard"]["index"], index);
        assert_eq!(summary["shard"]["inputs_listed"], listed);
        for file in summary["files"].as_array().expect("files") {
            shard_files.push(file["path"].as_str().expect("path").to_string());
        }
        shard_records += summary["accounting"]["records"].as_u64().expect("records");
    }
    shard_files.sort();
    let mut single_files: Vec<String> = single_summary["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect();
    single_files.sort();
    assert_eq!(shard_files, single_files);
    assert_eq!(
        shard_records,
        single_summary["accounting"]["records"].as_u64().unwrap()
    );

    // The report's summary: its inputs are the calls parts; the shards'
    // own accounting is summed under rollup.sources.
    let summary = read_summary(&rollup);
    assert_eq!(summary["status"], "complete");
    assert_eq!(
        summary["partner_center"], single_summary["partner_center"],
        "events by verdict"
    );
    assert_eq!(summary["integrations"], single_summary["integrations"]);
    assert_eq!(summary["time_range"], single_summary["time_range"]);
    assert_eq!(summary["rollup"]["sources"]["runs"], 4);
    assert_eq!(
        summary["rollup"]["sources"]["accounting"],
        single_summary["accounting"]
    );
    assert_eq!(summary["accounting"]["holds"], true);
    assert_eq!(
        summary["accounting"]["records"],
        single_summary["accounting"]["partner_center"]
    );
    // Each part holds the calls of one day (or of none: no time).
    let calls = shared.join("calls");
    let mut partitions: Vec<String> = fs::read_dir(&calls)
        .expect("calls/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    partitions.sort();
    assert_eq!(
        partitions.first().map(String::as_str),
        Some("date=2026-06-01")
    );
    assert_eq!(
        partitions.last().map(String::as_str),
        Some("date=__HIVE_DEFAULT_PARTITION__")
    );
    let part = common::analyst::read_parquet(
        &calls.join("date=2026-06-03").join(
            fs::read_dir(calls.join("date=2026-06-03"))
                .expect("day")
                .map(|e| e.expect("entry").file_name())
                .min()
                .expect("a part"),
        ),
    );
    let times = part.column("time").expect("time");
    assert_eq!(
        times.dtype().to_string(),
        "datetime[μs, UTC]",
        "calls schema kept"
    );
    // Rows of 2026-06-03: 1780444800 s .. +1 day, in microseconds.
    let day = 1_780_444_800_000_000i64..1_780_531_200_000_000;
    let micros = times
        .as_materialized_series()
        .to_physical_repr()
        .i64()
        .expect("i64")
        .clone();
    assert!(micros.iter().all(|t| t.is_some_and(|t| day.contains(&t))));

    // No part holds a token-shaped string, in any cell.
    let jwt = regex::Regex::new(r"eyJ[A-Za-z0-9_-]{4,}").expect("regex");
    for partition in fs::read_dir(&calls).expect("calls/") {
        for part in fs::read_dir(partition.expect("entry").path()).expect("partition") {
            let path = part.expect("part").path();
            let cells = common::analyst::string_cells(&path).join("\n");
            assert!(!jwt.is_match(&cells), "{} holds a token", path.display());
        }
    }
    // The report's outputs hold no token.
    let again = run(&["report", &s(&shared), "--out", &s(&rollup), "-q"], 0);
    assert_no_token_shapes(&rollup, &again);
}

/// Seven daily runs rolled up give the tables of one scan over the week.
#[test]
fn seven_daily_runs_rolled_up_equal_one_scan_of_the_week() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folders = week_of_logs(dir.path());
    let week = dir.path().join("week");
    run(
        &[
            "scan",
            &s(&dir.path().join("logs")),
            "--out",
            &s(&week),
            "-q",
        ],
        3,
    );
    let runs = dir.path().join("runs");
    for folder in &folders {
        let name = folder.file_name().expect("day").to_string_lossy();
        let out = runs.join(&*name);
        let output = common::pcmfa(&["scan", &s(folder), "--out", &s(&out), "-q"]);
        assert!(matches!(output.status.code(), Some(0 | 3)));
    }
    let rollup = dir.path().join("rollup");
    let glob = format!("{}/day-*", runs.display());
    run(&["report", &glob, "--out", &s(&rollup), "-q"], 0);
    assert_same_tables(&week, &rollup);
    // The reports come from the same end-of-run step as a scan's.
    for name in ["report.html", "report.md"] {
        let text = fs::read_to_string(rollup.join(name)).expect(name);
        assert!(
            text.contains("39441d62-a8e1-4810-a850-20bf12239031"),
            "{name}"
        );
    }
    let summary = read_summary(&rollup);
    assert_eq!(summary["inputs"]["files"], 7);
    assert_eq!(summary["rollup"]["sources"]["runs"], 7);
    assert_eq!(
        summary["rollup"]["sources"]["accounting"],
        read_summary(&week)["accounting"]
    );

    // The thread count changes nothing but the summary's timing.
    let one = dir.path().join("one-thread");
    run(
        &["report", &glob, "--out", &s(&one), "-q", "--threads", "1"],
        0,
    );
    assert_same_tables(&rollup, &one);
    let strip = |dir: &Path| {
        let mut v = read_summary(dir);
        let obj = v.as_object_mut().expect("object");
        obj.remove("duration_seconds");
        obj.remove("threads");
        v
    };
    assert_eq!(strip(&rollup), strip(&one));

    // --catalog joins owners into a report's tables as into a scan's.
    let owned = dir.path().join("owned");
    let catalog = s(&root().join("docs/sample-catalog.csv"));
    run(
        &[
            "report",
            &glob,
            "--out",
            &s(&owned),
            "-q",
            "--catalog",
            &catalog,
        ],
        0,
    );
    let rows = common::read_csv(&owned.join("integrations.csv"));
    let contoso = rows
        .iter()
        .find(|r| r["integration"] == "39441d62-a8e1-4810-a850-20bf12239031")
        .expect("Contoso Billing Sync");
    assert!(
        !contoso["owner"].is_empty(),
        "owner joined from the catalog"
    );
}

/// `--since` / `--until` keep whole UTC days: the same tables whether whole
/// Hive folders are pruned (shards) or rows filtered (a run's calls.parquet).
#[test]
fn since_until_keep_whole_utc_days() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folders = week_of_logs(dir.path());
    let manifest = manifest(dir.path(), &folders);
    let single = dir.path().join("single");
    run(
        &[
            "scan",
            "--files-from",
            &s(&manifest),
            "--out",
            &s(&single),
            "-q",
        ],
        3,
    );
    let shared = dir.path().join("shared");
    run_shards(&manifest, &shared, 3);
    let from_shards = dir.path().join("from-shards");
    let from_run = dir.path().join("from-run");
    let single_arg = s(&single);
    for (input, out) in [(&shared, &from_shards), (&single, &from_run)] {
        run(
            &[
                "report",
                &s(input),
                "--out",
                &s(out),
                "--since",
                "2026-06-03",
                "--until",
                "2026-06-05",
                "-q",
            ],
            0,
        );
    }
    assert_same_tables(&from_shards, &from_run);

    // daily.csv holds exactly the full run's rows of those days.
    let full_daily = fs::read_to_string(single.join("daily.csv")).expect("daily");
    let expected: Vec<&str> = full_daily
        .lines()
        .enumerate()
        .filter(|(i, line)| {
            *i == 0 || ["2026-06-03", "2026-06-04", "2026-06-05"].contains(&&line[..10])
        })
        .map(|(_, line)| line)
        .collect();
    let windowed = fs::read_to_string(from_shards.join("daily.csv")).expect("daily");
    assert_eq!(windowed.lines().collect::<Vec<_>>(), expected);

    let shards = read_summary(&from_shards);
    let run_summary = read_summary(&from_run);
    assert_eq!(shards["rollup"]["since"], "2026-06-03");
    assert_eq!(shards["rollup"]["until"], "2026-06-05");
    assert!(shards["rollup"]["pruned_files"].as_u64().unwrap() > 0);
    assert_eq!(run_summary["rollup"]["pruned_files"], 0);
    // Calls outside the window (and the call with no time) are `other`.
    let window_calls: u64 = expected[1..]
        .iter()
        .map(|line| line.split(',').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(run_summary["accounting"]["partner_center"], window_calls);
    assert_eq!(
        run_summary["accounting"]["records"],
        read_summary(&single)["accounting"]["partner_center"]
    );
    assert!(run_summary["accounting"]["other"].as_u64().unwrap() > 0);

    // Bad windows are usage errors.
    let bad = common::pcmfa(&[
        "report",
        &single_arg,
        "--out",
        &s(&dir.path().join("bad")),
        "--since",
        "2026-06-31",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("YYYY-MM-DD"));
}

/// A foreign Parquet file, a non-Parquet file and a cut calls file among the
/// inputs: each reported, none fatal, the good calls still rolled up.
#[test]
fn foreign_and_broken_files_are_reported_not_fatal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run_dir = dir.path().join("run");
    common::scan(&["sample-data"], &run_dir, &["-q"], 0);
    let odd = dir.path().join("odd");
    fs::create_dir_all(&odd).expect("mkdir");
    // Another table (the roll-up itself), a text file, a calls file cut in half.
    fs::copy(
        run_dir.join("integrations.parquet"),
        odd.join("foreign.parquet"),
    )
    .expect("copy");
    fs::write(odd.join("text.parquet"), "date,calls\n2026-06-01,3\n").expect("write");
    let calls = fs::read(run_dir.join("calls.parquet")).expect("calls");
    fs::write(odd.join("cut.parquet"), &calls[..calls.len() / 2]).expect("write");

    let rollup = dir.path().join("rollup");
    let pattern = format!("{}/*.parquet", odd.display());
    let output = run(
        &["report", &s(&run_dir), &pattern, "--out", &s(&rollup), "-q"],
        3,
    );
    assert_no_token_shapes(&rollup, &output);
    assert_same_tables(&run_dir, &rollup);
    let summary = read_summary(&rollup);
    assert_eq!(summary["status"], "partial");
    let reasons = |key: &str| -> Vec<(String, String)> {
        summary[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|e| {
                let path = e["path"].as_str().unwrap();
                let name = Path::new(path).file_name().unwrap().to_string_lossy();
                (name.into_owned(), e["reason"].as_str().unwrap().to_string())
            })
            .collect()
    };
    let skipped = reasons("skipped");
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert_eq!(skipped[0].0, "foreign.parquet");
    assert!(skipped[0].1.contains("not a pcmfa calls file"));
    assert_eq!(
        skipped[1],
        ("text.parquet".into(), "not a Parquet file".into())
    );
    let unreadable = reasons("unreadable");
    assert_eq!(unreadable.len(), 1);
    assert_eq!(unreadable[0].0, "cut.parquet");
    assert_eq!(summary["inputs"]["files"], 1);
}

/// Shards share one folder; a single run never mixes with them.
#[test]
fn output_folder_guard_keeps_single_runs_and_shards_apart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shared = dir.path().join("shared");
    let input = s(&root().join("sample-data/logs/har"));
    for shard in ["0/2", "1/2"] {
        run(
            &["scan", &input, "--shard", shard, "--out", &s(&shared), "-q"],
            0,
        );
    }
    let mixed = common::pcmfa(&["scan", &input, "--out", &s(&shared), "-q"]);
    assert_eq!(mixed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&mixed.stderr).contains("sharded"));
    // Into its own run folder, a report refuses to overwrite it.
    let report = common::pcmfa(&["report", &s(&shared), "--out", &s(&shared)]);
    assert_eq!(report.status.code(), Some(1));
    // Bad shard specs are usage errors, stdin cannot be sharded.
    for spec in ["2/2", "1/0", "one/two"] {
        let bad = common::pcmfa(&["scan", &input, "--shard", spec, "--out", &s(&shared)]);
        assert_eq!(bad.status.code(), Some(1), "{spec}");
        assert!(String::from_utf8_lossy(&bad.stderr).contains("zero-based"));
    }
    let stdin = common::pcmfa(&["scan", "-", "--shard", "0/2", "--out", &s(&shared)]);
    assert_eq!(stdin.status.code(), Some(1));
}

/// `--files-from -` reads the manifest from standard input.
#[test]
fn manifest_from_stdin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pcmfa"))
        .args(["scan", "--files-from", "-", "--shard", "0/1", "-q", "--out"])
        .arg(&out)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"# two files\nsample-data/logs/har/fourth-coffee-admin-console-2026-06-03.har\n\nsample-data/logs/gateway/egress-proxy-export-2026-06-05.json\n")
        .expect("write");
    let output = child.wait_with_output().expect("wait");
    assert!(output.status.success(), "{output:?}");
    let summary = read_summary(&out.join("shards/00000-of-00001"));
    assert_eq!(summary["inputs"]["files"], 2);
    assert_eq!(summary["shard"]["inputs_listed"], 2);
}

/// The Python one-liner docs/scale-out.md gives to run the DuckDB SQL.
const DUCKDB_COMMAND: &str =
    "import duckdb, sys; duckdb.sql(open(sys.argv[1]).read()).write_csv(sys.argv[2])";

/// docs/scale-out.md quotes the SQL file verbatim and gives the commands
/// these tests run.
#[test]
fn scale_out_doc_holds_the_tested_sql_and_commands() {
    let doc = fs::read_to_string(root().join("docs/scale-out.md")).expect("doc");
    let sql = fs::read_to_string(root().join("docs/sql/integrations.duckdb.sql")).expect("sql");
    assert!(
        doc.contains(&format!("```sql\n{sql}```")),
        "docs/scale-out.md must quote docs/sql/integrations.duckdb.sql verbatim"
    );
    for command in [
        DUCKDB_COMMAND,
        "pcmfa scan --files-from /logs/manifest.txt",
        "--shard \"${JOB_COMPLETION_INDEX}/16\"",
        "pcmfa report /out/week-23 --out /out/week-23-report",
        "--since 2026-06-01 --until 2026-06-07",
    ] {
        assert!(doc.contains(command), "docs/scale-out.md lacks {command:?}");
    }
}

/// docs/sql/integrations.duckdb.sql, run by DuckDB over the shards' calls,
/// gives pcmfa's integrations.csv cell for cell, in order.
#[test]
fn duckdb_rebuilds_integrations_csv_from_the_shards_calls() {
    let has_duckdb = Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_duckdb {
        assert!(
            std::env::var_os("PCMFA_REQUIRE_DUCKDB").is_none(),
            "PCMFA_REQUIRE_DUCKDB is set but python3 cannot import duckdb"
        );
        eprintln!("SKIPPED duckdb cross-check: `pip install duckdb` to run it");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let folders = week_of_logs(dir.path());
    let manifest = manifest(dir.path(), &folders);
    let single = dir.path().join("single");
    run(
        &[
            "scan",
            "--files-from",
            &s(&manifest),
            "--out",
            &s(&single),
            "-q",
        ],
        3,
    );
    let shared = dir.path().join("shared");
    run_shards(&manifest, &shared, 4);

    // The command docs/scale-out.md gives, run in the shared folder.
    let sql = root().join("docs/sql/integrations.duckdb.sql");
    let output = Command::new("python3")
        .args(["-c", DUCKDB_COMMAND])
        .arg(&sql)
        .arg("integrations.duckdb.csv")
        .current_dir(&shared)
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "duckdb: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let cells = |path: &Path| -> Vec<Vec<String>> {
        csv::Reader::from_path(path)
            .expect("csv")
            .into_records()
            .map(|r| r.expect("row").iter().map(str::to_string).collect())
            .collect()
    };
    let ours = cells(&single.join("integrations.csv"));
    let duckdb = cells(&shared.join("integrations.duckdb.csv"));
    assert!(ours.len() > 10, "a real table");
    assert!(
        ours.iter().any(|row| row[3].starts_with("'=")),
        "a CSV-safe cell is compared"
    );
    for (i, (a, b)) in ours.iter().zip(&duckdb).enumerate() {
        assert_eq!(a, b, "row {}", i + 1);
    }
    assert_eq!(ours.len(), duckdb.len());

    // A file another engine wrote (DuckDB compacting the tree) rolls up the same.
    let compact = Command::new("python3")
        .args([
            "-c",
            "import duckdb; duckdb.sql(\"COPY (SELECT * FROM read_parquet('calls/**/*.parquet', hive_partitioning = true)) TO 'compacted.parquet' (FORMAT parquet)\")",
        ])
        .current_dir(&shared)
        .output()
        .expect("python3");
    assert!(
        compact.status.success(),
        "{}",
        String::from_utf8_lossy(&compact.stderr)
    );
    let rollup = dir.path().join("from-duckdb");
    run(
        &[
            "report",
            &s(&shared.join("compacted.parquet")),
            "--out",
            &s(&rollup),
            "-q",
        ],
        0,
    );
    assert_same_tables(&single, &rollup);
}
