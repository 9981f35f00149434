"""reprint.spark.dedup on Spark in local mode with 2 workers against `reprint scan`.

Needs pyspark, pandas and a Java runtime; skipped without them unless
REPRINT_SPARK_TESTS=required (as `.ci/run` sets it), which makes their absence a failure.
"""

import json
import os
import subprocess
import sys

import pytest

from test_reprint import NEWS, cli


def _spark_or_skip():
    try:
        from pyspark.sql import SparkSession
    except ImportError as missing:
        if os.environ.get("REPRINT_SPARK_TESTS") == "required":
            raise
        pytest.skip(f"pyspark is not installed: {missing}")
    return SparkSession


@pytest.fixture(scope="module")
def spark():
    SparkSession = _spark_or_skip()
    # The executors' Python workers must import this interpreter's reprint.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2]").appName("reprint-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4")
               # Files over 16 MB are read in several partitions (the 20,000 articles in six),
               # so that input order is kept across partitions.
               .config("spark.sql.files.maxPartitionBytes", "16m")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def cli_scan(path, out):
    subprocess.run([cli(), "scan", path, "--out", out, "--no-report"], check=True,
                   capture_output=True)
    return {name: [json.loads(line) for line in (out / f"{name}.jsonl").read_text().splitlines()]
            for name in ["docs", "pairs", "clusters"]}


def dedup(spark, path, components):
    import reprint.spark

    df = spark.read.json(str(path))
    return reprint.spark.dedup(df, date_col="date", title_col="title", source_col="source",
                               components=components)


#: Where the corpus-wide step runs: both must give the CLI's result.
WHERE = pytest.mark.parametrize("components", ["driver", "distributed"])


def assert_same_as_the_cli(result, expected):
    docs = [row.asDict() for row in result.docs.collect()]
    assert len(docs) == len(expected["docs"]), "one row per record"
    outcome = lambda d: (d["id"], d["status"], d["cluster"], d["duplicate_of"], d["similarity"])
    assert [outcome(d) for d in docs] == [outcome(d) for d in expected["docs"]]
    pairs = [row.asDict(recursive=True) for row in result.pairs.collect()]
    for pair in expected["pairs"]:
        pair["passages"] = [{k: q[k] for k in ["a_start", "a_end", "b_start", "b_end", "words"]}
                            for q in pair.get("passages") or []]
    assert pairs == expected["pairs"]
    # The clusters and their originals, as the CLI's clusters.jsonl gives them.
    members = {}
    for d in docs:
        if d["cluster"] is not None:
            members.setdefault(d["cluster"], []).append(d["id"])
    originals = {d["cluster"]: d["id"] for d in docs if d["status"] == "original"}
    assert {c["cluster"]: sorted(c["members"]) for c in expected["clusters"]} == \
        {c: sorted(m) for c, m in members.items()}
    assert {c["cluster"]: c["representative"] for c in expected["clusters"]} == originals
    return docs, pairs


@WHERE
def test_dedup_equals_the_cli_on_the_sample_corpus(spark, tmp_path, components):
    expected = cli_scan(NEWS, tmp_path)
    docs, pairs = assert_same_as_the_cli(dedup(spark, NEWS, components), expected)
    assert sum(p["relation"] == "partial" for p in pairs) >= 5
    assert len({d["cluster"] for d in docs if d["cluster"] is not None}) >= 8
    # Every decision comes with its reasons.
    original = next(d for d in docs if d["status"] == "original")
    assert original["relation_reasons"][0].startswith("original of cluster")
    duplicate = next(d for d in docs if d["status"] == "duplicate")
    assert any(r.startswith(f"copy from {duplicate['duplicate_of']}: copy")
               for r in duplicate["relation_reasons"])


@WHERE
def test_dedup_equals_the_cli_on_20000_generated_articles(spark, tmp_path, components):
    corpus = tmp_path / "gen.jsonl"
    subprocess.run([cli(), "gen", "--docs", "20000", "--seed", "3", "--syndication", "-o", corpus],
                   check=True, capture_output=True)
    expected = cli_scan(corpus, tmp_path)
    assert spark.read.json(str(corpus)).rdd.getNumPartitions() > 1
    docs, pairs = assert_same_as_the_cli(dedup(spark, corpus, components), expected)
    assert len(pairs) > 5000
    assert sum(d["status"] == "duplicate" for d in docs) > 1000


@WHERE
def test_every_row_is_accounted_for_and_bad_rows_are_named(spark, components):
    import reprint.spark

    rows = [
        ("a", "The council approved the new harbour wall after a long debate on costs " * 3),
        ("b", ""),
        ("a", "Another text with the same id is refused, as the command line refuses it."),
        ("c", None),
        ("d", "too short"),
    ]
    df = spark.createDataFrame(rows, "id string, text string")
    docs = [r.asDict() for r in reprint.spark.dedup(df, components=components).docs.collect()]
    assert [d["id"] for d in docs] == ["a", "b", "a", "c", "d"]
    assert [d["status"] for d in docs] == ["unique"] + ["rejected"] * 4
    assert docs[1]["reason"] == "empty text"
    assert docs[2]["reason"].startswith('duplicate id "a" (first used at dataframe:1)')
    assert "text" in docs[3]["reason"]
    assert docs[4]["reason"].startswith("too short")


def test_bad_parameters_raise_the_clis_message(spark):
    import reprint.spark

    df = spark.createDataFrame([("a", "text")], "id string, text string")
    with pytest.raises(ValueError, match=r"--threshold: must be in \(0, 1\], got 1.5"):
        reprint.spark.dedup(df, threshold=1.5)
    with pytest.raises(ValueError, match=r'components: must be "auto", "driver" or'):
        reprint.spark.dedup(df, components="executors")


def test_a_frame_of_only_bad_rows_raises_the_clis_error(spark):
    import reprint
    import reprint.spark

    df = spark.createDataFrame([("a", ""), ("b", "too short")], "id string, text string")
    with pytest.raises(reprint.ReprintError,
                       match=r"no document read: all 2 records were rejected; the first: empty"):
        reprint.spark.dedup(df)
