//! Time ranges and how they are split into windows the server accepts.

use std::fmt;

use wecom_endpoints::MaxSpan;

use crate::Error;

/// A time range in Unix seconds, `start` to `end`, any length. The client splits it into
/// windows each endpoint accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeRange {
    start: u64,
    end: u64,
}

impl TimeRange {
    /// A range; `end` must be after `start`.
    pub fn new(start: u64, end: u64) -> Result<TimeRange, Error> {
        if end <= start {
            return Err(Error::Config(format!("time range end {end} must be after its start {start}")));
        }
        Ok(TimeRange { start, end })
    }

    /// Start, Unix seconds.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// End, Unix seconds.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// The windows of at most `span` covering the range, in order. Consecutive windows share
    /// their boundary second, so a record exactly on it is fetched whether the server reads
    /// windows as closed or half-open; the streams drop the repeat.
    pub fn windows(&self, span: MaxSpan) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut s = self.start;
        loop {
            let e = span.safe_end(s).min(self.end).max(s + 1);
            out.push((s, e));
            if e >= self.end {
                return out;
            }
            s = e;
        }
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 86_400;
    /// 2025-01-01 00:00 +08:00.
    const JAN1: u64 = 1_735_660_800;

    #[test]
    fn ninety_five_days_in_31_day_windows() {
        let r = TimeRange::new(JAN1, JAN1 + 95 * DAY).unwrap();
        let w = r.windows(MaxSpan::Days(31));
        assert_eq!(
            w,
            vec![
                (JAN1, JAN1 + 31 * DAY),
                (JAN1 + 31 * DAY, JAN1 + 62 * DAY),
                (JAN1 + 62 * DAY, JAN1 + 93 * DAY),
                (JAN1 + 93 * DAY, JAN1 + 95 * DAY)
            ]
        );
        for (s, e) in &w {
            assert!(MaxSpan::Days(31).allows(*s, *e));
        }
    }

    #[test]
    fn month_windows_fit_every_reading() {
        let r = TimeRange::new(JAN1, JAN1 + 365 * DAY).unwrap();
        for (s, e) in r.windows(MaxSpan::Months(1)) {
            assert!(e - s <= 30 * DAY, "within 30 days");
            assert!(MaxSpan::Months(1).allows(s, e), "within the calendar month");
        }
    }

    #[test]
    fn short_and_bad_ranges() {
        assert_eq!(TimeRange::new(5, 6).unwrap().windows(MaxSpan::Days(1)), vec![(5, 6)]);
        assert!(TimeRange::new(6, 6).is_err());
        assert!(TimeRange::new(7, 6).is_err());
    }
}
