#!/usr/bin/env python3
"""Helpers for bench/run.sh: turn one timed `reprint scan` into a result line, and print the
table of all results with the peers' (from ../shared/bench/peers.py --json).

reprint is timed as a whole process (/usr/bin/time: reading, parsing, every stage, writing the
reports). The peers are timed as peers.py times them: its CORE row (signatures, index insert,
query) and end to end (every phase, loading included)."""
import argparse
import collections
import json
import os
import re


def parse_time(path):
    text = open(path).read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    cpu = float(re.search(r"User time \(seconds\): (\S+)", text).group(1)) + float(
        re.search(r"System time \(seconds\): (\S+)", text).group(1))
    return seconds, peak_kb / 1024.0, cpu


def parse_timings(path):
    """The `timings:` line reprint prints with --timings, as {stage: seconds}."""
    for line in open(path):
        if line.startswith("timings: "):
            parts = line[len("timings: "):].strip().split("; ")[0].split(", ")
            return {p.rsplit(" ", 2)[0]: float(p.rsplit(" ", 2)[1]) for p in parts}
    return {}


def shingles(text, k=5):
    words = re.sub(r"[^a-z0-9 ]", "", text.lower().replace("\n", " ")).split()
    return {tuple(words[i:i + k]) for i in range(len(words) - k + 1)}


def quality(pairs_path, truth_path, corpus_path):
    """Pair precision and recall against the planted groups, as peers.py measures them: a pair
    is right when both documents belong to the same planted group; recall is over all pairs
    inside planted groups. Then recall at the threshold, checked independently of reprint:
    the exact Jaccard (lower-cased ASCII words, 5-word shingles) of every pair inside a planted
    group, and the share of those at 0.5 or more that reprint reported."""
    cluster = {}
    with open(truth_path) as f:
        for line in f:
            o = json.loads(line)
            cluster[o["id"]] = o["cluster"]
    sizes = collections.Counter(cluster.values())
    truth_pairs = sum(s * (s - 1) // 2 for s in sizes.values())
    found = set()
    with open(pairs_path) as f:
        for line in f:
            o = json.loads(line)
            found.add((o["a"], o["b"]))
    right = sum(cluster.get(a) == cluster.get(b) for a, b in found)
    out = {"pairs": len(found), "pair_precision": round(right / max(1, len(found)), 4),
           "pair_recall": round(right / max(1, truth_pairs), 4)}
    groups = collections.defaultdict(list)
    for doc, c in cluster.items():
        if sizes[c] > 1:
            groups[c].append(doc)
    wanted = {d for members in groups.values() for d in members}
    sets = {}
    with open(corpus_path) as f:
        for line in f:
            o = json.loads(line)
            if o["id"] in wanted:
                sets[o["id"]] = shingles(o["text"])
    above = []
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                union = len(sets[a] | sets[b])
                if union and len(sets[a] & sets[b]) / union >= 0.5:
                    above.append((a, b))
    hit = sum((a, b) in found or (b, a) in found for a, b in above)
    out.update({"pairs_at_threshold": len(above), "recall_at_threshold": round(hit / max(1, len(above)), 4)})
    return out


def record(args):
    wall, peak_mb, cpu = parse_time(args.time)
    size = os.path.getsize(args.corpus)
    out = {"tool": "reprint", "mode": args.mode, "docs": args.docs, "threads": args.threads,
           "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_mb": round(peak_mb),
           "docs_per_s": round(args.docs / wall), "mib_per_s": round(size / 2**20 / wall, 1),
           "corpus_mib": round(size / 2**20, 1), "stages": parse_timings(args.stderr)}
    if args.truth and os.path.exists(args.truth):
        out.update(quality(args.pairs, args.truth, args.corpus))
    print(json.dumps(out))


def peer_rows(path):
    if not path or not os.path.exists(path):
        return []
    rows = []
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            phases = {p["phase"]: p["secs"] for p in o.get("phases", [])}
            # End to end: every phase but the CORE subtotal and rensa's "*_only" re-measurements.
            total = sum(v for k, v in phases.items() if not k.startswith("CORE") and not k.endswith("_only"))
            rows.append({"tool": o["peer"], "docs": o["ndocs"], "threads": o["threads"],
                         "core_s": o.get("core_secs"), "wall_s": round(total, 2),
                         "peak_mb": round(o.get("peak_mb", 0)), "mib": o["mib"],
                         "pair_recall": o.get("pair_recall"), "pair_precision": o.get("pair_precision"),
                         "shape": f"{o['bands']}x{o['rows']}"})
    return rows


def table(args):
    results = [json.loads(l) for l in open(args.results)]
    peers = peer_rows(args.peers)
    print("| tool | mode | docs | threads | wall s | CPU s | docs/s | MiB/s | peak RSS MB | pair recall | pair precision | recall at J>=0.5 | stages (s) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        stages = ", ".join(f"{k} {v}" for k, v in r.get("stages", {}).items())
        print(f"| reprint scan | {r['mode']} | {r['docs']:,} | {r['threads']} | {r['wall_s']} | {r['cpu_s']} | "
              f"{r['docs_per_s']:,} | {r['mib_per_s']} | {r['peak_mb']} | {r.get('pair_recall', '')} | "
              f"{r.get('pair_precision', '')} | {r.get('recall_at_threshold', '')} | {stages} |")
    for p in peers:
        docs = p["docs"] or 0
        print(f"| {p['tool']} | {p['shape']}, core {p['core_s']:.2f} s | {docs:,} | {p['threads']} | "
              f"{p['wall_s']} | | {round(docs / p['wall_s']) if p['wall_s'] else 0:,} | "
              f"{round(p['mib'] / p['wall_s'], 1) if p['wall_s'] else 0} | {p['peak_mb']} | "
              f"{p['pair_recall']} | {p['pair_precision']} | | |")
    ours = {(r["mode"], r["docs"], r["threads"]): r for r in results}
    print()
    for p in peers:
        for mode in ("default", "comparable"):
            mine = ours.get((mode, p["docs"], 1))
            if mine and p["core_s"]:
                # Records are read on a thread of their own, so a one-thread run may use a
                # little more than one core: the longer of wall and CPU time is what counts.
                spent = max(mine["wall_s"], mine["cpu_s"])
                print(f"reprint {mode} (whole process, {mine['wall_s']} s wall, {mine['cpu_s']} s CPU) is "
                      f"{p['core_s'] / spent:.1f}x {p['tool']}'s core ({p['core_s']:.2f} s) and "
                      f"{p['wall_s'] / spent:.1f}x its end to end ({p['wall_s']} s); one thread each, "
                      f"{p['docs']:,} docs")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("--mode", required=True)
    r.add_argument("--time", required=True)
    r.add_argument("--stderr", required=True)
    r.add_argument("--corpus", required=True)
    r.add_argument("--docs", type=int, required=True)
    r.add_argument("--threads", type=int, required=True)
    r.add_argument("--truth")
    r.add_argument("--pairs")
    t = sub.add_parser("table")
    t.add_argument("--results", required=True)
    t.add_argument("--peers")
    args = ap.parse_args()
    record(args) if args.cmd == "record" else table(args)


if __name__ == "__main__":
    main()
