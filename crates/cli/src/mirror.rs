//! Which of two details of one approval form is newer: the one rule every write of a form into a
//! database obeys (exports and `sync` alike), so an older detail never overwrites a newer one.
//!
//! Each detail carries two things:
//!
//! - a [`Stamp`]: when its fetch was started, in microseconds, from this process's [`Clock`]
//!   (strictly increasing, and above every stamp already in the database when the process
//!   opened it, so a restarted run is newer than anything the previous one wrote even if the
//!   wall clock stepped back);
//! - its [`Progress`]: what can only grow over a form's life in WeCom — whether it is closed (a
//!   final status never returns to 审批中), how many approver entries have acted (approved,
//!   rejected, transferred…), how many comments it has.
//!
//! [`decide`]: a detail whose progress is *behind* the stored one's (no part ahead, one part
//! behind) is stale whatever its stamp — it was read from an older state, e.g. by a fetch that
//! started earlier but finished later, a lagging replica, or another process; a detail *ahead*
//! replaces the stored one whatever its stamp; otherwise (same progress, or parts ahead and
//! behind) the later fetch start wins. Fetch-start order is exact for two fetches of one process
//! when WeCom answers each read with the state at or after its start: the later-started read
//! sees at least what the earlier one saw. Progress covers what start order cannot: reads that
//! overlap a change, and writers in other processes.
//!
//! What it cannot see: a change that lowers progress (a comment deleted, a form sent back to an
//! earlier approver who then shows as pending again). The mirror then keeps the fuller copy
//! until a later detail is ahead of it again.

use std::sync::atomic::{AtomicI64, Ordering};

use wecom_models::approval::ApprovalDetail;

/// When a detail's fetch was started: microseconds since the Unix epoch, from a [`Clock`].
pub type Stamp = i64;

/// What only grows over a form's life (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// The form left 审批中 (sp_status other than 1).
    pub closed: bool,
    /// Approver entries (`sp_record[].details[]`) no longer pending (status other than 1).
    pub acted: u32,
    /// Comments.
    pub comments: u32,
}

impl Progress {
    /// The progress of a detail.
    pub fn of(detail: &ApprovalDetail) -> Progress {
        let acted = detail.sp_record.iter().flat_map(|node| &node.details).filter(|a| a.sp_status.code() != 1).count();
        Progress {
            closed: detail.sp_status.code() != 1,
            acted: u32::try_from(acted).unwrap_or(u32::MAX),
            comments: u32::try_from(detail.comments.len()).unwrap_or(u32::MAX),
        }
    }

    fn parts(self) -> [u32; 3] {
        [u32::from(self.closed), self.acted, self.comments]
    }

    /// No part ahead of `other`, and one behind it.
    pub fn is_behind(self, other: Progress) -> bool {
        let (a, b) = (self.parts(), other.parts());
        a.iter().zip(&b).all(|(x, y)| x <= y) && a != b
    }

    /// No part behind `other`, and one ahead of it.
    pub fn is_ahead(self, other: Progress) -> bool {
        other.is_behind(self)
    }
}

/// The stamp and progress of a stored (or candidate) detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    /// When its fetch started.
    pub stamp: Stamp,
    /// What it shows.
    pub progress: Progress,
}

/// What to do with a fetched detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Store it: nothing stored yet, or it is newer.
    Store,
    /// Keep what is stored: it is newer (or the same fetch).
    Keep,
}

/// The rule (see the module docs): `new` replaces `stored` when its progress is ahead, never
/// when it is behind, and otherwise when its fetch started later.
pub fn decide(new: Version, stored: Option<Version>) -> Decision {
    let Some(old) = stored else { return Decision::Store };
    if new.progress.is_behind(old.progress) {
        Decision::Keep
    } else if new.progress.is_ahead(old.progress) || new.stamp > old.stamp {
        Decision::Store
    } else {
        Decision::Keep
    }
}

/// Fetch-start stamps for one process: strictly increasing microseconds, never below a floor
/// (the largest stamp in the database when it was opened). Shared by every task of a run.
#[derive(Debug, Default)]
pub struct Clock {
    last: AtomicI64,
}

impl Clock {
    /// A clock whose stamps are all above `floor`.
    pub fn above(floor: Stamp) -> Clock {
        Clock { last: AtomicI64::new(floor) }
    }

    /// Raises the floor (another database's stamps, say); never lowers it.
    pub fn raise(&self, floor: Stamp) {
        self.last.fetch_max(floor, Ordering::SeqCst);
    }

    /// The next stamp: now, or one above the last stamp given, whichever is larger.
    pub fn next(&self) -> Stamp {
        let now = chrono::Utc::now().timestamp_micros();
        let mut last = self.last.load(Ordering::SeqCst);
        loop {
            let next = now.max(last + 1);
            match self.last.compare_exchange_weak(last, next, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => return next,
                Err(seen) => last = seen,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::tests::sample_approval;

    fn v(stamp: Stamp, closed: bool, acted: u32, comments: u32) -> Version {
        Version { stamp, progress: Progress { closed, acted, comments } }
    }

    #[test]
    fn progress_counts_what_only_grows() {
        let d = sample_approval();
        assert_eq!(Progress::of(&d), Progress { closed: true, acted: 1, comments: 1 });
        let mut open = d.clone();
        open.sp_status = wecom_models::approval::SpStatus::from_code(1);
        open.comments.clear();
        assert_eq!(Progress::of(&open), Progress { closed: false, acted: 1, comments: 0 });
    }

    #[test]
    fn a_later_fetch_start_wins_when_progress_is_the_same() {
        assert_eq!(decide(v(2, false, 1, 0), None), Decision::Store);
        assert_eq!(decide(v(2, false, 1, 0), Some(v(1, false, 1, 0))), Decision::Store);
        // Two concurrent fetches of one form: the one started first answers last.
        assert_eq!(decide(v(1, false, 1, 0), Some(v(2, false, 1, 0))), Decision::Keep);
        assert_eq!(decide(v(2, false, 1, 0), Some(v(2, false, 1, 0))), Decision::Keep, "the same fetch again");
    }

    #[test]
    fn a_final_status_never_regresses_to_open() {
        // A reconcile re-read started later but read before the approval (a lagging replica, or
        // another process): still behind the approved copy a live fetch stored.
        assert_eq!(decide(v(9, false, 1, 0), Some(v(5, true, 2, 0))), Decision::Keep);
        assert_eq!(decide(v(9, false, 2, 0), Some(v(5, true, 2, 0))), Decision::Keep);
    }

    #[test]
    fn more_acted_approvers_or_comments_is_newer_whatever_the_stamp() {
        // The earlier-started fetch saw the approval (it overlapped the change), the later one not.
        assert_eq!(decide(v(1, false, 2, 0), Some(v(2, false, 1, 0))), Decision::Store);
        assert_eq!(decide(v(1, false, 1, 3), Some(v(2, false, 1, 2))), Decision::Store);
        assert_eq!(decide(v(1, true, 2, 0), Some(v(2, false, 2, 0))), Decision::Store);
        assert_eq!(decide(v(3, false, 1, 2), Some(v(2, false, 1, 3))), Decision::Keep, "one comment fewer");
    }

    #[test]
    fn mixed_progress_falls_back_to_the_stamp() {
        // One part ahead, one behind (a form sent back to an approver, plus a comment): no
        // evidence either way, so the later fetch start wins.
        assert_eq!(decide(v(3, false, 1, 4), Some(v(2, false, 2, 3))), Decision::Store);
        assert_eq!(decide(v(1, false, 1, 4), Some(v(2, false, 2, 3))), Decision::Keep);
        // Final to final (通过后撤销 after 已通过): same progress, stamps decide.
        assert_eq!(decide(v(3, true, 2, 0), Some(v(2, true, 2, 0))), Decision::Store);
    }

    #[test]
    fn stamps_strictly_increase_above_the_floor() {
        let far = chrono::Utc::now().timestamp_micros() + 10_000_000;
        let clock = Clock::above(far);
        let a = clock.next();
        let b = clock.next();
        assert!(a > far && b > a, "{far} {a} {b}");
        clock.raise(0);
        assert!(clock.next() > b, "raising never lowers");
        let fresh = Clock::default();
        let now = chrono::Utc::now().timestamp_micros();
        assert!(fresh.next() >= now);
        let shared = std::sync::Arc::new(Clock::default());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let c = shared.clone();
                std::thread::spawn(move || (0..1000).map(|_| c.next()).collect::<Vec<_>>())
            })
            .collect();
        let mut all = Vec::new();
        for t in threads {
            let s = t.join().unwrap();
            assert!(s.windows(2).all(|w| w[0] < w[1]));
            all.extend(s);
        }
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 4000, "no stamp is given twice");
    }
}
