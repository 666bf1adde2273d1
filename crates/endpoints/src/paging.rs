//! The [`Paged`] trait: one description for WeCom's three cursor styles.

use std::fmt;

use crate::Endpoint;

/// How an endpoint pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CursorStyle {
    /// Journal lists: request `cursor` (0 first), response `next_cursor` plus `endflag`
    /// (1 = no more data).
    Offset,
    /// Approval lists: request `new_cursor` (`""` first), response `new_next_cursor`,
    /// absent on the last page.
    Token,
    /// Legacy approval data: request `next_spnum` (the first form to pull), response
    /// `next_spnum` (the last form returned) with `count`/`total`; fixed pages of 100.
    /// Depending on how the server reads `next_spnum`, a page may repeat the previous page's
    /// last record: a pager must drop such repeats (see [`Paged::item_key`]).
    SpNum,
}

impl fmt::Display for CursorStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CursorStyle::Offset => "offset",
            CursorStyle::Token => "token",
            CursorStyle::SpNum => "spnum",
        })
    }
}

/// A paged list endpoint.
///
/// A pager sets the cursor with [`Paged::set_cursor`], executes, takes the items with
/// [`Paged::items`] and asks [`Paged::next_cursor`] where to go next; `None` means the last
/// page was reached.
pub trait Paged: Endpoint + Clone {
    /// The cursor value.
    type Cursor: Clone + PartialEq + fmt::Debug + Send + Sync + 'static;
    /// One item of a page (an id, or a record for the legacy API).
    type Item: Send + 'static;
    /// The cursor style.
    const STYLE: CursorStyle;

    /// The cursor this request asks for; `None` for the first page.
    fn page_cursor(&self) -> Option<Self::Cursor>;
    /// Points the request at a page; `None` for the first page.
    fn set_cursor(&mut self, cursor: Option<Self::Cursor>);
    /// Items per page this request asks for.
    fn page_size(&self) -> u32;
    /// Sets the page size (ignored where the server fixes it).
    fn set_page_size(&mut self, size: u32);
    /// The cursor of the page after `response`, or `None` when it was the last.
    fn next_cursor(response: &Self::Response) -> Option<Self::Cursor>;
    /// The items of a page.
    fn items(response: Self::Response) -> Vec<Self::Item>;
    /// The identity of an item, for dropping repeats at page and window edges.
    fn item_key(item: &Self::Item) -> String;
}
