//! Record parsing: `formats::parse_record` per line, as chunk jobs call it.
//!
//! Gateway JSON lines at 10% and 100% Partner Center share (record kind
//! recognised per record, as after `detect`), and Entra sign-in lines.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pcmfa::formats::{detect, parse_record, Detection, Format, Framing, Parsed, RecordKind};

mod common;

const RECORDS: usize = 2_000;

/// Parses every record; counts the events.
fn parse_all(records: &[String], format: Format) -> usize {
    let mut events = 0;
    for record in records {
        match parse_record(black_box(record.as_bytes()), format) {
            Parsed::Event(obs, label) => {
                black_box((&obs, label));
                events += 1;
            }
            Parsed::Reject(reason) => panic!("synthetic record rejected: {reason:?}"),
            Parsed::SideEvidence(..) => panic!("synthetic record read as side evidence"),
        }
    }
    events
}

fn gateway(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse/gateway_lines");
    for share in common::PC_SHARES {
        let records = common::GatewayGen::new(10 + u64::from(share), share).records(RECORDS);
        let format = match detect(records[0].as_bytes()) {
            Detection::Recognised(format) => format,
            other => panic!("gateway line not recognised: {other:?}"),
        };
        assert_eq!(format.framing, Framing::Lines);
        group.throughput(Throughput::Bytes(common::total_bytes(&records)));
        group.bench_function(BenchmarkId::new("auto_pc_share", share), |b| {
            b.iter(|| parse_all(&records, format))
        });
        if share == 100 {
            let http = Format {
                framing: Framing::Lines,
                records: RecordKind::Http,
            };
            group.bench_function(BenchmarkId::new("forced_http_pc_share", share), |b| {
                b.iter(|| parse_all(&records, http))
            });
        }
    }
    group.finish();
}

fn sign_in(c: &mut Criterion) {
    let records = common::sign_in_lines(20, RECORDS);
    let format = Format {
        framing: Framing::Lines,
        records: RecordKind::Auto,
    };
    // Every line must read as a sign-in, not as an HTTP record.
    for record in &records[..50] {
        match parse_record(record.as_bytes(), format) {
            Parsed::Event(obs, label) => {
                assert_eq!(label, "entra_signin_json_lines");
                assert!(obs.sign_in.is_some());
            }
            Parsed::Reject(reason) => panic!("sign-in line rejected: {reason:?}"),
            Parsed::SideEvidence(..) => panic!("sign-in line read as side evidence"),
        }
    }
    let mut group = c.benchmark_group("parse/sign_in_lines");
    group.throughput(Throughput::Bytes(common::total_bytes(&records)));
    group.bench_function("auto", |b| b.iter(|| parse_all(&records, format)));
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = gateway, sign_in
}
criterion_main!(benches);
