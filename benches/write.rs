//! Output: `CallsParquetWriter` writing classified calls into a temporary
//! folder (create, batches, footer, fsync, rename), measured in rows and in
//! bytes of Parquet written: row by row, and as the pipeline does it (each
//! chunk's calls appended one by one to Arrow columns sized from the
//! previous chunk, then written as a record batch), on one thread.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pcmfa::classify::{classify, Origin};
use pcmfa::event::Call;
use pcmfa::formats::{parse_record, Format, Framing, Parsed, RecordKind};
use pcmfa::output::{CallColumns, CallsParquetWriter, ColumnSizes, CALLS_FILE};

mod common;

const ROWS: usize = 50_000;

/// Calls in a 4 MiB chunk of gateway lines that all go to Partner Center.
const CHUNK_CALLS: usize = 2_250;

/// `ROWS` calls classified from gateway lines that all go to Partner Center.
fn calls() -> Vec<Call> {
    let mut generator = common::GatewayGen::new(60, 100);
    let format = Format {
        framing: Framing::Lines,
        records: RecordKind::Auto,
    };
    let source_file: Arc<str> = Arc::from("/var/log/gateway/2026-04-01.jsonl");
    let mut calls = Vec::with_capacity(ROWS);
    let mut line = String::new();
    let mut record = 0u64;
    while calls.len() < ROWS {
        line.clear();
        generator.record(&mut line);
        record += 1;
        let Parsed::Event(obs, label) = parse_record(line.as_bytes(), format) else {
            panic!("synthetic record rejected");
        };
        let origin = Origin {
            source_file: source_file.clone(),
            source_record: record,
            format: label,
        };
        calls.extend(classify(*obs, &origin));
    }
    calls
}

fn write_calls(dir: &Path, calls: &[Call]) -> u64 {
    let mut writer = CallsParquetWriter::create(dir).expect("create calls.parquet");
    for call in calls {
        writer.write(black_box(call)).expect("write row");
    }
    writer.finish().expect("finish calls.parquet")
}

fn write_chunk_batches(dir: &Path, calls: &[Call]) -> u64 {
    let mut writer = CallsParquetWriter::create(dir).expect("create calls.parquet");
    let mut sizes = ColumnSizes::default();
    for chunk in calls.chunks(CHUNK_CALLS) {
        let mut columns = CallColumns::with_capacity(&sizes.with_room());
        chunk.iter().for_each(|call| columns.push(black_box(call)));
        sizes = columns.sizes();
        let batch = columns.finish().expect("record batch");
        writer.write_batch(batch).expect("write batch");
    }
    writer.finish().expect("finish calls.parquet")
}

fn calls_parquet(c: &mut Criterion) {
    let calls = calls();
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(write_calls(dir.path(), &calls), ROWS as u64);
    let output_bytes = std::fs::metadata(dir.path().join(CALLS_FILE))
        .expect("calls.parquet written")
        .len();
    eprintln!(
        "write: {ROWS} rows -> {output_bytes} bytes of calls.parquet ({:.1} bytes/row)",
        output_bytes as f64 / ROWS as f64
    );

    let mut group = c.benchmark_group("write/calls_parquet");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("rows", |b| b.iter(|| write_calls(dir.path(), &calls)));
    group.bench_function("chunk_batches", |b| {
        b.iter(|| write_chunk_batches(dir.path(), &calls))
    });
    group.throughput(Throughput::Bytes(output_bytes));
    group.bench_function("output_bytes", |b| {
        b.iter(|| write_calls(dir.path(), &calls))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = calls_parquet
}
criterion_main!(benches);
