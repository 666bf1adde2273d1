//! Lazy streams over paged and windowed endpoints.

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use futures::stream::BoxStream;
use wecom_endpoints::{CursorStyle, ErrorCode, MaxSpan, Paged, Windowed};

use crate::{Client, Error, TimeRange};

/// Windows shorter than this are not split further on 301112.
const MIN_SPLIT_SECONDS: u64 = 60;

/// Drops records already seen in the current or the previous window (or page).
#[derive(Default)]
struct Seen {
    previous: HashSet<String>,
    current: HashSet<String>,
}

impl Seen {
    /// True the first time a key shows up.
    fn admit(&mut self, key: String) -> bool {
        !self.previous.contains(&key) && self.current.insert(key)
    }

    /// Starts a new window (or page): keeps only the last one's keys.
    fn rotate(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }
}

/// Whether WeCom asked for a shorter range.
fn wants_shorter_window(e: &Error) -> bool {
    matches!(e.code(), Some(ErrorCode::NarrowTimeRange | ErrorCode::ResponseTooLarge))
}

/// Where a walk goes after a page: the next cursor, or `None` at the end. A cursor that does
/// not advance is an error (never a loop); a legacy page that brought nothing new is the end.
fn advance<E: Paged>(
    current: Option<&E::Cursor>,
    next: Option<E::Cursor>,
    fresh: usize,
) -> Result<Option<E::Cursor>, Error> {
    match next {
        Some(n) if Some(&n) == current => Err(Error::Protocol {
            endpoint: E::INFO.id,
            message: format!("the cursor did not advance ({n:?}); stopping instead of looping"),
        }),
        Some(_) if fresh == 0 && E::STYLE == CursorStyle::SpNum => Ok(None),
        next => Ok(next),
    }
}

impl Client {
    /// Every item of a paged endpoint, following the cursor to the end, lazily: a page is
    /// fetched when the items before it have been consumed. Works for all three cursor
    /// styles; a record a page repeats from the previous page is dropped; a cursor that does
    /// not advance is an error, never a loop.
    ///
    /// ```no_run
    /// # async fn run(client: wecom_client::Client) -> Result<(), wecom_client::Error> {
    /// use futures::TryStreamExt;
    /// use wecom_models::journal::GetRecordListRequest;
    /// let ids: Vec<String> = client.items(GetRecordListRequest::new(1735660800, 1737000000)).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn items<E>(&self, request: E) -> BoxStream<'static, Result<E::Item, Error>>
    where
        E: Paged + 'static,
    {
        let client = self.clone();
        Box::pin(async_stream::try_stream! {
            let mut seen = Seen::default();
            let mut req = request;
            let mut cursor = req.page_cursor();
            loop {
                req.set_cursor(cursor.clone());
                let response = client.execute(&req).await?;
                client.core.stats.pages.fetch_add(1, Ordering::Relaxed);
                let next = E::next_cursor(&response);
                let mut fresh = 0usize;
                for item in E::items(response) {
                    if seen.admit(E::item_key(&item)) {
                        fresh += 1;
                        yield item;
                    }
                }
                seen.rotate();
                match advance::<E>(cursor.as_ref(), next, fresh)? {
                    Some(n) => cursor = Some(n),
                    None => break,
                }
            }
        })
    }

    /// Every item of a paged, windowed endpoint over a range of any length: the range is split
    /// into windows the endpoint accepts (within every reading of its limit), each window is
    /// paged to the end, results come in order, and a record on a window edge is yielded once.
    /// When WeCom asks for a shorter range (301112), the window is halved and retried.
    pub fn windowed_items<E>(&self, request: E, range: TimeRange) -> BoxStream<'static, Result<E::Item, Error>>
    where
        E: Paged + Windowed + 'static,
    {
        let client = self.clone();
        let span = E::INFO.window.map(|w| w.max_span).unwrap_or(MaxSpan::Days(1));
        Box::pin(async_stream::try_stream! {
            let mut seen = Seen::default();
            for (window_start, window_end) in range.windows(span) {
                client.core.stats.windows.fetch_add(1, Ordering::Relaxed);
                let mut pending = vec![(window_start, window_end)];
                'window: while let Some((s, e)) = pending.pop() {
                    let mut req = request.clone();
                    req.set_window(s, e);
                    let mut cursor: Option<E::Cursor> = None;
                    loop {
                        req.set_cursor(cursor.clone());
                        let response = match client.execute(&req).await {
                            Ok(r) => r,
                            Err(err) if wants_shorter_window(&err) && e - s > MIN_SPLIT_SECONDS => {
                                let mid = s + (e - s) / 2;
                                tracing::info!(endpoint = E::INFO.id, start = s, end = e, "WeCom asked for a shorter range; halving the window");
                                client.core.stats.window_splits.fetch_add(1, Ordering::Relaxed);
                                pending.push((mid, e));
                                pending.push((s, mid));
                                continue 'window;
                            }
                            Err(err) => Err(err)?,
                        };
                        client.core.stats.pages.fetch_add(1, Ordering::Relaxed);
                        let next = E::next_cursor(&response);
                        let mut fresh = 0usize;
                        for item in E::items(response) {
                            if seen.admit(E::item_key(&item)) {
                                fresh += 1;
                                yield item;
                            }
                        }
                        match advance::<E>(cursor.as_ref(), next, fresh)? {
                            Some(n) => cursor = Some(n),
                            None => break,
                        }
                    }
                }
                seen.rotate();
            }
        })
    }

    /// One call per window of a windowed endpoint that does not page (journal statistics),
    /// over a range of any length.
    pub fn windowed_calls<E>(&self, request: E, range: TimeRange) -> BoxStream<'static, Result<E::Response, Error>>
    where
        E: Windowed + 'static,
    {
        let client = self.clone();
        let span = E::INFO.window.map(|w| w.max_span).unwrap_or(MaxSpan::Days(1));
        Box::pin(async_stream::try_stream! {
            for (s, e) in range.windows(span) {
                client.core.stats.windows.fetch_add(1, Ordering::Relaxed);
                let mut req = request.clone();
                req.set_window(s, e);
                let response = client.execute(&req).await?;
                yield response;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_remembers_one_window_back() {
        let mut s = Seen::default();
        assert!(s.admit("a".into()));
        assert!(!s.admit("a".into()));
        s.rotate();
        assert!(!s.admit("a".into()), "a repeat at the window edge is dropped");
        assert!(s.admit("b".into()));
        s.rotate();
        s.rotate();
        assert!(s.admit("a".into()), "only one window is remembered");
    }
}
