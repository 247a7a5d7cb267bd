//! Turning the text IAM hands us into a JSON value.
//!
//! The IAM API returns policy documents URL-encoded; the AWS CLI (and moto in
//! places) prints them as JSON. Decoding raw JSON a second time would corrupt a
//! literal `%20` inside it, so we only decode when the text does not already
//! look like a JSON object.

use super::PolicyError;

/// Decodes a policy document's text: strips a UTF-8 byte-order mark, then
/// percent-decodes (RFC 3986, `+` stays a plus) unless the trimmed text
/// already starts with `{`.
pub fn decode_document_text(text: &str) -> Result<String, PolicyError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        return Ok(text.to_owned());
    }
    check_escapes(text)?;
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(text).collect();
    let decoded = String::from_utf8(bytes).map_err(|e| PolicyError::Decode {
        offset: e.utf8_error().valid_up_to(),
        message: "percent-decoded bytes are not valid UTF-8".into(),
    })?;
    Ok(decoded
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(decoded))
}

/// `percent_decode_str` passes malformed escapes through unchanged; a policy
/// with `%zz` in it was not produced by IAM, so we say so instead of guessing.
fn check_escapes(text: &str) -> Result<(), PolicyError> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let ok = bytes.len() >= i + 3
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit();
            if !ok {
                let end = (i + 3).min(bytes.len());
                return Err(PolicyError::Decode {
                    offset: i,
                    message: format!(
                        "invalid percent-escape {:?}: expected '%' followed by two hex digits",
                        String::from_utf8_lossy(&bytes[i..end])
                    ),
                });
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_passes_through_untouched() {
        let raw = r#"{"Statement":[{"Sid":"a%20b"}]}"#;
        assert_eq!(decode_document_text(raw).unwrap(), raw);
        assert_eq!(decode_document_text("  \n{}").unwrap(), "  \n{}");
    }

    #[test]
    fn url_encoded_is_decoded_and_plus_stays() {
        let enc = "%7B%22Sid%22%3A%22a+b%25c%22%7D";
        assert_eq!(decode_document_text(enc).unwrap(), r#"{"Sid":"a+b%c"}"#);
    }

    #[test]
    fn bom_is_stripped() {
        assert_eq!(decode_document_text("\u{feff}{}").unwrap(), "{}");
        assert_eq!(decode_document_text("%EF%BB%BF%7B%7D").unwrap(), "{}");
    }

    #[test]
    fn bad_escapes_are_errors() {
        let err = decode_document_text("%7B%zz").unwrap_err();
        assert!(err.to_string().contains("%zz"), "{err}");
        assert!(decode_document_text("%7B%2").is_err());
        let err = decode_document_text("%C3%28").unwrap_err();
        assert!(err.to_string().contains("UTF-8"), "{err}");
    }
}
