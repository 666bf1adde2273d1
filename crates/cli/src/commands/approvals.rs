//! `wecom approvals …`: `export` (ids, then details) and `legacy-export` (the legacy data API).

use wecom_client::LegacyForm;
use wecom_models::approval::{ApprovalDetail, ApprovalFilter, SpStatus};

use super::job::{self, Job, Source};
use crate::args::{ApprovalExportArgs, Cli, LegacyExportArgs};
use crate::checkpoint::Scope;
use crate::error::Result;
use crate::interrupt::Interrupt;
use crate::records::Kind;

/// `wecom approvals export`.
pub(super) async fn export(cli: &Cli, a: &ApprovalExportArgs, interrupt: &Interrupt) -> Result<()> {
    let mut filters = Vec::new();
    if let Some(s) = a.status {
        filters.push(ApprovalFilter::sp_status(SpStatus::from_code(s)));
    }
    if let Some(t) = &a.template {
        filters.push(ApprovalFilter::template_id(t));
    }
    if let Some(c) = &a.creator {
        filters.push(ApprovalFilter::creator(c));
    }
    for d in &a.department {
        filters.push(ApprovalFilter::department(d));
    }
    let scope = Scope::filtered(
        Kind::Approvals,
        &[
            ("status", a.status.map(|s| s.to_string())),
            ("template", a.template.clone()),
            ("creator", a.creator.clone()),
        ],
        &a.department,
    );
    let job = Job { range: &a.range, output: &a.output, stem: "approvals", scope, resumable: true };
    job::run::<ApprovalDetail>(cli, job, interrupt, |client| {
        let approvals = client.approvals();
        let fetcher = approvals.clone();
        Source::Ids {
            list: Box::new(move |r| approvals.ids(r, filters.clone())),
            fetch: Box::new(move |ids| fetcher.details_for(ids)),
        }
    })
    .await
}

/// `wecom approvals legacy-export`: the legacy API pages whole forms, so there is no id
/// phase; checkpoints still skip covered ranges, and upserts by `sp_num` make a resumed run
/// rewrite rather than duplicate.
pub(super) async fn legacy_export(cli: &Cli, a: &LegacyExportArgs, interrupt: &Interrupt) -> Result<()> {
    let scope = Scope::all(Kind::LegacyApprovals);
    let job = Job { range: &a.range, output: &a.output, stem: "legacy-approvals", scope, resumable: true };
    job::run::<LegacyForm>(cli, job, interrupt, |client| {
        let approvals = client.approvals();
        Source::Records { what: "fetching legacy approvals", records: Box::new(move |r| approvals.legacy(r)) }
    })
    .await
}
