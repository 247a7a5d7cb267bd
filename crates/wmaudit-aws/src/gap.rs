//! Turning an SDK error into a gap reason: `<operation>: <error code>: <message>`,
//! with anything that looks like a secret removed.

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::SdkError;

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
            err.message().map_or_else(|| chain(err), str::to_owned),
        ),
        SdkError::TimeoutError(_) => ("Timeout".into(), chain(err)),
        SdkError::DispatchFailure(_) => match credentials_problem(err) {
            Some(why) => ("NoCredentials".into(), why),
            None => ("DispatchFailure".into(), chain(err)),
        },
        SdkError::ResponseError(_) => ("ResponseError".into(), chain(err)),
        SdkError::ConstructionFailure(_) => ("ConstructionFailure".into(), chain(err)),
        _ => ("Error".into(), chain(err)),
    };
    redact(&format!("{operation}: {code}: {}", one_line(&message)))
}

/// An error and its sources as one line, each message once: the SDK's
/// layers repeat each other ("an error occurred while loading credentials:
/// an error occurred while loading credentials: ..."), and its Debug dump
/// (what `DisplayErrorContext` appends) helps nobody reading a report.
pub(crate) fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(err);
    while let Some(e) = cur {
        let msg = one_line(&e.to_string());
        if !msg.is_empty() && !parts.iter().any(|p| p.contains(&msg)) {
            parts.push(msg);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// Credentials that could not be loaded, said as what to do about it.
fn credentials_problem(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let text = chain(err);
    if !text.contains("loading credentials") && !text.contains("credential provider") {
        return None;
    }
    let fix = if text.contains("cached SSO token") || text.contains("SSO token") {
        "the AWS IAM Identity Center (SSO) session is not logged in or has expired: run \
         `aws sso login` with the same profile, then try again"
    } else if text.contains("IMDS") || text.contains("no credentials found") {
        "no AWS credentials were found (environment, profile files, SSO, instance metadata): \
         pass --profile NAME, set AWS_PROFILE or the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY \
         variables, or run `aws configure`"
    } else {
        "the AWS credentials could not be loaded"
    };
    Some(format!("{fix} ({text})"))
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
