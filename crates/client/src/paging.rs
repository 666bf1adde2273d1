//! Lazy streams over paged and windowed endpoints: one page walk, used for a single window and
//! for every window of a long range.
//!
//! A walk always ends. Within a window it remembers the cursors it asked for and the records it
//! saw; a cursor handed back a second time (A → B → A …) stops the walk at once, and
//! [`MAX_STALLED_PAGES`] non-empty pages in a row holding only records already seen in the walk
//! (a server ignoring the cursor) stop it too — both with [`Error::NoProgress`] naming the
//! endpoint and the window. Records repeated at a window edge, or at a legacy page edge, are
//! new to the walk that meets them there, so they never count as a stall.

use std::collections::HashMap;

use futures::stream::BoxStream;
use wecom_endpoints::{CursorStyle, ErrorCode, MaxSpan, Paged, Windowed};

use crate::error::Stall;
use crate::{Client, Error, TimeRange};

/// Windows shorter than this are not split further on 301112.
const MIN_SPLIT_SECONDS: u64 = 60;

/// Non-empty pages in a row with nothing new to the walk before it is stopped. One such page is
/// tolerated (records moved between pages while paging); a second in a row is a server that
/// ignores the cursor.
pub(crate) const MAX_STALLED_PAGES: u32 = 2;

/// Records already yielded: the current window's (with the walk that last met each) and the
/// previous window's, so a record on a shared window edge is yielded once.
#[derive(Default)]
struct Seen {
    previous: HashMap<String, u32>,
    current: HashMap<String, u32>,
    walk: u32,
}

/// What one record of a page is to the walk and to the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sighting {
    /// Not met before in this walk: the page made progress.
    new_to_walk: bool,
    /// Never yielded before: the stream yields it.
    fresh: bool,
}

impl Seen {
    /// Starts a walk (a window, or half of one after 301112).
    fn start_walk(&mut self) {
        self.walk += 1;
    }

    fn note(&mut self, key: String) -> Sighting {
        match self.current.get_mut(&key) {
            Some(w) if *w == self.walk => Sighting { new_to_walk: false, fresh: false },
            Some(w) => {
                *w = self.walk;
                Sighting { new_to_walk: true, fresh: false }
            }
            None => {
                let fresh = !self.previous.contains_key(&key);
                self.current.insert(key, self.walk);
                Sighting { new_to_walk: true, fresh }
            }
        }
    }

    /// Starts a new window: keeps only the last one's records.
    fn rotate(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }
}

/// Whether WeCom asked for a shorter range.
fn wants_shorter_window(e: &Error) -> bool {
    matches!(e.code(), Some(ErrorCode::NarrowTimeRange | ErrorCode::ResponseTooLarge))
}

/// One window paged from its first cursor to its end.
struct PageWalk<E: Paged> {
    req: E,
    window: (u64, u64),
    /// Cursors asked for in this walk, as the request holds them (`None` = the first page).
    asked: Vec<Option<E::Cursor>>,
    stalled: u32,
    calls: u32,
    /// The walk is over: nothing more to fetch.
    done: bool,
    /// Why the walk stopped, reported after the last page's records are handed out.
    failure: Option<Error>,
}

impl<E: Paged> PageWalk<E> {
    fn new(req: E, window: (u64, u64), seen: &mut Seen) -> Self {
        seen.start_walk();
        PageWalk { req, window, asked: Vec::new(), stalled: 0, calls: 0, done: false, failure: None }
    }

    fn no_progress(&self, stall: Stall) -> Error {
        Error::NoProgress { endpoint: E::INFO.id, start: self.window.0, end: self.window.1, stall, calls: self.calls }
    }

    /// The records of the next page not yielded before, or `None` once the walk is over.
    async fn next_page(&mut self, client: &Client, seen: &mut Seen) -> Result<Option<Vec<E::Item>>, Error> {
        if let Some(err) = self.failure.take() {
            return Err(err);
        }
        if self.done {
            return Ok(None);
        }
        self.asked.push(self.req.page_cursor());
        self.calls += 1;
        let response = client.execute(&self.req).await?;
        client.core.stats.page();
        let next = E::next_cursor(&response);
        let items = E::items(response);
        let on_page = items.len();
        let mut progress = 0usize;
        let mut fresh = Vec::with_capacity(on_page);
        for item in items {
            let s = seen.note(E::item_key(&item));
            progress += usize::from(s.new_to_walk);
            if s.fresh {
                fresh.push(item);
            }
        }
        self.done = true;
        match next {
            None => {}
            // The legacy cursor names the first form to pull, and the answer's the last one
            // returned: a page holding only that form again is the window's end [D91530].
            Some(_) if E::STYLE == CursorStyle::SpNum && on_page == 1 && progress == 0 => {}
            Some(cursor) => {
                let mut probe = self.req.clone();
                probe.set_cursor(Some(cursor.clone()));
                let normalized = probe.page_cursor();
                if self.asked.contains(&normalized) {
                    self.failure = Some(self.no_progress(Stall::CursorRepeated { cursor: format!("{cursor:?}") }));
                } else if on_page > 0 && progress == 0 && self.stalled + 1 >= MAX_STALLED_PAGES {
                    self.failure = Some(self.no_progress(Stall::NoNewRecords { pages: self.stalled + 1 }));
                } else {
                    if on_page > 0 {
                        self.stalled = if progress == 0 { self.stalled + 1 } else { 0 };
                    }
                    self.req = probe;
                    self.done = false;
                }
            }
        }
        if let Some(err) = &self.failure {
            tracing::warn!(endpoint = E::INFO.id, start = self.window.0, end = self.window.1, error = %err, "paging stopped");
        }
        Ok(Some(fresh))
    }
}

impl Client {
    /// Every item of a paged endpoint's window, following the cursor to the end, lazily: a page
    /// is fetched when the items before it have been consumed. Works for all three cursor
    /// styles; a record repeated within the window is yielded once. Paging always ends: a
    /// cursor cycle or a server ignoring the cursor is an [`Error::NoProgress`] after a few
    /// calls, never a loop.
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
        E: Paged + Windowed + 'static,
    {
        let client = self.clone();
        Box::pin(async_stream::try_stream! {
            let mut seen = Seen::default();
            let window = request.window();
            let mut walk = PageWalk::new(request, window, &mut seen);
            while let Some(items) = walk.next_page(&client, &mut seen).await? {
                for item in items {
                    yield item;
                }
            }
        })
    }

    /// Every item of a paged, windowed endpoint over a range of any length: the range is split
    /// into windows the endpoint accepts (within every reading of its limit), each window is
    /// paged to the end (as [`Client::items`] pages one), results come in order, and a record on
    /// a window edge is yielded once. When WeCom asks for a shorter range (301112), the window
    /// is halved and retried.
    pub fn windowed_items<E>(&self, request: E, range: TimeRange) -> BoxStream<'static, Result<E::Item, Error>>
    where
        E: Paged + Windowed + 'static,
    {
        let client = self.clone();
        let span = E::INFO.window.map(|w| w.max_span).unwrap_or(MaxSpan::Days(1));
        Box::pin(async_stream::try_stream! {
            let mut seen = Seen::default();
            for (window_start, window_end) in range.windows(span) {
                client.core.stats.window();
                let mut pending = vec![(window_start, window_end)];
                'window: while let Some((s, e)) = pending.pop() {
                    let mut req = request.clone();
                    req.set_window(s, e);
                    req.set_cursor(None);
                    let mut walk = PageWalk::new(req, (s, e), &mut seen);
                    loop {
                        match walk.next_page(&client, &mut seen).await {
                            Ok(Some(items)) => {
                                for item in items {
                                    yield item;
                                }
                            }
                            Ok(None) => break,
                            Err(err) if wants_shorter_window(&err) && e - s > MIN_SPLIT_SECONDS => {
                                let mid = s + (e - s) / 2;
                                tracing::info!(endpoint = E::INFO.id, start = s, end = e, "WeCom asked for a shorter range; halving the window");
                                client.core.stats.window_split();
                                pending.push((mid, e));
                                pending.push((s, mid));
                                continue 'window;
                            }
                            Err(err) => Err(err)?,
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
                client.core.stats.window();
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

    fn sight(s: &mut Seen, key: &str) -> (bool, bool) {
        let x = s.note(key.into());
        (x.new_to_walk, x.fresh)
    }

    #[test]
    fn seen_remembers_one_window_back_and_tells_walks_apart() {
        let mut s = Seen::default();
        s.start_walk();
        assert_eq!(sight(&mut s, "a"), (true, true));
        assert_eq!(sight(&mut s, "a"), (false, false), "a repeat within the walk is no progress");
        s.start_walk(); // the same window again, halved
        assert_eq!(sight(&mut s, "a"), (true, false), "new to the new walk, but yielded already");
        s.rotate();
        s.start_walk();
        assert_eq!(sight(&mut s, "a"), (true, false), "a repeat at the window edge is dropped, not a stall");
        assert_eq!(sight(&mut s, "a"), (false, false), "but a second one in the same walk is no progress");
        assert_eq!(sight(&mut s, "b"), (true, true));
        s.rotate();
        s.rotate();
        s.start_walk();
        assert_eq!(sight(&mut s, "a"), (true, true), "only one window is remembered");
    }
}
