//! Conveniences per family: approvals (审批) and journals (汇报).

use std::collections::HashSet;

use futures::stream::{BoxStream, StreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use wecom_endpoints::Endpoint;
use wecom_models::Secret;
use wecom_models::approval::{
    ApprovalDetail, ApprovalFilter, GetApprovalDataRequest, GetApprovalDetailRequest, GetApprovalInfoRequest,
    LegacyApplyItem, LegacyApproval,
};
use wecom_models::journal::{
    DownloadWedriveFileRequest, GetRecordDetailRequest, GetRecordListRequest, GetStatListRequest, JournalFilter,
    JournalRecord, StatCycle,
};

use crate::error::Error;
use crate::transport::{Attempt, Core, Target, transport_error};
use crate::{Client, TimeRange, redact};

/// Approval (审批) conveniences; see [`Client::approvals`].
#[derive(Debug, Clone)]
pub struct Approvals {
    client: Client,
}

/// Journal (汇报) conveniences; see [`Client::journals`].
#[derive(Debug, Clone)]
pub struct Journals {
    client: Client,
}

/// A form from the legacy data API with its `apply_data` parsed (both forms).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LegacyForm {
    /// The form as WeCom sent it (`comm.apply_data` kept as the raw string).
    pub approval: LegacyApproval,
    /// `comm.apply_data` as one typed list, whichever form it came in.
    pub items: Vec<LegacyApplyItem>,
    /// Why `apply_data` could not be parsed, if it could not (the form is still returned).
    pub items_error: Option<String>,
}

impl Client {
    /// Approvals: ids in a range, details, details in a range, legacy data.
    pub fn approvals(&self) -> Approvals {
        Approvals { client: self.clone() }
    }

    /// Journals: ids in a range, details, statistics, WeDrive downloads.
    pub fn journals(&self) -> Journals {
        Journals { client: self.clone() }
    }
}

/// Fetches details for a stream of ids with bounded concurrency, in order.
fn details_of<E, T>(
    client: &Client,
    ids: BoxStream<'static, Result<String, Error>>,
    request: fn(String) -> E,
    take: fn(E::Response) -> T,
) -> BoxStream<'static, Result<T, Error>>
where
    E: Endpoint + 'static,
    T: Send + 'static,
{
    let client = client.clone();
    let concurrency = client.concurrency;
    ids.map(move |id| {
        let client = client.clone();
        async move {
            let id = id?;
            match client.execute(&request(id.clone())).await {
                Ok(r) => Ok(take(r)),
                Err(e) => Err(Error::Record { id, source: Box::new(e) }),
            }
        }
    })
    .buffered(concurrency)
    .boxed()
}

impl Approvals {
    /// Form numbers (`sp_no`) submitted in `range`, matching all `filters` (several
    /// `department` filters are OR-ed). Windows of 31 days, pages of 100, in order.
    pub fn ids(
        &self,
        range: TimeRange,
        filters: impl IntoIterator<Item = ApprovalFilter>,
    ) -> BoxStream<'static, Result<String, Error>> {
        let req = GetApprovalInfoRequest::new(range.start(), range.end()).filters(filters);
        self.client.windowed_items(req, range)
    }

    /// One form.
    pub async fn detail(&self, sp_no: impl Into<String>) -> Result<ApprovalDetail, Error> {
        Ok(self.client.execute(&GetApprovalDetailRequest::new(sp_no)).await?.info)
    }

    /// Every form submitted in `range`, in order, fetched with bounded concurrency (see
    /// [`crate::ClientBuilder::concurrency`]) and within the rate limits. A form that fails is
    /// an [`Error::Record`] naming its `sp_no`; the stream goes on with the next.
    pub fn details(
        &self,
        range: TimeRange,
        filters: impl IntoIterator<Item = ApprovalFilter>,
    ) -> BoxStream<'static, Result<ApprovalDetail, Error>> {
        self.details_for(self.ids(range, filters))
    }

    /// Details for ids you already have (e.g. those a previous run did not finish).
    pub fn details_for(
        &self,
        ids: BoxStream<'static, Result<String, Error>>,
    ) -> BoxStream<'static, Result<ApprovalDetail, Error>> {
        details_of(&self.client, ids, GetApprovalDetailRequest::new, |r| r.info)
    }

    /// Forms from the legacy data API over `range` (windows of 30 days, pages of 100), each
    /// with its `apply_data` parsed whichever of its two forms it is in.
    pub fn legacy(&self, range: TimeRange) -> BoxStream<'static, Result<LegacyForm, Error>> {
        let req = GetApprovalDataRequest::new(range.start(), range.end());
        self.client
            .windowed_items(req, range)
            .map(|r| {
                r.map(|approval| {
                    let (items, items_error) = match approval.comm.as_ref().map(|c| c.items()) {
                        Some(Ok(items)) => (items, None),
                        Some(Err(e)) => (Vec::new(), Some(e.to_string())),
                        None => (Vec::new(), None),
                    };
                    LegacyForm { approval, items, items_error }
                })
            })
            .boxed()
    }
}

impl Journals {
    /// Record ids in `range`, matching all `filters`. Windows within one month, pages of 100.
    pub fn ids(
        &self,
        range: TimeRange,
        filters: impl IntoIterator<Item = JournalFilter>,
    ) -> BoxStream<'static, Result<String, Error>> {
        let start = u32::try_from(range.start()).unwrap_or(u32::MAX);
        let end = u32::try_from(range.end()).unwrap_or(u32::MAX);
        let req = GetRecordListRequest::new(start, end).filters(filters);
        self.client.windowed_items(req, range)
    }

    /// One record.
    pub async fn detail(&self, journaluuid: impl Into<String>) -> Result<JournalRecord, Error> {
        Ok(self.client.execute(&GetRecordDetailRequest::new(journaluuid)).await?.info)
    }

    /// Every record in `range`, in order, with bounded concurrency; a record that fails is an
    /// [`Error::Record`] naming its id and the stream goes on.
    pub fn details(
        &self,
        range: TimeRange,
        filters: impl IntoIterator<Item = JournalFilter>,
    ) -> BoxStream<'static, Result<JournalRecord, Error>> {
        self.details_for(self.ids(range, filters))
    }

    /// Details for ids you already have.
    pub fn details_for(
        &self,
        ids: BoxStream<'static, Result<String, Error>>,
    ) -> BoxStream<'static, Result<JournalRecord, Error>> {
        details_of(&self.client, ids, GetRecordDetailRequest::new, |r| r.info)
    }

    /// The finished statistics cycles of a template over `range` (windows of one year), each
    /// cycle once.
    pub fn stats(
        &self,
        template_id: impl Into<String>,
        range: TimeRange,
    ) -> BoxStream<'static, Result<StatCycle, Error>> {
        let req = GetStatListRequest::new(template_id, range.start(), range.end());
        let calls = self.client.windowed_calls(req, range);
        let mut seen: HashSet<(String, u64, u64)> = HashSet::new();
        calls
            .flat_map(|r| {
                futures::stream::iter(match r {
                    Ok(resp) => resp.stat_list.into_iter().map(Ok).collect::<Vec<_>>(),
                    Err(e) => vec![Err(e)],
                })
            })
            .filter(move |r| {
                let keep = match r {
                    Ok(c) => seen.insert((c.template_id.clone(), c.cycle_begin_time, c.cycle_end_time)),
                    Err(_) => true,
                };
                futures::future::ready(keep)
            })
            .boxed()
    }

    /// Downloads a WeDrive file attached to a record into `out`, streaming: the file is never
    /// held in memory whole. Asks `download_wedrive_file` for the link and cookie, then GETs
    /// the link with the cookie. Returns the bytes written. Both steps go through the client's
    /// one retry driver (rate limiter, retries, tracing, statistics); the GET of the file is
    /// retried (connection failures, 5xx) only while nothing has been written yet. Its rate
    /// limiter is keyed [`WEDRIVE_DOWNLOAD`] (no documented limit: unlimited unless set with
    /// [`crate::ClientBuilder::rate_limit`] or [`crate::ClientBuilder::rate_limit_all`]).
    pub async fn download_wedrive_file<W>(&self, journaluuid: &str, fileid: &str, out: &mut W) -> Result<u64, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let link = self.client.execute(&DownloadWedriveFileRequest::new(journaluuid, fileid)).await?;
        let get = FileGet {
            url: &link.download_url,
            cookie: format!("{}={}", link.cookie_name, link.cookie_value.expose()),
            cookie_value: &link.cookie_value,
        };
        let core = &self.client.core;
        let response = core.drive(&get, None).await?;
        let mut written = 0u64;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| transport_error(DOWNLOAD_ENDPOINT, &e))?;
            out.write_all(&chunk).await?;
            written += chunk.len() as u64;
            core.stats.downloaded(chunk.len() as u64);
        }
        out.flush().await?;
        Ok(written)
    }
}

/// Rate-limiter key of the GETs that fetch WeDrive files (they are not WeCom API calls, so they
/// have no documented budget of their own).
pub const WEDRIVE_DOWNLOAD: &str = "wedrive.download";

/// Errors and spans of a file GET name the endpoint that handed out its link.
const DOWNLOAD_ENDPOINT: &str = DownloadWedriveFileRequest::INFO.id;

/// The GET of a WeDrive file with its cookie; the driver retries it before any byte is written.
struct FileGet<'a> {
    url: &'a str,
    cookie: String,
    cookie_value: &'a Secret,
}

impl Attempt for FileGet<'_> {
    type Output = reqwest::Response;

    fn target(&self) -> Target {
        Target { endpoint: DOWNLOAD_ENDPOINT, key: WEDRIVE_DOWNLOAD, per_minute: None }
    }

    async fn send(&self, core: &Core, _token: Option<&Secret>) -> Result<reqwest::Response, Error> {
        core.stats.call();
        // No overall timeout: a large file takes as long as it takes; the client's read
        // timeout bounds idle time instead.
        let response = core
            .http
            .get(self.url)
            .header(reqwest::header::COOKIE, &self.cookie)
            .send()
            .await
            .map_err(|e| transport_error(DOWNLOAD_ENDPOINT, &e))?;
        let status = response.status().as_u16();
        tracing::Span::current().record("status", status);
        if response.status().is_success() {
            return Ok(response);
        }
        let body = response.bytes().await.unwrap_or_default();
        let known = core.known_secrets(Some(self.cookie_value));
        Err(Error::Http { endpoint: DOWNLOAD_ENDPOINT, status, body_excerpt: redact::excerpt(&body, &known) })
    }
}
