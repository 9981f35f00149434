#!/usr/bin/env python3
"""Helpers for bench/run.sh: turn one timed `reprint scan` into a result line, and print the
table of all results with the peers' (from ../shared/bench/peers.py --json).

Quality is measured the way peers.py measures it, so the numbers compare: a verified pair is
a true positive when both documents belong to the same planted group of the truth file;
recall is over all pairs inside planted groups."""
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


def shingles(text, k=5):
    words = re.sub(r"[^a-z0-9 ]", "", text.lower().replace("\n", " ")).split()
    return {tuple(words[i:i + k]) for i in range(len(words) - k + 1)}


def quality(pairs_path, truth_path, corpus_path, exact):
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
    tp = sum(cluster.get(a) == cluster.get(b) for a, b in found)
    out = {"verified_pairs": len(found), "truth_pairs": truth_pairs,
           "pair_precision": round(tp / max(1, len(found)), 4), "pair_recall": round(tp / max(1, truth_pairs), 4)}
    if exact:
        # Recall at the threshold, checked independently of reprint: exact Jaccard (lower-cased
        # ASCII words, 5-word shingles) of every pair inside a planted group.
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
    out = {"tool": "reprint", "docs": args.docs, "threads": args.threads, "wall_s": round(wall, 2),
           "cpu_s": round(cpu, 2), "peak_mb": round(peak_mb), "docs_per_s": round(args.docs / wall),
           "mib_per_s": round(size / 2**20 / wall, 1), "corpus_mib": round(size / 2**20, 1)}
    if args.truth and os.path.exists(args.truth):
        out.update(quality(args.pairs, args.truth, args.corpus, args.exact))
    print(json.dumps(out))


def peer_rows(path):
    if not path or not os.path.exists(path):
        return []
    rows = []
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            # End to end: every phase but the CORE subtotal (which repeats sig+insert+query) and
            # rensa's "*_only" re-measurements of its signature step (not counted by peers.py).
            phases = {p["phase"]: p["secs"] for p in o.get("phases", [])}
            total = sum(v for k, v in phases.items() if not k.startswith("CORE") and not k.endswith("_only"))
            rows.append({"tool": o["peer"], "docs": o["ndocs"], "threads": o["threads"],
                         "wall_s": round(total, 2), "peak_mb": round(o.get("peak_mb", 0)),
                         "mib_per_s": round(o["mib"] / total, 1) if total else 0,
                         "pair_recall": o.get("pair_recall"), "pair_precision": o.get("pair_precision"),
                         "shape": f"{o['bands']}x{o['rows']}"})
    return rows


def table(args):
    results = [json.loads(l) for l in open(args.results)]
    peers = peer_rows(args.peers)
    print(f"\nreprint derives {args.bands} bands x {args.rows} rows for threshold 0.5 and 128 hashes.\n")
    print("| tool | LSH | docs | threads | wall s | docs/s | MiB/s | peak RSS MB | pair recall (planted groups) | pair precision | recall at J>=0.5 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        if r["tool"] != "reprint":
            continue
        print(f"| reprint scan | {args.bands}x{args.rows} | {r['docs']:,} | {r['threads']} | {r['wall_s']} | {r['docs_per_s']:,} | "
              f"{r['mib_per_s']} | {r['peak_mb']} | {r.get('pair_recall', '')} | {r.get('pair_precision', '')} | "
              f"{r.get('recall_at_threshold', '')} |")
    for p in peers:
        docs = p["docs"] or 0
        print(f"| {p['tool']} | {p['shape']} | {docs:,} | {p['threads']} | {p['wall_s']} | "
              f"{round(docs / p['wall_s']) if p['wall_s'] else 0:,} | {p['mib_per_s']} | {p['peak_mb']} | "
              f"{p['pair_recall']} | {p['pair_precision']} | |")
    for r in results:
        if r["tool"] == "reprint gen":
            print(f"\nreprint gen --docs {r['docs']:,}: {r['wall_s']} s")
    ours = {(r["docs"], r["threads"]): r for r in results if r["tool"] == "reprint"}
    for p in peers:
        mine = ours.get((p["docs"], 1))
        if mine and p["wall_s"]:
            print(f"reprint is {p['wall_s'] / mine['wall_s']:.1f}x faster than {p['tool']} end to end "
                  f"({p['docs']:,} docs, one thread each)")
    for n in sorted({d for d, _ in ours}):
        if (n, 1) in ours and (n, 2) in ours:
            print(f"{n:,} docs: 2 threads / 1 thread speed-up {ours[(n, 1)]['wall_s'] / ours[(n, 2)]['wall_s']:.2f}x")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("--time", required=True)
    r.add_argument("--corpus", required=True)
    r.add_argument("--truth")
    r.add_argument("--pairs", required=True)
    r.add_argument("--docs", type=int, required=True)
    r.add_argument("--threads", type=int, required=True)
    r.add_argument("--exact", action="store_true", help="also compute recall at the threshold")
    t = sub.add_parser("table")
    t.add_argument("--results", required=True)
    t.add_argument("--peers")
    t.add_argument("--bands")
    t.add_argument("--rows")
    args = ap.parse_args()
    record(args) if args.cmd == "record" else table(args)


if __name__ == "__main__":
    main()
