//! Input framing: cutting bytes into records.
//!
//! `LineChunker` over ~32 MiB of gateway JSON lines in 4 MiB chunks (what
//! the pipeline hands each job for streams), the byte ranges a worker reads
//! from a plain file (`read_range_lines`, page cache -> reused buffer -> lines),
//! the byte-level prefilter over every line, and `JsonArrayFramer` over the
//! same records wrapped in a `{"records":[...]}` document.

use std::hint::black_box;
use std::io::Write;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pcmfa::formats::DOCUMENT_PATHS;
use pcmfa::input::json_array::JsonArrayFramer;
use pcmfa::input::{read_range_lines, split_ranges, Line, LineChunker};
use pcmfa::prefilter::Prefilter;

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

fn byte_ranges(c: &mut Criterion) {
    let data = common::GatewayGen::new(1, 10).lines(INPUT_BYTES);
    let mut file = tempfile::tempfile().expect("temp file");
    file.write_all(&data).expect("write temp file");
    let mut group = c.benchmark_group("framing/byte_ranges");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function(BenchmarkId::new("range_4MiB", "32MiB"), |b| {
        let mut buffer = Vec::new();
        b.iter(|| {
            let mut lines = 0u64;
            for range in split_ranges(data.len() as u64, CHUNK_BYTES) {
                read_range_lines(&file, range, MAX_RECORD_BYTES, &mut buffer, |_, line| {
                    if let Line::Text(text) = line {
                        black_box(text);
                    }
                })
                .map(|end| lines += end.lines)
                .expect("read temp file");
            }
            lines
        })
    });
    group.finish();
}

fn prefilter(c: &mut Criterion) {
    let data = common::GatewayGen::new(1, 10).lines(INPUT_BYTES);
    let prefilter = Prefilter::new();
    let mut group = c.benchmark_group("framing/prefilter");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function(BenchmarkId::new("pc_share_10", "32MiB"), |b| {
        b.iter(|| {
            data.split(|b| *b == b'\n')
                .filter(|line| prefilter.may_be_partner_center(black_box(line)))
                .count()
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
    targets = line_chunker, byte_ranges, prefilter, json_array_framer
}
criterion_main!(benches);
