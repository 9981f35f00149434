"""reprint on Apache Spark: ``dedup`` finds in a DataFrame what ``reprint scan`` finds in a file.

The work is the engine's own operations around reprint's Rust stages:

1. every row is numbered in input order (``zipWithIndex``) and analysed on the executors
   (``mapInArrow``): parsed as the CLI parses a JSONL record, its main text judged, shingled,
   sketched into LSH band keys and winnowed fingerprints;
2. the driver collects each record's outcome and text identity (not its text or keys) to
   reject repeated ids and group identical texts behind a leader, as a scan does;
3. lines found in at least ``template_min_docs`` documents are counted with ``explode`` and
   ``groupBy``;
4. candidate pairs come from ``explode`` and ``groupBy`` on (band, key), buckets of more than
   64 documents paired as a star around their first, as the scan pairs them, and from
   fingerprints shared often enough;
5. each candidate pair is joined with its two texts and verified on the executors
   (``mapInArrow``): exact Jaccard, passages and relation;
6. the driver clusters the copy pairs with the scan's own code (no chaining: a member must be
   linked to its cluster's original directly), verifies the few links and inherited pairs that
   needs on the executors again, counts outlet templates and orients every pair.

Step 6 runs on the driver: it holds, per related pair, its figures and passages, and per
record about 100 bytes; BENCHMARKS.md ("Beyond one machine") gives the measured sizes and
where this stops scaling.
"""

from collections import namedtuple
import json

from . import _native

__all__ = ["dedup", "Dedup"]

Dedup = namedtuple("Dedup", ["docs", "pairs"])
Dedup.__doc__ = """What ``dedup`` returns: ``docs`` (one row per input row) and ``pairs``."""

_ANALYSIS_SCHEMA = (
    "ordinal long, id string, title string, source string, date long, rejected string, "
    "words long, tokens string, content long, bytes long, span_start long, span_end long, "
    "identity_words long, band_keys array<long>, fingerprints array<long>, "
    "line_keys array<long>, text string"
)

_DRIVER_COLUMNS = [
    "ordinal", "id", "title", "source", "date", "rejected", "words", "tokens", "content",
    "bytes", "span_start", "span_end", "identity_words",
]

DOCS_SCHEMA = (
    "id string, status string, cluster long, duplicate_of string, similarity double, "
    "relation_reasons array<string>, reason string"
)

PAIRS_SCHEMA = (
    "a string, b string, relation string, jaccard double, containment_ab double, "
    "containment_ba double, share_a double, share_b double, `from` string, direction string, "
    "reason string, passages array<struct<a_start:long, a_end:long, b_start:long, b_end:long, "
    "words:long>>"
)


def dedup(df, id_col="id", text_col="text", date_col=None, title_col=None, source_col=None,
          **params):
    """Finds the copies and partial reuse among the rows of ``df`` as ``reprint scan`` does.

    ``id_col`` and ``text_col`` name the id and text columns; ``date_col``, ``title_col`` and
    ``source_col`` the optional publication time (a timestamp or a string the CLI reads),
    headline and outlet. ``params`` are ``reprint.scan``'s (the CLI's flags in snake case);
    quality is not assessed here.

    Returns ``Dedup(docs, pairs)``:

    - ``docs``: one row per input row: ``id``, ``status`` (``unique``, ``original``,
      ``duplicate``, ``rejected``), ``cluster``, ``duplicate_of`` (the original's id),
      ``similarity`` (exact Jaccard to it), ``relation_reasons`` (why the row is its cluster's
      original, and each relation through which it took text, with the figures) and
      ``reason`` (why a row was rejected);
    - ``pairs``: the copy and partial pairs as ``pairs.jsonl`` gives them.
    """
    from pyspark.sql import functions as F

    spark = df.sparkSession
    settings = _native.spark_settings(**params)
    fields = [F.col(id_col).alias("id"), F.col(text_col).alias("text")]
    for name, col in [("date", date_col), ("title", title_col), ("source", source_col)]:
        if col is not None:
            fields.append(F.col(col).alias(name))
    records = df.select(F.to_json(F.struct(*fields)).alias("record"))
    numbered = records.rdd.zipWithIndex().map(lambda row: (row[1], row[0][0]))
    indexed = spark.createDataFrame(numbered, "ordinal long, record string")

    def analyze(batches):
        from reprint import _native as native
        for batch in batches:
            yield native.spark_analyze(batch, **params)

    analyzed = indexed.mapInArrow(analyze, _ANALYSIS_SCHEMA).persist()
    try:
        return _dedup_analyzed(spark, analyzed, settings, params)
    finally:
        analyzed.unpersist()


def _dedup_analyzed(spark, analyzed, settings, params):
    from pyspark.sql import functions as F

    meta = analyzed.select(*_DRIVER_COLUMNS).orderBy("ordinal").toArrow()
    driver = _native.SparkDriver(meta, **params)
    duplicate_ids = driver.rejected_as_duplicate_ids()
    left_out = _ordinals(spark, [doc for doc, _ in duplicate_ids])
    accepted = analyzed.where(F.col("rejected").isNull()).join(
        F.broadcast(left_out), "ordinal", "left_anti")

    # Lines in enough documents to be templates: the verification judges lines with them.
    lines = accepted.select("ordinal", F.explode("line_keys").alias("key"))
    recurring = (lines.groupBy("key").count()
                 .where(F.col("count") >= settings["template_min_docs"]).collect())
    recurring_keys = [row["key"] for row in recurring]
    recurring_counts = [row["count"] for row in recurring]
    entries = lines.join(F.broadcast(_keys(spark, recurring_keys)), "key").collect()

    compared = accepted.join(F.broadcast(_ordinals(spark, driver.followers())), "ordinal",
                             "left_anti")
    from_lsh = _band_pairs(compared, settings["star_above"]).persist()
    from_winnow = _fingerprint_pairs(compared, settings)
    if from_winnow is not None:
        from_winnow = from_winnow.persist()
    candidates_df = from_lsh if from_winnow is None else from_lsh.union(from_winnow).distinct()
    candidates = candidates_df.collect()
    counts = (from_lsh.count(), 0 if from_winnow is None else from_winnow.count())

    texts = accepted.select("ordinal", "text", "title").persist()

    def verify_batches(batches):
        from reprint import _native as native
        for batch in batches:
            yield native.spark_verify(batch, recurring_keys, recurring_counts, **params)

    def verify(a, b):
        pairs = spark.createDataFrame(list(zip(a, b)), "a long, b long")
        side = lambda s: texts.select(F.col("ordinal").alias(s), F.col("text").alias("text_" + s),
                                      F.col("title").alias("title_" + s))
        joined = pairs.join(side("a"), "a").join(side("b"), "b").select(
            "a", "b", "text_a", "title_a", "text_b", "title_b")
        return [row["part"] for row in joined.mapInArrow(verify_batches, "part binary").collect()]

    try:
        docs, pairs, clusters = driver.relate(
            [row["key"] for row in entries], [row["ordinal"] for row in entries],
            [row["a"] for row in candidates], [row["b"] for row in candidates], counts, verify)
    finally:
        texts.unpersist()
        from_lsh.unpersist()
        if from_winnow is not None:
            from_winnow.unpersist()

    rejected_here = dict(analyzed.where(F.col("rejected").isNotNull())
                         .select("ordinal", "rejected").collect())
    return Dedup(
        spark.createDataFrame(_doc_rows(docs, pairs, clusters, rejected_here), DOCS_SCHEMA),
        spark.createDataFrame(_pair_rows(pairs), PAIRS_SCHEMA),
    )


def _ordinals(spark, ordinals):
    return spark.createDataFrame([(o,) for o in ordinals], "ordinal long")


def _keys(spark, keys):
    return spark.createDataFrame([(k,) for k in keys], "key long")


def _band_pairs(compared, star_above):
    """Every two documents sharing a band key; a bucket of more than ``star_above`` documents
    paired with its first document only."""
    from pyspark.sql import functions as F

    bands = compared.select("ordinal", F.posexplode("band_keys").alias("band", "key"))
    buckets = bands.groupBy("band", "key").agg(F.count("*").alias("n"),
                                               F.min("ordinal").alias("hub"))
    shared = bands.join(buckets.where(F.col("n") >= 2), ["band", "key"])
    full = shared if star_above is None else shared.where(F.col("n") <= star_above)
    x, y = full.alias("x"), full.alias("y")
    pairs = (x.join(y, ["band", "key"]).where(F.col("x.ordinal") < F.col("y.ordinal"))
             .select(F.col("x.ordinal").alias("a"), F.col("y.ordinal").alias("b")))
    if star_above is not None:
        star = (shared.where((F.col("n") > star_above) & (F.col("ordinal") != F.col("hub")))
                .select(F.col("hub").alias("a"), F.col("ordinal").alias("b")))
        pairs = pairs.union(star)
    return pairs.distinct()


def _fingerprint_pairs(compared, settings):
    """Documents sharing at least ``winnow_min_shared`` fingerprints, fingerprints held by more
    than ``winnow_max_postings`` documents left out; ``None`` when the passage index is off."""
    from pyspark.sql import functions as F

    if settings["winnow_min_shared"] is None:
        return None
    postings = compared.select("ordinal", F.explode("fingerprints").alias("fingerprint"))
    holders = postings.groupBy("fingerprint").count().where(
        (F.col("count") >= 2) & (F.col("count") <= settings["winnow_max_postings"]))
    held = postings.join(holders.select("fingerprint"), "fingerprint")
    x, y = held.alias("x"), held.alias("y")
    return (x.join(y, "fingerprint").where(F.col("x.ordinal") < F.col("y.ordinal"))
            .groupBy(F.col("x.ordinal").alias("a"), F.col("y.ordinal").alias("b")).count()
            .where(F.col("count") >= settings["winnow_min_shared"]).select("a", "b"))


def _lines(text):
    return [json.loads(line) for line in text.splitlines() if line]


def _doc_rows(docs, pairs, clusters, rejected_here):
    """One row per record, in input order, with the reasons behind its outcome."""
    reasons = {}
    for cluster in _lines(clusters):
        reasons.setdefault(cluster["representative"], []).append(
            f"original of cluster {cluster['cluster']}: {cluster['reason']}")
    for pair in _lines(pairs):
        source = pair["from"]
        if source is None:
            continue
        taker = pair["b"] if source == pair["a"] else pair["a"]
        reasons.setdefault(taker, []).append(
            f"{pair['relation']} from {source}: {pair['reason']}")
    rows = []
    for ordinal, doc in enumerate(_lines(docs)):
        reason = doc["reason"]
        if doc["status"] == "rejected":
            # The reason without the record's origin, which the row itself stands for.
            reason = rejected_here.get(ordinal) or (reason or "").split(": ", 1)[-1]
        rows.append((doc["id"], doc["status"], doc["cluster"], doc["duplicate_of"],
                     doc["similarity"], reasons.get(doc["id"], []) if doc["id"] else [], reason))
    return rows


def _pair_rows(pairs):
    return [(p["a"], p["b"], p["relation"], p["jaccard"], p["containment_ab"],
             p["containment_ba"], p["share_a"], p["share_b"], p["from"], p["direction"],
             p["reason"], [(q["a_start"], q["a_end"], q["b_start"], q["b_end"], q["words"])
                           for q in p.get("passages") or []])
            for p in _lines(pairs)]
