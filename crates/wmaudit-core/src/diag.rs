//! Problems in files a person writes (the configuration, rule files, a
//! baseline): each names FILE:LINE:COLUMN (or the JSON pointer), and one load
//! reports every problem it found at once, as cargo-deny does, so a user fixes
//! a file in one pass instead of one error per run.

use std::fmt;

use crate::snapshot::{InputError, Place};

/// One problem at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub place: Place,
    pub message: String,
}

impl Diagnostic {
    /// A problem at byte `offset` of `text`.
    pub fn at(file: &str, text: &str, offset: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_owned(),
            place: Place::LineColumn {
                line: line_at(text, offset),
                column: column_at(text, offset),
            },
            message: message.into(),
        }
    }

    /// A problem with the file as a whole (it cannot be read, say).
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_owned(),
            place: Place::File,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            // FILE:LINE:COLUMN, which editors and terminals turn into a link.
            Place::LineColumn { line, column } => {
                write!(f, "{}:{line}:{column}: {}", self.file, self.message)
            }
            Place::File => write!(f, "{}: {}", self.file, self.message),
            place => write!(f, "{}: {place}: {}", self.file, self.message),
        }
    }
}

/// Every problem of one load; never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// `Err` with the collected problems, if any, in file order.
    pub fn check(mut found: Vec<Diagnostic>) -> Result<(), Diagnostics> {
        if found.is_empty() {
            return Ok(());
        }
        // Stable: problems at one place keep the order they were found in.
        found.sort_by(|a, b| {
            let pos = |d: &Diagnostic| match d.place {
                Place::LineColumn { line, column } => (line, column),
                _ => (0, 0),
            };
            (&a.file, pos(a)).cmp(&(&b.file, pos(b)))
        });
        Err(Diagnostics(found))
    }

    pub fn one(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [one] => one.fmt(f),
            all => {
                write!(f, "{} problems:", all.len())?;
                for d in all {
                    write!(f, "\n  {d}")?;
                }
                Ok(())
            }
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics::one(d)
    }
}

impl From<InputError> for Diagnostics {
    fn from(e: InputError) -> Self {
        let file = e.file().to_owned();
        let text = e.to_string();
        // InputError's text starts with "FILE: "; the place stays in the message.
        let message = text
            .strip_prefix(&format!("{file}: "))
            .unwrap_or(&text)
            .to_owned();
        Diagnostics::one(Diagnostic {
            file,
            place: Place::File,
            message,
        })
    }
}

/// The 1-based line of a byte offset.
pub fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The 1-based column (in characters) of a byte offset.
pub fn column_at(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text.get(start..offset).map_or(1, |s| s.chars().count() + 1)
}

/// ", did you mean `x`?" when a known name is close to `word`.
pub fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    crate::catalog::closest(word, known)
        .map_or_else(String::new, |c| format!("; did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_problem_is_one_line_several_are_listed() {
        let text = "a = 1\nbé = 2\n";
        let d = Diagnostic::at("w.toml", text, 9, "unknown key");
        assert_eq!(d.to_string(), "w.toml:2:3: unknown key");
        assert_eq!(
            Diagnostics::one(d.clone()).to_string(),
            "w.toml:2:3: unknown key"
        );
        let two = Diagnostics(vec![d.clone(), Diagnostic::file("w.toml", "cannot read")]);
        assert_eq!(
            two.to_string(),
            "2 problems:\n  w.toml:2:3: unknown key\n  w.toml: cannot read"
        );
    }
}
