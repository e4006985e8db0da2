//! The area's clock. The service counts time in seconds since midnight of its ledger's first
//! day (the epoch) in the area's time zone: the dispatcher's clock, which runs on across
//! midnights. People and other services read and write RFC 3339 timestamps with the offset;
//! a plain `"HH:MM"` means that time today.

use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

/// Seconds in a day.
pub const DAY_S: f64 = 86_400.0;

/// The area's time zone and the ledger's first day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clock {
    offset: UtcOffset,
    epoch: Date,
    /// Unix time of the epoch's midnight in the area.
    epoch_unix: i64,
}

impl Clock {
    /// A clock of `offset` whose time 0 is midnight starting `epoch` in the area.
    pub fn new(offset: UtcOffset, epoch: Date) -> Clock {
        let epoch_unix = epoch.midnight().assume_offset(offset).unix_timestamp();
        Clock { offset, epoch, epoch_unix }
    }

    /// The area's date now.
    pub fn today(offset: UtcOffset) -> Date {
        OffsetDateTime::now_utc().to_offset(offset).date()
    }

    /// The offset from UTC.
    pub fn offset(&self) -> UtcOffset {
        self.offset
    }

    /// The ledger's first day.
    pub fn epoch(&self) -> Date {
        self.epoch
    }

    /// Seconds since the epoch, now.
    pub fn now(&self) -> f64 {
        let unix = OffsetDateTime::now_utc().unix_timestamp_nanos() as f64 / 1e9;
        unix - self.epoch_unix as f64
    }

    /// A time as people and services write it: RFC 3339 with an offset, or `"HH:MM"` /
    /// `"HH:MM:SS"` meaning that time on the area's day of `today_s`, or on the day before
    /// when today's would be more than 12 h ahead (a report of 23:58 sent at 00:03) and the
    /// ledger has that day. `None` for anything else.
    pub fn parse(&self, text: &str, today_s: f64) -> Option<f64> {
        let text = text.trim();
        if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
            return Some(t.unix_timestamp_nanos() as f64 / 1e9 - self.epoch_unix as f64);
        }
        if text.contains(['T', 't', '-', '+', 'Z', 'z', ' ']) {
            return None;
        }
        let clock = lastmetre::formats::parse_time(text)?.get();
        let today = (today_s / DAY_S).floor() * DAY_S + clock;
        Some(if today - today_s > DAY_S / 2.0 && today >= DAY_S { today - DAY_S } else { today })
    }

    /// RFC 3339 with the area's offset, to the second: `2026-12-01T12:00:00+08:00`.
    pub fn format(&self, s: f64) -> String {
        let unix = self.epoch_unix.saturating_add(s.round() as i64);
        OffsetDateTime::from_unix_timestamp(unix)
            .map(|t| t.to_offset(self.offset))
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default()
    }

    /// The area's date at `s`.
    pub fn day(&self, s: f64) -> Date {
        // Within a million days either way: `Duration::days` panics on overflow.
        let days = (s / DAY_S).floor().clamp(-1e6, 1e6) as i64;
        self.epoch.saturating_add(Duration::days(days))
    }

    /// Seconds since the epoch at the start of `date`.
    pub fn day_start(&self, date: Date) -> f64 {
        (date - self.epoch).whole_days() as f64 * DAY_S
    }
}

/// An offset from UTC as `+08:00`, `-05:30`, `8` or `5.5` (hours).
pub fn parse_offset(text: &str) -> Option<UtcOffset> {
    let text = text.trim();
    let seconds = if let Ok(hours) = text.parse::<f64>() {
        (hours * 3600.0).round()
    } else {
        let (sign, rest) = match text.as_bytes().first()? {
            b'+' => (1.0, &text[1..]),
            b'-' => (-1.0, &text[1..]),
            _ => return None,
        };
        let (h, m) = rest.split_once(':')?;
        let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
        if m >= 60 {
            return None;
        }
        sign * (f64::from(h) * 3600.0 + f64::from(m) * 60.0)
    };
    if !(-12.0 * 3600.0..=14.0 * 3600.0).contains(&seconds) {
        return None;
    }
    UtcOffset::from_whole_seconds(seconds as i32).ok()
}

/// `+08:00`, as [`parse_offset`] reads it.
pub fn format_offset(offset: UtcOffset) -> String {
    let (h, m, _) = offset.as_hms();
    let sign = if offset.is_negative() { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
}

/// A date as `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).ok()
}

/// `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    date.format(&format).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn china(epoch: &str) -> Clock {
        Clock::new(parse_offset("+08:00").unwrap(), parse_date(epoch).unwrap())
    }

    #[test]
    fn timestamps_read_and_write_in_the_area_s_zone_across_midnight() {
        let c = china("2026-12-01");
        assert_eq!(c.parse("2026-12-01T12:00:00+08:00", 0.0), Some(43_200.0));
        assert_eq!(c.parse("2026-12-01T04:00:00Z", 0.0), Some(43_200.0), "the same instant in UTC");
        assert_eq!(c.parse("2026-12-02T00:00:00+08:00", 0.0), Some(DAY_S));
        assert_eq!(c.format(DAY_S + 600.0), "2026-12-02T00:10:00+08:00");
        assert_eq!(c.format(43_200.0), "2026-12-01T12:00:00+08:00");
        // A clock time means that time on the day asked about.
        assert_eq!(c.parse("23:50", 3.0 * DAY_S + 50_000.0), Some(3.0 * DAY_S + 85_800.0));
        assert_eq!(c.parse("12:00:30", 0.0), Some(43_230.0));
        // Just after midnight, a clock time late in the evening is yesterday's, if the
        // ledger has a yesterday.
        assert_eq!(c.parse("23:58", 3.0 * DAY_S + 180.0), Some(2.0 * DAY_S + 86_280.0));
        assert_eq!(c.parse("23:58", 180.0), Some(86_280.0), "no day before the first");
        assert_eq!(c.day(1e300), c.day(1e12), "no overflow");
        assert_eq!(c.day(DAY_S - 1.0), parse_date("2026-12-01").unwrap());
        assert_eq!(c.day(DAY_S), parse_date("2026-12-02").unwrap());
        assert_eq!(c.day_start(parse_date("2026-12-03").unwrap()), 2.0 * DAY_S);
        assert_eq!(c.parse("2026-12-01 12:00", 0.0), None);
        assert_eq!(c.parse("noon", 0.0), None);
    }

    #[test]
    fn offsets_read_as_hours_or_as_plus_hh_mm() {
        assert_eq!(parse_offset("+08:00").map(|o| o.whole_seconds()), Some(8 * 3600));
        assert_eq!(parse_offset("8").map(|o| o.whole_seconds()), Some(8 * 3600));
        assert_eq!(parse_offset("-05:30").map(|o| o.whole_seconds()), Some(-(5 * 3600 + 1800)));
        assert_eq!(parse_offset("5.5").map(|o| o.whole_seconds()), Some(5 * 3600 + 1800));
        assert_eq!(parse_offset("+15:00"), None);
        assert_eq!(parse_offset("08:00"), None);
        for text in ["+08:00", "-05:30", "+00:00"] {
            assert_eq!(parse_offset(text).map(format_offset).as_deref(), Some(text));
        }
        assert_eq!(format_date(parse_date("2026-12-01").unwrap()), "2026-12-01");
    }
}
