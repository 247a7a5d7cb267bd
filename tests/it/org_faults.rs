//! The organization scan where moto is kinder than AWS (aws-smithy-mocks):
//! AWS pages ListAccounts by 20 (moto by 100), refuses AssumeRole into a
//! role that does not trust the caller (moto lets anyone in), and may refuse
//! a ListPoliciesForTarget. The accounts affected are *not evaluated*, with
//! the reason; the others complete.

use aws_sdk_organizations::Client as Orgs;
use aws_sdk_organizations::operation::describe_organization::DescribeOrganizationOutput;
use aws_sdk_organizations::operation::describe_policy::DescribePolicyOutput;
use aws_sdk_organizations::operation::list_accounts::ListAccountsOutput;
use aws_sdk_organizations::operation::list_organizational_units_for_parent::ListOrganizationalUnitsForParentOutput;
use aws_sdk_organizations::operation::list_parents::ListParentsOutput;
use aws_sdk_organizations::operation::list_policies_for_target::ListPoliciesForTargetOutput;
use aws_sdk_organizations::operation::list_roots::ListRootsOutput;
use aws_sdk_organizations::types::{
    Account, AccountStatus, Organization, OrganizationalUnit, Parent, ParentType, Policy,
    PolicySummary, PolicyType, PolicyTypeStatus, PolicyTypeSummary, Root,
};
use aws_sdk_sts::Client as Sts;
use aws_smithy_mocks::{RuleMode, create_mock_http_client, mock};

use crate::mock_aws::{
    ACCT, STS_NS, clients, creds, error, fast, happy_iam_rules, interceptor, ok, opts,
};
use wmaudit_aws::organization::{OrgClients, OrgOptions, collect_organization_with};

const MANAGEMENT: &str = "999988887777";
/// Its role does not trust the management account: AWS says AccessDenied.
const DENIED: &str = "222233334444";
/// Credentials that act in another account than the one asked for.
const ELSEWHERE: &str = "333344445555";
const DENY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"workmail:StartMailboxExportJob","Resource":"*"}]}"#;

fn account(id: &str) -> Account {
    Account::builder()
        .id(id)
        .name(format!("acct-{id}"))
        .status(AccountStatus::Active)
        .build()
}

/// 45 filler accounts, then the three of the test: three pages of 20.
fn all_accounts() -> Vec<Account> {
    let mut all: Vec<Account> = (0..45)
        .map(|i| account(&format!("1000000000{i:02}")))
        .collect();
    all.extend([account(ACCT), account(DENIED), account(ELSEWHERE)]);
    all
}

fn org_rules(deny_ou_listing: bool) -> Vec<aws_smithy_mocks::Rule> {
    let page = |n: usize| {
        let all = all_accounts();
        let chunk: Vec<Account> = all.iter().skip(n * 20).take(20).cloned().collect();
        let next = ((n + 1) * 20 < all.len()).then(|| format!("page-{}", n + 1));
        ListAccountsOutput::builder()
            .set_accounts(Some(chunk))
            .set_next_token(next)
            .build()
    };
    let mut rules = vec![
        mock!(Orgs::describe_organization).then_output(|| {
            DescribeOrganizationOutput::builder()
                .organization(
                    Organization::builder()
                        .id("o-example1234")
                        .arn(format!(
                            "arn:aws:organizations::{MANAGEMENT}:organization/o-example1234"
                        ))
                        .master_account_id(MANAGEMENT)
                        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
                        .build(),
                )
                .build()
        }),
        mock!(Orgs::list_roots).then_output(|| {
            ListRootsOutput::builder()
                .roots(
                    Root::builder()
                        .id("r-root")
                        .name("Root")
                        .policy_types(
                            PolicyTypeSummary::builder()
                                .r#type(PolicyType::ServiceControlPolicy)
                                .status(PolicyTypeStatus::Enabled)
                                .build(),
                        )
                        .build(),
                )
                .build()
        }),
        mock!(Orgs::list_organizational_units_for_parent)
            .match_requests(|r| r.parent_id() == Some("r-root"))
            .then_output(|| {
                ListOrganizationalUnitsForParentOutput::builder()
                    .organizational_units(
                        OrganizationalUnit::builder()
                            .id("ou-mail")
                            .name("Mail")
                            .build(),
                    )
                    .build()
            }),
        mock!(Orgs::list_organizational_units_for_parent)
            .then_output(|| ListOrganizationalUnitsForParentOutput::builder().build()),
    ];
    for n in 0..3 {
        let token = (n > 0).then(|| format!("page-{n}"));
        rules.push(
            mock!(Orgs::list_accounts)
                .match_requests(move |r| r.next_token().map(str::to_owned) == token)
                .then_output(move || page(n)),
        );
    }
    rules.extend([
        mock!(Orgs::list_parents)
            .match_requests(|r| r.child_id() == Some(ACCT))
            .then_output(|| {
                ListParentsOutput::builder()
                    .parents(
                        Parent::builder()
                            .id("ou-mail")
                            .r#type(ParentType::OrganizationalUnit)
                            .build(),
                    )
                    .build()
            }),
        mock!(Orgs::list_parents).then_output(|| {
            ListParentsOutput::builder()
                .parents(
                    Parent::builder()
                        .id("r-root")
                        .r#type(ParentType::Root)
                        .build(),
                )
                .build()
        }),
    ]);
    if deny_ou_listing {
        rules.push(
            mock!(Orgs::list_policies_for_target)
                .match_requests(|r| r.target_id() == Some("ou-mail"))
                .then_http_response(|| {
                    crate::mock_aws::http(
                        400,
                        r#"{"__type":"AccessDeniedException","Message":"You don't have permissions to access this resource."}"#.into(),
                    )
                }),
        );
    }
    let summary = |id: &str, name: &str, aws: bool| {
        PolicySummary::builder()
            .id(id)
            .name(name)
            .r#type(PolicyType::ServiceControlPolicy)
            .aws_managed(aws)
            .build()
    };
    rules.extend([
        mock!(Orgs::list_policies_for_target)
            .match_requests(|r| r.target_id() == Some("ou-mail"))
            .then_output(move || {
                ListPoliciesForTargetOutput::builder()
                    .policies(summary("p-FullAWSAccess", "FullAWSAccess", true))
                    .policies(summary("p-denyexport1", "DenyMailExport", false))
                    .build()
            }),
        mock!(Orgs::list_policies_for_target).then_output(move || {
            ListPoliciesForTargetOutput::builder()
                .policies(summary("p-FullAWSAccess", "FullAWSAccess", true))
                .build()
        }),
        mock!(Orgs::describe_policy)
            .match_requests(|r| r.policy_id() == Some("p-denyexport1"))
            .then_output(move || {
                DescribePolicyOutput::builder()
                    .policy(
                        Policy::builder()
                            .policy_summary(summary("p-denyexport1", "DenyMailExport", false))
                            .content(DENY)
                            .build(),
                    )
                    .build()
            }),
        mock!(Orgs::describe_policy).then_output(move || {
            DescribePolicyOutput::builder()
                .policy(
                    Policy::builder()
                        .policy_summary(summary("p-FullAWSAccess", "FullAWSAccess", true))
                        .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
                        .build(),
                )
                .build()
        }),
    ]);
    rules
}

fn assume_rules() -> Vec<aws_smithy_mocks::Rule> {
    vec![
        mock!(Sts::assume_role)
            .match_requests(|r| r.role_arn().is_some_and(|a| a.contains(DENIED)))
            .then_http_response(|| {
                error(
                    403,
                    "AccessDenied",
                    &format!("User: arn:aws:iam::{MANAGEMENT}:user/auditor is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{DENIED}:role/wmaudit-auditor"),
                )
            }),
        mock!(Sts::assume_role).then_http_response(|| {
            ok(
                STS_NS,
                "AssumeRole",
                "<Credentials><AccessKeyId>ASIAEXAMPLEMEMBER001</AccessKeyId><SecretAccessKey>member-secret</SecretAccessKey><SessionToken>member-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:wmaudit</AssumedRoleId><Arn>arn:aws:sts::111122223333:assumed-role/wmaudit-auditor/wmaudit</Arn></AssumedRoleUser>",
            )
        }),
    ]
}

async fn collect(deny_ou_listing: bool) -> wmaudit_aws::organization::OrgCollection {
    let tuning = fast();
    let mgmt = clients(&[], &assume_rules(), RuleMode::MatchAny, &tuning);
    let log = mgmt.log().clone();
    let orgs_conf = aws_sdk_organizations::Config::builder()
        .region(aws_sdk_organizations::config::Region::new("us-east-1"))
        .credentials_provider(creds())
        .http_client(create_mock_http_client())
        .interceptor(interceptor(&org_rules(deny_ou_listing), RuleMode::MatchAny));
    let org = OrgClients {
        organizations: wmaudit_aws::Clients::organizations(orgs_conf, &tuning, &log),
        sts: mgmt.sts().clone(),
        log,
    };
    let sel = OrgOptions {
        member_role: "wmaudit-auditor".into(),
        accounts: vec![ACCT.into(), DENIED.into(), ELSEWHERE.into()],
        exclude_accounts: vec![],
    };
    let mut o = opts();
    o.workmail = false;
    // Every member answers as the happy account 111122223333.
    let enter = move |_| {
        let sts = vec![mock!(Sts::get_caller_identity).then_http_response(|| {
            ok(
                STS_NS,
                "GetCallerIdentity",
                &format!("<Arn>arn:aws:sts::{ACCT}:assumed-role/wmaudit-auditor/wmaudit</Arn><UserId>AROAEXAMPLE:wmaudit</UserId><Account>{ACCT}</Account>"),
            )
        })];
        clients(&happy_iam_rules(), &sts, RuleMode::MatchAny, &fast())
    };
    collect_organization_with(&org, &sel, &o, MANAGEMENT, enter)
        .await
        .unwrap()
}

#[tokio::test]
async fn pages_of_twenty_a_refused_role_and_a_wrong_account() {
    let c = collect(false).await;
    let org = &c.organization;
    // Every page followed: the three selected accounts are on the third.
    assert_eq!(org.api_calls["organizations:ListAccounts"], 3);
    assert_eq!(org.accounts.len(), 3);
    // Each policy described once, though FullAWSAccess is on every target.
    assert_eq!(org.api_calls["organizations:DescribePolicy"], 2);
    assert_eq!(org.api_calls["sts:AssumeRole"], 3);
    assert_eq!(c.snapshots.len(), 1);
    assert_eq!(c.snapshots[0].account_id().as_deref(), Some(ACCT));
    let gaps: Vec<(&str, &str)> = org
        .not_collected
        .iter()
        .map(|g| (g.account_id.as_str(), g.reason.as_str()))
        .collect();
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    assert_eq!(gaps[0].0, DENIED);
    assert!(
        gaps[0].1.starts_with(&format!(
            "cannot assume arn:aws:iam::{DENIED}:role/wmaudit-auditor: sts:AssumeRole: AccessDenied: "
        )),
        "{}",
        gaps[0].1
    );
    assert_eq!(gaps[1].0, ELSEWHERE);
    assert!(
        gaps[1]
            .1
            .contains(&format!("act in account {ACCT}, not {ELSEWHERE}")),
        "{}",
        gaps[1].1
    );
    assert_eq!(org.account(ACCT).unwrap().parent_id, "ou-mail");

    // Scanned: the collected account under the OU's Deny, the other two not
    // evaluated, and the run incomplete (exit 3).
    let rules = wmaudit_core::rules::RuleSet::builtin().unwrap();
    let config = wmaudit_core::config::Config::default();
    let mut opts = wmaudit_core::scan::ScanOptions::new(&rules, &config);
    opts.organization = Some(org);
    opts.fail_on = None;
    let reports: Vec<_> = c
        .snapshots
        .iter()
        .map(|s| wmaudit_core::scan::scan(s, &opts))
        .collect();
    let set = wmaudit_core::report::ReportSet {
        reports: &reports,
        organization: Some(org),
        allow_incomplete: false,
    };
    assert_eq!(set.verdict().exit_code(), 3);
    let missing: Vec<&str> = set.missing().iter().map(|m| m.account_id).collect();
    assert_eq!(missing, [DENIED, ELSEWHERE]);
    let o = reports[0].organization.as_ref().unwrap();
    assert_eq!(o.ou_path, "Root/Mail");
    assert!(
        o.scps
            .iter()
            .any(|s| s.starts_with("p-denyexport1 (DenyMailExport) at OU Mail")),
        "{:?}",
        o.scps
    );
}

/// An OU whose policies cannot be listed: the accounts under it are scanned,
/// but incomplete, saying which list was not read.
#[tokio::test]
async fn an_unreadable_policy_list_makes_the_accounts_under_it_incomplete() {
    let c = collect(true).await;
    let ou = c.organization.node("ou-mail").unwrap();
    assert_eq!(ou.attached.service_control_policies, None);
    assert!(
        ou.attached.not_read[0].contains("AccessDeniedException"),
        "{:?}",
        ou.attached.not_read
    );
    let rules = wmaudit_core::rules::RuleSet::builtin().unwrap();
    let config = wmaudit_core::config::Config::default();
    let mut opts = wmaudit_core::scan::ScanOptions::new(&rules, &config);
    opts.organization = Some(&c.organization);
    opts.fail_on = None;
    let r = wmaudit_core::scan::scan(&c.snapshots[0], &opts);
    let gap = r
        .coverage
        .not_collected
        .iter()
        .find(|g| g.part == wmaudit_core::snapshot::Part::OrganizationPolicies)
        .expect("a gap for the control policies");
    assert!(
        gap.reason.contains("OU Mail (ou-mail) could not be listed"),
        "{}",
        gap.reason
    );
    assert_eq!(r.gate.verdict, wmaudit_core::findings::Verdict::Incomplete);
}
