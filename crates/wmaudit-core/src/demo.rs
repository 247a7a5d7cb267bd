//! The demo: two example accounts embedded in the binary, built so that
//! every shipped rule fires at least once and some principals are clean.
//! `mail-prod` is a company's WorkMail account mid-migration; `legacy` is an
//! old account being wound down (its root user has no MFA, which cannot be
//! true of `mail-prod`'s root at the same time as its virtual MFA).

use crate::snapshot::io::parse_snapshot;
use crate::snapshot::{InputError, Snapshot};

const DEMO: &[(&str, &str)] = &[
    (
        "demo/mail-prod.json",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/demo/mail-prod.json"
        )),
    ),
    (
        "demo/legacy.json",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/demo/legacy.json"
        )),
    ),
];

pub fn snapshots() -> Result<Vec<Snapshot>, InputError> {
    DEMO.iter()
        .map(|(name, text)| parse_snapshot(text.as_bytes(), name))
        .collect()
}
