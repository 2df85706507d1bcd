//! Input framing: cutting bytes into records.
//!
//! `LineChunker` over ~32 MiB of gateway JSON lines in 4 MiB chunks (what
//! the pipeline hands each job), and `JsonArrayFramer` over the same records
//! wrapped in a `{"records":[...]}` document.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pcmfa::formats::DOCUMENT_PATHS;
use pcmfa::input::json_array::JsonArrayFramer;
use pcmfa::input::LineChunker;

mod common;

const INPUT_BYTES: usize = 32 << 20;
const CHUNK_BYTES: usize = 4 << 20;
const MAX_RECORD_BYTES: usize = 16 << 20;

fn line_chunker(c: &mut Criterion) {
    let data = common::GatewayGen::new(1, 10).lines(INPUT_BYTES);
    let mut group = c.benchmark_group("framing/line_chunker");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function(BenchmarkId::new("chunk_4MiB", "32MiB"), |b| {
        b.iter(|| {
            let mut chunker =
                LineChunker::new(black_box(data.as_slice()), CHUNK_BYTES, MAX_RECORD_BYTES);
            let mut bytes = 0usize;
            while let Some(chunk) = chunker.next_chunk() {
                let chunk = chunk.expect("in-memory read");
                bytes += chunk.data.len();
                black_box(&chunk);
            }
            assert_eq!(bytes, data.len());
            chunker.lines_read()
        })
    });
    group.finish();
}

fn json_array_framer(c: &mut Criterion) {
    let data = common::GatewayGen::new(2, 10).records_document(INPUT_BYTES);
    let mut group = c.benchmark_group("framing/json_array_framer");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function(BenchmarkId::new("records_document", "32MiB"), |b| {
        b.iter(|| {
            let framer =
                JsonArrayFramer::new(black_box(data.as_slice()), DOCUMENT_PATHS, MAX_RECORD_BYTES);
            let mut elements = 0u64;
            for element in framer {
                let element = element.expect("well-formed document");
                black_box(&element.bytes);
                elements += 1;
            }
            assert!(elements > 0);
            elements
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = line_chunker, json_array_framer
}
criterion_main!(benches);
