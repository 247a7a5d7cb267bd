#!/usr/bin/env python3
"""Prints the offline results of scripts/bench (a TSV of /usr/bin/time -v runs:
tool, N, run, wall s, user s, sys s, max RSS KB, exit code) as a Markdown table
of medians, with Cloudsplaining's time over wmaudit's for the same N."""
import statistics
import sys

runs = {}
for line in open(sys.argv[1]):
    if line.strip():
        tool, n, _run, wall, user, sys_, rss, rc = line.rstrip("\n").split("\t")
        runs.setdefault((tool, int(n)), []).append((float(wall), float(user) + float(sys_), int(rss) / 1024, rc))


def medians(tool, n):
    """(note, wall, cpu, peak MB, successful runs, all runs) or None."""
    r = runs.get((tool, n))
    if not r:
        return None
    ok = [x for x in r if x[3] == "0"]
    if not ok:  # timeout(1) exits 124
        note = "timed out (600 s)" if any(x[3] == "124" for x in r) else f"failed (exit {r[0][3]})"
        return note, None, None, None, 0, len(r)
    return None, *(statistics.median(x[i] for x in ok) for i in range(3)), len(ok), len(r)


def cells(m):
    if m is None:
        return "not run | — | — | —"
    if m[0]:
        return f"{m[0]} | — | — | 0 of {m[5]}"
    return f"{m[1]:.2f} | {m[2]:.2f} | {m[3]:.0f} | {m[4]}"


print("| N users | wmaudit wall s | wmaudit CPU s | wmaudit peak MB | runs "
      "| Cloudsplaining wall s | Cloudsplaining CPU s | Cloudsplaining peak MB | runs "
      "| ratio, wall | ratio, CPU |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for n in sorted({k[1] for k in runs}):
    w, c = medians("wmaudit", n), medians("cloudsplaining", n)
    ok = w and c and not w[0] and not c[0]
    ratio_wall = f"{c[1] / w[1]:.0f}x" if ok else "—"
    ratio_cpu = f"{c[2] / max(w[2], 0.01):.0f}x" if ok else "—"
    print(f"| {n:,} | {cells(w)} | {cells(c)} | {ratio_wall} | {ratio_cpu} |")
