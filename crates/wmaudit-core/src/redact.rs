//! Keeping credentials out of everything wmaudit writes: reports, snapshots,
//! progress and error messages.
//!
//! wmaudit never asks for secrets, but some values it handles can carry
//! them: STS returns the caller's access key id as `UserId` for some
//! callers (test servers do), and SDK error messages may quote request
//! details. Access key ids are shown masked to their last 4 characters;
//! anything shaped like a secret key or session token is removed.

/// Masks AWS access key ids (`AKIA`/`ASIA` + 16 upper-case letters or
/// digits) to `AKIA************WXYZ`, and replaces secret-key- and
/// session-token-shaped runs with `[redacted]`.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Already masked: kept as it is, so that masking twice (a snapshot
        // read, written and read again) changes nothing.
        if let Some(len) = masked_key_at(bytes, i) {
            out.push_str(&text[i..i + len]);
            i += len;
            continue;
        }
        if let Some(len) = access_key_at(bytes, i) {
            out.push_str(&text[i..i + 4]);
            out.push_str(&"*".repeat(len - 8));
            out.push_str(&text[i + len - 4..i + len]);
            i += len;
            continue;
        }
        if let Some(len) = secret_at(bytes, i) {
            out.push_str("[redacted]");
            i += len;
            continue;
        }
        // Copy one UTF-8 character.
        let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[i..i + ch_len]);
        i += ch_len;
    }
    out
}

fn is_boundary(bytes: &[u8], i: usize) -> bool {
    i == 0 || !bytes[i - 1].is_ascii_alphanumeric()
}

/// `AKIA` or `ASIA` at a word boundary at `i`, with room for `len` bytes.
fn key_prefix_at(bytes: &[u8], i: usize, len: usize) -> bool {
    is_boundary(bytes, i) && bytes.len() >= i + len && matches!(&bytes[i..i + 4], b"AKIA" | b"ASIA")
}

/// An access key id (`AKIA`/`ASIA` + 16) starting at `i`. Unique ids of
/// users, roles and groups (`AIDA`, `AROA`, ...) are not secrets: left alone.
fn access_key_at(bytes: &[u8], i: usize) -> Option<usize> {
    const LEN: usize = 20;
    if !key_prefix_at(bytes, i, LEN) {
        return None;
    }
    let body = &bytes[i + 4..i + LEN];
    let ok = body
        .iter()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let ends = bytes.len() == i + LEN || !bytes[i + LEN].is_ascii_alphanumeric();
    (ok && ends).then_some(LEN)
}

/// A key id as [`redact`] writes it: `AKIA************WXYZ`. Its last four
/// characters must not start a new run on a second pass.
fn masked_key_at(bytes: &[u8], i: usize) -> Option<usize> {
    const LEN: usize = 20;
    if !key_prefix_at(bytes, i, LEN) {
        return None;
    }
    let stars = bytes[i + 4..i + 16].iter().all(|b| *b == b'*');
    let tail = bytes[i + 16..i + LEN]
        .iter()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let ends = bytes.len() == i + LEN || !bytes[i + LEN].is_ascii_alphanumeric();
    (stars && tail && ends).then_some(LEN)
}

/// The shape of a secret access key (exactly 40 base64 characters) or a
/// session token (100 or more), with upper case, lower case and digits.
/// Names in ARNs and hex fingerprints do not have that shape.
fn secret_at(bytes: &[u8], i: usize) -> Option<usize> {
    if !is_boundary(bytes, i) {
        return None;
    }
    let run = bytes[i..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b'='))
        .count();
    if run != 40 && run < 100 {
        return None;
    }
    let s = &bytes[i..i + run];
    let upper = s.iter().any(u8::is_ascii_uppercase);
    let lower = s.iter().any(u8::is_ascii_lowercase);
    let digit = s.iter().any(u8::is_ascii_digit);
    (upper && lower && digit && !is_account_path(s)).then_some(run)
}

/// `aws/111122223333/iam/policy/DevPowerUser`, the logical locations SARIF
/// reports use, can be exactly 40 characters: a segment of exactly 12 digits
/// (an account id) between slashes marks a path, which a random key all but
/// never has.
fn is_account_path(run: &[u8]) -> bool {
    run.split(|b| *b == b'/')
        .any(|seg| seg.len() == 12 && seg.iter().all(u8::is_ascii_digit))
}

/// True if the text still contains something shaped like a credential.
pub fn contains_secret_shape(text: &str) -> bool {
    // Exactly what `redact` would change: the two must never disagree (a
    // masked key id is not a key, nor is what follows it).
    redact(text) != text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_access_key_ids_to_last_four() {
        assert_eq!(
            redact("caller AKIAIOSFODNN7EXAMPLE used"),
            "caller AKIA************MPLE used"
        );
        assert_eq!(redact("ASIAZZZZZZZZZZZZ1234"), "ASIA************1234");
        // Not a key: too short, embedded, or a user id.
        assert_eq!(redact("AKIA123"), "AKIA123");
        assert_eq!(redact("xAKIAIOSFODNN7EXAMPLE"), "xAKIAIOSFODNN7EXAMPLE");
        assert_eq!(redact("AIDAEXAMPLEALICE00001"), "AIDAEXAMPLEALICE00001");
    }

    #[test]
    fn removes_secret_shaped_tokens() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        assert_eq!(redact(&format!("key={secret}!")), "key=[redacted]!");
        assert!(contains_secret_shape(secret));
        let token = "FwoGZXIvYXdzEBYaDExampleSessionTokenValue1234567890abcdefABCDEF==".repeat(2);
        assert_eq!(redact(&token), "[redacted]");
    }

    #[test]
    fn masking_twice_changes_nothing() {
        // The four characters left visible, with what follows, could make a
        // 40-character run on a second pass.
        let text = format!("AKIAABCDEFGHIJKLMNOP/{}", "x1Y".repeat(11) + "x1");
        let once = redact(&text);
        assert_eq!(
            once,
            format!("AKIA************MNOP/{}", "x1Y".repeat(11) + "x1")
        );
        assert_eq!(redact(&once), once);
        assert!(!contains_secret_shape(&once));
    }

    #[test]
    fn leaves_arns_fingerprints_and_prose_alone() {
        for s in [
            "arn:aws:iam::111122223333:policy/AmazonWorkMailFullAccess",
            "ece86bb43d854ba769115a72147caaa8ece86bb43d854ba769115a72147caaa8",
            "aws/111122223333/iam/user/alice",
            "aws/111122223333/iam/policy/DevPowerUser",
            "workmail:StartMailboxExportJob and workmailmessageflow:GetRawMessageContent",
            "é AKIA",
            "arn:aws:iam::aws:policy/aws-service-role/AmazonWorkMailEventsServiceRolePolicy",
        ] {
            assert_eq!(redact(s), s);
            assert!(!contains_secret_shape(s), "{s}");
        }
    }
}
