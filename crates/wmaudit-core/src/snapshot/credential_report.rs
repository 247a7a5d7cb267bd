//! The IAM credential report: one row per user plus `<root_account>`.
//!
//! Parsed by column name, never by position: AWS has added columns before.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::{InputError, Place};

/// A date cell: a timestamp or one of the markers AWS writes instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReportDate {
    At(OffsetDateTime),
    /// `N/A`: the credential does not exist (or was never used, for keys).
    NotApplicable,
    /// `not_supported`: the column does not apply (root's password fields).
    NotSupported,
    /// `no_information`: never used since IAM started tracking.
    NoInformation,
}

impl ReportDate {
    /// Parses a cell: RFC 3339 (`2024-05-01T10:20:30+00:00` as AWS writes it,
    /// or with `Z`), or one of the markers.
    pub fn parse(cell: &str) -> Result<Self, String> {
        match cell.trim() {
            "N/A" | "" => Ok(ReportDate::NotApplicable),
            "not_supported" => Ok(ReportDate::NotSupported),
            "no_information" => Ok(ReportDate::NoInformation),
            // checked: `9999-12-31T23:59:59-01:00` is past year 9999 in UTC,
            // where the unchecked conversion would panic; and a year outside
            // 0..=9999 could not be written back as RFC 3339.
            s => OffsetDateTime::parse(s, &Rfc3339)
                .ok()
                .and_then(|t| t.checked_to_offset(time::UtcOffset::UTC))
                .filter(|t| (0..=9999).contains(&t.year()))
                .map(ReportDate::At)
                .ok_or_else(|| {
                    format!(
                        "expected an RFC 3339 timestamp, N/A, not_supported or no_information, found {s:?}"
                    )
                }),
        }
    }

    pub fn time(self) -> Option<OffsetDateTime> {
        match self {
            ReportDate::At(t) => Some(t),
            _ => None,
        }
    }

    pub fn render(&self) -> String {
        match self {
            ReportDate::At(t) => t.format(&Rfc3339).unwrap_or_else(|_| t.to_string()),
            ReportDate::NotApplicable => "N/A".into(),
            ReportDate::NotSupported => "not_supported".into(),
            ReportDate::NoInformation => "no_information".into(),
        }
    }
}

impl Serialize for ReportDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.render())
    }
}

impl<'de> Deserialize<'de> for ReportDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ReportDate::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// One row. Root's row has `user = "<root_account>"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialRow {
    pub user: String,
    pub arn: String,
    pub user_creation_time: ReportDate,
    /// None for root (`not_supported`): root always has a password.
    pub password_enabled: Option<bool>,
    pub password_last_used: ReportDate,
    pub password_last_changed: ReportDate,
    pub mfa_active: bool,
    pub access_key_1_active: bool,
    pub access_key_1_last_rotated: ReportDate,
    pub access_key_1_last_used_date: ReportDate,
    pub access_key_2_active: bool,
    pub access_key_2_last_rotated: ReportDate,
    pub access_key_2_last_used_date: ReportDate,
    pub cert_1_active: bool,
    pub cert_2_active: bool,
}

pub const ROOT_USER: &str = "<root_account>";

impl CredentialRow {
    pub fn is_root(&self) -> bool {
        self.user == ROOT_USER
    }

    pub fn has_active_key(&self) -> bool {
        self.access_key_1_active || self.access_key_2_active
    }

    /// Can sign in to the console: root always can; a user when a password is set.
    pub fn has_console_password(&self) -> bool {
        self.password_enabled.unwrap_or(self.is_root())
    }

    /// The latest use of the password or either access key.
    pub fn last_used(&self) -> Option<OffsetDateTime> {
        [
            self.password_last_used,
            self.access_key_1_last_used_date,
            self.access_key_2_last_used_date,
        ]
        .into_iter()
        .filter_map(ReportDate::time)
        .max()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialReport {
    /// When AWS generated the report, so staleness is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<ReportDate>,
    pub rows: Vec<CredentialRow>,
}

impl CredentialReport {
    pub fn root(&self) -> Option<&CredentialRow> {
        self.rows.iter().find(|r| r.is_root())
    }

    pub fn user(&self, name: &str) -> Option<&CredentialRow> {
        self.rows.iter().find(|r| !r.is_root() && r.user == name)
    }

    /// Root first, then by name: row order in the source never changes output.
    pub fn normalize(&mut self) {
        self.rows
            .sort_by(|a, b| (!a.is_root(), &a.user).cmp(&(!b.is_root(), &b.user)));
    }
}

/// One credential report row per user, and one `<root_account>` row (the
/// first of two would decide root's MFA and keys). `at` places row `i`.
pub(crate) fn check_rows(
    report: &CredentialReport,
    at: &dyn Fn(usize) -> (String, Place),
) -> Result<(), InputError> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, row) in report.rows.iter().enumerate() {
        if let Some(&first) = seen.get(row.user.as_str()) {
            let (file, second) = at(i);
            return Err(InputError::Duplicate {
                file,
                what: "credential report row for user",
                key: row.user.clone(),
                first: Box::new(at(first).1),
                second: Box::new(second),
            });
        }
        seen.insert(&row.user, i);
    }
    Ok(())
}

/// The columns [`CredentialRow`] is built from; any others are ignored.
pub const REQUIRED_COLUMNS: [&str; 15] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "cert_1_active",
    "cert_2_active",
];

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses the credential report CSV (as `GetCredentialReport` returns it,
/// already base64-decoded). Columns are found by header name, so extra or
/// reordered columns are fine; a missing one is an error naming it. A UTF-8
/// BOM and CRLF line ends are accepted. `source` names the input in errors.
pub fn parse_csv(
    bytes: &[u8],
    generated_at: Option<ReportDate>,
    source: &str,
) -> Result<CredentialReport, InputError> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);

    let header = reader.headers().map_err(|e| csv_error(source, &e))?.clone();
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(InputError::shape(
            source,
            Place::CsvLine(1),
            "an IAM credential report header line (user,arn,user_creation_time,...)",
            "an empty file",
        ));
    }
    let header_line = header.position().map_or(1, csv::Position::line);
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        // First occurrence wins; AWS never repeats a column.
        index.entry(name.trim()).or_insert(i);
    }
    let mut cols = [0usize; REQUIRED_COLUMNS.len()];
    for (slot, name) in cols.iter_mut().zip(REQUIRED_COLUMNS) {
        *slot = *index.get(name).ok_or_else(|| InputError::MissingColumn {
            file: source.to_owned(),
            line: header_line,
            column: name.to_owned(),
            expected: REQUIRED_COLUMNS.join(","),
        })?;
    }

    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(source, &e))?;
        let line = record.position().map_or(0, csv::Position::line);
        let cells = RowCells {
            record: &record,
            cols: &cols,
            line,
            source,
        };
        rows.push(cells.row()?);
        lines.push(line);
    }
    let mut report = CredentialReport { generated_at, rows };
    check_rows(&report, &|i| {
        (
            source.to_owned(),
            Place::CsvLine(lines.get(i).copied().unwrap_or(0)),
        )
    })?;
    // Root first, then by name: row order in the file never changes output.
    report.normalize();
    Ok(report)
}

/// One record with the header's column positions, for typed cell access.
struct RowCells<'a> {
    record: &'a csv::StringRecord,
    cols: &'a [usize; REQUIRED_COLUMNS.len()],
    line: u64,
    source: &'a str,
}

impl RowCells<'_> {
    fn cell(&self, column: usize) -> &str {
        // The reader rejects records of another length than the header, so
        // the index exists; "" is only a fallback and parses as an error.
        self.record
            .get(self.cols[column])
            .map(str::trim)
            .unwrap_or("")
    }

    fn err(&self, column: usize, expected: &str, found: &str) -> InputError {
        InputError::shape(
            self.source,
            Place::CsvCell {
                line: self.line,
                column: REQUIRED_COLUMNS[column].to_owned(),
            },
            expected,
            format!("{found:?}"),
        )
    }

    fn text(&self, column: usize) -> Result<String, InputError> {
        match self.cell(column) {
            "" => Err(self.err(column, "a non-empty value", "")),
            s => Ok(s.to_owned()),
        }
    }

    fn flag(&self, column: usize) -> Result<bool, InputError> {
        let s = self.cell(column);
        if s.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if s.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err(self.err(column, "true or false", s))
        }
    }

    /// `not_supported` (root's password_enabled) means "does not apply".
    fn optional_flag(&self, column: usize) -> Result<Option<bool>, InputError> {
        match self.cell(column) {
            "not_supported" => Ok(None),
            s => self
                .flag(column)
                .map(Some)
                .map_err(|_| self.err(column, "true, false or not_supported", s)),
        }
    }

    fn date(&self, column: usize) -> Result<ReportDate, InputError> {
        let s = self.cell(column);
        ReportDate::parse(s).map_err(|_| {
            self.err(
                column,
                "an RFC 3339 timestamp, N/A, not_supported or no_information",
                s,
            )
        })
    }

    fn row(&self) -> Result<CredentialRow, InputError> {
        Ok(CredentialRow {
            user: self.text(0)?,
            arn: self.text(1)?,
            user_creation_time: self.date(2)?,
            password_enabled: self.optional_flag(3)?,
            password_last_used: self.date(4)?,
            password_last_changed: self.date(5)?,
            mfa_active: self.flag(6)?,
            access_key_1_active: self.flag(7)?,
            access_key_1_last_rotated: self.date(8)?,
            access_key_1_last_used_date: self.date(9)?,
            access_key_2_active: self.flag(10)?,
            access_key_2_last_rotated: self.date(11)?,
            access_key_2_last_used_date: self.date(12)?,
            cert_1_active: self.flag(13)?,
            cert_2_active: self.flag(14)?,
        })
    }
}

/// Structural CSV errors (field count, encoding) with the line they are on.
fn csv_error(source: &str, err: &csv::Error) -> InputError {
    let line = err.position().map_or(0, csv::Position::line);
    match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => InputError::shape(
            source,
            Place::CsvLine(line),
            format!("{expected_len} fields, as many as the header"),
            format!("{len} fields"),
        ),
        csv::ErrorKind::Utf8 { .. } => {
            InputError::shape(source, Place::CsvLine(line), "UTF-8 text", "invalid UTF-8")
        }
        _ => InputError::shape(source, Place::CsvLine(line), "CSV text", err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    #[test]
    fn moto_shaped_report_parses() {
        // moto: no root row, not_supported where AWS writes N/A.
        let csv = format!(
            "{HEADER}\nalice,arn:aws:iam::123456789012:user/alice,2015-01-01T00:00:00+00:00,false,not_supported,2015-01-01T00:00:00+00:00,not_supported,false,true,2015-01-01T00:00:00+00:00,N/A,not_supported,not_supported,false,N/A,N/A,not_supported,not_supported,false,N/A,false,N/A\n"
        );
        let report = match parse_csv(csv.as_bytes(), None, "moto.csv") {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        assert!(report.root().is_none());
        let alice = report.user("alice");
        assert_eq!(
            alice.map(|r| r.password_last_used),
            Some(ReportDate::NotSupported)
        );
        assert_eq!(alice.map(CredentialRow::has_active_key), Some(true));
    }

    #[test]
    fn dates_out_of_range_are_errors_not_panics() {
        assert!(ReportDate::parse("9999-12-31T23:59:59-01:00").is_err());
        assert!(ReportDate::parse("0000-01-01T00:00:00+01:00").is_err());
        assert_eq!(
            ReportDate::parse("2024-05-01T10:20:30Z"),
            ReportDate::parse("2024-05-01T12:20:30+02:00")
        );
    }

    #[test]
    fn quoted_cells_with_commas_and_newlines_are_one_cell() {
        // The csv crate handles quoting; a user name never has a comma, but a
        // hand-edited file might quote cells anyway.
        let csv = format!(
            "{HEADER}\n\"<root_account>\",\"arn:aws:iam::123456789012:root\",2019-08-01T10:00:00+00:00,not_supported,N/A,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let report = parse_csv(csv.as_bytes(), None, "q.csv");
        assert!(report.is_ok_and(|r| r.root().is_some_and(|root| root.password_enabled.is_none())));
    }
}
