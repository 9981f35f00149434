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

Step 6 runs on the driver at every size: it holds every record's outcome and identity and
every verified pair with its passages (about 2.2 KB a record measured for the whole driver
process); BENCHMARKS.md ("Beyond one machine") gives the measured sizes and where this
stops scaling.
"""

from collections import namedtuple

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
    import pyarrow as pa
    from pyspark.sql import functions as F

    step = _Steps(spark)
    step("analyse the records; collect their outcomes and identities")
    meta = analyzed.select(*_DRIVER_COLUMNS).orderBy("ordinal").toArrow()
    driver = _native.SparkDriver(meta, **params)
    left_out = _ordinals(spark, [doc for doc, _ in driver.rejected_as_duplicate_ids()])
    accepted = analyzed.where(F.col("rejected").isNull()).join(
        F.broadcast(left_out), "ordinal", "left_anti")

    # Lines in enough documents to be templates: the verification judges lines with them.
    step("count the recurring lines")
    lines = accepted.select("ordinal", F.explode("line_keys").alias("key"))
    recurring = (lines.groupBy("key").count()
                 .where(F.col("count") >= settings["template_min_docs"]).toArrow())
    recurring_keys = recurring.column("key").to_pylist()
    recurring_counts = recurring.column("count").to_pylist()
    entries = lines.join(F.broadcast(spark.createDataFrame(recurring.select(["key"]))),
                         "key").toArrow()

    step("find the candidate pairs")
    compared = accepted.join(F.broadcast(_ordinals(spark, driver.followers())), "ordinal",
                             "left_anti")
    from_lsh = _band_pairs(compared, settings["star_above"])
    from_winnow = _fingerprint_pairs(compared, settings)
    found = from_lsh.withColumn("lsh", F.lit(True))
    if from_winnow is not None:
        found = found.unionByName(from_winnow.withColumn("lsh", F.lit(False)))
    found = found.toArrow()
    lsh = pa.compute.equal(found.column("lsh"), True)
    counts = (pa.compute.sum(lsh).as_py() or 0, found.num_rows - (pa.compute.sum(lsh).as_py() or 0))

    texts = accepted.select("ordinal", "text", "title").persist()

    def verify_batches(batches):
        from reprint import _native as native
        for batch in batches:
            yield native.spark_verify(batch, recurring_keys, recurring_counts, **params)

    def verify(a, b):
        step(f"verify {len(a)} pairs")
        pairs = spark.createDataFrame(pa.table({"a": pa.array(a, pa.int64()),
                                                "b": pa.array(b, pa.int64())}))
        side = lambda s: texts.select(F.col("ordinal").alias(s), F.col("text").alias("text_" + s),
                                      F.col("title").alias("title_" + s))
        joined = pairs.join(side("a"), "a").join(side("b"), "b").select(
            "a", "b", "text_a", "title_a", "text_b", "title_b")
        return joined.mapInArrow(verify_batches, "part binary").toArrow()

    try:
        docs, pairs, clusters = driver.relate(
            entries.select(["key", "ordinal"]), found.select(["a", "b"]), counts, verify)
    finally:
        texts.unpersist()

    step("assemble the results")
    docs = docs.append_column("ordinal", pa.array(range(docs.num_rows), pa.int64()))
    return Dedup(_docs_frame(spark, analyzed, docs, pairs, clusters), _pairs_frame(spark, pairs))


class _Steps:
    """Names each step's Spark jobs (as the Spark UI and its REST API show them)."""

    def __init__(self, spark):
        self.context = spark.sparkContext

    def __call__(self, description):
        self.context.setJobDescription(f"reprint.spark.dedup: {description}")


def _docs_frame(spark, analyzed, docs, pairs, clusters):
    """One row per record, in input order: the driver's outcome, the reason an executor
    rejected it, and the reasons behind its relations."""
    from pyspark.sql import functions as F

    pairs = spark.createDataFrame(pairs)
    clusters = spark.createDataFrame(clusters)
    originals = clusters.select(
        F.col("representative").alias("id"),
        F.format_string("original of cluster %d: %s", "cluster", "reason").alias("why"))
    taken = pairs.where(F.col("from").isNotNull()).select(
        F.when(F.col("from") == F.col("a"), F.col("b")).otherwise(F.col("a")).alias("id"),
        F.format_string("%s from %s: %s", "relation", "from", "reason").alias("why"))
    # Sorted, so that the list does not depend on how the shuffle ordered it.
    reasons = originals.unionByName(taken).groupBy("id").agg(
        F.array_sort(F.collect_list("why")).alias("relation_reasons"))
    rejected = analyzed.where(F.col("rejected").isNotNull()).select(
        "ordinal", F.col("rejected").alias("rejected_here"))
    accepted_reasons = reasons.withColumn("accepted", F.lit(True))
    out = (spark.createDataFrame(docs)
           .join(rejected, "ordinal", "left")
           .withColumn("accepted", F.col("status") != "rejected")
           .join(accepted_reasons, ["id", "accepted"], "left")
           .orderBy("ordinal"))
    # The driver's reason names the record's origin (`dataframe:N: ...`); the row stands for it.
    reason = F.coalesce(F.col("rejected_here"),
                        F.regexp_replace(F.col("reason"), r"^dataframe:\d+: ", ""))
    return out.select(
        "id", "status", "cluster", "duplicate_of", "similarity",
        F.coalesce(F.col("relation_reasons"), F.array().cast("array<string>"))
        .alias("relation_reasons"),
        reason.alias("reason"))


def _pairs_frame(spark, pairs):
    from pyspark.sql import functions as F

    passages = ("array<struct<a_start:long, a_end:long, b_start:long, b_end:long, "
                "words:long>>")
    frame = spark.createDataFrame(pairs)
    return frame.withColumn("passages", F.coalesce(F.from_json("passages", passages),
                                                   F.array().cast(passages)))


def _ordinals(spark, ordinals):
    return spark.createDataFrame([(o,) for o in ordinals], "ordinal long")


def _band_pairs(compared, star_above):
    """Every two documents sharing a band key; a bucket of more than ``star_above`` documents
    paired with its first document only. One shuffle groups each bucket's documents (sorted);
    its pairs are made in place by Spark's array functions."""
    from pyspark.sql import functions as F

    buckets = (compared.select("ordinal", F.posexplode("band_keys").alias("band", "key"))
               .groupBy("band", "key").agg(F.array_sort(F.collect_list("ordinal")).alias("docs"))
               .where(F.size("docs") >= 2))
    if star_above is None:
        pairs = _all_pairs(F.col("docs"))
    else:
        pairs = F.when(F.size("docs") > star_above, _star_pairs(F.col("docs"))).otherwise(
            _all_pairs(F.col("docs")))
    return buckets.select(F.explode(pairs).alias("pair")).select("pair.a", "pair.b").distinct()


def _all_pairs(docs):
    """Every (a, b) with a before b in the sorted array ``docs``."""
    from pyspark.sql import functions as F

    return F.flatten(F.transform(
        F.sequence(F.lit(1), F.size(docs) - 1),
        lambda i: F.transform(F.slice(docs, i + 1, F.size(docs) - i),
                              lambda b: F.struct(F.element_at(docs, i).alias("a"),
                                                 b.alias("b")))))


def _star_pairs(docs):
    """The first document of the sorted array ``docs`` with each of the others."""
    from pyspark.sql import functions as F

    return F.transform(F.slice(docs, 2, F.size(docs) - 1),
                       lambda b: F.struct(F.element_at(docs, 1).alias("a"), b.alias("b")))


def _fingerprint_pairs(compared, settings):
    """Documents sharing at least ``winnow_min_shared`` fingerprints, fingerprints held by more
    than ``winnow_max_postings`` documents left out; ``None`` when the passage index is off."""
    from pyspark.sql import functions as F

    if settings["winnow_min_shared"] is None:
        return None
    holders = (compared.select("ordinal", F.explode("fingerprints").alias("fingerprint"))
               .groupBy("fingerprint")
               .agg(F.array_sort(F.collect_list("ordinal")).alias("docs"))
               .where((F.size("docs") >= 2)
                      & (F.size("docs") <= settings["winnow_max_postings"])))
    return (holders.select(F.explode(_all_pairs(F.col("docs"))).alias("pair"))
            .groupBy("pair.a", "pair.b").count()
            .where(F.col("count") >= settings["winnow_min_shared"]).select("a", "b"))
