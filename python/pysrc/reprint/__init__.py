"""reprint: find articles that reuse each other's wording, and score boilerplate and padding.

The functions return what the command line writes, as Python objects: ``scan`` the lines of
``docs.jsonl``, ``pairs.jsonl``, ``clusters.jsonl`` and ``outlets.jsonl``; ``quality`` the
``quality`` object; ``explain`` what ``reprint explain --json`` prints (with passage offsets as
``str`` indexes instead of bytes). ``MinHash`` and ``MinHashLSH`` follow datasketch's API.
"""

import json

from ._native import MinHash, MinHashLSH, ReprintError
from ._native import explain_json as _explain_json
from ._native import quality_json as _quality_json
from ._native import scan_arrow as _scan_arrow
from ._native import scan_jsonl as _scan_jsonl

__all__ = ["scan", "scan_arrow", "quality", "explain", "MinHash", "MinHashLSH", "ReprintError"]


def _json_value(value):
    """A value JSON lacks, as the reader takes it: dates and times in ISO 8601, else str()."""
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


def _lines(text):
    return [json.loads(line) for line in text.splitlines() if line]


def scan(records, **params):
    """Scans ``records`` (an iterable of dicts with ``id`` and ``text``, plus optional
    ``title``, ``date``, ``source``) as ``reprint scan`` scans a JSONL file.

    Returns ``{"docs": [...], "pairs": [...], "clusters": [...], "outlets": [...]}``, one dict
    per line of the CLI's files. Every record has its line in ``docs``: a bad record (not a
    dict, no text, a repeated id) is ``"status": "rejected"`` with its ``reason``; its
    ``origin`` is ``records:N``, its position from 1. ``params`` are the CLI's flags in
    snake case: ``threshold``, ``shingle``, ``hashes``, ``seed``, ``bands`` and ``rows``,
    ``threads``, ``all_pairs``, ``passages``, ``quality``, ``jaccard_only``, ``cluster_floor``,
    ``copy_share``, ``partial_words``, ``partial_share``, ``template_min_docs``,
    ``char_ngrams``, ``scheme``, ``id_field``, ``text_field``. A bad value raises ValueError
    with the CLI's message.
    """
    docs, pairs, clusters, outlets = _scan_jsonl(records, **params)
    return {
        "docs": _lines(docs),
        "pairs": _lines(pairs),
        "clusters": _lines(clusters),
        "outlets": _lines(outlets),
    }


def scan_arrow(table, **params):
    """``scan`` for an Arrow table (a ``pyarrow.Table`` or anything with
    ``__arrow_c_stream__``), one record per row, every column read as text: returns
    ``{"docs", "pairs", "clusters"}`` as ``pyarrow.Table``s, built without a Python object per
    row. Columns are those of ``docs.jsonl`` (the quality object's ``score``, ``boilerplate``,
    ``padding``, ``stuffing`` and ``flags`` flattened; ``reuses`` and ``evidence`` as JSON
    text), ``pairs.jsonl`` (``passages`` as JSON text) and ``clusters.jsonl``."""
    docs, pairs, clusters = _scan_arrow(table, **params)
    return {"docs": docs, "pairs": pairs, "clusters": clusters}


def quality(text, title=None):
    """The quality of one text (``score``, ``boilerplate``, ``padding``, ``stuffing``,
    ``flags``, ``evidence``) on its own signals: outlet templates need a corpus (``scan``)."""
    return json.loads(_quality_json(text, title))


def explain(text_a, text_b, title_a=None, title_b=None, **params):
    """How two texts relate and why: ``relation`` (``copy``, ``partial``, ``none``),
    ``reason``, ``jaccard``, containment both ways, ``from`` (``"a"``, ``"b"`` or None) with
    ``direction``, and ``passages`` whose offsets index the Python strings."""
    return json.loads(_explain_json(text_a, text_b, title_a, title_b, **params))
