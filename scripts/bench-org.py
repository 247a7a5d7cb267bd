#!/usr/bin/env python3
"""Organization part of scripts/bench (--organization): `wmaudit scan --organization`
against a local moto holding an organization of N member accounts.

  bench-org.py --url URL --wmaudit BIN --accounts 10,120 [--moto-pid PID] [--out DIR]

For each size: a fresh management account (moto lets credentials from AssumeRole
of any role in account X act in X), an organization with two OUs and an SCP, N
member accounts each with the same IAM principals (a member role, 5 users, a
group, 2 roles); then one `wmaudit scan --organization` recorded by moto's
recorder. Prints calls per account (total and by operation), wmaudit's own CPU
time (user+sys of the child, from os.wait4) and moto's CPU time over the same run
(from /proc/PID/stat), as Markdown. Runs with the moto venv's python (boto3).
"""
import argparse
import collections
import json
import os
import random
import subprocess
import sys
import time
import urllib.request

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
TICKS = os.sysconf("SC_CLK_TCK")


def api(url, path, method="POST"):
    req = urllib.request.Request(url + path, method=method, data=b"" if method == "POST" else None)
    with OPENER.open(req, timeout=120) as r:
        return r.read()


def session(url, creds=None):
    import boto3
    import botocore.config

    # moto builds each new account's IAM (AWS managed policies included) on its
    # first call there: generous timeouts, so a slow first call is not a failure.
    config = botocore.config.Config(read_timeout=600, retries={"mode": "standard", "max_attempts": 10})
    kw = dict(region_name="us-east-1", endpoint_url=url, config=config)
    if creds:
        kw.update(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                  aws_session_token=creds["SessionToken"])
    else:
        kw.update(aws_access_key_id="AKIAWMBENCHORGXXXXXX", aws_secret_access_key="bench")
    return lambda svc: boto3.client(svc, **kw)


def into(url, account):
    sts = session(url)("sts")
    return sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/setup", RoleSessionName="setup")["Credentials"]


def populate(url, n, rng):
    management = "6" + "".join(rng.choice("0123456789") for _ in range(11))
    mc = into(url, management)
    c = session(url, mc)
    org = c("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    mail = org.create_organizational_unit(ParentId=root, Name="Mail")["OrganizationalUnit"]["Id"]
    other = org.create_organizational_unit(ParentId=root, Name="Other")["OrganizationalUnit"]["Id"]
    deny = org.create_policy(
        Name="DenyMailExport", Description="bench", Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": ["workmail:StartMailboxExportJob"], "Resource": "*"}]}),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=deny, TargetId=mail)
    accounts = [management]
    for i in range(n):
        acct = org.create_account(AccountName=f"bench-{i}", Email=f"bench-{i}@example.com")
        aid = acct["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=aid, SourceParentId=root, DestinationParentId=mail if i % 2 else other)
        accounts.append(aid)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                        "Principal": {"AWS": f"arn:aws:iam::{management}:root"}}]})
    for aid in accounts:
        iam = session(url, into(url, aid))("iam")
        iam.create_role(RoleName="wmaudit-auditor", AssumeRolePolicyDocument=trust)
        iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust)
        iam.create_group(GroupName="mail-admins")
        iam.attach_group_policy(GroupName="mail-admins", PolicyArn="arn:aws:iam::aws:policy/AmazonWorkMailFullAccess")
        for u in range(5):
            iam.create_user(UserName=f"user{u}")
            if u < 2:
                iam.add_user_to_group(GroupName="mail-admins", UserName=f"user{u}")
            else:
                iam.put_user_policy(UserName=f"user{u}", PolicyName="export", PolicyDocument=json.dumps(
                    {"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Action": "workmail:StartMailboxExportJob", "Resource": "*"}]}))
    return management, mc


def cpu_ticks(pid):
    if not pid:
        return None
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _bench_live():
    """scripts/bench-live.py, for its reading of moto's recorder (one definition)."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-live.py")
    spec = importlib.util.spec_from_file_location("bench_live", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


operation = _bench_live().operation


def measure(url, wmaudit, management_creds, n, moto_pid):
    env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
               AWS_ACCESS_KEY_ID=management_creds["AccessKeyId"],
               AWS_SECRET_ACCESS_KEY=management_creds["SecretAccessKey"],
               AWS_SESSION_TOKEN=management_creds["SessionToken"])
    env.pop("AWS_PROFILE", None)
    api(url, "/moto-api/recorder/stop-recording")
    api(url, "/moto-api/recorder/reset-recording")
    api(url, "/moto-api/recorder/start-recording")
    moto0 = cpu_ticks(moto_pid)
    t0 = time.monotonic()
    proc = subprocess.Popen([wmaudit, "scan", "--organization", "--member-role", "wmaudit-auditor",
                             "--no-workmail", "--concurrency", "8", "--fail-on", "none", "--allow-incomplete",
                             "--quiet", "--format", "json", "-o", os.devnull], env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    moto1 = cpu_ticks(moto_pid)
    api(url, "/moto-api/recorder/stop-recording")
    lines = api(url, "/moto-api/recorder/download-recording", "GET").decode().splitlines()
    ops = collections.Counter(operation(json.loads(line)) for line in lines if line.strip())
    return {
        "accounts": n + 1, "exit": os.waitstatus_to_exitcode(status), "wall_s": round(wall, 2),
        "wmaudit_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "moto_cpu_s": None if moto0 is None else round((moto1 - moto0) / TICKS, 2),
        "calls": sum(ops.values()), "by_op": {f"{s}:{o}": c for (s, o), c in sorted(ops.items())},
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--wmaudit", required=True)
    p.add_argument("--accounts", default="10,120")
    p.add_argument("--moto-pid", type=int)
    p.add_argument("--out")
    args = p.parse_args()
    rng = random.Random(42)
    rows = []
    for n in (int(x) for x in args.accounts.split(",")):
        t0 = time.monotonic()
        management, mc = populate(args.url, n, rng)
        print(f"bench-org: populated {n} members in {time.monotonic() - t0:.0f} s", file=sys.stderr)
        r = measure(args.url, args.wmaudit, mc, n, args.moto_pid)
        print(f"bench-org: {r}", file=sys.stderr)
        rows.append(r)
    if args.out:
        json.dump(rows, open(os.path.join(args.out, "organization.json"), "w"), indent=1)
    print("| accounts | API calls | calls per account | wall s | wmaudit CPU s | moto CPU s | exit |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['accounts']} | {r['calls']:,} | {r['calls'] / r['accounts']:.2f} | {r['wall_s']} | "
              f"{r['wmaudit_cpu_s']} | {r['moto_cpu_s']} | {r['exit']} |")
    ops = sorted({op for r in rows for op in r["by_op"]})
    print()
    print("| operation | " + " | ".join(f"{r['accounts']} accounts" for r in rows) + " |")
    print("| --- |" + " ---: |" * len(rows))
    for op in ops:
        print(f"| `{op}` | " + " | ".join(str(r["by_op"].get(op, "")) for r in rows) + " |")


if __name__ == "__main__":
    main()
