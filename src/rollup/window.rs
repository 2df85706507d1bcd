//! `--since` / `--until`: which events a roll-up keeps, by UTC calendar day.

use crate::error::Error;
use crate::event::Micros;
use crate::formats::timestamp::{format_date, parse_timestamp};

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Inclusive range of UTC days; unbounded on a side left open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    /// First day kept, as days since the Unix epoch.
    pub since_day: Option<i64>,
    /// Last day kept, as days since the Unix epoch.
    pub until_day: Option<i64>,
}

impl Window {
    /// Parses `YYYY-MM-DD` bounds (UTC days, both inclusive).
    pub fn parse(since: Option<&str>, until: Option<&str>) -> Result<Window, Error> {
        let window = Window {
            since_day: since.map(|d| parse_day("--since", d)).transpose()?,
            until_day: until.map(|d| parse_day("--until", d)).transpose()?,
        };
        if let (Some(since), Some(until)) = (window.since_day, window.until_day) {
            if since > until {
                return Err(Error::Usage(
                    "--since is after --until: the window holds no day".to_string(),
                ));
            }
        }
        Ok(window)
    }

    pub fn is_bounded(&self) -> bool {
        self.since_day.is_some() || self.until_day.is_some()
    }

    /// Whether a day (days since the epoch) lies in the window.
    pub fn holds_day(&self, day: i64) -> bool {
        self.since_day.is_none_or(|s| day >= s) && self.until_day.is_none_or(|u| day <= u)
    }

    /// Whether an event is kept: any event when unbounded; else only events
    /// whose time falls on a day of the window (an event without a time
    /// cannot be placed, so it is left out).
    pub fn holds(&self, time: Option<Micros>) -> bool {
        match time {
            Some(t) => self.holds_day(t.div_euclid(MICROS_PER_DAY)),
            None => !self.is_bounded(),
        }
    }

    /// The bounds as given, for `summary.json`.
    pub fn since_text(&self) -> Option<String> {
        self.since_day.map(|d| format_date(d * MICROS_PER_DAY))
    }
    pub fn until_text(&self) -> Option<String> {
        self.until_day.map(|d| format_date(d * MICROS_PER_DAY))
    }
}

/// Days since the epoch of a `YYYY-MM-DD` date.
pub(crate) fn parse_day_text(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return None;
    }
    let micros = parse_timestamp(&format!("{text}T00:00:00Z"))?;
    // The parser accepts 2026-02-31; a real date formats back to itself.
    (format_date(micros) == text).then_some(micros.div_euclid(MICROS_PER_DAY))
}

fn parse_day(flag: &str, text: &str) -> Result<i64, Error> {
    parse_day_text(text).ok_or_else(|| {
        Error::Usage(format!(
            "{flag} {text:?} is not a date; expected YYYY-MM-DD (a UTC day), e.g. {flag} 2026-06-01"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_inclusive_utc() {
        let w = Window::parse(Some("2026-06-02"), Some("2026-06-03")).unwrap();
        let at = |s: &str| parse_timestamp(s);
        assert!(!w.holds(at("2026-06-01T23:59:59.999Z")));
        assert!(w.holds(at("2026-06-02T00:00:00Z")));
        assert!(w.holds(at("2026-06-03T23:59:59.999999Z")));
        assert!(!w.holds(at("2026-06-04T00:00:00Z")));
        // 01:30 at +02:00 is 23:30 UTC the day before.
        assert!(!w.holds(at("2026-06-02T01:30:00+02:00")));
        assert!(!w.holds(None));
        assert!(Window::default().holds(None));
        assert_eq!(w.since_text().as_deref(), Some("2026-06-02"));
    }

    #[test]
    fn bad_dates_are_usage_errors() {
        for bad in [
            "2026-6-1",
            "2026-02-30",
            "yesterday",
            "2026-06-01T00:00:00Z",
        ] {
            assert!(Window::parse(Some(bad), None).is_err(), "{bad}");
        }
        assert!(Window::parse(Some("2026-06-03"), Some("2026-06-02")).is_err());
        assert_eq!(
            Window::parse(None, Some("2026-06-01")).unwrap().until_day,
            Some(20605)
        );
    }
}
