#!/usr/bin/env python3
"""Live part of scripts/bench: API calls per scan against a local moto server.

  bench-live.py populate --url URL --dir DIR
      Recreates the account of DIR/auth-details.json and DIR/credential-report.csv
      (written by the wmaudit-core example synth_account) in moto through the IAM API.
  bench-live.py measure --url URL --name NAME --users N --out FILE [--timeout S] -- CMD...
      Records every request moto receives while CMD runs; writes the counts
      per operation, exit code and wall time to FILE (JSON).
  bench-live.py table FILE...
      Prints the measurements as Markdown tables.

Runs with the moto venv's python (boto3 is there). Talks only to --url.
"""
import argparse
import base64
import collections
import concurrent.futures
import csv
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request

# moto resets connections somewhere above ~128 concurrent ones.
THREADS = 32
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # ignore http_proxy
CREDS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def api(url, path, method="POST"):
    req = urllib.request.Request(url + path, method=method, data=b"" if method == "POST" else None)
    with OPENER.open(req, timeout=60) as r:
        return r.read()


# ---------------------------------------------------------------- populate


def populate(args):
    import boto3
    import botocore.config

    os.environ.update(CREDS)
    iam = boto3.client(
        "iam",
        endpoint_url=args.url,
        config=botocore.config.Config(
            max_pool_connections=THREADS, retries={"mode": "standard", "max_attempts": 10}
        ),
    )
    details = json.load(open(os.path.join(args.dir, "auth-details.json")))
    report = {r["user"]: r for r in csv.DictReader(open(os.path.join(args.dir, "credential-report.csv")))}
    calls = collections.Counter()
    errors = collections.Counter()

    def call(op, **kw):
        calls[op] += 1
        try:
            return getattr(iam, op)(**kw)
        except iam.exceptions.ClientError as e:
            errors[f"{op}: {e.response['Error']['Code']}"] += 1
            return None

    def quote_numbers(x):
        if isinstance(x, dict):
            return {k: quote_numbers(v) for k, v in x.items()}
        if isinstance(x, list):
            return [quote_numbers(v) for v in x]
        # moto's validator rejects numbers as condition values ("Syntax errors
        # in policy"); AWS accepts both and treats 3600 and "3600" alike.
        return str(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x

    def doc(d):  # the CLI prints documents as JSON objects; the API takes text
        return d if isinstance(d, str) else json.dumps(quote_numbers(d))

    # Customer-managed policies first: everything else attaches them. moto's
    # account id differs from the generator's, so ARNs are mapped.
    arn_map = {}

    def make_policy(p):
        default = next(v for v in p["PolicyVersionList"] if v["IsDefaultVersion"])
        r = call("create_policy", PolicyName=p["PolicyName"], Path=p["Path"], PolicyDocument=doc(default["Document"]))
        if r:
            arn_map[p["Arn"]] = r["Policy"]["Arn"]

    def arn(a):
        return arn_map.get(a, a)  # AWS managed policies exist in moto already

    def make_group(g):
        call("create_group", GroupName=g["GroupName"], Path=g["Path"])
        for p in g.get("GroupPolicyList", []):
            call("put_group_policy", GroupName=g["GroupName"], PolicyName=p["PolicyName"], PolicyDocument=doc(p["PolicyDocument"]))
        for p in g.get("AttachedManagedPolicies", []):
            call("attach_group_policy", GroupName=g["GroupName"], PolicyArn=arn(p["PolicyArn"]))

    def make_user(u):
        name = u["UserName"]
        kw = {"UserName": name, "Path": u["Path"]}
        if u.get("PermissionsBoundary"):
            kw["PermissionsBoundary"] = arn(u["PermissionsBoundary"]["PermissionsBoundaryArn"])
        if u.get("Tags"):
            kw["Tags"] = u["Tags"]
        call("create_user", **kw)
        for g in u.get("GroupList", []):
            call("add_user_to_group", UserName=name, GroupName=g)
        for p in u.get("UserPolicyList", []):
            call("put_user_policy", UserName=name, PolicyName=p["PolicyName"], PolicyDocument=doc(p["PolicyDocument"]))
        for p in u.get("AttachedManagedPolicies", []):
            call("attach_user_policy", UserName=name, PolicyArn=arn(p["PolicyArn"]))
        row = report.get(name, {})
        if row.get("password_enabled") == "true":
            call("create_login_profile", UserName=name, Password="Synthetic-Passw0rd!")
        for k in ("1", "2"):  # a key exists when it was ever rotated (created)
            if row.get(f"access_key_{k}_last_rotated", "N/A") != "N/A":
                r = call("create_access_key", UserName=name)
                if r and row.get(f"access_key_{k}_active") != "true":
                    call("update_access_key", UserName=name, AccessKeyId=r["AccessKey"]["AccessKeyId"], Status="Inactive")
        if row.get("mfa_active") == "true":
            r = call("create_virtual_mfa_device", VirtualMFADeviceName=name)
            if r:
                call("enable_mfa_device", UserName=name, SerialNumber=r["VirtualMFADevice"]["SerialNumber"],
                     AuthenticationCode1="123456", AuthenticationCode2="654321")

    def make_role(r):
        kw = {"RoleName": r["RoleName"], "Path": r["Path"], "AssumeRolePolicyDocument": doc(r["AssumeRolePolicyDocument"])}
        if r.get("PermissionsBoundary"):
            kw["PermissionsBoundary"] = arn(r["PermissionsBoundary"]["PermissionsBoundaryArn"])
        call("create_role", **kw)
        for p in r.get("RolePolicyList", []):
            call("put_role_policy", RoleName=r["RoleName"], PolicyName=p["PolicyName"], PolicyDocument=doc(p["PolicyDocument"]))
        for p in r.get("AttachedManagedPolicies", []):
            call("attach_role_policy", RoleName=r["RoleName"], PolicyArn=arn(p["PolicyArn"]))

    t0 = time.monotonic()
    customer = [p for p in details["Policies"] if ":aws:policy/" not in p["Arn"]]
    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        for stage, fn, items in [
            ("policies", make_policy, customer),
            ("groups", make_group, details["GroupDetailList"]),
            ("users and roles", None, None),
        ]:
            if fn is None:
                futs = [pool.submit(make_user, u) for u in details["UserDetailList"]]
                futs += [pool.submit(make_role, r) for r in details["RoleDetailList"]]
                # Service-linked role paths are reserved in AWS; moto accepts them.
            else:
                futs = [pool.submit(fn, x) for x in items]
            for f in futs:
                f.result()
            print(f"populate: {stage} done ({sum(calls.values())} calls, {time.monotonic() - t0:.0f} s)", file=sys.stderr)
    summary = {"calls": dict(calls), "errors": dict(errors), "seconds": round(time.monotonic() - t0, 1),
               "users": len(details["UserDetailList"]), "groups": len(details["GroupDetailList"]),
               "roles": len(details["RoleDetailList"]), "customer_policies": len(customer)}
    json.dump(summary, sys.stdout, indent=1)
    print()
    if sum(errors.values()) > 0.01 * sum(calls.values()):
        sys.exit(f"populate: too many errors: {dict(errors)}")


# ---------------------------------------------------------------- measure


def region(entry):
    """The region a recorded request was signed for."""
    auth = {k.lower(): v for k, v in entry.get("headers", {}).items()}.get("authorization", "")
    parts = auth.split("Credential=")[1].split(",")[0].split("/") if "Credential=" in auth else []
    return parts[-3] if len(parts) >= 4 else "?"


def operation(entry):
    """(service, operation) of one recorded request."""
    h = {k.lower(): v for k, v in entry.get("headers", {}).items()}
    service = "?"
    auth = h.get("authorization", "")
    if "Credential=" in auth:  # .../date/region/service/aws4_request
        parts = auth.split("Credential=")[1].split(",")[0].split("/")
        if len(parts) >= 4:
            service = parts[-2]
    if "x-amz-target" in h:  # JSON protocol
        return service, h["x-amz-target"].split(".")[-1]
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    query = urllib.parse.urlsplit(entry.get("url", "")).query
    for text in (body, query):
        action = urllib.parse.parse_qs(text).get("Action")
        if action:
            return service, action[0]
    return service, f"{entry.get('method')} {urllib.parse.urlsplit(entry.get('url', '')).path}"


def measure(args):
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    env = dict(os.environ, **CREDS, AWS_ENDPOINT_URL=args.url)
    api(args.url, "/moto-api/recorder/stop-recording")
    api(args.url, "/moto-api/recorder/reset-recording")
    api(args.url, "/moto-api/recorder/start-recording")
    t0 = time.monotonic()
    log = open(args.out + ".log", "w")
    try:
        rc = subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=args.timeout).returncode
        timed_out = False
    except subprocess.TimeoutExpired:
        rc, timed_out = None, True
    wall = time.monotonic() - t0
    api(args.url, "/moto-api/recorder/stop-recording")
    lines = api(args.url, "/moto-api/recorder/download-recording", "GET").decode().splitlines()
    entries = [json.loads(line) for line in lines if line.strip()]
    ops = collections.Counter(operation(e) for e in entries)
    result = {
        "tool": args.name, "users": args.users, "command": " ".join(cmd), "exit_code": rc,
        "timed_out": timed_out, "wall_s": round(wall, 1), "total_calls": sum(ops.values()),
        "calls": {f"{s}:{o}": n for (s, o), n in sorted(ops.items(), key=lambda x: (-x[1], x[0]))},
        "regions": dict(collections.Counter(region(e) for e in entries).most_common()),
        "log": args.out + ".log",
    }
    json.dump(result, open(args.out, "w"), indent=1)
    print(f"{args.name} N={args.users}: {result['total_calls']} calls, exit {rc}, {wall:.1f} s"
          + (" (timed out)" if timed_out else ""), file=sys.stderr)


def table(args):
    rows = [json.load(open(f)) for f in args.files]
    print("| tool | N users | API calls | calls per user | exit code | wall s |")
    print("| --- | ---: | ---: | ---: | --- | ---: |")
    for r in rows:
        status = "timed out" if r["timed_out"] else str(r["exit_code"])
        print(f"| {r['tool']} | {r['users']:,} | {r['total_calls']:,} | {r['total_calls'] / r['users']:.2f} | {status} | {r['wall_s']} |")
    # One table of calls by operation, a column per run, busiest operations first.
    ops = collections.Counter()
    for r in rows:
        ops.update(r["calls"])
    print()
    print("| operation | " + " | ".join(f"{r['tool']}, N = {r['users']:,}" for r in rows) + " |")
    print("| --- |" + " ---: |" * len(rows))
    for op, _ in sorted(ops.items(), key=lambda x: (-x[1], x[0])):
        print(f"| `{op}` | " + " | ".join(f"{r['calls'].get(op, 0):,}" if r["calls"].get(op) else "" for r in rows) + " |")
    print("| **total** | " + " | ".join(f"**{r['total_calls']:,}**" for r in rows) + " |")
    for r in rows:
        if r.get("regions"):
            print(f"\n{r['tool']}, N = {r['users']:,}: requests signed for {r['regions']}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("populate")
    a.add_argument("--url", required=True)
    a.add_argument("--dir", required=True)
    a = sub.add_parser("measure")
    a.add_argument("--url", required=True)
    a.add_argument("--name", required=True)
    a.add_argument("--users", type=int, required=True)
    a.add_argument("--out", required=True)
    a.add_argument("--timeout", type=float, default=1200)
    a.add_argument("cmd", nargs=argparse.REMAINDER)
    a = sub.add_parser("table")
    a.add_argument("files", nargs="+")
    args = p.parse_args()
    {"populate": populate, "measure": measure, "table": table}[args.command](args)


if __name__ == "__main__":
    main()
