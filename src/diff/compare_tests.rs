use super::*;
use crate::aggregate::VerdictCounts;

/// An integration row with these counts (broken, at_risk, compliant, not_affected, unknown).
fn row(key: &str, counts: [u64; 5]) -> RunIntegration {
    let counts = VerdictCounts(counts);
    RunIntegration {
        integration: key.to_string(),
        app_id: Some(key.to_string()),
        app_name: None,
        verdict: counts.worst(),
        counts,
        last_seen: None,
        last_broken: None,
        action: Some(format!("action for {key}")),
    }
}

const BROKEN: [u64; 5] = [3, 1, 0, 0, 0];
const AT_RISK: [u64; 5] = [0, 4, 0, 0, 0];
const COMPLIANT: [u64; 5] = [0, 0, 5, 0, 0];
const NOT_AFFECTED: [u64; 5] = [0, 0, 0, 6, 0];
const UNKNOWN: [u64; 5] = [0, 0, 0, 0, 2];
const SILENT: [u64; 5] = [0; 5];

fn change(old: Option<[u64; 5]>, new: Option<[u64; 5]>) -> Change {
    let (old, new) = (old.map(|c| row("a", c)), new.map(|c| row("a", c)));
    classify(old.as_ref(), new.as_ref())
}

#[test]
fn every_transition_has_one_documented_name() {
    use Change::*;
    type Counts = Option<[u64; 5]>;
    let cases: [(Counts, Counts, Change); 22] = [
        (Some(AT_RISK), Some(BROKEN), NewlyBroken),
        (Some(COMPLIANT), Some(BROKEN), NewlyBroken),
        (Some(UNKNOWN), Some(BROKEN), NewlyBroken),
        (None, Some(BROKEN), NewlyBroken),
        (Some(SILENT), Some(BROKEN), NewlyBroken),
        (Some(NOT_AFFECTED), Some(AT_RISK), NewlyAtRisk),
        (Some(UNKNOWN), Some(AT_RISK), NewlyAtRisk),
        (None, Some(AT_RISK), NewlyAtRisk),
        (None, Some(COMPLIANT), New),
        (None, Some(UNKNOWN), New),
        (Some(SILENT), Some(NOT_AFFECTED), New),
        (Some(BROKEN), None, GoneSilent),
        (Some(COMPLIANT), Some(SILENT), GoneSilent),
        (Some(BROKEN), Some(COMPLIANT), Fixed),
        (Some(AT_RISK), Some(NOT_AFFECTED), Fixed),
        (Some(BROKEN), Some(AT_RISK), VerdictChanged),
        (Some(BROKEN), Some(UNKNOWN), VerdictChanged),
        (Some(AT_RISK), Some(UNKNOWN), VerdictChanged),
        (Some(COMPLIANT), Some(NOT_AFFECTED), VerdictChanged),
        (Some(BROKEN), Some(BROKEN), Unchanged),
        (Some(UNKNOWN), Some(UNKNOWN), Unchanged),
        (None, None, Unchanged),
    ];
    for (old, new, want) in cases {
        assert_eq!(change(old, new), want, "{old:?} -> {new:?}");
    }
}

#[test]
fn unknown_is_never_fixed() {
    for old in [BROKEN, AT_RISK] {
        assert_eq!(change(Some(old), Some(UNKNOWN)), Change::VerdictChanged);
    }
}

fn info(dir: &str) -> RunInfo {
    RunInfo {
        dir: dir.into(),
        status: "complete".into(),
        ..RunInfo::default()
    }
}

#[test]
fn rows_are_paired_by_key_ordered_worst_first_and_ranked() {
    let old = vec![
        row("fixed", BROKEN),
        row("silent", AT_RISK),
        row("steady", [0, 0, 10, 0, 0]),
        row("worse", AT_RISK),
        row("quiet", COMPLIANT),
    ];
    let new = vec![
        row("steady", [0, 0, 25, 0, 0]),
        row("fresh_ok", NOT_AFFECTED),
        row("worse", BROKEN),
        row("fixed", COMPLIANT),
        row("fresh_bad", [9, 0, 0, 0, 0]),
        row("quiet", COMPLIANT),
    ];
    let diff = compare(info("old"), old, info("new"), new);
    let order: Vec<(u32, &str, Change)> = diff
        .rows
        .iter()
        .map(|r| (r.rank, r.integration.as_str(), r.change))
        .collect();
    assert_eq!(
        order,
        vec![
            // Both newly broken: the one with more broken calls in NEW first.
            (1, "fresh_bad", Change::NewlyBroken),
            (2, "worse", Change::NewlyBroken),
            (3, "fresh_ok", Change::New),
            (4, "silent", Change::GoneSilent),
            (5, "fixed", Change::Fixed),
            // Same verdict: the larger volume change first.
            (6, "steady", Change::Unchanged),
            (7, "quiet", Change::Unchanged),
        ]
    );
    assert_eq!(diff.count(Change::NewlyBroken), 2);
    assert_eq!(diff.count(Change::NewlyAtRisk), 0);
    let steady = &diff.rows[5];
    assert_eq!((steady.count_old(None), steady.count_new(None)), (10, 25));
    assert_eq!(steady.calls_delta(), 15);
    assert_eq!(steady.calls_delta_pct(), Some(150.0));
    let fresh = &diff.rows[0];
    assert_eq!(fresh.verdict_old(), None);
    assert_eq!(fresh.calls_delta_pct(), None, "no percentage of nothing");
    let silent = &diff.rows[3];
    assert_eq!(silent.verdict_new(), None);
    assert_eq!(silent.calls_delta(), -4);
    assert_eq!(silent.calls_delta_pct(), Some(-100.0));
}

#[test]
fn order_does_not_depend_on_input_order() {
    let old: Vec<_> = (0..20)
        .map(|i| row(&format!("k{i:02}"), [i % 3, i % 2, 1, 0, 0]))
        .collect();
    let new: Vec<_> = (5..25)
        .map(|i| row(&format!("k{i:02}"), [i % 2, i % 3, 1, i % 4, 0]))
        .collect();
    let forward = compare(info("o"), old.clone(), info("n"), new.clone());
    let mut old_rev = old;
    let mut new_rev = new;
    old_rev.reverse();
    new_rev.reverse();
    let backward = compare(info("o"), old_rev, info("n"), new_rev);
    assert_eq!(forward, backward);
    assert_eq!(forward.rows.len(), 25);
}

#[test]
fn percentages_round_to_one_decimal_without_negative_zero() {
    let mut diff = compare(
        info("o"),
        vec![row("a", [0, 0, 3, 0, 0]), row("b", [0, 0, 30_000, 0, 0])],
        info("n"),
        vec![row("a", [0, 0, 4, 0, 0]), row("b", [0, 0, 29_999, 0, 0])],
    );
    diff.rows.sort_by(|x, y| x.integration.cmp(&y.integration));
    assert_eq!(diff.rows[0].calls_delta_pct(), Some(33.3));
    let tiny = diff.rows[1].calls_delta_pct().expect("pct");
    assert_eq!(format!("{tiny:.1}"), "0.0");
}
