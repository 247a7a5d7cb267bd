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
mod secrets;
mod workmail_collect;
