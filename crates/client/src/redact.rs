//! Keeps secrets out of error text (body excerpts, server messages) and out of drift reports.

/// JSON keys whose values are secrets.
const SECRET_KEYS: &[&str] = &["access_token", "corpsecret", "cookie_value", "secret"];

/// Longest excerpt kept in an error.
const EXCERPT_CHARS: usize = 300;

/// Longest example kept in a drift finding.
pub const DRIFT_EXAMPLE_CHARS: usize = 120;

/// Parts of key names that mark a secret value (`access_token`, `corpsecret`, `cookie_value`,
/// `EncodingAESKey`, …), compared case-insensitively.
const SECRET_KEY_PARTS: &[&str] = &["token", "secret", "cookie", "password", "aeskey", "ticket"];

/// Whether a JSON key names a secret.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_KEY_PARTS.iter().any(|p| key.contains(p))
}

/// A drift example: the value as text (a string as itself, anything else as JSON), values
/// under secret-looking keys masked, known secrets scrubbed, cut to
/// [`DRIFT_EXAMPLE_CHARS`]. `secret`: the value's own key names a secret, so nothing of it is
/// kept.
pub fn drift_text(value: &serde_json::Value, secret: bool, known: &[&str]) -> String {
    if secret {
        return "<redacted>".to_owned();
    }
    let text = match mask_secret_keys(value) {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    };
    truncate(&scrub(&text, known), DRIFT_EXAMPLE_CHARS)
}

/// A copy of `value` with the values of secret-looking keys replaced, at any depth.
fn mask_secret_keys(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_secret_key(k) { Value::String("<redacted>".into()) } else { mask_secret_keys(v) };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(mask_secret_keys).collect()),
        other => other.clone(),
    }
}

/// `text` cut to at most `max` characters, the last being `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

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
    fn drift_examples_are_masked_scrubbed_and_short() {
        let v = serde_json::json!({"phone": "13800000000", "refresh_token": "rt-1", "nested": [{"Cookie": "c"}]});
        let t = drift_text(&v, false, &[]);
        assert!(t.contains("13800000000") && !t.contains("rt-1") && !t.contains("\"c\""), "{t}");
        assert_eq!(drift_text(&serde_json::json!("tok-abcdef here"), false, &["tok-abcdef"]), "<redacted> here");
        assert_eq!(drift_text(&serde_json::json!("anything"), true, &[]), "<redacted>");
        let long = drift_text(&serde_json::json!("长".repeat(500)), false, &[]);
        assert_eq!(long.chars().count(), DRIFT_EXAMPLE_CHARS);
        assert!(long.ends_with('…'));
        assert_eq!(truncate("short", 120), "short");
        assert!(is_secret_key("EncodingAESKey") && is_secret_key("access_token") && !is_secret_key("phone"));
    }

    #[test]
    fn long_bodies_are_cut() {
        let body = "x".repeat(10_000);
        assert!(excerpt(body.as_bytes(), &[]).chars().count() <= EXCERPT_CHARS + 1);
    }
}
