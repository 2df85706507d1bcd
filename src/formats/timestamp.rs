//! Timestamps as logs write them, to microseconds since the Unix epoch (UTC).
//!
//! Each log source writes time its own way: RFC 3339 (gateways, Entra ID,
//! HAR), naive ISO (partnerRequests, IIS: taken as UTC), nginx/Apache common
//! log format, the Application Insights portal's US-style CSV export, RFC 1123
//! (HTTP `Date`) and bare epoch numbers. Parsing is a hand-written byte scanner
//! per family, without regex or allocation, because it runs once per event.
//!
//! Results outside 1990..=2100 are rejected: that range covers any real log
//! and turns ids or counters that merely look like epochs into `None`.

use crate::event::Micros;

const MICROS_PER_SEC: i64 = 1_000_000;
const SECS_PER_DAY: i64 = 86_400;
/// 1990-01-01T00:00:00Z, the earliest accepted instant.
const MIN_MICROS: Micros = 631_152_000 * MICROS_PER_SEC;
/// 2101-01-01T00:00:00Z, the first rejected instant.
const END_MICROS: Micros = 4_133_980_800 * MICROS_PER_SEC;

const MONTHS: [&[u8]; 12] = [
    b"january",
    b"february",
    b"march",
    b"april",
    b"may",
    b"june",
    b"july",
    b"august",
    b"september",
    b"october",
    b"november",
    b"december",
];
const WEEKDAYS: [&[u8]; 7] = [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"];

/// Parses a textual timestamp. Returns None when the text is not one.
///
/// Accepted (after trimming whitespace and one pair of surrounding `[ ]` or
/// quotes):
/// - RFC 3339 / ISO 8601: `2026-04-02T08:15:03.123Z`, `T` or space, offset
///   `Z`, `±hh:mm`, `±hhmm`, `±hh`, ` UTC`/` GMT`, or none (= UTC); seconds and
///   fraction optional (any number of digits, truncated to microseconds); a
///   bare date is midnight UTC.
/// - nginx/Apache: `02/Apr/2026:08:15:03 +0000`.
/// - Application Insights CSV (US month/day/year): `4/2/2026, 8:15:03.123 AM`,
///   `4/2/2026 8:15:03 PM`, `4/2/2026 20:15:03`.
/// - RFC 1123: `Thu, 02 Apr 2026 08:15:03 GMT` (weekday optional, unchecked).
/// - Epoch numbers: digits with an optional fraction, see [`from_epoch_number`].
pub fn parse_timestamp(text: &str) -> Option<Micros> {
    let b = unwrap_text(text).as_bytes();
    let lead = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let first = *b.first()?;
    let micros = match (lead, b.get(lead).copied()) {
        (_, None) | (_, Some(b'.')) if lead > 0 => parse_epoch_text(b)?,
        (4, Some(b'-')) => parse_iso(Cursor::new(b))?,
        (1 | 2, Some(b'/')) => match b.get(lead + 1) {
            Some(c) if c.is_ascii_alphabetic() => parse_clf(Cursor::new(b))?,
            _ => parse_us(Cursor::new(b))?,
        },
        (1 | 2, Some(b' ')) => parse_rfc1123(Cursor::new(b))?,
        (0, _) if first.is_ascii_alphabetic() => parse_rfc1123(Cursor::new(b))?,
        _ => return None,
    };
    in_range(micros)
}

/// Interprets a JSON number as epoch seconds, milliseconds, microseconds or
/// nanoseconds, by magnitude (< 1e11 s, < 1e14 ms, < 1e17 µs, else ns).
/// Fractions are kept to the microsecond. None unless the result lies in
/// 1990..=2100 (so NaN, infinities, negatives and small counters are rejected).
pub fn from_epoch_number(value: f64) -> Option<Micros> {
    if !value.is_finite() || value <= 0.0 {
        return None;
    }
    let micros = if value < 1e11 {
        value * 1e6
    } else if value < 1e14 {
        value * 1e3
    } else if value < 1e17 {
        value
    } else {
        value / 1e3
    };
    // Binary floats miss decimal fractions by a hair (…122999.9998): round those,
    // truncate genuine sub-microsecond parts.
    let rounded = micros.round();
    let micros = if (micros - rounded).abs() < 1e-3 {
        rounded
    } else {
        micros.floor()
    };
    // The range check below also keeps the cast from saturating silently.
    if micros < MIN_MICROS as f64 || micros >= END_MICROS as f64 {
        return None;
    }
    in_range(micros as i64)
}

/// Formats as ISO 8601 UTC with exactly three fractional digits (truncated),
/// e.g. `2026-04-02T08:15:03.123Z`. Fixed width, so the strings sort like the
/// instants they name (for years 0..=9999).
pub fn format_iso(micros: Micros) -> String {
    let secs = micros.div_euclid(MICROS_PER_SEC);
    let millis = micros.rem_euclid(MICROS_PER_SEC) / 1000;
    let days = secs.div_euclid(SECS_PER_DAY);
    let sod = secs.rem_euclid(SECS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let (hh, mi, ss) = (sod / 3600, sod / 60 % 60, sod % 60);
    if !(0..=9999).contains(&y) {
        return format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mi:02}:{ss:02}.{millis:03}Z");
    }
    let mut buf = *b"0000-00-00T00:00:00.000Z";
    put_digits(&mut buf[0..4], y);
    put_digits(&mut buf[5..7], m);
    put_digits(&mut buf[8..10], d);
    put_digits(&mut buf[11..13], hh);
    put_digits(&mut buf[14..16], mi);
    put_digits(&mut buf[17..19], ss);
    put_digits(&mut buf[20..23], millis);
    buf.iter().map(|&c| c as char).collect()
}

/// Formats the UTC calendar date: `2026-04-02`.
pub fn format_date(micros: Micros) -> String {
    let days = micros.div_euclid(MICROS_PER_SEC * SECS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return format!("{y:04}-{m:02}-{d:02}");
    }
    let mut buf = *b"0000-00-00";
    put_digits(&mut buf[0..4], y);
    put_digits(&mut buf[5..7], m);
    put_digits(&mut buf[8..10], d);
    buf.iter().map(|&c| c as char).collect()
}

/// Writes `value` as zero-padded decimal filling `out` (value is non-negative
/// and fits; callers guarantee both).
fn put_digits(out: &mut [u8], mut value: i64) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

fn in_range(micros: Micros) -> Option<Micros> {
    (MIN_MICROS..END_MICROS).contains(&micros).then_some(micros)
}

/// Trims whitespace, then one pair of surrounding brackets or quotes.
fn unwrap_text(text: &str) -> &str {
    let t = text.trim();
    for (open, close) in [('[', ']'), ('"', '"'), ('\'', '\'')] {
        if let Some(inner) = t.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
            return inner.trim();
        }
    }
    t
}

/// Digits with an optional `.fraction`: epoch in s, ms, µs or ns by magnitude.
/// Exact integer arithmetic (no float rounding of long nanosecond values).
fn parse_epoch_text(b: &[u8]) -> Option<Micros> {
    let (int_part, frac_part) = match b.iter().position(|&c| c == b'.') {
        Some(dot) => (b.get(..dot)?, Some(b.get(dot + 1..)?)),
        None => (b, None),
    };
    if int_part.is_empty() || frac_part.is_some_and(|f| f.is_empty()) {
        return None;
    }
    let mut n: i64 = 0;
    for &c in int_part {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
    }
    let frac = frac_part.unwrap_or_default();
    if !frac.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Microseconds per unit, and how many fraction digits still count.
    let (scale, keep) = match n {
        0..100_000_000_000 => (MICROS_PER_SEC, 6),
        100_000_000_000..100_000_000_000_000 => (1000, 3),
        100_000_000_000_000..100_000_000_000_000_000 => (1, 0),
        _ => return Some(n / 1000),
    };
    let mut sub = 0i64;
    let mut unit = scale;
    for &c in frac.iter().take(keep) {
        unit /= 10;
        sub += i64::from(c - b'0') * unit;
    }
    n.checked_mul(scale)?.checked_add(sub)
}

/// `2026-04-02[T| ]08:15[:03[.123…]][zone]`, or a bare date.
fn parse_iso(mut c: Cursor) -> Option<Micros> {
    let y = c.digits(4, 4)?;
    c.expect(b'-')?;
    let mo = c.digits(2, 2)?;
    c.expect(b'-')?;
    let d = c.digits(2, 2)?;
    if c.at_end() {
        return to_micros(y, mo, d, 0, 0, 0, 0, 0);
    }
    if !(c.eat(b'T') || c.eat(b't') || c.skip_spaces() > 0) {
        return None;
    }
    let (hh, mi, ss, frac) = c.clock(2)?;
    let offset = c.zone()?;
    to_micros(y, mo, d, hh, mi, ss, frac, offset)
}

/// nginx/Apache common log format: `02/Apr/2026:08:15:03 +0000`.
fn parse_clf(mut c: Cursor) -> Option<Micros> {
    let d = c.digits(1, 2)?;
    c.expect(b'/')?;
    let mo = c.month_name()?;
    c.expect(b'/')?;
    let y = c.digits(4, 4)?;
    c.expect(b':')?;
    let (hh, mi, ss, frac) = c.clock(2)?;
    let offset = c.zone()?;
    to_micros(y, mo, d, hh, mi, ss, frac, offset)
}

/// Application Insights CSV, US order: `4/2/2026, 8:15:03.123 AM`, `4/2/2026 20:15:03`.
fn parse_us(mut c: Cursor) -> Option<Micros> {
    let mo = c.digits(1, 2)?;
    c.expect(b'/')?;
    let d = c.digits(1, 2)?;
    c.expect(b'/')?;
    let y = c.digits(4, 4)?;
    let comma = c.eat(b',');
    if c.skip_spaces() == 0 && !comma {
        return None;
    }
    let (mut hh, mi, ss, frac) = c.clock(1)?;
    c.skip_spaces();
    let meridiem = if c.eat_word_ci(b"am") {
        Some(false)
    } else if c.eat_word_ci(b"pm") {
        Some(true)
    } else {
        None
    };
    if let Some(pm) = meridiem {
        if !(1..=12).contains(&hh) {
            return None;
        }
        hh = hh % 12 + if pm { 12 } else { 0 };
    }
    let offset = c.zone()?;
    to_micros(y, mo, d, hh, mi, ss, frac, offset)
}

/// RFC 1123 (HTTP `Date`): `Thu, 02 Apr 2026 08:15:03 GMT`; weekday optional.
fn parse_rfc1123(mut c: Cursor) -> Option<Micros> {
    if c.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
        let word = c.letters();
        let day = word.get(..3)?;
        if word.len() > 9 || !WEEKDAYS.iter().any(|w| w.eq_ignore_ascii_case(day)) {
            return None;
        }
        c.eat(b',');
        if c.skip_spaces() == 0 {
            return None;
        }
    }
    let d = c.digits(1, 2)?;
    c.spaces1()?;
    let mo = c.month_name()?;
    c.spaces1()?;
    let y = c.digits(4, 4)?;
    c.spaces1()?;
    let (hh, mi, ss, frac) = c.clock(2)?;
    let offset = c.zone()?;
    to_micros(y, mo, d, hh, mi, ss, frac, offset)
}

/// Validates calendar fields and converts; `offset` is seconds east of UTC.
#[allow(clippy::too_many_arguments)]
fn to_micros(
    y: u32,
    mo: u32,
    d: u32,
    hh: u32,
    mi: u32,
    ss: u32,
    frac: i64,
    offset: i64,
) -> Option<Micros> {
    // Second 60 is a leap second; it rolls into the next minute.
    if !(1..=12).contains(&mo)
        || d == 0
        || d > days_in_month(y, mo)
        || hh > 23
        || mi > 59
        || ss > 60
    {
        return None;
    }
    let days = days_from_civil(i64::from(y), i64::from(mo), i64::from(d));
    let secs = days * SECS_PER_DAY + i64::from(hh * 3600 + mi * 60 + ss) - offset;
    Some(secs * MICROS_PER_SEC + frac)
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`]: (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A position in the input; every step checks bounds and returns None on mismatch.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(b: &'a [u8]) -> Self {
        Self { b, i: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn at_end(&self) -> bool {
        self.i >= self.b.len()
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        self.eat(c).then_some(())
    }

    fn skip_spaces(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(|c| c == b' ' || c == b'\t') {
            self.i += 1;
        }
        self.i - start
    }

    fn spaces1(&mut self) -> Option<()> {
        (self.skip_spaces() > 0).then_some(())
    }

    /// Between `min` and `max` decimal digits, as a number.
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let mut n = 0u32;
        let mut count = 0;
        while count < max {
            match self.peek() {
                Some(c @ b'0'..=b'9') => {
                    n = n * 10 + u32::from(c - b'0');
                    count += 1;
                    self.i += 1;
                }
                _ => break,
            }
        }
        (count >= min).then_some(n)
    }

    /// A run of ASCII letters.
    fn letters(&mut self) -> &'a [u8] {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.i += 1;
        }
        self.b.get(start..self.i).unwrap_or_default()
    }

    /// `word` (ASCII case-insensitive) not followed by another letter.
    fn eat_word_ci(&mut self, word: &[u8]) -> bool {
        let end = self.i + word.len();
        let hit = self
            .b
            .get(self.i..end)
            .is_some_and(|s| s.eq_ignore_ascii_case(word))
            && !self.b.get(end).is_some_and(|c| c.is_ascii_alphabetic());
        if hit {
            self.i = end;
        }
        hit
    }

    /// English month, three-letter or full, any case: 1..=12.
    fn month_name(&mut self) -> Option<u32> {
        let word = self.letters();
        let abbr = word.get(..3)?;
        let idx = MONTHS.iter().position(|m| {
            (word.len() == 3 && m.get(..3).is_some_and(|a| a.eq_ignore_ascii_case(abbr)))
                || m.eq_ignore_ascii_case(word)
        })?;
        u32::try_from(idx + 1).ok()
    }

    /// `hh:mm[:ss][.fraction]` with `hour_min` to 2 hour digits; the fraction
    /// (`.` or `,`, at least one digit) is truncated to microseconds.
    fn clock(&mut self, hour_min: usize) -> Option<(u32, u32, u32, i64)> {
        let hh = self.digits(hour_min, 2)?;
        self.expect(b':')?;
        let mi = self.digits(2, 2)?;
        if !self.eat(b':') {
            return Some((hh, mi, 0, 0));
        }
        let ss = self.digits(2, 2)?;
        let mut frac = 0i64;
        if self.eat(b'.') || self.eat(b',') {
            let mut unit = MICROS_PER_SEC;
            let start = self.i;
            while let Some(c @ b'0'..=b'9') = self.peek() {
                unit /= 10;
                frac += i64::from(c - b'0') * unit;
                self.i += 1;
            }
            if self.i == start {
                return None;
            }
        }
        Some((hh, mi, ss, frac))
    }

    /// Optional zone, then end of input: `Z`, `±hh[:mm]`, `±hhmm`, `UTC`, `GMT`,
    /// `UT`, or nothing (UTC). Returns seconds east of UTC.
    fn zone(&mut self) -> Option<i64> {
        self.skip_spaces();
        let offset = match self.peek() {
            None => 0,
            Some(b'Z' | b'z') => {
                self.i += 1;
                0
            }
            Some(sign @ (b'+' | b'-')) => {
                self.i += 1;
                let hh = self.digits(2, 2)?;
                let mm = if self.eat(b':') {
                    self.digits(2, 2)?
                } else {
                    self.digits(0, 2)?
                };
                if hh > 23 || mm > 59 {
                    return None;
                }
                let secs = i64::from(hh * 3600 + mm * 60);
                if sign == b'-' {
                    -secs
                } else {
                    secs
                }
            }
            Some(_)
                if [&b"utc"[..], b"gmt", b"ut"]
                    .iter()
                    .any(|w| self.eat_word_ci(w)) =>
            {
                0
            }
            Some(_) => return None,
        };
        self.skip_spaces();
        self.at_end().then_some(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Datelike, NaiveDate};

    /// Micros for a UTC instant, computed by chrono as an independent oracle.
    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, us: u32) -> Micros {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_micro_opt(h, mi, s, us))
            .map(|dt| dt.and_utc().timestamp_micros())
            .expect("valid test date")
    }

    #[test]
    fn timestamp_accepts_every_form() {
        let base = utc(2026, 4, 2, 8, 15, 3, 0);
        let ms = utc(2026, 4, 2, 8, 15, 3, 123_000);
        let cases: &[(&str, Micros)] = &[
            // RFC 3339 / ISO 8601
            ("2026-04-02T08:15:03Z", base),
            ("2026-04-02T08:15:03.123Z", ms),
            ("2026-04-02t08:15:03.123z", ms),
            ("2026-04-02 08:15:03.123Z", ms),
            (
                "2026-04-02T08:15:03.1234567Z",
                utc(2026, 4, 2, 8, 15, 3, 123_456),
            ),
            (
                "2026-04-02T08:15:03.123456789Z",
                utc(2026, 4, 2, 8, 15, 3, 123_456),
            ),
            ("2026-04-02T08:15:03,5Z", utc(2026, 4, 2, 8, 15, 3, 500_000)),
            ("2026-04-02T10:15:03+02:00", base),
            ("2026-04-02T10:15:03+0200", base),
            ("2026-04-02T10:15:03+02", base),
            ("2026-04-02T03:15:03.123-05:00", ms),
            ("2026-04-02T08:15:03+00:00", base),
            ("2026-04-02T08:15:03-00:00", base),
            ("2026-04-02T08:15:03", base),
            ("2026-04-02 08:15:03", base),
            ("2026-04-02 08:15:03 UTC", base),
            ("2026-04-02T08:15:03.123 utc", ms),
            ("2026-04-02T08:15Z", utc(2026, 4, 2, 8, 15, 0, 0)),
            ("2026-04-02", utc(2026, 4, 2, 0, 0, 0, 0)),
            (
                "2020-05-21T22:18:35.73",
                utc(2020, 5, 21, 22, 18, 35, 730_000),
            ),
            ("2024-02-29T00:00:00Z", utc(2024, 2, 29, 0, 0, 0, 0)),
            ("2026-01-01T00:30:00+01:00", utc(2025, 12, 31, 23, 30, 0, 0)),
            // Wrappers and whitespace
            ("  2026-04-02T08:15:03Z \n", base),
            ("[2026-04-02T08:15:03.123Z]", ms),
            ("\"2026-04-02T08:15:03Z\"", base),
            ("'2026-04-02T08:15:03Z'", base),
            ("[ 02/Apr/2026:08:15:03 +0000 ]", base),
            // nginx / Apache
            ("02/Apr/2026:08:15:03 +0000", base),
            ("02/APR/2026:08:15:03 +0000", base),
            ("2/apr/2026:10:15:03 +0200", base),
            ("02/Apr/2026:03:15:03 -0500", base),
            ("02/Apr/2026:08:15:03.123 +0000", ms),
            ("02/Apr/2026:08:15:03", base),
            // Application Insights CSV (US)
            ("4/2/2026, 8:15:03.123 AM", ms),
            ("4/2/2026 8:15:03 AM", base),
            ("04/02/2026 08:15:03 am", base),
            ("4/2/2026 8:15:03 PM", utc(2026, 4, 2, 20, 15, 3, 0)),
            ("4/2/2026, 12:15:03.000 AM", utc(2026, 4, 2, 0, 15, 3, 0)),
            ("4/2/2026 12:15:03 PM", utc(2026, 4, 2, 12, 15, 3, 0)),
            ("4/2/2026 20:15:03", utc(2026, 4, 2, 20, 15, 3, 0)),
            ("4/2/2026,8:15:03PM", utc(2026, 4, 2, 20, 15, 3, 0)),
            ("12/31/2025 11:59:59 PM", utc(2025, 12, 31, 23, 59, 59, 0)),
            // RFC 1123
            ("Thu, 02 Apr 2026 08:15:03 GMT", base),
            ("thu, 2 apr 2026 08:15:03 gmt", base),
            ("Thursday, 02 April 2026 08:15:03 UTC", base),
            ("02 Apr 2026 10:15:03 +0200", base),
            ("Thu, 02 Apr 2026 08:15:03", base),
            // Epoch strings
            ("1775117703", base),
            ("1775117703.123", ms),
            ("1775117703123", ms),
            ("1775117703123456", utc(2026, 4, 2, 8, 15, 3, 123_456)),
            ("1775117703123456789", utc(2026, 4, 2, 8, 15, 3, 123_456)),
            ("1775117703123.9", ms + 900),
            ("1775117703123456.9", utc(2026, 4, 2, 8, 15, 3, 123_456)),
            // Boundaries
            ("1990-01-01T00:00:00Z", MIN_MICROS),
            ("2100-12-31T23:59:59.999999Z", END_MICROS - 1),
        ];
        for &(text, want) in cases {
            assert_eq!(parse_timestamp(text), Some(want), "{text:?}");
        }
    }

    #[test]
    fn timestamp_rejects_nonsense() {
        let cases = [
            "",
            "   ",
            "[]",
            "not a date",
            "2026-13-02T08:15:03Z",
            "2026-00-02T08:15:03Z",
            "2026-02-30T08:15:03Z",
            "2025-02-29T08:15:03Z",
            "2026-04-31",
            "2026-04-02T25:15:03Z",
            "2026-04-02T24:00:00Z",
            "2026-04-02T08:60:03Z",
            "2026-04-02T08:15:61Z",
            "2026-04-02T08:15:03.Z",
            "2026-04-02T08:15:03+25:00",
            "2026-04-02T08:15:03+02:60",
            "2026-04-02T08:15:03 PST",
            "2026-04-02T08:15:03Zjunk",
            "2026-04-02X08:15:03",
            "2026-4-2T08:15:03Z",
            "1989-12-31T23:59:59Z",
            "2101-01-01T00:00:00Z",
            "1900-01-01",
            "32/Apr/2026:08:15:03 +0000",
            "02/Foo/2026:08:15:03 +0000",
            "02/Apr/2026 08:15:03 +0000",
            "13/2/2026 8:15:03 PM",
            "4/2/2026 13:15:03 PM",
            "4/2/2026 0:15:03 AM",
            "4/2/2026 8:15:03 XM",
            "4/2/26 8:15:03 PM",
            "Foo, 02 Apr 2026 08:15:03 GMT",
            "Thu, 31 Feb 2026 08:15:03 GMT",
            "0",
            "42",
            "2026",
            "123.",
            ".5",
            "1775117703.1.2",
            "99999999999999999999999",
            "-1775117703",
            "[2026-04-02T08:15:03Z",
            "\"2026-04-02T08:15:03Z'",
        ];
        for text in cases {
            assert_eq!(parse_timestamp(text), None, "{text:?}");
        }
    }

    #[test]
    fn timestamp_epoch_numbers() {
        let base = utc(2026, 4, 2, 8, 15, 3, 0);
        let ms = utc(2026, 4, 2, 8, 15, 3, 123_000);
        let cases: &[(f64, Option<Micros>)] = &[
            (1_775_117_703.0, Some(base)),
            (1_775_117_703.123, Some(ms)),
            (1_775_117_703_123.0, Some(ms)),
            (1_775_117_703_123.5, Some(ms + 500)),
            (1_775_117_703_123_456.0, Some(ms + 456)),
            (1_775_117_703_123_456_000.0, Some(ms + 456)),
            (631_152_000.0, Some(MIN_MICROS)),
            (631_151_999.0, None),
            (4_133_980_800.0, None),
            (4_133_980_799.0, Some(END_MICROS - MICROS_PER_SEC)),
            (0.0, None),
            (42.0, None),
            (-1_775_117_703.0, None),
            (f64::NAN, None),
            (f64::INFINITY, None),
            (f64::NEG_INFINITY, None),
            (1e300, None),
        ];
        for &(value, want) in cases {
            assert_eq!(from_epoch_number(value), want, "{value}");
        }
    }

    #[test]
    fn timestamp_formats_fixed_width() {
        let cases: &[(Micros, &str, &str)] = &[
            (
                utc(2026, 4, 2, 8, 15, 3, 123_456),
                "2026-04-02T08:15:03.123Z",
                "2026-04-02",
            ),
            (
                utc(2026, 4, 2, 8, 15, 3, 0),
                "2026-04-02T08:15:03.000Z",
                "2026-04-02",
            ),
            (0, "1970-01-01T00:00:00.000Z", "1970-01-01"),
            (-1, "1969-12-31T23:59:59.999Z", "1969-12-31"),
            (
                utc(2000, 2, 29, 23, 59, 59, 999_999),
                "2000-02-29T23:59:59.999Z",
                "2000-02-29",
            ),
        ];
        for &(micros, iso, date) in cases {
            assert_eq!(format_iso(micros), iso);
            assert_eq!(format_date(micros), date);
            assert_eq!(format_iso(micros).len(), 24);
        }
        // Round trip at millisecond precision.
        let t = utc(2031, 7, 9, 1, 2, 3, 456_000);
        assert_eq!(parse_timestamp(&format_iso(t)), Some(t));
    }

    #[test]
    fn timestamp_calendar_matches_chrono() {
        // Every day from 1960 to 2140 converts both ways like chrono does.
        let start = days_from_civil(1960, 1, 1);
        for days in start..start + 66_000 {
            let date = DateTime::from_timestamp(days * SECS_PER_DAY, 0)
                .expect("in chrono range")
                .date_naive();
            let (y, m, d) = civil_from_days(days);
            assert_eq!(
                (y, m, d),
                (
                    i64::from(date.year()),
                    i64::from(date.month()),
                    i64::from(date.day())
                )
            );
            assert_eq!(days_from_civil(y, m, d), days);
        }
        // Month lengths, leap years included.
        for y in 1990..=2100u32 {
            for m in 1..=12 {
                let len = (28..=31)
                    .filter(|&d| {
                        NaiveDate::from_ymd_opt(i32::try_from(y).expect("year"), m, d).is_some()
                    })
                    .max();
                assert_eq!(Some(days_in_month(y, m)), len, "{y}-{m}");
            }
        }
    }
}
