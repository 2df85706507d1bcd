//! Fixtures shared by the output tests.

use std::path::Path;
use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::event::Call;
use crate::vocab::{AuthMode, EventKind, Evidence, MfaClaim, Verdict};

/// Every entry of `dir`, sorted (hidden temp files included).
pub(crate) fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Reads a whole Parquet file back: its batches, in order.
pub(crate) fn read_parquet(path: &Path) -> (arrow::datatypes::SchemaRef, Vec<RecordBatch>) {
    let file = std::fs::File::open(path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let schema = builder.schema().clone();
    let batches = builder.build().unwrap().map(|b| b.unwrap()).collect();
    (schema, batches)
}

/// A broken App+User API call with every field set.
pub(crate) fn broken_call() -> Call {
    Call {
        time: Some(1_775_117_703_123_456), // 2026-04-02T08:15:03.123456Z
        source_file: Arc::from("logs/apim.jsonl"),
        source_record: 42,
        format: "apim_gateway",
        event: EventKind::ApiCall,
        host: Some("api.partnercenter.microsoft.com".into()),
        method: Some("GET".into()),
        path: Some("/v1/customers/6c0b3c2e/subscriptions".into()),
        operation: Some("GET /v1/customers/{id}/subscriptions".into()),
        status: Some(401),
        error_code: Some("900421".into()),
        auth_mode: AuthMode::AppUser,
        mfa_claim: MfaClaim::Absent,
        verdict: Verdict::Broken,
        evidence: Evidence::Error900421,
        evidence_detail: None,
        app_id: Some("1b2c3d4e-0000-4000-8000-00000000000a".into()),
        app_name: Some("Contoso Billing".into()),
        tenant_id: Some("72f988bf-86f1-41af-91ab-2d7cd011db47".into()),
        principal: Some("ops@contoso.example".into()),
        amr: Some(Arc::from(["pwd".to_string(), "rsa".to_string()])),
        token_fingerprint: Some("0123456789abcdef".into()),
        correlation_id: Some("5f1d7a8e-1111-4222-8333-444455556666".into()),
        request_id: Some("req-1".into()),
        user_agent: Some("=cmd|' /C calc'!A0".into()),
        integration: "1b2c3d4e-0000-4000-8000-00000000000a".into(),
    }
}

/// A sign-in with no time, no HTTP fields and no token: mostly nulls.
pub(crate) fn sparse_call() -> Call {
    Call {
        time: None,
        source_file: Arc::from("-"),
        source_record: 1,
        format: "entra_sign_in",
        event: EventKind::SignIn,
        host: None,
        method: None,
        path: None,
        operation: None,
        status: None,
        error_code: None,
        auth_mode: AuthMode::Unknown,
        mfa_claim: MfaClaim::Unknown,
        verdict: Verdict::Unknown,
        evidence: Evidence::UndecodableToken,
        evidence_detail: Some("jwe_token"),
        app_id: None,
        app_name: None,
        tenant_id: None,
        principal: None,
        amr: None,
        token_fingerprint: None,
        correlation_id: None,
        request_id: None,
        user_agent: None,
        integration: "unknown-app".into(),
    }
}

/// An app-only call whose token was decoded with an empty `amr`.
pub(crate) fn app_only_call() -> Call {
    Call {
        time: Some(1_775_203_200_000_000), // 2026-04-03T08:00:00Z
        source_record: 3,
        auth_mode: AuthMode::AppOnly,
        mfa_claim: MfaClaim::NotApplicable,
        verdict: Verdict::NotAffected,
        evidence: Evidence::TokenClaims,
        status: Some(200),
        error_code: None,
        principal: None,
        amr: Some(Arc::from([])),
        user_agent: None,
        ..broken_call()
    }
}
