//! One module per family of checks. Each check is generic over its
//! parameters, so that rules for any service are data in `rules/`.

pub mod iam;
pub mod root;
pub mod sensitive;
pub mod unknown_action;
pub mod workmail_admin;
pub mod workmail_broad;
