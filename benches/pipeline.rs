//! End to end: `pipeline::scan` over a ~64 MiB gateway JSON-lines file in a
//! temporary folder (detect, frame, parse, classify, aggregate, write every
//! output), with 1 and 2 worker threads.

use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pcmfa::pipeline::{scan, Progress, ScanConfig};

mod common;

const INPUT_BYTES: usize = 64 << 20;
/// The Partner Center share of the input: a gateway that mostly sees other traffic.
const PC_SHARE: u32 = 10;

fn run(input: &Path, out: &Path, threads: usize) -> u64 {
    let mut config = ScanConfig::new(vec![input.display().to_string()], out.to_path_buf());
    config.threads = threads;
    let report = scan(&config, &Progress::default()).expect("scan");
    report.summary.partner_center.events
}

fn scan_file(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("gateway.jsonl");
    let data = common::GatewayGen::new(70, PC_SHARE).lines(INPUT_BYTES);
    std::fs::write(&input, &data).expect("write input");
    let bytes = data.len() as u64;
    drop(data);
    let out = tempfile::tempdir().expect("tempdir");

    let events = run(&input, out.path(), 1);
    assert!(events > 0, "no Partner Center events found");

    let mut group = c.benchmark_group("pipeline/scan_gateway_lines");
    group.throughput(Throughput::Bytes(bytes));
    // One scan takes about a second: ten samples need longer than the default.
    group.measurement_time(Duration::from_secs(10));
    for threads in [1, 2] {
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| run(&input, out.path(), threads))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = scan_file
}
criterion_main!(benches);
