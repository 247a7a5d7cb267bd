#!/usr/bin/env python3
"""Adds a deterministic WorkMail organization to a wmaudit snapshot, for the
WorkMail-at-scale benchmark (docs/benchmarks.md):

    scripts/synth-workmail.py IN.json OUT.json [--users 20000] [--groups 500] [--resources 50]

Every tenth mailbox grants FULL_ACCESS and SEND_AS to a user and FULL_ACCESS
to a group; groups hold 40 random users and nest in a chain (group N contains
group N-1, the worst case for expansion); two impersonation roles (one over
all users but one); half the mailboxes have a completed export job.
"""
import argparse
import json
import random

ap = argparse.ArgumentParser()
ap.add_argument("input")
ap.add_argument("output")
ap.add_argument("--users", type=int, default=20000)
ap.add_argument("--groups", type=int, default=500)
ap.add_argument("--resources", type=int, default=50)
ap.add_argument("--seed", type=int, default=7)
a = ap.parse_args()
random.seed(a.seed)
d = json.load(open(a.input))
acct = d["metadata"].get("account_id") or "123456789012"
N, G, R = a.users, a.groups, a.resources
ORG = "m-" + "5" * 32


def uid(n):
    return f"a1b2c3d4-0000-4000-8000-{n:012d}"


def gid(n):
    return f"b1b2c3d4-0000-4000-8000-{n:012d}"


users = [{"id": uid(i), "email": f"user{i}@example.com", "name": f"user{i}", "state": "ENABLED",
          "user_role": "USER", "permissions": []} for i in range(1, N + 1)]
for i in range(1, N + 1, 10):
    users[i - 1]["permissions"] = [
        {"grantee_id": uid((i * 7) % N + 1), "grantee_type": "USER", "permission_values": ["FULL_ACCESS", "SEND_AS"]},
        {"grantee_id": gid((i % G) + 1), "grantee_type": "GROUP", "permission_values": ["FULL_ACCESS"]},
    ]
groups = []
for g in range(1, G + 1):
    members = [{"id": uid(random.randint(1, N)), "type": "USER"} for _ in range(40)]
    if g > 1:
        members.append({"id": gid(g - 1), "type": "GROUP"})
    groups.append({"id": gid(g), "name": f"group{g}", "state": "ENABLED", "members": members, "permissions": []})
resources = [{"id": f"r-{r:032d}", "name": f"room{r}", "type": "ROOM", "state": "ENABLED",
              "delegates": [{"id": uid(r), "type": "USER"}], "permissions": []} for r in range(1, R + 1)]
roles = [
    {"id": "c0000000-0000-4000-8000-000000000001", "name": "Migration", "type": "READ_ONLY",
     "rules": [{"id": "r", "effect": "ALLOW", "not_target_users": [uid(1)]}]},
    {"id": "c0000000-0000-4000-8000-000000000002", "name": "Legal", "type": "FULL_ACCESS",
     "rules": [{"id": "r", "effect": "ALLOW", "target_users": [uid(i) for i in range(1, 100)]}]},
]
jobs = [{"job_id": f"job-{i}", "entity_id": uid(i), "state": "COMPLETED", "start_time": "2026-11-18T10:00:00Z"}
        for i in range(1, N // 2)]
d["metadata"]["format"] = "wmaudit-snapshot/2"
d["workmail"] = {"regions": [{"region": "us-east-1"}], "organizations": [{
    "id": ORG, "region": "us-east-1", "arn": f"arn:aws:workmail:us-east-1:{acct}:organization/{ORG}",
    "users": users, "groups": groups, "resources": resources, "impersonation_roles": roles,
    "access_control_rules": [{"name": "default-rule", "effect": "ALLOW"}], "email_monitoring": {},
    "export_jobs": jobs, "export_jobs_since": "2026-11-13T00:00:00Z", "personal_access_tokens": [],
    "not_read": []}]}
json.dump(d, open(a.output, "w"))
