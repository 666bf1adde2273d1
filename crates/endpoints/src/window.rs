//! Time windows: the [`Windowed`] trait and [`MaxSpan`].

use std::fmt;

use chrono::{DateTime, Days, FixedOffset, Months, TimeZone};

use crate::Endpoint;

/// A list endpoint that takes a `[start, end]` time window (Unix seconds) with a maximum span.
pub trait Windowed: Endpoint + Clone {
    /// `(start, end)` of this request.
    fn window(&self) -> (u64, u64);
    /// Sets the window (values above the wire type's range saturate; validation then rejects them).
    fn set_window(&mut self, start: u64, end: u64);
}

/// The longest window an endpoint accepts.
///
/// Months and years are calendar spans in China Standard Time (UTC+8), the time zone WeCom
/// reckons in: one month after 2025-01-31 00:00 is 2025-02-28 00:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaxSpan {
    /// A fixed number of days (`31 days` for getapprovalinfo, `30 days` for the legacy API).
    Days(u32),
    /// Calendar months (`1 month` for the journal list; the docs do not give a day count).
    Months(u32),
    /// Calendar years (`1 year` for journal statistics).
    Years(u32),
}

/// China Standard Time.
pub(crate) fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

fn at(ts: u64) -> Option<DateTime<FixedOffset>> {
    let secs = i64::try_from(ts).ok()?;
    cst().timestamp_opt(secs, 0).single()
}

fn unix(dt: DateTime<FixedOffset>) -> u64 {
    u64::try_from(dt.timestamp()).unwrap_or(0)
}

impl MaxSpan {
    /// The latest end (inclusive) this span allows for a window starting at `start`.
    pub fn limit_end(self, start: u64) -> u64 {
        let Some(t) = at(start) else { return u64::MAX };
        let end = match self {
            MaxSpan::Days(n) => t.checked_add_days(Days::new(u64::from(n))),
            MaxSpan::Months(n) => t.checked_add_months(Months::new(n)),
            MaxSpan::Years(n) => t.checked_add_months(Months::new(n.saturating_mul(12))),
        };
        end.map(unix).unwrap_or(u64::MAX)
    }

    /// The latest end that every reasonable reading of this span allows.
    ///
    /// The docs say "不能超过一个月" (at most one month) without a day count, so a window
    /// splitter stays within both the calendar month and 30 days (and for years, within both the
    /// calendar year and 365 days). Day spans are exact.
    pub fn safe_end(self, start: u64) -> u64 {
        let fixed = match self {
            MaxSpan::Days(n) => u64::from(n) * 86_400,
            MaxSpan::Months(n) => u64::from(n) * 30 * 86_400,
            MaxSpan::Years(n) => u64::from(n) * 365 * 86_400,
        };
        self.limit_end(start).min(start.saturating_add(fixed))
    }

    /// Whether `[start, end]` fits (`end > start` is checked separately).
    pub fn allows(self, start: u64, end: u64) -> bool {
        end <= self.limit_end(start)
    }
}

impl fmt::Display for MaxSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, unit) = match *self {
            MaxSpan::Days(n) => (n, "day"),
            MaxSpan::Months(n) => (n, "month"),
            MaxSpan::Years(n) => (n, "year"),
        };
        write!(f, "{n} {unit}{}", if n == 1 { "" } else { "s" })
    }
}

/// Formats Unix seconds as a China Standard Time date for messages.
pub(crate) fn show_time(ts: u64) -> String {
    match at(ts) {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S%:z").to_string(),
        None => ts.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: i32, m: u32, d: u32) -> u64 {
        unix(cst().with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap())
    }

    #[test]
    fn calendar_month_clamps_to_month_end() {
        assert_eq!(MaxSpan::Months(1).limit_end(ts(2025, 1, 31)), ts(2025, 2, 28));
        assert_eq!(MaxSpan::Months(1).limit_end(ts(2024, 1, 31)), ts(2024, 2, 29));
        assert_eq!(MaxSpan::Months(1).limit_end(ts(2025, 3, 1)), ts(2025, 4, 1));
    }

    #[test]
    fn safe_end_is_the_stricter_reading() {
        // March has 31 days: the calendar allows 31, the fixed reading 30.
        assert_eq!(MaxSpan::Months(1).safe_end(ts(2025, 3, 1)), ts(2025, 3, 31));
        // February: the calendar is stricter.
        assert_eq!(MaxSpan::Months(1).safe_end(ts(2025, 2, 1)), ts(2025, 3, 1));
        assert_eq!(MaxSpan::Days(31).safe_end(100), 100 + 31 * 86_400);
        // 2024 is a leap year: 366 calendar days, 365 fixed.
        assert_eq!(MaxSpan::Years(1).safe_end(ts(2024, 1, 1)), ts(2024, 12, 31));
    }

    #[test]
    fn display() {
        assert_eq!(MaxSpan::Days(31).to_string(), "31 days");
        assert_eq!(MaxSpan::Months(1).to_string(), "1 month");
        assert_eq!(MaxSpan::Years(2).to_string(), "2 years");
    }

    #[test]
    fn absurd_times_do_not_panic() {
        assert_eq!(MaxSpan::Days(1).limit_end(u64::MAX), u64::MAX);
        assert!(MaxSpan::Years(1).safe_end(u64::MAX) >= 1);
    }
}
