//! The report's charts as inline SVG, drawn by pcmfa (no script, no library,
//! no network): Partner Center calls per UTC day stacked by verdict, and the
//! worst integrations' calls stacked by verdict.
//!
//! Charts scale to their container (`viewBox`, width 100%); each bar segment
//! carries a `<title>` with its exact count, and the legend is HTML beside
//! the chart (see [`super::html`]). Coordinates are printed with one decimal,
//! so the same rows always give the same bytes.

use std::fmt::Write;

use super::escape::{html as esc, truncate};
use super::{group, verdict_color, verdict_label, ReportData};
use crate::aggregate::{DailyRow, VerdictCounts};
use crate::formats::timestamp::format_date;
use crate::vocab::Verdict;

const MICROS_PER_DAY: i64 = 86_400_000_000;
/// Gaps between days are filled with empty bars up to this many days.
const MAX_FILLED_DAYS: i64 = 400;

/// The smallest "nice" axis top (1, 2 or 5 times a power of ten per tick)
/// at or above `max`, with its tick step.
fn axis(max: u64) -> (u64, u64) {
    if max == 0 {
        return (1, 1);
    }
    let rough = max.div_ceil(4).max(1);
    let mut magnitude = 1u64;
    while magnitude.saturating_mul(10) <= rough {
        magnitude *= 10;
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(rough);
    (max.div_ceil(step) * step, step)
}

/// Days from the first to the last, gaps filled with zero counts (unless
/// the span is implausibly long, when only the days seen are drawn).
fn continuous_days(rows: &[DailyRow]) -> Vec<(i64, VerdictCounts)> {
    let day = |row: &DailyRow| row.day_start.div_euclid(MICROS_PER_DAY);
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Vec::new();
    };
    let (first, last) = (day(first), day(last));
    if last - first >= MAX_FILLED_DAYS {
        return rows.iter().map(|r| (day(r), r.counts)).collect();
    }
    let mut out: Vec<(i64, VerdictCounts)> = (first..=last)
        .map(|d| (d, VerdictCounts::default()))
        .collect();
    for row in rows {
        if let Some(slot) = out.get_mut((day(row) - first) as usize) {
            slot.1 = row.counts;
        }
    }
    out
}

/// Stack order, bottom up: the worst next to the axis.
const STACK: [Verdict; 5] = Verdict::ALL;

/// Calls per UTC day, stacked by verdict. None when no event has a time.
pub fn daily_chart(rows: &[DailyRow]) -> Option<String> {
    let days = continuous_days(rows);
    if days.is_empty() {
        return None;
    }
    let (width, height) = (720.0, 260.0);
    let (left, right, top, bottom) = (52.0, 12.0, 14.0, 40.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = days.iter().map(|(_, c)| c.total()).max().unwrap_or(0);
    let (axis_top, step) = axis(max);
    let y = |v: u64| top + plot_h - plot_h * v as f64 / axis_top as f64;

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="daily-title" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg"><title id="daily-title">Partner Center calls per UTC day, stacked by verdict</title>"#
    );
    // Grid lines and y labels.
    let mut tick = 0;
    while tick <= axis_top {
        let ty = y(tick);
        let _ = write!(
            svg,
            r##"<line x1="{left:.1}" y1="{ty:.1}" x2="{:.1}" y2="{ty:.1}" stroke="#e3e6ea"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="axis">{}</text>"##,
            width - right,
            left - 6.0,
            ty + 4.0,
            group(tick)
        );
        tick += step;
    }
    let slot = plot_w / days.len() as f64;
    let bar = (slot * 0.72).clamp(1.0, 56.0);
    let label_every = days.len().div_ceil(10);
    for (i, (day, counts)) in days.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let date = format_date(day * MICROS_PER_DAY);
        let mut base = 0;
        for verdict in STACK {
            let n = counts.get(verdict);
            if n == 0 {
                continue;
            }
            let (y0, y1) = (y(base), y(base + n));
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y1:.1}" width="{bar:.1}" height="{:.1}" fill="{}"><title>{date}: {} {}</title></rect>"#,
                (y0 - y1).max(0.5),
                verdict_color(verdict),
                group(n),
                verdict_label(verdict)
            );
            base += n;
        }
        if i % label_every == 0 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="axis">{}</text>"#,
                x + bar / 2.0,
                top + plot_h + 16.0,
                date.get(5..).unwrap_or(&date)
            );
        }
    }
    let _ = write!(
        svg,
        r##"<line x1="{left:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#8a939d"/><text x="{:.1}" y="{:.1}" text-anchor="middle" class="axis">UTC day ({} to {})</text></svg>"##,
        top + plot_h,
        width - right,
        top + plot_h,
        left + plot_w / 2.0,
        height - 6.0,
        format_date(days[0].0 * MICROS_PER_DAY),
        format_date(days[days.len() - 1].0 * MICROS_PER_DAY),
    );
    Some(svg)
}

/// The worst integrations (by rank) as horizontal bars of their calls,
/// stacked by verdict. None when there is no integration.
pub fn worst_integrations_chart(data: &ReportData, limit: usize) -> Option<String> {
    let rows: Vec<_> = data.integrations.iter().take(limit).collect();
    if rows.is_empty() {
        return None;
    }
    let width = 720.0;
    let (label_w, right, top, row_h, bar_h) = (280.0, 64.0, 8.0, 28.0, 18.0);
    let height = top * 2.0 + row_h * rows.len() as f64;
    let plot_w = width - label_w - right;
    let max = rows
        .iter()
        .map(|r| r.counts.total())
        .max()
        .unwrap_or(1)
        .max(1);

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {width} {height:.1}" role="img" aria-labelledby="worst-title" xmlns="http://www.w3.org/2000/svg"><title id="worst-title">The {} worst integrations: calls by verdict</title>"#,
        rows.len()
    );
    for (i, row) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let name = data.display_name(row);
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" class="label"><title>{}</title>{}. {}</text>"#,
            label_w - 8.0,
            y + row_h / 2.0 + 4.0,
            esc(&row.integration),
            row.rank,
            esc(&truncate(name, 30))
        );
        let mut x = label_w;
        for verdict in STACK {
            let n = row.counts.get(verdict);
            if n == 0 {
                continue;
            }
            let w = (plot_w * n as f64 / max as f64).max(1.0);
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{:.1}" width="{w:.1}" height="{bar_h:.1}" fill="{}"><title>{}: {} {}</title></rect>"#,
                y + (row_h - bar_h) / 2.0,
                verdict_color(verdict),
                esc(name),
                group(n),
                verdict_label(verdict)
            );
            x += w;
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" class="value">{}</text>"#,
            x + 6.0,
            y + row_h / 2.0 + 4.0,
            group(row.counts.total())
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::Fixture;

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(axis(0), (1, 1));
        assert_eq!(axis(3), (3, 1));
        assert_eq!(axis(7), (8, 2));
        assert_eq!(axis(97), (100, 50));
        assert_eq!(axis(1234), (1500, 500));
    }

    #[test]
    fn daily_bars_fill_gaps_and_stack_every_verdict() {
        let fixture = Fixture::new();
        let svg = daily_chart(&fixture.daily).unwrap();
        // Three days with data, one gap day between: four labels, no bar on the gap.
        for label in ["06-01", "06-02", "06-03", "06-04"] {
            assert!(svg.contains(&format!(">{label}</text>")), "{label}");
        }
        assert!(!svg.contains("2026-06-03: "));
        assert!(svg.contains("<title>2026-06-01: 84 broken</title>"));
        assert!(svg.contains("<title>2026-06-04: 3 not affected</title>"));
        assert_eq!(svg.matches("<rect").count(), 6);
        assert_eq!(daily_chart(&[]), None);
    }

    #[test]
    fn worst_bars_escape_names() {
        let fixture = Fixture::new();
        let svg = worst_integrations_chart(&fixture.data(), 10).unwrap();
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains(">1. Contoso Billing Sync</text>"));
        assert_eq!(
            svg.matches("class=\"value\"").count(),
            fixture.integrations.len()
        );
    }
}
