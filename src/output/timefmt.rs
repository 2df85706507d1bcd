//! Stand-ins for `crate::formats::timestamp::{format_iso, format_date}`
//! (same output; swap them in when that module lands).

use chrono::DateTime;

use crate::event::Micros;

/// `2026-04-02T08:15:03.123Z`: ISO 8601 UTC, always milliseconds.
/// Empty for an instant chrono cannot represent (beyond year 262143).
pub(crate) fn format_iso(micros: Micros) -> String {
    DateTime::from_timestamp_micros(micros)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// `2026-04-02`: the UTC date.
pub(crate) fn format_date(micros: Micros) -> String {
    DateTime::from_timestamp_micros(micros)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_milliseconds() {
        // 2026-04-02T08:15:03.123456Z
        let t = 1_775_117_703_123_456;
        assert_eq!(format_iso(t), "2026-04-02T08:15:03.123Z");
        assert_eq!(
            format_iso(1_775_117_703_000_000),
            "2026-04-02T08:15:03.000Z"
        );
        assert_eq!(format_iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_iso(-1_000), "1969-12-31T23:59:59.999Z");
        assert_eq!(format_date(t), "2026-04-02");
        assert_eq!(format_iso(i64::MAX), "");
    }
}
