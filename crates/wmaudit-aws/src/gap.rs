//! Turning an SDK error into a gap reason: `<operation>: <error code>: <message>`,
//! with anything that looks like a secret removed.

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;

use super::allowlist::OperationRefused;
use wmaudit_core::snapshot::{Gap, Part};

/// The reason text for a failed call.
pub(crate) fn describe<E, R>(operation: &str, err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    if let Some(r) = OperationRefused::find(err) {
        return redact(&format!("{operation}: Refused: {r}"));
    }
    let (code, message) = match err {
        SdkError::ServiceError(_) => (
            err.code().unwrap_or("UnknownError").to_owned(),
            err.message()
                .map_or_else(|| DisplayErrorContext(err).to_string(), str::to_owned),
        ),
        SdkError::TimeoutError(_) => ("Timeout".into(), DisplayErrorContext(err).to_string()),
        SdkError::DispatchFailure(_) => (
            "DispatchFailure".into(),
            DisplayErrorContext(err).to_string(),
        ),
        SdkError::ResponseError(_) => {
            ("ResponseError".into(), DisplayErrorContext(err).to_string())
        }
        SdkError::ConstructionFailure(_) => (
            "ConstructionFailure".into(),
            DisplayErrorContext(err).to_string(),
        ),
        _ => ("Error".into(), DisplayErrorContext(err).to_string()),
    };
    redact(&format!("{operation}: {code}: {}", one_line(&message)))
}

pub(crate) fn gap<E, R>(part: Part, operation: &str, err: &SdkError<E, R>) -> Gap
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    Gap {
        part,
        reason: describe(operation, err),
    }
}

pub(crate) fn gap_text(part: Part, reason: impl AsRef<str>) -> Gap {
    Gap {
        part,
        reason: redact(reason.as_ref()),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The one redactor ([`wmaudit_core::redact::redact`]): key ids masked,
/// secret- and token-shaped runs removed. The SDK does not put secrets in
/// errors; this is a net under providers (profiles, credential processes)
/// and endpoints whose messages we do not control.
pub(crate) fn redact(s: &str) -> String {
    wmaudit_core::redact::redact(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secret_like_runs_only() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let msg = format!(
            "profile error: aws_secret_access_key={secret}; token=IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc"
        );
        let r = redact(&msg);
        assert!(!r.contains(secret), "{r}");
        assert!(!r.contains("IQoJb3JpZ2lu"), "{r}");
        assert!(
            r.starts_with("profile error: aws_secret_access_key=[redacted]"),
            "{r}"
        );
        // ARNs, key ids and ordinary messages stay readable.
        let plain = "iam:GetAccountSummary: AccessDenied: User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: iam:GetAccountSummary";
        assert_eq!(redact(plain), plain);
        // Access key ids are masked by the crate-wide redaction.
        assert!(!redact("key AKIAIOSFODNN7EXAMPLE").contains("IOSFODNN7"));
        let policy =
            "arn:aws:iam::aws:policy/service-role/AWSSupportServiceRolePolicyForSomethingVeryLong";
        assert_eq!(redact(policy), policy);
    }
}
