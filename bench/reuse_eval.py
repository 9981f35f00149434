#!/usr/bin/env python3
"""Relations on real graded reuse: the Clough & Stevenson short-answer corpus in ../shared.

Each of 95 answers rewrites one of 5 Wikipedia sources at a known level: cut (copy and paste),
light revision, heavy revision, or non (written independently). The corpus is converted to JSONL
(ids are file names), `reprint pairs` runs over it, and the relation reported between each answer
and its own source is tabulated by level. Needs xlrd for the spreadsheet: run it with the bench
virtualenv (`bench/reuse_eval.sh` creates it).
"""
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import xlrd

root = Path(__file__).resolve().parent.parent
data = root.parent / "shared/data/clough-stevenson-short-answer-reuse"
if not data.exists():
    sys.exit(f"{data} not found: this evaluation needs ../shared")
sheet = xlrd.open_workbook(data / "corpus-final09.xls").sheet_by_name("File list")
answers = {}
for row in range(1, sheet.nrows):
    name, _, _, task, category = sheet.row_values(row)[:5]
    answers[name] = (task, category)

with tempfile.TemporaryDirectory() as tmp:
    corpus = Path(tmp) / "clough.jsonl"
    with corpus.open("w") as out:
        for path in sorted((data / "corpus-20090418").glob("*.txt")):
            text = path.read_bytes().decode("cp1252", errors="replace")
            out.write(json.dumps({"id": path.name, "text": text}) + "\n")
    run = subprocess.run(
        [str(root / "target/release/reprint"), "pairs", str(corpus), *sys.argv[1:]],
        capture_output=True, text=True, check=True,
    )
relation = {}
for line in run.stdout.splitlines():
    pair = json.loads(line)
    relation[frozenset((pair["a"], pair["b"]))] = pair

levels = ["cut", "light", "heavy", "non"]
table = {level: Counter() for level in levels}
shares = {level: [] for level in levels}
for name, (task, category) in answers.items():
    pair = relation.get(frozenset((name, f"orig_task{task}.txt")))
    table[category][pair["relation"] if pair else "none"] += 1
    if pair:
        share = pair["share_a"] if pair["a"] == name else pair["share_b"]
        shares[category].append(share)

print(f"{'level':<7} {'answers':>7} {'copy':>5} {'partial':>8} {'none':>5}  median share of the answer reused")
for level in levels:
    counts = table[level]
    total = sum(counts.values())
    values = sorted(shares[level])
    median = f"{values[len(values) // 2]:.2f}" if values else "-"
    print(f"{level:<7} {total:>7} {counts['copy']:>5} {counts['partial']:>8} {counts['none']:>5}  {median}")
derived = sum(table[l]["copy"] + table[l]["partial"] for l in levels[:3])
derived_total = sum(sum(table[l].values()) for l in levels[:3])
false = table["non"]["copy"] + table["non"]["partial"]
print(f"\nderived answers reported as reuse: {derived}/{derived_total}; independent answers reported as reuse: {false}/{sum(table['non'].values())}")
