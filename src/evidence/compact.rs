//! A held call in compact form: the small fixed fields as they are, every
//! text field packed into one allocation.
//!
//! A [`Call`] is 448 bytes inline (mostly empty `Option<String>`s) plus one
//! allocation per text; held calls wait in memory until the end of the run,
//! so they are packed: about 100 bytes inline plus the text bytes they hold
//! (about 400 bytes for a typical dependency call instead of 750).

use std::sync::Arc;

use crate::event::{Call, Micros};
use crate::vocab::{AuthMode, EventKind, Evidence, MfaClaim, Verdict};

/// Marks an absent text (or an absent `amr` list).
const ABSENT: u32 = u32::MAX;

/// One call, packed.
#[derive(Debug, Clone, PartialEq)]
pub struct CompactCall {
    source_file: Arc<str>,
    format: &'static str,
    evidence_detail: Option<&'static str>,
    time: Option<Micros>,
    source_record: u64,
    status: Option<u16>,
    event: EventKind,
    auth_mode: AuthMode,
    mfa_claim: MfaClaim,
    verdict: Verdict,
    evidence: Evidence,
    /// The text fields, each a little-endian `u32` length (or [`ABSENT`]) and its bytes.
    texts: Box<[u8]>,
}

impl CompactCall {
    pub fn pack(call: &Call) -> CompactCall {
        let mut texts = Vec::new();
        let optional = [
            call.host.as_deref(),
            call.method.as_deref(),
            call.path.as_deref(),
            call.operation.as_deref(),
            call.error_code.as_deref(),
            call.app_id.as_deref(),
            call.app_name.as_deref(),
            call.tenant_id.as_deref(),
            call.principal.as_deref(),
            call.token_fingerprint.as_deref(),
            call.correlation_id.as_deref(),
            call.request_id.as_deref(),
            call.user_agent.as_deref(),
        ];
        for text in optional {
            put(&mut texts, text);
        }
        put(&mut texts, Some(&call.integration));
        match &call.amr {
            None => texts.extend_from_slice(&ABSENT.to_le_bytes()),
            Some(methods) => {
                texts.extend_from_slice(&(methods.len() as u32).to_le_bytes());
                for method in methods.iter() {
                    put(&mut texts, Some(method));
                }
            }
        }
        CompactCall {
            source_file: call.source_file.clone(),
            format: call.format,
            evidence_detail: call.evidence_detail,
            time: call.time,
            source_record: call.source_record,
            status: call.status,
            event: call.event,
            auth_mode: call.auth_mode,
            mfa_claim: call.mfa_claim,
            verdict: call.verdict,
            evidence: call.evidence,
            texts: texts.into_boxed_slice(),
        }
    }

    pub fn unpack(&self) -> Call {
        let mut reader = Reader {
            bytes: &self.texts,
            at: 0,
        };
        let mut next = || reader.text();
        let host = next();
        let method = next();
        let path = next();
        let operation = next();
        let error_code = next();
        let app_id = next();
        let app_name = next();
        let tenant_id = next();
        let principal = next();
        let token_fingerprint = next();
        let correlation_id = next();
        let request_id = next();
        let user_agent = next();
        let integration = next().unwrap_or_default();
        let amr = reader
            .count()
            .map(|n| (0..n).map(|_| reader.text().unwrap_or_default()).collect());
        Call {
            time: self.time,
            source_file: self.source_file.clone(),
            source_record: self.source_record,
            format: self.format,
            event: self.event,
            host,
            method,
            path,
            operation,
            status: self.status,
            error_code,
            auth_mode: self.auth_mode,
            mfa_claim: self.mfa_claim,
            verdict: self.verdict,
            evidence: self.evidence,
            evidence_detail: self.evidence_detail,
            app_id: app_id.map(Arc::from),
            app_name,
            tenant_id: tenant_id.map(Arc::from),
            principal: principal.map(Arc::from),
            amr: amr.map(|methods: Vec<String>| Arc::from(methods)),
            token_fingerprint: token_fingerprint.map(Arc::from),
            correlation_id,
            request_id,
            user_agent,
            integration: integration.into(),
        }
    }
}

fn put(texts: &mut Vec<u8>, text: Option<&str>) {
    match text {
        None => texts.extend_from_slice(&ABSENT.to_le_bytes()),
        Some(text) => {
            texts.extend_from_slice(&(text.len() as u32).to_le_bytes());
            texts.extend_from_slice(text.as_bytes());
        }
    }
}

/// Reads back what [`put`] wrote; the bytes are always its own.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn count(&mut self) -> Option<usize> {
        let raw = self.bytes.get(self.at..self.at + 4)?;
        self.at += 4;
        let n = u32::from_le_bytes(raw.try_into().ok()?);
        (n != ABSENT).then_some(n as usize)
    }

    fn text(&mut self) -> Option<String> {
        let len = self.count()?;
        let text = self.bytes.get(self.at..self.at + len)?;
        self.at += len;
        Some(String::from_utf8_lossy(text).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::test_support::broken_call;

    #[test]
    fn packs_and_unpacks_every_field() {
        let full = broken_call();
        assert_eq!(CompactCall::pack(&full).unpack(), full);
        let sparse = Call {
            host: None,
            method: Some(String::new()),
            amr: Some(Arc::from([])),
            principal: Some("ü@contoso.example".into()),
            time: None,
            status: None,
            evidence_detail: Some("jwe_token"),
            integration: "".into(),
            ..broken_call()
        };
        assert_eq!(CompactCall::pack(&sparse).unpack(), sparse);
        let no_amr = Call {
            amr: None,
            ..broken_call()
        };
        assert_eq!(CompactCall::pack(&no_amr).unpack(), no_amr);
        assert!(std::mem::size_of::<CompactCall>() <= 128);
    }
}
