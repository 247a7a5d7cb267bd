//! The binary's integration tests and the live collector's: one test binary
//! (the AWS SDK is linked once), one module per subject.

#[path = "support/mock_aws.rs"]
mod mock_aws;
#[path = "support/replay_workmail.rs"]
mod replay_workmail;

mod auditor_policy;
mod cli;
mod collect_faults;
mod collect_moto;
mod determinism;
mod failing_aws;
mod hostile_input;
mod last_accessed;
mod org_faults;
mod org_moto;
mod secrets;
mod workmail_collect;

/// The `accounts` array of a `wmaudit-report/2` document.
pub(crate) fn accounts(text: &str) -> serde_json::Value {
    let doc: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("not a JSON report ({e}): {text}"));
    assert_eq!(doc["schema"], "wmaudit-report/2", "{text}");
    doc["accounts"].clone()
}

/// The report of the document's only account.
pub(crate) fn only_account(text: &str) -> serde_json::Value {
    let all = accounts(text);
    let list = all.as_array().expect("accounts is an array");
    assert_eq!(list.len(), 1, "one account expected");
    list[0].clone()
}
