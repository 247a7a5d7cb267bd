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

/// [`redact`] in place, allocating only when there is something to change.
/// Reports run through it field by field (hundreds of thousands of fields at
/// 10,000 users), so the common case, no credential, costs one pass over the
/// bytes and no allocation.
pub fn redact_in_place(text: &mut String) {
    if might_hold_credential(text.as_bytes()) {
        let r = redact(text);
        if r != *text {
            *text = r;
        }
    }
}

/// A cheap over-approximation of what [`redact`] changes: a run of 20 or
/// more key characters that starts with `AKIA`/`ASIA`, or a run of 40 or
/// more mixing upper case, lower case and digits.
fn might_hold_credential(bytes: &[u8]) -> bool {
    let key_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b'=');
    let mut i = 0;
    while i < bytes.len() {
        if !key_char(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let (mut upper, mut lower, mut digit) = (false, false, false);
        while i < bytes.len() && key_char(bytes[i]) {
            let b = bytes[i];
            upper |= b.is_ascii_uppercase();
            lower |= b.is_ascii_lowercase();
            digit |= b.is_ascii_digit();
            i += 1;
        }
        let run = &bytes[start..i];
        // A key id may sit inside a longer run (after `/`), so look inside.
        let key_id = run.len() >= 20 && run.windows(4).any(|w| w == b"AKIA" || w == b"ASIA");
        if key_id || (run.len() >= 40 && upper && lower && digit) {
            return true;
        }
    }
    false
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

/// The shape of a secret access key or a session token, or a piece of one:
/// a run of 40 or more base64 characters (`=` padding included) mixing upper
/// case, lower case and digits that looks random: it holds a `+`, or its runs
/// of lower case are short (see below), or it is 100 characters or more. A secret followed by
/// `/`, `+` or `=` is still one run; a 60-character piece of a token is one
/// too. Names in ARNs (which break at `:`, `-`, `_`, `.`) and the account
/// paths of SARIF locations do not match.
fn secret_at(bytes: &[u8], i: usize) -> Option<usize> {
    let b64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+');
    if i > 0 && (b64(&bytes[i - 1]) || bytes[i - 1] == b'=' && i > 1 && bytes[i - 2] == b'=') {
        return None;
    }
    // Base64 pieces joined by `=` padding (tokens written one after another);
    // a short piece before `=` is a `key=` prefix, not part of the secret.
    let mut end = i;
    loop {
        let piece = bytes[end..].iter().take_while(|b| b64(b)).count();
        end += piece;
        let pad = bytes[end..]
            .iter()
            .take(2)
            .take_while(|b| **b == b'=')
            .count();
        if pad == 0 || piece < 16 {
            break;
        }
        end += pad;
        if !bytes.get(end).is_some_and(&b64) {
            break;
        }
    }
    let s = &bytes[i..end];
    let len = s.iter().filter(|b| b64(b)).count();
    if len < 40 {
        return None;
    }
    let upper = s.iter().any(u8::is_ascii_uppercase);
    let lower = s.iter().any(u8::is_ascii_lowercase);
    let digit = s.iter().any(u8::is_ascii_digit);
    if !(upper && lower && digit) || is_account_path(s) {
        return None;
    }
    // Words have runs of lower case (`PolicyDocument`: 5 and 7 letters);
    // random base64 has short ones (1.7 on average, as 26 in 64 characters
    // are lower case). AWS's documented example key averages 1.7 too; JSON
    // pointers, CamelCase names and paths average 3 or more.
    let (mut runs, mut letters, mut current) = (0usize, 0usize, 0usize);
    for b in s.iter().chain(std::iter::once(&b'/')) {
        if b.is_ascii_lowercase() {
            current += 1;
        } else if current > 0 {
            runs += 1;
            letters += current;
            current = 0;
        }
    }
    let random = s.contains(&b'+') || letters * 2 < runs * 5 || len >= 100;
    random.then_some(end - i)
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

#[cfg(test)]
mod one_redactor_tests {
    use super::*;

    /// The pre-check never skips what `redact` would change.
    #[test]
    fn the_precheck_covers_redact() {
        for text in [
            "user AKIAIOSFODNN7EXAMPLE",
            "arn:aws:iam::123456789012:user/AKIAIOSFODNN7EXAMPLE",
            "x wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY y",
            "token IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abcdEF",
            "plain message about arn:aws:iam::aws:policy/AmazonWorkMailFullAccess",
        ] {
            let mut s = text.to_owned();
            redact_in_place(&mut s);
            assert_eq!(s, redact(text), "{text}");
        }
        assert!(!might_hold_credential(
            b"Policy arn:aws:iam::aws:policy/AmazonWorkMailFullAccess grants all"
        ));
    }

    /// What the stderr redactor missed (issue #16 item 19): a secret followed
    /// by `/`, `+` or `=`, and a 60-character piece of a session token.
    #[test]
    fn secrets_next_to_base64_punctuation_and_token_pieces() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        for text in [
            format!("key {secret}/more"),
            format!("key {secret}+"),
            format!("key={secret}=="),
            secret.to_string(),
        ] {
            let r = redact(&text);
            assert!(!r.contains("K7MDENG"), "{text} -> {r}");
        }
        let token_piece = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abcdEF";
        assert_eq!(
            redact(&format!("token {token_piece} end")),
            "token [redacted] end"
        );
        // A random-looking 40 characters without / or +.
        assert_eq!(
            redact("x 9fQ2mZ7kLp3XwR8tBv5NcY1hJd6GsE4aUo0Ki2Lm y"),
            "x [redacted] y"
        );
        // Long names and JSON pointers stay.
        for name in [
            "/UserDetailList/0/UserPolicyList/0/PolicyDocument",
            "/RoleDetailList/12/AttachedManagedPolicies/3/PolicyArn",
            "AmazonWorkMailEventsServiceRolePolicy2023Version",
            "arn:aws:iam::aws:policy/service-role/AWSSupportServiceRolePolicyForSomethingVeryLong1",
            "aws/111122223333/iam/policy/DevPowerUserWithAVeryLongName01",
        ] {
            assert_eq!(redact(name), name);
        }
    }
}
