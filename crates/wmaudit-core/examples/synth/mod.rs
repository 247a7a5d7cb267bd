//! A deterministic synthetic AWS account for benchmarks and manual testing.
//!
//! One seed gives one account, byte for byte: every random choice comes from a
//! seeded ChaCha8 stream, and the only other input is wmaudit's embedded data
//! (catalog and AWS managed policies). The account is generated once as a
//! [`wmaudit_core::account::Account`] (what the engine reads) and rendered from that
//! into the AWS CLI's formats, so the in-memory and on-disk forms agree by
//! construction.
//!
//! Shared by `examples/synth_account.rs` and `benches/engine.rs` (included
//! with `#[path]`), so each user compiles only the part it needs.
// The example and the bench each use a different subset of this module.
#![allow(dead_code)]

use std::collections::HashMap;
use std::fmt::Write as _;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use wmaudit_core::account::{
    Account, Group, InlinePolicy, ManagedPolicy, PolicyAttachment, Role, Tag, User,
};
use wmaudit_core::catalog::{Catalog, builtin_managed_policies};

pub const ACCOUNT_ID: &str = "111122223333";
const REGIONS: &[&str] = &["us-east-1", "us-west-2", "eu-west-1"];
/// "Now" for every generated date, so output does not depend on the clock.
const NOW_UNIX: i64 = 1_790_812_800; // 2026-10-01T00:00:00Z
const DAY: i64 = 86_400;

/// AWS managed policies the generator attaches, with per-user probabilities.
const AWS_ATTACH: &[(&str, f64)] = &[
    ("AmazonWorkMailFullAccess", 0.02),
    ("AmazonWorkMailReadOnlyAccess", 0.04),
    ("AmazonWorkMailMessageFlowReadOnlyAccess", 0.01),
    ("AdministratorAccess", 0.005),
    ("ReadOnlyAccess", 0.03),
];

/// How documents appear in the output: JSON objects as the AWS CLI prints
/// them, or URL-encoded strings as the IAM API returns them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocEncoding {
    Json,
    UrlEncoded,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub users: usize,
    pub groups: usize,
    /// Customer-managed policies.
    pub policies: usize,
    pub roles: usize,
    pub seed: u64,
    pub encoding: DocEncoding,
}

impl Config {
    /// The standard mix: N/20 groups, N/5 customer-managed policies, N/50 roles.
    pub fn new(users: usize, seed: u64) -> Self {
        Config {
            users,
            groups: (users / 20).max(1),
            policies: (users / 5).max(1),
            roles: (users / 50).max(1),
            seed,
            encoding: DocEncoding::Json,
        }
    }
}

/// What the CLI shows of a managed policy beyond [`ManagedPolicy`].
#[derive(Debug, Clone)]
struct PolicyMeta {
    create_date: String,
    /// Older, non-default versions: (version id, document, create date).
    old_versions: Vec<(String, Value, String)>,
}

/// One user's credential report columns.
#[derive(Debug, Clone)]
struct Credentials {
    password: Option<Password>,
    mfa: bool,
    keys: [Option<AccessKey>; 2],
    cert: Option<String>,
}

#[derive(Debug, Clone)]
struct Password {
    last_used: Option<String>,
    last_changed: String,
    next_rotation: Option<String>,
}

#[derive(Debug, Clone)]
struct AccessKey {
    active: bool,
    last_rotated: String,
    /// (date, region, service)
    last_used: Option<(String, String, String)>,
}

pub struct Synthetic {
    pub account: Account,
    /// Parallel to `account.policies`.
    meta: Vec<PolicyMeta>,
    /// Parallel to `account.users`.
    creds: Vec<Credentials>,
    /// Parallel to `account.roles`: RoleLastUsed's region.
    role_regions: Vec<Option<String>>,
    root_created: String,
    encoding: DocEncoding,
}

/// Counts of what was generated, for logs and benchmark reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shape {
    pub users: usize,
    pub groups: usize,
    pub roles: usize,
    pub customer_policies: usize,
    pub aws_policies: usize,
    pub inline_policies: usize,
    pub attachments: usize,
    pub boundaries: usize,
}

impl Synthetic {
    pub fn shape(&self) -> Shape {
        let a = &self.account;
        let aws = a.policies.iter().filter(|p| p.is_aws_managed()).count();
        Shape {
            users: a.users.len(),
            groups: a.groups.len(),
            roles: a.roles.len(),
            customer_policies: a.policies.len() - aws,
            aws_policies: aws,
            inline_policies: a
                .users
                .iter()
                .map(|u| u.inline_policies.len())
                .sum::<usize>()
                + a.groups
                    .iter()
                    .map(|g| g.inline_policies.len())
                    .sum::<usize>()
                + a.roles
                    .iter()
                    .map(|r| r.inline_policies.len())
                    .sum::<usize>(),
            attachments: a
                .users
                .iter()
                .map(|u| u.attached_policies.len())
                .sum::<usize>()
                + a.groups
                    .iter()
                    .map(|g| g.attached_policies.len())
                    .sum::<usize>()
                + a.roles
                    .iter()
                    .map(|r| r.attached_policies.len())
                    .sum::<usize>(),
            boundaries: a
                .users
                .iter()
                .filter(|u| u.permissions_boundary.is_some())
                .count()
                + a.roles
                    .iter()
                    .filter(|r| r.permissions_boundary.is_some())
                    .count(),
        }
    }
}

/// Builds the account in memory.
pub fn generate(cfg: &Config) -> Synthetic {
    Gen::new(cfg).run()
}

struct Gen<'a> {
    cfg: &'a Config,
    rng: ChaCha8Rng,
    catalog: &'static Catalog,
    /// Catalog action names by kind, for realistic random statements.
    workmail_reads: Vec<&'static str>,
    workmail_writes: Vec<&'static str>,
    other_actions: Vec<&'static str>,
    org_arns: Vec<String>,
}

impl<'a> Gen<'a> {
    fn new(cfg: &'a Config) -> Self {
        let catalog = Catalog::builtin();
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let (mut workmail_reads, mut workmail_writes, mut other_actions) =
            (Vec::new(), Vec::new(), Vec::new());
        for a in catalog.actions() {
            let name = a.full_name;
            if name.starts_with("workmail:") {
                if a.access_level.is_mutating() {
                    workmail_writes.push(name);
                } else {
                    workmail_reads.push(name);
                }
            } else if !name.starts_with("workmailmessageflow:") {
                // Message flow (reading mail in transit) appears only where a
                // template names it, never by chance.
                other_actions.push(name);
            }
        }
        // A few WorkMail organizations that scoped statements name.
        let org_arns = (0..3)
            .map(|i| {
                format!(
                    "arn:aws:workmail:{}:{ACCOUNT_ID}:organization/m-{}",
                    REGIONS[i % REGIONS.len()],
                    hex(&mut rng, 32)
                )
            })
            .collect();
        Gen {
            cfg,
            rng,
            catalog,
            workmail_reads,
            workmail_writes,
            other_actions,
            org_arns,
        }
    }

    fn run(mut self) -> Synthetic {
        let enc = self.cfg.encoding;
        let root_created = self.date_between(3000, 4000);

        // Customer-managed policies. The first ~2% are permission boundaries.
        let n_boundaries = (self.cfg.policies / 50).max(1).min(self.cfg.policies);
        let mut policies = Vec::with_capacity(self.cfg.policies + AWS_ATTACH.len() + 3);
        let mut meta = Vec::with_capacity(policies.capacity());
        for i in 0..self.cfg.policies {
            let (name, doc) = if i < n_boundaries {
                (format!("Boundary-{i:04}"), self.boundary_document())
            } else {
                let kind = self.pick_kind(false);
                (format!("{}-{i:05}", kind.label()), self.document(kind))
            };
            let path = ["/", "/", "/workmail/", "/team/platform/"][self.rng.random_range(0..4)];
            let created = self.date_between(30, 2500);
            let n_versions = [1, 1, 1, 2, 3][self.rng.random_range(0..5)];
            let old_versions = (1..n_versions)
                .map(|v| {
                    let kind = self.pick_kind(false);
                    let d = self.document(kind);
                    (format!("v{v}"), encode(d, enc), created.clone())
                })
                .collect();
            policies.push(ManagedPolicy {
                arn: format!("arn:aws:iam::{ACCOUNT_ID}:policy{path}{name}"),
                name,
                id: format!("ANPA{}", self.aws_id()),
                path: path.into(),
                default_version_id: Some(format!("v{n_versions}")),
                attachment_count: Some(0),
                permissions_boundary_usage_count: Some(0),
                update_date: Some(self.date_between(1, 30)),
                document: Some(encode(doc, enc)),
                other_versions: vec![],
            });
            meta.push(PolicyMeta {
                create_date: created,
                old_versions,
            });
        }
        let customer_arns: Vec<String> = policies.iter().map(|p| p.arn.clone()).collect();
        let (boundary_arns, attachable_arns) = customer_arns.split_at(n_boundaries);
        let boundary_arns = boundary_arns.to_vec();
        let attachable_arns = if attachable_arns.is_empty() {
            boundary_arns.clone()
        } else {
            attachable_arns.to_vec()
        };

        let aws_arn = |name: &str| {
            builtin_managed_policies()
                .by_name(name)
                .unwrap_or_else(|| panic!("{name} is embedded"))
                .arn
                .clone()
        };

        // Groups.
        let mut groups = Vec::with_capacity(self.cfg.groups);
        for i in 0..self.cfg.groups {
            let name = format!("grp-{i:04}");
            let path = if i % 7 == 0 { "/departments/" } else { "/" };
            let mut attached = Vec::new();
            for _ in 0..self.rng.random_range(1..=3) {
                attached.push(self.skewed(&attachable_arns).clone());
            }
            if self.rng.random_bool(0.25) {
                let (n, _) = *AWS_ATTACH.choose(&mut self.rng).expect("non-empty");
                attached.push(aws_arn(n));
            }
            let inline = self.inline_policies(0.2, 1);
            groups.push(Group {
                arn: format!("arn:aws:iam::{ACCOUNT_ID}:group{path}{name}"),
                name,
                id: format!("AGPA{}", self.aws_id()),
                path: path.into(),
                create_date: Some(self.date_between(100, 3000)),
                inline_policies: inline,
                attached_policies: attachments(attached),
            });
        }

        // Users.
        let mut users = Vec::with_capacity(self.cfg.users);
        let mut creds = Vec::with_capacity(self.cfg.users);
        for i in 0..self.cfg.users {
            let name = format!("user-{i:05}");
            let path = if i % 11 == 0 { "/contractors/" } else { "/" };
            let mut member_of = Vec::new();
            let n_groups = [0, 1, 1, 1, 2, 2, 3][self.rng.random_range(0..7)];
            for _ in 0..n_groups {
                let g = self.skewed(&groups).name.clone();
                if !member_of.contains(&g) {
                    member_of.push(g);
                }
            }
            let mut attached = Vec::new();
            if self.rng.random_bool(0.4) {
                for _ in 0..self.rng.random_range(1..=3) {
                    attached.push(self.skewed(&attachable_arns).clone());
                }
            }
            for &(n, p) in AWS_ATTACH {
                if self.rng.random_bool(p) {
                    attached.push(aws_arn(n));
                }
            }
            let boundary = match self.rng.random_range(0..100) {
                0..8 => Some(self.skewed(&boundary_arns).clone()),
                8 => Some(aws_arn("PowerUserAccess")),
                _ => None,
            };
            let tags = if self.rng.random_bool(0.3) {
                vec![
                    tag("Department", ["Sales", "IT", "Legal", "Ops"][i % 4]),
                    tag("CostCenter", &format!("{}", 1000 + i % 37)),
                ]
            } else {
                vec![]
            };
            let created = self.date_between(1, 3000);
            creds.push(self.credentials(&created));
            users.push(User {
                arn: format!("arn:aws:iam::{ACCOUNT_ID}:user{path}{name}"),
                name,
                id: format!("AIDA{}", self.aws_id()),
                path: path.into(),
                create_date: Some(created),
                groups: member_of,
                inline_policies: self.inline_policies(0.15, 2),
                attached_policies: attachments(attached),
                permissions_boundary: boundary,
                tags,
            });
        }

        // Roles, starting with WorkMail's service-linked role.
        let mut roles = Vec::with_capacity(self.cfg.roles + 1);
        let mut role_regions = Vec::with_capacity(self.cfg.roles + 1);
        let slr_created = self.date_between(500, 2000);
        roles.push(Role {
            name: "AWSServiceRoleForAmazonWorkMailEvents".into(),
            arn: format!(
                "arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/events.workmail.amazonaws.com/AWSServiceRoleForAmazonWorkMailEvents"
            ),
            id: format!("AROA{}", self.aws_id()),
            path: "/aws-service-role/events.workmail.amazonaws.com/".into(),
            create_date: Some(slr_created),
            assume_role_policy: Some(encode(
                trust_service("events.workmail.amazonaws.com"),
                enc,
            )),
            inline_policies: vec![],
            attached_policies: attachments(vec![aws_arn("AmazonWorkMailEventsServiceRolePolicy")]),
            permissions_boundary: None,
            last_used: None,
            tags: vec![],
            instance_profiles: vec![],
        });
        role_regions.push(None);
        for i in 0..self.cfg.roles {
            let name = format!("role-{i:04}");
            let trust = match self.rng.random_range(0..5) {
                0 => trust_service("lambda.amazonaws.com"),
                1 => trust_service("ec2.amazonaws.com"),
                2 => json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                    "Principal":{"AWS":format!("arn:aws:iam::{}:root", 444455556666u64 + i as u64)},
                    "Action":"sts:AssumeRole",
                    "Condition":{"StringEquals":{"sts:ExternalId":hex(&mut self.rng, 12)}}}]}),
                3 => json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                    "Principal":{"Federated":format!("arn:aws:iam::{ACCOUNT_ID}:saml-provider/corp-idp")},
                    "Action":"sts:AssumeRoleWithSAML",
                    "Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}),
                // Assumable from the account itself: escalation paths go here.
                _ => json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                    "Principal":{"AWS":format!("arn:aws:iam::{ACCOUNT_ID}:root")},
                    "Action":"sts:AssumeRole"}]}),
            };
            let mut attached = Vec::new();
            for _ in 0..self.rng.random_range(0..=2) {
                attached.push(self.skewed(&attachable_arns).clone());
            }
            if self.rng.random_bool(0.1) {
                let (n, _) = *AWS_ATTACH.choose(&mut self.rng).expect("non-empty");
                attached.push(aws_arn(n));
            }
            let boundary = self
                .rng
                .random_bool(0.1)
                .then(|| self.skewed(&boundary_arns).clone());
            let last_used = self.rng.random_bool(0.7).then(|| self.date_between(0, 400));
            role_regions.push(
                last_used
                    .as_ref()
                    .map(|_| REGIONS[self.rng.random_range(0..REGIONS.len())].to_owned()),
            );
            let created = self.date_between(30, 2500);
            roles.push(Role {
                arn: format!("arn:aws:iam::{ACCOUNT_ID}:role/{name}"),
                name,
                id: format!("AROA{}", self.aws_id()),
                path: "/".into(),
                create_date: Some(created),
                assume_role_policy: Some(encode(trust, enc)),
                inline_policies: self.inline_policies(0.3, 2),
                attached_policies: attachments(attached),
                permissions_boundary: boundary,
                last_used,
                tags: vec![],
                instance_profiles: vec![],
            });
        }

        // Attachment and boundary counts, then the AWS managed policies that
        // are in use (GetAccountAuthorizationDetails lists only those).
        let mut attach_count: HashMap<&str, u64> = HashMap::new();
        let mut boundary_count: HashMap<&str, u64> = HashMap::new();
        for arn in users
            .iter()
            .flat_map(|u| &u.attached_policies)
            .chain(groups.iter().flat_map(|g| &g.attached_policies))
            .chain(roles.iter().flat_map(|r| &r.attached_policies))
            .map(|a| a.arn.as_str())
        {
            *attach_count.entry(arn).or_default() += 1;
        }
        for arn in users
            .iter()
            .filter_map(|u| u.permissions_boundary.as_deref())
            .chain(
                roles
                    .iter()
                    .filter_map(|r| r.permissions_boundary.as_deref()),
            )
        {
            *boundary_count.entry(arn).or_default() += 1;
        }
        for p in &mut policies {
            p.attachment_count = Some(attach_count.get(p.arn.as_str()).copied().unwrap_or(0));
            p.permissions_boundary_usage_count =
                Some(boundary_count.get(p.arn.as_str()).copied().unwrap_or(0));
        }
        for b in &builtin_managed_policies().policies {
            let attached = attach_count.get(b.arn.as_str()).copied().unwrap_or(0);
            let bounding = boundary_count.get(b.arn.as_str()).copied().unwrap_or(0);
            if attached + bounding == 0 {
                continue;
            }
            let update = b.update_date.replace('Z', "+00:00");
            policies.push(ManagedPolicy {
                name: b.name.clone(),
                arn: b.arn.clone(),
                id: format!("ANPA{}", stable_id(&b.arn)),
                path: b.path.clone(),
                default_version_id: Some(b.version_id.clone()),
                attachment_count: Some(attached),
                permissions_boundary_usage_count: Some(bounding),
                update_date: Some(update.clone()),
                document: Some(encode(b.document.clone(), enc)),
                other_versions: vec![],
            });
            meta.push(PolicyMeta {
                // Most AWS managed policies date from IAM's launch of managed
                // policies; a v1 policy was created when it was last updated.
                create_date: if b.version_id == "v1" {
                    update
                } else {
                    "2015-02-06T18:39:46+00:00".into()
                },
                old_versions: vec![],
            });
        }

        Synthetic {
            account: Account {
                users,
                groups,
                roles,
                policies,
            },
            meta,
            creds,
            role_regions,
            root_created,
            encoding: enc,
        }
    }

    /// Index skewed towards the front, so a few policies/groups are popular.
    fn skewed<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        let x: f64 = self.rng.random();
        &items[((x * x) * items.len() as f64) as usize]
    }

    fn aws_id(&mut self) -> String {
        const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        (0..17)
            .map(|_| ALPHA[self.rng.random_range(0..ALPHA.len())] as char)
            .collect()
    }

    /// A date `lo..=hi` days before "now", in the CLI's format.
    fn date_between(&mut self, lo: i64, hi: i64) -> String {
        let secs = self.rng.random_range(lo * DAY..=hi * DAY);
        cli_date(NOW_UNIX - secs)
    }

    fn inline_policies(&mut self, p: f64, max: usize) -> Vec<InlinePolicy> {
        if !self.rng.random_bool(p) {
            return vec![];
        }
        (0..self.rng.random_range(1..=max))
            .map(|i| {
                let kind = self.pick_kind(true);
                let doc = self.document(kind);
                InlinePolicy {
                    name: format!("inline-{}-{i}", kind.label()),
                    document: encode(doc, self.cfg.encoding),
                }
            })
            .collect()
    }

    fn pick_kind(&mut self, inline: bool) -> Kind {
        // Weights in percent. Inline policies lean to small, specific grants.
        let table: &[(Kind, u32)] = if inline {
            &[
                (Kind::ReadOnlyWorkMail, 15),
                (Kind::ScopedWrite, 20),
                (Kind::WorkMailAll, 4),
                (Kind::Admin, 1),
                (Kind::NotActionAllow, 2),
                (Kind::DenySensitive, 10),
                (Kind::Conditional, 8),
                (Kind::Unrelated, 28),
                (Kind::RandomMix, 10),
                (Kind::Escalation, 2),
            ]
        } else {
            &[
                (Kind::ReadOnlyWorkMail, 12),
                (Kind::ScopedWrite, 15),
                (Kind::WorkMailAll, 5),
                (Kind::Admin, 1),
                (Kind::NotActionAllow, 3),
                (Kind::DenySensitive, 8),
                (Kind::Conditional, 8),
                (Kind::Unrelated, 33),
                (Kind::RandomMix, 13),
                (Kind::Escalation, 2),
            ]
        };
        let total: u32 = table.iter().map(|(_, w)| w).sum();
        let mut x = self.rng.random_range(0..total);
        for &(k, w) in table {
            if x < w {
                return k;
            }
            x -= w;
        }
        unreachable!("weights cover the range")
    }

    fn sid(&mut self, base: &str) -> Option<String> {
        self.rng
            .random_bool(0.6)
            .then(|| format!("{base}{}", self.rng.random_range(1..100)))
    }

    fn document(&mut self, kind: Kind) -> Value {
        let mut statements = Vec::new();
        match kind {
            Kind::ReadOnlyWorkMail => {
                let patterns: &[&str] = &[
                    "workmail:Describe*",
                    "workmail:Get*",
                    "workmail:List*",
                    "workmail:Search*",
                    "ses:Describe*",
                    "ses:Get*",
                ];
                let mut actions = some(&mut self.rng, patterns, 2, patterns.len());
                if self.rng.random_bool(0.3) {
                    actions.extend(some(&mut self.rng, &self.workmail_reads, 1, 4));
                }
                statements.push(statement(self.sid("WorkMailRead"), "Allow", actions, "*"));
            }
            Kind::ScopedWrite => {
                let org = self.org_arns.choose(&mut self.rng).expect("orgs").clone();
                let writes = some(&mut self.rng, &self.workmail_writes, 2, 8);
                statements.push(statement(
                    self.sid("WorkMailAdmin"),
                    "Allow",
                    writes,
                    Value::String(org.clone()),
                ));
                if self.rng.random_bool(0.5) {
                    statements.push(statement(None, "Allow", vec!["workmail:List*"], "*"));
                }
                if self.rng.random_bool(0.2) {
                    // The same organization with a wildcard region.
                    let id = org.rsplit('/').next().expect("org id");
                    let wild = format!("arn:aws:workmail:*:{ACCOUNT_ID}:organization/{id}");
                    statements.push(statement(
                        None,
                        "Allow",
                        vec!["workmail:*Mailbox*"],
                        Value::String(wild),
                    ));
                }
            }
            Kind::WorkMailAll => {
                statements.push(statement(
                    self.sid("WorkMailFull"),
                    "Allow",
                    vec!["workmail:*"],
                    "*",
                ));
                if self.rng.random_bool(0.3) {
                    statements.push(statement(
                        None,
                        "Allow",
                        vec!["ses:*", "workmailmessageflow:*"],
                        "*",
                    ));
                }
            }
            Kind::Admin => statements.push(statement(None, "Allow", vec!["*"], "*")),
            Kind::NotActionAllow => {
                let mut st = json!({"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"});
                if self.rng.random_bool(0.3) {
                    st["NotAction"] = json!("iam:*");
                }
                statements.push(st);
                statements.push(statement(
                    None,
                    "Allow",
                    vec![
                        "iam:CreateServiceLinkedRole",
                        "iam:ListRoles",
                        "organizations:DescribeOrganization",
                    ],
                    "*",
                ));
            }
            Kind::DenySensitive => {
                let allow = some(&mut self.rng, &self.workmail_reads, 2, 6);
                statements.push(statement(None, "Allow", allow, "*"));
                if self.rng.random_bool(0.5) {
                    statements.push(statement(None, "Allow", vec!["workmail:*"], "*"));
                }
                let sensitive: &[&str] = &[
                    "workmail:StartMailboxExportJob",
                    "workmail:PutMailboxPermissions",
                    "workmail:AssumeImpersonationRole",
                    "workmail:CreateImpersonationRole",
                    "workmail:PutEmailMonitoringConfiguration",
                    "workmail:SetJournalingRules",
                    "workmail:ResetPassword",
                    "workmailmessageflow:GetRawMessageContent",
                ];
                let denied = some(&mut self.rng, sensitive, 1, 4);
                let mut deny = statement(self.sid("NoMailAccess"), "Deny", denied, "*");
                match self.rng.random_range(0..4) {
                    0 => {
                        deny["Condition"] =
                            json!({"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}})
                    }
                    1 => {
                        deny.as_object_mut().expect("object").remove("Resource");
                        deny["NotResource"] = json!(self.org_arns[0]);
                    }
                    _ => {}
                }
                statements.push(deny);
            }
            Kind::Conditional => {
                let actions = if self.rng.random_bool(0.5) {
                    vec!["workmail:*"]
                } else {
                    some(&mut self.rng, &self.workmail_writes, 1, 5)
                };
                let mut st = statement(self.sid("MfaOnly"), "Allow", actions, "*");
                st["Condition"] = match self.rng.random_range(0..3) {
                    0 => json!({"Bool":{"aws:MultiFactorAuthPresent":"true"}}),
                    1 => json!({"IpAddress":{"aws:SourceIp":["203.0.113.0/24","198.51.100.7/32"]}}),
                    _ => json!({"StringEquals":{"aws:RequestedRegion":REGIONS[0]},
                                "NumericLessThan":{"aws:MultiFactorAuthAge":3600}}),
                };
                statements.push(st);
            }
            Kind::Unrelated => {
                let mut actions = some(&mut self.rng, &self.other_actions, 3, 20);
                let extra: &[&str] = &[
                    "ec2:Describe*",
                    "logs:*",
                    "cloudwatch:Get*",
                    "lambda:List*",
                    "s3:GetObject",
                    "s3:PutObject",
                    "dynamodb:*",
                    "sqs:SendMessage",
                ];
                actions.extend(some(&mut self.rng, extra, 0, 3));
                let resource = if self.rng.random_bool(0.3) {
                    json!([
                        "arn:aws:s3:::corp-data-bucket/*",
                        format!("arn:aws:logs:*:{ACCOUNT_ID}:log-group:/app/*")
                    ])
                } else {
                    json!("*")
                };
                statements.push(statement(self.sid("App"), "Allow", actions, resource));
            }
            Kind::RandomMix => {
                for _ in 0..self.rng.random_range(1..=4) {
                    let mut actions = some(&mut self.rng, &self.other_actions, 0, 6);
                    actions.extend(some(&mut self.rng, &self.workmail_reads, 0, 3));
                    actions.extend(some(&mut self.rng, &self.workmail_writes, 0, 3));
                    let wild: &[&str] = &[
                        "workmail:*Mailbox*",
                        "workmail:Update*",
                        "ses:Send*",
                        "workmail:?etUser",
                        "iam:Get*",
                        "sts:AssumeRole",
                    ];
                    actions.extend(some(&mut self.rng, wild, 0, 2));
                    if self.rng.random_bool(0.05) {
                        // A typo, as people write them.
                        actions.push("workmail:ListUser");
                    }
                    if actions.is_empty() {
                        actions.push("workmail:ListOrganizations");
                    }
                    let effect = if self.rng.random_bool(0.15) {
                        "Deny"
                    } else {
                        "Allow"
                    };
                    statements.push(statement(self.sid("Mix"), effect, actions, "*"));
                }
            }
            Kind::Escalation => {
                let user_self = format!("arn:aws:iam::{ACCOUNT_ID}:user/${{aws:username}}");
                let (actions, resource): (Vec<&str>, Value) = match self.rng.random_range(0..5) {
                    0 => (
                        vec!["iam:CreateAccessKey", "iam:UpdateLoginProfile"],
                        json!(user_self),
                    ),
                    1 => (
                        vec!["sts:AssumeRole"],
                        json!(format!("arn:aws:iam::{ACCOUNT_ID}:role/role-00*")),
                    ),
                    2 => {
                        statements.push(statement(
                            None,
                            "Allow",
                            vec!["lambda:CreateFunction", "lambda:InvokeFunction"],
                            "*",
                        ));
                        (
                            vec!["iam:PassRole"],
                            json!(format!("arn:aws:iam::{ACCOUNT_ID}:role/role-*")),
                        )
                    }
                    3 => (vec!["iam:AttachUserPolicy"], json!(user_self)),
                    _ => (
                        vec!["iam:AddUserToGroup"],
                        json!(format!("arn:aws:iam::{ACCOUNT_ID}:group/*")),
                    ),
                };
                statements.push(statement(self.sid("Ops"), "Allow", actions, resource));
            }
        }
        json!({"Version": "2012-10-17", "Statement": statements})
    }

    fn boundary_document(&mut self) -> Value {
        match self.rng.random_range(0..3) {
            0 => json!({"Version":"2012-10-17","Statement":[
                {"Sid":"AllowAll","Effect":"Allow","Action":"*","Resource":"*"},
                {"Sid":"NoIam","Effect":"Deny","Action":["iam:*","organizations:*","sts:AssumeRole"],"Resource":"*"}]}),
            1 => json!({"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":["workmail:Describe*","workmail:Get*","workmail:List*","ses:*","logs:*","cloudwatch:*"],"Resource":"*"}]}),
            _ => json!({"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","NotAction":["iam:*","workmailmessageflow:*"],"Resource":"*"},
                {"Effect":"Deny","Action":["workmail:StartMailboxExportJob","workmail:PutMailboxPermissions"],"Resource":"*",
                 "Condition":{"StringNotEquals":{"aws:PrincipalTag/Department":"IT"}}}]}),
        }
    }

    fn credentials(&mut self, created: &str) -> Credentials {
        let age = days_before_now(created);
        let password = self.rng.random_bool(0.6).then(|| Password {
            last_used: match self.rng.random_range(0..10) {
                0 => None,
                _ => Some(self.date_between(0, age.min(400))),
            },
            last_changed: self.date_between(0, age),
            next_rotation: self
                .rng
                .random_bool(0.3)
                .then(|| cli_date(NOW_UNIX + self.rng.random_range(DAY..90 * DAY))),
        });
        let mfa = password.is_some() && self.rng.random_bool(0.7);
        let key = |p: f64, rng: &mut ChaCha8Rng| {
            if !rng.random_bool(p) {
                return None;
            }
            // Created (rotated) after the user, used after that.
            let rotated_ago = rng.random_range(0..=age * DAY);
            Some(AccessKey {
                active: rng.random_bool(0.85),
                last_rotated: cli_date(NOW_UNIX - rotated_ago),
                last_used: rng.random_bool(0.8).then(|| {
                    (
                        cli_date(NOW_UNIX - rng.random_range(0..=rotated_ago)),
                        REGIONS[rng.random_range(0..REGIONS.len())].to_owned(),
                        ["workmail", "iam", "sts", "s3", "ses"][rng.random_range(0..5)].to_owned(),
                    )
                }),
            })
        };
        let keys = [key(0.5, &mut self.rng), key(0.1, &mut self.rng)];
        let cert = self
            .rng
            .random_bool(0.01)
            .then(|| self.date_between(0, age));
        Credentials {
            password,
            mfa,
            keys,
            cert,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    ReadOnlyWorkMail,
    ScopedWrite,
    WorkMailAll,
    Admin,
    NotActionAllow,
    DenySensitive,
    Conditional,
    Unrelated,
    RandomMix,
    /// Steps of escalation paths, at the rates real accounts show them:
    /// self-service credentials, assuming roles, PassRole to Lambda, self
    /// policy writes, group joins.
    Escalation,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::ReadOnlyWorkMail => "WorkMailRead",
            Kind::ScopedWrite => "WorkMailOrgAdmin",
            Kind::WorkMailAll => "WorkMailAll",
            Kind::Admin => "Admin",
            Kind::NotActionAllow => "PowerUser",
            Kind::DenySensitive => "DenyMailAccess",
            Kind::Conditional => "Conditional",
            Kind::Unrelated => "App",
            Kind::RandomMix => "Mixed",
            Kind::Escalation => "Ops",
        }
    }
}

fn statement(
    sid: Option<String>,
    effect: &str,
    actions: Vec<&str>,
    resource: impl Into<Value>,
) -> Value {
    let mut st = serde_json::Map::new();
    if let Some(sid) = sid {
        st.insert("Sid".into(), sid.into());
    }
    st.insert("Effect".into(), effect.into());
    // IAM allows a single string; people write both forms.
    st.insert(
        "Action".into(),
        if actions.len() == 1 {
            actions[0].into()
        } else {
            actions.into()
        },
    );
    st.insert("Resource".into(), resource.into());
    Value::Object(st)
}

fn trust_service(service: &str) -> Value {
    json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":service},"Action":"sts:AssumeRole"}]})
}

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.into(),
        value: value.into(),
    }
}

fn attachments(mut arns: Vec<String>) -> Vec<PolicyAttachment> {
    // IAM attaches a policy to a principal at most once.
    arns.sort();
    arns.dedup();
    arns.into_iter()
        .map(|arn| PolicyAttachment {
            name: arn.rsplit('/').next().unwrap_or(&arn).to_owned(),
            arn,
        })
        .collect()
}

/// `lo..=hi` distinct items (as many as there are), sorted.
fn some(rng: &mut ChaCha8Rng, from: &[&'static str], lo: usize, hi: usize) -> Vec<&'static str> {
    let hi = hi.min(from.len()).max(lo);
    let n = rng.random_range(lo..=hi).min(from.len());
    let mut out: Vec<&'static str> = from.sample(rng, n).copied().collect();
    out.sort_unstable();
    out
}

fn hex(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).expect("hex digit"))
        .collect()
}

/// A stable pseudo-id from a name (FNV-1a), for AWS managed policies whose id
/// must not depend on the seed.
fn stable_id(name: &str) -> String {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (0..17)
        .map(|i| ALPHA[((h >> ((i * 5) % 60)) & 31) as usize] as char)
        .collect()
}

/// `2024-05-01T10:20:30+00:00`, as the AWS CLI and the credential report write dates.
fn cli_date(unix: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(unix).expect("date in range");
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]+00:00"
    ))
    .expect("formattable")
}

fn days_before_now(date: &str) -> i64 {
    let t = OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339)
        .expect("generated dates parse");
    ((NOW_UNIX - t.unix_timestamp()) / DAY).max(1)
}

/// What IAM's API leaves unescaped in a URL-encoded document (RFC 3986
/// unreserved characters, plus `*` which IAM does not escape either).
const IAM_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'*');

/// Puts a document in the requested form.
pub fn encode(doc: Value, enc: DocEncoding) -> Value {
    match enc {
        DocEncoding::Json => doc,
        DocEncoding::UrlEncoded => {
            let text = serde_json::to_string(&doc).expect("serializable");
            Value::String(utf8_percent_encode(&text, IAM_ENCODE).to_string())
        }
    }
}

// ---- Rendering in the AWS CLI's formats ----

impl Synthetic {
    /// `aws iam get-account-authorization-details` output.
    pub fn auth_details(&self) -> Value {
        let a = &self.account;
        let inline = |list: &[InlinePolicy]| -> Value {
            list.iter()
                .map(|p| json!({"PolicyName": p.name, "PolicyDocument": p.document}))
                .collect()
        };
        let attached = |list: &[PolicyAttachment]| -> Value {
            list.iter()
                .map(|p| json!({"PolicyName": p.name, "PolicyArn": p.arn}))
                .collect()
        };
        let boundary = |arn: &Option<String>| {
            arn.as_ref().map(
                |arn| json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}),
            )
        };
        let tags = |list: &[Tag]| -> Value {
            list.iter()
                .map(|t| json!({"Key": t.key, "Value": t.value}))
                .collect()
        };

        let users: Vec<Value> = a
            .users
            .iter()
            .map(|u| {
                let mut o = json!({
                    "Path": u.path,
                    "UserName": u.name,
                    "UserId": u.id,
                    "Arn": u.arn,
                    "CreateDate": u.create_date,
                });
                // Like the API, omit empty optional lists and absent boundaries.
                if !u.inline_policies.is_empty() {
                    o["UserPolicyList"] = inline(&u.inline_policies);
                }
                o["GroupList"] = json!(u.groups);
                o["AttachedManagedPolicies"] = attached(&u.attached_policies);
                if let Some(b) = boundary(&u.permissions_boundary) {
                    o["PermissionsBoundary"] = b;
                }
                if !u.tags.is_empty() {
                    o["Tags"] = tags(&u.tags);
                }
                o
            })
            .collect();
        let groups: Vec<Value> = a
            .groups
            .iter()
            .map(|g| {
                json!({
                    "Path": g.path,
                    "GroupName": g.name,
                    "GroupId": g.id,
                    "Arn": g.arn,
                    "CreateDate": g.create_date,
                    "GroupPolicyList": inline(&g.inline_policies),
                    "AttachedManagedPolicies": attached(&g.attached_policies),
                })
            })
            .collect();
        let roles: Vec<Value> = a
            .roles
            .iter()
            .zip(&self.role_regions)
            .map(|(r, region)| {
                let mut o = json!({
                    "Path": r.path,
                    "RoleName": r.name,
                    "RoleId": r.id,
                    "Arn": r.arn,
                    "CreateDate": r.create_date,
                    "AssumeRolePolicyDocument": r.assume_role_policy,
                    "InstanceProfileList": [],
                    "RolePolicyList": inline(&r.inline_policies),
                    "AttachedManagedPolicies": attached(&r.attached_policies),
                });
                if let Some(b) = boundary(&r.permissions_boundary) {
                    o["PermissionsBoundary"] = b;
                }
                o["Tags"] = tags(&r.tags);
                o["RoleLastUsed"] = match (&r.last_used, region) {
                    (Some(d), Some(reg)) => json!({"LastUsedDate": d, "Region": reg}),
                    _ => json!({}),
                };
                o
            })
            .collect();
        let policies: Vec<Value> = a
            .policies
            .iter()
            .zip(&self.meta)
            .map(|(p, m)| {
                let default = p.default_version_id.clone().unwrap_or_else(|| "v1".into());
                let mut versions: Vec<Value> = m
                    .old_versions
                    .iter()
                    .map(|(v, d, c)| {
                        json!({"Document": d, "VersionId": v, "IsDefaultVersion": false, "CreateDate": c})
                    })
                    .collect();
                versions.push(json!({
                    "Document": p.document,
                    "VersionId": default,
                    "IsDefaultVersion": true,
                    "CreateDate": p.update_date,
                }));
                // The CLI lists the newest version first.
                versions.reverse();
                json!({
                    "PolicyName": p.name,
                    "PolicyId": p.id,
                    "Arn": p.arn,
                    "Path": p.path,
                    "DefaultVersionId": default,
                    "AttachmentCount": p.attachment_count,
                    "PermissionsBoundaryUsageCount": p.permissions_boundary_usage_count,
                    "IsAttachable": true,
                    "CreateDate": m.create_date,
                    "UpdateDate": p.update_date,
                    "PolicyVersionList": versions,
                })
            })
            .collect();
        json!({
            "UserDetailList": users,
            "GroupDetailList": groups,
            "RoleDetailList": roles,
            "Policies": policies,
            "IsTruncated": false,
        })
    }

    /// `aws iam get-credential-report`'s Content, decoded: CSV with the real
    /// header, `<root_account>` first.
    pub fn credential_report(&self) -> String {
        const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
        let na = || "N/A".to_owned();
        let mut out = String::with_capacity(200 * (self.creds.len() + 2));
        out.push_str(HEADER);
        out.push('\n');
        // Root: a password always exists (not_supported), MFA on, no keys.
        let _ = writeln!(
            out,
            "<root_account>,arn:aws:iam::{ACCOUNT_ID}:root,{},not_supported,{},not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
            self.root_created,
            cli_date(NOW_UNIX - 40 * DAY),
        );
        for (u, c) in self.account.users.iter().zip(&self.creds) {
            let mut row = vec![
                u.name.clone(),
                u.arn.clone(),
                u.create_date.clone().unwrap_or_else(na),
            ];
            match &c.password {
                Some(p) => row.extend([
                    "true".into(),
                    p.last_used
                        .clone()
                        .unwrap_or_else(|| "no_information".into()),
                    p.last_changed.clone(),
                    p.next_rotation.clone().unwrap_or_else(na),
                ]),
                None => row.extend(["false".into(), "N/A".into(), "N/A".into(), "N/A".into()]),
            }
            row.push(c.mfa.to_string());
            for k in &c.keys {
                match k {
                    Some(k) => {
                        row.push(k.active.to_string());
                        row.push(k.last_rotated.clone());
                        match &k.last_used {
                            Some((d, r, s)) => row.extend([d.clone(), r.clone(), s.clone()]),
                            None => row.extend([na(), na(), na()]),
                        }
                    }
                    None => row.extend(["false".into(), na(), na(), na(), na()]),
                }
            }
            match &c.cert {
                Some(d) => row.extend(["true".into(), d.clone()]),
                None => row.extend(["false".into(), na()]),
            }
            row.extend(["false".into(), na()]);
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }

    pub fn encoding(&self) -> DocEncoding {
        self.encoding
    }
}

/// Pretty JSON with the AWS CLI's four-space indentation.
pub fn to_cli_json(value: &Value) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    value.serialize(&mut ser).expect("serializable");
    buf.push(b'\n');
    String::from_utf8(buf).expect("serde_json writes UTF-8")
}
