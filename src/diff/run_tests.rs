use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;

use super::*;
use crate::pipeline::{scan, Progress, ScanConfig};

/// Gateway lines: app `...a` rejected with 900421, app `...b` app-only (no user claims).
const LOGS: &str = concat!(
    r#"{"time":"2026-06-02T08:00:00Z","host":"api.partnercenter.microsoft.com","method":"GET","path":"/v1/customers","status":401,"user_agent":"ScriptA/1.0","body":"{\"code\":900421}"}"#,
    "\n",
    r#"{"time":"2026-06-03T09:30:00Z","host":"api.partnercenter.microsoft.com","method":"GET","path":"/v1/invoices","status":401,"user_agent":"ScriptA/1.0","body":"{\"code\":900421}"}"#,
    "\n",
    r#"{"time":"2026-06-04T10:00:00Z","host":"api.partnercenter.microsoft.com","method":"GET","path":"/v1/offers","status":200,"user_agent":"ScriptB/2.0"}"#,
    "\n",
);

/// Scans `LOGS` with the real pipeline into `dir/out`.
fn scanned(dir: &Path) -> (PathBuf, crate::pipeline::ScanReport) {
    std::fs::write(dir.join("gateway.jsonl"), LOGS).unwrap();
    let out = dir.join("out");
    let mut config = ScanConfig::new(
        vec![dir.join("gateway.jsonl").display().to_string()],
        out.clone(),
    );
    config.threads = 1;
    let report = scan(&config, &Progress::default()).unwrap();
    (out, report)
}

#[test]
fn a_scanned_run_reads_back_row_for_row() {
    let dir = tempfile::tempdir().unwrap();
    let (out, report) = scanned(dir.path());
    let run = load_run(&out).unwrap();
    assert_eq!(run.info.dir, out);
    assert_eq!(run.info.status, "complete");
    assert_eq!(run.info.first.as_deref(), Some("2026-06-02T08:00:00.000Z"));
    assert_eq!(run.info.last.as_deref(), Some("2026-06-04T10:00:00.000Z"));
    assert_eq!(run.info.events, 3);
    assert_eq!(run.integrations.len(), report.integrations.len());
    for (got, want) in run.integrations.iter().zip(&report.integrations) {
        assert_eq!(got.integration, want.integration);
        assert_eq!(got.app_id, want.app_id);
        assert_eq!(got.app_name, want.app_name);
        assert_eq!(got.verdict, want.verdict);
        assert_eq!(got.counts, want.counts);
        assert_eq!(got.last_seen, want.last_seen);
        assert_eq!(got.last_broken, want.last_broken);
        assert_eq!(got.action.as_deref(), Some(want.action.as_str()));
    }
    assert_eq!(
        read_integration_rows(&out).unwrap(),
        report.integrations,
        "every column"
    );
    let broken = &run.integrations[0];
    assert_eq!(broken.integration, "ua:ScriptA/1.0");
    assert_eq!(broken.verdict, Verdict::Broken);
    assert_eq!(broken.counts.get(Verdict::Broken), 2);
}

#[test]
fn counts_resaved_as_int64_read_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = scanned(dir.path());
    let before = load_run(&out).unwrap();
    // Re-save integrations.parquet the way a notebook might: counts as int64.
    let path = out.join(INTEGRATIONS_PARQUET);
    let file = File::open(&path).unwrap();
    let batches: Vec<RecordBatch> = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect();
    let schema = batches[0].schema();
    let widen = |f: &Field| match f.data_type() {
        DataType::UInt64 | DataType::UInt32 => {
            Field::new(f.name(), DataType::Int64, f.is_nullable())
        }
        _ => f.clone(),
    };
    let wide = Arc::new(Schema::new(
        schema.fields().iter().map(|f| widen(f)).collect::<Vec<_>>(),
    ));
    let mut writer =
        ArrowWriter::try_new(File::create(&path).unwrap(), wide.clone(), None).unwrap();
    for batch in &batches {
        let columns: Vec<ArrayRef> = batch
            .columns()
            .iter()
            .zip(wide.fields())
            .map(|(c, f)| cast(c, f.data_type()).unwrap())
            .collect();
        writer
            .write(&RecordBatch::try_new(wide.clone(), columns).unwrap())
            .unwrap();
    }
    writer.close().unwrap();
    assert_eq!(load_run(&out).unwrap(), before);
}

#[test]
fn what_is_not_a_finished_run_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = scanned(dir.path());
    let message = |dir: &Path| match load_run(dir) {
        Err(Error::Run { path, message }) => {
            assert_eq!(path, dir);
            message
        }
        other => panic!("expected a run error, got {other:?}"),
    };
    // A log folder.
    assert!(message(dir.path()).contains("not the output folder of a finished pcmfa run"));
    // A run without its table.
    std::fs::rename(
        out.join(INTEGRATIONS_PARQUET),
        dir.path().join("moved.parquet"),
    )
    .unwrap();
    assert!(message(&out).starts_with("integrations.parquet: "));
    // A file that is not Parquet.
    std::fs::write(out.join(INTEGRATIONS_PARQUET), b"PAR1 not really").unwrap();
    assert!(message(&out).starts_with("integrations.parquet: "));
    // A table without a column the diff needs.
    let schema = Arc::new(Schema::new(vec![Field::new(
        "integration",
        DataType::Utf8,
        false,
    )]));
    let column: ArrayRef = Arc::new(arrow::array::StringArray::from(vec!["a"]));
    let file = File::create(out.join(INTEGRATIONS_PARQUET)).unwrap();
    let mut writer = ArrowWriter::try_new(file, schema.clone(), None).unwrap();
    writer
        .write(&RecordBatch::try_new(schema, vec![column]).unwrap())
        .unwrap();
    writer.close().unwrap();
    assert_eq!(
        message(&out),
        "integrations.parquet has no column \"app_id\""
    );
    // Another schema version.
    std::fs::write(out.join(SUMMARY_FILE), r#"{"schema_version": 7}"#).unwrap();
    assert!(message(&out).contains("schema_version 7; this pcmfa reads 1"));
    std::fs::write(out.join(SUMMARY_FILE), "{").unwrap();
    assert!(message(&out).contains("is not JSON"));
}
