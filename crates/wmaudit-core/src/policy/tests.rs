use super::*;
use crate::catalog::Catalog;

fn parse(text: &str) -> Result<PolicyDocument, PolicyError> {
    PolicyDocument::parse(text)
}

#[test]
fn single_object_statement_and_string_lists() {
    let d = parse(
        r#"{"Version":"2012-10-17","Statement":{"Sid":"One","Effect":"Allow","Action":"workmail:ListUsers","Resource":"*"}}"#,
    )
    .unwrap();
    assert_eq!(d.statements.len(), 1);
    let s = &d.statements[0];
    assert_eq!(s.sid.as_deref(), Some("One"));
    assert_eq!(
        s.action,
        ActionSpec::Action(vec!["workmail:ListUsers".into()])
    );
    assert_eq!(s.resource, ResourceSpec::Resource(vec!["*".into()]));
}

#[test]
fn full_grammar() {
    let d = parse(
        r#"{"Version":"2012-10-17","Id":"doc-1","Statement":[
          {"Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":"arn:aws:iam::*:role/x",
           "Condition":{"Bool":{"aws:MultiFactorAuthPresent":false},"NumericLessThan":{"aws:EpochTime":[1,2]}}},
          {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root","Service":["a","b"]},"Action":"sts:AssumeRole"},
          {"Effect":"Deny","NotPrincipal":"*","Action":"*","Resource":"*"}
        ]}"#,
    )
    .unwrap();
    assert_eq!(d.id.as_deref(), Some("doc-1"));
    let s0 = &d.statements[0];
    assert!(matches!(&s0.action, ActionSpec::NotAction(v) if v.len() == 2));
    assert!(matches!(&s0.resource, ResourceSpec::NotResource(_)));
    assert_eq!(
        s0.condition["Bool"]["aws:MultiFactorAuthPresent"],
        vec!["false"]
    );
    assert_eq!(
        s0.condition["NumericLessThan"]["aws:EpochTime"],
        vec!["1", "2"]
    );
    let s1 = &d.statements[1];
    assert_eq!(s1.resource, ResourceSpec::Absent);
    match &s1.principal {
        Some(PrincipalSpec::Principal(Principal::Map(m))) => {
            assert_eq!(m["Service"], vec!["a", "b"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        d.statements[2].principal,
        Some(PrincipalSpec::NotPrincipal(Principal::Anyone))
    );
}

#[test]
fn url_encoded_document_with_literal_percent() {
    // The Sid holds a literal "%": encoded as %25 by IAM.
    let enc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Sid%22%3A%22100%25%22%2C%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22workmail%3A*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
    let d = parse(enc).unwrap();
    assert_eq!(d.statements[0].sid.as_deref(), Some("100%"));
    // Raw JSON with %20 stays as written.
    let d =
        parse(r#"{"Statement":[{"Sid":"a%20b","Effect":"Allow","Action":"*","Resource":"*"}]}"#)
            .unwrap();
    assert_eq!(d.statements[0].sid.as_deref(), Some("a%20b"));
}

#[test]
fn malformed_documents_name_the_place() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}"#,
            "line 1",
        ),
        (
            r#"{"Statement":5}"#,
            "at /Statement: expected a statement object or an array of statements, found number 5",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":{"a":1},"Resource":"*"}]}"#,
            "at /Statement/0/Action: expected a string or an array of strings, found an object",
        ),
        (
            r#"{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}"#,
            "at /Statement/0/Effect",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
            "at /Statement/0: expected an element Action or NotAction",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}]}"#,
            "either Action or NotAction, found both",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":["a",3],"Resource":"*"}]}"#,
            "at /Statement/0/Action/1: expected a string, found number 3",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"k":{"x":1}}}}]}"#,
            "at /Statement/0/Condition/Bool/k",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":[]}}]}"#,
            "at /Statement/0/Condition/Bool: expected an object",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Actions":"x"}]}"#,
            "at /Statement/0/Actions: expected one of the elements",
        ),
        (r#"{"Version":"2020-01-01","Statement":[]}"#, "at /Version"),
        (
            r#"{"Version":"2012-10-17"}"#,
            "expected an element Statement",
        ),
        (r#"{"Statement":null}"#, "found null"),
        (r#"[]"#, "at /: expected an object"),
        ("", "not valid JSON"),
        ("%7B%zz", "invalid percent-escape"),
        ("%C3%28", "not valid UTF-8"),
    ];
    for (doc, want) in cases {
        let err = parse(doc).expect_err(doc).to_string();
        assert!(err.contains(want), "{doc}\n  got: {err}\n  want: {want}");
    }
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let doc = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse(&doc).is_err());
}

fn compile(doc: &str) -> CompiledPolicy {
    let mut c = Compiler::new(Catalog::builtin());
    c.compile(parse(doc).unwrap()).unwrap()
}

fn names(p: &CompiledPolicy, st: usize) -> Vec<&'static str> {
    Catalog::builtin().names(&p.statements[st].actions)
}

#[test]
fn patterns_over_the_catalog() {
    let c = Catalog::builtin();
    let p = compile(
        r#"{"Statement":[
          {"Effect":"Allow","Action":"workmail:*Mailbox*","Resource":"*"},
          {"Effect":"Allow","Action":"workmail:Get*","Resource":"*"},
          {"Effect":"Allow","Action":"WorkMail:resetpassword","Resource":"*"},
          {"Effect":"Allow","Action":"*","Resource":"*"},
          {"Effect":"Allow","NotAction":"iam:*","Resource":"*"}
        ]}"#,
    );
    let mailbox = names(&p, 0);
    assert!(mailbox.contains(&"workmail:StartMailboxExportJob"));
    assert!(mailbox.contains(&"workmail:PutMailboxPermissions"));
    assert!(mailbox.iter().all(|n| n.to_lowercase().contains("mailbox")));
    assert!(names(&p, 1).iter().all(|n| n.starts_with("workmail:Get")));
    assert_eq!(names(&p, 2), vec!["workmail:ResetPassword"]);
    assert_eq!(p.statements[3].actions.count_ones(..), c.len());
    let not_iam = &p.statements[4].actions;
    let wm = c.service("workmail").unwrap().range.clone();
    assert!(wm.clone().all(|i| not_iam.contains(i)));
    let iam = c.service("iam").unwrap().range.clone();
    assert!(iam.clone().all(|i| !not_iam.contains(i)));
    assert!(p.problems.is_empty());
}

#[test]
fn unknown_actions_get_suggestions() {
    let p = compile(
        r#"{"Statement":[{"Sid":"S","Effect":"Allow","Action":["workmail:ListUser","workmail:Nope*","s3:GetObject","workmail","workmailmessageflow:GetRawMessageContents"],"Resource":"*"}]}"#,
    );
    let got: Vec<(&str, ProblemKind, Option<&str>)> = p
        .problems
        .iter()
        .map(|x| (x.pattern.as_str(), x.kind, x.suggestion.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "workmail:ListUser",
                ProblemKind::UnknownAction,
                Some("workmail:ListUsers")
            ),
            ("workmail:Nope*", ProblemKind::UnknownAction, None),
            ("workmail", ProblemKind::MalformedAction, None),
            (
                "workmailmessageflow:GetRawMessageContents",
                ProblemKind::UnknownAction,
                Some("workmailmessageflow:GetRawMessageContent")
            ),
        ]
    );
    assert_eq!(p.problems[0].sid.as_deref(), Some("S"));
}

#[test]
fn resource_scope_and_service_applicability() {
    let p = compile(
        r#"{"Statement":[
          {"Effect":"Allow","Action":"*","Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/t"},
          {"Effect":"Allow","Action":"workmail:*","Resource":"arn:aws:workmail:us-east-1:111122223333:organization/m-123"},
          {"Effect":"Allow","Action":"workmail:*","NotResource":"arn:aws:workmail:*:*:organization/m-123"},
          {"Effect":"Allow","Action":"workmail:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}
        ]}"#,
    );
    let c = Catalog::builtin();
    assert!(
        p.statements[0].actions.is_clear(),
        "a DynamoDB ARN grants no cataloged action"
    );
    // The 122 that act on an organization: the 4 that take no resource
    // (ListOrganizations, CreateOrganization, ...) need "Resource": "*".
    assert_eq!(p.statements[1].actions.count_ones(..), 122);
    assert!(
        !p.statements[1]
            .actions
            .contains(c.lookup("workmail:ListOrganizations").unwrap())
    );
    assert!(
        p.statements[1].every_resource().is_clear(),
        "one organization of many"
    );
    assert_eq!(
        p.statements[1].resources,
        ResourceScope::Only(vec![
            "arn:aws:workmail:us-east-1:111122223333:organization/m-123".into()
        ])
    );
    assert!(matches!(
        p.statements[2].resources,
        ResourceScope::AllExcept(_)
    ));
    // The NotResource excludes one organization, not "*": the actions that
    // take no resource are granted on every resource they can act on.
    assert!(
        p.statements[2]
            .every_resource()
            .contains(c.lookup("workmail:ListOrganizations").unwrap())
    );
    assert!(
        !p.statements[2]
            .every_resource()
            .contains(c.lookup("workmail:ResetPassword").unwrap())
    );
    assert!(p.statements[3].conditional && !p.statements[3].is_unrestricted());
    assert!(
        p.statements[3]
            .actions
            .contains(c.lookup("workmail:ListUsers").unwrap())
    );
}

#[test]
fn identity_statement_without_resource_is_an_error() {
    let mut c = Compiler::new(Catalog::builtin());
    let d = parse(r#"{"Statement":[{"Effect":"Allow","Action":"*"}]}"#).unwrap();
    let err = c.compile(d).unwrap_err().to_string();
    assert!(
        err.contains("/Statement/0") && err.contains("Resource"),
        "{err}"
    );
}

#[test]
fn cross_service_resource_types_count() {
    // sts:AssumeRole acts on IAM role ARNs; iam:PassRole too; an S3 ARN grants neither.
    let c = Catalog::builtin();
    let p = compile(
        r#"{"Statement":[
          {"Effect":"Allow","Action":["sts:AssumeRole","iam:PassRole","workmail:ListUsers"],"Resource":"arn:aws:iam::*:role/wmaudit-*"},
          {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:s3:::bucket"}
        ]}"#,
    );
    assert_eq!(
        Catalog::builtin().names(&p.statements[0].actions),
        vec!["iam:PassRole", "sts:AssumeRole"]
    );
    assert!(
        !p.statements[1]
            .actions
            .contains(c.lookup("sts:AssumeRole").unwrap())
    );
}

/// A service prefix that only looks like one is flagged with the service
/// it imitates (issue #16 item 8): IAM matches nothing, so a Deny written
/// this way silently does nothing.
#[test]
fn lookalike_service_prefixes_are_flagged() {
    let doc = r#"{"Statement":[{"Effect":"Deny","Action":[" workmail:*","workm\u0430il:DeleteOrganization","work\u200bmail:ResetPassword","s3x:GetObject"],"Resource":"*"}]}"#;
    let p = compile(doc);
    let got: Vec<(&str, ProblemKind, Option<&str>)> = p
        .problems
        .iter()
        .map(|x| (x.pattern.as_str(), x.kind, x.suggestion.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (
                " workmail:*",
                ProblemKind::LookalikeService,
                Some("workmail:*")
            ),
            (
                "workm\u{430}il:DeleteOrganization",
                ProblemKind::LookalikeService,
                Some("workmail:DeleteOrganization")
            ),
            (
                "work\u{200b}mail:ResetPassword",
                ProblemKind::LookalikeService,
                Some("workmail:ResetPassword")
            ),
        ]
    );
    assert!(p.statements[0].actions.is_clear(), "IAM matches nothing");
}
