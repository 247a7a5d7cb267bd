//! Reach: who can get to a set of actions without holding them, and the
//! shortest path of steps that gets them there.
//!
//! Steps (each allowed on the target's ARN, decided by
//! [`Engine::decision_on`]; a step allowed only under a condition makes the
//! path conditional):
//! - **assume** a role whose trust names the principal, or names its
//!   account (or `*`) when its identity policies allow `sts:AssumeRole` on it;
//! - **write its own permissions**: a policy on itself or on a group it is
//!   in (`Put*Policy`, `Attach*Policy`), a new version of a customer policy
//!   attached to it or its groups, or joining a group that holds the goal
//!   (`AddUserToGroup`); capped by its permission boundary;
//! - **credentials of another user** (`CreateAccessKey`, `CreateLoginProfile`,
//!   `UpdateLoginProfile`);
//! - **pass a role to a service that runs code** (`iam:PassRole` on a role
//!   the service can assume, with the service's own actions: Lambda
//!   `CreateFunction` + `InvokeFunction`, `CreateEventSourceMapping` or
//!   `AddPermission`; CloudFormation `CreateStack`; Glue `CreateDevEndpoint`;
//!   Data Pipeline `CreatePipeline` + `PutPipelineDefinition`; SageMaker
//!   `CreateNotebookInstance` + `CreatePresignedNotebookInstanceUrl`;
//!   CodeBuild `CreateProject` + `StartBuild`; ECS `RunTask`).
//!
//! Computed in breadth-first layers from the holders: a principal joins the
//! layer after the first one it has a step into, so each path is a shortest
//! one. A step whose target is "any user" or "any role" is one test against
//! the set reached so far, not one edge per target: the cost stays linear in
//! principals times the few targets that matter.

use std::collections::HashMap;

use crate::account::Role;
use crate::catalog::{ActionId, ActionSet};
use crate::eval::trust::{Trust, Trustee};
use crate::eval::{AttachKind, Decision, Engine, PolicyOrigin, PrincipalId, PrincipalKind};

/// How a step is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Method {
    AssumeRole,
    /// `Put*Policy`, `Attach*Policy` or `CreatePolicyVersion`, on itself.
    WriteOwnPolicy,
    AddUserToGroup,
    Credentials,
    PassRoleToLambda,
    /// `iam:PassRole` to another service that runs code as the role
    /// (CloudFormation, Glue, Data Pipeline, SageMaker, CodeBuild, ECS).
    PassRoleToService,
    /// `iam:UpdateAssumeRolePolicy`: rewrite a role's trust to name itself.
    UpdateTrust,
    /// `iam:PutRolePolicy` / `AttachRolePolicy` on a role it can assume,
    /// then assume it.
    WriteRolePolicy,
    /// `iam:SetDefaultPolicyVersion` on a customer policy it has, whose
    /// other version grants the goal.
    SetDefaultVersion,
}

impl Method {
    /// The wire name (JSON report).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::AssumeRole => "assume_role",
            Method::WriteOwnPolicy => "write_own_policy",
            Method::AddUserToGroup => "add_user_to_group",
            Method::Credentials => "credentials",
            Method::PassRoleToLambda => "pass_role_to_lambda",
            Method::PassRoleToService => "pass_role_to_service",
            Method::UpdateTrust => "update_trust",
            Method::WriteRolePolicy => "write_role_policy",
            Method::SetDefaultVersion => "set_default_policy_version",
        }
    }

    pub fn verb(self) -> &'static str {
        match self {
            Method::AssumeRole => "assume",
            Method::WriteOwnPolicy => "write its own policy",
            Method::AddUserToGroup => "join group",
            Method::Credentials => "take the credentials of",
            Method::PassRoleToLambda => "pass to a Lambda function the role",
            Method::PassRoleToService => "pass, to a service that runs code, the role",
            Method::UpdateTrust => "rewrite the trust of",
            Method::WriteRolePolicy => "write the policy of, then assume,",
            Method::SetDefaultVersion => "make another version the default of",
        }
    }
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    pub method: Method,
    /// The principal or group stepped into (for a policy write, the
    /// principal itself or the resource written).
    pub target: String,
    /// The actions that take the step.
    pub actions: Vec<&'static str>,
    /// Allowed only under a condition or on some resources.
    pub conditional: bool,
}

/// The principals that reach the goal without holding it, each with its
/// path (first step first; the last step's target holds the goal or the
/// step itself gives it).
#[derive(Debug, Default)]
pub struct Reach {
    pub paths: HashMap<PrincipalId, Vec<Step>>,
    /// Principals with no path that may still get there through an existing
    /// resource whose role IAM data cannot show (a function's code, an
    /// instance's commands, a stack's template): never a definite path.
    pub potential: HashMap<PrincipalId, Potential>,
    /// The principals whose path ends at this ARN (a principal that holds
    /// the goal itself, or a group): "also reachable by", for other rules.
    pub by_end: HashMap<String, Vec<PrincipalId>>,
}

/// A way through existing resources: the service, the actions held, and
/// the roles that service runs as which hold or reach the goal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Potential {
    pub service: &'static str,
    pub actions: Vec<&'static str>,
    /// The first few role ARNs, sorted (at least one)...
    pub roles: Vec<String>,
    /// ...of this many.
    pub role_count: usize,
}

/// Existing-resource methods: the service principal whose roles an existing
/// resource runs as, whether the role must be in an instance profile, and
/// the actions (any one set) that change what runs.
const EXISTING: &[(&str, &str, bool, &[&[&str]])] = &[
    (
        "lambda",
        "lambda.amazonaws.com",
        false,
        &[&["lambda:UpdateFunctionCode"]],
    ),
    (
        "cloudformation",
        "cloudformation.amazonaws.com",
        false,
        &[&["cloudformation:UpdateStack"]],
    ),
    (
        "ssm",
        "ec2.amazonaws.com",
        true,
        &[&["ssm:SendCommand"], &["ssm:StartSession"]],
    ),
];

struct Actions {
    own_writes: [(PrincipalKind, &'static [&'static str]); 2],
    group_writes: &'static [&'static str],
    version: &'static str,
    set_default: &'static str,
    add_to_group: &'static str,
    credentials: &'static [&'static str],
    pass: &'static str,
    /// Services that run code as a role passed to them.
    runners: &'static [Runner],
    update_trust: &'static str,
    role_writes: &'static [&'static str],
}

const ACTIONS: Actions = Actions {
    own_writes: [
        (
            PrincipalKind::User,
            &["iam:PutUserPolicy", "iam:AttachUserPolicy"],
        ),
        (
            PrincipalKind::Role,
            &["iam:PutRolePolicy", "iam:AttachRolePolicy"],
        ),
    ],
    group_writes: &["iam:PutGroupPolicy", "iam:AttachGroupPolicy"],
    version: "iam:CreatePolicyVersion",
    set_default: "iam:SetDefaultPolicyVersion",
    add_to_group: "iam:AddUserToGroup",
    credentials: &[
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
    ],
    pass: "iam:PassRole",
    runners: RUNNERS,
    update_trust: "iam:UpdateAssumeRolePolicy",
    role_writes: &["iam:PutRolePolicy", "iam:AttachRolePolicy"],
};

/// A service that runs code as a role passed to it: the service principal
/// the role must trust, and the sets of actions (any one set) that make the
/// service run code of the caller's choosing as that role.
pub struct Runner {
    pub service: &'static str,
    pub method: Method,
    pub ways: &'static [&'static [&'static str]],
    /// The role must be in an instance profile (EC2 launches with one).
    pub instance_profile: bool,
}

const RUNNERS: &[Runner] = &[
    Runner {
        service: "ec2.amazonaws.com",
        method: Method::PassRoleToService,
        instance_profile: true,
        ways: &[&["ec2:RunInstances"]],
    },
    Runner {
        service: "lambda.amazonaws.com",
        method: Method::PassRoleToLambda,
        instance_profile: false,
        ways: &[
            &["lambda:CreateFunction", "lambda:InvokeFunction"],
            &["lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
            &["lambda:CreateFunction", "lambda:AddPermission"],
        ],
    },
    Runner {
        service: "cloudformation.amazonaws.com",
        method: Method::PassRoleToService,
        instance_profile: false,
        ways: &[&["cloudformation:CreateStack"]],
    },
    Runner {
        service: "glue.amazonaws.com",
        method: Method::PassRoleToService,
        instance_profile: false,
        ways: &[&["glue:CreateDevEndpoint"]],
    },
    Runner {
        service: "datapipeline.amazonaws.com",
        method: Method::PassRoleToService,
        instance_profile: false,
        ways: &[&[
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
        ]],
    },
    Runner {
        service: "sagemaker.amazonaws.com",
        method: Method::PassRoleToService,
        instance_profile: false,
        ways: &[&[
            "sagemaker:CreateNotebookInstance",
            "sagemaker:CreatePresignedNotebookInstanceUrl",
        ]],
    },
    Runner {
        service: "codebuild.amazonaws.com",
        method: Method::PassRoleToService,
        instance_profile: false,
        ways: &[&["codebuild:CreateProject", "codebuild:StartBuild"]],
    },
    Runner {
        // RunTask's overrides name the task role.
        service: "ecs-tasks.amazonaws.com",
        method: Method::PassRoleToService,
        instance_profile: false,
        ways: &[&["ecs:RunTask"]],
    },
];

/// What a path leads to.
#[derive(Debug, Clone, Copy)]
pub enum Goal<'a> {
    /// Any of these actions, in some case (mail content: one is enough).
    Any(&'a ActionSet),
    /// Every one of them, on every resource (admin-equivalence: `*` on `*`).
    All(&'a ActionSet),
}

impl Goal<'_> {
    /// Does a set of actions a principal is allowed (`any`: in some case;
    /// `full`: everywhere) meet the goal?
    fn met(&self, any: &ActionSet, full: &ActionSet) -> bool {
        match self {
            Goal::Any(g) => !any.is_disjoint(g),
            Goal::All(g) => g.is_subset(full),
        }
    }

    /// Does the principal hold the goal itself (no path needed)?
    pub fn held_by(&self, engine: &Engine<'_>, p: PrincipalId) -> bool {
        let a = engine.access(p);
        self.met(&a.allowed, &a.full)
    }
}

/// A path as a reviewer reads it, one entry per hop, the start first:
/// `user/alice`, `assume role/MailReader`, `iam:PutUserPolicy on user/bob`.
pub fn path_line(start: &str, path: &[Step]) -> Vec<String> {
    let short = |arn: &str| {
        let kind_name = arn.split(':').nth(5).unwrap_or(arn);
        match kind_name.split_once('/') {
            Some((kind, rest)) => format!("{kind}/{}", rest.rsplit('/').next().unwrap_or(rest)),
            None => kind_name.to_owned(),
        }
    };
    let mut line = vec![start.to_owned()];
    for s in path {
        let what = match s.method {
            Method::WriteOwnPolicy | Method::SetDefaultVersion => format!(
                "{} on {}",
                s.actions.first().copied().unwrap_or("a policy write"),
                short(&s.target)
            ),
            Method::PassRoleToLambda | Method::PassRoleToService => {
                // `pass role/Build to codebuild (CreateProject + StartBuild)`
                let run = s.actions.get(1..).unwrap_or(&[]);
                let svc = run
                    .first()
                    .and_then(|a| a.split(':').next())
                    .unwrap_or("a service");
                let names: Vec<&str> = run
                    .iter()
                    .map(|a| a.split_once(':').map_or(*a, |(_, n)| n))
                    .collect();
                format!("pass {} to {svc} ({})", short(&s.target), names.join(" + "))
            }
            _ => format!("{} {}", s.method.verb(), short(&s.target)),
        };
        line.push(if s.conditional {
            format!("{what} (under a condition)")
        } else {
            what
        });
    }
    line
}

/// A goal the reports and `wmaudit explain --paths` look for paths to.
#[derive(Debug, Clone)]
pub struct NamedGoal {
    /// In the JSON report (`mail_content`).
    pub name: &'static str,
    /// For people (`mail content`).
    pub label: &'static str,
    pub actions: ActionSet,
    /// Every one of `actions` (else any).
    pub every: bool,
}

impl NamedGoal {
    pub fn goal(&self) -> Goal<'_> {
        if self.every {
            Goal::All(&self.actions)
        } else {
            Goal::Any(&self.actions)
        }
    }
}

/// A step's decision as the search uses it: allowed, and whether only
/// under a condition (`Some(true)`), or not at all (`None`).
fn conditional(d: Decision) -> Option<bool> {
    match d {
        Decision::Allowed => Some(false),
        Decision::Limited => Some(true),
        Decision::Denied | Decision::NotGranted => None,
    }
}

/// Who reaches `goal` and how.
pub fn paths_to(engine: &Engine<'_>, roles: &HashMap<&str, &Role>, goal: Goal<'_>) -> Reach {
    let catalog = engine.catalog();
    let id = |name: &str| catalog.lookup(name);
    let holds = |p: PrincipalId| goal.held_by(engine, p);
    let acting: Vec<PrincipalId> = engine
        .principal_ids()
        .iter()
        .copied()
        .filter(|&p| engine.principal(p).kind != PrincipalKind::Group)
        .collect();
    let account = |arn: &str| arn.split(':').nth(4).unwrap_or("").to_owned();

    // Trust, read once per role: who it names, and whether it names the
    // account (or anyone), which needs an identity permission too.
    let mut named: HashMap<PrincipalId, Vec<(PrincipalId, bool)>> = HashMap::new();
    let mut account_trusting: Vec<(PrincipalId, bool)> = Vec::new();
    // (runner, role): roles a code-running service can assume.
    let mut runner_roles: Vec<(usize, PrincipalId)> = Vec::new();
    for &r in &acting {
        let p = engine.principal(r);
        if p.kind != PrincipalKind::Role {
            continue;
        }
        let Some(Ok(Some(trust))) = roles.get(p.arn.as_str()).map(|role| Trust::of(role)) else {
            continue;
        };
        // An unconditional Deny for everyone closes the role; conditional
        // Denies make every way in conditional.
        let denies = trust.denies();
        if denies
            .iter()
            .any(|d| matches!(d.trustee, Trustee::Anyone) && d.conditions.is_empty())
        {
            continue;
        }
        let deny_maybe = !denies.is_empty();
        let own = account(&p.arn);
        let mut root = None;
        for g in trust.grants() {
            let conditional = !g.conditions.is_empty() || deny_maybe;
            match g.trustee {
                Trustee::Aws(who) => {
                    if who.ends_with(&format!(":iam::{own}:root")) || who == own {
                        root = Some(root.unwrap_or(true) && conditional);
                    } else if let Some(q) = engine.by_arn(who) {
                        named.entry(q).or_default().push((r, conditional));
                    }
                }
                Trustee::Anyone => root = Some(root.unwrap_or(true) && conditional),
                Trustee::Service(svc) => {
                    let in_profile = || {
                        roles
                            .get(p.arn.as_str())
                            .is_some_and(|role| !role.instance_profiles.is_empty())
                    };
                    if let Some(i) = ACTIONS.runners.iter().position(|x| x.service == svc)
                        && (!ACTIONS.runners[i].instance_profile || in_profile())
                    {
                        runner_roles.push((i, r));
                    }
                }
                _ => {}
            }
        }
        if let Some(conditional) = root {
            account_trusting.push((r, conditional));
        }
    }

    let decide = |p: PrincipalId, action: Option<ActionId>, arn: &str| -> Option<bool> {
        let a = action?;
        if !engine.access(p).allowed.contains(a) {
            return None;
        }
        // Allowed everywhere without a Deny: no need to look at the ARN.
        if engine.access(p).full.contains(a) {
            return Some(false);
        }
        conditional(engine.decision_on(p, a, arn).decision)
    };
    let assume = id("sts:AssumeRole");

    // Steps that give the goal at once (the principal writes its own
    // permissions), found once per principal.
    let mut reach = Reach::default();
    let mut reached: Vec<bool> = (0..engine.principals.len()).map(holds).collect();
    // A policy written or a group joined gives no more than the permission
    // boundary and the organization's SCPs/RCPs allow (in some case: a
    // conditional bound keeps the path).
    let controls_allow = engine.controls.as_ref().is_none_or(|c| {
        let mut any = c.ceiling().allow_any.clone();
        any.difference_with(&c.ceiling().deny_full);
        goal.met(&any, &any)
    });
    let boundary_allows = |p: PrincipalId| {
        (controls_allow || engine.controls_over(p).is_none())
            && engine.principal(p).boundary.is_none_or(|b| {
                let agg = &engine.policies.get(b).aggregate;
                goal.met(&agg.allow_any, &agg.allow_full)
            })
    };
    for &p in &acting {
        if reached[p] || !boundary_allows(p) {
            continue;
        }
        if let Some(step) = own_write(engine, p, &decide, &goal) {
            reach.paths.insert(p, vec![step]);
        }
    }
    for (&p, _) in reach.paths.iter() {
        reached[p] = true;
    }

    // Then layer by layer: a step into a principal already reached.
    let groups_with_goal: Vec<PrincipalId> = engine
        .principal_ids()
        .iter()
        .copied()
        .filter(|&g| {
            let grp = engine.principal(g);
            grp.kind == PrincipalKind::Group && {
                let mut a = crate::eval::Aggregate::empty(catalog);
                for at in &grp.attachments {
                    a.union_with(&engine.policies.get(at.policy).aggregate);
                }
                goal.met(&a.allow_any, &a.allow_full)
            }
        })
        .collect();
    // Only principals that can take some step at all are looked at again
    // in each layer: most users of a large account cannot.
    let step_actions: Vec<ActionId> = [ACTIONS.add_to_group, ACTIONS.pass, ACTIONS.update_trust]
        .iter()
        .chain(ACTIONS.credentials)
        .filter_map(|a| id(a))
        .chain(assume)
        .collect();
    let movers: Vec<PrincipalId> = acting
        .iter()
        .copied()
        .filter(|&p| !reached[p])
        .filter(|&p| {
            named.contains_key(&p)
                || step_actions
                    .iter()
                    .any(|&a| engine.access(p).allowed.contains(a))
        })
        .collect();
    loop {
        let layer = Layer {
            reached: &reached,
            root_roles: account_trusting
                .iter()
                .filter(|(r, _)| reached[*r])
                .map(|(r, _)| *r)
                .collect(),
            root_conditional: account_trusting.iter().copied().collect(),
            users: acting
                .iter()
                .copied()
                .filter(|&u| reached[u] && engine.principal(u).kind == PrincipalKind::User)
                .collect(),
            runner_roles: runner_roles
                .iter()
                .copied()
                .filter(|&(_, r)| reached[r])
                .collect(),
            roles: acting
                .iter()
                .copied()
                .filter(|&r| reached[r] && engine.principal(r).kind == PrincipalKind::Role)
                .collect(),
        };
        let mut next: Vec<(PrincipalId, Step, Option<PrincipalId>)> = Vec::new();
        for &p in &movers {
            if reached[p] {
                continue;
            }
            if let Some((step, via)) = step_into(
                engine,
                p,
                &layer,
                &named,
                &groups_with_goal,
                assume,
                &decide,
                &boundary_allows,
            ) {
                next.push((p, step, via));
            }
        }
        if next.is_empty() {
            break;
        }
        for (p, step, via) in next {
            let mut path = vec![step];
            if let Some(v) = via {
                path.extend(reach.paths.get(&v).cloned().unwrap_or_default());
            }
            reach.paths.insert(p, path);
            reached[p] = true;
        }
    }
    reach.potential = potential(engine, roles, &acting, &reached);
    for (&p, path) in &reach.paths {
        if let Some(last) = path.last() {
            reach.by_end.entry(last.target.clone()).or_default().push(p);
        }
    }
    for v in reach.by_end.values_mut() {
        v.sort();
    }
    reach
}

/// Existing-resource methods for principals that have no path: the roles
/// (holding or reaching the goal) a service's existing resources may run
/// as. One pass over roles per service, one over principals.
fn potential(
    engine: &Engine<'_>,
    roles: &HashMap<&str, &Role>,
    acting: &[PrincipalId],
    reached: &[bool],
) -> HashMap<PrincipalId, Potential> {
    let catalog = engine.catalog();
    let mut out = HashMap::new();
    for (service, principal, profile, ways) in EXISTING {
        let mut targets: Vec<String> = acting
            .iter()
            .copied()
            .filter(|&r| reached[r] && engine.principal(r).kind == PrincipalKind::Role)
            .filter_map(|r| {
                let role = roles.get(engine.principal(r).arn.as_str())?;
                if *profile && role.instance_profiles.is_empty() {
                    return None;
                }
                let trust = Trust::of(role).ok().flatten()?;
                trust
                    .grants()
                    .iter()
                    .any(|g| matches!(g.trustee, Trustee::Service(s) if s == *principal))
                    .then(|| role.arn.clone())
            })
            .collect();
        if targets.is_empty() {
            continue;
        }
        targets.sort();
        let count = targets.len();
        targets.truncate(3);
        for &p in acting {
            if reached[p] || out.contains_key(&p) {
                continue;
            }
            let allowed = &engine.access(p).allowed;
            let way = ways.iter().find(|way| {
                way.iter()
                    .all(|a| catalog.lookup(a).is_some_and(|a| allowed.contains(a)))
            });
            if let Some(way) = way {
                out.insert(
                    p,
                    Potential {
                        service,
                        actions: way.to_vec(),
                        roles: targets.clone(),
                        role_count: count,
                    },
                );
            }
        }
    }
    out
}

/// Writing its own permissions: on itself, a group it is in, or a new
/// version of a customer policy it has.
fn own_write(
    engine: &Engine<'_>,
    p: PrincipalId,
    decide: &impl Fn(PrincipalId, Option<ActionId>, &str) -> Option<bool>,
    goal: &Goal<'_>,
) -> Option<Step> {
    let catalog = engine.catalog();
    let me = engine.principal(p);
    for (kind, actions) in ACTIONS.own_writes {
        if kind != me.kind {
            continue;
        }
        for a in actions {
            if let Some(conditional) = decide(p, catalog.lookup(a), &me.arn) {
                return Some(step(Method::WriteOwnPolicy, &me.arn, a, conditional));
            }
        }
    }
    for &g in &me.member_of {
        let group = engine.principal(g);
        for a in ACTIONS.group_writes {
            if let Some(conditional) = decide(p, catalog.lookup(a), &group.arn) {
                return Some(step(Method::WriteOwnPolicy, &group.arn, a, conditional));
            }
        }
    }
    // A new default version of a customer policy it holds (AWS managed
    // policies cannot be changed by anyone in the account).
    let version = catalog.lookup(ACTIONS.version);
    for a in engine.attachments(me) {
        if a.kind != AttachKind::Managed {
            continue;
        }
        if let PolicyOrigin::Managed {
            arn,
            aws_managed: false,
            ..
        } = &engine.policies.get(a.policy).origin
            && let Some(conditional) = decide(p, version, arn)
        {
            return Some(step(
                Method::WriteOwnPolicy,
                arn,
                ACTIONS.version,
                conditional,
            ));
        }
    }
    // Another, existing version of such a policy that grants the goal, made
    // the default.
    let set_default = catalog.lookup(ACTIONS.set_default);
    for a in engine.attachments(me) {
        if a.kind != AttachKind::Managed {
            continue;
        }
        let entry = engine.policies.get(a.policy);
        let PolicyOrigin::Managed {
            arn,
            aws_managed: false,
            ..
        } = &entry.origin
        else {
            continue;
        };
        if !entry
            .other_versions
            .iter()
            .any(|(_, agg)| goal.met(&agg.allow_any, &agg.allow_full))
        {
            continue;
        }
        if let Some(conditional) = decide(p, set_default, arn) {
            return Some(step(
                Method::SetDefaultVersion,
                arn,
                ACTIONS.set_default,
                conditional,
            ));
        }
    }
    None
}

/// What one layer of the search can step into, made once per layer.
struct Layer<'r> {
    reached: &'r [bool],
    /// Reached roles that trust their account (or anyone).
    root_roles: Vec<PrincipalId>,
    /// Every account-trusting role, and whether its trust is conditional.
    root_conditional: HashMap<PrincipalId, bool>,
    users: Vec<PrincipalId>,
    /// Reached roles a code-running service can assume, by runner.
    runner_roles: Vec<(usize, PrincipalId)>,
    /// Every reached role (a trust it can rewrite).
    roles: Vec<PrincipalId>,
}

#[allow(clippy::too_many_arguments)]
fn step_into(
    engine: &Engine<'_>,
    p: PrincipalId,
    layer: &Layer<'_>,
    named: &HashMap<PrincipalId, Vec<(PrincipalId, bool)>>,
    groups_with_goal: &[PrincipalId],
    assume: Option<ActionId>,
    decide: &impl Fn(PrincipalId, Option<ActionId>, &str) -> Option<bool>,
    boundary_allows: &impl Fn(PrincipalId) -> bool,
) -> Option<(Step, Option<PrincipalId>)> {
    let catalog = engine.catalog();
    let me = engine.principal(p);
    // Roles whose trust names it: no identity permission needed.
    let reached = layer.reached;
    for &(r, conditional) in named.get(&p).into_iter().flatten() {
        if reached[r] {
            let role = engine.principal(r);
            return Some((
                step(Method::AssumeRole, &role.arn, "sts:AssumeRole", conditional),
                Some(r),
            ));
        }
    }
    // A role it can write the policy of and assume: the write gives the
    // role the goal (within the role's boundary), assuming it gives it on.
    for name in ACTIONS.role_writes {
        let Some(write) = catalog.lookup(name) else {
            continue;
        };
        if !engine.access(p).allowed.contains(write) {
            continue;
        }
        let can_assume = |r: PrincipalId| {
            if r == p || !boundary_allows(r) {
                return None;
            }
            if let Some(&(_, c)) = named.get(&p).and_then(|v| v.iter().find(|(x, _)| *x == r)) {
                return Some(c);
            }
            let trust_conditional = *layer.root_conditional.get(&r)?;
            decide(p, assume, &engine.principal(r).arn).map(|c| c || trust_conditional)
        };
        let assumable: Vec<PrincipalId> = named
            .get(&p)
            .into_iter()
            .flatten()
            .map(|(r, _)| *r)
            .chain(layer.root_conditional.keys().copied())
            .collect();
        if let Some((r, conditional)) =
            first_target(engine, p, write, &assumable, |r| can_assume(r).is_some())
        {
            let role = engine.principal(r);
            let assume_conditional = can_assume(r).unwrap_or(true);
            let mut s = step(
                Method::WriteRolePolicy,
                &role.arn,
                name,
                conditional || assume_conditional,
            );
            s.actions.push("sts:AssumeRole");
            return Some((s, None));
        }
    }
    // Roles trusting the account: its identity policies decide.
    if let Some(a) = assume
        && let Some((r, conditional)) =
            first_target(engine, p, a, &layer.root_roles, |c| reached[c] && c != p)
    {
        let trust_conditional = layer.root_conditional.get(&r).copied().unwrap_or(false);
        let role = engine.principal(r);
        return Some((
            step(
                Method::AssumeRole,
                &role.arn,
                "sts:AssumeRole",
                conditional || trust_conditional,
            ),
            Some(r),
        ));
    }
    // Joining a group that holds the goal, within its boundary.
    if me.kind == PrincipalKind::User && boundary_allows(p) {
        for &g in groups_with_goal {
            if me.member_of.contains(&g) {
                continue;
            }
            let group = engine.principal(g);
            if let Some(conditional) = decide(p, catalog.lookup(ACTIONS.add_to_group), &group.arn) {
                return Some((
                    step(
                        Method::AddUserToGroup,
                        &group.arn,
                        ACTIONS.add_to_group,
                        conditional,
                    ),
                    None,
                ));
            }
        }
    }
    // Another user's credentials: any user already reached.
    let is_user =
        |c: PrincipalId| reached[c] && c != p && engine.principal(c).kind == PrincipalKind::User;
    for name in ACTIONS.credentials {
        let Some(a) = catalog.lookup(name) else {
            continue;
        };
        if let Some((u, conditional)) = first_target(engine, p, a, &layer.users, is_user) {
            let user = engine.principal(u);
            return Some((
                step(Method::Credentials, &user.arn, name, conditional),
                Some(u),
            ));
        }
    }
    // Rewriting a reached role's trust to name itself: within the account a
    // trust that names the principal needs no identity permission to assume.
    if let Some(a) = catalog.lookup(ACTIONS.update_trust) {
        let is_role = |c: PrincipalId| reached[c] && c != p;
        if let Some((r, conditional)) = first_target(engine, p, a, &layer.roles, is_role) {
            let role = engine.principal(r);
            return Some((
                step(
                    Method::UpdateTrust,
                    &role.arn,
                    ACTIONS.update_trust,
                    conditional,
                ),
                Some(r),
            ));
        }
    }
    // Code run as a reached role by a service the principal passes it to.
    let access = engine.access(p);
    for (i, runner) in ACTIONS.runners.iter().enumerate() {
        // The first way whose actions are all allowed, and whether some only
        // in some cases.
        let way = runner.ways.iter().find_map(|way| {
            let ids: Vec<ActionId> = way
                .iter()
                .map(|a| catalog.lookup(a))
                .collect::<Option<_>>()?;
            ids.iter()
                .all(|&a| access.allowed.contains(a))
                .then(|| (way, ids.iter().any(|&a| !access.full.contains(a))))
        });
        let Some((way, way_conditional)) = way else {
            continue;
        };
        for &(_, r) in layer.runner_roles.iter().filter(|(j, _)| *j == i) {
            let role = engine.principal(r);
            if let Some(conditional) = decide(p, catalog.lookup(ACTIONS.pass), &role.arn) {
                let mut s = step(
                    runner.method,
                    &role.arn,
                    ACTIONS.pass,
                    conditional || way_conditional,
                );
                s.actions.extend(way.iter().copied());
                return Some((s, Some(r)));
            }
        }
    }
    None
}

/// The first of `candidates` on which `p` may take `action`, and whether
/// only conditionally. Allowed everywhere without a Deny: the first one, no
/// per-target work. Scoped to named ARNs (or the caller's own, through
/// `${aws:username}`): only those are looked at. Otherwise each candidate
/// is decided. Never a scan of every principal for every principal.
fn first_target(
    engine: &Engine<'_>,
    p: PrincipalId,
    action: ActionId,
    candidates: &[PrincipalId],
    is_candidate: impl Fn(PrincipalId) -> bool,
) -> Option<(PrincipalId, bool)> {
    let access = engine.access(p);
    if !access.allowed.contains(action) {
        return None;
    }
    let first = candidates.iter().copied().find(|&c| is_candidate(c))?;
    if access.full.contains(action) {
        return Some((first, false));
    }
    let me = engine.principal(p);
    let username = (me.kind == PrincipalKind::User).then_some(me.name.as_str());
    let mut named: Vec<String> = Vec::new();
    let mut open = false;
    for at in engine.attachments(me) {
        let Ok(c) = &engine.policies.get(at.policy).compiled else {
            continue;
        };
        for st in &c.statements {
            if st.effect != crate::policy::Effect::Allow || !st.actions.contains(action) {
                continue;
            }
            match &st.resources {
                crate::policy::ResourceScope::Only(pats) => {
                    for pat in pats {
                        let pat = crate::eval::resolve_username(pat, username);
                        if crate::policy::has_wildcard(&pat) || pat.contains("${") {
                            open = true;
                        } else {
                            named.push(pat.into_owned());
                        }
                    }
                }
                _ => open = true,
            }
        }
    }
    let decide = |c: PrincipalId| {
        conditional(
            engine
                .decision_on(p, action, &engine.principal(c).arn)
                .decision,
        )
        .map(|cond| (c, cond))
    };
    if open {
        candidates
            .iter()
            .copied()
            .filter(|&c| is_candidate(c))
            .find_map(decide)
    } else {
        named
            .iter()
            .filter_map(|arn| engine.by_arn(arn))
            .filter(|&c| is_candidate(c))
            .find_map(decide)
    }
}

fn step(method: Method, target: &str, action: &'static str, conditional: bool) -> Step {
    Step {
        method,
        target: target.to_owned(),
        actions: vec![action],
        conditional,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Account, InlinePolicy, Role as AccountRole, User};
    use crate::catalog::Catalog;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    const A: &str = "111122223333";

    /// Statements a principal may get, each a possible step or the goal.
    fn statement(k: usize, users: usize, roles: usize) -> Value {
        let user = |i: usize| format!("arn:aws:iam::{A}:user/u{}", i % users);
        let role = |i: usize| format!("arn:aws:iam::{A}:role/r{}", i % roles.max(1));
        match k % 11 {
            0 => json!({"Effect":"Allow","Action":"workmail:StartMailboxExportJob","Resource":"*"}),
            1 => json!({"Effect":"Allow","Action":"sts:AssumeRole","Resource":role(k / 9)}),
            2 => json!({"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":user(k / 9)}),
            3 => {
                json!({"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":format!("arn:aws:iam::{A}:user/${{aws:username}}")})
            }
            4 => {
                json!({"Effect":"Allow","Action":["iam:PassRole","lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"})
            }
            5 => json!({"Effect":"Deny","Action":"sts:AssumeRole","Resource":role(k / 9)}),
            6 => {
                json!({"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}})
            }
            7 => json!({"Effect":"Allow","Action":"iam:PutUserPolicy","Resource":user(k / 9)}),
            8 => {
                json!({"Effect":"Allow","Action":"iam:UpdateAssumeRolePolicy","Resource":role(k / 10)})
            }
            _ => json!({"Effect":"Allow","Action":"ses:SendEmail","Resource":"*"}),
        }
    }

    fn account(users: &[Vec<usize>], roles: &[(usize, Vec<usize>)]) -> Account {
        let (nu, nr) = (users.len(), roles.len());
        let doc = |ks: &[usize]| {
            json!({"Version":"2012-10-17","Statement":
                ks.iter().map(|&k| statement(k, nu, nr)).collect::<Vec<_>>()})
        };
        let mut acct = Account::default();
        for (i, ks) in users.iter().enumerate() {
            acct.users.push(User {
                name: format!("u{i}"),
                arn: format!("arn:aws:iam::{A}:user/u{i}"),
                id: String::new(),
                path: "/".into(),
                create_date: None,
                groups: vec![],
                inline_policies: vec![InlinePolicy {
                    name: "p".into(),
                    document: doc(ks),
                }],
                attached_policies: vec![],
                permissions_boundary: None,
                tags: vec![],
            });
        }
        for (i, (trust, ks)) in roles.iter().enumerate() {
            let principal = match trust % 3 {
                0 => json!({"AWS": format!("arn:aws:iam::{A}:root")}),
                1 => json!({"AWS": format!("arn:aws:iam::{A}:user/u{}", trust % nu)}),
                _ => json!({"Service": "lambda.amazonaws.com"}),
            };
            let role: AccountRole = serde_json::from_value(json!({
                "name": format!("r{i}"),
                "arn": format!("arn:aws:iam::{A}:role/r{i}"),
                "assume_role_policy": {"Version":"2012-10-17","Statement":[
                    {"Effect":"Allow","Principal":principal,"Action":"sts:AssumeRole"}]},
                "inline_policies": [{"name":"p","document":doc(ks)}],
            }))
            .unwrap();
            acct.roles.push(role);
        }
        acct
    }

    proptest! {
        /// Every path holds step by step: each step's permission is allowed
        /// on its target by the engine (or the trust names the principal),
        /// each step starts where the previous ended, and the last target
        /// holds the goal (or the step itself gives it). No principal that
        /// holds the goal gets a path.
        #[test]
        fn every_path_is_valid_step_by_step(
            users in proptest::collection::vec(proptest::collection::vec(0usize..60, 0..4), 1..7),
            roles in proptest::collection::vec((0usize..12, proptest::collection::vec(0usize..60, 0..3)), 0..5),
        ) {
            let acct = account(&users, &roles);
            let catalog = Catalog::builtin();
            let engine = Engine::new(catalog, &acct);
            let mut goal = catalog.empty_set();
            goal.insert(catalog.lookup("workmail:StartMailboxExportJob").unwrap());
            let role_map: HashMap<&str, &AccountRole> =
                acct.roles.iter().map(|r| (r.arn.as_str(), r)).collect();
            let reach = paths_to(&engine, &role_map, Goal::Any(&goal));
            let holds = |p: PrincipalId| Goal::Any(&goal).held_by(&engine, p);
            for (&p, path) in &reach.paths {
                prop_assert!(!holds(p), "{} holds the goal but has a path", engine.principal(p).name);
                prop_assert!(!path.is_empty());
                let mut at = p;
                for (i, s) in path.iter().enumerate() {
                    let me = engine.principal(at);
                    let allowed = |a: &str, target: &str| {
                        engine.decision_on(at, catalog.lookup(a).unwrap(), target).decision.is_allowed()
                    };
                    match s.method {
                        Method::AssumeRole => {
                            let trust_names_me = role_map
                                .get(s.target.as_str())
                                .is_some_and(|r| r.assume_role_policy.as_ref().unwrap().to_string().contains(&me.arn));
                            prop_assert!(trust_names_me || allowed("sts:AssumeRole", &s.target), "step {i} of {}", me.name);
                        }
                        Method::Credentials
                        | Method::WriteOwnPolicy
                        | Method::AddUserToGroup
                        | Method::UpdateTrust
                        | Method::WriteRolePolicy => {
                            prop_assert!(allowed(s.actions[0], &s.target), "step {i} of {}", me.name);
                        }
                        Method::SetDefaultVersion => {
                            prop_assert!(allowed(s.actions[0], &s.target), "step {i} of {}", me.name);
                        }
                        Method::PassRoleToLambda | Method::PassRoleToService => {
                            prop_assert!(allowed("iam:PassRole", &s.target), "step {i} of {}", me.name);
                        }
                    }
                    if matches!(
                        s.method,
                        Method::WriteOwnPolicy | Method::WriteRolePolicy | Method::SetDefaultVersion
                    ) {
                        prop_assert_eq!(i + 1, path.len(), "a policy write ends the path");
                        break;
                    }
                    at = engine.by_arn(&s.target).expect("a principal");
                    if i + 1 == path.len() {
                        prop_assert!(holds(at), "the last target holds the goal");
                    } else {
                        prop_assert!(!holds(at), "a shortest path stops at the first holder");
                    }
                }
            }
        }
    }
}
