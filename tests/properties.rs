//! Properties over random inputs: every record is accounted for, and a
//! parallel run equals a sequential one, on random mixes of good and bad
//! records; and no decoder panics on random or mutated bytes.

use std::io::Read;
use std::path::Path;

use pcmfa::formats::csv_record::{parse_csv_record, CsvHeader};
use pcmfa::formats::{detect, parse_record, RecordKind, FORMATS};
use pcmfa::input::json_array::JsonArrayFramer;
use pcmfa::input::{CsvChunker, LineChunker, Utf16Reader};
use pcmfa::pipeline::{scan, Progress, ScanConfig};
use pcmfa::token::BearerToken;
use proptest::prelude::*;

/// How many kinds of line [`record`] writes.
const KINDS: u8 = 11;

/// Kinds of line a messy export holds.
fn record(kind: u8, i: usize) -> Vec<u8> {
    let host = [
        "api.partnercenter.microsoft.com",
        "graph.microsoft.com",
        "api.partner.microsoft.com",
    ][i % 3];
    match kind % KINDS {
        0 => format!(r#"{{"time":"2026-06-0{}T10:00:00Z","url":"https://{host}/v1/customers/{i}","status":401,"body":"{{\"code\":900421}}","user_agent":"ua{}"}}"#, i % 7 + 1, i % 5).into_bytes(),
        1 => format!(r#"{{"@t":"2026-06-02T10:00:00Z","host":"{host}","path":"/v1/invoices","status_code":200,"authorization":"Bearer x.y.z","ua":"u{}"}}"#, i % 4).into_bytes(),
        2 => format!(r#"{{"category":"SignInLogs","time":"2026-06-03T01:00:00Z","properties":{{"appId":"0000000{}-0000-4000-8000-000000000000","resourceId":"fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd","status":{{"errorCode":{}}},"authenticationRequirement":"singleFactorAuthentication"}}}}"#, i % 9, [0, 50076][i % 2]).into_bytes(),
        3 => b"{\"truncated\":".to_vec(),
        4 => b"[1,2]".to_vec(),
        5 => vec![b'{', 0xff, b'}'],
        6 => Vec::new(),
        7 => format!(r#"{{"mfaCompliant":{},"operationName":"Get /v1/customers","applicationId":"app{}","requestDateTime":"2026-06-04T00:00:00"}}"#, i % 2 == 0, i % 3).into_bytes(),
        // A token request whose response issued kind 1's token: evidence held to the end.
        8 => format!(r#"{{"@t":"2026-06-02T09:00:00Z","url":"https://login.microsoftonline.com/t/oauth2/token","request_body":"grant_type={}&client_id=0000000{}-0000-4000-8000-000000000000&client_secret=s3cret&resource=https%3A%2F%2Fapi.partnercenter.microsoft.com","response":{{"status":200,"body":"{{\"access_token\":\"x.y.z\"}}"}}}}"#, ["password", "client_credentials", "refresh_token"][i % 3], i % 4).into_bytes(),
        // An Application Insights dependency without a token, and a trace of its operation.
        9 => format!(r#"{{"TimeGenerated":"2026-06-02T09:00:01Z","Target":"api.partnercenter.microsoft.com","Data":"https://api.partnercenter.microsoft.com/v1/customers","Name":"GET /v1/customers","ResultCode":"401","DependencyType":"HTTP","OperationId":"op{}","Type":"AppDependencies"}}"#, i % 4).into_bytes(),
        _ => format!(r#"{{"TimeGenerated":"2026-06-02T09:00:02Z","Message":"Partner Center answered 401: {{\"code\":900421}}","SeverityLevel":3,"OperationId":"op{}","Type":"AppTraces"}}"#, i % 4).into_bytes(),
    }
}

/// Kinds of row a CSV export holds, under [`CSV_HEADER`].
fn csv_row(kind: u8, i: usize) -> Vec<u8> {
    let host = ["api.partnercenter.microsoft.com", "graph.microsoft.com"][i % 2];
    match kind % 8 {
        0 => format!("2026-06-0{} 10:00:00,https://{host}/v1/customers/{i},401,\"{{\"\"code\"\":900421}}\",ua{}", i % 7 + 1, i % 5).into_bytes(),
        1 => format!("\"6/2/2026, 8:15:03.123 AM\",{host},200,\"multi\nline \"\"quoted\"\" cell\",ua{}", i % 3).into_bytes(),
        2 => format!("x,https://{host}/v1,401").into_bytes(),
        3 => {
            let mut row = format!("2026-06-02 10:00:00,https://{host}/v1,401,").into_bytes();
            row.extend_from_slice(b"\xff\xfe,ua");
            row
        }
        4 => Vec::new(),
        5 => format!("2026-06-02 10:00:00,https://{host}/x,200,,ua{}", i % 4).into_bytes(),
        6 => format!("2026-06-02 10:00:00,https://{host}/v1/invoices,200,\"isMfaCompliant: \"\"False\"\"\",ua").into_bytes(),
        _ => format!("\"2026-06-02 10:00:00\",\"https://{host}/v1/invoices\",\"200\",\"line1\r\nline2\",\"ua\"").into_bytes(),
    }
}

const CSV_HEADER: &[u8] =
    b"\xEF\xBB\xBFTimeGenerated [UTC],Url,Status,Response Body,User Agent\r\n";

fn run(input: &Path, out: &Path, threads: usize, chunk_bytes: usize) -> serde_json::Value {
    let mut config = ScanConfig::new(vec![input.display().to_string()], out.to_path_buf());
    config.threads = threads;
    config.chunk_bytes = chunk_bytes;
    let report = scan(&config, &Progress::default()).expect("scan");
    let mut summary = serde_json::to_value(&report.summary).expect("json");
    let obj = summary.as_object_mut().expect("object");
    obj.remove("duration_seconds");
    obj.remove("threads");
    summary
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn accounting_holds_and_parallel_equals_sequential(
        kinds in proptest::collection::vec(any::<u8>(), 1..300),
        chunk in 64usize..4096,
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("mix.jsonl");
        // The first line is whole, so the file is recognised as JSON lines
        // (a file of one broken line is skipped as unrecognised instead).
        let mut data = record(0, 0);
        data.push(b'\n');
        for (i, kind) in kinds.iter().enumerate() {
            data.extend(record(*kind, i));
            data.extend_from_slice(if i % 5 == 0 { b"\r\n" } else { b"\n" });
        }
        std::fs::write(&input, &data).expect("write");
        let (one, many) = (dir.path().join("one"), dir.path().join("many"));
        let a = run(&input, &one, 1, chunk);
        let b = run(&input, &many, 3, chunk);
        prop_assert_eq!(&a, &b);
        let acc = &a["accounting"];
        prop_assert_eq!(&acc["holds"], &serde_json::Value::Bool(true));
        let blank = kinds.iter().filter(|k| **k % KINDS == 6).count() as u64;
        prop_assert_eq!(acc["records"].as_u64(), Some(kinds.len() as u64 + 1 - blank));
        for file in ["calls.parquet", "integrations.csv", "integrations.parquet", "operations.csv", "daily.csv", "rejects.csv", "report.html", "report.md"] {
            let x = std::fs::read(one.join(file)).expect("read");
            let y = std::fs::read(many.join(file)).expect("read");
            prop_assert!(x == y, "{} differs", file);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn csv_accounting_holds_and_parallel_equals_sequential(
        kinds in proptest::collection::vec(any::<u8>(), 1..200),
        chunk in 64usize..2048,
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("export.csv");
        let mut data = CSV_HEADER.to_vec();
        for (i, kind) in kinds.iter().enumerate() {
            data.extend(csv_row(*kind, i));
            data.extend_from_slice(if i % 3 == 0 { b"\r\n" } else { b"\n" });
        }
        std::fs::write(&input, &data).expect("write");
        let (one, many) = (dir.path().join("one"), dir.path().join("many"));
        let a = run(&input, &one, 1, chunk);
        let b = run(&input, &many, 3, chunk);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(&a["files"][0]["format"], "gateway_csv");
        let acc = &a["accounting"];
        prop_assert_eq!(&acc["holds"], &serde_json::Value::Bool(true));
        let blank = kinds.iter().filter(|k| **k % 8 == 4).count() as u64;
        prop_assert_eq!(acc["records"].as_u64(), Some(kinds.len() as u64 - blank));
        // Ragged rows (kind 2) and invalid UTF-8 (kind 3) that mention Partner Center.
        let bad = kinds
            .iter()
            .enumerate()
            .filter(|(i, k)| matches!(**k % 8, 2 | 3) && i % 2 == 0)
            .count() as u64;
        prop_assert_eq!(acc["rejected"].as_u64(), Some(bad));
        for file in ["calls.parquet", "integrations.csv", "operations.csv", "daily.csv", "rejects.csv"] {
            let x = std::fs::read(one.join(file)).expect("read");
            let y = std::fs::read(many.join(file)).expect("read");
            prop_assert!(x == y, "{} differs", file);
        }
    }
}

/// A tiny deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Flips, inserts, deletes and duplicates bytes of a seed input.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(5) {
            0 if at < data.len() => data[at] = rng.next() as u8,
            1 => {
                let specials = b"{}[]\",:\\\n\0\xff";
                data.insert(at, specials[rng.below(specials.len())]);
            }
            2 if at < data.len() => {
                data.remove(at);
            }
            3 => {
                let end = (at + rng.below(64)).min(data.len());
                let piece = data[at..end].to_vec();
                data.splice(at..at, piece);
            }
            _ => data.truncate(at),
        }
    }
    data
}

#[test]
fn no_decoder_panics_on_random_or_mutated_input() {
    let seeds: Vec<Vec<u8>> = vec![
        std::fs::read("sample-data/logs/har/fourth-coffee-admin-console-2026-06-03.har")
            .expect("har"),
        std::fs::read("sample-data/logs/partner-center/partnerRequests-2026-06-08-page2.json")
            .expect("items"),
        std::fs::read("tests/fixtures/messy-gateway.jsonl").expect("jsonl"),
        std::fs::read("sample-data/logs/entra/InteractiveSignIns_2026-06-01_2026-06-03.json")
            .expect("array"),
        std::fs::read("tests/fixtures/azure/ApiManagementGatewayLogs.csv").expect("csv"),
        std::fs::read("tests/fixtures/azure/AppTraces.csv").expect("csv"),
    ];
    let header = CsvHeader::parse(
        b"TimeGenerated [UTC],Url,BackendUrl,BackendResponseCode,BackendRequestHeaders,BackendResponseBody",
        b',',
        RecordKind::Auto,
    )
    .expect("header");
    let seeds: Vec<Vec<u8>> = seeds
        .into_iter()
        .map(|s| s[..s.len().min(16 * 1024)].to_vec())
        .collect();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut runs = 0;
    while runs < 3000 && std::time::Instant::now() < deadline {
        runs += 1;
        let input = if rng.below(4) == 0 {
            (0..rng.below(2048)).map(|_| rng.next() as u8).collect()
        } else {
            let seed = &seeds[rng.below(seeds.len())];
            mutate(&mut rng, seed)
        };
        let _ = detect(&input);
        for info in FORMATS {
            let _ = parse_record(&input, info.format);
        }
        for line in input.split(|b| *b == b'\n') {
            let _ = parse_record(line, FORMATS[0].format);
            if let Ok(text) = std::str::from_utf8(line) {
                if let Some(token) = BearerToken::new(text) {
                    let _ = token.claims();
                }
            }
        }
        let elements: usize =
            JsonArrayFramer::new(&input[..], pcmfa::formats::DOCUMENT_PATHS, 4096)
                .take(10_000)
                .filter_map(Result::ok)
                .map(|e| e.bytes.len())
                .sum();
        assert!(
            elements <= input.len(),
            "framed bytes never exceed the input"
        );
        let mut chunker = LineChunker::new(&input[..], 512, 256);
        let mut framed = 0;
        while let Some(Ok(chunk)) = chunker.next_chunk() {
            framed += chunk.data.len();
        }
        assert!(
            framed <= input.len() + 1 + input.len() / 256 + 1,
            "lines never grow the input"
        );
        let mut chunker = CsvChunker::new(&input[..], b',', 512, 256);
        let mut framed = 0;
        while let Some(Ok(chunk)) = chunker.next_chunk() {
            for (_, range) in chunk.records {
                if let Some(row) = range.and_then(|r| chunk.data.get(r)) {
                    framed += row.len();
                    let _ = parse_csv_record(row, &header);
                }
            }
        }
        assert!(framed <= input.len(), "CSV records never exceed the input");
        let mut utf8 = Vec::new();
        let _ = Utf16Reader::new(&input[..])
            .take(1 << 20)
            .read_to_end(&mut utf8);
    }
    assert!(runs >= 200, "only {runs} inputs in the time box");
}
