//! Keeps secrets out of error text: body excerpts and server messages.

/// JSON keys whose values are secrets.
const SECRET_KEYS: &[&str] = &["access_token", "corpsecret", "cookie_value", "secret"];

/// Longest excerpt kept in an error.
const EXCERPT_CHARS: usize = 300;

/// The start of a body for an error message, with secret-looking values masked.
pub fn excerpt(body: &[u8], known: &[&str]) -> String {
    let text = String::from_utf8_lossy(body);
    let masked = mask_keys(&text);
    let scrubbed = scrub(&masked, known);
    let mut out: String = scrubbed.chars().take(EXCERPT_CHARS).collect();
    if scrubbed.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

/// Replaces every occurrence of a known secret with `<redacted>`.
pub fn scrub(text: &str, known: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in known {
        if secret.len() >= 4 {
            out = out.replace(secret, "<redacted>");
        }
    }
    out
}

/// Masks `"key": "value"` for secret keys, and `key=value` in query strings.
fn mask_keys(text: &str) -> String {
    let mut out = text.to_string();
    for key in SECRET_KEYS {
        out = mask_after(&out, &format!("\"{key}\""), |rest| {
            // Skip whitespace and the colon, then mask a quoted string.
            let trimmed = rest.trim_start();
            let after_colon = trimmed.strip_prefix(':')?.trim_start();
            let body = after_colon.strip_prefix('"')?;
            let end = body.find('"')?;
            let start = rest.len() - body.len();
            Some((start, start + end))
        });
        out = mask_after(&out, &format!("{key}="), |rest| {
            let end = rest.find(['&', ' ', '"', '\'', '\n']).unwrap_or(rest.len());
            Some((0, end))
        });
    }
    out
}

/// For each occurrence of `marker`, asks `span` which byte range after it to mask.
fn mask_after(text: &str, marker: &str, span: impl Fn(&str) -> Option<(usize, usize)>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(marker) {
        let (head, tail) = rest.split_at(pos + marker.len());
        out.push_str(head);
        match span(tail) {
            Some((a, b)) if b > a => {
                out.push_str(&tail[..a]);
                out.push_str("<redacted>");
                rest = &tail[b..];
            }
            _ => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked() {
        let body = br#"{"errcode":0,"access_token":"tok-123456","cookie_value" : "c00kie","x":"ok"}"#;
        let e = excerpt(body, &[]);
        assert!(!e.contains("tok-123456") && !e.contains("c00kie"), "{e}");
        assert!(e.contains("\"x\":\"ok\""), "{e}");
        let q = excerpt(b"GET /cgi-bin/x?access_token=abcdef&corpsecret=zzzz9 failed", &[]);
        assert!(!q.contains("abcdef") && !q.contains("zzzz9"), "{q}");
        assert_eq!(scrub("token s3cr3t-value here", &["s3cr3t-value"]), "token <redacted> here");
    }

    #[test]
    fn long_bodies_are_cut() {
        let body = "x".repeat(10_000);
        assert!(excerpt(body.as_bytes(), &[]).chars().count() <= EXCERPT_CHARS + 1);
    }
}
