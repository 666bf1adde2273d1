//! What can go wrong, as a person reads it: one line and an exit code.

use std::fmt;

/// Exit code of a run that worked.
pub const EXIT_OK: u8 = 0;
/// Exit code of a runtime failure: network, API, permission, credentials, files.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code of bad usage or input (clap's own usage errors are 2 as well).
pub const EXIT_USAGE: u8 = 2;
/// Exit code after Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// A failure of the command, with the one line to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    /// Bad usage or input: a bad date, an inverted range, missing credentials, a bad format.
    Usage(String),
    /// The run failed: network, API, permission, credentials, files.
    Runtime(String),
    /// Ctrl-C: what was written is kept; the message says how to go on.
    Interrupted(String),
}

/// Result of a command.
pub type Result<T> = std::result::Result<T, CliError>;

impl CliError {
    /// Bad usage or input (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError::Usage(one_line(message.into()))
    }

    /// A runtime failure (exit 1).
    pub fn runtime(message: impl Into<String>) -> Self {
        CliError::Runtime(one_line(message.into()))
    }

    /// A runtime failure of the WeCom client, worded for a person: what failed and what to do.
    /// `base_url` names the server on network failures (it holds no secret).
    pub fn client(e: &wecom_client::Error, base_url: &str) -> Self {
        let message = if e.is_credentials() {
            format!(
                "WeCom rejected the credentials: {e} — pass the right --corp-id and --corp-secret \
                 (or WECOM_CORP_ID and WECOM_CORP_SECRET)"
            )
        } else if e.is_permission() {
            // The client's message already names the admin-console step.
            format!("permission denied: {e}")
        } else if is_network(e) {
            format!("network failure talking to {base_url}: {e}")
        } else {
            e.to_string()
        };
        CliError::runtime(message)
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => EXIT_USAGE,
            CliError::Runtime(_) => EXIT_FAILURE,
            CliError::Interrupted(_) => EXIT_INTERRUPTED,
        }
    }

    /// The line to print.
    pub fn message(&self) -> &str {
        match self {
            CliError::Usage(m) | CliError::Runtime(m) | CliError::Interrupted(m) => m,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for CliError {}

/// True when the failure is the connection itself (after the client's retries).
pub fn is_network(e: &wecom_client::Error) -> bool {
    use wecom_client::Error;
    match e {
        Error::Transport { .. } => true,
        Error::Http { status, .. } => *status >= 500,
        Error::RetriesExhausted { last, .. } => is_network(last),
        Error::Record { source, .. } => is_network(source),
        _ => false,
    }
}

/// Errors must stay on one line: a person reads them, and scripts grep them.
fn one_line(s: String) -> String {
    if s.contains(['\n', '\r']) {
        s.split(['\n', '\r']).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(code: wecom_client::endpoints::ErrorCode, hint: Option<&'static str>) -> wecom_client::Error {
        wecom_client::Error::Api(wecom_client::ApiError {
            endpoint: "approval.get_approval_detail",
            code,
            class: code.class(),
            meaning_zh: "无权限",
            meaning_en: "no permission",
            errmsg: "no auth".into(),
            hint,
        })
    }

    #[test]
    fn permission_errors_carry_the_admin_console_step() {
        use wecom_client::endpoints::ErrorCode;
        let e = api_error(ErrorCode::NoApprovalPermission, Some("add this app under 审批 → API → 可调用接口的应用"));
        assert!(e.is_permission());
        let cli = CliError::client(&e, "https://qyapi.weixin.qq.com");
        assert_eq!(cli.exit_code(), 1);
        assert!(cli.message().starts_with("permission denied: approval.get_approval_detail: 301055"), "{cli}");
        assert!(cli.message().contains("可调用接口的应用"), "{cli}");
        let record = wecom_client::Error::Record { id: "202501010001".into(), source: Box::new(e) };
        let cli = CliError::client(&record, "x");
        assert!(cli.message().starts_with("permission denied: 202501010001: "), "{cli}");
    }

    #[test]
    fn exit_codes_and_one_line() {
        assert_eq!(CliError::usage("a\nb").message(), "a b");
        assert_eq!(CliError::usage("x").exit_code(), 2);
        assert_eq!(CliError::runtime("x").exit_code(), 1);
        assert_eq!(CliError::Interrupted("x".into()).exit_code(), 130);
    }
}
