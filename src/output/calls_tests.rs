use std::fs;

use arrow::array::{
    Array, AsArray, ListArray, StringArray, TimestampMicrosecondArray, UInt16Array, UInt64Array,
};
use arrow::datatypes::{DataType, TimeUnit};
use parquet::file::reader::{FileReader, SerializedFileReader};

use super::*;
use crate::output::test_support::{
    app_only_call, broken_call, file_names, read_parquet, sparse_call,
};

fn write_calls(dir: &Path, calls: &[Call]) -> u64 {
    let mut w = CallsParquetWriter::create(dir).unwrap();
    for call in calls {
        w.write(call).unwrap();
    }
    w.finish().unwrap()
}

fn text(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let col = batch.column_by_name(name).unwrap();
    let col = col.as_any().downcast_ref::<StringArray>().unwrap();
    col.iter().map(|v| v.map(str::to_string)).collect()
}

/// Rows of each row group of a Parquet file.
fn row_groups(path: &Path) -> Vec<i64> {
    let reader = SerializedFileReader::new(fs::File::open(path).unwrap()).unwrap();
    reader
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows())
        .collect()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[test]
fn schema_matches_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    write_calls(dir.path(), &[broken_call()]);
    let (schema, _) = read_parquet(&dir.path().join(CALLS_FILE));
    let expected = [
        (
            "time",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
        ("source_file", DataType::Utf8, false),
        ("source_record", DataType::UInt64, false),
        ("format", DataType::Utf8, false),
        ("event", DataType::Utf8, false),
        ("host", DataType::Utf8, true),
        ("method", DataType::Utf8, true),
        ("path", DataType::Utf8, true),
        ("operation", DataType::Utf8, true),
        ("status", DataType::UInt16, true),
        ("error_code", DataType::Utf8, true),
        ("auth_mode", DataType::Utf8, false),
        ("mfa_claim", DataType::Utf8, false),
        ("verdict", DataType::Utf8, false),
        ("evidence", DataType::Utf8, false),
        ("app_id", DataType::Utf8, true),
        ("app_name", DataType::Utf8, true),
        ("tenant_id", DataType::Utf8, true),
        ("principal", DataType::Utf8, true),
        (
            "amr",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            true,
        ),
        ("token_fingerprint", DataType::Utf8, true),
        ("correlation_id", DataType::Utf8, true),
        ("request_id", DataType::Utf8, true),
        ("user_agent", DataType::Utf8, true),
        ("integration", DataType::Utf8, false),
        ("evidence_detail", DataType::Utf8, true),
    ];
    let actual: Vec<_> = schema
        .fields()
        .iter()
        .map(|f| (f.name().as_str(), f.data_type().clone(), f.is_nullable()))
        .collect();
    let expected: Vec<_> = expected
        .iter()
        .map(|(n, t, null)| (*n, t.clone(), *null))
        .collect();
    assert_eq!(actual, expected);
    assert_eq!(schema.as_ref(), calls_schema().as_ref());
}

#[test]
fn values_round_trip_with_nulls_and_lists() {
    let dir = tempfile::tempdir().unwrap();
    let calls = [broken_call(), sparse_call(), app_only_call()];
    assert_eq!(write_calls(dir.path(), &calls), 3);
    assert_eq!(file_names(dir.path()), vec![CALLS_FILE]);

    let (_, batches) = read_parquet(&dir.path().join(CALLS_FILE));
    assert_eq!(batches.len(), 1);
    let b = &batches[0];
    assert_eq!(b.num_rows(), 3);

    let time = b
        .column(0)
        .as_any()
        .downcast_ref::<TimestampMicrosecondArray>()
        .unwrap();
    assert_eq!(time.timezone(), Some("UTC"));
    assert_eq!(
        time.iter().collect::<Vec<_>>(),
        vec![
            Some(1_775_117_703_123_456),
            None,
            Some(1_775_203_200_000_000)
        ]
    );
    assert_eq!(
        text(b, "source_file"),
        vec![s("logs/apim.jsonl"), s("-"), s("logs/apim.jsonl")]
    );
    let record = b.column_by_name("source_record").unwrap();
    let record = record.as_any().downcast_ref::<UInt64Array>().unwrap();
    assert_eq!(record.values().to_vec(), vec![42, 1, 3]);
    assert_eq!(
        text(b, "format"),
        vec![s("apim_gateway"), s("entra_sign_in"), s("apim_gateway")]
    );
    assert_eq!(
        text(b, "event"),
        vec![s("api_call"), s("sign_in"), s("api_call")]
    );
    assert_eq!(text(b, "host")[1], None);
    assert_eq!(text(b, "method"), vec![s("GET"), None, s("GET")]);
    assert_eq!(
        text(b, "operation")[0],
        s("GET /v1/customers/{id}/subscriptions")
    );
    let status = b.column_by_name("status").unwrap();
    let status = status.as_any().downcast_ref::<UInt16Array>().unwrap();
    assert_eq!(
        status.iter().collect::<Vec<_>>(),
        vec![Some(401), None, Some(200)]
    );
    assert_eq!(text(b, "error_code"), vec![s("900421"), None, None]);
    assert_eq!(
        text(b, "auth_mode"),
        vec![s("app_user"), s("unknown"), s("app_only")]
    );
    assert_eq!(
        text(b, "mfa_claim"),
        vec![s("absent"), s("unknown"), s("not_applicable")]
    );
    assert_eq!(
        text(b, "verdict"),
        vec![s("broken"), s("unknown"), s("not_affected")]
    );
    assert_eq!(
        text(b, "evidence"),
        vec![s("error_900421"), s("undecodable_token"), s("token_claims")]
    );
    assert_eq!(
        text(b, "principal"),
        vec![s("ops@contoso.example"), None, None]
    );
    // Parquet keeps the true value: no spreadsheet prefix.
    assert_eq!(
        text(b, "user_agent"),
        vec![s("=cmd|' /C calc'!A0"), None, None]
    );
    assert_eq!(
        text(b, "integration"),
        vec![
            s("1b2c3d4e-0000-4000-8000-00000000000a"),
            s("unknown-app"),
            s("1b2c3d4e-0000-4000-8000-00000000000a")
        ]
    );
    assert_eq!(text(b, "evidence_detail"), vec![None, s("jwe_token"), None]);

    let amr = b.column_by_name("amr").unwrap();
    let amr = amr.as_any().downcast_ref::<ListArray>().unwrap();
    let items = |i: usize| -> Vec<String> {
        let values = amr.value(i);
        values
            .as_string::<i32>()
            .iter()
            .map(|v| v.unwrap().to_string())
            .collect()
    };
    assert!(amr.is_valid(0));
    assert_eq!(items(0), vec!["pwd", "rsa"]);
    assert!(amr.is_null(1));
    assert!(amr.is_valid(2));
    assert!(items(2).is_empty());
}

#[test]
fn many_rows_keep_their_order_and_row_groups_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let rows = ROW_GROUP_ROWS + 3 * BATCH_ROWS + 5;
    let mut w = CallsParquetWriter::create(dir.path()).unwrap();
    for i in 0..rows {
        let mut call = sparse_call();
        call.source_record = i as u64 + 1;
        w.write(&call).unwrap();
    }
    assert_eq!(w.finish().unwrap(), rows as u64);

    let path = dir.path().join(CALLS_FILE);
    let (_, batches) = read_parquet(&path);
    let records: Vec<u64> = batches
        .iter()
        .flat_map(|b| {
            let col = b.column_by_name("source_record").unwrap();
            col.as_any()
                .downcast_ref::<UInt64Array>()
                .unwrap()
                .values()
                .to_vec()
        })
        .collect();
    assert_eq!(records, (1..=rows as u64).collect::<Vec<_>>());

    assert_eq!(
        row_groups(&path),
        vec![ROW_GROUP_ROWS as i64, (rows - ROW_GROUP_ROWS) as i64]
    );
}

#[test]
fn empty_run_writes_a_valid_file_with_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let w = CallsParquetWriter::create(dir.path()).unwrap();
    assert_eq!(w.finish().unwrap(), 0);
    let (schema, batches) = read_parquet(&dir.path().join(CALLS_FILE));
    assert_eq!(schema.as_ref(), calls_schema().as_ref());
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 0);
    assert_eq!(file_names(dir.path()), vec![CALLS_FILE]);
}

#[test]
fn identical_rows_give_identical_bytes() {
    let calls = [broken_call(), sparse_call(), app_only_call(), broken_call()];
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_calls(a.path(), &calls);
    write_calls(b.path(), &calls);
    let bytes = |d: &Path| fs::read(d.join(CALLS_FILE)).unwrap();
    assert_eq!(bytes(a.path()), bytes(b.path()));
}

#[test]
fn unwritable_folder_is_an_error_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    // A path under a regular file: creation fails even as root.
    fs::write(dir.path().join("not-a-dir"), b"").unwrap();
    let bad = dir.path().join("not-a-dir");
    match CallsParquetWriter::create(&bad) {
        Err(Error::Write { path, .. }) => assert_eq!(path, bad.join(CALLS_FILE)),
        Err(other) => panic!("expected a write error, got {other}"),
        Ok(_) => panic!("expected a write error"),
    }
    assert_eq!(file_names(dir.path()), vec!["not-a-dir"]);
}

#[test]
fn dropped_writer_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = CallsParquetWriter::create(dir.path()).unwrap();
    w.write(&broken_call()).unwrap();
    drop(w);
    assert!(file_names(dir.path()).is_empty());
}

#[test]
fn polars_reads_the_contract_types() {
    use polars::prelude::{self as pl, SerReader};
    let dir = tempfile::tempdir().unwrap();
    write_calls(dir.path(), &[broken_call(), sparse_call(), app_only_call()]);
    let file = fs::File::open(dir.path().join(CALLS_FILE)).unwrap();
    let df = pl::ParquetReader::new(file).finish().unwrap();
    assert_eq!(df.height(), 3);
    let schema = df.schema();
    let dtype = |name: &str| schema.get(name).unwrap().clone();
    assert_eq!(
        dtype("time"),
        pl::DataType::Datetime(pl::TimeUnit::Microseconds, Some(pl::TimeZone::UTC))
    );
    assert_eq!(dtype("source_record"), pl::DataType::UInt64);
    assert_eq!(dtype("status"), pl::DataType::UInt16);
    assert_eq!(
        dtype("amr"),
        pl::DataType::List(Box::new(pl::DataType::String))
    );
    assert_eq!(dtype("integration"), pl::DataType::String);
    assert_eq!(df.get_column_names().len(), calls_schema().fields().len());
}

/// Runs the jobs on scoped threads, in reverse order, all at once.
struct AllAtOnce;

impl RunJobs for AllAtOnce {
    fn run(&self, jobs: Vec<Job<'_>>) {
        std::thread::scope(|scope| {
            for job in jobs.into_iter().rev() {
                scope.spawn(job);
            }
        });
    }
}

/// Rows with distinct values in every column kind, `n` of them.
fn varied_calls(n: usize) -> Vec<Call> {
    let templates = [broken_call(), sparse_call(), app_only_call()];
    (0..n)
        .map(|i| {
            let mut call = templates[i % templates.len()].clone();
            call.source_record = i as u64 + 1;
            call.time = call.time.map(|t| t + i as i64);
            call.correlation_id = Some(format!("corr-{i}"));
            call
        })
        .collect()
}

#[test]
fn batches_of_any_size_on_any_runner_give_the_bytes_of_row_by_row_writing() {
    let calls = varied_calls(ROW_GROUP_ROWS + 2 * BATCH_ROWS + 77);
    let by_row = tempfile::tempdir().unwrap();
    write_calls(by_row.path(), &calls);
    let expected = fs::read(by_row.path().join(CALLS_FILE)).unwrap();

    // Batches that straddle slices and row groups, mixed with single rows.
    let sizes = [1usize, 5000, 8191, 3, 20_000, 1, 12_345];
    for runner in [None, Some(Arc::new(AllAtOnce) as Arc<dyn RunJobs>)] {
        let dir = tempfile::tempdir().unwrap();
        let mut w = CallsParquetWriter::create(dir.path()).unwrap();
        if let Some(runner) = runner.clone() {
            w = w.encode_with(runner);
        }
        let mut rest = &calls[..];
        for size in sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (now, later) = rest.split_at((*size).min(rest.len()));
            if now.len() == 1 {
                w.write(&now[0]).unwrap();
            } else {
                w.write_batch(calls_batch(now).unwrap()).unwrap();
            }
            rest = later;
        }
        assert_eq!(w.rows(), calls.len() as u64);
        assert_eq!(w.finish().unwrap(), calls.len() as u64);
        let got = fs::read(dir.path().join(CALLS_FILE)).unwrap();
        assert!(
            got == expected,
            "bytes differ (runner: {})",
            runner.is_some()
        );
    }

    assert_eq!(
        row_groups(&by_row.path().join(CALLS_FILE)),
        vec![ROW_GROUP_ROWS as i64, (2 * BATCH_ROWS + 77) as i64]
    );
}

#[test]
fn a_batch_of_another_schema_is_refused() {
    use arrow::array::Int32Array;
    use arrow::datatypes::{Field, Schema};
    let dir = tempfile::tempdir().unwrap();
    let mut w = CallsParquetWriter::create(dir.path()).unwrap();
    let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int32, false)]));
    let batch = RecordBatch::try_new(schema, vec![Arc::new(Int32Array::from(vec![1]))]).unwrap();
    assert!(w.write_batch(batch).is_err());
    drop(w);
    assert!(file_names(dir.path()).is_empty());
}

#[test]
fn unique_columns_skip_the_dictionary_repeating_ones_keep_it() {
    let dir = tempfile::tempdir().unwrap();
    let calls: Vec<Call> = (0..500u64)
        .map(|i| {
            let mut call = broken_call();
            call.source_record = i;
            call.time = Some(1_775_000_000_000_000 + i as i64);
            call.correlation_id = Some(format!("c0ffee00-0000-4000-8000-{i:012}"));
            call.request_id = Some(format!("0ddba11-0000-4000-8000-{i:012}"));
            call
        })
        .collect();
    write_calls(dir.path(), &calls);
    let reader =
        SerializedFileReader::new(fs::File::open(dir.path().join(CALLS_FILE)).unwrap()).unwrap();
    let group = reader.metadata().row_group(0);
    let column = |name: &str| {
        (0..group.num_columns())
            .map(|i| group.column(i))
            .find(|c| c.column_path().string() == name)
            .unwrap()
    };
    let has_dictionary = |name: &str| column(name).dictionary_page_offset().is_some();
    for unique in UNIQUE_COLUMNS {
        assert!(
            !has_dictionary(unique.name),
            "{} has a dictionary",
            unique.name
        );
        let delta = column(unique.name)
            .encodings()
            .any(|e| e == parquet::basic::Encoding::DELTA_BINARY_PACKED);
        assert_eq!(delta, unique.delta, "{}", unique.name);
    }
    for name in ["app_id", "verdict", "operation", "integration"] {
        assert!(has_dictionary(name), "{name} has no dictionary");
    }
    // Values read back whole whatever the encoding.
    let (_, batches) = read_parquet(&dir.path().join(CALLS_FILE));
    let ids: Vec<_> = batches.iter().flat_map(|b| text(b, "request_id")).collect();
    assert_eq!(
        ids[499].as_deref(),
        Some("0ddba11-0000-4000-8000-000000000499")
    );
}
