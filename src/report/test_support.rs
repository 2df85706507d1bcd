//! A small, realistic report input for the renderers' unit tests: four
//! integrations (one with a hostile display name), a catalog that lists two
//! of them, three days of calls with a gap, and a file path holding markup.

use crate::aggregate::{DailyRow, IntegrationRow, OperationRow, VerdictCounts};
use crate::output::summary::{
    Accounting, FileSummary, InputTotals, IntegrationTotals, PartnerCenterTotals, Summary,
    TimeRange, VerdictTotals,
};
use crate::report::{Catalog, ReportData};
use crate::vocab::Verdict;

const DAY: i64 = 86_400_000_000;
const JUNE_1: i64 = 1_780_272_000_000_000;

pub(crate) struct Fixture {
    pub summary: Summary,
    pub integrations: Vec<IntegrationRow>,
    pub operations: Vec<OperationRow>,
    pub daily: Vec<DailyRow>,
    pub catalog: Option<Catalog>,
}

fn counts(pairs: &[(Verdict, u64)]) -> VerdictCounts {
    let mut counts = VerdictCounts::default();
    for (verdict, n) in pairs {
        counts.0[verdict.index()] = *n;
    }
    counts
}

fn integration(
    rank: u32,
    app_id: &str,
    app_name: &str,
    pairs: &[(Verdict, u64)],
    ops: &[&str],
) -> IntegrationRow {
    let counts = counts(pairs);
    let verdict = counts.worst();
    IntegrationRow {
        rank,
        integration: app_id.into(),
        app_id: Some(app_id.into()),
        app_name: Some(app_name.into()),
        verdict,
        counts,
        first_seen: Some(JUNE_1 + 8 * 3_600_000_000),
        last_seen: Some(JUNE_1 + 2 * DAY + 3_600_000_000),
        last_broken: (verdict == Verdict::Broken).then_some(JUNE_1 + DAY),
        principals: 2,
        tenants: 1,
        operations: ops.len() as u64,
        top_operations: ops.iter().map(|s| s.to_string()).collect(),
        action: crate::aggregate::action_for(verdict, &counts).to_string(),
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        use Verdict::*;
        let integrations = vec![
            integration(
                1,
                "39441d62-a8e1-4810-a850-20bf12239031",
                "contoso-sync",
                &[(Broken, 84), (AtRisk, 6)],
                &["GET /v1/customers", "GET /v1/customers/{id}/subscriptions"],
            ),
            integration(
                2,
                "3689c65e-e071-43ed-9239-d8b03e0144e6",
                "<script>alert(1)</script> | pipe `x`",
                &[(Broken, 11)],
                &[],
            ),
            integration(
                3,
                "fc7749e3-a689-49fe-9b84-902e69c4fbf0",
                "Fabrikam Provisioning Bot",
                &[(AtRisk, 7)],
                &["POST /v1/customers/{id}/orders"],
            ),
            integration(
                4,
                "940e6d8a-4e36-4de3-9407-8687e6cee493",
                "Tailspin CSP Automation",
                &[(Compliant, 9), (NotAffected, 3)],
                &[],
            ),
        ];
        let daily = vec![
            DailyRow {
                day_start: JUNE_1,
                counts: counts(&[(Broken, 84), (Compliant, 4)]),
                integrations: 2,
            },
            DailyRow {
                day_start: JUNE_1 + DAY,
                counts: counts(&[(Broken, 11), (AtRisk, 13), (Compliant, 5)]),
                integrations: 4,
            },
            DailyRow {
                day_start: JUNE_1 + 3 * DAY,
                counts: counts(&[(NotAffected, 3)]),
                integrations: 1,
            },
        ];
        let operations = vec![
            OperationRow {
                operation: "GET /v1/customers/{id}/subscriptions".into(),
                counts: counts(&[(Broken, 50), (AtRisk, 5)]),
                integrations: 2,
            },
            OperationRow {
                operation: "GET /v1/customers".into(),
                counts: counts(&[(Broken, 34), (AtRisk, 1), (Compliant, 9)]),
                integrations: 2,
            },
            OperationRow {
                operation: "GET /v1/offers".into(),
                counts: counts(&[(NotAffected, 3)]),
                integrations: 1,
            },
        ];
        let file = |path: &str, records, pc, other| FileSummary {
            path: path.into(),
            format: "gateway_json_lines".into(),
            compression: "none".into(),
            bytes: records * 700,
            records,
            partner_center: pc,
            other,
            rejected: 0,
            error: None,
        };
        let summary = Summary {
            schema_version: 1,
            tool: "pcmfa",
            tool_version: "0.1.0",
            status: "complete",
            inputs: InputTotals {
                files: 3,
                bytes: 217_000,
                records: 310,
                unreadable: 0,
                skipped: 0,
            },
            accounting: Accounting {
                records: 310,
                partner_center: 120,
                other: 190,
                rejected: 0,
                holds: true,
            },
            partner_center: PartnerCenterTotals {
                events: 120,
                api_calls: 110,
                sign_ins: 10,
                by_verdict: VerdictTotals {
                    broken: 95,
                    at_risk: 13,
                    compliant: 9,
                    not_affected: 3,
                    unknown: 0,
                },
            },
            integrations: IntegrationTotals {
                total: 4,
                by_verdict: VerdictTotals {
                    broken: 2,
                    at_risk: 1,
                    compliant: 1,
                    not_affected: 0,
                    unknown: 0,
                },
            },
            cross_record_evidence: Default::default(),
            time_range: TimeRange {
                first: Some("2026-06-01T08:15:00.000Z".into()),
                last: Some("2026-06-04T17:30:00.000Z".into()),
            },
            files: vec![
                file("logs/gateway.jsonl", 200, 100, 100),
                file("logs/<img src=x onerror=alert(2)>.jsonl", 60, 10, 50),
                file("logs/signins.jsonl", 50, 10, 40),
            ],
            unreadable: vec![],
            skipped: vec![],
            threads: 2,
            duration_seconds: 0.25,
        };
        let catalog = Catalog::from_bytes(
            std::path::Path::new("apps.csv"),
            b"app_id,name,owner,contact,notes\n\
              39441d62-a8e1-4810-a850-20bf12239031,Contoso Billing Sync,Billing team,billing@relecloud.example,\n\
              940e6d8a-4e36-4de3-9407-8687e6cee493,Tailspin CSP Automation,Platform,,Secure Application Model\n",
        )
        .ok();
        Fixture {
            summary,
            integrations,
            operations,
            daily,
            catalog,
        }
    }

    pub fn data(&self) -> ReportData<'_> {
        ReportData {
            summary: &self.summary,
            integrations: &self.integrations,
            operations: &self.operations,
            daily: &self.daily,
            catalog: self.catalog.as_ref(),
            sections: &[],
        }
    }
}
