//! Conveniences per family: approvals (审批) and journals (汇报).

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use futures::stream::{BoxStream, StreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use wecom_endpoints::Endpoint;
use wecom_models::approval::{
    ApprovalDetail, ApprovalFilter, GetApprovalDataRequest, GetApprovalDetailRequest, GetApprovalInfoRequest,
    LegacyApplyItem, LegacyApproval,
};
use wecom_models::journal::{
    DownloadWedriveFileRequest, GetRecordDetailRequest, GetRecordListRequest, GetStatListRequest, JournalFilter,
    JournalRecord, StatCycle,
};

use crate::client::transport_error;
use crate::error::Error;
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
    /// the link with the cookie. Returns the bytes written. Connection failures and 5xx are
    /// retried while nothing has been written yet.
    pub async fn download_wedrive_file<W>(&self, journaluuid: &str, fileid: &str, out: &mut W) -> Result<u64, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        const ENDPOINT: &str = "journal.download_wedrive_file";
        let link = self.client.execute(&DownloadWedriveFileRequest::new(journaluuid, fileid)).await?;
        let cookie = format!("{}={}", link.cookie_name, link.cookie_value.expose());
        let known = [link.cookie_value.expose()];
        let core = &self.client.core;
        let started = std::time::Instant::now();
        let mut attempt = 0u32;
        let response = loop {
            attempt += 1;
            core.stats.calls.fetch_add(1, Ordering::Relaxed);
            let result = core
                .http
                .get(&link.download_url)
                .header(reqwest::header::COOKIE, &cookie)
                .send()
                .await
                .map_err(|e| transport_error(ENDPOINT, &e));
            let err = match result {
                Ok(r) if r.status().is_success() => break r,
                Ok(r) => {
                    let status = r.status().as_u16();
                    let body = r.bytes().await.unwrap_or_default();
                    Error::Http { endpoint: ENDPOINT, status, body_excerpt: redact::excerpt(&body, &known) }
                }
                Err(e) => e,
            };
            let wait = core.retry.backoff_for(attempt);
            if !err.is_transient()
                || attempt >= core.retry.max_attempts
                || started.elapsed() + wait > core.retry.max_elapsed
            {
                return Err(err);
            }
            core.stats.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(wait).await;
        };
        let mut written = 0u64;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| transport_error(ENDPOINT, &e))?;
            out.write_all(&chunk).await?;
            written += chunk.len() as u64;
            core.stats.bytes_downloaded.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
        out.flush().await?;
        Ok(written)
    }
}
