//! Classification: `classify()` on pre-parsed observations (each iteration
//! classifies fresh clones, made outside the measurement).
//!
//! Gateway observations at 10% and 100% Partner Center share (throughput in
//! bytes of the source lines), and sign-in observations.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use pcmfa::classify::{classify, Origin};
use pcmfa::event::Observation;
use pcmfa::formats::{parse_record, Format, Framing, Parsed, RecordKind};

mod common;

const RECORDS: usize = 2_000;

fn observations(records: &[String]) -> Vec<Observation> {
    let format = Format {
        framing: Framing::Lines,
        records: RecordKind::Auto,
    };
    records
        .iter()
        .map(|r| match parse_record(r.as_bytes(), format) {
            Parsed::Event(obs, _) => *obs,
            Parsed::Reject(reason) => panic!("synthetic record rejected: {reason:?}"),
            Parsed::SideEvidence(..) => panic!("synthetic record read as side evidence"),
        })
        .collect()
}

fn classify_all(observations: Vec<Observation>, origin: &Origin) -> usize {
    let mut calls = 0;
    for obs in observations {
        if let Some(call) = classify(obs, origin) {
            black_box(&call);
            calls += 1;
        }
    }
    calls
}

fn bench_set(c: &mut Criterion, group_name: &str, id: BenchmarkId, records: &[String]) {
    let observations = observations(records);
    let origin = Origin {
        source_file: Arc::from("bench.jsonl"),
        source_record: 1,
        format: "gateway_json_lines",
    };
    let calls = classify_all(observations.clone(), &origin);
    assert!(calls > 0, "no Partner Center calls in {group_name}");
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Bytes(common::total_bytes(records)));
    group.bench_function(id, |b| {
        b.iter_batched(
            || observations.clone(),
            |batch| classify_all(batch, &origin),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn gateway(c: &mut Criterion) {
    for share in common::PC_SHARES {
        let records = common::GatewayGen::new(40 + u64::from(share), share).records(RECORDS);
        bench_set(
            c,
            "classify/gateway",
            BenchmarkId::new("pc_share", share),
            &records,
        );
    }
}

fn sign_in(c: &mut Criterion) {
    let records = common::sign_in_lines(50, RECORDS);
    bench_set(
        c,
        "classify/sign_in",
        BenchmarkId::new("pc_share", 75),
        &records,
    );
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = gateway, sign_in
}
criterion_main!(benches);
