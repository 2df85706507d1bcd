//! Mergeable roll-ups of classified calls: per integration, per operation and
//! per UTC day.
//!
//! Each worker folds its calls into its own [`Aggregates`]; partial states are
//! then merged. Every field merges by a commutative, associative operation
//! (sums, min/max, set union, count-map sums), so any merge order gives the
//! same result, and the same code rolls up many runs or shards by reading
//! `calls.parquet` back (`crate::rollup`): every roll-up column comes from a
//! column of `calls.parquet`, through [`CallFacts`].

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::event::{Call, Micros};
use crate::vocab::{EventKind, Verdict};

/// How many operations `top_operations` lists.
pub const TOP_OPERATIONS: usize = 3;

/// Event counts by verdict, indexed by [`Verdict::index`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerdictCounts(pub [u64; 5]);

impl VerdictCounts {
    pub fn add(&mut self, verdict: Verdict) {
        self.0[verdict.index()] += 1;
    }
    pub fn merge(&mut self, other: &VerdictCounts) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            *mine += theirs;
        }
    }
    pub fn get(&self, verdict: Verdict) -> u64 {
        self.0[verdict.index()]
    }
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }
    /// Orders most broken first, then most at risk, then busiest.
    pub fn worst_first(&self, other: &VerdictCounts) -> std::cmp::Ordering {
        let key = |c: &VerdictCounts| (c.get(Verdict::Broken), c.get(Verdict::AtRisk), c.total());
        key(other).cmp(&key(self))
    }

    /// Worst known verdict; `Unknown` only when every event is unknown.
    pub fn worst(&self) -> Verdict {
        Verdict::ALL
            .into_iter()
            .find(|v| *v != Verdict::Unknown && self.get(*v) > 0)
            .unwrap_or(Verdict::Unknown)
    }
}

/// The roll-ups' hash: they look up three to five texts per call, where
/// SipHash showed in profiles. Randomly keyed per process like std's, and
/// no output depends on iteration order (every table is sorted).
type FastHash = ahash::RandomState;

/// Distinct texts (only their number is reported).
pub type Names = HashSet<String, FastHash>;

/// How often each text was seen.
pub type Counts = HashMap<String, u64, FastHash>;

fn merge_min(a: &mut Option<Micros>, b: Option<Micros>) {
    *a = match (*a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
}

fn merge_max(a: &mut Option<Micros>, b: Option<Micros>) {
    *a = match (*a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
}

fn merge_counts(into: &mut Counts, from: Counts) {
    for (key, n) in from {
        *into.entry(key).or_default() += n;
    }
}

/// Counts one more `key`, allocating only for a new key.
fn bump(counts: &mut Counts, key: &str) {
    match counts.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            counts.insert(key.to_string(), 1);
        }
    }
}

/// The most frequent key, ties broken by the smallest key.
fn most_frequent(counts: &Counts) -> Option<String> {
    counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(k, _)| k.clone())
}

/// The columns of one event that the roll-ups read: borrowed from a [`Call`]
/// during a scan, or from the columns of a `calls.parquet` batch when runs
/// are rolled up.
#[derive(Debug, Clone, Copy)]
pub struct CallFacts<'a> {
    pub time: Option<Micros>,
    pub event: EventKind,
    pub verdict: Verdict,
    pub integration: &'a str,
    pub app_id: Option<&'a str>,
    pub app_name: Option<&'a str>,
    pub tenant_id: Option<&'a str>,
    pub principal: Option<&'a str>,
    pub operation: Option<&'a str>,
}

impl<'a> CallFacts<'a> {
    pub fn of(call: &'a Call) -> CallFacts<'a> {
        CallFacts {
            time: call.time,
            event: call.event,
            verdict: call.verdict,
            integration: &call.integration,
            app_id: call.app_id.as_deref(),
            app_name: call.app_name.as_deref(),
            tenant_id: call.tenant_id.as_deref(),
            principal: call.principal.as_deref(),
            operation: call.operation.as_deref(),
        }
    }
}

/// Everything known about one integration (the ranking key).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntegrationStats {
    pub counts: VerdictCounts,
    pub app_ids: Counts,
    pub app_names: Counts,
    pub first_seen: Option<Micros>,
    pub last_seen: Option<Micros>,
    pub last_broken: Option<Micros>,
    pub principals: Names,
    pub tenants: Names,
    pub operations: Names,
    /// Broken or at-risk events per operation.
    pub failing_operations: Counts,
}

impl IntegrationStats {
    fn add(&mut self, call: &CallFacts) {
        self.counts.add(call.verdict);
        if let Some(id) = call.app_id {
            bump(&mut self.app_ids, id);
        }
        if let Some(name) = call.app_name {
            bump(&mut self.app_names, name);
        }
        merge_min(&mut self.first_seen, call.time);
        merge_max(&mut self.last_seen, call.time);
        if call.verdict == Verdict::Broken {
            merge_max(&mut self.last_broken, call.time);
        }
        if let Some(p) = call.principal {
            if !self.principals.contains(p) {
                self.principals.insert(p.to_string());
            }
        }
        if let Some(t) = call.tenant_id {
            if !self.tenants.contains(t) {
                self.tenants.insert(t.to_string());
            }
        }
        if let Some(op) = call.operation {
            if !self.operations.contains(op) {
                self.operations.insert(op.to_string());
            }
            if matches!(call.verdict, Verdict::Broken | Verdict::AtRisk) {
                bump(&mut self.failing_operations, op);
            }
        }
    }

    fn merge(&mut self, other: IntegrationStats) {
        self.counts.merge(&other.counts);
        merge_counts(&mut self.app_ids, other.app_ids);
        merge_counts(&mut self.app_names, other.app_names);
        merge_min(&mut self.first_seen, other.first_seen);
        merge_max(&mut self.last_seen, other.last_seen);
        merge_max(&mut self.last_broken, other.last_broken);
        self.principals.extend(other.principals);
        self.tenants.extend(other.tenants);
        self.operations.extend(other.operations);
        merge_counts(&mut self.failing_operations, other.failing_operations);
    }
}

/// Per operation template.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OperationStats {
    pub counts: VerdictCounts,
    pub integrations: Names,
}

/// Per UTC day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DailyStats {
    pub counts: VerdictCounts,
    pub integrations: Names,
}

/// The mergeable state behind `integrations`, `operations` and `daily`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregates {
    pub integrations: HashMap<String, IntegrationStats, FastHash>,
    pub operations: HashMap<String, OperationStats, FastHash>,
    /// Keyed by days since the Unix epoch.
    pub daily: BTreeMap<i64, DailyStats>,
    pub totals: VerdictCounts,
    pub api_calls: u64,
    pub sign_ins: u64,
    pub first_time: Option<Micros>,
    pub last_time: Option<Micros>,
}

const MICROS_PER_DAY: i64 = 86_400_000_000;

impl Aggregates {
    pub fn add(&mut self, call: &Call) {
        self.add_facts(&CallFacts::of(call));
    }

    /// Folds one event in, from whichever columns the caller holds.
    pub fn add_facts(&mut self, call: &CallFacts) {
        self.totals.add(call.verdict);
        match call.event {
            EventKind::ApiCall => self.api_calls += 1,
            EventKind::SignIn => self.sign_ins += 1,
        }
        merge_min(&mut self.first_time, call.time);
        merge_max(&mut self.last_time, call.time);
        match self.integrations.get_mut(call.integration) {
            Some(stats) => stats.add(call),
            None => {
                let mut stats = IntegrationStats::default();
                stats.add(call);
                self.integrations
                    .insert(call.integration.to_string(), stats);
            }
        }
        if let Some(op) = call.operation {
            let stats = match self.operations.get_mut(op) {
                Some(stats) => stats,
                None => self.operations.entry(op.to_string()).or_default(),
            };
            stats.counts.add(call.verdict);
            if !stats.integrations.contains(call.integration) {
                stats.integrations.insert(call.integration.to_string());
            }
        }
        if let Some(time) = call.time {
            let day = self
                .daily
                .entry(time.div_euclid(MICROS_PER_DAY))
                .or_default();
            day.counts.add(call.verdict);
            if !day.integrations.contains(call.integration) {
                day.integrations.insert(call.integration.to_string());
            }
        }
    }

    /// Folds `other` in. Order-free: `a.merge(b)` equals `b.merge(a)`.
    pub fn merge(&mut self, other: Aggregates) {
        self.totals.merge(&other.totals);
        self.api_calls += other.api_calls;
        self.sign_ins += other.sign_ins;
        merge_min(&mut self.first_time, other.first_time);
        merge_max(&mut self.last_time, other.last_time);
        for (key, stats) in other.integrations {
            self.integrations.entry(key).or_default().merge(stats);
        }
        for (key, stats) in other.operations {
            let mine = self.operations.entry(key).or_default();
            mine.counts.merge(&stats.counts);
            mine.integrations.extend(stats.integrations);
        }
        for (day, stats) in other.daily {
            let mine = self.daily.entry(day).or_default();
            mine.counts.merge(&stats.counts);
            mine.integrations.extend(stats.integrations);
        }
    }

    /// The integrations table, worst first.
    pub fn integration_rows(&self) -> Vec<IntegrationRow> {
        let mut rows: Vec<IntegrationRow> = self
            .integrations
            .iter()
            .map(|(key, stats)| IntegrationRow::new(key, stats))
            .collect();
        rows.sort_by(|a, b| {
            a.verdict
                .cmp(&b.verdict)
                .then_with(|| a.counts.worst_first(&b.counts))
                .then_with(|| a.integration.cmp(&b.integration))
        });
        for (i, row) in rows.iter_mut().enumerate() {
            row.rank = i as u32 + 1;
        }
        rows
    }

    /// The operations table: most broken, then most at risk, then busiest.
    pub fn operation_rows(&self) -> Vec<OperationRow> {
        let mut rows: Vec<OperationRow> = self
            .operations
            .iter()
            .map(|(op, stats)| OperationRow {
                operation: op.clone(),
                counts: stats.counts,
                integrations: stats.integrations.len() as u64,
            })
            .collect();
        rows.sort_by(|a, b| {
            a.counts
                .worst_first(&b.counts)
                .then_with(|| a.operation.cmp(&b.operation))
        });
        rows
    }

    /// The daily table, oldest day first.
    pub fn daily_rows(&self) -> Vec<DailyRow> {
        self.daily
            .iter()
            .map(|(day, stats)| DailyRow {
                day_start: day * MICROS_PER_DAY,
                counts: stats.counts,
                integrations: stats.integrations.len() as u64,
            })
            .collect()
    }
}

/// One row of `integrations.csv` / `integrations.parquet`.
#[derive(Debug, Clone, PartialEq)]
pub struct IntegrationRow {
    pub rank: u32,
    pub integration: String,
    pub app_id: Option<String>,
    pub app_name: Option<String>,
    pub verdict: Verdict,
    pub counts: VerdictCounts,
    pub first_seen: Option<Micros>,
    pub last_seen: Option<Micros>,
    pub last_broken: Option<Micros>,
    pub principals: u64,
    pub tenants: u64,
    pub operations: u64,
    /// Up to [`TOP_OPERATIONS`] failing or at-risk operations, most frequent first.
    pub top_operations: Vec<String>,
    pub action: String,
}

impl IntegrationRow {
    fn new(key: &str, stats: &IntegrationStats) -> IntegrationRow {
        let verdict = stats.counts.worst();
        let mut failing: Vec<(&String, &u64)> = stats.failing_operations.iter().collect();
        failing.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        IntegrationRow {
            rank: 0,
            integration: key.to_string(),
            app_id: most_frequent(&stats.app_ids),
            app_name: most_frequent(&stats.app_names),
            verdict,
            counts: stats.counts,
            first_seen: stats.first_seen,
            last_seen: stats.last_seen,
            last_broken: stats.last_broken,
            principals: stats.principals.len() as u64,
            tenants: stats.tenants.len() as u64,
            operations: stats.operations.len() as u64,
            top_operations: failing
                .into_iter()
                .take(TOP_OPERATIONS)
                .map(|(op, _)| op.clone())
                .collect(),
            action: action_for(verdict, &stats.counts).to_string(),
        }
    }
}

/// One sentence: what to do about an integration with this verdict.
pub fn action_for(verdict: Verdict, counts: &VerdictCounts) -> &'static str {
    match verdict {
        Verdict::Broken => "Fix now: Partner Center rejects its App+User calls (900421); redeem tokens through the Secure Application Model with an MFA-consented refresh token.",
        Verdict::AtRisk => "Fix before enforcement reaches it: it calls Partner Center as App+User without MFA; move to the Secure Application Model or app-only where the API allows.",
        Verdict::Compliant if counts.get(Verdict::Unknown) > 0 => "Compliant where seen; confirm the calls pcmfa could not classify.",
        Verdict::Compliant => "No action: its App+User tokens carry the MFA claim; keep its refresh token in use so it does not expire.",
        Verdict::NotAffected if counts.get(Verdict::Unknown) > 0 => "App-only where seen (not affected); confirm the calls pcmfa could not classify.",
        Verdict::NotAffected => "No action: app-only calls are not affected by MFA enforcement.",
        Verdict::Unknown => "Investigate: no evidence shows how it authenticates; capture its Authorization header claims or Partner Center responses.",
    }
}

/// One row of `operations.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationRow {
    pub operation: String,
    pub counts: VerdictCounts,
    pub integrations: u64,
}

/// One row of `daily.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyRow {
    /// Midnight UTC of the day.
    pub day_start: Micros,
    pub counts: VerdictCounts,
    pub integrations: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{AuthMode, Evidence, MfaClaim};
    use std::sync::Arc;

    fn call(i: u64) -> Call {
        let verdict = Verdict::ALL[(i * 7 % 5) as usize];
        Call {
            time: (i % 4 != 0).then_some(
                1_780_272_000_000_000 + (i as i64 * 3_600_000_000) % (5 * MICROS_PER_DAY),
            ),
            source_file: Arc::from("f.jsonl"),
            source_record: i,
            format: "gateway_json_lines",
            event: if i % 6 == 0 {
                EventKind::SignIn
            } else {
                EventKind::ApiCall
            },
            host: None,
            method: Some("GET".into()),
            path: None,
            operation: (i % 5 != 0).then(|| format!("GET /v1/op{}", i % 3)),
            status: None,
            error_code: None,
            auth_mode: AuthMode::Unknown,
            mfa_claim: MfaClaim::Unknown,
            verdict,
            evidence: Evidence::NoToken,
            evidence_detail: None,
            app_id: (i % 4 != 1).then(|| format!("app-{}", i % 4).into()),
            app_name: (i % 2 == 0).then(|| format!("name-{}", i % 3)),
            tenant_id: Some(format!("t{}", i % 2).into()),
            principal: (i % 3 == 0).then(|| format!("u{}", i % 5).into()),
            amr: None,
            token_fingerprint: None,
            correlation_id: None,
            request_id: None,
            user_agent: None,
            integration: format!("int-{}", i % 4).into(),
        }
    }

    fn fold(calls: &[Call]) -> Aggregates {
        let mut agg = Aggregates::default();
        for c in calls {
            agg.add(c);
        }
        agg
    }

    /// Any partition of the calls, merged in any order, gives the same state
    /// and the same tables as one sequential pass.
    #[test]
    fn merge_is_order_free() {
        let calls: Vec<Call> = (0..200).map(call).collect();
        let sequential = fold(&calls);
        for parts in [2, 3, 7, 50] {
            let chunks: Vec<Aggregates> = calls
                .chunks(calls.len().div_ceil(parts))
                .map(fold)
                .collect();
            let mut forward = Aggregates::default();
            for c in chunks.iter().cloned() {
                forward.merge(c);
            }
            let mut backward = Aggregates::default();
            for c in chunks.iter().rev().cloned() {
                backward.merge(c);
            }
            assert_eq!(forward, sequential, "{parts} parts, forward");
            assert_eq!(backward, sequential, "{parts} parts, backward");
            assert_eq!(forward.integration_rows(), sequential.integration_rows());
            assert_eq!(backward.operation_rows(), sequential.operation_rows());
            assert_eq!(backward.daily_rows(), sequential.daily_rows());
        }
    }

    #[test]
    fn ranking_and_worst_verdict() {
        let mut counts = VerdictCounts::default();
        assert_eq!(counts.worst(), Verdict::Unknown);
        counts.add(Verdict::Unknown);
        counts.add(Verdict::NotAffected);
        assert_eq!(counts.worst(), Verdict::NotAffected);
        counts.add(Verdict::AtRisk);
        assert_eq!(counts.worst(), Verdict::AtRisk);

        let mut agg = Aggregates::default();
        let mut add = |integration: &str, verdict: Verdict, n: usize| {
            for i in 0..n {
                let mut c = call(i as u64);
                c.integration = integration.into();
                c.verdict = verdict;
                agg.add(&c);
            }
        };
        add("z-broken-few", Verdict::Broken, 1);
        add("a-broken-many", Verdict::Broken, 3);
        add("risky", Verdict::AtRisk, 9);
        add("fine", Verdict::Compliant, 20);
        add("b-quiet", Verdict::Unknown, 1);
        add("a-quiet", Verdict::Unknown, 1);
        let order: Vec<(u32, String)> = agg
            .integration_rows()
            .into_iter()
            .map(|r| (r.rank, r.integration))
            .collect();
        let names: Vec<&str> = order.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "a-broken-many",
                "z-broken-few",
                "risky",
                "fine",
                "a-quiet",
                "b-quiet"
            ]
        );
        assert_eq!(
            order.iter().map(|(r, _)| *r).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6]
        );
    }
}
