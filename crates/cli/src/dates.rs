//! `--since` / `--until`: `YYYY-MM-DD` in China Standard Time (UTC+8), or RFC 3339.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};

use crate::error::{CliError, Result};

/// China Standard Time, the zone WeCom's admin console shows and `sp_no` dates use.
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Which end of a range a date is: a date-only `--until` covers its whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `--since`: a date means 00:00:00 +08:00.
    Start,
    /// `--until`: a date means 23:59:59 +08:00 (the whole day is included).
    End,
}

/// What the date flags accept, for error messages and help.
pub const EXPECTED: &str =
    "expected YYYY-MM-DD (China Standard Time, UTC+8) or RFC 3339 such as 2025-01-01T09:30:00+08:00";

/// Parses one date flag into Unix seconds.
pub fn parse(flag: &str, value: &str, bound: Bound) -> Result<u64> {
    let v = value.trim();
    let bad = || CliError::usage(format!("invalid {flag} {value:?}: {EXPECTED}"));
    let unix = if let Ok(date) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        if v.len() != 10 {
            return Err(bad());
        }
        let time = match bound {
            Bound::Start => NaiveTime::MIN,
            Bound::End => NaiveTime::from_hms_opt(23, 59, 59).expect("a valid time"),
        };
        cst().from_local_datetime(&date.and_time(time)).single().ok_or_else(bad)?.timestamp()
    } else {
        DateTime::parse_from_rfc3339(v).map_err(|_| bad())?.timestamp()
    };
    u64::try_from(unix)
        .map_err(|_| CliError::usage(format!("invalid {flag} {value:?}: dates before 1970 are not supported")))
}

/// Parses `--since` and `--until` into an inclusive range of Unix seconds, `since < until`.
pub fn range(since: &str, until: &str) -> Result<(u64, u64)> {
    let start = parse("--since", since, Bound::Start)?;
    let end = parse("--until", until, Bound::End)?;
    if start >= end {
        return Err(CliError::usage(format!(
            "inverted range: --since {since} ({}) is not before --until {until} ({})",
            format_cst(start as i64),
            format_cst(end as i64)
        )));
    }
    Ok((start, end))
}

/// Parses a duration flag: a whole number and a unit, `500ms`, `30s`, `5m`, `2h` (a bare number is
/// seconds); zero is refused.
pub fn parse_duration(value: &str) -> std::result::Result<std::time::Duration, String> {
    let v = value.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (digits, unit) = v.split_at(split);
    let n: u64 = digits.parse().map_err(|_| format!("invalid duration {value:?}: use e.g. 30s, 5m, 2h, 500ms"))?;
    let ms = match unit {
        "ms" => Some(n),
        "" | "s" => n.checked_mul(1000),
        "m" | "min" => n.checked_mul(60_000),
        "h" => n.checked_mul(3_600_000),
        _ => return Err(format!("invalid duration {value:?}: the unit must be ms, s, m or h")),
    };
    match ms {
        Some(0) => Err(format!("invalid duration {value:?}: must be more than zero")),
        Some(ms) => Ok(std::time::Duration::from_millis(ms)),
        None => Err(format!("invalid duration {value:?}: too long")),
    }
}

/// Unix seconds as RFC 3339 in UTC+8, e.g. `2025-01-01T00:00:00+08:00`.
pub fn format_cst(unix: i64) -> String {
    match cst().timestamp_opt(unix, 0).single() {
        Some(t) => t.to_rfc3339(),
        None => unix.to_string(),
    }
}

/// Unix seconds as a short `YYYY-MM-DD HH:MM:SS` in UTC+8 (for summaries).
pub fn format_short(unix: i64) -> String {
    match cst().timestamp_opt(unix, 0).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => unix.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        use std::time::Duration;
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        for bad in ["", "0s", "s", "1d", "-1s", "1.5s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    /// 2025-01-01T00:00:00+08:00.
    const JAN1: u64 = 1_735_660_800;

    #[test]
    fn dates_are_china_standard_time_and_until_takes_the_whole_day() {
        assert_eq!(parse("--since", "2025-01-01", Bound::Start).unwrap(), JAN1);
        assert_eq!(parse("--until", "2025-01-01", Bound::End).unwrap(), JAN1 + 86_399);
        // The emulator's (and the README's) default range.
        assert_eq!(range("2025-01-01", "2025-06-30").unwrap(), (JAN1, 1_751_299_199));
    }

    #[test]
    fn rfc3339_is_taken_exactly() {
        assert_eq!(parse("--since", "2025-01-01T00:00:00+08:00", Bound::Start).unwrap(), JAN1);
        assert_eq!(parse("--until", "2024-12-31T16:00:00Z", Bound::End).unwrap(), JAN1);
        assert_eq!(parse("--until", "2025-01-01T09:30:00+08:00", Bound::End).unwrap(), JAN1 + 9 * 3600 + 1800);
    }

    #[test]
    fn bad_dates_name_the_flag_and_the_format() {
        for bad in ["2025-13-01", "2025-02-30", "tomorrow", "", "2025/01/01", "2025-1-1", "1969-12-31"] {
            let e = parse("--since", bad, Bound::Start).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
            assert!(e.message().contains("--since"), "{e}");
        }
        let e = parse("--until", "2025-13-01", Bound::End).unwrap_err();
        assert!(e.message().contains("--until") && e.message().contains("YYYY-MM-DD"), "{e}");
    }

    #[test]
    fn an_inverted_or_empty_range_is_refused() {
        let e = range("2025-06-30", "2025-01-01").unwrap_err();
        assert!(e.message().starts_with("inverted range"), "{e}");
        assert_eq!(e.exit_code(), 2);
        let e = range("2025-01-01T00:00:00+08:00", "2025-01-01T00:00:00+08:00").unwrap_err();
        assert!(e.message().starts_with("inverted range"), "{e}");
        // One day is a valid range.
        assert_eq!(range("2025-01-01", "2025-01-01").unwrap(), (JAN1, JAN1 + 86_399));
    }

    #[test]
    fn formats_in_utc_plus_8() {
        assert_eq!(format_cst(JAN1 as i64), "2025-01-01T00:00:00+08:00");
        assert_eq!(format_short(JAN1 as i64 + 61), "2025-01-01 00:01:01");
    }
}
