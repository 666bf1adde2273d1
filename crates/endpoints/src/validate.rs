//! Request validation: bad input is caught before a request costs a call.

use std::fmt;

use crate::MaxSpan;
use crate::window::show_time;

/// Checks a request (or a struct inside one) against the limits the docs state.
pub trait Validate {
    /// `Ok` when the request may be sent.
    fn validate(&self) -> Result<(), ValidationError>;
}

/// A request that breaks a documented limit; names the endpoint, the field and the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError(Box<Inner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    endpoint: Option<&'static str>,
    field: String,
    problem: Problem,
}

/// What is wrong with the field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A required value is empty.
    Missing,
    /// A string is longer than allowed.
    TooLong {
        /// The limit in bytes.
        max_bytes: u32,
        /// The actual length in bytes.
        actual: usize,
    },
    /// A number is outside its range.
    OutOfRange {
        /// Smallest accepted value.
        min: Option<i128>,
        /// Largest accepted value.
        max: Option<i128>,
        /// The value given.
        actual: i128,
    },
    /// The window ends at or before it starts.
    WindowInverted {
        /// Field holding the start.
        start_field: &'static str,
        /// Start (Unix seconds).
        start: u64,
        /// End (Unix seconds).
        end: u64,
    },
    /// The window is longer than the endpoint accepts.
    WindowTooLong {
        /// Field holding the start.
        start_field: &'static str,
        /// Start (Unix seconds).
        start: u64,
        /// End (Unix seconds).
        end: u64,
        /// The limit.
        max: MaxSpan,
        /// The latest end the limit allows for this start.
        latest_end: u64,
    },
    /// A value appears twice where only some values may repeat.
    Repeated {
        /// The repeated value.
        value: String,
        /// The values that may repeat.
        repeatable: &'static [&'static str],
    },
}

impl ValidationError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, problem: Problem) -> Self {
        ValidationError(Box::new(Inner { endpoint: None, field: field.into(), problem }))
    }

    /// The endpoint id (`approval.get_approval_info`), when known.
    pub fn endpoint(&self) -> Option<&'static str> {
        self.0.endpoint
    }

    /// The field path, e.g. `size` or `filters[2].value`.
    pub fn field(&self) -> &str {
        &self.0.field
    }

    /// What is wrong.
    pub fn problem(&self) -> &Problem {
        &self.0.problem
    }

    /// Places the error inside `parent` (a field path of the enclosing struct).
    pub fn within(mut self, parent: &str) -> Self {
        self.0.field = format!("{parent}.{}", self.0.field);
        self
    }

    /// Names the endpoint.
    pub fn for_endpoint(mut self, id: &'static str) -> Self {
        self.0.endpoint = Some(id);
        self
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ep) = self.0.endpoint {
            write!(f, "{ep}: ")?;
        }
        let field = &self.0.field;
        match &self.0.problem {
            Problem::Missing => write!(f, "`{field}` is required and must not be empty"),
            Problem::TooLong { max_bytes, actual } => {
                write!(f, "`{field}` is {actual} bytes long; the limit is {max_bytes} bytes")
            }
            Problem::OutOfRange { min, max, actual } => match (min, max) {
                (Some(lo), Some(hi)) => write!(f, "`{field}` is {actual}; it must be between {lo} and {hi}"),
                (Some(lo), None) => write!(f, "`{field}` is {actual}; it must be at least {lo}"),
                (None, Some(hi)) => write!(f, "`{field}` is {actual}; it must be at most {hi}"),
                (None, None) => write!(f, "`{field}` is {actual}, out of range"),
            },
            Problem::WindowInverted { start_field, start, end } => {
                write!(f, "`{field}` ({}) must be after `{start_field}` ({})", show_time(*end), show_time(*start))
            }
            Problem::WindowTooLong { start_field, start, end, max, latest_end } => write!(
                f,
                "the window from `{start_field}` {} to `{field}` {} is longer than the limit of {max} (latest allowed end {}); split the range into shorter windows",
                show_time(*start),
                show_time(*end),
                show_time(*latest_end)
            ),
            Problem::Repeated { value, repeatable } => {
                write!(f, "`{field}` repeats `{value}`")?;
                if repeatable.is_empty() {
                    write!(f, "; each value may appear once")
                } else {
                    write!(f, "; only {} may appear more than once", repeatable.join(", "))
                }
            }
        }
    }
}

impl std::error::Error for ValidationError {}

/// The checks generated `Validate` impls call.
pub(crate) mod checks {
    use super::*;

    /// A required string must not be empty.
    pub fn non_empty(field: &str, value: &str) -> Result<(), ValidationError> {
        if value.is_empty() { Err(ValidationError::new(field, Problem::Missing)) } else { Ok(()) }
    }

    /// A string must fit in `max` bytes.
    pub fn max_bytes(field: &str, value: &str, max: u32) -> Result<(), ValidationError> {
        if value.len() > max as usize {
            Err(ValidationError::new(field, Problem::TooLong { max_bytes: max, actual: value.len() }))
        } else {
            Ok(())
        }
    }

    /// A number must be within `[min, max]`.
    pub fn range(field: &str, value: i128, min: Option<i128>, max: Option<i128>) -> Result<(), ValidationError> {
        if min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m) {
            Err(ValidationError::new(field, Problem::OutOfRange { min, max, actual: value }))
        } else {
            Ok(())
        }
    }

    /// `end` must be after `start` and within `max`.
    pub fn window(
        start_field: &'static str,
        end_field: &'static str,
        start: u64,
        end: u64,
        max: MaxSpan,
    ) -> Result<(), ValidationError> {
        if end <= start {
            return Err(ValidationError::new(end_field, Problem::WindowInverted { start_field, start, end }));
        }
        let latest_end = max.limit_end(start);
        if end > latest_end {
            return Err(ValidationError::new(
                end_field,
                Problem::WindowTooLong { start_field, start, end, max, latest_end },
            ));
        }
        Ok(())
    }

    /// The `key` of list elements must not repeat, except for the `repeatable` values.
    pub fn unique<'a>(
        field: &str,
        key: &str,
        values: impl IntoIterator<Item = &'a str>,
        repeatable: &'static [&'static str],
    ) -> Result<(), ValidationError> {
        let mut seen: Vec<&str> = Vec::new();
        for (i, v) in values.into_iter().enumerate() {
            if seen.contains(&v) && !repeatable.contains(&v) {
                return Err(ValidationError::new(
                    format!("{field}[{i}].{key}"),
                    Problem::Repeated { value: v.to_owned(), repeatable },
                ));
            }
            seen.push(v);
        }
        Ok(())
    }

    /// Validates a nested struct, placing its errors under `field`.
    pub fn nested<T: Validate + ?Sized>(field: &str, value: &T) -> Result<(), ValidationError> {
        value.validate().map_err(|e| e.within(field))
    }
}

#[cfg(test)]
mod tests {
    use super::checks::*;
    use super::*;

    #[test]
    fn messages_name_field_and_limit() {
        let e = max_bytes("filters[0].value", &"x".repeat(300), 256).unwrap_err();
        assert_eq!(e.to_string(), "`filters[0].value` is 300 bytes long; the limit is 256 bytes");
        let e = range("size", 0, Some(1), Some(100)).unwrap_err().for_endpoint("approval.get_approval_info");
        assert_eq!(e.to_string(), "approval.get_approval_info: `size` is 0; it must be between 1 and 100");
        let e = window("starttime", "endtime", 10, 10, MaxSpan::Days(1)).unwrap_err();
        assert!(matches!(e.problem(), Problem::WindowInverted { .. }));
        let e = window("starttime", "endtime", 0, 86_401, MaxSpan::Days(1)).unwrap_err();
        assert!(e.to_string().contains("limit of 1 day"), "{e}");
        assert!(window("starttime", "endtime", 0, 86_400, MaxSpan::Days(1)).is_ok());
        let e =
            unique("filters", "key", ["creator", "department", "department", "creator"], &["department"]).unwrap_err();
        assert_eq!(e.field(), "filters[3].key");
        assert!(e.to_string().contains("only department may appear more than once"), "{e}");
    }
}
