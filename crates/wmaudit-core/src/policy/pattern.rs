//! IAM wildcard matching: `*` matches any run of characters (also none), `?`
//! exactly one. Action names compare case-insensitively; resource ARNs do not.

/// Matches `text` against an IAM wildcard `pattern`.
///
/// Linear-time greedy matcher with single-star backtracking: on a mismatch we
/// only ever resume from the most recent `*`, which is enough for glob
/// patterns and keeps hostile patterns (`*a*a*a*...`) from going exponential.
pub fn wildcard_match(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    glob(pattern.as_bytes(), text.as_bytes(), |p, t| {
        p == b'?'
            || if case_insensitive {
                p.eq_ignore_ascii_case(&t)
            } else {
                p == t
            }
    })
}

/// The matcher both [`wildcard_match`] and [`covers`] use: `*` in `p`
/// matches any run of `t`; any other byte of `p` matches one character of
/// `t` when `one(p, t)` says so (a `?` consumes a whole UTF-8 character).
fn glob(p: &[u8], t: &[u8], one: impl Fn(u8, u8) -> bool) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && one(p[pi], t[ti]) {
            // `?` stands for one character; for non-ASCII text that is one
            // UTF-8 sequence, not one byte.
            let len = if p[pi] == b'?' { utf8_len(t[ti]) } else { 1 };
            pi += 1;
            ti += len;
        } else if let Some((sp, st)) = star {
            let next = st + utf8_len(t[st]);
            star = Some((sp, next));
            pi = sp + 1;
            ti = next;
        } else {
            return false;
        }
    }
    p[pi.min(p.len())..].iter().all(|&c| c == b'*') && ti == t.len()
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xff => 4,
        // A continuation byte never starts a char in valid UTF-8 (&str), but
        // stepping one byte keeps us moving rather than panicking.
        _ => 1,
    }
}

/// Does `pattern` match every string `glob_text` matches? Sound, not complete:
/// `true` only when it does (a `*` in `glob_text` can only be consumed by a `*`
/// of `pattern`, a `?` by a `?` or `*`), so a Deny is never taken to cover
/// more than it does. Case-sensitive, as resource ARNs are.
pub fn covers(pattern: &str, glob_text: &str) -> bool {
    glob(pattern.as_bytes(), glob_text.as_bytes(), |p, t| match t {
        b'*' => false,
        b'?' => p == b'?',
        _ => p == b'?' || p == t,
    })
}

/// Does the pattern contain a wildcard?
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

#[cfg(test)]
mod covers_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn containment() {
        let org = "arn:aws:workmail:*:*:organization/*";
        assert!(covers(org, org));
        assert!(covers("*", org));
        assert!(covers("arn:aws:workmail:*", org));
        assert!(covers("arn:aws:workmail:*:*:*", org));
        assert!(!covers("arn:aws:workmail:*:*:organization/m-1", org));
        assert!(!covers("arn:aws:workmail:us-east-1:*:organization/*", org));
        assert!(!covers("arn:aws:s3:::*", org));
        assert!(covers("arn:aws:iam::*:role/?", "arn:aws:iam::*:role/?"));
        assert!(!covers("arn:aws:iam::*:role/x", "arn:aws:iam::*:role/?"));
    }

    proptest! {
        /// Sound: whenever `covers(p, g)`, every string `g` matches (here: the
        /// glob with its wildcards filled in), `p` matches too.
        #[test]
        fn covers_is_sound(
            p in "[ab*?:]{0,6}",
            g in "[ab*?:]{0,6}",
            fill in "[ab:]{0,3}",
        ) {
            if covers(&p, &g) {
                let one: String = fill.chars().next().map_or("a".to_owned(), |c| c.to_string());
                let text = g.replace('*', &fill).replace('?', &one);
                prop_assert!(wildcard_match(&p, &text, false), "{p} covers {g} but not {text}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn basics() {
        assert!(wildcard_match("*", "", true));
        assert!(wildcard_match("*", "workmail:CreateUser", true));
        assert!(wildcard_match("workmail:*", "WorkMail:CreateUser", true));
        assert!(wildcard_match(
            "workmail:*Mailbox*",
            "workmail:StartMailboxExportJob",
            true
        ));
        assert!(wildcard_match(
            "workmail:Get*",
            "workmail:GetMailboxDetails",
            true
        ));
        assert!(!wildcard_match("workmail:Get*", "workmail:ListUsers", true));
        assert!(wildcard_match(
            "WorkMail:resetpassword",
            "workmail:ResetPassword",
            true
        ));
        assert!(!wildcard_match(
            "WorkMail:resetpassword",
            "workmail:ResetPassword",
            false
        ));
        assert!(wildcard_match("workmail:?etUser", "workmail:GetUser", true));
        assert!(!wildcard_match("workmail:?etUser", "workmail:etUser", true));
        assert!(wildcard_match("a*b*c", "aXbYc", true));
        assert!(!wildcard_match("a*b*c", "aXbY", true));
        assert!(wildcard_match("**", "x", true));
        assert!(wildcard_match("?é", "xé", true));
    }

    /// Exponential-time reference: tries every split for each star.
    fn naive(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| naive(rest, &t[i..])),
            Some(('?', rest)) => !t.is_empty() && naive(rest, &t[1..]),
            Some((c, rest)) => {
                !t.is_empty() && c.eq_ignore_ascii_case(&t[0]) && naive(rest, &t[1..])
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn agrees_with_naive_matcher(p in "[ab*?:é]{0,8}", t in "[abAB:é]{0,10}") {
            let pc: Vec<char> = p.chars().collect();
            let tc: Vec<char> = t.chars().collect();
            prop_assert_eq!(wildcard_match(&p, &t, true), naive(&pc, &tc));
        }

        #[test]
        fn agrees_on_action_like_strings(p in "(work|mail|\\*|\\?|:|Get|List){0,6}", t in "(work|mail|:|Get|List|User){0,6}") {
            let pc: Vec<char> = p.chars().collect();
            let tc: Vec<char> = t.chars().collect();
            prop_assert_eq!(wildcard_match(&p, &t, true), naive(&pc, &tc));
        }
    }

    #[test]
    fn hostile_pattern_is_fast() {
        let p = "*a".repeat(200) + "b";
        let t = "a".repeat(5000);
        assert!(!wildcard_match(&p, &t, true));
    }
}
