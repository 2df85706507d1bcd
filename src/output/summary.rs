//! `summary.json`: what was read, what was found, and the accounting
//! `records = partner_center + other + rejected`. Written last.

use serde::Serialize;

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
