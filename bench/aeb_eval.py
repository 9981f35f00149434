#!/usr/bin/env python3
"""Scores article-body extraction on the Article Extraction Benchmark in ../shared.

Metric (as the benchmark defines it): tokens are lower-cased `\\w+` runs; each text becomes the
multiset of its 4-token shingles; per page, precision and recall of the predicted multiset
against the gold one (an empty prediction of an empty gold text counts 1/1); precision and
recall are averaged over the 181 pages and F1 is taken of the two averages. This reproduces the
benchmark's published table (html-text 0.665, rs_trafilatura 0.970, dom_smoothie 0.865).

  bench/aeb_eval.py [PREDICTIONS.json ...]

Each predictions file maps page ids to {"articleBody": text} (optionally wrapped as
{"output": {...}}). With no argument, scores the stored outputs of the benchmark's systems.
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

root = Path(__file__).resolve().parent.parent
bench = root.parent / "shared/data/scrapinghub-article-extraction-benchmark"
if not bench.exists():
    sys.exit(f"{bench} not found: this evaluation needs ../shared")
gold = json.loads((bench / "ground-truth.json").read_text())
TOKEN = re.compile(r"\w+")


def shingles(text):
    words = TOKEN.findall(text.lower())
    return Counter(tuple(words[i:i + 4]) for i in range(max(len(words) - 3, 0)))


def precision_recall(predicted, expected):
    p, g = shingles(predicted), shingles(expected)
    if not p and not g:
        return 1.0, 1.0
    common = sum((p & g).values())
    return (common / sum(p.values()) if p else 0.0, common / sum(g.values()) if g else 0.0)


def score(predictions):
    pairs = []
    for page, item in gold.items():
        predicted = predictions.get(page) or {}
        text = predicted.get("articleBody", "") if isinstance(predicted, dict) else str(predicted)
        pairs.append(precision_recall(text or "", item["articleBody"]))
    precision = sum(p for p, _ in pairs) / len(pairs)
    recall = sum(r for _, r in pairs) / len(pairs)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def load(path):
    data = json.loads(Path(path).read_text())
    return data["output"] if "output" in data and "version" in data else data


paths = sys.argv[1:] or sorted(str(p) for p in (bench / "output").glob("*.json"))
rows = [(Path(p).stem, *score(load(p))) for p in paths]
print(f"{'system':<24} {'F1':>6} {'precision':>9} {'recall':>6}")
for name, f1, precision, recall in sorted(rows, key=lambda r: -r[1]):
    print(f"{name:<24} {f1:>6.3f} {precision:>9.3f} {recall:>6.3f}")
