//! Errors from reading input files: every one names the file, the place in it
//! and what was expected there, so the user can fix the file without guessing.

use std::fmt;

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A JSON syntax error: 1-based line and column.
    LineColumn { line: usize, column: usize },
    /// A JSON shape error: a JSON pointer such as `/UserDetailList/3/GroupList`.
    Pointer(String),
    /// A JSON pointer in another file (or response page) than the error's own.
    PointerIn { file: String, pointer: String },
    /// A CSV cell: 1-based line and the column's header name.
    CsvCell { line: u64, column: String },
    /// A whole CSV line (header problems, wrong field count).
    CsvLine(u64),
    /// The entry for an entity, by ARN (after import, when positions are gone).
    Arn(String),
    /// The file as a whole (empty file, unreadable file).
    File,
}

impl Place {
    /// The place without a leading "at", for "at X and again at Y".
    pub fn bare(&self) -> String {
        match self {
            Place::Pointer(p) if p.is_empty() => "the top level".to_owned(),
            Place::Pointer(p) => p.clone(),
            Place::PointerIn { file, pointer } if pointer.is_empty() => {
                format!("the top level of {file}")
            }
            Place::PointerIn { file, pointer } => format!("{pointer} of {file}"),
            Place::Arn(arn) => format!("the entry for {arn}"),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::LineColumn { line, column } => write!(f, "line {line}, column {column}"),
            // An empty pointer is the document root; say so rather than print nothing.
            Place::Pointer(p) if p.is_empty() => f.write_str("at the top level"),
            Place::Pointer(p) => write!(f, "at {p}"),
            Place::PointerIn { .. } => write!(f, "at {}", self.bare()),
            Place::CsvCell { line, column } => write!(f, "line {line}, column `{column}`"),
            Place::CsvLine(line) => write!(f, "line {line}"),
            Place::Arn(arn) => write!(f, "at the entry for {arn}"),
            Place::File => f.write_str("whole file"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    // The cause is in the message, not also a `source`: printing the
    // error chain said "No such file or directory" twice.
    #[error("{file}: cannot read: {error}")]
    Read { file: String, error: std::io::Error },

    #[error("{file}: cannot write: {error}")]
    Write { file: String, error: std::io::Error },

    /// The bytes are not JSON (or are truncated).
    #[error("{file}: {place}: invalid JSON: {message}")]
    JsonSyntax {
        file: String,
        place: Place,
        message: String,
    },

    /// The JSON or CSV parses but a value has the wrong type or is missing.
    #[error("{file}: {place}: expected {expected}, found {found}")]
    Shape {
        file: String,
        place: Place,
        expected: String,
        found: String,
    },

    /// The credential report's header lacks a column the audit needs.
    #[error(
        "{file}: line {line}: missing column `{column}` (expected an IAM credential report header with columns {expected})"
    )]
    MissingColumn {
        file: String,
        line: u64,
        column: String,
        expected: String,
    },

    /// The same entity twice: keeping either would silently drop the other.
    #[error(
        "{file}: duplicate {what} {key:?}: at {} and again at {} (expected each {what} once)",
        .first.bare(),
        .second.bare()
    )]
    Duplicate {
        file: String,
        what: &'static str,
        key: String,
        // Boxed to keep the error small on the Ok path (clippy::result_large_err).
        first: Box<Place>,
        second: Box<Place>,
    },

    /// A snapshot file of a format version this build does not read.
    #[error(
        "{file}: at /metadata/format: unsupported snapshot format {found:?}; this wmaudit {version} reads {supported} (use a wmaudit version that wrote it, or re-collect)"
    )]
    UnsupportedFormat {
        file: String,
        found: String,
        supported: &'static str,
        version: &'static str,
    },
}

impl InputError {
    /// The file the error is about.
    pub fn file(&self) -> &str {
        match self {
            InputError::Read { file, .. }
            | InputError::Write { file, .. }
            | InputError::JsonSyntax { file, .. }
            | InputError::Shape { file, .. }
            | InputError::MissingColumn { file, .. }
            | InputError::Duplicate { file, .. }
            | InputError::UnsupportedFormat { file, .. } => file,
        }
    }

    pub(crate) fn shape(
        file: &str,
        place: Place,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        InputError::Shape {
            file: file.to_owned(),
            place,
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// A serde_json error: syntax/EOF errors get line:column, data errors the
    /// pointer (when known) with serde's expectation split out.
    pub(crate) fn from_json(file: &str, pointer: Option<String>, err: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        let message = strip_position(&err.to_string());
        match (err.classify(), pointer) {
            (Category::Data, Some(p)) => {
                let (expected, found) = split_data_message(&message);
                InputError::shape(file, Place::Pointer(p), expected, found)
            }
            _ => InputError::JsonSyntax {
                file: file.to_owned(),
                // serde_json counts an error before a line's first
                // character as column 0 ("line 1, column 0" for an empty file).
                place: Place::LineColumn {
                    line: err.line().max(1),
                    column: err.column().max(1),
                },
                message: with_expectation(message),
            },
        }
    }
}

/// Some of serde_json's syntax messages say what is wrong but not what the
/// file should hold there; the user needs both to fix it.
fn with_expectation(message: String) -> String {
    let expected = if message.starts_with("EOF while parsing") {
        "expected more JSON: the file ends early, is it truncated?"
    } else if message.starts_with("recursion limit exceeded") {
        "expected at most 128 levels of nested arrays and objects"
    } else if message.starts_with("invalid unicode code point") {
        "expected UTF-8 text"
    } else if message.starts_with("control character") {
        "expected control characters in strings to be escaped"
    } else {
        return message;
    };
    format!("{message} ({expected})")
}

/// serde_json appends " at line L column C"; the place is printed separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// Splits serde's data messages ("invalid type: integer `5`, expected a
/// sequence", "missing field `arn`", "unknown field `x`, expected one of ...")
/// into (expected, found).
fn split_data_message(msg: &str) -> (String, String) {
    for prefix in ["invalid type: ", "invalid value: ", "invalid length "] {
        if let Some(rest) = msg.strip_prefix(prefix)
            && let Some((found, expected)) = rest.split_once(", expected ")
        {
            return (expected.to_owned(), found.to_owned());
        }
    }
    if let Some(field) = msg.strip_prefix("missing field ") {
        return (format!("field {field}"), "no such field".to_owned());
    }
    if let Some(rest) = msg.strip_prefix("unknown field ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return (expected.to_owned(), format!("unknown field {found}"));
    }
    if let Some(rest) = msg.strip_prefix("unknown variant ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return (expected.to_owned(), format!("unknown variant {found}"));
    }
    ("a valid value".to_owned(), msg.to_owned())
}
