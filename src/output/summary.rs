//! `summary.json`: what was read, what was found, and the accounting
//! `records = partner_center + other + rejected`. Written last.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::atomic::AtomicFile;
use crate::error::Error;

/// Version of the output contract these files follow.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub schema_version: u32,
    pub tool: &'static str,
    pub tool_version: &'static str,
    /// `complete`, or `partial` when some input was unreadable or rejected.
    pub status: &'static str,
    pub inputs: InputTotals,
    pub accounting: Accounting,
    pub partner_center: PartnerCenterTotals,
    pub integrations: IntegrationTotals,
    pub cross_record_evidence: CrossRecordEvidence,
    pub time_range: TimeRange,
    pub files: Vec<FileSummary>,
    /// Inputs that could not be read at all, with the reason.
    pub unreadable: Vec<UnreadableInput>,
    /// Inputs that are not a format pcmfa reads (images, other logs), with the reason.
    pub skipped: Vec<SkippedInput>,
    pub threads: usize,
    pub duration_seconds: f64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct InputTotals {
    pub files: u64,
    /// Bytes read from disk (compressed size for compressed files).
    pub bytes: u64,
    pub records: u64,
    pub unreadable: u64,
    pub skipped: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Accounting {
    pub records: u64,
    pub partner_center: u64,
    pub other: u64,
    pub rejected: u64,
    /// `records == partner_center + other + rejected`.
    pub holds: bool,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct VerdictTotals {
    pub broken: u64,
    pub at_risk: u64,
    pub compliant: u64,
    pub not_affected: u64,
    pub unknown: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct PartnerCenterTotals {
    pub events: u64,
    pub api_calls: u64,
    pub sign_ins: u64,
    pub by_verdict: VerdictTotals,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct IntegrationTotals {
    pub total: u64,
    pub by_verdict: VerdictTotals,
}

/// Evidence that came from other records than the call's own: token
/// requests and Application Insights traces (see `crate::evidence`).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct CrossRecordEvidence {
    /// Token request records for Partner Center (counted as `other`).
    pub token_requests: u64,
    /// Distinct apps that requested Partner Center tokens.
    pub token_request_apps: u64,
    /// Trace and exception records reporting 900421 (counted as `other`).
    pub rejection_traces: u64,
    /// Distinct operation ids those traces name.
    pub rejected_operations: u64,
    /// Calls held back until the end of the run to take such evidence.
    pub held_calls: u64,
    /// Held calls that `trace_900421` made `broken`.
    pub lifted_by_trace_900421: u64,
    /// Held calls that `token_request` decided.
    pub lifted_by_token_request: u64,
    /// Trace and exception records whose 900421 lifted onto their
    /// operation's call: evidence, counted as `other` (the others are
    /// broken calls of their own).
    pub traces_as_evidence: u64,
    /// Calls that could have taken such evidence but were written as they
    /// were because the limit on held calls was reached.
    pub not_held: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct TimeRange {
    pub first: Option<String>,
    pub last: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct FileSummary {
    pub path: String,
    pub format: String,
    /// `none`, `gzip` or `zstd`.
    pub compression: String,
    pub bytes: u64,
    pub records: u64,
    pub partner_center: u64,
    pub other: u64,
    pub rejected: u64,
    /// Set when the file ended early (truncated compression stream, cut JSON document).
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct UnreadableInput {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SkippedInput {
    pub path: String,
    pub reason: String,
}

/// File name in the output folder.
pub const SUMMARY_FILE: &str = "summary.json";

/// Writes `summary.json` atomically: pretty-printed JSON and a trailing
/// newline. The run writes it last, so its presence means the other files
/// are complete.
pub fn write_summary(dir: &Path, summary: &Summary) -> Result<(), Error> {
    let mut file = AtomicFile::create(dir, SUMMARY_FILE)?;
    let io_err = |source| Error::Write {
        path: dir.join(SUMMARY_FILE),
        source,
    };
    serde_json::to_writer_pretty(&mut file, summary).map_err(|e| io_err(e.into()))?;
    file.write_all(b"\n").map_err(io_err)?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::output::test_support::file_names;

    fn summary() -> Summary {
        Summary {
            schema_version: SCHEMA_VERSION,
            tool: "pcmfa",
            tool_version: "0.1.0",
            status: "complete",
            inputs: InputTotals {
                files: 1,
                bytes: 2048,
                records: 10,
                unreadable: 0,
                skipped: 0,
            },
            accounting: Accounting {
                records: 10,
                partner_center: 6,
                other: 3,
                rejected: 1,
                holds: true,
            },
            partner_center: PartnerCenterTotals::default(),
            integrations: IntegrationTotals::default(),
            cross_record_evidence: CrossRecordEvidence::default(),
            time_range: TimeRange {
                first: Some("2026-04-02T08:15:03.123Z".into()),
                last: None,
            },
            files: vec![],
            unreadable: vec![],
            skipped: vec![],
            threads: 4,
            duration_seconds: 1.5,
        }
    }

    #[test]
    fn pretty_json_with_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        write_summary(dir.path(), &summary()).unwrap();
        let text = fs::read_to_string(dir.path().join(SUMMARY_FILE)).unwrap();
        assert!(text.starts_with("{\n  \"schema_version\": 1,\n  \"tool\": \"pcmfa\",\n"));
        assert!(text.ends_with("\n}\n"));
        assert!(text.contains("    \"holds\": true\n"));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["accounting"]["rejected"], 1);
        assert_eq!(back["time_range"]["last"], serde_json::Value::Null);
        assert_eq!(back["duration_seconds"], 1.5);
        assert_eq!(file_names(dir.path()), vec![SUMMARY_FILE]);
    }

    #[test]
    fn missing_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        assert!(matches!(
            write_summary(&missing, &summary()),
            Err(Error::Write { .. })
        ));
        assert!(file_names(dir.path()).is_empty());
    }
}
