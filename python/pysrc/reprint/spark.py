"""reprint on Apache Spark: ``dedup`` finds in a DataFrame what ``reprint scan`` finds in a file.

The work is the engine's own operations around reprint's Rust stages:

1. every row is numbered in input order (``zipWithIndex``) and analysed on the executors
   (``mapInArrow``): parsed as the CLI parses a JSONL record, its main text judged, shingled,
   sketched into LSH band keys and winnowed fingerprints;
2. repeated ids are rejected and identical texts grouped behind a leader, as a scan does: by
   the driver from each record's collected outcome and identity (not its text or keys), or,
   distributed, by window functions;
3. lines found in at least ``template_min_docs`` documents are counted with ``explode`` and
   ``groupBy``;
4. candidate pairs: band keys and fingerprints are sent to partitions by bucket
   (``repartition``) and paired there by the scan's own code (``mapInArrow``), buckets of more
   than 64 documents as a star around their first; fingerprint pairs are counted in each
   partition and added over partitions (``groupBy``);
5. each candidate pair is joined with its two texts and verified on the executors
   (``mapInArrow``): exact Jaccard, passages and relation;
6. the corpus-wide step: clusters of copies without chaining (a member must be linked to its
   cluster's original directly), the few links and inherited pairs that needs, outlet
   templates, directions. With ``components="driver"`` the driver runs the scan's own code
   on every verified pair (about 2.2 KB a record measured for the whole driver process); with
   ``"distributed"`` the connected components of the related documents are found by label
   propagation in DataFrames and the same code runs on each component on an executor, so
   nothing on the driver grows with the corpus. ``"auto"`` picks the driver up to
   ``driver_max_records`` records. BENCHMARKS.md ("Beyond one machine") gives the measured
   costs of both.
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



#: Above this many records, ``components="auto"`` relates on the executors: the driver's
#: share was measured at about 2.2 KB a record (BENCHMARKS.md, "Beyond one machine"), so
#: 10 million records take about 22 GB there.
DRIVER_MAX_RECORDS = 10_000_000


def dedup(df, id_col="id", text_col="text", date_col=None, title_col=None, source_col=None,
          components="auto", driver_max_records=DRIVER_MAX_RECORDS, **params):
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

    ``components`` says where the corpus-wide step runs (clusters without chaining, identical
    texts, outlet templates, directions): ``"driver"`` collects every record's outcome and
    every verified pair on the driver; ``"distributed"`` finds the connected components of
    the related documents with DataFrame operations and relates each on an executor, so that
    nothing on the driver grows with the corpus (its two DataFrames come back computed and
    persisted); ``"auto"`` (the default) takes the driver up to ``driver_max_records``
    records. Both give the same result.
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

    if components not in ("auto", "driver", "distributed"):
        raise ValueError(
            f'components: must be "auto", "driver" or "distributed", got {components!r}')
    analyzed = indexed.mapInArrow(analyze, _ANALYSIS_SCHEMA).persist()
    try:
        _Steps(spark)("analyse the records")
        _something_read(analyzed)
        if components == "auto":
            components = "driver" if analyzed.count() <= driver_max_records else "distributed"
        if components == "driver":
            return _dedup_analyzed(spark, analyzed, settings, params)
        return _dedup_distributed(spark, analyzed, settings, params)
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

    step("count the recurring lines")
    recurring_keys, recurring_counts, entries = _recurring_lines(spark, accepted, settings)
    entries = entries.toArrow()

    step("find the candidate pairs")
    compared = accepted.join(F.broadcast(_ordinals(spark, driver.followers())), "ordinal",
                             "left_anti")
    found = _candidates(compared, settings, params).toArrow()
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
    return Dedup(_docs_frame(spark, analyzed, spark.createDataFrame(docs),
                             spark.createDataFrame(pairs), spark.createDataFrame(clusters)),
                 _pairs_frame(spark, pairs))


def _something_read(analyzed):
    """Raises the CLI's error when every record was rejected (a repeated id never is: the
    record that used it first is kept)."""
    from pyspark.sql import functions as F

    if analyzed.where(F.col("rejected").isNull()).isEmpty():
        first = analyzed.orderBy("ordinal").select("rejected").first()
        raise _native.ReprintError(
            "no document read: " + (
                f"all {analyzed.count()} records were rejected; the first: {first[0]}"
                if first is not None else "the input holds no records"))


def _recurring_lines(spark, accepted, settings):
    """Lines in enough documents to be templates, which verification judges lines with:
    their keys and counts (sent to every executor) and the ``(key, ordinal)`` of each."""
    from pyspark.sql import functions as F

    lines = accepted.select("ordinal", F.explode("line_keys").alias("key"))
    recurring = (lines.groupBy("key").count()
                 .where(F.col("count") >= settings["template_min_docs"]).toArrow())
    entries = lines.join(F.broadcast(spark.createDataFrame(recurring.select(["key"]))), "key")
    return (recurring.column("key").to_pylist(), recurring.column("count").to_pylist(),
            entries)


def _candidates(compared, settings, params):
    """The candidate pairs (``a``, ``b``) among the ``compared`` documents, ``lsh`` saying
    which index found each (a pair found by both appears twice)."""
    from pyspark.sql import functions as F

    found = _band_pairs(compared, params).withColumn("lsh", F.lit(True))
    from_winnow = _fingerprint_pairs(compared, settings, params)
    if from_winnow is not None:
        found = found.unionByName(from_winnow.withColumn("lsh", F.lit(False)))
    return found


#: What ``spark_conclude_components`` gives as JSON lines, read back into columns.
_DOC_LINE = "id string, status string, cluster long, duplicate_of string, similarity double"
_PASSAGES = "array<struct<a_start:long, a_end:long, b_start:long, b_end:long, words:long>>"
_PAIR_LINE = (
    "a string, b string, jaccard double, containment_ab double, containment_ba double, "
    "relation string, share_a double, share_b double, from string, direction string, "
    f"reason string, passages {_PASSAGES}")
_CLUSTER_LINE = ("cluster long, representative string, reason string, size long, "
                 "members array<string>")
#: The rows of whole components as ``spark_cluster_components`` reads them.
_COMPONENT_ROWS = (
    "comp long, kind string, a long, b long, item binary, id string, title string, "
    "source string, date long, words long, tokens string, content long, bytes long, "
    "span_start long, span_end long, identity_words long, text string, leader long")

#: Label propagation stops with an error after this many rounds; large-star and small-star
#: together need about log2 of the longest path (Kiveris et al., "Connected Components in
#: MapReduce and Beyond", SoCC 2014), so this is reached only by a path longer than any
#: corpus.
_MAX_COMPONENT_ROUNDS = 64


def _dedup_distributed(spark, analyzed, settings, params):
    """``dedup`` with nothing on the driver that grows with the corpus: repeated ids and
    identical texts by window and aggregate, connected components by label propagation in
    DataFrames, each component clustered and concluded on an executor by the scan's code."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    step = _Steps(spark)
    step("reject repeated ids")
    readable = analyzed.where(F.col("rejected").isNull())
    first_use = readable.withColumn(
        "first", F.min("ordinal").over(Window.partitionBy("id")))
    repeated = first_use.where(F.col("ordinal") != F.col("first")).select(
        "ordinal", "id", "first")

    def name_repeats(batches):
        from reprint import _native as native
        for batch in batches:
            yield native.spark_duplicate_ids(batch)

    repeated = _computed(repeated.mapInArrow(name_repeats, "ordinal long, reason string"))
    accepted = readable.join(repeated.select("ordinal"), "ordinal", "left_anti")

    # A group of identical texts is compared through its leader: the member a cluster would
    # choose as original, the earliest dated, then the smallest id, then the first (as
    # `ExactGroups::find`; each component checks the leaders against it).
    step("group identical texts")
    choice = F.struct(F.col("date").isNull(), F.col("date"), F.coalesce(F.col("id"), F.lit("")),
                      F.col("ordinal"))
    leaders = (accepted.select("ordinal", "content", choice.alias("choice"))
               .withColumn("best", F.min("choice").over(Window.partitionBy("content")))
               .select("ordinal", F.col("best.ordinal").alias("leader")))
    if settings["star_above"] is None:
        # Every pair asked for (`all_pairs`): identical texts are compared like any others.
        leaders = accepted.select("ordinal", F.col("ordinal").alias("leader"))
    followers = _computed(leaders.where(F.col("ordinal") != F.col("leader")))

    step("count the recurring lines")
    recurring_keys, recurring_counts, entries = _recurring_lines(spark, accepted, settings)

    step("find the candidate pairs")
    compared = accepted.join(followers.select("ordinal"), "ordinal", "left_anti")
    found = _computed(_candidates(compared, settings, params).select("a", "b").distinct())

    step("verify the candidate pairs")
    texts = accepted.select("ordinal", "text", "title")

    def verify_items(batches):
        from reprint import _native as native
        for batch in batches:
            yield native.spark_verify(batch, recurring_keys, recurring_counts, by_item=True,
                                     **params)

    side = lambda s: texts.select(F.col("ordinal").alias(s), F.col("text").alias("text_" + s),
                                  F.col("title").alias("title_" + s))
    items = _computed(found.join(side("a"), "a").join(side("b"), "b")
                      .select("a", "b", "text_a", "title_a", "text_b", "title_b")
                      .mapInArrow(verify_items, "a long, b long, item binary"))

    step("find the connected components")
    edges = items.where(F.col("b").isNotNull()).select("a", "b").unionByName(
        followers.select(F.col("ordinal").alias("a"), F.col("leader").alias("b")))
    nodes = _computed(_components(edges))

    step("cluster each component")
    comp_of = lambda col: nodes.select(F.col("node").alias(col), F.col("comp").alias("comp_" + col))
    docs = (accepted.join(nodes.withColumnRenamed("node", "ordinal"), "ordinal")
            .join(leaders, "ordinal", "left")
            .select(F.col("comp"), F.lit("doc").alias("kind"), F.col("ordinal").alias("a"),
                    F.coalesce(F.col("leader"), F.col("ordinal")).alias("leader"),
                    "id", "title", "source", "date", "words", "tokens", "content", "bytes",
                    "span_start", "span_end", "identity_words", "text"))
    candidates = (found.join(comp_of("a"), "a").join(comp_of("b"), "b")
                  .where(F.col("comp_a") == F.col("comp_b"))
                  .select(F.col("comp_a").alias("comp"), F.lit("candidate").alias("kind"),
                          "a", "b"))
    found_items = items.join(comp_of("a"), "a").select(
        F.col("comp_a").alias("comp"), F.lit("item").alias("kind"), "a", "b", "item")
    rows = (docs.unionByName(candidates, allowMissingColumns=True)
            .unionByName(found_items, allowMissingColumns=True)
            .select(*[c.split()[0] for c in _COMPONENT_ROWS.split(", ")]))

    def cluster(batches):
        import pyarrow as pa
        from reprint import _native as native
        batches = list(batches)
        if batches:
            table = native.spark_cluster_components(
                pa.Table.from_batches(batches), recurring_keys, recurring_counts, **params)
            yield from table.to_batches()

    clustered = _computed(rows.repartition("comp").mapInArrow(
        cluster, "comp long, kind string, a long, b long, state binary"))

    step("number the clusters; count the outlet templates")
    firsts = clustered.where(F.col("kind") == "cluster").select("comp", "a", "b")
    numbered = firsts.orderBy("b").rdd.zipWithIndex().map(
        lambda pair: (pair[0][0], pair[0][1], pair[1]))
    cluster_ids = spark.createDataFrame(numbered, "comp long, a long, b long")
    parts = [clustered.where(F.col("kind") == "state").select("comp", "kind", "a", "b", "state"),
             cluster_ids.select("comp", F.lit("cluster").alias("kind"), "a", "b")]
    if settings["templates"]:
        # Each cluster counts once, as one group; a document in none counts on its own.
        groups = clustered.where(F.col("kind") == "clustered").select(
            F.col("a").alias("ordinal"), F.col("b").alias("group"))
        templates = (entries.join(groups, "ordinal", "left")
                     .select("key", F.coalesce(F.col("group"), -1 - F.col("ordinal"))
                             .alias("group"))
                     .groupBy("key").agg(F.countDistinct("group").alias("groups"))
                     .where(F.col("groups") >= max(settings["template_min_docs"], 2)))
        asked = clustered.where(F.col("kind") == "line").select("comp", F.col("a").alias("key"))
        parts.append(asked.join(templates, "key").select(
            "comp", F.lit("template").alias("kind"), F.col("key").alias("a"),
            F.col("groups").alias("b")))
    rows = parts[0]
    for part in parts[1:]:
        rows = rows.unionByName(part, allowMissingColumns=True)

    def conclude(batches):
        import pyarrow as pa
        from reprint import _native as native
        batches = list(batches)
        if batches:
            table = native.spark_conclude_components(pa.Table.from_batches(batches), **params)
            yield from table.to_batches()

    step("conclude each component")
    concluded = _computed(rows.repartition("comp").mapInArrow(
        conclude, "kind string, a long, b long, line string"))
    related = concluded.where(F.col("kind") == "doc").select(
        F.col("a").alias("ordinal"), F.from_json("line", _DOC_LINE).alias("doc")).select(
        "ordinal", "doc.*")
    pairs = (concluded.where(F.col("kind") == "pair")
             .select("a", "b", F.from_json("line", _PAIR_LINE).alias("pair"))
             .orderBy("a", "b").select("pair.*")
             .withColumn("passages", F.coalesce("passages", F.array().cast(_PASSAGES))))
    clusters = (concluded.where(F.col("kind") == "cluster")
                .select(F.from_json("line", _CLUSTER_LINE).alias("c")).select("c.*"))

    step("assemble the results")
    outcome = (analyzed.select("ordinal", "id", "rejected")
               .join(related.drop("id"), "ordinal", "left")
               .join(repeated, "ordinal", "left")
               .select("ordinal", "id",
                       F.coalesce(F.col("status"),
                                  F.when(F.col("rejected").isNotNull()
                                         | F.col("reason").isNotNull(), F.lit("rejected"))
                                  .otherwise(F.lit("unique"))).alias("status"),
                       "cluster", "duplicate_of", "similarity", "reason"))
    # Computed and kept before what they were computed from is let go.
    result = Dedup(_computed(_docs_frame(spark, analyzed, outcome, pairs, clusters)),
                   _computed(pairs))
    for frame in [repeated, followers, found, items, nodes, clustered, concluded]:
        frame.unpersist()
    return result


def _computed(frame):
    """``frame`` kept and computed now: later steps read it more than once, and each step's
    Spark jobs carry that step's name."""
    frame = frame.persist()
    frame.count()
    return frame


def _components(edges):
    """The connected components of the undirected graph ``edges`` (``a``, ``b``): a row per
    node in some edge, ``node`` and ``comp`` (the smallest node of its component). Large-star
    and small-star steps alternate until every node points at its component's smallest node
    (Kiveris et al., 2014); each round's edges are checkpointed to keep the plan short."""
    from pyspark.sql import functions as F

    def both_ways(e):
        return e.select(F.col("u"), F.col("v")).unionByName(
            e.select(F.col("v").alias("u"), F.col("u").alias("v")))

    def large_star(e):
        # Each node's larger neighbours are linked to the smallest of its neighbourhood.
        n = both_ways(e)
        least = n.groupBy("u").agg(F.least(F.min("v"), F.col("u")).alias("m"))
        return (n.join(least, "u").where(F.col("v") > F.col("u"))
                .select(F.col("v").alias("u"), F.col("m").alias("v")).distinct())

    def small_star(e):
        # Each node and its smaller neighbours are linked to the smallest of them.
        n = both_ways(e).where(F.col("v") < F.col("u"))
        least = n.groupBy("u").agg(F.min("v").alias("m"))
        linked = n.join(least, "u").select(F.col("v").alias("u"), F.col("m").alias("v"))
        return (linked.unionByName(least.select("u", F.col("m").alias("v")))
                .where(F.col("u") != F.col("v")).distinct())

    e = (edges.select(F.greatest("a", "b").alias("u"), F.least("a", "b").alias("v"))
         .where(F.col("u") != F.col("v")).distinct().localCheckpoint())
    for _ in range(_MAX_COMPONENT_ROUNDS):
        e = small_star(large_star(e)).localCheckpoint()
        # Done when every edge points at a root: no edge's target has a smaller neighbour
        # of its own, and no node points at two.
        targets = e.select(F.col("v").alias("u")).distinct()
        if (e.join(targets, "u").isEmpty()
                and e.groupBy("u").count().where(F.col("count") > 1).isEmpty()):
            break
    else:
        raise _native.ReprintError(
            f"reprint.spark: the connected components did not settle in "
            f"{_MAX_COMPONENT_ROUNDS} rounds")
    roots = e.select(F.col("v").alias("node"), F.col("v").alias("comp")).distinct()
    return e.select(F.col("u").alias("node"), F.col("v").alias("comp")).unionByName(roots)


class _Steps:
    """Names each step's Spark jobs (as the Spark UI and its REST API show them)."""

    def __init__(self, spark):
        self.context = spark.sparkContext

    def __call__(self, description):
        self.context.setJobDescription(f"reprint.spark.dedup: {description}")


def _docs_frame(spark, analyzed, docs, pairs, clusters):
    """One row per record, in input order: the outcome (``docs``: ``ordinal``, ``id``,
    ``status``, ``cluster``, ``duplicate_of``, ``similarity``, ``reason``), the reason an
    executor rejected it, and the reasons behind its relations (from the ``pairs`` and
    ``clusters`` DataFrames)."""
    from pyspark.sql import functions as F

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
    out = (docs
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


def _band_pairs(compared, params):
    """Every two documents sharing a band key, a bucket of more than 64 documents paired with
    its first document only, as the scan pairs them: the (band, key, document) entries are sent
    to partitions by bucket, and Rust pairs each partition's buckets."""
    from pyspark.sql import functions as F

    def pair_buckets(batches):
        import pyarrow as pa
        from reprint import _native as native
        batches = list(batches)
        if batches:
            table = native.spark_band_pairs(pa.Table.from_batches(batches), **params)
            yield from table.to_batches()

    entries = compared.select("ordinal", F.posexplode("band_keys").alias("band", "key")).select(
        F.col("band").cast("long"), "key", "ordinal")
    return (entries.repartition("band", "key").mapInArrow(pair_buckets, "a long, b long")
            .distinct())


def _fingerprint_pairs(compared, settings, params):
    """Documents sharing at least ``winnow_min_shared`` fingerprints, fingerprints held by more
    than ``winnow_max_postings`` documents left out; ``None`` when the passage index is off.
    The postings are sent to partitions by fingerprint; in each, Rust pairs the holders of
    every fingerprint and counts each pair's shared fingerprints before anything leaves the
    partition (as the scan pairs them), and a pair's counts are added over partitions."""
    from pyspark.sql import functions as F

    if settings["winnow_min_shared"] is None:
        return None

    def count_pairs(batches):
        import pyarrow as pa
        from reprint import _native as native
        batches = list(batches)
        if batches:
            table = native.spark_fingerprint_pairs(pa.Table.from_batches(batches), **params)
            yield from table.to_batches()

    postings = compared.select(F.explode("fingerprints").alias("fingerprint"), "ordinal")
    return (postings.repartition("fingerprint")
            .mapInArrow(count_pairs, "a long, b long, shared long")
            .groupBy("a", "b").agg(F.sum("shared").alias("shared"))
            .where(F.col("shared") >= settings["winnow_min_shared"]).select("a", "b"))
