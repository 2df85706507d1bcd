//! Token stage: decoding claims and fingerprinting realistic Entra ID
//! access tokens (RS256, v1 claims; App+User with and without MFA, app-only;
//! Partner Center and Graph audiences).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pcmfa::token::BearerToken;

mod common;

const TOKENS: usize = 2_000;

fn tokens(c: &mut Criterion) {
    let raw = common::tokens(30, TOKENS);
    let bytes: u64 = raw.iter().map(|t| t.len() as u64).sum();
    let tokens: Vec<BearerToken> = raw
        .iter()
        .map(|t| BearerToken::from_authorization(&format!("Bearer {t}")).expect("bearer"))
        .collect();
    let partner_center = tokens
        .iter()
        .filter(|t| {
            let claims = t.claims().expect("synthetic tokens decode");
            claims.is_partner_center_audience()
        })
        .count();
    assert!(partner_center > 0 && partner_center < TOKENS);

    let mut group = c.benchmark_group("token");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("claims", |b| {
        b.iter(|| {
            let mut mfa = 0usize;
            for token in &tokens {
                let claims = black_box(token).claims().expect("decodes");
                mfa += usize::from(claims.has_mfa());
                black_box(&claims);
            }
            mfa
        })
    });
    group.bench_function("fingerprint", |b| {
        b.iter(|| {
            for token in &tokens {
                black_box(black_box(token).fingerprint());
            }
        })
    });
    group.bench_function("from_authorization", |b| {
        let headers: Vec<String> = raw.iter().map(|t| format!("Bearer {t}")).collect();
        b.iter(|| {
            for header in &headers {
                black_box(BearerToken::from_authorization(black_box(header)));
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = tokens
}
criterion_main!(benches);
