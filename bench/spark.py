"""reprint.spark.dedup beside `reprint scan` on one corpus, in one run (the machine is shared:
compare the ratios), with what each step of the Spark path costs.

    target/py/bin/python bench/spark.py CORPUS.jsonl [WORKERS] [COMPONENTS]

Runs `reprint scan` (release build, as many threads as WORKERS) under /usr/bin/time, then
reprint.spark.dedup in Spark local mode with WORKERS worker threads (default 2) and its
corpus-wide step where COMPONENTS says (`driver`, `distributed`; default `auto`), and checks
that both found the same clusters and pairs. Per step of the Spark path (its jobs are named
`reprint.spark.dedup: ...`) it prints, from Spark's REST API: wall time, executor time, input
and shuffle bytes, and the largest peak execution memory of one task; then per document: shuffle
bytes, verification time; and the peak RSS of the JVM, of the Python workers and of this
process (the driver, where the corpus-wide step runs in Rust), sampled from /proc every 0.2 s. Needs `pip install ./python[spark]` and a Java runtime.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cli_scan(path, threads):
    out = tempfile.mkdtemp()
    start = time.perf_counter()
    run = subprocess.run(
        ["/usr/bin/time", "-f", "%M", str(ROOT / "target/release/reprint"), "scan", path,
         "--out", out, "--no-report", "--threads", str(threads)],
        check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    peak_mb = int(run.stderr.strip().splitlines()[-1]) / 1024
    # Outcomes compared by digest, so that this process's memory is the driver's, not a
    # million parsed lines'.
    digest, records = hashlib.sha256(), 0
    for line in open(f"{out}/docs.jsonl"):
        digest.update(outcome(json.loads(line)))
        records += 1
    pairs = sum(1 for _ in open(f"{out}/pairs.jsonl"))
    return wall, peak_mb, records, digest.hexdigest(), pairs


def outcome(doc):
    return repr((doc["id"], doc["status"], doc["cluster"], doc["duplicate_of"])).encode()


class RssSampler(threading.Thread):
    """The peak RSS of this process's descendants: the JVM, and the Python workers."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peaks = defaultdict(float)
        self.running = True

    def run(self):
        while self.running:
            totals = defaultdict(float)
            for pid, name in descendants(os.getpid()):
                kind = "jvm" if name == "java" else "python workers"
                totals[kind] += rss_mb(pid)
            totals["driver (this process)"] = rss_mb(os.getpid())
            for kind, mb in totals.items():
                self.peaks[kind] = max(self.peaks[kind], mb)
            time.sleep(0.2)


def descendants(root):
    children = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                name = Path(f"/proc/{entry}/comm").read_text().strip()
            except OSError:
                continue
            children[int(fields[1])].append((int(entry), name))
    out, todo = [], [root]
    while todo:
        for pid, name in children.get(todo.pop(), []):
            out.append((pid, name))
            todo.append(pid)
    return out


def rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def rest(spark, endpoint):
    app = spark.sparkContext.applicationId
    url = f"{spark.sparkContext.uiWebUrl}/api/v1/applications/{app}/{endpoint}"
    with urllib.request.urlopen(url) as response:
        return json.load(response)


def parse_time(text):
    # "2026-12-02T18:30:01.123GMT"
    return time.mktime(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")) + float(text[19:23])


def main():
    path = sys.argv[1]
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    components = sys.argv[3] if len(sys.argv) > 3 else "auto"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    with open(path, "rb") as f:
        size_mb = sum(len(line) for line in f) / 1e6

    cli_wall, cli_peak, n, cli_digest, cli_pairs = cli_scan(path, workers)
    print(f"{n} records, {size_mb:.1f} MB")
    print(f"reprint scan --threads {workers}: {cli_wall:.1f} s, {n / cli_wall:.0f} docs/s, "
          f"{size_mb / cli_wall:.1f} MB/s, peak RSS {cli_peak:.0f} MB")

    from pyspark.sql import SparkSession

    import reprint.spark

    sampler = RssSampler()
    sampler.start()
    start = time.perf_counter()
    spark = (SparkSession.builder.master(f"local[{workers}]").appName("reprint-bench")
             # Spark's default 200 shuffle partitions, which adaptive execution coalesces:
             # with 8, grouping a million articles' fingerprints ran out of memory.
             .config("spark.driver.memory", "8g")
             .config("spark.ui.showConsoleProgress", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    started = time.perf_counter()
    df = spark.read.json(path)
    result = reprint.spark.dedup(df, date_col="date", title_col="title", source_col="source",
                                 components=components)
    digest = hashlib.sha256()
    for batch in result.docs.select("id", "status", "cluster", "duplicate_of").toArrow().to_batches():
        for doc in batch.to_pylist():
            digest.update(outcome(doc))
    pairs = result.pairs.count()
    done = time.perf_counter()

    same = digest.hexdigest() == cli_digest and pairs == cli_pairs
    wall = done - started
    print(f"reprint.spark.dedup local[{workers}], components={components}: {wall:.1f} s ({started - start:.1f} s more to "
          f"start Spark), {n / wall:.0f} docs/s, {size_mb / wall:.1f} MB/s; "
          f"same clusters and pairs as the CLI: {same}")

    stages = {s["stageId"]: s for s in rest(spark, "stages?status=complete")}
    steps = defaultdict(lambda: defaultdict(float))
    order = []
    for job in sorted(rest(spark, "jobs"), key=lambda j: j["jobId"]):
        name = job.get("description", job["name"]).replace("reprint.spark.dedup: ", "")
        name = "verify (round)" if name.startswith("verify ") else name
        if name not in steps:
            order.append(name)
        step = steps[name]
        if "completionTime" in job:
            step["wall"] += parse_time(job["completionTime"]) - parse_time(job["submissionTime"])
        for stage_id in job["stageIds"]:
            stage = stages.pop(stage_id, None)
            if stage is None:
                continue
            step["executor"] += stage["executorRunTime"] / 1000
            step["input"] += stage["inputBytes"]
            step["shuffle write"] += stage["shuffleWriteBytes"]
            step["shuffle read"] += stage["shuffleReadBytes"]
            # The largest task's peak, from the stage's task summary (the stage's own figure is
            # the sum over its tasks).
            summary = rest(spark, f"stages/{stage_id}/{stage['attemptId']}/taskSummary"
                                  "?quantiles=1.0")
            task_peak = summary.get("peakExecutionMemory", [0])[0]
            step["peak execution memory"] = max(step["peak execution memory"], task_peak)
    print(f"\n{'step':62} {'jobs s':>7} {'exec s':>7} {'shuffle MB':>10} {'B/doc':>7} "
          f"{'task peak MB':>12}")
    total_shuffle = 0
    for name in order:
        s = steps[name]
        total_shuffle += s["shuffle write"]
        print(f"{name[:62]:62} {s['wall']:7.1f} {s['executor']:7.1f} "
              f"{s['shuffle write'] / 1e6:10.1f} {s['shuffle write'] / n:7.0f} "
              f"{s['peak execution memory'] / 1e6:12.1f}")
    verify_exec = sum(s["executor"] for name, s in steps.items() if name.startswith("verify"))
    print(f"\nper document: {total_shuffle / n:.0f} shuffle bytes written, "
          f"{verify_exec / n * 1e3:.2f} ms of executor time verifying")
    sampler.running = False
    sampler.join()
    spark.stop()
    print("peak RSS: " + ", ".join(f"{k} {v:.0f} MB" for k, v in sorted(sampler.peaks.items())))


if __name__ == "__main__":
    main()
