CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS approvals (
    sp_no           TEXT PRIMARY KEY,
    sp_name         TEXT NOT NULL,
    template_id     TEXT NOT NULL,
    applicant       TEXT NOT NULL,
    department      TEXT NOT NULL,
    status          INTEGER NOT NULL,
    status_text     TEXT NOT NULL,
    apply_time      INTEGER NOT NULL,
    apply_time_text TEXT NOT NULL,
    approvers       TEXT NOT NULL,
    cc              TEXT NOT NULL,
    form            TEXT NOT NULL,
    json            TEXT NOT NULL,
    fetched_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS approvals_by_time ON approvals (apply_time);
CREATE TABLE IF NOT EXISTS approval_fields (
    sp_no      TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    parent_idx INTEGER,
    row        INTEGER,
    control_id TEXT NOT NULL,
    control    TEXT NOT NULL,
    title      TEXT NOT NULL,
    value_text TEXT NOT NULL,
    PRIMARY KEY (sp_no, idx)
);
CREATE TABLE IF NOT EXISTS approval_nodes (
    sp_no        TEXT NOT NULL,
    node         INTEGER NOT NULL,
    idx          INTEGER NOT NULL,
    node_status  INTEGER NOT NULL,
    approverattr INTEGER,
    approver     TEXT NOT NULL,
    status       INTEGER NOT NULL,
    sptime       INTEGER NOT NULL,
    speech       TEXT NOT NULL,
    PRIMARY KEY (sp_no, node, idx)
);
CREATE TABLE IF NOT EXISTS approval_comments (
    sp_no     TEXT NOT NULL,
    idx       INTEGER NOT NULL,
    commentid TEXT NOT NULL,
    userid    TEXT NOT NULL,
    time      INTEGER NOT NULL,
    content   TEXT NOT NULL,
    PRIMARY KEY (sp_no, idx)
);
CREATE TABLE IF NOT EXISTS journals (
    journal_uuid     TEXT PRIMARY KEY,
    template_name    TEXT NOT NULL,
    template_id      TEXT NOT NULL,
    submitter        TEXT NOT NULL,
    report_time      INTEGER NOT NULL,
    report_time_text TEXT NOT NULL,
    receivers        TEXT NOT NULL,
    read_by          TEXT NOT NULL,
    form             TEXT NOT NULL,
    json             TEXT NOT NULL,
    fetched_at       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journals_by_time ON journals (report_time);
CREATE TABLE IF NOT EXISTS journal_fields (
    journal_uuid TEXT NOT NULL,
    idx          INTEGER NOT NULL,
    parent_idx   INTEGER,
    row          INTEGER,
    control_id   TEXT NOT NULL,
    control      TEXT NOT NULL,
    title        TEXT NOT NULL,
    value_text   TEXT NOT NULL,
    PRIMARY KEY (journal_uuid, idx)
);
CREATE TABLE IF NOT EXISTS journal_comments (
    journal_uuid TEXT NOT NULL,
    commentid    TEXT NOT NULL,
    tocommentid  TEXT NOT NULL,
    userid       TEXT NOT NULL,
    time         INTEGER NOT NULL,
    content      TEXT NOT NULL,
    PRIMARY KEY (journal_uuid, commentid)
);
CREATE TABLE IF NOT EXISTS legacy_approvals (
    sp_num          INTEGER PRIMARY KEY,
    spname          TEXT NOT NULL,
    apply_name      TEXT NOT NULL,
    apply_org       TEXT NOT NULL,
    apply_user_id   TEXT NOT NULL,
    status          INTEGER NOT NULL,
    apply_time      INTEGER NOT NULL,
    apply_time_text TEXT NOT NULL,
    form            TEXT NOT NULL,
    json            TEXT NOT NULL,
    fetched_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS legacy_fields (
    sp_num     INTEGER NOT NULL,
    idx        INTEGER NOT NULL,
    item_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    value_text TEXT NOT NULL,
    PRIMARY KEY (sp_num, idx)
);
CREATE TABLE IF NOT EXISTS stat_cycles (
    template_id   TEXT NOT NULL,
    cycle_begin   INTEGER NOT NULL,
    cycle_end     INTEGER NOT NULL,
    template_name TEXT NOT NULL,
    report_type   INTEGER,
    stat_begin    INTEGER NOT NULL,
    stat_end      INTEGER NOT NULL,
    reported      INTEGER NOT NULL,
    unreported    INTEGER NOT NULL,
    late          INTEGER NOT NULL,
    json          TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    PRIMARY KEY (template_id, cycle_begin, cycle_end)
);
CREATE TABLE IF NOT EXISTS checkpoints (
    kind         TEXT NOT NULL,
    filters      TEXT NOT NULL,
    start        INTEGER NOT NULL,
    end          INTEGER NOT NULL,
    completed_at TEXT NOT NULL,
    PRIMARY KEY (kind, filters, start, end)
);
