//! Calendar arithmetic in China Standard Time (UTC+8), the zone WeCom reasons in.
//!
//! Only what the emulator needs: civil dates, month arithmetic with end-of-month
//! clamping, and day/week/month cycle boundaries. No external time crate.

/// Offset of China Standard Time from UTC, in seconds.
pub const TZ_OFFSET: i64 = 8 * 3600;
/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`]: (year, month 1..=12, day 1..=31).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whether `y` is a Gregorian leap year.
pub fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Number of days in month `m` of year `y`.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if is_leap(y) {
                29
            } else {
                28
            }
        }
    }
}

/// A Unix timestamp split into its UTC+8 civil parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    /// Year.
    pub year: i64,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of month, 1..=31.
    pub day: u32,
    /// Seconds since local midnight.
    pub secs: i64,
}

/// Splits a Unix timestamp into UTC+8 civil parts.
pub fn to_local(t: i64) -> Local {
    let lt = t + TZ_OFFSET;
    let days = lt.div_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    Local { year, month, day, secs: lt.rem_euclid(DAY) }
}

/// Builds a Unix timestamp from UTC+8 civil parts.
pub fn from_local(year: i64, month: u32, day: u32, secs: i64) -> i64 {
    days_from_civil(year, month, day) * DAY + secs - TZ_OFFSET
}

/// `yyyymmdd` of the UTC+8 date of `t`.
pub fn yyyymmdd(t: i64) -> u32 {
    let l = to_local(t);
    (l.year as u32) * 10_000 + l.month * 100 + l.day
}

/// UTC+8 midnight at or before `t`.
pub fn local_midnight(t: i64) -> i64 {
    t - (t + TZ_OFFSET).rem_euclid(DAY)
}

/// Day of week of `t` in UTC+8: 0 = Monday … 6 = Sunday.
pub fn weekday(t: i64) -> i64 {
    // 1970-01-01 was a Thursday (3 when Monday = 0).
    ((t + TZ_OFFSET).div_euclid(DAY) + 3).rem_euclid(7)
}

/// UTC+8 Monday midnight at or before `t`.
pub fn local_week_start(t: i64) -> i64 {
    local_midnight(t) - weekday(t) * DAY
}

/// UTC+8 first-of-month midnight at or before `t`.
pub fn local_month_start(t: i64) -> i64 {
    let l = to_local(t);
    from_local(l.year, l.month, 1, 0)
}

/// `t` plus `n` calendar months in UTC+8, keeping the time of day and clamping
/// the day to the end of the target month (Jan 31 + 1 month = Feb 28/29).
pub fn add_months(t: i64, n: i64) -> i64 {
    let l = to_local(t);
    let total = l.year * 12 + (l.month as i64 - 1) + n;
    let year = total.div_euclid(12);
    let month = (total.rem_euclid(12) + 1) as u32;
    let day = l.day.min(days_in_month(year, month));
    from_local(year, month, day, l.secs)
}

/// Formats `t` as `YYYY-MM-DD HH:MM:SS` in UTC+8.
pub fn format_local(t: i64) -> String {
    let l = to_local(t);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        l.year,
        l.month,
        l.day,
        l.secs / 3600,
        (l.secs / 60) % 60,
        l.secs % 60
    )
}

/// Parses a point in time: a Unix timestamp (`1735660800`), a date
/// (`2025-01-01`, UTC+8 midnight) or a date-time (`2025-01-01T08:30:00` or
/// `2025-01-01 08:30:00`, UTC+8).
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    let (date, time) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut dp = date.split('-');
    let y: i64 = dp.next()?.parse().ok()?;
    let m: u32 = dp.next()?.parse().ok()?;
    let d: u32 = dp.next()?.parse().ok()?;
    if dp.next().is_some() || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let secs = match time {
        None => 0,
        Some(t) => {
            let t = t.trim_end_matches("+08:00");
            let mut tp = t.split(':');
            let h: i64 = tp.next()?.parse().ok()?;
            let mi: i64 = tp.next().unwrap_or("0").parse().ok()?;
            let se: i64 = tp.next().unwrap_or("0").parse().ok()?;
            if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0..60).contains(&se) {
                return None;
            }
            h * 3600 + mi * 60 + se
        }
    };
    Some(from_local(y, m, d, secs))
}

/// Parses a duration written as `500ms`, `20s`, `2m`, `1h` or a bare number of
/// seconds (`30`); `None` for anything else.
pub fn parse_duration(s: &str) -> Option<std::time::Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let ms = match unit.trim() {
        "ms" => n,
        "" | "s" => n.checked_mul(1000)?,
        "m" | "min" => n.checked_mul(60_000)?,
        "h" => n.checked_mul(3_600_000)?,
        _ => return None,
    };
    Some(std::time::Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        assert_eq!(from_local(2025, 1, 1, 0), 1_735_660_800);
        assert_eq!(from_local(2025, 6, 30, 86_399), 1_751_299_199);
        assert_eq!(yyyymmdd(1_735_660_800), 20_250_101);
        assert_eq!(yyyymmdd(1_735_660_799), 20_241_231);
    }

    #[test]
    fn months_clamp() {
        let jan31 = from_local(2025, 1, 31, 3600);
        assert_eq!(add_months(jan31, 1), from_local(2025, 2, 28, 3600));
        let jan31_leap = from_local(2024, 1, 31, 0);
        assert_eq!(add_months(jan31_leap, 1), from_local(2024, 2, 29, 0));
        assert_eq!(add_months(from_local(2024, 2, 29, 0), 12), from_local(2025, 2, 28, 0));
        assert_eq!(add_months(from_local(2025, 12, 15, 0), 1), from_local(2026, 1, 15, 0));
    }

    #[test]
    fn weeks() {
        // 2025-01-06 is a Monday.
        let mon = from_local(2025, 1, 6, 0);
        assert_eq!(weekday(mon), 0);
        assert_eq!(local_week_start(mon + 3 * DAY + 5), mon);
        assert_eq!(local_month_start(mon + 5), from_local(2025, 1, 1, 0));
    }

    #[test]
    fn parse() {
        assert_eq!(parse_time("2025-01-01"), Some(1_735_660_800));
        assert_eq!(parse_time("2025-06-30T23:59:59"), Some(1_751_299_199));
        assert_eq!(parse_time("1735660800"), Some(1_735_660_800));
        assert_eq!(parse_time("2025-02-30"), None);
        assert_eq!(format_local(1_751_299_199), "2025-06-30 23:59:59");
    }

    #[test]
    fn durations() {
        use std::time::Duration;
        assert_eq!(parse_duration("20s"), Some(Duration::from_secs(20)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration("30"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("2x"), None);
        assert_eq!(parse_duration("s"), None);
        assert_eq!(parse_duration("-1s"), None);
    }
}
